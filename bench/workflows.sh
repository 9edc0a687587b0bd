#!/usr/bin/env bash
# workflows.sh -- whole workflows a user waits for, each timed from the command line (issue 25):
#   1. `make run` from a built tree to "serving": what `make run` runs after its build step (the demo
#      generation, its validation, then `microplan serve` with the Makefile's arguments, on a free
#      port), until the server answers /health; then `make run` itself through make.
#   2. `make ecuador`'s build: `microplan build-ecuador --data DATA --out STORE` (the Makefile's
#      arguments), then the rest of `make ecuador`, its server start on that store until /health.
#   3. A full `microplan access travel-time` on the national base, as a planner runs it: every school
#      (sector education) over the base's own dry-season 100 m surface (build-ecuador --friction-out,
#      timed as its own line), LandScan 2023 people, the statistics of every level stored.
#   4. `microplan plan` (the greedy rule, scenario moderate) on the demo store of step 1, and on the
#      national base of step 2.
#
#   bench/workflows.sh [BUILD_DIR] [DATA_DIR]
#
# BUILD_DIR (default build) holds a built microplan: nothing is built, configured or written there.
# DATA_DIR (default ../shared/data/ecuador beside the checkout) is only read; without it steps 2-3
# and the national plan print one "skipped:" line each. Every output (stores, rasters, logs) goes to
# a temporary folder under $MICROPLAN_BENCH_DIR (bench/common.sh), removed at the end.
#
# Each line: the workflow, wall seconds, user+sys seconds and peak RSS of the process (GNU time -v),
# and the command. For a server the three are taken when /health first answers (asked every 5 ms):
# wall from its exec, user+sys of the process tree (with the children make already reaped, the demo
# generation and validate), the largest peak RSS of the processes then alive (/proc). The server is
# then stopped (SIGTERM); GNU time's figures until it stopped follow in brackets: they include the
# live travel-time baselines `serve` builds on a thread of its own after it starts answering, which
# it finishes before it exits.
#
# `make run` itself: its `build` prerequisite runs `cmake --build build`, which would rebuild the
# tree whenever a source is newer than the binary (another engineer may be editing the checkout),
# and its recipe writes build/demo.sqlite. So it runs as
#   make -C REPO -o build run BUILD_DIR=$W/makerun PORT=P
# with $W/makerun/microplan a symlink to BUILD_DIR/microplan: the Makefile's own recipe (the deps
# check, the web check, demo, validate, serve), every output under $MICROPLAN_BENCH_DIR, but without
# the no-op `cmake --build` a user's `make run` also waits for. It is run only when `make web` has
# nothing to do (else npm would write web/node_modules) and no Debian package of the Makefile's list
# is missing (else, as root, its deps step would apt-get install them); otherwise it is run with
# -o deps / skipped, and the line says so.
set -euo pipefail
if [ -n "${2:-}" ]; then
  MICROPLAN_DATA=$(realpath -m -- "$2")
  export MICROPLAN_DATA
fi
source "$(dirname "$0")/common.sh"
build=$(bench_abs "${1:-build}")
data=$MICROPLAN_DATA
MICROPLAN="$build/microplan"
[ -x "$MICROPLAN" ] || { echo "$MICROPLAN not built (make build)" >&2; exit 1; }
for tool in /usr/bin/time python3 make; do
  command -v "$tool" >/dev/null || { echo "bench/workflows.sh needs $tool (apt-get install time python3 make)" >&2; exit 1; }
done

