#!/usr/bin/env bash
# serve_mixed.sh -- the server under a workshop-sized storm: wrk -t2 -c256 for 60 s on loopback with a
# mixed workload (vector tiles, OGC API item pages with filters, reports and indicators), while 200 slow
# clients (slowloris: half a request line, then silence, reconnecting when cut) hold connections from
# another loopback address. Records throughput, latency, errors and the server's resident memory every
# 10 s (it must stay flat).
#
#   bench/serve_mixed.sh build/microplan STORE [SECONDS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_need wrk wrk command -v wrk || exit 0
MICROPLAN=$(bench_abs "$1"); STORE=$(bench_abs "$2"); DURATION=${3:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "$MICROPLAN_BENCH_DIR/serve.XXXXXX"); trap 'kill $PID $SLOW 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MICROPLAN" serve "$STORE" --port "$PORT" --access-log off --watch-seconds 0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.05; done

python3 - "$PORT" "$WORK" <<'PY'
import json, math, random, sys, urllib.request
port, work = sys.argv[1], sys.argv[2]
base = "http://127.0.0.1:%s" % port
tj = json.load(urllib.request.urlopen(base + "/tiles/all.json"))
xmin, ymin, xmax, ymax = tj["bounds"]
def tx(lon, z): return int(math.floor((lon + 180) / 360 * 2 ** z))
def ty(lat, z):
    r = math.radians(lat); return int(math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * 2 ** z))
tiles = ["/tiles/%s/%d/%d/%d.mvt" % (layer, z, x, y) for layer in ("all", "circuits") for z in range(12)
         for x in range(tx(xmin, z), tx(xmax, z) + 1) for y in range(ty(ymax, z), ty(ymin, z) + 1)]
districts = [f["properties"]["code"] for f in json.load(urllib.request.urlopen(base + "/collections/districts/items?limit=200"))["features"]]
sectors = ["health", "education", "security", "child_development"]
items = ["/collections/circuits/items?limit=100&offset=%d" % o for o in range(0, 1100, 100)]
items += ["/collections/establishments/items?limit=50&filter=sector%%3D%%27%s%%27&offset=%d" % (s, o) for s in sectors for o in (0, 50, 100)]
items += ["/collections/circuits/items?bbox=-80,-2,-79,-1&limit=20"]
reports = ["/reports/district/%s" % d for d in districts] + ["/reports/ranking", "/reports/coverage?level=district"]
reports += ["/indicators/%s?sector=%s" % (l, s) for l in ("circuit", "district", "zone") for s in sectors]
random.seed(7)
mix = [random.choice(tiles) for _ in range(6000)] + [random.choice(items) for _ in range(2500)] + [random.choice(reports) for _ in range(1500)]
random.shuffle(mix)
open(work + "/mixed.txt", "w").write("\n".join(mix) + "\n")
print("mixed workload: %d paths (60 %% tiles of %d, 25 %% item pages, 15 %% reports and indicators)" % (len(mix), len(tiles)))
PY

# 200 slow clients from 127.0.0.3 for the whole run.
python3 - "$PORT" "$DURATION" <<'PY' &
import socket, sys, time
port, end = int(sys.argv[1]), time.time() + float(sys.argv[2]) + 5
socks, cut = [], 0
while time.time() < end:
    while len(socks) < 200:
        s = socket.socket(); s.bind(("127.0.0.3", 0)); s.connect(("127.0.0.1", port)); s.sendall(b"GET /collections HT")
        s.setblocking(False); socks.append(s)
    time.sleep(1)
    alive = []
    for s in socks:
        try:
            if s.recv(1) == b"":
                cut += 1; s.close(); continue
        except BlockingIOError:
            pass
        except OSError:
            cut += 1; s.close(); continue
        alive.append(s)
    socks = alive
print("slow clients: 200 held throughout; %d cut by the server's request deadline and reopened" % cut)
PY
SLOW=$!
rss() { grep VmRSS /proc/$PID/status | awk '{print $2/1024 " MB"}'; }
echo "resident before: $(rss)"
( for i in $(seq 10 10 "$DURATION"); do sleep 10; echo "resident at ${i} s: $(rss)"; done ) &
SAMPLER=$!
WRK_PATHS="$WORK/mixed.txt" wrk -t2 -c256 -d"${DURATION}s" --latency --timeout 10s -s "$HERE/wrk_paths.lua" \
  "http://127.0.0.1:$PORT" | grep -E "Requests/sec|Transfer/sec|  50%|  90%|  99%|Non-2xx|Socket errors|requests in"
wait $SAMPLER
wait $SLOW || true
echo "server after the run: $(grep -E 'VmRSS|VmHWM' /proc/$PID/status | tr -s ' ' | tr '\n' ' ')"
grep -c "503" "$WORK/err" >/dev/null 2>&1 || true
