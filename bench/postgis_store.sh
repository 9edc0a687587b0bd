#!/usr/bin/env bash
# postgis_store.sh -- the store in a SpatiaLite file beside the same store in PostgreSQL/PostGIS,
# served by microplan, and replicas behind nginx (issue 22). On loopback; 2 cores shared by wrk,
# nginx, PostgreSQL and the servers, so the replica runs show the overhead, not the scaling.
#
#   bench/postgis_store.sh build/microplan STORE [SECONDS]
#
# 1. `store copy` into an empty database, and back into a file.
# 2. Server start (until /health answers), file vs database.
# 3. Uncached tiles (every /tiles/all tile at z0-10, once, one keep-alive client), cached tiles and
#    item pages (wrk -t2 -c64), file vs database.
# 4. A scenario edit (POST of a proposal, then its undo), 100 of each from one keep-alive client;
#    an OGC API Part 4 PATCH of an establishment with If-Match, 10 in a row.
# 5. Item pages and tiles through nginx (deploy/nginx.conf) with 1, 2 and 3 replicas on the database.
# The database is a private cluster (tests/support/postgres_cluster.sh) under MICROPLAN_BENCH_DIR.
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_need PostgreSQL "postgresql-15 postgresql-15-postgis-3" test -x /usr/lib/postgresql/15/bin/initdb || exit 0
bench_need wrk wrk command -v wrk || exit 0
bench_need nginx nginx command -v nginx || exit 0
MICROPLAN=$(bench_abs "$1"); STORE=$(bench_abs "$2"); SECONDS_PER_RUN=${3:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "$MICROPLAN_BENCH_DIR/postgis.XXXXXX")
chmod a+rwx "$WORK"
stop_servers() {
  for f in "$WORK"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && rm -f "$f"; done
  wait 2>/dev/null || true
}
cleanup() {
  stop_servers
  [ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  bash "$BENCH_REPO/tests/support/postgres_cluster.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
elapsed() { /usr/bin/time -f %e -o "$WORK/t" "$@" >/dev/null 2>&1; cat "$WORK/t"; }

bash "$BENCH_REPO/tests/support/postgres_cluster.sh" start "$WORK/pg" >/dev/null
URI=$(cat "$WORK/pg/uri")
DB="${URI%/*}/bench"
psql "$URI" -qc "CREATE DATABASE bench" && psql "$DB" -qc "CREATE EXTENSION postgis"
echo "store copy of $(basename "$STORE") into PostgreSQL: $(elapsed "$MICROPLAN" store copy "$STORE" "$DB") s;" \
  "back into a file: $(elapsed "$MICROPLAN" store copy "$DB" "$WORK/back.sqlite") s"

# serve STORE NAME: starts a server (edits allowed), prints its port once /health answers, and the
# start time on stderr.
serve() {
  local port t0
  port=$(free_port)
  t0=$(date +%s.%N)
  MICROPLAN_EDIT_TOKEN=bench "$MICROPLAN" serve "$1" --port "$port" --access-log off --threads 2 \
    >"$WORK/$2.out" 2>"$WORK/$2.err" &
  echo $! >"$WORK/$2.pid"  # the caller runs this in a subshell
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.01; done
  echo "$2: server start $(python3 -c "print(round($(date +%s.%N) - $t0, 3))") s until /health answers" >&2
  echo "$port"
}
FILE_PORT=$(serve "$STORE" file)
DB_PORT=$(serve "$DB" database)

bench_request_paths "$FILE_PORT" "$WORK"  # tiles.txt and items.txt

# The same client for both: Python's http.client on one keep-alive connection.
cat >"$WORK/client.py" <<'PY'
import http.client, json, sys, time
port, what, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
def call(method, path, body=None):
    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"} if body is not None or method != "GET" else {}
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse(); data = r.read()
    if r.status >= 300: sys.exit("%s %s: %d %s" % (method, path, r.status, data[:200]))
    return data
if what == "tiles":
    paths = open(work + "/tiles.txt").read().split()
    t0 = time.perf_counter()
    for p in paths: call("GET", p)
    print("uncached tiles: %d in %.3f s (%.2f ms each)" % (len(paths), time.perf_counter() - t0, (time.perf_counter() - t0) / len(paths) * 1000))
elif what == "features":
    c.request("GET", "/collections/establishments/items/1"); r = c.getresponse(); r.read()
    tag, n, t0 = r.getheader("ETag"), 10, time.perf_counter()
    for i in range(n):
        c.request("PATCH", "/collections/establishments/items/1", body=json.dumps({"type": "Feature", "properties": {"name": "bench %d" % i}}),
                  headers={"Authorization": "Bearer bench", "Content-Type": "application/geo+json", "If-Match": tag})
        r = c.getresponse(); r.read()
        if r.status != 200: sys.exit("PATCH: %d" % r.status)
        tag = r.getheader("ETag")
    dt = time.perf_counter() - t0
    print("Part 4 feature edits: %d PATCH with If-Match in %.3f s (%.0f ms each, the snapshot reloaded before each answer)" % (n, dt, dt / n * 1000))
else:
    sid = json.loads(call("POST", "/scenarios", json.dumps({"name": "bench"})))["id"]
    n, t0 = 100, time.perf_counter()
    for i in range(n):
        call("POST", "/scenarios/%d/establishments" % sid, json.dumps({"sector": "health", "typology": "Centro de Salud Tipo A", "lon": -78.5 + i * 1e-4, "lat": -0.2}))
        call("POST", "/scenarios/%d/undo" % sid, "")
    dt = time.perf_counter() - t0
    print("scenario edits: %d proposals and %d undos in %.3f s (%.1f ms per edit)" % (n, n, dt, dt / (2 * n) * 1000))
    call("DELETE", "/scenarios/%d" % sid)
PY
wrk_run() {  # label, port, paths file
  echo "$1"
  WRK_PATHS="$3" wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -s "$HERE/wrk_paths.lua" "http://127.0.0.1:$2" |
    grep -E "Requests/sec|  99%|Non-2xx|Socket errors"
}
for side in file database; do
  port=$FILE_PORT; [ $side = database ] && port=$DB_PORT
  echo "== $side"
  python3 "$WORK/client.py" "$port" tiles "$WORK"
  wrk_run "cached tiles ($(wc -l <"$WORK/tiles.txt")), wrk -t2 -c64 -d${SECONDS_PER_RUN}s" "$port" "$WORK/tiles.txt"
  wrk_run "item pages (100 features), wrk -t2 -c64 -d${SECONDS_PER_RUN}s" "$port" "$WORK/items.txt"
  python3 "$WORK/client.py" "$port" edits "$WORK"
  python3 "$WORK/client.py" "$port" features "$WORK"
done
stop_servers

# Replicas on the database behind nginx (deploy/nginx.conf with these ports).
REPLICA_PORTS=()
for i in 1 2 3; do REPLICA_PORTS+=("$(serve "$DB" "replica$i" 2>/dev/null)"); done
for n in 1 2 3; do
  mkdir -p "$WORK/nginx/temp" "$WORK/nginx/cache" && chmod -R a+rwx "$WORK/nginx"
  front=$(free_port)
  servers=""
  for i in $(seq "$n"); do servers+="        server 127.0.0.1:${REPLICA_PORTS[$((i - 1))]} max_fails=1 fail_timeout=5s;\n"; done
  awk -v servers="$servers" -v front="$front" '
    /server 127\.0\.0\.1:808[123]/ { if (!done) { printf "%s", servers; done = 1 } next }
    { sub(/listen 127\.0\.0\.1:8080/, "listen 127.0.0.1:" front); print }' "$BENCH_REPO/deploy/nginx.conf" >"$WORK/nginx/nginx.conf"
  nginx -p "$WORK/nginx/" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf"
  until curl -sf "http://127.0.0.1:$front/health" >/dev/null; do sleep 0.05; done
  echo "== nginx in front of $n replica(s)"
  wrk_run "item pages through nginx" "$front" "$WORK/items.txt"
  wrk_run "tiles through nginx (its cache, revalidated by ETag each second)" "$front" "$WORK/tiles.txt"
  kill "$(cat "$WORK/nginx/nginx.pid")"
  while [ -f "$WORK/nginx/nginx.pid" ]; do sleep 0.05; done
done
