#!/usr/bin/python3
"""plans.py -- judging and comparing districting plans on the national circuits: `microplan design
evaluate` and `design compare` beside GeoPandas in one run, their figures compared.

    bench/plans.py build/microplan        (make bench runs it)

Job (evaluate): the 1,130 circuits of the national base (`build-ecuador`, built untimed, no travel
times) against 11,000 people: Polsby-Popper, Reock and convex hull ratio per circuit in EPSG:32717,
deviation from the target, and the parishes (1,040) split between circuits with a piece larger than
0.05 km² and 1 % of the parish or of the circuit.
Job (compare): the circuits of that base against those of a second build with another seed: cells of
A x B, parish people shared over them by area, units matched greedily by shared people, people moved
and the variation of information.
microplan: `design evaluate STORE --target 11000 --json F` (it also checks contiguity, nesting and gaps,
which the peer does not) and `design compare STORE STORE2 --json F`, 2 threads.
GeoPandas (peer, Debian's 0.12 with Shapely 1.8): read_file from the store, to_crs, area/length/convex
hull, overlay; Shapely 1.8 has no minimum bounding circle, so Reock's circle is Welzl's algorithm over
the hull's vertices in Python. Wall time of each job, best of BL_RUNS runs, each in its own process.
Without GeoPandas microplan runs alone, after one "skipped:" line.
The environment is bench/common.sh's: the data from $MICROPLAN_DATA, the work folder under
$MICROPLAN_BENCH_DIR (removed at the end).
"""
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if "MICROPLAN_BENCH_PEERS" not in os.environ:  # bench/common.sh's environment, then this script again
    os.execv("/bin/bash", ["bash", "-c", 'source "$1"; shift; MICROPLAN_BENCH_PEERS=$(peers_copy || true) '
                           'exec /usr/bin/python3 "$@"', "bash", os.path.join(HERE, "common.sh"),
                           os.path.abspath(__file__)] + sys.argv[1:])
DATA = os.environ["MICROPLAN_DATA"]
RUNS = int(os.environ.get("BL_RUNS", "3"))
TARGET = 11000
SLIVER = 0.05e6


