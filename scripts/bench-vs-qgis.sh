#!/bin/sh
# Corridor against QGIS 3.22 on the same layers, in the same run: generates the small, medium
# and large benchmark layers (../shared/bench/gen_zones.py, never committed), runs
# `corridor bench-frames` and ../shared/bench/qgis_render.py on each, and prints a table with
# ratios.
#
#   apt-get install -y --no-install-recommends gdal-bin python3-gdal python3-qgis qgis time
#   scripts/bench-vs-qgis.sh [SIZES…]        # default: small medium large
#   scripts/bench-vs-qgis.sh million          # a PostGIS table of 1 000 000 polygons
#
# `million` needs PostgreSQL + PostGIS (apt-get install postgresql postgresql-15-postgis-3): it
# starts the test cluster (scripts/pg-test-cluster.sh), generates 1 000 000 polygons of 20
# vertices a ring (930 MB of GeoJSON), imports them with `corridor db import` once, and compares
# `corridor bench-frames --db … --table bench.million` with scripts/qgis-render-table.py.
#
# Data goes to $BENCH_DATA (default /tmp/corridor-bench). Corridor's figures are the medians of
# $RUNS runs (default 5) after one warm-up run, with their range: on this machine one run's
# first frame or p95 can be 30 % off the next.
#
# Frames are timed on the CPU: the app's pass and egui's tessellation, the map batched for its
# pipelines as in the window and staged as the window's renderer would write it (with
# CORRIDOR_MAP_MESHES=1, painted as egui meshes instead). With CORRIDOR_BENCH_PREPARE=1 each
# frame's buffers are also written to the GPU through the map's pipelines, as in the window
# (lavapipe where there is no GPU); with CORRIDOR_BENCH_RENDER=1 whole frames are rendered and
# read back.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
kit="$root/../shared/bench"
data=${BENCH_DATA:-/tmp/corridor-bench}
sizes=${*:-small medium large}
runs=${RUNS:-5}
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
# The median of a key over our runs, and "min–max".
med() { cat "$tmp"/run-* | sed -n "s/^$1=//p" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
range() { cat "$tmp"/run-* | sed -n "s/^$1=//p" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s–%s", lo, hi}'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# name=value from QGIS's TIMING line.
qval() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

printf '%s\n' "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); date: $(date -u +%Y-%m-%dT%H:%MZ)"
printf '| layer | measure | QGIS 3.22 | Corridor | QGIS ÷ Corridor |\n|---|---|---|---|---|\n'
table_bench() {
    url=$("$root/scripts/pg-test-cluster.sh" start 25429)
    file="$data/million.geojson"
    if [ ! -f "$file" ]; then
        /usr/bin/python3 "$kit/gen_zones.py" 1000000 20 42 "$file" >&2
    fi
    if [ "$(psql "$url" -tAc "select to_regclass('bench.million') is not null")" != t ]; then
        psql -q "$url" -c "create schema if not exists bench" >&2
        "$bin" db import "$file" --db "$url" --table bench.million --replace >&2
        psql -q "$url" -c "vacuum analyze bench.million" >&2
    fi
    "$bin" bench-frames --db "$url" --table bench.million --pans 4 >/dev/null 2>&1 || true
    rm -f "$tmp"/run-*
    i=0
    while [ "$i" -lt "$runs" ]; do
        "$bin" bench-frames --db "$url" --table bench.million >"$tmp/run-$i" 2>/dev/null
        i=$((i + 1))
    done
    q=$(QT_QPA_PLATFORM=offscreen /usr/bin/time -f 'wall=%e rss_kib=%M' /usr/bin/python3 "$root/scripts/qgis-render-table.py" \
        127.0.0.1 25429 corridor_test postgres bench.million "$data/million-qgis.png" --zoom "$(med qgis_zoom_factor)" 2>&1 | tr '\n' ' ')
    q_first=$(awk "BEGIN {print $(qval "$q" load) + $(qval "$q" extent) + $(qval "$q" render_all)}")
    q_rss=$(awk "BEGIN {printf \"%.0f\", $(qval "$q" rss_kib) / 1024}")
    ratio() { awk "BEGIN { if ($2 > 0) printf \"%.1f×\", $1 / $2; else print \"—\" }"; }
    printf '| million (PostGIS) | open → first complete frame, s (target ≤ 2) | %s | %s (%s) | %s |\n' "$q_first" "$(med first_frame_s)" "$(range first_frame_s)" "$(ratio "$q_first" "$(med first_frame_s)")"
    printf '| million (PostGIS) | pan into rows not read: view filled, s (target ≤ 0.5; QGIS: render of the panned view) | %s | p50 %s, p95 %s, max %s | %s |\n' "$(qval "$q" render_panned)" "$(med fill_p50_s)" "$(med fill_p95_s)" "$(med fill_max_s)" "$(ratio "$(qval "$q" render_panned)" "$(med fill_p50_s)")"
    printf '| million (PostGIS) | peak memory, MiB (target < 1024) | %s | %s (%s) | %s |\n' "$q_rss" "$(med peak_rss_mib)" "$(range peak_rss_mib)" "$(ratio "$q_rss" "$(med peak_rss_mib)")"
    printf '| million (PostGIS) | Corridor: rows zoom; rows held at most; frame p50 / p95 / max ms | | %s; %s; %s / %s / %s | |\n' "$(med detail_zoom)" "$(med held_max)" "$(med frame_p50_ms)" "$(med frame_p95_ms)" "$(med frame_max_ms)"
}

for size in $sizes; do
    if [ "$size" = million ]; then
        table_bench
        continue
    fi
    file="$data/$size.geojson"
    if [ ! -f "$file" ]; then
        # shellcheck disable=SC2046
        /usr/bin/python3 "$kit/gen_zones.py" $(params "$size") "$file" >&2
    fi
    "$bin" bench-frames "$file" --frames 30 >/dev/null 2>&1 || true
    rm -f "$tmp"/run-*
    i=0
    while [ "$i" -lt "$runs" ]; do
        "$bin" bench-frames "$file" >"$tmp/run-$i" 2>/dev/null
        i=$((i + 1))
    done
    full=$(QT_QPA_PLATFORM=offscreen /usr/bin/time -f 'wall=%e rss_kib=%M' /usr/bin/python3 "$kit/qgis_render.py" "$file" "$data/$size-qgis.png" 2>&1 | tr '\n' ' ')
    mem=$(QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$kit/qgis_render.py" "$file" "$data/$size-qgis-mem.png" --memory 2>&1 | grep TIMING || true)
    q_first=$(awk "BEGIN {print $(qval "$full" load) + $(qval "$full" extent) + $(qval "$full" render1)}")
    q_redraw=$(qval "$full" render2)
    q_mem=$(qval "$mem" render2)
    q_rss=$(awk "BEGIN {printf \"%.0f\", $(qval "$full" rss_kib) / 1024}")
    c_first=$(med first_frame_s)
    c_p95=$(awk "BEGIN {print $(med frame_p95_ms) / 1000}")
    c_rss=$(med peak_rss_mib)
    ratio() { awk "BEGIN { if ($2 > 0) printf \"%.1f×\", $1 / $2; else print \"—\" }"; }
    printf '| %s | open → first complete frame (s) | %s | %s (%s) | %s |\n' "$size" "$q_first" "$c_first" "$(range first_frame_s)" "$(ratio "$q_first" "$c_first")"
    printf '| %s | redraw after a pan, s (QGIS: warm re-render; Corridor: p95 frame, ms range) | %s | %s (%s ms) | %s |\n' "$size" "$q_redraw" "$c_p95" "$(range frame_p95_ms)" "$(ratio "$q_redraw" "$c_p95")"
    printf '| %s | frame from memory, s (QGIS: memory layer; Corridor: p95 frame) | %s | %s | %s |\n' "$size" "${q_mem:-—}" "$c_p95" "$(ratio "${q_mem:-0}" "$c_p95")"
    printf '| %s | peak memory, MiB | %s | %s | %s |\n' "$size" "$q_rss" "$c_rss" "$(ratio "$q_rss" "$c_rss")"
    printf '| %s | Corridor: frame p50 / max, click-to-select, vertex drag p95 | | %s / %s ms, %s ms, %s ms | |\n' "$size" "$(med frame_p50_ms)" "$(med frame_max_ms)" "$(med pick_ms)" "$(med drag_p95_ms)"
    # Issue 20's targets, each a ratio within a run (medians over the runs).
    printf '| %s | Corridor: parse floor s; first frame ÷ floor (target ≤ 1.5) | | %s s; %s (%s) | |\n' "$size" "$(med parse_floor_s)" "$(med first_frame_over_parse_floor)" "$(range first_frame_over_parse_floor)"
    printf '| %s | Corridor: peak memory ÷ file (target ≤ 1.0); peak during the save ÷ before (target ≤ 1.1) | | %s (%s MiB file); %s | |\n' "$size" "$(med peak_rss_over_file)" "$(med file_mib)" "$(cat "$tmp"/run-* | awk -F= '/^peak_rss_mib=/ {p = $2} /^save_peak_rss_mib=/ {print $2 / p}' | sort -g | awk '{v[NR] = $1} END {printf "%.2f", v[int((NR + 1) / 2)]}')"
    printf '| %s | Corridor: frame max ÷ p95 (target ≤ 2) | | %s | |\n' "$size" "$(cat "$tmp"/run-* | awk -F= '/^frame_p95_ms=/ {p = $2} /^frame_max_ms=/ {m = $2} END {}  /^frame_max_ms=/ {print m / p}' | sort -g | awk '{v[NR] = $1} END {printf "%.2f", v[int((NR + 1) / 2)]}')"
    printf '| %s | Corridor: save blocking the window before (s); frames while it saves in the background: p95 / max ms | | %s s; %s / %s ms (%s frames) | |\n' "$size" "$(med save_foreground_s)" "$(med save_frame_p95_ms)" "$(med save_frame_max_ms)" "$(med save_frames)"
done
