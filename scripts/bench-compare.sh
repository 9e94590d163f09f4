#!/bin/sh
# Frame and drag times of two builds on the same file, in one run: the working tree's and a
# baseline commit's (built in a git worktree beside it), each `corridor bench-frames` run $RUNS
# times (default 5), alternating, after a warm-up. Prints medians and the ratio new ÷ base.
#
#   scripts/bench-compare.sh BASE_COMMIT [FILE]
#
# FILE defaults to 20 000 generated polygons (../shared/bench/gen_zones.py 20000 100 42, 2.9 M
# vertices) in $BENCH_DATA (default /tmp/corridor-bench). Nothing else heavy should run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: scripts/bench-compare.sh BASE_COMMIT [FILE]}
data=${BENCH_DATA:-/tmp/corridor-bench}
runs=${RUNS:-5}
mkdir -p "$data"
file=${2:-$data/medium.geojson}
[ -f "$file" ] || /usr/bin/python3 "$root/../shared/bench/gen_zones.py" 20000 100 42 "$file" >&2
target=${CARGO_TARGET_DIR:-$root/target}
tree="$data/base-$base"
[ -d "$tree" ] || git -C "$root" worktree add --detach "$tree" "$base" >&2
cargo build --release --manifest-path "$tree/Cargo.toml" >&2
cp "$target/release/corridor" "$data/corridor-base"
cargo build --release --manifest-path "$root/Cargo.toml" >&2
cp "$target/release/corridor" "$data/corridor-new"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
range() { sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s–%s", lo, hi}'; }
val() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p"; }
for b in base new; do "$data/corridor-$b" bench-frames "$file" >/dev/null 2>&1 || true; done
i=0
while [ $i -lt "$runs" ]; do
    for b in base new; do
        "$data/corridor-$b" bench-frames "$file" 2>/dev/null >"$tmp/$b.$i"
    done
    i=$((i + 1))
done
printf '%s\n' "machine: $(nproc) cores, $(uname -sr); date: $(date -u +%Y-%m-%dT%H:%MZ); file: $(basename "$file"); base: $base; runs: $runs"
printf '| measure | base, median (range) | new, median (range) | new ÷ base |\n|---|---|---|---|\n'
for key in first_frame_s frame_p50_ms frame_p95_ms frame_max_ms drag_p50_ms drag_p95_ms; do
    b=$(for f in "$tmp"/base.*; do val "$f" $key; done | median)
    n=$(for f in "$tmp"/new.*; do val "$f" $key; done | median)
    br=$(for f in "$tmp"/base.*; do val "$f" $key; done | range)
    nr=$(for f in "$tmp"/new.*; do val "$f" $key; done | range)
    printf '| %s | %s (%s) | %s (%s) | %s |\n' "$key" "$b" "$br" "$n" "$nr" "$(awk -v n="$n" -v b="$b" 'BEGIN {printf "%.2f", n / b}')"
done
