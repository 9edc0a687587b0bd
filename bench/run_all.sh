#!/usr/bin/env bash
# run_all.sh -- every benchmark of `make bench`, one after another (never two at once, so they do
# not disturb each other's timings), each beside its peers; a peer that is not installed is skipped
# with one "skipped:" line and the run goes on. Prints the wall time of each step and of the whole.
#
#   bench/run_all.sh [BUILD_DIR] [DATA_DIR]      (make bench: after make bench-deps and the build)
#
# BUILD_DIR (default build) holds microplan and bench/microplan_bench_*; DATA_DIR (default
# ../shared/data/ecuador beside the checkout) is only read. Every output goes under
# $MICROPLAN_BENCH_DIR (default /tmp/microplan-bench; see bench/common.sh). A step that fails is
# reported and the others still run; the exit status is then 1.
set -uo pipefail
if [ -n "${2:-}" ]; then
  MICROPLAN_DATA=$(realpath -m -- "$2")
  export MICROPLAN_DATA
fi
source "$(dirname "$0")/common.sh"
build=$(bench_abs "${1:-build}")
bench=$BENCH_HERE

for tool in /usr/bin/time /usr/bin/python3 curl; do
  command -v "$tool" >/dev/null || { echo "make bench needs $tool (apt-get install time python3 curl)" >&2; exit 1; }
done
for program in microplan bench/microplan_bench_pip_zonal bench/microplan_bench_incremental bench/microplan_bench_tiles \
  bench/microplan_bench_incremental_travel bench/microplan_bench_cost_bandwidth; do
  [ -x "$build/$program" ] || { echo "$build/$program not built (make bench builds it)" >&2; exit 1; }
done

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }
timings=() failed=()
step() {  # label, command...
  local label=$1 t0 status
  shift
  echo
  echo "== $label"
  t0=$(now)
  "$@"
  status=$?
  timings+=("$(printf '%6s s  %s' "$(seconds "$t0" "$(now)")" "$label")")
  if [ "$status" != 0 ]; then
    failed+=("$label")
    echo "== $label FAILED (exit status $status)"
  fi
}

start=$(now)
echo "make bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); build $build; data $MICROPLAN_DATA;" \
  "outputs under $MICROPLAN_BENCH_DIR"
demo="$MICROPLAN_BENCH_DIR/demo.sqlite"
step "import and validate the detailed cantons, beside ogr2ogr" "$bench/import_validate.sh" "$build/microplan"
step "point in polygon and zonal sums, beside PostGIS, GeoPandas and GRASS" "$bench/pip_zonal.sh" "$build"
step "the demo store" "$build/microplan" demo --out "$demo"
step "incremental coverage recompute" env MICROPLAN_STORE="$demo" "$build/bench/microplan_bench_incremental"
stem="${demo%.sqlite}"
step "the demo's friction surface" "$build/microplan" access friction --landcover "${stem}_landcover.tif" \
  --speeds "$BENCH_REPO/data/access/demo_landcover_speeds.csv" --roads "${stem}_roads.gpkg" \
  --road-speeds "$BENCH_REPO/data/access/demo_road_speeds.csv" --barriers "${stem}_rivers.gpkg" \
  --out "$MICROPLAN_BENCH_DIR/demo_friction.tif"
step "incremental travel time (one establishment added and removed)" \
  env MICROPLAN_FRICTION="$MICROPLAN_BENCH_DIR/demo_friction.tif" "$build/bench/microplan_bench_incremental_travel"
step "live travel time: a proposal's POST to updated people within minutes" "$bench/live_travel.sh" "$build" "$demo" \
  "$MICROPLAN_DATA"
step "closing the gap: the greedy plan, the required budget and CBC's optimum" "$bench/plan.sh" "$build" "$demo"
step "the offline workshop kit, beside ogr2ogr -f MBTiles" "$bench/kit.sh" "$build" "$demo" "$MICROPLAN_DATA"
step "uncached vector tiles, beside PostGIS ST_AsMVT" "$bench/tiles_peer.py" "$build/microplan" "$demo"
step "the server under load (wrk)" "$bench/serve_load.sh" "$build/microplan" "$demo"
step "cached tiles beside nginx serving the same bytes" "$bench/serve_peers.sh" "$build/microplan" "$demo"
step "OGC API item pages beside QGIS Server" "$bench/serve_qgis.sh" "$build/microplan" "$demo"
step "the store in PostgreSQL/PostGIS beside the file, and replicas behind nginx" "$bench/postgis_store.sh" \
  "$build/microplan" "$demo"
step "cost distance, beside GRASS r.cost" "$bench/cost_distance.sh" "$build/microplan"
step "straight-line accessibility, beside GeoPandas + SciPy" "$bench/access_distance.py" "$build/microplan"
step "designing every district and circuit of Ecuador" "$bench/design_national.sh" "$build" "$MICROPLAN_DATA"
step "judging and comparing plans, beside GeoPandas" "$bench/plans.py" "$build/microplan"
step "whole workflows a user waits for" "$bench/workflows.sh" "$build" "$MICROPLAN_DATA"

echo
echo "== make bench: wall time per step"
printf '%s\n' "${timings[@]}"
echo "$(printf '%6s s' "$(seconds "$start" "$(now)")")  in all; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${#failed[@]}" != 0 ]; then
  printf 'failed: %s\n' "${failed[@]}"
  exit 1
fi