def circle(points):
    """Smallest enclosing circle (x, y, r): Welzl's algorithm in the incremental form with the
    left / right circumcircle choice, which stays exact when hull vertices are nearly collinear.
    Coordinates are centred first for precision."""
    ox = sum(p[0] for p in points) / len(points)
    oy = sum(p[1] for p in points) / len(points)
    pts = [(p[0] - ox, p[1] - oy) for p in points]
    random.Random(1).shuffle(pts)
    eps = 1 + 1e-14

    def inside(c, p):
        return c is not None and math.hypot(p[0] - c[0], p[1] - c[1]) <= c[2] * eps

    def diameter(a, b):
        x, y = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        return x, y, max(math.hypot(x - a[0], y - a[1]), math.hypot(x - b[0], y - b[1]))

    def circumcircle(a, b, c):
        d = (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1])) * 2
        if d == 0:
            return None
        x = ((a[0] ** 2 + a[1] ** 2) * (b[1] - c[1]) + (b[0] ** 2 + b[1] ** 2) * (c[1] - a[1])
             + (c[0] ** 2 + c[1] ** 2) * (a[1] - b[1])) / d
        y = ((a[0] ** 2 + a[1] ** 2) * (c[0] - b[0]) + (b[0] ** 2 + b[1] ** 2) * (a[0] - c[0])
             + (c[0] ** 2 + c[1] ** 2) * (b[0] - a[0])) / d
        return x, y, max(math.hypot(x - q[0], y - q[1]) for q in (a, b, c))

    def cross(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    def two_points(sub, p, q):
        circ, left, right = diameter(p, q), None, None
        for r in sub:
            if inside(circ, r):
                continue
            k, c = cross(p, q, r), circumcircle(p, q, r)
            if c is None:
                continue
            if k > 0 and (left is None or cross(p, q, c) > cross(p, q, left)):
                left = c
            elif k < 0 and (right is None or cross(p, q, c) < cross(p, q, right)):
                right = c
        if left is None and right is None:
            return circ
        if left is None or (right is not None and right[2] < left[2]):
            return right
        return left

    def one_point(sub, p):
        c = (p[0], p[1], 0.0)
        for i, q in enumerate(sub):
            if not inside(c, q):
                c = diameter(p, q) if c[2] == 0 else two_points(sub[:i + 1], p, q)
        return c

    c = None
    for i, p in enumerate(pts):
        if c is None or not inside(c, p):
            c = one_point(pts[:i + 1], p)
    return c[0] + ox, c[1] + oy, c[2]


def people(store, level):
    with sqlite3.connect(store) as db:
        return dict(db.execute("SELECT code, value FROM population WHERE level = ? AND band = 'total' AND year = "
                               "(SELECT min(year) FROM population WHERE level = ? AND method <> 'projection')",
                               (level, level)))


def evaluate_job(store):
    import geopandas as gpd
    t0 = time.perf_counter()
    circuits = gpd.read_file(store, layer="circuits")[["code", "geometry"]].to_crs(32717)
    parishes = gpd.read_file(store, layer="parishes")[["code", "geometry"]].to_crs(32717)
    pop = people(store, "circuit")
    area, perimeter = circuits.geometry.area, circuits.geometry.length
    hull = circuits.geometry.convex_hull
    rows = {}
    for code, a, p, g, h in zip(circuits["code"], area, perimeter, circuits.geometry, hull):
        x, y, r = circle(list(h.exterior.coords) if h.geom_type == "Polygon" else list(h.coords))
        rows[code] = {"pp": 4 * math.pi * a / p ** 2, "reock": a / (math.pi * r * r), "hull": a / h.area,
                      "deviation": pop.get(code, 0) / TARGET - 1}
    pieces = gpd.overlay(parishes.rename(columns={"code": "parish"}), circuits, how="intersection",
                         keep_geom_type=True)
    parish_area = dict(zip(parishes["code"], parishes.geometry.area))
    circuit_area = dict(zip(circuits["code"], area))
    pieces["m2"] = pieces.geometry.area
    big = pieces[(pieces["m2"] > SLIVER) & (pieces["m2"] > 0.01 * pieces.apply(
        lambda r: min(parish_area[r["parish"]], circuit_area[r["code"]]), axis=1))]
    counts = big.groupby("parish")["code"].nunique()
    split = sorted(counts[counts > 1].index)
    return time.perf_counter() - t0, rows, split


def compare_job(store_a, store_b):
    import geopandas as gpd
    t0 = time.perf_counter()
    a = gpd.read_file(store_a, layer="circuits")[["code", "geometry"]].to_crs(32717).rename(columns={"code": "a"})
    b = gpd.read_file(store_b, layer="circuits")[["code", "geometry"]].to_crs(32717).rename(columns={"code": "b"})
    parishes = gpd.read_file(store_a, layer="parishes")[["code", "geometry"]].to_crs(32717)
    pop = people(store_a, "parish")
    parishes["density"] = [pop.get(c, 0) / g.area if g.area > 0 else 0 for c, g in
                           zip(parishes["code"], parishes.geometry)]
    cells = gpd.overlay(a, b, how="intersection", keep_geom_type=True)
    pieces = gpd.overlay(cells, parishes, how="intersection", keep_geom_type=True)
    pieces["people"] = pieces.geometry.area * pieces["density"]
    joint = pieces.groupby(["a", "b"])["people"].sum()
    total = joint.sum()
    used_a, used_b, matched = set(), set(), 0.0
    for (ca, cb), p in sorted(joint.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1])):
        if ca in used_a or cb in used_b:
            continue
        used_a.add(ca), used_b.add(cb)
        matched += p
    pa, pb = joint.groupby(level=0).sum() / total, joint.groupby(level=1).sum() / total
    vi = -sum(p / total * (math.log2(p / total / pa[ca]) + math.log2(p / total / pb[cb]))
              for (ca, cb), p in joint.items() if p > 0)
    return time.perf_counter() - t0, total - matched, total, vi


