#!/usr/bin/env python3
"""live_travel.py -- a workshop edit, timed as the viewer waits for it: from a proposal's POST to the
updated people-within-minutes per unit (GET /scenarios/{id}/compare?sector=S&level=L), beside the full
`microplan access travel-time` run over the same surface that the live path replaces.

    bench/live_travel.py build/microplan STORE SECTOR [LEVEL] [EDITS]

The store's travel-time run of SECTOR must have kept its surface (the demo's do; build-ecuador
--friction-out for the national base). The server starts with an edit token; one scenario; the
first compare builds the shared baseline (reported apart); then EDITS (default 20) proposals at
inhabited places (a point inside a random unit), each POST + compare timed, then each DELETE +
compare timed; then as many existing establishments closed (POST closure + compare) and reopened.
Prints medians and the full run's wall time. Writes only under $MICROPLAN_BENCH_DIR.
"""
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request

MICROPLAN, STORE, SECTOR = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
LEVEL = sys.argv[4] if len(sys.argv) > 4 else "circuit"
EDITS = int(sys.argv[5]) if len(sys.argv) > 5 else 20
TOKEN = "bench-live-travel-0123456789"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data, method=method)
    req.add_header("Authorization", "Bearer " + TOKEN)
    if data:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=600) as r:
        text = r.read()
    return json.loads(text) if text else None


def run_row():
    db = sqlite3.connect("file:%s?mode=ro" % STORE, uri=True)
    row = db.execute(
        "SELECT r.population_source, s.source FROM accessibility_runs r JOIN accessibility_surfaces s"
        " ON s.run_id = r.id WHERE r.sector = ? AND r.measure = 'travel_time'", (SECTOR,)).fetchone()
    if not row:
        sys.exit("%s: no travel-time run of %s that kept its surface" % (STORE, SECTOR))
    # A relative file is found as the server finds it: as named, else beside the store.
    beside = lambda f: f if os.path.exists(f) else os.path.join(os.path.dirname(STORE), os.path.basename(f))
    return beside(row[0]), beside(row[1])


def inside_points(port, n):
    """Points inside random circuits (the mean of their outer ring: inside for most), as lon/lat."""
    table = "circuits"
    units = []
    offset = 0
    while True:
        page = call(port, "GET", "/collections/%s/items?limit=1000&offset=%d" % (table, offset))
        units += page["features"]
        if len(page["features"]) < 1000:
            break
        offset += 1000
    random.seed(7)
    picked = []
    for f in random.sample(units, min(n, len(units))):
        g = f["geometry"]
        ring = g["coordinates"][0] if g["type"] == "Polygon" else max(g["coordinates"], key=lambda p: len(p[0]))[0]
        lon = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
        lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
        picked.append((lon, lat))
    return picked


