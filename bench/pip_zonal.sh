#!/usr/bin/env bash
# Point-in-polygon (1,000,000 seeded points into the 1,040 real parishes) and LandScan
# zonal sums per parish: microplan side by side with PostGIS, GeoPandas and GRASS, in one
# run, with the peers' own scripts from ../shared/peers (run from a copy) and their CSV form.
#
#   bench/pip_zonal.sh [BUILD_DIR]     (make bench installs the peers: make bench-deps)
#
# A peer that is not installed is skipped with one line; SKIP_PEERS=1 skips them all.
# Outputs (bench/common.sh) under $BL_WORK (default /tmp/microplan-bench/peers-work) and
# $BL_RESULTS (default /tmp/microplan-bench/results): the timing CSVs of every engine,
# results/summary.md, job1_agreement.csv (assignments compared point by point) and the zonal
# sums compared.
set -euo pipefail
source "$(dirname "$0")/common.sh"
BUILD=$(bench_abs "${1:-$BENCH_REPO/build}")
[ -f "$BL_DATA/boundaries/parroquias.geojson" ] || { echo "skipped: real data not found under $BL_DATA"; exit 0; }
if ! bench_need NumPy python3-numpy bench_python numpy; then
  echo "skipped: point in polygon and zonal sums (the 1,000,000 points are drawn with NumPy)"
  exit 0
fi
PEERS=$(peers_copy)
source "$PEERS/env.sh"
cd "$PEERS"
[ -f "$BL_WORK/points_1m.csv" ] || /usr/bin/python3 prep_points.py
rm -f "$BL_RESULTS"/job1_*.csv "$BL_RESULTS"/job4_*.csv "$BL_WORK"/job1/*.csv
if [ "${SKIP_PEERS:-0}" != 1 ]; then
  if bench_need_postgis; then
    ./pg_start.sh
    trap './pg_stop.sh >/dev/null' EXIT
    /usr/bin/python3 job1_pip_postgis.py
    ./pg_stop.sh
    trap - EXIT
  fi
  if bench_need GeoPandas "python3-geopandas python3-rtree" bench_python "geopandas, rtree"; then
    /usr/bin/python3 job1_pip_geopandas.py
  fi
  if bench_need GRASS "grass-core bc" sh -c 'command -v grass && command -v bc'; then
    ./job4_zonal_grass.sh
  fi
  if bench_need "rasterio + GeoPandas" "python3-rasterio python3-geopandas" bench_python "rasterio, geopandas"; then
    /usr/bin/python3 job4_zonal_python.py
  fi
fi
mkdir -p "$BL_WORK/job1"
"$BUILD/bench/microplan_bench_pip_zonal" "$BL_DATA" "$BL_WORK/points_1m.csv" "$BL_RESULTS/job1_pip_microplan.csv" \
  "$BL_WORK/job1/microplan_pts_1m.csv" "$BL_RESULTS/job4_zonal_microplan_sums.csv" "$BL_RUNS"
if [ -f "$BL_WORK/job1/geopandas_pts_1m.csv" ] && bench_need pandas python3-pandas bench_python pandas; then
  /usr/bin/python3 job1_compare.py
else
  echo "skipped: assignments compared point by point (needs GeoPandas' assignments as the reference)"
fi
/usr/bin/python3 summarize.py
# Zonal sums: fractional weights (microplan) vs centre-of-cell (GRASS r.univar).
/usr/bin/python3 - "$BL_RESULTS/job4_zonal_microplan_sums.csv" "$BL_RESULTS/job4_zonal_grass_sums.csv" <<'PY'
import csv, sys
m = {r["parish_id"]: float(r["pop_sum"]) for r in csv.DictReader(open(sys.argv[1]))}
try:
    g = {r["parish_id"]: float(r["pop_sum"]) for r in csv.DictReader(open(sys.argv[2]))}
except FileNotFoundError:
    sys.exit(0)
common = sorted(set(m) & set(g))
diff = sorted(((abs(m[k] - g[k]) / max(g[k], 1.0), k) for k in common), reverse=True)
print("zonal: microplan total %.0f, GRASS total %.0f over %d parishes" % (sum(m.values()), sum(g.values()), len(common)))
print("zonal: median relative difference per parish %.2f %%, largest %.1f %% (%s)" % (
    100 * diff[len(diff) // 2][0], 100 * diff[0][0], diff[0][1]))
PY
