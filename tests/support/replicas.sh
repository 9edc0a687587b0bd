#!/usr/bin/env bash
# Three `microplan serve` replicas on one PostgreSQL/PostGIS store, behind nginx running the
# repository's own deploy/nginx.conf (ports and prefix substituted), all on loopback (issue 22):
#   - an edit through replica 1, and one made with psql directly in PostGIS, reach replicas 2
#     and 3 and nginx (changed ETags), each timed;
#   - nginx caches tiles and revalidates them by ETag;
#   - replica 2 stopped (kill -STOP) in the middle of a load run through nginx: no 5xx reaches
#     the client;
#   - every replica's LISTEN connection killed (pg_terminate_backend): /health says 503, the
#     replicas connect again and catch up with what changed meanwhile.
# Usage: replicas.sh MICROPLAN DEMO_STORE POSTGRES_FIXTURE_DIR NGINX_CONF WRK_SCRIPT WORK_DIR
# Exit 0 passed, 1 failed, 77 skipped (no test cluster, or nginx / wrk missing: `make deps`).
set -euo pipefail
microplan=$1 demo=$2 fixture=$3 conf=$4 wrk_script=$5 work=$6

fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/replica*.log "$work"/error.log; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done >&2
  exit 1
}
skip() {
  echo "SKIP: $*"
  exit 77
}

uri=$(cat "$fixture/uri" 2>/dev/null || true)
[ -n "$uri" ] || skip "no test cluster: $(cat "$fixture/unavailable" 2>/dev/null || echo 'run through ctest')"
for tool in nginx wrk curl psql python3 ogrinfo; do
  command -v "$tool" > /dev/null || skip "$tool is not installed (make deps installs it)"
done

rm -rf "$work"
mkdir -p "$work/temp" "$work/cache"
chmod -R a+rwx "$work"  # nginx's workers run as nobody when the test runs as root
db="${uri%/*}/replicas"
psql "$uri" -qc "DROP DATABASE IF EXISTS replicas" -c "CREATE DATABASE replicas" > /dev/null
psql "$db" -qc "CREATE EXTENSION postgis" > /dev/null
"$microplan" store copy "$demo" "$db" > /dev/null

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