def main():
    population, surface = run_row()
    port = free_port()
    work = os.environ.get("MICROPLAN_BENCH_DIR", "/tmp/microplan-bench")
    os.makedirs(work, exist_ok=True)
    log = open(os.path.join(work, "live_travel_serve.log"), "w")
    server = subprocess.Popen([MICROPLAN, "serve", STORE, "--port", str(port), "--access-log", "off",
                               "--watch-seconds", "0", "--edit-token", TOKEN], stdout=log, stderr=log)
    try:
        for _ in range(6000):
            try:
                call(port, "GET", "/health")
                break
            except Exception:
                time.sleep(0.05)
        scenario = call(port, "POST", "/scenarios", {"name": "bench"})["id"]
        typology = next(s["typology"] for s in call(port, "GET", "/catalogue")["standards"] if s["sector"] == SECTOR)
        compare = "/scenarios/%d/compare?sector=%s&level=%s" % (scenario, SECTOR, LEVEL)
        t0 = time.perf_counter()
        first = call(port, "GET", compare)
        cold = time.perf_counter() - t0
        if "travel_time" not in first:
            sys.exit("the compare has no travel_time block: is the run's surface readable?")
        points = inside_points(port, EDITS)
        adds, removes, inner_add, inner_remove, gained = [], [], [], [], []
        ids = []
        for lon, lat in points:
            t0 = time.perf_counter()
            p = call(port, "POST", "/scenarios/%d/establishments" % scenario,
                     {"sector": SECTOR, "typology": typology, "lon": lon, "lat": lat})
            c = call(port, "GET", compare)
            adds.append(time.perf_counter() - t0)
            inner_add.append(c["travel_time"]["update_ms"])
            ids.append(p["id"])
            gained.append(c["travel_time"].get("newly_within_minutes", 0))
        # Capacity-limited coverage, asked for apart (recomputed whole after an edit, then kept).
        t0 = time.perf_counter()
        cap = call(port, "GET", compare + "&capacity=true")["travel_time"].get("capacity")
        capacity_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        call(port, "GET", compare + "&capacity=true")
        capacity_kept_s = time.perf_counter() - t0
        for pid in ids:
            t0 = time.perf_counter()
            call(port, "DELETE", "/scenarios/%d/establishments/%d" % (scenario, pid))
            c = call(port, "GET", compare)
            removes.append(time.perf_counter() - t0)
            inner_remove.append(c["travel_time"]["update_ms"])
        back = c["travel_time"]["within_after"] == c["travel_time"]["within_before"]
        # Existing establishments closed in the scenario, then opened again.
        existing = call(port, "GET", "/collections/establishments/items?limit=10000&sector=%s" % SECTOR)["features"]
        random.seed(11)
        closes, reopens, inner_close, lost = [], [], [], []
        shut = [f["id"] for f in random.sample(existing, min(EDITS, len(existing)))]
        for fid in shut:
            t0 = time.perf_counter()
            call(port, "POST", "/scenarios/%d/closures/%d" % (scenario, fid))
            c = call(port, "GET", compare)
            closes.append(time.perf_counter() - t0)
            inner_close.append(c["travel_time"]["update_ms"])
            lost.append(c["travel_time"]["within_before"][-1] - c["travel_time"]["within_after"][-1])
        for fid in shut:
            t0 = time.perf_counter()
            call(port, "DELETE", "/scenarios/%d/closures/%d" % (scenario, fid))
            c = call(port, "GET", compare)
            reopens.append(time.perf_counter() - t0)
        back = back and c["travel_time"]["within_after"] == c["travel_time"]["within_before"]
        t0 = time.perf_counter()
        suggested = call(port, "GET", "/scenarios/%d/suggest?sector=%s&count=3" % (scenario, SECTOR))
        suggest_s = time.perf_counter() - t0
        rss = next(l.split()[1] for l in open("/proc/%d/status" % server.pid) if l.startswith("VmRSS"))
    finally:
        server.terminate()
        server.wait()
    t0 = time.perf_counter()
    subprocess.run([MICROPLAN, "access", "travel-time", STORE, "--sector", SECTOR, "--population", population,
                    "--friction", surface, "--no-store"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    full = time.perf_counter() - t0
    ms = lambda v: "%.1f ms" % (1000 * v)
    print("live travel time, %s, %s at %s level, %d edits" % (os.path.basename(STORE), SECTOR, LEVEL, len(adds)))
    print("  first compare (builds the shared baseline): %.2f s" % cold)
    print("  POST proposal + compare: median %s, max %s (recompute inside: median %.2f ms)"
          % (ms(statistics.median(adds)), ms(max(adds)), statistics.median(inner_add)))
    print("  DELETE proposal + compare: median %s, max %s (recompute inside: median %.2f ms)"
          % (ms(statistics.median(removes)), ms(max(removes)), statistics.median(inner_remove)))
    print("  people newly within the standard's time after the last add: %s" % gained[-1])
    print("  POST closure of an existing establishment + compare: median %s, max %s (recompute inside: median"
          " %.2f ms); DELETE (reopen) + compare: median %s"
          % (ms(statistics.median(closes)), ms(max(closes)), statistics.median(inner_close),
             ms(statistics.median(reopens))))
    print("  people no longer within the last threshold with %d establishments closed: %d" % (len(closes), lost[-1]))
    print("  every proposal deleted and every closure reopened: back to the baseline: %s" % back)
    if cap:
        print("  compare&capacity=true after the last edit: %s (people served within capacity %d -> %d);"
              " asked again: %s" % (ms(capacity_s), cap["covered_before"], cap["covered_after"], ms(capacity_kept_s)))
    print("  suggest 3 sites (greedy maximal covering over the live time, %d candidate cells): %.2f s"
          % (suggested["candidates"], suggest_s))
    print("  server's resident memory with the baseline and one scenario: %.0f MB" % (int(rss) / 1024))
    print("  full run it replaces (microplan access travel-time --no-store): %.2f s; ratio %.0fx"
          % (full, full / statistics.median(adds)))
    if not back:
        sys.exit(1)


main()
