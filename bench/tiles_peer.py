#!/usr/bin/python3
"""tiles_peer.py -- uncached vector tiles: microplan's server beside PostGIS ST_AsMVT, one run.

    bench/tiles_peer.py build/microplan [DEMO_STORE]     (make bench runs it; PostGIS needs root for pg_start.sh)

Layers: the detailed cantons (../shared/data/ecuador/boundaries/cantones_detalle.geojson.gz, 221 cantons,
1.12 M vertices) and the 1,134 circuits of the demo store. Tiles: every XYZ tile over the layer's
mainland box at z0..10 (the cantons: the 526 tiles of ../shared/peers/job2_mvt_postgis.py).
PostGIS: ../shared/peers/pg_start.sh cluster, the peer's 'pre3857' query with the same properties
(code, name, parent) and, like microplan's, a feature id (ST_AsMVT's feature_id_name) (geometry pre-transformed to
EPSG:3857, GiST, ST_AsMVTGeom extent 4096 buffer 64, ST_AsMVT). microplan: `microplan serve
--tile-cache-mb 0` on loopback, GET /tiles/{layer}/{z}/{x}/{y}.mvt without Accept-Encoding.
Both are driven the same way: 2 client processes pulling tiles from one queue, each with one
connection (psycopg2 / http.client keep-alive); wall time of the whole list, best of BL_RUNS runs.
Peak RSS: microplan server VmHWM; PostGIS backends' VmHWM (as the peer script).
Without PostGIS (not installed, or not root) microplan is measured alone, after one "skipped:" line.
The environment is bench/common.sh's (the script runs itself again through it when started alone): the
peers' scripts run from a copy, outputs under $MICROPLAN_BENCH_DIR.
"""
import http.client
import math
import multiprocessing as mp
import os
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COMMON = os.path.join(HERE, "common.sh")
if "MICROPLAN_BENCH_PEERS" not in os.environ:  # bench/common.sh's environment, then this script again
    os.execv("/bin/bash", ["bash", "-c", 'source "$1"; shift; MICROPLAN_BENCH_PEERS=$(peers_copy || true) '
                           'exec /usr/bin/python3 "$@"', "bash", COMMON, os.path.abspath(__file__)] + sys.argv[1:])
PEERS = os.environ["MICROPLAN_BENCH_PEERS"]
if not PEERS or not os.path.exists(os.path.join(os.environ["MICROPLAN_DATA"], "boundaries/cantones_detalle.geojson.gz")):
    print("skipped: uncached tiles (the real data or the peers' scripts were not found)")
    sys.exit(0)
try:
    import numpy as np
except ImportError:
    print("skipped: NumPy not installed (apt-get install python3-numpy)")
    sys.exit(0)
sys.path.insert(0, PEERS)
from lib_bench import BL_DATA, BL_WORK, EC_BBOX, PG_DSN, backend_hwm_mb  # noqa: E402

RUNS = int(os.environ.get("BL_RUNS", "3"))
MAXZOOM = 10
WORK = os.path.join(BL_WORK, "microplan_tiles")


def tiles_for_bbox(xmin, ymin, xmax, ymax, maxzoom):
    def tx(lon, z):
        return int(math.floor((lon + 180.0) / 360.0 * 2 ** z))

    def ty(lat, z):
        r = math.radians(lat)
        return int(math.floor((1.0 - math.log(math.tan(r) + 1.0 / math.cos(r)) / math.pi) / 2.0 * 2 ** z))

    return [(z, x, y) for z in range(maxzoom + 1) for x in range(tx(xmin, z), tx(xmax, z) + 1)
            for y in range(ty(ymax, z), ty(ymin, z) + 1)]


def pg_worker(table, tq, rq):
    import psycopg2
    conn = psycopg2.connect(PG_DSN)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    q = ("SELECT ST_AsMVT(q, %(layer)s, 4096, 'geom', 'fid') FROM (SELECT fid, code, name, parent,"
         " ST_AsMVTGeom(geom_3857, ST_TileEnvelope(%(z)s,%(x)s,%(y)s), 4096, 64, true) AS geom FROM " + table +
         " WHERE geom_3857 && ST_TileEnvelope(%(z)s,%(x)s,%(y)s, margin => 64.0/4096)) q")
    rq.put(("ready", pid))
    while True:
        t = tq.get()
        if t is None:
            break
        z, x, y = t
        cur.execute(q, {"layer": table, "z": z, "x": x, "y": y})
        b = cur.fetchone()[0]
        rq.put(("tile", (z, x, y, len(bytes(b)) if b is not None else 0)))
    rq.put(("done", backend_hwm_mb(pid)))


