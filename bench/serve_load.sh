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

bench_request_paths "$PORT" "$WORK"  # tiles.txt and items.txt
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
