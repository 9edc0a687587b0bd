# shellcheck shell=bash
# common.sh -- sourced (bash) by every bench script: where inputs are read and outputs written, the
# peers' scripts, and the one-line skips when a peer is not installed. Measures nothing.
#
# Contract: after `source bench/common.sh`
#   MICROPLAN_BENCH_DIR  absolute, created: every output of the benches and of the peer runs goes here
#                        (default /tmp/microplan-bench); never the shared data or peers folders, which
#                        are read-only in CI.
#   MICROPLAN_DATA       absolute path of the real Ecuador data (default ../shared/data/ecuador beside
#                        the checkout; may not exist: benches that need it say so and skip).
#   MICROPLAN_PEERS      absolute path of the peers' scripts (default ../shared/peers), read only.
#   BL_DATA, BL_WORK, BL_RESULTS   the peers' own variables (env.sh), pointed at the data and under
#                        MICROPLAN_BENCH_DIR, so that a peer script writes nothing beside itself.
#   GDAL_PAM_ENABLED=NO, CPL_VSIL_GZIP_WRITE_PROPERTIES=NO: GDAL (in microplan and in every peer) leaves
#                        no .aux.xml beside a raster and no .properties beside a .gz it read.
#   PYTHONDONTWRITEBYTECODE=1: no __pycache__ beside a peer's python module.
# Functions: bench_abs PATH, peers_copy, bench_need LABEL PACKAGES COMMAND..., bench_need_postgis,
# bench_request_paths PORT DIR, bench_cpu_ticks PID....

BENCH_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_REPO=$(dirname "$BENCH_HERE")

# bench_abs PATH: PATH made absolute (against the directory the script was started from) and
# canonical; the file and its parents need not exist.
bench_abs() { realpath -m -- "$1"; }

MICROPLAN_BENCH_DIR=$(bench_abs "${MICROPLAN_BENCH_DIR:-/tmp/microplan-bench}")
export MICROPLAN_BENCH_DIR
mkdir -p "$MICROPLAN_BENCH_DIR"
chmod a+rx "$MICROPLAN_BENCH_DIR" 2>/dev/null || true  # the peers' PostgreSQL runs as 'postgres'
MICROPLAN_DATA=$(bench_abs "${MICROPLAN_DATA:-$BENCH_REPO/../shared/data/ecuador}")
export MICROPLAN_DATA
MICROPLAN_PEERS=$(bench_abs "${MICROPLAN_PEERS:-$BENCH_REPO/../shared/peers}")
export MICROPLAN_PEERS

export BL_DATA="$MICROPLAN_DATA"
BL_WORK=$(bench_abs "${BL_WORK:-$MICROPLAN_BENCH_DIR/peers-work}")
export BL_WORK
BL_RESULTS=$(bench_abs "${BL_RESULTS:-$MICROPLAN_BENCH_DIR/results}")
export BL_RESULTS
export GDAL_PAM_ENABLED=NO CPL_VSIL_GZIP_WRITE_PROPERTIES=NO PYTHONDONTWRITEBYTECODE=1

# peers_copy: copies the peers' scripts to $MICROPLAN_BENCH_DIR/peers (fresh each time) and prints
# that path. They run from the copy: env.sh derives its defaults from its own folder, and a script
# that wrote beside itself would write into the copy, not into the shared folder.
peers_copy() {
  local dst="$MICROPLAN_BENCH_DIR/peers"
  [ -f "$MICROPLAN_PEERS/env.sh" ] || { echo "peers' scripts not found under $MICROPLAN_PEERS" >&2; return 1; }
  rm -rf "$dst" && mkdir -p "$dst"
  cp "$MICROPLAN_PEERS"/*.sh "$MICROPLAN_PEERS"/*.py "$dst"/
  chmod u+w "$dst"/*
  printf '%s\n' "$dst"
}

# bench_need LABEL PACKAGES COMMAND...: true when COMMAND succeeds (the peer is there); otherwise
# prints one line "skipped: LABEL not installed (apt-get install PACKAGES)" and is false.
bench_need() {
  local label=$1 packages=$2
  shift 2
  "$@" >/dev/null 2>&1 && return 0
  echo "skipped: $label not installed (apt-get install $packages)"
  return 1
}

bench_python() { /usr/bin/python3 -c "import $1"; }

# bench_need_postgis: PostgreSQL 15 + PostGIS 3 + psycopg2 installed, and root (the peers' private
# cluster is created and run as the 'postgres' user through runuser).
bench_need_postgis() {
  bench_need PostGIS "postgresql-15 postgresql-15-postgis-3 python3-psycopg2" \
    sh -c '[ -x /usr/lib/postgresql/15/bin/initdb ] && [ -f /usr/share/postgresql/15/extension/postgis.control ] && /usr/bin/python3 -c "import psycopg2"' ||
    return 1
  [ "$(id -u)" = 0 ] && return 0
  echo "skipped: PostGIS (its private cluster runs as the 'postgres' user: run make bench as root)"
  return 1
}

# bench_request_paths PORT DIR: the request paths the server benches send to a microplan server on
# 127.0.0.1:PORT, one per line: DIR/tiles.txt, every /tiles/all tile over the store's extent
# (its TileJSON bounds) at z0-10; DIR/items.txt, pages of 100 features of circuits, districts and
# establishments (offsets 0-1000).
bench_request_paths() {
  python3 - "$1" "$2" <<'PY'
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
}

# bench_cpu_ticks PID...: user + system clock ticks those processes (every thread of each) have
# used so far, from /proc/PID/stat (the command name, field 2, may hold spaces and parentheses:
# fields are counted after its last ')'). Children they reaped are not counted (workflows.sh
# reads a whole process tree with them, in the same python process that sees /health answer).
bench_cpu_ticks() {
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat"))); done
  echo "$t"
}
