#!/usr/bin/env bash
# serve_qgis.sh -- OGC API item pages beside QGIS Server (issue 25, goal 2): the same pages of the same
# store from microplan and from QGIS Server's OAPIF (WFS3) service, same client (wrk -t2 -c64,
# bench/wrk_paths.lua), same loopback, same cores.
#
#   bench/serve_qgis.sh build/microplan STORE [SECONDS] [ROUNDS]
#
# 1. The store's circuits and establishments tables (geometry column, type, SRID and key read from its
#    geometry_columns) become the two layers of a QGIS project written here (.qgs XML): SpatiaLite data
#    sources, layer names = the collection ids, both listed in WFSLayers (what QGIS Server publishes as
#    OAPIF collections), WFSLayersPrecision 8, project CRS EPSG:4326 (GeoJSON is written in CRS84).
#    QGIS Server's SpatiaLite provider writes layer statistics into the database it opens
#    (geometry_columns_statistics, geometry_columns_field_infos), so both servers read one byte copy of
#    STORE made in the work dir and STORE itself is never written.
# 2. QGIS Server: qgis_mapserv.fcgi, QGIS_SERVER_FCGI processes (default 4: two per core on the
#    2-core bench machine, so that one computes while the other waits on its socket; measured there, 2
#    gave ~250 req/s, 4 ~370, 8 ~400, within the noise of 4) under spawn-fcgi,
#    behind nginx (2 workers, fastcgi_pass, access log off, gzip off, buffers large enough for a page).
#    Checked by asking for its landing page (/wfs3.json) and /wfs3/collections.json.
# 3. The pages /collections/{circuits,establishments}/items?limit=100&offset=0..1000 (QGIS Server:
#    /wfs3/collections/{id}/items.json?limit=100&offset=...) are decoded and compared feature by feature
#    (bench/oapif_compare.py: ids and order, shared properties, geometries within 6e-7 degrees).
# 4. wrk -t2 -c64 -dSECONDS (default 10) over those 22 pages, no Accept-Encoding, alternating microplan
#    and QGIS Server ROUNDS times (default 3) after one warm-up run of each; req/s, p50, p99, non-2xx
#    and the ratio microplan/QGIS Server of each round and of the medians.
# A missing QGIS Server, spawn-fcgi, nginx or wrk is skipped with one line.
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_need "QGIS Server" "qgis-server spawn-fcgi" \
  sh -c 'test -x /usr/lib/cgi-bin/qgis_mapserv.fcgi && test -f /usr/lib/qgis/server/libwfs3.so && command -v spawn-fcgi' || exit 0
bench_need nginx nginx test -x /usr/sbin/nginx || exit 0
bench_need wrk wrk command -v wrk || exit 0
[ $# -ge 2 ] || { echo "usage: $0 BUILD_MICROPLAN STORE [SECONDS] [ROUNDS]" >&2; exit 2; }
MICROPLAN=$(bench_abs "$1"); STORE=$(bench_abs "$2"); SECONDS_PER_RUN=${3:-10}; ROUNDS=${4:-3}
FCGI_PROCESSES=${QGIS_SERVER_FCGI:-4}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "$MICROPLAN_BENCH_DIR/qgis_serve.XXXXXX")
chmod 755 "$WORK"  # nginx workers (user nobody: no user directive) use the temp folder under it
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done  # microplan has left the store copy
  if [ -f "$WORK/qgis-fcgi.pid" ]; then
    # spawn-fcgi writes one pid a line, the last without a newline
    while read -r p || [ -n "$p" ]; do kill "$p" 2>/dev/null || true; done <"$WORK/qgis-fcgi.pid"
  fi
  [ -f "$WORK/qgis-nginx.pid" ] && kill "$(cat "$WORK/qgis-nginx.pid")" 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 1500); do curl -sf -o /dev/null "$1" && return 0; sleep 0.02; done; echo "no answer from $1" >&2; return 1; }

# run_wrk LABEL URL PATHS [wrk options...]: one wrk run; prints LABEL req/s p50 p99 non-2xx and leaves
# the req/s in RPS.
RPS=0
run_wrk() {
  local label=$1 url=$2 paths=$3
  shift 3
  WRK_PATHS="$paths" wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency "$@" -s "$HERE/wrk_paths.lua" "$url" >"$WORK/wrk.out"
  RPS=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk.out")
  awk -v label="$label" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "%-28s %10.0f req/s   p50 %-8s p99 %-8s non-2xx %s\n", label, rps, p50, p99, bad + 0 }' "$WORK/wrk.out"
}

