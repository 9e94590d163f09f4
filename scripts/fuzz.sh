#!/bin/sh
# Fuzzes the GeoJSON loader, the project/story parser, the MBTiles reader, the readers of
# planners' files (Shapefile, GeoPackage, MapInfo, KML … through GDAL) and the legacy
# Vietnamese text decoder with cargo-fuzz
# (libFuzzer), each for SECONDS (default 600), seeded with the bundled maps, the shared test
# data and the regression inputs. Crashes land in fuzz/artifacts/TARGET/; copy each into
# tests/fuzz_regressions/TARGET/ once fixed, so CI replays it.
#
#   cargo install cargo-fuzz      # once
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# cargo-fuzz needs nightly-only compiler flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain
# accept them.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-geojson_load project_parse mbtiles_read ogr_read vn_text}
export RUSTC_BOOTSTRAP=1
cd "$root/fuzz"
for t in $targets; do
    mkdir -p "corpus/$t"
    seeds="$root/tests/fuzz_regressions/$t"
    case $t in
        geojson_load)
            extra="$root/maps"
            [ -d "$root/../shared/data/corpus" ] && extra="$extra $root/../shared/data/corpus"
            ;;
        project_parse) extra="$root/maps" ;;
        mbtiles_read) extra="" ;;
        ogr_read) extra="" ;;
        vn_text) extra="" ;;
    esac
    echo "== $t for $secs s"
    # shellcheck disable=SC2086
    cargo fuzz run --release --debug-assertions "$t" "corpus/$t" $seeds $extra -- \
        -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len=1048576 \
        -print_final_stats=1 2>&1 | tee "$root/fuzz/$t.log" | grep -E "^#|ERROR|SUMMARY|stat::" | tail -n 12
done
