#!/usr/bin/env bash
# `corridor bench-frames FILE` in several configurations taken in turn, $RUNS rounds (default 5),
# so that a slow minute of the machine falls on all of them alike. Prints each figure's median and
# range per configuration, the ratios taken within each run, and the loader's own split of the
# first frame (read and parse, then project and triangulate).
#
#   scripts/bench-in-turn.sh FILE 'NAME|BINARY|SETTINGS' ...
#
# SETTINGS are environment settings for that configuration, space-separated, e.g.
#   scripts/bench-in-turn.sh /tmp/corridor-bench/large.geojson \
#       'before|/tmp/corridor-before|' 'now|target/release/corridor|' \
#       'meshes|target/release/corridor|CORRIDOR_MAP_MESHES=1'
# Nothing else heavy should run meanwhile.
set -eu
file=${1:?usage: scripts/bench-in-turn.sh FILE 'NAME|BINARY|SETTINGS' ...}
shift
[ $# -gt 0 ] || { echo "no configuration given" >&2; exit 2; }
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {
    local name=$1 bin=$2 settings=$3 out=$4
    # Only the settings a configuration names.
    # shellcheck disable=SC2086
    env -u CORRIDOR_MAP_MESHES -u CORRIDOR_BENCH_PREPARE -u CORRIDOR_BENCH_RENDER $settings \
        RUST_LOG=corridor::loader=info "$bin" bench-frames "$file" >"$out" 2>"$out.log"
}
for c in "$@"; do
    IFS='|' read -r name bin settings <<<"$c"
    run "$name" "$bin" "$settings" "$tmp/warm" || { echo "$name: bench-frames failed" >&2; exit 1; }
done
for i in $(seq 1 "$runs"); do
    for c in "$@"; do
        IFS='|' read -r name bin settings <<<"$c"
        run "$name" "$bin" "$settings" "$tmp/$name.$i"
        sed -n 's/.*read and parse \([0-9.]*\) s, project and triangulate \([0-9.]*\) s.*/parse_s=\1\nbuild_s=\2/p' \
            "$tmp/$name.$i.log" >>"$tmp/$name.$i"
    done
done
printf '%s\n' "machine: $(nproc) cores, $(uname -sr); date: $(date -u +%Y-%m-%dT%H:%MZ); file: $(basename "$file"); runs: $runs"
for c in "$@"; do
    IFS='|' read -r name _ _ <<<"$c"
    printf '\n%s: %s\n' "$name" "$(grep -h '^frames_made=' "$tmp/$name.1" || true)"
    python3 - "$tmp" "$name" "$runs" <<'EOF'
import sys
tmp, name, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = []
for i in range(1, runs + 1):
    v = {}
    for line in open(f"{tmp}/{name}.{i}"):
        k, _, x = line.strip().partition("=")
        try:
            v[k] = float(x)
        except ValueError:
            pass
    if v.get("frame_p95_ms") and v.get("peak_rss_mib"):
        v["frame_max_over_p95"] = v["frame_max_ms"] / v["frame_p95_ms"]
        v["save_peak_over_peak"] = v["save_peak_rss_mib"] / v["peak_rss_mib"]
    if v.get("parse_floor_s") and "parse_s" in v:
        v["parse_over_floor"] = v["parse_s"] / v["parse_floor_s"]
    rows.append(v)
keys = ["first_frame_s", "parse_floor_s", "first_frame_over_parse_floor", "parse_s", "build_s",
        "parse_over_floor", "frame_p50_ms", "frame_p95_ms", "frame_max_ms", "frame_max_over_p95",
        "peak_rss_mib", "peak_rss_over_file", "save_peak_rss_mib", "save_peak_over_peak",
        "drag_p95_ms", "save_frame_p95_ms", "save_frame_max_ms"]
for k in keys:
    xs = sorted(r[k] for r in rows if k in r)
    if xs:
        print(f"  {k}: {xs[(len(xs) - 1) // 2]:.3f} ({xs[0]:.3f}–{xs[-1]:.3f})")
EOF
done
