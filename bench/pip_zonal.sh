#!/usr/bin/env bash
# Point-in-polygon (1,000,000 seeded points into the 1,040 real parishes) and LandScan
# zonal sums per parish: microplan side by side with PostGIS, GeoPandas and GRASS, in one
# run, with the peers' own scripts from ../shared/peers and their CSV form.
#
#   bench/pip_zonal.sh [BUILD_DIR]     (needs the peers installed: ../shared/peers/00_install.sh)
#
# Outputs under $BL_WORK (default /tmp/baselines) and $BL_RESULTS (default
# /tmp/microplan-bench/results): the timing CSVs of every engine, results/summary.md,
# job1_agreement.csv (assignments compared point by point) and the zonal sums compared.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BUILD="${1:-$HERE/../build}"
PEERS="$HERE/../../shared/peers"
export BL_RESULTS="${BL_RESULTS:-/tmp/microplan-bench/results}"
source "$PEERS/env.sh"
cd "$PEERS"
[ -f "$BL_WORK/points_1m.csv" ] || /usr/bin/python3 prep_points.py
if [ "${SKIP_PEERS:-0}" != 1 ]; then
  ./pg_start.sh
  /usr/bin/python3 job1_pip_postgis.py
  /usr/bin/python3 job1_pip_geopandas.py
  ./job4_zonal_grass.sh
  /usr/bin/python3 job4_zonal_python.py
  ./pg_stop.sh
fi
mkdir -p "$BL_WORK/job1"
"$BUILD/bench/microplan_bench_pip_zonal" "$BL_DATA" "$BL_WORK/points_1m.csv" "$BL_RESULTS/job1_pip_microplan.csv" \
  "$BL_WORK/job1/microplan_pts_1m.csv" "$BL_RESULTS/job4_zonal_microplan_sums.csv" "$BL_RUNS"
/usr/bin/python3 job1_compare.py
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
