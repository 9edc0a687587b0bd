#!/usr/bin/env bash
# cost_distance.sh -- travel time over mainland Ecuador at 100 m (47 M cells, 24.8 M passable) from
# 1,000 schools: microplan beside GRASS r.cost in one run, and the two answers compared cell by cell.
#
#   bench/cost_distance.sh build/microplan
#
# The peers' scripts run from a copy (bench/common.sh); without GRASS microplan runs alone.
# Inputs from ../shared/peers/prep_cost_raster.py ($BL_WORK/job3/cost.tif, starts.csv); GRASS through
# ../shared/peers/job3_rcost_grass.sh (BL_RUNS=1: 8 and 16 neighbours, its GeoTIFFs rcost_{queen,knight}.tif).
# microplan: `microplan access cost` under /usr/bin/time -v (wall, peak RSS), output Float32 GeoTIFF;
# then microplan_bench_cost_bandwidth (built beside it): the engine's cells per second and effective
# bandwidth against a plain pass over the same grid.
set -euo pipefail
source "$(dirname "$0")/common.sh"
MICROPLAN=$(bench_abs "$1")
[ -f "$BL_DATA/boundaries/parroquias.geojson" ] || { echo "skipped: real data not found under $BL_DATA"; exit 0; }
if ! bench_need "rasterio + GeoPandas" "python3-rasterio python3-geopandas" bench_python "rasterio, geopandas"; then
  echo "skipped: cost distance (its cost surface is made by the peers' prep_cost_raster.py with them)"
  exit 0
fi
PEERS=$(peers_copy)
source "$PEERS/env.sh"
J3="$BL_WORK/job3"
[ -f "$J3/cost.tif" ] || /usr/bin/python3 "$PEERS/prep_cost_raster.py"
rm -f "$BL_RESULTS/job3_rcost_grass.csv" "$J3"/rcost_*.tif
if bench_need GRASS "grass-core bc" sh -c 'command -v grass && command -v bc'; then
  BL_RUNS=1 "$PEERS/job3_rcost_grass.sh" >/dev/null
  grep r.cost "$BL_RESULTS/job3_rcost_grass.csv" | cut -d, -f3,5,6 | sed 's/^/GRASS /'
fi
for variant in queen knight; do
  flag=""; [ "$variant" = knight ] && flag="--knight"
  /usr/bin/time -v -o "$J3/mp_time_$variant.txt" "$MICROPLAN" access cost $flag --cost "$J3/cost.tif" \
    --sources "$J3/starts.csv" --out "$J3/microplan_$variant.tif" 2>"$J3/mp_$variant.err" >/dev/null
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$J3/mp_time_$variant.txt")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.1f", $2/1024}' "$J3/mp_time_$variant.txt")
  echo "microplan $variant,$wall,$rss ($(grep 'cost distance' "$J3/mp_$variant.err"))"
done
# The engine against this machine's memory bandwidth (bench/cost_bandwidth.cpp, beside microplan).
BANDWIDTH="$(dirname "$MICROPLAN")/bench/microplan_bench_cost_bandwidth"
if [ -x "$BANDWIDTH" ]; then
  "$BANDWIDTH" "$J3/cost.tif" "$J3/starts.csv" --runs 3
  "$BANDWIDTH" "$J3/cost.tif" "$J3/starts.csv" --runs 3 --knight | tail -n 1
else
  echo "skipped: memory bandwidth of cost distance ($BANDWIDTH not built)"
fi
/usr/bin/python3 - "$J3" <<'PY'
import os, sys, numpy as np, rasterio
j3 = sys.argv[1]
for v in ("queen", "knight"):
    if not os.path.exists(f"{j3}/rcost_{v}.tif"):
        continue
    g = rasterio.open(f"{j3}/rcost_{v}.tif").read(1, masked=True)
    m = rasterio.open(f"{j3}/microplan_{v}.tif").read(1, masked=True)
    both = (~g.mask) & (~m.mask)
    d = np.abs(g.data[both].astype(np.float64) - m.data[both].astype(np.float64))
    print(f"{v}: {int(both.sum())} cells reached by both, {int(((~g.mask) & m.mask).sum())} only by GRASS, "
          f"{int((g.mask & (~m.mask)).sum())} only by microplan; |difference| max {d.max():.4f}, mean {d.mean():.6f}")
PY

# The whole accessibility path on the real country (ILLUSTRATIVE friction): every school of the
# registry as a source, LandScan people, statistics per canton, district and zone.
STORE="$J3/ec_access.sqlite"
rm -f "$STORE"
DATA="$BL_DATA"
"$MICROPLAN" import "$DATA/boundaries/cantones.geojson" -s "$STORE" -l canton >/dev/null 2>&1
"$MICROPLAN" build "$STORE" --from cantons --codification "$DATA/tables/senplades_zonas_distritos_circuitos.csv" >/dev/null 2>&1 || true
"$MICROPLAN" import establishments "$DATA/establishments/escuelas_coordenadas.geojson" -s "$STORE" --sector education >/dev/null 2>&1
/usr/bin/time -v -o "$J3/mp_time_access.txt" "$MICROPLAN" access travel-time "$STORE" --sector education \
  --friction "$J3/cost.tif" --population "$DATA/rasters/landscan_2023_continental.tif" --no-store > "$J3/mp_access.out" 2>/dev/null
wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$J3/mp_time_access.txt")
rss=$(awk -F': ' '/Maximum resident set size/{printf "%.1f", $2/1024}' "$J3/mp_time_access.txt")
echo "microplan access travel-time (all schools, statistics per unit): $wall s, $rss MB"
cat "$J3/mp_access.out"
