#!/usr/bin/env bash
# Closing the gap on the national demo (9 zones, 140 districts, 1,134 circuits, 2025-2035; issue 19):
#   bench/plan.sh [build-dir] [demo-store] [optimise-seconds...]
# Side by side in one run: the greedy rule (`microplan plan`, the fast path), how much closes every
# gap by 2030 (`plan --close-by 2030`, bisection on the greedy plan), and the mixed-integer
# programme solved with CBC (`plan --optimise`) at each time limit given (default 30 and 120 s):
# wall time, CBC's status, the best value and bound of the objective (priority-weighted unserved
# people-years) and the greedy's value under it, i.e. its gap to the optimum.
set -euo pipefail
source "$(dirname "$0")/common.sh"
build=$(bench_abs "${1:-build}")
demo=$(bench_abs "${2:-$MICROPLAN_BENCH_DIR/demo.sqlite}")
shift $(( $# > 2 ? 2 : $# ))
limits=("$@")
[ ${#limits[@]} -gt 0 ] || limits=(30 120)
[ -f "$demo" ] || "$build/microplan" demo --out "$demo" >/dev/null
out=$(mktemp -d "$MICROPLAN_BENCH_DIR/plan.XXXXXX")
trap 'rm -rf "$out"' EXIT
seconds() { python3 -c "import sys; print('%.2f s' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

t0=$(date +%s.%N)
"$build/microplan" plan "$demo" --output "$out/greedy.json" 2>/dev/null
t1=$(date +%s.%N)
echo "plan, demo 2025-2035: greedy (microplan plan, moderate) $(seconds "$t0" "$t1")"
t0=$(date +%s.%N)
"$build/microplan" plan "$demo" --close-by 2030 --output "$out/required.json" 2>/dev/null
t1=$(date +%s.%N)
python3 - "$out/required.json" "$(seconds "$t0" "$t1")" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["required"]
shares = ", ".join("%s %.3f %%" % (s["sector"], s["share_pct_gdp"]) for s in r["sectors"])
print("plan, demo: required budget to close by 2030 (plan --close-by 2030) %s: %s of GDP a year" % (sys.argv[2], shares))
PY
for limit in "${limits[@]}"; do
  t0=$(date +%s.%N)
  "$build/microplan" plan "$demo" --optimise --optimise-seconds "$limit" --output "$out/optimal.json" 2>/dev/null
  t1=$(date +%s.%N)
  python3 - "$out/optimal.json" "$(seconds "$t0" "$t1")" "$limit" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))["optimisation"]
print("plan, demo: CBC MIP (plan --optimise --optimise-seconds %s) %s: %s, %d columns (%d integer), %d rows, %d nonzeros;"
      " best %.4g, bound %.4g (%.3f %% apart); greedy %.4g: %.1f %% above the best, at most %.1f %% above the optimum"
      % (sys.argv[3], sys.argv[2], o["status"], o["columns"], o["integers"], o["rows"], o["nonzeros"], o["value"],
         o["bound"], 100 * (o["value"] - o["bound"]) / o["bound"] if o["bound"] else 0, o["greedy_value"],
         o["greedy_gap_pct"], o["greedy_gap_to_bound_pct"]))
PY
done
