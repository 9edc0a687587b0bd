#!/usr/bin/env bash
# serve_peers.sh -- cached tiles beside nginx serving the very same bytes as static files (issue 25,
# goal 1), side by side in one run: same client (wrk -t2 -c64, bench/wrk_paths.lua), same loopback,
# same cores.
#
#   bench/serve_peers.sh build/microplan STORE [SECONDS] [ROUNDS]
#
# The tiles of /tiles/all at z0-10 (bench_request_paths) are written out once from microplan; nginx
# (2 workers, sendfile, keep-alive, access log off) serves that folder. Every tile is first compared
# byte for byte between the two; then the runs alternate microplan, nginx, ROUNDS times (default 3),
# after one warm-up run of each, SECONDS each (default 10). Each run also gives the CPU time per
# request of the server (every microplan thread; nginx's master and workers; from /proc) and of
# wrk. The item pages beside QGIS Server are bench/serve_qgis.sh. A missing nginx or wrk is skipped
# with one line.
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_need wrk wrk command -v wrk || exit 0
bench_need nginx nginx test -x /usr/sbin/nginx || exit 0
MICROPLAN=$(bench_abs "$1"); STORE=$(bench_abs "$2"); SECONDS_PER_RUN=${3:-10}; ROUNDS=${4:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "$MICROPLAN_BENCH_DIR/peers_serve.XXXXXX")
chmod 755 "$WORK"  # nginx workers (www-data) read the tiles under it
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 500); do curl -sf -o /dev/null "$1" && return 0; sleep 0.02; done; echo "no answer from $1" >&2; return 1; }

# run_wrk LABEL URL PATHS SERVER_PIDS: one wrk run; prints LABEL req/s p50 p99 non-2xx and the CPU
# time per request of the server (the processes SERVER_PIDS, a space-separated list) and of wrk
# itself, from /proc and the shell's own timing of wrk (and appends the line to runs.txt).
run_wrk() {
  local label=$1 url=$2 paths=$3 pids=$4 before after TIMEFORMAT='%3U %3S'
  before=$(bench_cpu_ticks $pids)
  { time WRK_PATHS="$paths" wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -s "$HERE/wrk_paths.lua" "$url" \
      >"$WORK/wrk.out"; } 2>"$WORK/wrk.time"
  after=$(bench_cpu_ticks $pids)
  awk -v label="$label" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v wrk="$(cat "$WORK/wrk.time")" '
    /Requests\/sec/ { rps = $2 }
    / requests in / { n = $1 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    END { split(wrk, w, " ")
          printf "%-28s %10.0f req/s   p50 %-8s p99 %-8s non-2xx %s   cpu/req %.2f us, wrk %.2f us\n", label, rps, p50,
                 p99, bad + 0, n ? ticks / hz / n * 1e6 : 0, n ? (w[1] + w[2]) / n * 1e6 : 0 }' "$WORK/wrk.out" |
    tee -a "$WORK/runs.txt"
}

PORT=$(free_port)
"$MICROPLAN" serve "$STORE" --port "$PORT" --access-log off --watch-seconds 0 --no-edit >"$WORK/out" 2>"$WORK/err" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/health"
bench_request_paths "$PORT" "$WORK"  # tiles.txt and items.txt
echo "microplan: $("$MICROPLAN" --version 2>/dev/null || echo microplan), $(nproc) io threads; nginx: 2 workers;" \
  "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$WORK/static" "$WORK/nginx-tmp"
while read -r p; do
  mkdir -p "$WORK/static$(dirname "$p")"
  curl -sf -o "$WORK/static$p" "http://127.0.0.1:$PORT$p"
done <"$WORK/tiles.txt"
NPORT=$(free_port)
# nginx at its best for static files: sendfile, and open files cached (no open/fstat per request).
cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65; keepalive_requests 1000000;
  open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;
  types { application/vnd.mapbox-vector-tile mvt; }
  client_body_temp_path $WORK/nginx-tmp; proxy_temp_path $WORK/nginx-tmp; fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp; scgi_temp_path $WORK/nginx-tmp;
  server { listen 127.0.0.1:$NPORT; root $WORK/static; }
}
CONF
/usr/sbin/nginx -c "$WORK/nginx.conf" -p "$WORK"
wait_http "http://127.0.0.1:$NPORT$(head -1 "$WORK/tiles.txt")"
NPIDS="$(cat "$WORK/nginx.pid") $(pgrep -d' ' -P "$(cat "$WORK/nginx.pid")")"  # master and workers
differ=0
while read -r p; do
  cmp -s <(curl -sf "http://127.0.0.1:$PORT$p") <(curl -sf "http://127.0.0.1:$NPORT$p") || differ=$((differ + 1))
done <"$WORK/tiles.txt"
echo "cached tiles: $(wc -l <"$WORK/tiles.txt") tiles of /tiles/all at z0-10 ($(du -sb "$WORK/static" | cut -f1) bytes)," \
  "$differ differ between microplan and nginx; wrk -t2 -c64 -d${SECONDS_PER_RUN}s, alternating"
run_wrk "warm-up microplan" "http://127.0.0.1:$PORT" "$WORK/tiles.txt" "${PIDS[-1]}" >/dev/null
run_wrk "warm-up nginx" "http://127.0.0.1:$NPORT" "$WORK/tiles.txt" "$NPIDS" >/dev/null
: >"$WORK/runs.txt"
for round in $(seq 1 "$ROUNDS"); do
  run_wrk "tiles microplan ($round)" "http://127.0.0.1:$PORT" "$WORK/tiles.txt" "${PIDS[-1]}"
  run_wrk "tiles nginx static ($round)" "http://127.0.0.1:$NPORT" "$WORK/tiles.txt" "$NPIDS"
done
python3 - "$WORK/runs.txt" <<'PY'
import re, statistics, sys
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
runs = {"microplan": [], "nginx": []}
for line in open(sys.argv[1]):
    f = line.split()
    who = "microplan" if "microplan" in line else "nginx"
    runs[who].append((float(f[f.index("req/s") - 1]), ms(f[f.index("p99") + 1]), float(f[f.index("cpu/req") + 1])))
mr = statistics.median(r for r, _, _ in runs["microplan"])
nr = statistics.median(r for r, _, _ in runs["nginx"])
mp = statistics.median(p for _, p, _ in runs["microplan"])
np_ = statistics.median(p for _, p, _ in runs["nginx"])
mc = statistics.median(c for _, _, c in runs["microplan"])
nc = statistics.median(c for _, _, c in runs["nginx"])
met = "met" if mr >= nr and mp <= np_ else "not met"
print(f"median microplan {mr:.0f} req/s p99 {mp:.2f} ms; nginx {nr:.0f} req/s p99 {np_:.2f} ms; "
      f"microplan/nginx {mr / nr:.2f}x; issue 25 goal (at least nginx's req/s, p99 no worse): {met}")
print(f"median server CPU per request: microplan {mc:.2f} us, nginx {nc:.2f} us ({mc / nc:.2f}x)")
PY
echo "load average after the runs $(cut -d' ' -f1-3 /proc/loadavg)"