def http_worker(port, layer, tq, rq):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    rq.put(("ready", None))
    while True:
        t = tq.get()
        if t is None:
            break
        z, x, y = t
        conn.request("GET", "/tiles/%s/%d/%d/%d.mvt" % (layer, z, x, y))
        r = conn.getresponse()
        b = r.read()
        assert r.status == 200, (r.status, b[:200])
        rq.put(("tile", (z, x, y, len(b))))
    rq.put(("done", None))


def run_once(target, args, tiles, workers=2):
    tq, rq = mp.Queue(), mp.Queue()
    procs = [mp.Process(target=target, args=args + (tq, rq)) for _ in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        assert rq.get()[0] == "ready"
    t0 = time.perf_counter()
    for t in tiles:
        tq.put(t)
    for _ in procs:
        tq.put(None)
    got, hwm, done = [], [], 0
    while done < workers:
        kind, v = rq.get()
        if kind == "tile":
            got.append(v)
        else:
            done += 1
            hwm.append(v or 0)
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    sizes = np.array([g[3] for g in got])
    ne = sizes[sizes > 0]
    return dict(wall=wall, tiles=len(got), tiles_per_s=len(got) / wall, p95=int(np.percentile(ne, 95)),
                p50=int(np.percentile(ne, 50)), max=int(ne.max()), empty=int((sizes == 0).sum()), hwm=sum(hwm))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def serve(microplan, store):
    port = free_port()
    p = subprocess.Popen([microplan, "serve", store, "--port", str(port), "--tile-cache-mb", "0", "--access-log", "off",
                          "--watch-seconds", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()  # "microplan serving ..." once listening
    assert "serving" in line, (line, p.stderr.read())
    return p, port


def vmhwm_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def best(runs):
    return min(runs, key=lambda r: r["wall"])


def report(name, engine, r, extra=""):
    print("%-10s %-9s %5d tiles %6.3f s %8.1f tiles/s  p50 %6d B  p95 %6d B  max %7d B  empty %3d  peak %6.1f MB %s" % (
        name, engine, r["tiles"], r["wall"], r["tiles_per_s"], r["p50"], r["p95"], r["max"], r["empty"], r["hwm"], extra),
        flush=True)


def postgis_available():
    """bench/common.sh's check: installed, and root (the private cluster runs as 'postgres')."""
    return subprocess.run(["bash", "-c", 'source "$0"; bench_need_postgis', COMMON]).returncode == 0


def load_postgis(layers):
    import psycopg2
    for table, src, *sql in layers:
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", "PG:" + PG_DSN, src, *sql, "-nln", table,
                        "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid", "-nlt", "PROMOTE_TO_MULTI", "-overwrite"], check=True)
        conn = psycopg2.connect(PG_DSN)
        conn.autocommit = True
        with conn.cursor() as c:
            c.execute("ALTER TABLE %s ADD COLUMN geom_3857 geometry(MultiPolygon, 3857);"
                      "UPDATE %s SET geom_3857 = ST_Transform(geom, 3857);"
                      "CREATE INDEX ON %s USING gist(geom_3857)" % ((table,) * 3))
            c.execute("VACUUM ANALYZE %s" % table)
        conn.close()


def main():
    microplan = os.path.abspath(sys.argv[1])
    demo = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    os.makedirs(WORK, exist_ok=True)
    cantons_src = "/vsigzip/" + os.path.join(BL_DATA, "boundaries/cantones_detalle.geojson.gz")
    layers = [("cantons", cantons_src, "-sql", "SELECT DPA_CANTON AS code, DPA_DESCAN AS name, DPA_PROVIN AS parent FROM cantones_detalle")]
    if demo:
        layers.append(("circuits", demo, "-sql", "SELECT code, name, parent_code AS parent, geom FROM circuits"))
    with_pg = postgis_available()
    if with_pg:
        subprocess.run([os.path.join(PEERS, "pg_start.sh")], check=True, stdout=subprocess.DEVNULL)
    try:
        if with_pg:
            load_postgis(layers)
        measure(microplan, cantons_src, demo, with_pg)
    finally:
        if with_pg:
            subprocess.run([os.path.join(PEERS, "pg_stop.sh")], check=True, stdout=subprocess.DEVNULL)


def measure(microplan, cantons_src, demo, with_pg):
    # microplan stores: the cantons imported as they are; the demo store served as is.
    cantons_store = os.path.join(WORK, "cantones.sqlite")
    if os.path.exists(cantons_store):
        os.remove(cantons_store)
    t0 = time.perf_counter()
    subprocess.run([microplan, "import", cantons_src, "-s", cantons_store, "-l", "canton"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("microplan import of the cantons: %.2f s" % (time.perf_counter() - t0))
    stores = [("cantons", cantons_store, EC_BBOX)]
    if demo:
        out = subprocess.run(["ogrinfo", "-ro", "-so", "-al", demo, "circuits"], capture_output=True, text=True).stdout
        ext = [l for l in out.splitlines() if l.startswith("Extent:")][0]
        nums = [float(v) for v in re.findall(r"-?[0-9.]+", ext)]
        stores.append(("circuits", demo, (nums[0], nums[1], nums[2], nums[3])))
    print("%-10s %-9s" % ("layer", "engine"))
    for layer, store, bbox in stores:
        tiles = tiles_for_bbox(*bbox, MAXZOOM)
        pg = best([run_once(pg_worker, (layer,), tiles) for _ in range(RUNS)]) if with_pg else None
        if pg:
            report(layer, "postgis", pg)
        t0 = time.perf_counter()
        proc, port = serve(microplan, store)
        start = time.perf_counter() - t0
        mp_runs = []
        for _ in range(RUNS):
            mp_runs.append(run_once(http_worker, (port, layer), tiles))
        r = best(mp_runs)
        r["hwm"] = vmhwm_mb(proc.pid)
        proc.terminate()
        proc.wait()
        first = mp_runs[0]
        report(layer, "microplan", r, "(first run %.3f s incl. per-zoom simplification; server start %.2f s)%s"
               % (first["wall"], start, " %.1fx PostGIS" % (r["tiles_per_s"] / pg["tiles_per_s"]) if pg else ""))
        engines_alone(microplan, layer, store, tiles, with_pg)


def engines_alone(microplan, layer, store, tiles, with_pg):
    """The same tiles without a client: one SQL statement in one backend, one microplan thread in process."""
    pg = postgis_alone(layer, tiles) if with_pg else None
    listing = os.path.join(WORK, "tiles_%s.txt" % layer)
    with open(listing, "w") as f:
        f.writelines("%d %d %d\n" % t for t in tiles)
    bench = os.path.join(os.path.dirname(microplan), "bench", "microplan_bench_tiles")
    out = subprocess.run([bench, "--benchmark_filter=render_z0_10/%s$" % layer, "--benchmark_format=json"],
                         env=dict(os.environ, MICROPLAN_STORE=store, MICROPLAN_TILE_LIST=listing),
                         capture_output=True, text=True, check=True).stdout
    import json
    ours = json.loads(out)["benchmarks"][0]["tiles_per_s"]
    if pg:
        print("%-10s engines alone, one core, no client: PostGIS %.0f tiles/s, microplan %.0f tiles/s (%.1fx)"
              % (layer, pg, ours, ours / pg), flush=True)
    else:
        print("%-10s engine alone, one core, no client: microplan %.0f tiles/s" % (layer, ours), flush=True)


def postgis_alone(layer, tiles):
    import psycopg2
    conn = psycopg2.connect(PG_DSN)
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("CREATE TEMP TABLE tl(z int, x int, y int)")
        c.executemany("INSERT INTO tl VALUES (%s, %s, %s)", tiles)
        q = ("SELECT count(*), sum(length(m)) FROM tl, LATERAL (SELECT ST_AsMVT(q, '" + layer + "', 4096, 'geom', 'fid') AS m"
             " FROM (SELECT fid, code, name, parent, ST_AsMVTGeom(geom_3857, ST_TileEnvelope(tl.z, tl.x, tl.y), 4096, 64, true)"
             " AS geom FROM " + layer + " WHERE geom_3857 && ST_TileEnvelope(tl.z, tl.x, tl.y, margin => 64.0/4096)) q) s")
        walls = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            c.execute(q)
            c.fetchone()
            walls.append(time.perf_counter() - t0)
    conn.close()
    return len(tiles) / min(walls)


if __name__ == "__main__":
    main()
