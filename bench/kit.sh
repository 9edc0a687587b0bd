#!/usr/bin/env bash
# The offline workshop kit (issue 21), beside GDAL writing the same layers as MBTiles:
#   bench/kit.sh [build-dir] [demo-store] [data-dir]
# For the demo store, then Ecuador's national base when the real data is there (build-ecuador into
# a temporary folder under $MICROPLAN_BENCH_DIR, removed at the end): the wall time of
# `microplan export kit STORE --max-zoom 10` and the sizes of what it writes (tiles.mbtiles,
# tiles.pmtiles, kit-data.js), beside `ogr2ogr -f MBTiles` of the store's zones, districts,
# circuits and establishments to the same zoom (GDAL's MVT writer: the peer a QGIS user would
# reach for; it does not share borders, clip by unit labels or write PMTiles).
set -euo pipefail
source "$(dirname "$0")/common.sh"
build=$(bench_abs "${1:-build}")
demo=$(bench_abs "${2:-$MICROPLAN_BENCH_DIR/demo.sqlite}")
data=$(bench_abs "${3:-$MICROPLAN_DATA}")
[ -f "$demo" ] || "$build/microplan" demo --out "$demo" >/dev/null
out=$(mktemp -d "$MICROPLAN_BENCH_DIR/kit.XXXXXX")
trap 'rm -rf "$out"' EXIT

mb() { python3 -c "import os, sys; print('%.1f MB' % (os.path.getsize(sys.argv[1]) / 1048576))" "$1"; }
count_tiles() { python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM tiles').fetchone()[0])" "$1"; }
seconds() { python3 -c "import sys; print('%.2f s' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

one() {  # one STORE LABEL
  local store=$1 label=$2 t0 t1 t2
  t0=$(date +%s.%N)
  "$build/microplan" export kit "$store" --out "$out/$label-kit" --max-zoom 10 >/dev/null 2>&1
  t1=$(date +%s.%N)
  ogr2ogr -f MBTiles "$out/$label-gdal.mbtiles" "$store" zones districts circuits establishments \
    -dsco MAXZOOM=10 -dsco MINZOOM=0 >/dev/null 2>&1
  t2=$(date +%s.%N)
  local tiles
  tiles=$(count_tiles "$out/$label-kit/tiles.mbtiles")
  echo "kit, $label (z0-10): microplan export kit $(seconds "$t0" "$t1"): $tiles tiles," \
    "MBTiles $(mb "$out/$label-kit/tiles.mbtiles"), PMTiles $(mb "$out/$label-kit/tiles.pmtiles")," \
    "kit-data.js $(mb "$out/$label-kit/kit-data.js")"
  echo "kit, $label (z0-10): ogr2ogr -f MBTiles (same four layers) $(seconds "$t1" "$t2"):" \
    "$(count_tiles "$out/$label-gdal.mbtiles") tiles, $(mb "$out/$label-gdal.mbtiles")"
}

one "$demo" demo
[ -d "$data" ] || { echo "skipped: the national kit, real data not found under $data"; exit 0; }
"$build/microplan" build-ecuador --data "$data" --out "$out/ec.sqlite" >/dev/null 2>&1
one "$out/ec.sqlite" ecuador
