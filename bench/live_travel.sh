#!/usr/bin/env bash
# Live travel time of workshop edits (issue 21): bench/live_travel.py on the demo store, then on
# the national base with its 100 m surface when the real data is there.
#   bench/live_travel.sh [build-dir] [demo-store] [data-dir]
# The national store (build-ecuador --friction-out: ~1 min) and its surfaces go to a temporary
# folder under $MICROPLAN_BENCH_DIR, removed at the end.
set -euo pipefail
source "$(dirname "$0")/common.sh"
build=$(bench_abs "${1:-build}")
demo=$(bench_abs "${2:-$MICROPLAN_BENCH_DIR/demo.sqlite}")
data=$(bench_abs "${3:-$MICROPLAN_DATA}")
[ -f "$demo" ] || "$build/microplan" demo --out "$demo" >/dev/null
"$BENCH_HERE/live_travel.py" "$build/microplan" "$demo" health circuit 20
[ -d "$data" ] || { echo "skipped: national live travel time, real data not found under $data"; exit 0; }
out=$(mktemp -d "$MICROPLAN_BENCH_DIR/live_travel.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$build/microplan" build-ecuador --data "$data" --out "$out/ec.sqlite" --friction-out "$out/ec_friction" >/dev/null
"$BENCH_HERE/live_travel.py" "$build/microplan" "$out/ec.sqlite" education circuit 20
