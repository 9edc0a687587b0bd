#!/usr/bin/python3
"""access_distance.py -- straight-line accessibility of the real schools for the LandScan population:
microplan beside GeoPandas in one run, and their distances compared cell by cell.

    bench/access_distance.py build/microplan        (make bench runs it)

Job: for every inhabited LandScan 2023 cell (277,299 cells, ~1 km, WGS 84) the distance from its centre to
the nearest of the 10,565 schools (escuelas_coordenadas.geojson) in EPSG:32717, then the people within 2 / 5 /
10 km per canton.
microplan: `microplan access distance STORE --sector education --thresholds 2,5,10 --no-store --out-dir D`
on a store holding the cantons, the districts and zones built from them and the schools (built untimed);
its per-unit statistics use fractional cells for cantons, districts and zones.
GeoPandas (peer, Debian's 0.12 with Shapely 1.8, which has no sjoin_nearest): rasterio reads the raster,
cell centres -> GeoDataFrame -> to_crs(32717), nearest school by SciPy's cKDTree (the usual Python route),
then the cells joined to the cantons they fall in (sjoin, centroid rule, one level only) and summed per
canton. Wall time of the whole job, best of BL_RUNS runs,
peak RSS of each process. Without GeoPandas, SciPy or rasterio microplan runs alone, after one "skipped:" line.
The environment is bench/common.sh's (the script runs itself again through it when started alone): the
data from $MICROPLAN_DATA, the work folder under $MICROPLAN_BENCH_DIR (removed at the end).
"""
import os
import shutil
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
LANDSCAN = f"{DATA}/rasters/landscan_2023_continental.tif"
SCHOOLS = f"{DATA}/establishments/escuelas_coordenadas.geojson"
CANTONS = f"{DATA}/boundaries/cantones.geojson"


def geopandas_job(out):
    import geopandas as gpd
    import numpy as np
    import rasterio
    from scipy.spatial import cKDTree

    t0 = time.perf_counter()
    with rasterio.open(LANDSCAN) as r:
        a = r.read(1).astype("float64")
        if r.nodata is not None:
            a[a == r.nodata] = 0
        rows, cols = np.nonzero(a > 0)
        xs, ys = rasterio.transform.xy(r.transform, rows, cols, offset="center")
    cells = gpd.GeoDataFrame({"people": a[rows, cols], "row": rows, "col": cols},
                             geometry=gpd.points_from_xy(xs, ys), crs="EPSG:4326").to_crs(32717)
    schools = gpd.read_file(SCHOOLS)[["geometry"]].to_crs(32717)
    tree = cKDTree(np.column_stack([schools.geometry.x, schools.geometry.y]))
    metres, _ = tree.query(np.column_stack([cells.geometry.x, cells.geometry.y]))
    near = cells.assign(metres=metres)
    cantons = gpd.read_file(CANTONS)[["id", "geometry"]].to_crs(32717)
    inside = gpd.sjoin(near, cantons, how="inner", predicate="within")
    km = inside["metres"] / 1000.0
    per_canton = inside.assign(**{f"w{t}": inside["people"] * (km <= t) for t in (2, 5, 10)}).groupby("id")[
        ["people", "w2", "w5", "w10"]].sum()
    seconds = time.perf_counter() - t0
    np.save(out, np.stack([near["row"].to_numpy(), near["col"].to_numpy(), near["metres"].to_numpy() / 1000.0]))
    tot = per_canton.sum()
    return seconds, {t: tot[f"w{t}"] / tot["people"] * 100 for t in (2, 5, 10)}


def peer_missing():
    """The skip line for the first of the peer's modules that is not installed, or None."""
    for module, package in (("geopandas", "python3-geopandas"), ("rtree", "python3-rtree"),
                            ("scipy", "python3-scipy"), ("rasterio", "python3-rasterio")):
        try:
            __import__(module)
        except ImportError:
            return "skipped: GeoPandas + SciPy peer: %s not installed (apt-get install %s)" % (module, package)
    return None


def main():
    microplan = os.path.realpath(sys.argv[1])
    if not os.path.exists(LANDSCAN):
        print("skipped: real data not found under %s" % DATA)
        return
    work = tempfile.mkdtemp(prefix="access.", dir=os.environ["MICROPLAN_BENCH_DIR"])
    try:
        run(microplan, work)
    finally:
        shutil.rmtree(work)


def run(microplan, work):
    store = f"{work}/ec.sqlite"
    for args in (["import", CANTONS, "-s", store, "-l", "canton"],
                 ["build", store, "--from", "cantons", "--codification",
                  f"{DATA}/tables/senplades_zonas_distritos_circuitos.csv"],
                 ["import", "establishments", SCHOOLS, "-s", store, "--sector", "education"]):
        subprocess.run([microplan] + args, check=True, capture_output=True)
    best_m, rss_m, summary = 1e9, 0, ""
    for _ in range(RUNS):
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", microplan, "access", "distance", store, "--sector",
                            "education", "--thresholds", "2,5,10", "--no-store", "--population", LANDSCAN,
                            "--out-dir", work], capture_output=True, text=True, check=True)
        best_m = min(best_m, time.perf_counter() - t0)
        rss_m = max(rss_m, int(p.stderr.strip().splitlines()[-1]) / 1024)
        summary = p.stdout
    print(f"microplan: {best_m:.2f} s, peak RSS {rss_m:.0f} MB (distances + statistics for 224 cantons, "
          f"115 districts, 9 zones, fractional cells)")
    print(summary.strip())
    missing = peer_missing()
    if missing:
        print(missing)
        return
    best_g, shares = 1e9, {}
    for _ in range(RUNS):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the peer in its own process, for its own peak RSS
            os.close(r)
            try:
                s, sh = geopandas_job(f"{work}/gpd.npy")
                os.write(w, repr((s, sh)).encode())
            finally:
                os._exit(0)
        os.close(w)
        reply = os.read(r, 1 << 16).decode()
        _, status, usage = os.wait4(pid, 0)
        if not reply:
            raise SystemExit("the GeoPandas peer failed")
        s, shares = eval(reply)
        best_g = min(best_g, s)
        rss_g = usage.ru_maxrss / 1024
    import numpy as np
    import rasterio
    g = np.load(f"{work}/gpd.npy")
    with rasterio.open(f"{work}/distance_education.tif") as ds:
        m = ds.read(1, masked=True)
    rows, cols = g[0].astype(int), g[1].astype(int)
    ours = m[rows, cols]
    diff = np.abs(ours.data.astype("float64") - g[2])
    print(f"cells compared: {len(rows)}, missing in microplan: {int(ours.mask.sum())}, "
          f"|difference| max {diff.max() * 1000:.6f} m, mean {diff.mean() * 1000:.6f} m")
    print(f"GeoPandas + cKDTree: {best_g:.2f} s, peak RSS {rss_g:.0f} MB (distances + sums for the cantons, centroid rule); "
          + ", ".join(f"within {t} km {v:.1f} %" for t, v in shares.items()))
    print(f"speed-up: {best_g / best_m:.1f}x")

if __name__ == "__main__":
    main()