pids=()
cleanup() {
  [ ${#pids[@]} -gt 0 ] && kill -CONT "${pids[@]}" 2> /dev/null || true
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2> /dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2> /dev/null || true
  wait 2> /dev/null || true
}
trap cleanup EXIT

declare -a port
for i in 1 2 3; do
  port[i]=$(free_port)
  MICROPLAN_EDIT_TOKEN=taller-replicas "$microplan" serve "$db" --port "${port[i]}" --watch-seconds 0.5 \
    --access-log off --threads 2 > "$work/replica$i.log" 2>&1 &
  pids+=($!)
done
front=$(free_port)
sed -e "s/127.0.0.1:8081/127.0.0.1:${port[1]}/; s/127.0.0.1:8082/127.0.0.1:${port[2]}/" \
  -e "s/127.0.0.1:8083/127.0.0.1:${port[3]}/; s/listen 127.0.0.1:8080/listen 127.0.0.1:$front/" "$conf" > "$work/nginx.conf"
grep -q "127.0.0.1:${port[3]}" "$work/nginx.conf" || fail "deploy/nginx.conf no longer names the replicas 127.0.0.1:8081-8083"
nginx -t -q -p "$work/" -e "$work/error.log" -c "$work/nginx.conf" || fail "nginx refuses deploy/nginx.conf"
nginx -p "$work/" -e "$work/error.log" -c "$work/nginx.conf" || fail "nginx did not start"

status_of() { curl -s -o /dev/null -w '%{http_code}' "$1" || true; }
for i in 1 2 3; do
  for _ in $(seq 300); do [ "$(status_of "http://127.0.0.1:${port[i]}/health")" = 200 ] && break; sleep 0.1; done
  [ "$(status_of "http://127.0.0.1:${port[i]}/health")" = 200 ] || fail "replica $i did not become ready"
done
[ "$(status_of "http://127.0.0.1:$front/health")" = 200 ] || fail "nginx does not reach the replicas"
echo "3 replicas on 127.0.0.1:${port[1]},${port[2]},${port[3]}; nginx on 127.0.0.1:$front"

etag_of() { curl -s -D - -o /dev/null "$1" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p'; }
# Waits (at most 10 s) until the body at URL contains TEXT; prints the milliseconds it took.
reaches() {
  local url=$1 text=$2 start
  start=$(now_ms)
  for _ in $(seq 500); do
    curl -s "$url" | grep -qF -- "$text" && { echo $(($(now_ms) - start)); return 0; }
    sleep 0.02
  done
  return 1
}

# 1. A scenario edit through replica 1 reaches replicas 2 and 3 and nginx.
auth=(-H "Authorization: Bearer taller-replicas" -H "Content-Type: application/json")
etag_before=$(etag_of "http://127.0.0.1:$front/scenarios")
id=$(curl -sf "${auth[@]}" -d '{"name":"taller zona 9"}' "http://127.0.0.1:${port[1]}/scenarios" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])') || fail "replica 1 refused the scenario"
curl -sf "${auth[@]}" -d '{"sector":"health","typology":"Centro de Salud Tipo A","name":"CS propuesto","lon":-78.5,"lat":-0.2}' \
  "http://127.0.0.1:${port[1]}/scenarios/$id/establishments" > /dev/null || fail "replica 1 refused the proposal"
for target in "${port[2]}" "${port[3]}" "$front"; do
  ms=$(reaches "http://127.0.0.1:$target/scenarios/$id" "CS propuesto") || fail "the edit did not reach 127.0.0.1:$target"
  echo "edit through replica 1 seen on 127.0.0.1:$target after $ms ms"
done
[ "$(etag_of "http://127.0.0.1:$front/scenarios")" != "$etag_before" ] || fail "/scenarios kept its ETag through nginx"

# 2. An edit made with psql directly in PostGIS (as QGIS makes them).
items="/collections/circuits/items?code=01D01C01"
etag_before=$(etag_of "http://127.0.0.1:$front$items")
psql "$db" -qc "UPDATE circuits SET name = 'Editado con psql' WHERE code = '01D01C01'"
for target in "${port[1]}" "${port[2]}" "${port[3]}" "$front"; do
  ms=$(reaches "http://127.0.0.1:$target$items" "Editado con psql") || fail "the psql edit did not reach 127.0.0.1:$target"
  echo "psql edit seen on 127.0.0.1:$target after $ms ms"
done
[ "$(etag_of "http://127.0.0.1:$front$items")" != "$etag_before" ] || fail "the edited circuit kept its ETag"

# 2b. OGC API - Features Part 4 through nginx: an establishment created, seen on every replica,
# a stale If-Match refused with 412 by another replica, GDAL's OAPIF driver reading it.
headers=$(mktemp -p "$work")
curl -s -D "$headers" -o "$work/created.json" "${auth[@]}" -H "Content-Type: application/geo+json" \
  -d '{"type":"Feature","geometry":{"type":"Point","coordinates":[-78.49,-0.21]},"properties":{"name":"CS Replicado","sector":"health","typology":"Centro de Salud Tipo A"}}' \
  "http://127.0.0.1:$front/collections/establishments/items"
grep -q "^HTTP/1.1 201" "$headers" || fail "POST of a feature through nginx: $(head -1 "$headers") $(cat "$work/created.json")"
feature=$(tr -d '\r' < "$headers" | sed -n 's/^Location: .*\(\/collections\/.*\)$/\1/p')
version=$(tr -d '\r' < "$headers" | sed -n 's/^ETag: //p')
[ -n "$feature" ] && [ -n "$version" ] || fail "the created feature has no Location or ETag"
for i in 1 2 3; do
  ms=$(reaches "http://127.0.0.1:${port[i]}$feature" "CS Replicado") || fail "the new feature did not reach replica $i"
  echo "Part 4 feature created through nginx seen on replica $i after $ms ms"
done
curl -sf -o /dev/null "${auth[@]}" -X PATCH -H "If-Match: $version" -d '{"type":"Feature","properties":{"name":"CS Replicado 2"}}' \
  "http://127.0.0.1:${port[1]}$feature" || fail "PATCH with the current version refused by replica 1"
# Every replica reloads the edit (about a second each): GDAL's requests go round the three through
# nginx, so it reads the edit once all of them have it, not just replica 2.
for i in 1 2 3; do
  reaches "http://127.0.0.1:${port[i]}$feature" "CS Replicado 2" > /dev/null || fail "the PATCH did not reach replica $i"
done
stale=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X PATCH -H "If-Match: $version" \
  -d '{"type":"Feature","properties":{"name":"perdido"}}' "http://127.0.0.1:${port[2]}$feature")
[ "$stale" = 412 ] || fail "a stale If-Match on replica 2 got $stale, not 412"
ogrinfo -ro -al -q "OAPIF:http://127.0.0.1:$front" establishments -where "name = 'CS Replicado 2'" | grep -q "CS Replicado 2" ||
  fail "GDAL's OAPIF driver does not read the edited feature through nginx"
echo "Part 4: created through nginx, updated on replica 1, stale If-Match refused (412) on replica 2, read by GDAL"

# 3. nginx caches tiles, and revalidates them by ETag once they are a second old.
tile="http://127.0.0.1:$front/tiles/all/6/18/32.mvt"
curl -s -o /dev/null "$tile"
cached=$(curl -s -D - -o /dev/null "$tile" | tr -d '\r' | sed -n 's/^X-Cache-Status: //p')
[ "$cached" = HIT ] || fail "the second request of a tile was not served from nginx's cache ($cached)"
sleep 2.2  # nginx counts validity in whole seconds
revalidated=$(curl -s -D - -o /dev/null "$tile" | tr -d '\r' | sed -n 's/^X-Cache-Status: //p')
[ "$revalidated" = REVALIDATED ] || fail "an expired tile was not revalidated by ETag ($revalidated)"
echo "tiles: cached by nginx, revalidated by ETag"

# 4. Replica 2 stopped during a load run through nginx: no 5xx reaches the client.
{
  for z in 5 6 7; do
    n=$((1 << z))
    for x in $(seq $((n * 70 / 256)) $((n * 74 / 256))); do
      for y in $(seq $((n * 126 / 256)) $((n * 130 / 256))); do echo "/tiles/all/$z/$x/$y.mvt"; done
    done
  done
  for offset in 0 100 200 300 400 500 600 700 800 900 1000; do
    echo "/collections/circuits/items?limit=50&offset=$offset"
    echo "/collections/establishments/items?limit=100&offset=$((offset * 7))"
  done
} > "$work/paths.txt"
WRK_PATHS="$work/paths.txt" wrk -t2 -c16 -d6s --timeout 10s -s "$wrk_script" "http://127.0.0.1:$front" > "$work/wrk.txt" &
load=$!
sleep 1.5
kill -STOP "${pids[1]}"
sleep 3
kill -CONT "${pids[1]}"
wait "$load" || fail "wrk failed: $(cat "$work/wrk.txt")"
cat "$work/wrk.txt"
grep -q "Requests/sec" "$work/wrk.txt" || fail "wrk printed no figures"
if grep -q "Non-2xx or 3xx responses" "$work/wrk.txt"; then fail "error responses reached the client during the stop"; fi
echo "load through nginx with replica 2 stopped for 3 s: no error response"

# 5. Every replica's LISTEN connection killed: 503 on /health, then back, caught up.
psql "$db" -qAtc "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'microplan listen' AND datname = current_database()" |
  grep -qx 3 || fail "not three LISTEN connections to terminate"
psql "$db" -qc "UPDATE districts SET name = 'Cambiado sin escuchar' WHERE code = '01D01'"
saw_503=0
for _ in $(seq 100); do
  [ "$(status_of "http://127.0.0.1:${port[3]}/health")" = 503 ] && { saw_503=1; break; }
  sleep 0.02
done
[ $saw_503 = 1 ] || fail "replica 3's /health did not say 503 without its LISTEN connection"
for i in 1 2 3; do
  ms=$(reaches "http://127.0.0.1:${port[i]}/collections/districts/items?code=01D01" "Cambiado sin escuchar") ||
    fail "replica $i did not catch up after its LISTEN connection was killed"
  [ "$(status_of "http://127.0.0.1:${port[i]}/health")" = 200 ] || fail "replica $i is not ready again"
  echo "replica $i listening again and caught up after $ms ms"
done
grep -q "listening to the store's database again" "$work/replica1.log" || fail "replica 1 did not log its reconnection"
echo "PASS"
