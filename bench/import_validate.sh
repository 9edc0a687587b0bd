#!/usr/bin/env bash
# Time and peak memory of importing + validating the full-resolution cantons
# (1.12 M vertices), microplan beside GDAL's own ogr2ogr into SpatiaLite as the peer
# for the import step. Usage: bench/import_validate.sh [path/to/microplan]
# Stores are written to a temporary folder under $MICROPLAN_BENCH_DIR and removed (bench/common.sh).
set -euo pipefail
source "$(dirname "$0")/common.sh"
bin=$(bench_abs "${1:-build/microplan}")
data=$MICROPLAN_DATA
src="/vsigzip/$data/boundaries/cantones_detalle.geojson.gz"
[ -f "$data/boundaries/cantones_detalle.geojson.gz" ] || { echo "skipped: real data not found under $data"; exit 0; }
work=$(mktemp -d "$MICROPLAN_BENCH_DIR/import.XXXXXX"); trap 'rm -rf "$work"' EXIT
runs=${RUNS:-3}
measure() {  # label, command...
  local label=$1; shift
  for i in $(seq "$runs"); do
    rm -f "$work"/*.sqlite
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>&1
    read -r secs kb < "$work/t"
    printf '%-34s run %d  %6.2f s  %6.0f MB\n' "$label" "$i" "$secs" "$((kb / 1024))"
  done
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; $(gdal-config --version 2>/dev/null | sed 's/^/GDAL /'), GEOS $(geos-config --version)"
measure "microplan import" "$bin" import "$src" --store "$work/m.sqlite" --level canton
"$bin" import "$src" --store "$work/keep.sqlite" --level canton >/dev/null 2>&1
for i in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$work/t" "$bin" validate "$work/keep.sqlite" >/dev/null 2>&1 || true
  read -r secs kb < "$work/t"
  printf '%-34s run %d  %6.2f s  %6.0f MB\n' "microplan validate" "$i" "$secs" "$((kb / 1024))"
done
measure "microplan import+validate (sh -c)" sh -c "'$bin' import '$src' --store '$work/x.sqlite' --level canton && '$bin' validate '$work/x.sqlite'; true"
if bench_need "GDAL's ogr2ogr" gdal-bin command -v ogr2ogr; then
  measure "peer: ogr2ogr -f SQLite -dsco SPATIALITE=YES" ogr2ogr -f SQLite -dsco SPATIALITE=YES "$work/o.sqlite" "$src" -nlt MULTIPOLYGON
fi
