#!/bin/sh
# Corridor against QGIS 3.22 on the same layers, in the same run: generates the small, medium
# and large benchmark layers (../shared/bench/gen_zones.py, never committed), runs
# `corridor bench-frames` and ../shared/bench/qgis_render.py on each, and prints a table with
# ratios.
#
#   apt-get install -y --no-install-recommends gdal-bin python3-gdal python3-qgis qgis time
#   scripts/bench-vs-qgis.sh [SIZES…]        # default: small medium large
#
# Data goes to $BENCH_DATA (default /tmp/corridor-bench).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
kit="$root/../shared/bench"
data=${BENCH_DATA:-/tmp/corridor-bench}
sizes=${*:-small medium large}
mkdir -p "$data"
cargo build --release --manifest-path "$root/Cargo.toml" >&2
bin="${CARGO_TARGET_DIR:-$root/target}/release/corridor"

params() {
    case $1 in
        small) echo "1000 50 42" ;;
        medium) echo "20000 100 42" ;;
        large) echo "100000 100 42" ;;
    esac
}

# key=value from our output.
val() { echo "$1" | sed -n "s/^$2=//p"; }
# name=value from QGIS's TIMING line.
qval() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

printf '%s\n' "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); date: $(date -u +%Y-%m-%dT%H:%MZ)"
printf '| layer | measure | QGIS 3.22 | Corridor | QGIS ÷ Corridor |\n|---|---|---|---|---|\n'
for size in $sizes; do
    file="$data/$size.geojson"
    if [ ! -f "$file" ]; then
        # shellcheck disable=SC2046
        /usr/bin/python3 "$kit/gen_zones.py" $(params "$size") "$file" >&2
    fi
    ours=$(/usr/bin/time -f 'wall_s=%e' "$bin" bench-frames "$file" 2>&1)
    full=$(QT_QPA_PLATFORM=offscreen /usr/bin/time -f 'wall=%e rss_kib=%M' /usr/bin/python3 "$kit/qgis_render.py" "$file" "$data/$size-qgis.png" 2>&1 | tr '\n' ' ')
    mem=$(QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$kit/qgis_render.py" "$file" "$data/$size-qgis-mem.png" --memory 2>&1 | grep TIMING || true)
    q_first=$(awk "BEGIN {print $(qval "$full" load) + $(qval "$full" extent) + $(qval "$full" render1)}")
    q_redraw=$(qval "$full" render2)
    q_mem=$(qval "$mem" render2)
    q_rss=$(awk "BEGIN {printf \"%.0f\", $(qval "$full" rss_kib) / 1024}")
    c_first=$(val "$ours" first_frame_s)
    c_p95=$(awk "BEGIN {print $(val "$ours" frame_p95_ms) / 1000}")
    c_rss=$(val "$ours" peak_rss_mib)
    ratio() { awk "BEGIN { if ($2 > 0) printf \"%.1f×\", $1 / $2; else print \"—\" }"; }
    printf '| %s | open → first complete frame (s) | %s | %s | %s |\n' "$size" "$q_first" "$c_first" "$(ratio "$q_first" "$c_first")"
    printf '| %s | redraw after a pan, s (QGIS: warm re-render; Corridor: p95 frame) | %s | %s | %s |\n' "$size" "$q_redraw" "$c_p95" "$(ratio "$q_redraw" "$c_p95")"
    printf '| %s | frame from memory, s (QGIS: memory layer; Corridor: p95 frame) | %s | %s | %s |\n' "$size" "${q_mem:-—}" "$c_p95" "$(ratio "${q_mem:-0}" "$c_p95")"
    printf '| %s | peak memory, MiB | %s | %s | %s |\n' "$size" "$q_rss" "$c_rss" "$(ratio "$q_rss" "$c_rss")"
    printf '| %s | Corridor: frame p50 / max, click-to-select | | %s / %s ms, %s ms | |\n' "$size" "$(val "$ours" frame_p50_ms)" "$(val "$ours" frame_max_ms)" "$(val "$ours" pick_ms)"
done