W=$(mktemp -d "$MICROPLAN_BENCH_DIR/workflows.XXXXXX")
servers=()  # pids of the /usr/bin/time wrappers of servers still running
cleanup() {
  local p
  for p in "${servers[@]}"; do stop_server "$p" 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now() { date +%s.%N; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

# descendants PID: every process below PID, one pid a line (parents first).
descendants() {
  local kids k
  kids=$(ps -o pid= --ppid "$1" 2>/dev/null || true)
  for k in $kids; do
    echo "$k"
    descendants "$k"
  done
}

# stop_server WRAPPER_PID: SIGTERM to the microplan server below the /usr/bin/time wrapper (the
# server stops, make and time then exit and time writes its figures), then waits for the wrapper.
stop_server() {
  local wrapper=$1 p
  for p in $(descendants "$wrapper"); do
    [ "$(ps -o comm= -p "$p" 2>/dev/null)" = microplan ] && { kill -TERM "$p" 2>/dev/null || true; }
  done
  wait "$wrapper" 2>/dev/null || true
  local left=() s
  for s in "${servers[@]}"; do [ "$s" = "$wrapper" ] || left+=("$s"); done
  servers=("${left[@]+"${left[@]}"}")
}

# wait_health PORT WRAPPER_PID TIMEOUT_S: prints the time (seconds since the epoch) at which
# http://127.0.0.1:PORT/health first answered 200, asked every 5 ms from one python process (no
# process started per try on the 2 cores the server starts on); false when the process exits or
# the timeout passes.
wait_health() {
  python3 - "$@" <<'PY'
import os, sys, time, urllib.request
port, pid, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
deadline = time.time() + timeout
while time.time() < deadline:
    try:
        with urllib.request.urlopen("http://127.0.0.1:%s/health" % port, timeout=2) as r:
            if r.status == 200:
                t1 = time.time()
                break
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    time.sleep(0.005)
else:
    sys.exit(1)
# The CPU time and peak memory of the process tree at that moment: user+sys of every process below
# the wrapper and of the children they reaped; the largest VmHWM of those alive.
stats, tick = {}, os.sysconf("SC_CLK_TCK")
for d in filter(str.isdigit, os.listdir("/proc")):
    try:
        text = open("/proc/%s/stat" % d).read()
    except OSError:
        continue
    f = text[text.rindex(")") + 2:].split()
    stats[int(d)] = (int(f[1]), sum(int(x) for x in f[11:15]) / tick)
tree, todo = set(), [pid]
while todo:
    p = todo.pop()
    tree.add(p)
    todo += [c for c, (pp, _) in stats.items() if pp == p and c not in tree]
rss = 0
for p in tree:
    try:
        rss = max([rss] + [int(l.split()[1]) for l in open("/proc/%d/status" % p) if l.startswith("VmHWM:")])
    except OSError:
        pass
print("%.6f %.2f %.1f" % (t1, sum(stats[p][1] for p in tree if p in stats), rss / 1024))
PY
}

# GNU time -v figures of FILE: wall seconds, user+sys seconds, peak RSS MB.
tv_wall() { awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$1"; }
tv_cpu() { awk -F': ' '/User time \(seconds\)/{u=$2} /System time \(seconds\)/{s=$2} END { printf "%.2f", u + s }' "$1"; }
tv_rss() { awk -F': ' '/Maximum resident set size/{printf "%.1f", $2/1024}' "$1"; }

# line LABEL WALL CPU RSS COMMAND...: one printed line.
line() {
  local label=$1 wall=$2 cpu=$3 rss=$4
  shift 4
  printf '%s: wall %s s, user+sys %s s, peak RSS %s MB; %s\n' "$label" "$wall" "$cpu" "$rss" "$*"
}

# timed NAME LABEL COMMAND...: runs COMMAND under /usr/bin/time -v (stdout, stderr in $W/NAME.out,
# .err; figures in $W/NAME.time), prints its line; on failure prints the end of its stderr and exits.
timed() {
  local name=$1 label=$2 status=0
  shift 2
  /usr/bin/time -v -o "$W/$name.time" "$@" >"$W/$name.out" 2>"$W/$name.err" || status=$?
  if [ "$status" != 0 ]; then
    echo "$label FAILED (exit status $status): $*" >&2
    tail -20 "$W/$name.err" >&2
    exit 1
  fi
  line "$label" "$(tv_wall "$W/$name.time")" "$(tv_cpu "$W/$name.time")" "$(tv_rss "$W/$name.time")" "$*"
}

# served NAME LABEL PORT COMMAND...: starts COMMAND (a server, or make running one) under
# /usr/bin/time -v, waits for /health on PORT (at most 600 s), stops it and prints its line with
# the wall time from start to /health. Sets SERVED_T1 (when /health answered), SERVED_WALL,
# SERVED_CPU, SERVED_RSS.
served() {
  local name=$1 label=$2 port=$3 t0 t1 pid at
  shift 3
  t0=$(now)
  /usr/bin/time -v -o "$W/$name.time" "$@" >"$W/$name.out" 2>"$W/$name.err" &
  pid=$!
  servers+=("$pid")
  if ! at=$(wait_health "$port" "$pid" 600); then
    echo "$label FAILED: no /health answer on port $port: $*" >&2
    tail -20 "$W/$name.err" >&2
    exit 1
  fi
  stop_server "$pid"
  read -r t1 SERVED_CPU SERVED_RSS <<<"$at"
  SERVED_T1=$t1
  SERVED_WALL=$(minus "$t1" "$t0")
  line "$label" "$SERVED_WALL" "$SERVED_CPU" "$SERVED_RSS" "$*" \
    "(until stopped: user+sys $(tv_cpu "$W/$name.time") s, peak RSS $(tv_rss "$W/$name.time") MB)"
}

echo "bench/workflows.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); build $build;" \
  "data $data; outputs under $W (removed at the end)"

# 1. `make run` after its build: demo, validate, serve (Makefile: run), on a free port.
demo="$W/demo.sqlite"
t0=$(now)
timed demo "1. make run: demo generation" "$MICROPLAN" demo --out "$demo"
demo_cpu=$(tv_cpu "$W/demo.time") demo_rss=$(tv_rss "$W/demo.time")
timed validate "1. make run: validate" "$MICROPLAN" validate "$demo"
port=$(free_port)
served serve_demo "1. make run: server start until /health" "$port" "$MICROPLAN" serve "$demo" --port "$port"
t1=$SERVED_T1
loaded=$(grep -o 'loaded .* in [0-9.]* s' "$W/serve_demo.err" | head -1 || true)
line "1. make run after its build, to serving (demo + validate + serve, commands above; server: $loaded)" \
  "$(minus "$t1" "$t0")" \
  "$(awk -v a="$demo_cpu" -v b="$(tv_cpu "$W/validate.time")" -v c="$SERVED_CPU" 'BEGIN { printf "%.2f", a + b + c }')" \
  "$(awk -v a="$demo_rss" -v b="$(tv_rss "$W/validate.time")" -v c="$SERVED_RSS" \
       'BEGIN { m = a; if (b > m) m = b; if (c > m) m = c; printf "%.1f", m }')" \
  "the three commands one after another"

# 1b. `make run` itself through make (see the header: -o build, BUILD_DIR under $W).
mkrun="$W/makerun"
mkdir -p "$mkrun"
ln -s "$MICROPLAN" "$mkrun/microplan"
skip_deps=()
missing=$(for p in $(make -C "$BENCH_REPO" -pnq -o deps deps 2>/dev/null | sed -n 's/^DEBIAN_PACKAGES := //p'); do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"; done)
[ -z "$missing" ] || skip_deps=(-o deps)
if ! make -C "$BENCH_REPO" -q -o deps web >/dev/null 2>&1; then
  echo "skipped: make run through make (make web has work to do: npm would write web/node_modules)"
else
  port=$(free_port)
  note="make run through make, without its no-op cmake --build"
  [ -z "$missing" ] || note="$note and its deps check (missing: ${missing//$'\n'/ })"
  served makerun "1. $note, until /health" "$port" \
    make -C "$BENCH_REPO" --no-print-directory -o build "${skip_deps[@]}" run BUILD_DIR="$mkrun" PORT="$port"
fi

# 2. `make ecuador`'s build and server start (Makefile: ecuador), then the same build keeping its
# travel-time surfaces (docs/design.md), the input of step 3.
if [ ! -f "$data/boundaries/parroquias.geojson" ] || [ ! -f "$data/rasters/landscan_2023_continental.tif" ]; then
  echo "skipped: 2. make ecuador's build, real data not found under $data"
  echo "skipped: 3. access travel-time on the national base, real data not found under $data"
else
  # ecuador_note NAME STORE: the build's own count (its last line, its report's travel-time seconds).
  ecuador_note() {
    python3 - "$W/$1.out" "$2_report.json" <<'PY'
import json, re, sys
total = re.search(r"total ([0-9.]+) s", open(sys.argv[1]).read())
access = json.load(open(sys.argv[2])).get("accessibility", {})
print("   (build-ecuador's own count: total %s s, of which travel times %.2f s, their surface %.2f s)"
      % (total.group(1) if total else "?", access.get("seconds", 0), access.get("surface", {}).get("seconds", 0)))
PY
  }
  ec="$W/ecuador.sqlite"
  timed ecuador "2. make ecuador: build-ecuador" "$MICROPLAN" build-ecuador --data "$data" --out "$ec"
  ecuador_note ecuador "$ec"
  port=$(free_port)
  served serve_ecuador "2. make ecuador: server start on the national base until /health" "$port" \
    "$MICROPLAN" serve "$ec" --port "$port"
  ecf="$W/ecuador_access.sqlite"
  timed ecuador_surfaces "2. build-ecuador keeping its surfaces (--friction-out, for step 3)" \
    "$MICROPLAN" build-ecuador --data "$data" --out "$ecf" --friction-out "$W/ecuador_friction"
  ecuador_note ecuador_surfaces "$ecf"

  # 3. A full travel-time run over the national base's dry-season surface: every school, LandScan
  # people, thresholds 15,30,60,120 (the default), statistics per parish, canton, province,
  # circuit, district and zone stored.
  timed access "3. access travel-time, national base, every school, statistics stored" \
    "$MICROPLAN" access travel-time "$ecf" --sector education \
    --friction "$W/ecuador_friction_travel_time_surface.tif" \
    --population "$data/rasters/landscan_2023_continental.tif"
  sed -n 's/^ *\([0-9]* cells reached.*\)/   (\1)/p' "$W/access.out"
fi

# 4. The greedy plan (README: plan STORE --scenario moderate) on the demo and the national base.
timed plan_demo "4. plan, demo 2025-2035 (greedy, moderate)" \
  "$MICROPLAN" plan "$demo" --scenario moderate --output "$W/plan_demo.json"
if [ -n "${ec:-}" ]; then
  timed plan_ecuador "4. plan, national base (greedy, moderate)" \
    "$MICROPLAN" plan "$ec" --scenario moderate --output "$W/plan_ecuador.json"
else
  echo "skipped: 4. plan on the national base, real data not found under $data"
fi
echo "load average now $(cut -d' ' -f1-3 /proc/loadavg)"
