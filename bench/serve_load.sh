#!/usr/bin/env bash
# serve_load.sh -- the server under load with wrk on loopback (2 cores shared by wrk and server).
#
#   bench/serve_load.sh build/microplan STORE [SECONDS]
#
# 1. Server start: wall time from exec until it answers /health, and its resident memory.
# 2. Cached tiles: every /tiles/all/{z}/{x}/{y}.mvt tile over the store's extent at z0-10 is requested
#    once (warm-up), then wrk -t2 -c64 cycles through them (bench/wrk_paths.lua), no compression.
# 3. OGC API item pages: /collections/{circuits,districts,establishments}/items?limit=100&offset=...
#    with wrk -t2 -c64, without and with Accept-Encoding: gzip.
# The access log is off (as a production deployment behind a proxy would log there).
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_need wrk wrk command -v wrk || exit 0
MICROPLAN=$(bench_abs "$1"); STORE=$(bench_abs "$2"); SECONDS_PER_RUN=${3:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "$MICROPLAN_BENCH_DIR/serve.XXXXXX"); trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

t0=$(date +%s.%N)
"$MICROPLAN" serve "$STORE" --port "$PORT" --access-log off --watch-seconds 0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.01; done
t1=$(date +%s.%N)
echo "server start: $(python3 -c "print(round($t1 - $t0, 3))") s until /health answers; $(grep VmRSS /proc/$PID/status | tr -s ' ')"
cat "$WORK/err"

python3 - "$PORT" "$WORK" <<'PY'
import json, math, sys, urllib.request
port, work = sys.argv[1], sys.argv[2]
tj = json.load(urllib.request.urlopen("http://127.0.0.1:%s/tiles/all.json" % port))
xmin, ymin, xmax, ymax = tj["bounds"]
def tx(lon, z): return int(math.floor((lon + 180) / 360 * 2 ** z))
def ty(lat, z):
    r = math.radians(lat); return int(math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * 2 ** z))
with open(work + "/tiles.txt", "w") as f:
    for z in range(11):
        for x in range(tx(xmin, z), tx(xmax, z) + 1):
            for y in range(ty(ymax, z), ty(ymin, z) + 1):
                f.write("/tiles/all/%d/%d/%d.mvt\n" % (z, x, y))
with open(work + "/items.txt", "w") as f:
    for c in ("circuits", "districts", "establishments"):
        for off in range(0, 1100, 100):
            f.write("/collections/%s/items?limit=100&offset=%d\n" % (c, off))
PY
while read -r p; do curl -s -o /dev/null "http://127.0.0.1:$PORT$p"; done <"$WORK/tiles.txt"
echo "cached tiles: $(wc -l <"$WORK/tiles.txt") tiles of /tiles/all at z0-10, wrk -t2 -c64 -d${SECONDS_PER_RUN}s"
WRK_PATHS="$WORK/tiles.txt" wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -s "$HERE/wrk_paths.lua" "http://127.0.0.1:$PORT" |
  grep -E "Requests/sec|Transfer/sec|  50%|  99%|Non-2xx|Socket errors"
echo "OGC API item pages (100 features), wrk -t2 -c64 -d${SECONDS_PER_RUN}s"
WRK_PATHS="$WORK/items.txt" wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -s "$HERE/wrk_paths.lua" "http://127.0.0.1:$PORT" |
  grep -E "Requests/sec|Transfer/sec|  50%|  99%|Non-2xx|Socket errors"
echo "the same with Accept-Encoding: gzip"
WRK_PATHS="$WORK/items.txt" wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -H "Accept-Encoding: gzip" -s "$HERE/wrk_paths.lua" "http://127.0.0.1:$PORT" |
  grep -E "Requests/sec|Transfer/sec|  50%|  99%|Non-2xx|Socket errors"
echo "server after the runs: $(grep -E 'VmRSS|VmHWM' /proc/$PID/status | tr -s ' ' | tr '\n' ' ')"