# --- the store, copied; its two tables; the QGIS project ----------------------------------------------
[ -f "$STORE" ] || { echo "no store at $STORE" >&2; exit 1; }
cp -- "$STORE" "$WORK/store.sqlite"
chmod 644 "$WORK/store.sqlite"
python3 - "$WORK/store.sqlite" "$WORK/project.qgs" >"$WORK/layers.txt" <<'PY'
import sqlite3, sys
from xml.sax.saxutils import escape, quoteattr
store, out = sys.argv[1], sys.argv[2]
db = sqlite3.connect("file:%s?mode=ro" % store, uri=True)
# SpatiaLite geometry_columns: geometry_type is the OGC code (+1000 Z, +2000 M, +3000 ZM)
wkb = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}
family = {1: "Point", 2: "Line", 3: "Polygon", 4: "Point", 5: "Line", 6: "Polygon"}
layers = []
for name in ("circuits", "establishments"):
    row = db.execute("SELECT f_geometry_column, geometry_type, srid FROM geometry_columns "
                     "WHERE lower(f_table_name) = ?", (name,)).fetchone()
    if row is None:
        sys.exit("%s: no table %s with a geometry column in geometry_columns" % (store, name))
    geom, gtype, srid = row
    keys = [r[1] for r in db.execute('PRAGMA table_info("%s")' % name) if r[5]]
    if len(keys) != 1:
        sys.exit("%s: table %s has no single-column primary key" % (store, name))
    base = gtype % 1000
    if base not in wkb:
        sys.exit("%s: %s.%s has geometry type %d" % (store, name, geom, gtype))
    layers.append((name, "%s_microplan" % name, geom, wkb[base], family[base], srid, keys[0]))
    print("%s: table %s, geometry column %s (%s, EPSG:%d), key %s" % (name, name, geom, wkb[base], srid, keys[0]))

def source(name, geom, typ, srid, key):
    return "dbname='%s' key='%s' srid=%d type=%s table=\"%s\" (%s)" % (store, key, srid, typ, name, geom)

tree, maps, wfs, prec = [], [], [], []
for name, lid, geom, typ, fam, srid, key in layers:
    src = source(name, geom, typ, srid, key)
    tree.append('    <layer-tree-layer id=%s name=%s providerKey="spatialite" checked="Qt::Checked" expanded="1" source=%s/>'
                % (quoteattr(lid), quoteattr(name), quoteattr(src)))
    maps.append("""    <maplayer type="vector" geometry="%s" wkbType="%s">
      <id>%s</id>
      <datasource>%s</datasource>
      <layername>%s</layername>
      <srs><spatialrefsys><authid>EPSG:%d</authid></spatialrefsys></srs>
      <provider encoding="UTF-8">spatialite</provider>
    </maplayer>""" % (fam, typ, escape(lid), escape(src), escape(name), srid))
    wfs.append("<value>%s</value>" % escape(lid))
    prec.append('<%s type="int">8</%s>' % (lid, lid))
with open(out, "w", encoding="utf-8") as f:
    f.write("""<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis projectname="microplan" version="3.22.16-Białowieża">
  <title>microplan</title>
  <projectCrs><spatialrefsys><authid>EPSG:4326</authid></spatialrefsys></projectCrs>
  <layer-tree-group>
%s
  </layer-tree-group>
  <projectlayers>
%s
  </projectlayers>
  <properties>
    <WMSServiceCapabilities type="bool">true</WMSServiceCapabilities>
    <WMSServiceTitle type="QString">microplan</WMSServiceTitle>
    <WMSCrsList type="QStringList"><value>EPSG:4326</value></WMSCrsList>
    <WFSLayers type="QStringList">%s</WFSLayers>
    <WFSLayersPrecision>%s</WFSLayersPrecision>
  </properties>
</qgis>
""" % ("\n".join(tree), "\n".join(maps), "".join(wfs), "".join(prec)))
PY

# --- QGIS Server: spawn-fcgi + nginx --------------------------------------------------------------------
QPORT=$(free_port); FPORT=$(free_port)
mkdir -p "$WORK/qgis-home" "$WORK/nginx-tmp"
env HOME="$WORK/qgis-home" QT_QPA_PLATFORM=offscreen QGIS_PROJECT_FILE="$WORK/project.qgs" \
  QGIS_SERVER_LOG_LEVEL=2 QGIS_SERVER_LOG_FILE="$WORK/qgis.log" \
  spawn-fcgi -a 127.0.0.1 -p "$FPORT" -F "$FCGI_PROCESSES" -P "$WORK/qgis-fcgi.pid" -- /usr/lib/cgi-bin/qgis_mapserv.fcgi >/dev/null
cat >"$WORK/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/qgis-nginx.pid;
error_log $WORK/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  gzip off;
  keepalive_timeout 65; keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-tmp; proxy_temp_path $WORK/nginx-tmp; fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp; scgi_temp_path $WORK/nginx-tmp;
  server {
    listen 127.0.0.1:$QPORT;
    server_name 127.0.0.1;
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME /usr/lib/cgi-bin/qgis_mapserv.fcgi;
      fastcgi_param QGIS_PROJECT_FILE $WORK/project.qgs;
      fastcgi_buffer_size 32k; fastcgi_buffers 64 16k;
      fastcgi_read_timeout 300s;
      fastcgi_pass 127.0.0.1:$FPORT;
    }
  }
}
EOF
/usr/sbin/nginx -c "$WORK/nginx.conf" -p "$WORK"
wait_http "http://127.0.0.1:$QPORT/wfs3.json"
QGIS_COLLECTIONS=$(curl -sf "http://127.0.0.1:$QPORT/wfs3/collections.json" |
  python3 -c 'import json, sys; print(",".join(sorted(c["id"] for c in json.load(sys.stdin)["collections"])))')
