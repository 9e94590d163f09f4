#!/usr/bin/env bash
# Fuzzes the GeoJSON loader, the project/story parser, the MBTiles reader, the readers of
# planners' files (Shapefile, GeoPackage, MapInfo, KML … through GDAL) and the legacy
# Vietnamese text decoder with cargo-fuzz (libFuzzer), each for SECONDS (default 600), seeded
# with the bundled maps, the shared test data and the regression inputs. `.ci/run` runs it for
# 60 s a target on every change.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# It installs cargo-fuzz when it is missing. cargo-fuzz needs nightly-only compiler flags;
# RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. Exits non-zero when a target crashes,
# hangs or runs out of memory: the input is in fuzz/artifacts/TARGET/; once the bug is fixed,
# copy it into tests/fuzz_regressions/TARGET/ so that every test run replays it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(geojson_load project_parse mbtiles_read ogr_read vn_text)
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
cd "$root/fuzz"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  seeds=("$root/tests/fuzz_regressions/$t")
  case $t in
    geojson_load)
      seeds+=("$root/maps")
      [ -d "$root/../shared/data/corpus" ] && seeds+=("$root/../shared/data/corpus")
      ;;
    project_parse) seeds+=("$root/maps") ;;
  esac
  echo "== $t for $secs s"
  # Without a sanitizer: the code is Rust (its panics are what we look for), and the build
  # stays within CI's time.
  if cargo fuzz run --release --debug-assertions --sanitizer none "$t" "corpus/$t" "${seeds[@]}" -- \
    -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len=1048576 \
    -print_final_stats=1 >"$root/fuzz/$t.log" 2>&1; then
    grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|cov:" "$root/fuzz/$t.log" | tail -n 3
  else
    echo "!! $t failed: see fuzz/$t.log and fuzz/artifacts/$t/"
    grep -E "panicked|ERROR|SUMMARY|Test unit written" "$root/fuzz/$t.log" | head -n 20 || true
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}"
  exit 1
fi
