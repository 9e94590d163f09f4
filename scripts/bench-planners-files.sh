#!/bin/sh
# Opening a planner's file: the same 20 000 polygons (../shared/bench/gen_zones.py medium) as
# GeoJSON, as a Shapefile (UTF-8 .dbf) and as a GeoPackage, in Corridor and in QGIS 3.22, in one
# run. Prints a table: open → first complete frame for each, and each format's ratio to GeoJSON.
#
#   apt-get install -y --no-install-recommends gdal-bin python3-gdal python3-qgis qgis time
#   scripts/bench-planners-files.sh
#
# Data goes to $BENCH_DATA (default /tmp/corridor-bench). Corridor's figures are medians of
# $RUNS runs (default 5) after a warm-up run, with their range; QGIS's are medians of $RUNS too.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
kit="$root/../shared/bench"
data=${BENCH_DATA:-/tmp/corridor-bench}
runs=${RUNS:-5}
mkdir -p "$data"
cargo build --release --manifest-path "$root/Cargo.toml" >&2
bin="${CARGO_TARGET_DIR:-$root/target}/release/corridor"

geojson="$data/medium.geojson"
[ -f "$geojson" ] || /usr/bin/python3 "$kit/gen_zones.py" 20000 100 42 "$geojson" >&2
shp="$data/medium.shp"
[ -f "$shp" ] || ogr2ogr -f "ESRI Shapefile" -nlt PROMOTE_TO_MULTI -lco ENCODING=UTF-8 "$shp" "$geojson" 2>/dev/null
gpkg="$data/medium.gpkg"
[ -f "$gpkg" ] || ogr2ogr -f GPKG "$gpkg" "$geojson"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
range() { sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s–%s", lo, hi}'; }
qval() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

printf '%s\n' "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); date: $(date -u +%Y-%m-%dT%H:%MZ)"
printf '| file | size, MB | Corridor: open → first frame, s (range) | peak MiB | QGIS: open → first frame, s (range) | QGIS ÷ Corridor |\n|---|---|---|---|---|---|\n'
for file in "$geojson" "$shp" "$gpkg"; do
    name=$(basename "$file")
    case $file in
        *.shp) size=$(du -cm "${file%.*}".shp "${file%.*}".shx "${file%.*}".dbf | tail -1 | cut -f1) ;;
        *) size=$(du -m "$file" | cut -f1) ;;
    esac
    "$bin" bench-frames "$file" --frames 10 >/dev/null 2>&1
    : >"$tmp/c-first"
    : >"$tmp/c-rss"
    : >"$tmp/q-first"
    i=0
    while [ "$i" -lt "$runs" ]; do
        out=$("$bin" bench-frames "$file" --frames 10 2>/dev/null)
        echo "$out" | sed -n 's/^first_frame_s=//p' >>"$tmp/c-first"
        echo "$out" | sed -n 's/^peak_rss_mib=//p' >>"$tmp/c-rss"
        q=$(QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$kit/qgis_render.py" "$file" "$tmp/q.png" 2>&1 | grep TIMING | tr '\n' ' ')
        awk "BEGIN {print $(qval "$q" load) + $(qval "$q" extent) + $(qval "$q" render1)}" >>"$tmp/q-first"
        i=$((i + 1))
    done
    c=$(median <"$tmp/c-first")
    qf=$(median <"$tmp/q-first")
    printf '| %s | %s | %s (%s) | %s | %s (%s) | %s |\n' "$name" "$size" "$c" "$(range <"$tmp/c-first")" \
        "$(median <"$tmp/c-rss")" "$qf" "$(range <"$tmp/q-first")" \
        "$(awk "BEGIN {printf \"%.1f×\", $qf / $c}")"
done