[ "$QGIS_COLLECTIONS" = "circuits,establishments" ] || {
  echo "QGIS Server publishes '$QGIS_COLLECTIONS', not circuits,establishments; its log:" >&2
  cat "$WORK/qgis.log" >&2 2>/dev/null || true
  exit 1
}

# --- microplan, on the same copy ------------------------------------------------------------------------
PORT=$(free_port)
"$MICROPLAN" serve "$WORK/store.sqlite" --port "$PORT" --access-log off --watch-seconds 0 --no-edit >"$WORK/out" 2>"$WORK/err" &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/health"
for c in circuits establishments; do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/collections/$c" || { echo "microplan serves no collection $c" >&2; exit 1; }
done

QGIS_VERSION=$(curl -sI "http://127.0.0.1:$QPORT/wfs3.json" | sed -n 's/^Server: QGIS FCGI server - QGIS version \([^ -]*\).*/\1/p' | tr -d '\r')
echo "microplan: $("$MICROPLAN" --version 2>/dev/null || echo microplan); QGIS Server ${QGIS_VERSION:-?} (qgis_mapserv.fcgi," \
  "$FCGI_PROCESSES FastCGI processes under spawn-fcgi, nginx 2 workers); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
sed 's/^/store /' "$WORK/layers.txt"
echo "QGIS Server OAPIF: /wfs3.json (landing page) and /wfs3/collections.json answer; collections $QGIS_COLLECTIONS"

# --- the pages, compared --------------------------------------------------------------------------------
: >"$WORK/microplan.txt"; : >"$WORK/qgis.txt"
for c in circuits establishments; do
  for off in $(seq 0 100 1000); do
    echo "/collections/$c/items?limit=100&offset=$off" >>"$WORK/microplan.txt"
    echo "/wfs3/collections/$c/items.json?limit=100&offset=$off" >>"$WORK/qgis.txt"
  done
done
python3 "$HERE/oapif_compare.py" "http://127.0.0.1:$PORT" "http://127.0.0.1:$QPORT/wfs3" --peer-name "QGIS Server" ||
  echo "(the pages differ: see above; the runs below still go ahead)"
page_bytes() {  # BASE PATHS: mean bytes of a page as wrk receives it (no Accept-Encoding)
  while read -r p; do curl -sf -o /dev/null -w '%{size_download}\n' "$1$p"; done <"$2" | awk '{ s += $1 } END { printf "%.0f", s / NR }'
}
echo "pages: $(wc -l <"$WORK/microplan.txt") (circuits and establishments, limit 100, offsets 0-1000);" \
  "mean page microplan $(page_bytes "http://127.0.0.1:$PORT" "$WORK/microplan.txt") bytes," \
  "QGIS Server $(page_bytes "http://127.0.0.1:$QPORT" "$WORK/qgis.txt") bytes; wrk -t2 -c64 -d${SECONDS_PER_RUN}s, no gzip, alternating"

# --- the runs -------------------------------------------------------------------------------------------
run_wrk "warm-up microplan" "http://127.0.0.1:$PORT" "$WORK/microplan.txt" >/dev/null
run_wrk "warm-up QGIS Server" "http://127.0.0.1:$QPORT" "$WORK/qgis.txt" >/dev/null
MP_ALL=(); QG_ALL=()
for round in $(seq 1 "$ROUNDS"); do
  run_wrk "items microplan ($round)" "http://127.0.0.1:$PORT" "$WORK/microplan.txt"
  MP_ALL+=("$RPS")
  run_wrk "items QGIS Server ($round)" "http://127.0.0.1:$QPORT" "$WORK/qgis.txt"
  QG_ALL+=("$RPS")
done
python3 - "${MP_ALL[*]}" "${QG_ALL[*]}" <<'PY'
import statistics, sys
mp = [float(x) for x in sys.argv[1].split()]
qg = [float(x) for x in sys.argv[2].split()]
per_round = ", ".join("%.1fx" % (m / q) if q else "inf" for m, q in zip(mp, qg))
mm, mq = statistics.median(mp), statistics.median(qg)
ratio = mm / mq if mq else float("inf")
print("ratio microplan/QGIS Server: %.1fx (medians %.0f / %.0f req/s; rounds %s); issue 25 goal >= 10x: %s"
      % (ratio, mm, mq, per_round, "met" if ratio >= 10 and min(m / q for m, q in zip(mp, qg) if q) >= 10 else "NOT met"))
PY
echo "load average after the runs $(cut -d' ' -f1-3 /proc/loadavg)"
[ -s "$WORK/nginx.err" ] && { echo "nginx error log:"; sort "$WORK/nginx.err" | cut -c21- | sort | uniq -c | head -5; }
true
