#!/usr/bin/env bash
# `corridor bench-frames FILE` in several configurations taken in turn, $RUNS rounds (default 5),
# so that a slow minute of the machine falls on all of them alike. Prints each figure's median and
# range per configuration, the ratios taken within each run, and the loader's own split of the
# first frame (read and parse, then project and triangulate).
#
#   scripts/bench-in-turn.sh FILE 'NAME|BINARY|SETTINGS' ...
#
# NAME is letters, digits, '-' and '_', one per configuration; SETTINGS are environment settings
# for that configuration, space-separated, e.g.
#   scripts/bench-in-turn.sh /tmp/corridor-bench/large.geojson \
#       'before|/tmp/corridor-before|' 'now|target/release/corridor|' \
#       'meshes|target/release/corridor|CORRIDOR_MAP_MESHES=1'
# Relative paths are taken from where the script is run. Nothing else heavy should run meanwhile.
# A run that fails stops the script with its output; the results so far stay in the folder named.
set -euf
file=${1:?usage: scripts/bench-in-turn.sh FILE 'NAME|BINARY|SETTINGS' ...}
shift
[ $# -gt 0 ] || { echo "no configuration given" >&2; exit 2; }
runs=${RUNS:-5}
names=" "
for c in "$@"; do
    IFS='|' read -r name bin _ <<<"$c"
    [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || { echo "$name: a name is letters, digits, - and _" >&2; exit 2; }
    [[ $names == *" $name "* ]] && { echo "$name: named twice" >&2; exit 2; }
    names="$names$name "
    [ -x "$bin" ] || { echo "$bin: not an executable" >&2; exit 2; }
done
tmp=$(mktemp -d)
run() {
    local bin=$1 settings=$2 out=$3
    # Only the settings a configuration names (`set -f` above: none is taken as a pattern).
    # shellcheck disable=SC2086
    env -u CORRIDOR_MAP_MESHES -u CORRIDOR_BENCH_PREPARE -u CORRIDOR_BENCH_RENDER $settings \
        RUST_LOG=corridor::loader=info "$bin" bench-frames "$file" >"$out" 2>"$out.log" || {
        echo "$bin bench-frames $file failed (settings: ${settings:-none}); output in $tmp:" >&2
        cat "$out" "$out.log" >&2
        exit 1
    }
}
for c in "$@"; do
    IFS='|' read -r name bin settings <<<"$c"
    run "$bin" "$settings" "$tmp/$name.warm"
done
for i in $(seq 1 "$runs"); do
    for c in "$@"; do
        IFS='|' read -r name bin settings <<<"$c"
        run "$bin" "$settings" "$tmp/$name.$i"
        sed -n 's/.*read and parse \([0-9.]*\) s, project and triangulate \([0-9.]*\) s.*/parse_s=\1\nbuild_s=\2/p' \
            "$tmp/$name.$i.log" >>"$tmp/$name.$i"
    done
done
printf '%s\n' "machine: $(nproc) cores, $(uname -sr); date: $(date -u +%Y-%m-%dT%H:%MZ); file: $(basename "$file"); runs: $runs"
for c in "$@"; do
    IFS='|' read -r name _ _ <<<"$c"
    printf '\n%s: %s\n' "$name" "$(grep -h '^frames_made=' "$tmp/$name.1" || true)"
    python3 - "$tmp" "$name" "$runs" <<'EOF'
import statistics
import sys

tmp, name, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = []
for i in range(1, runs + 1):
    v = {}
    with open(f"{tmp}/{name}.{i}") as f:
        for line in f:
            k, _, x = line.strip().partition("=")
            try:
                v[k] = float(x)
            except ValueError:
                pass
    if v.get("frame_p95_ms") and "frame_max_ms" in v:
        v["frame_max_over_p95"] = v["frame_max_ms"] / v["frame_p95_ms"]
    if v.get("peak_rss_mib") and "save_peak_rss_mib" in v:
        v["save_peak_over_peak"] = v["save_peak_rss_mib"] / v["peak_rss_mib"]
    if v.get("parse_floor_s") and "parse_s" in v:
        v["parse_over_floor"] = v["parse_s"] / v["parse_floor_s"]
    rows.append(v)
keys = ["first_frame_s", "first_view_dots", "still_s", "detail_s", "parse_floor_s", "first_frame_over_parse_floor", "parse_s", "build_s",
        "parse_over_floor", "frame_p50_ms", "frame_p95_ms", "frame_max_ms", "frame_max_over_p95",
        "peak_rss_mib", "peak_rss_over_file", "save_peak_rss_mib", "save_peak_over_peak",
        "drag_p95_ms", "save_frame_p95_ms", "save_frame_max_ms", "map_staged_bytes_max"]
for k in keys:
    xs = [r[k] for r in rows if k in r]
    if xs:
        print(f"  {k}: {statistics.median(xs):.3f} ({min(xs):.3f}–{max(xs):.3f})")
EOF
done
rm -rf "$tmp"