def in_process(fn, *args):
    """fn(*args) in a forked process: (its result, its peak RSS in MB)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.write(w, json.dumps(fn(*args)).encode())
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while True:
        chunk = os.read(r, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    _, _, usage = os.wait4(pid, 0)
    if not chunks:
        raise SystemExit(f"the GeoPandas peer failed in {fn.__name__}")
    return json.loads(b"".join(chunks)), usage.ru_maxrss / 1024


def timed(cmd):
    best = 1e9
    for _ in range(RUNS):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - t0)
        if p.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed: {p.stderr[-2000:]}")
    return best


def main():
    microplan = os.path.realpath(sys.argv[1])
    if not os.path.exists(f"{DATA}/boundaries/parroquias.geojson"):
        print("skipped: real data not found under %s" % DATA)
        return
    work = tempfile.mkdtemp(prefix="plans.", dir=os.environ["MICROPLAN_BENCH_DIR"])
    try:
        run(microplan, work)
    finally:
        shutil.rmtree(work)


def run(microplan, work):
    stores = [f"{work}/ec.sqlite", f"{work}/ec_seed2.sqlite"]
    for store, seed in zip(stores, ("1", "2")):
        subprocess.run([microplan, "build-ecuador", "--data", DATA, "--out", store, "--road-speeds-dir", "",
                        "--seed", seed, "--threads", "2"], check=True, capture_output=True)
    ev = f"{work}/evaluate.json"
    t_eval = timed([microplan, "design", "evaluate", stores[0], "--target", str(TARGET), "--json", ev,
                    "--threads", "2"])
    cmp_json = f"{work}/compare.json"
    t_cmp = timed([microplan, "design", "compare", stores[0], stores[1], "--json", cmp_json, "--threads", "2"])
    ours = json.load(open(ev))
    ours_cmp = json.load(open(cmp_json))["summary"]
    print(f"microplan design evaluate: {t_eval:.2f} s ({len(ours['units'])} circuits, "
          f"{ours['summary']['split_finer_units']} parishes split; contiguity, nesting and gaps too)")
    print(f"microplan design compare: {t_cmp:.2f} s (people moved {ours_cmp['people_moved']:.0f} of "
          f"{ours_cmp['people']:.0f}, VI {ours_cmp['variation_of_information_bits']:.4f} bits)")
    try:
        __import__("geopandas")
    except ImportError:
        print("skipped: GeoPandas peer not installed (apt-get install python3-geopandas)")
        return
    best_e, best_c = 1e9, 1e9
    for _ in range(RUNS):
        (s, rows, split), rss_e = in_process(evaluate_job, stores[0])
        best_e = min(best_e, s)
        (s2, moved, total, vi), rss_c = in_process(compare_job, stores[0], stores[1])
        best_c = min(best_c, s2)
    diff = {k: 0.0 for k in ("pp", "reock", "hull", "deviation")}
    for u in ours["units"]:
        g = rows[u["code"]]
        mine = {"pp": u["polsby_popper"], "reock": u["reock"], "hull": u["convex_hull"],
                "deviation": u["deviation_pct"] / 100}
        for k in diff:
            diff[k] = max(diff[k], abs(mine[k] - g[k]))
    our_split = sorted(s["code"] for s in ours["splits"])
    print("evaluate, largest |difference| per circuit: " + ", ".join(f"{k} {v:.2e}" for k, v in diff.items())
          + f"; split parishes: microplan {len(our_split)}, GeoPandas {len(split)}, "
          + f"in one only: {sorted(set(our_split) ^ set(split))}")
    print(f"GeoPandas evaluate: {best_e:.2f} s, peak RSS {rss_e:.0f} MB (measures, deviation, parish overlay)")
    print(f"speed-up evaluate: {best_e / t_eval:.1f}x")
    print(f"compare: people moved microplan {ours_cmp['people_moved']:.0f}, GeoPandas {moved:.0f} "
          f"(of {ours_cmp['people']:.0f} and {total:.0f}); VI {ours_cmp['variation_of_information_bits']:.4f} "
          f"and {vi:.4f} bits")
    print(f"GeoPandas compare: {best_c:.2f} s, peak RSS {rss_c:.0f} MB (two overlays, matching, VI)")
    print(f"speed-up compare: {best_c / t_cmp:.1f}x")


if __name__ == "__main__":
    main()
