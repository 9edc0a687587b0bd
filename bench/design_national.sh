#!/usr/bin/env bash
# Designing every district and circuit of Ecuador from the real data (../shared/data/ecuador):
# `microplan build-ecuador` on 2 threads, wall time and peak memory from /usr/bin/time, the
# design phase (pieces, growth, geometry) as the command reports it. Goal: under 60 s.
#   bench/design_national.sh [build-dir] [data-dir]
# The store, its report and unit CSV go to a temporary folder under $MICROPLAN_BENCH_DIR (removed).
set -euo pipefail
source "$(dirname "$0")/common.sh"
build=$(bench_abs "${1:-build}")
data=$(bench_abs "${2:-$MICROPLAN_DATA}")
[ -d "$data" ] || { echo "skipped: real data not found under $data"; exit 0; }
out=$(mktemp -d "$MICROPLAN_BENCH_DIR/design.XXXXXX")
trap 'rm -rf "$out"' EXIT
for run in 1 2 3; do
    /usr/bin/time -f "run $run: wall %e s, peak %M KB" "$build/microplan" build-ecuador --data "$data" \
        --out "$out/ec.sqlite" --threads 2 2>"$out/time.txt" | sed "s/^/run $run: /"
    tail -1 "$out/time.txt"
done
