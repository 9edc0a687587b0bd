#!/usr/bin/env python3
"""oapif_compare.py -- the OGC API item pages of microplan and of another OAPIF server (QGIS Server),
decoded and compared feature by feature (issue 25, goal 2). Measures nothing; python3 stdlib only.

  bench/oapif_compare.py MICROPLAN_URL PEER_URL [--peer-name QGIS] [--collections circuits,establishments]
                         [--limit 100] [--offsets 0,100,...,1000] [--peer-suffix .json] [--tolerance 6e-7]

MICROPLAN_URL is microplan's root (pages at /collections/{id}/items?limit=&offset=); PEER_URL is the peer's
OGC API root (for QGIS Server http://host:port/wfs3; pages at /collections/{id}/items{suffix}?limit=&offset=).
Both are asked for the same pages; the features of all the pages of a collection are put end to end and
compared one by one:
  ids       the feature ids, as strings (QGIS Server writes "1", microplan 1), in the same order; if the
            order differs the features are aligned by id and the line says so.
  properties  every property both servers serve, by name; a property one server serves under another name
            is paired when its values agree on 90% of the features or more (printed as microplan=peer(PEER)); a property only one
            side serves is listed, not compared. null and an absent property are equal. Numbers equal exactly,
            or when the less precise side is the other rounded to some decimals (listed, with the decimals).
  geometry  same type, same rings and vertices in the same order, every coordinate within --tolerance
            degrees (default 6e-7: QGIS Server 3.22 writes GeoJSON with 6 decimals whatever WFSLayersPrecision
            says, i.e. rounds by up to 5e-7 degrees, about 5 cm).
Prints one line per collection (features compared, identical, differing, the first difference explained),
then indented lines on the property sets, renamings, roundings and the largest coordinate deviation.
Exit status 1 when a feature differs, 2 when a page cannot be fetched.
"""
import argparse
import json
import sys
import urllib.request


def fetch(url):
    req = urllib.request.Request(url, headers={"Accept": "application/geo+json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read().decode("utf-8"))


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def rounded_to(precise, coarse):
    """the number of decimals d such that round(precise, d) == coarse, or None."""
    for d in range(0, 16):
        r = round(precise, d)
        if r == coarse or abs(r - coarse) <= 1e-12 * max(1.0, abs(coarse)):
            return d
    return None


def decimals(x):
    """the fewest decimals that write x (325.01300000000003, a double near 325.013, has 3)."""
    for d in range(0, 16):
        if abs(round(x, d) - x) <= 1e-12 * max(1.0, abs(x)):
            return d
    return 16


def num_equal(a, b):
    """(equal, rounding) for two numbers: rounding is None when exactly equal, else (side, decimals)
    with side 'microplan' or 'peer', the side that rounded."""
    if a == b:
        return True, None
    # the side printed with fewer decimals is the one that may have rounded
    if decimals(a) <= decimals(b):
        d = rounded_to(b, a)
        return (d is not None), (("microplan", d) if d is not None else None)
    d = rounded_to(a, b)
    return (d is not None), (("peer", d) if d is not None else None)


def values_equal(a, b):
    if a is None or b is None:
        return a is None and b is None, None
    if is_num(a) and is_num(b):
        return num_equal(a, b)
    return a == b, None


def coords_compare(a, b, tol, path="coordinates"):
    """(max deviation, None) when same structure within tol, else (dev, reason)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        d = abs(a - b)
        return d, (None if d <= tol else "%s: %r vs %r (|d| %.2g > %.2g)" % (path, a, b, d, tol))
    if not isinstance(a, list) or not isinstance(b, list):
        return 0.0, "%s: structure differs" % path
    if len(a) != len(b):
        return 0.0, "%s: %d vs %d elements" % (path, len(a), len(b))
    worst = 0.0
    for i, (x, y) in enumerate(zip(a, b)):
        d, why = coords_compare(x, y, tol, "%s[%d]" % (path, i))
        worst = max(worst, d)
        if why:
            return worst, why
    return worst, None


def geometry_compare(ga, gb, tol):
    if ga is None or gb is None:
        return 0.0, (None if ga is None and gb is None else "geometry null on one side")
    if ga.get("type") != gb.get("type"):
        return 0.0, "geometry type %s vs %s" % (ga.get("type"), gb.get("type"))
    return coords_compare(ga.get("coordinates"), gb.get("coordinates"), tol)


def offsets_arg(s):
    return [int(x) for x in s.split(",") if x != ""]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("microplan")
    ap.add_argument("peer")
    ap.add_argument("--peer-name", default="QGIS")
    ap.add_argument("--collections", default="circuits,establishments")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--offsets", type=offsets_arg, default=list(range(0, 1100, 100)))
    ap.add_argument("--peer-suffix", default=".json")
    ap.add_argument("--tolerance", type=float, default=6e-7)
    args = ap.parse_args()
    peer = args.peer_name
    status = 0

    for coll in args.collections.split(","):
        mp, pr = [], []
        for off in args.offsets:
            q = "?limit=%d&offset=%d" % (args.limit, off)
            try:
                a = fetch("%s/collections/%s/items%s" % (args.microplan.rstrip("/"), coll, q))
                b = fetch("%s/collections/%s/items%s%s" % (args.peer.rstrip("/"), coll, args.peer_suffix, q))
            except Exception as e:  # noqa: BLE001 -- any failure to fetch or decode is reported the same way
                print("%s: cannot fetch the page at offset %d: %s" % (coll, off, e))
                return 2
            mp += a.get("features", [])
            pr += b.get("features", [])

        ids_mp = [str(f.get("id")) for f in mp]
        ids_pr = [str(f.get("id")) for f in pr]
        notes = []
        if ids_mp == ids_pr:
            pairs = list(zip(mp, pr))
            order = "same ids in the same order"
        else:
            by_id = {str(f.get("id")): f for f in pr}
            pairs = [(f, by_id[str(f.get("id"))]) for f in mp if str(f.get("id")) in by_id]
            only_mp = len(set(ids_mp) - set(ids_pr))
            only_pr = len(set(ids_pr) - set(ids_mp))
            order = "ids or order differ: aligned by id (%d only on microplan, %d only on %s)" % (only_mp, only_pr, peer)
            if only_mp or only_pr:
                status = 1

        keys_mp = set().union(*(f.get("properties", {}).keys() for f, _ in pairs)) if pairs else set()
        keys_pr = set().union(*(g.get("properties", {}).keys() for _, g in pairs)) if pairs else set()
        shared = sorted(keys_mp & keys_pr)
        only_m = sorted(keys_mp - keys_pr)
        only_p = sorted(keys_pr - keys_mp)

        # a property served under another name: its values agree on (almost) every feature
        renamed = []
        for km in list(only_m):
            for kp in list(only_p):
                vals = [(f["properties"].get(km), g["properties"].get(kp)) for f, g in pairs]
                agree = sum(1 for v, w in vals if values_equal(v, w)[0])
                if any(v is not None for v, _ in vals) and agree >= 0.9 * len(vals):  # the rest then differ
                    renamed.append((km, kp))
                    only_m.remove(km)
                    only_p.remove(kp)
                    break
        # a peer-only property that is the feature id itself (QGIS Server's fid)
        id_props = [kp for kp in only_p
                    if pairs and all(str(g["properties"].get(kp)) == str(f.get("id")) for f, g in pairs)]

        compared = [(k, k) for k in shared] + renamed
        identical = differing = 0
        first = None
        roundings = {}  # (microplan name, side) -> (features, decimals)
        worst_geom = 0.0
        for f, g in pairs:
            why = None
            fp, gp = f.get("properties", {}), g.get("properties", {})
            for km, kp in compared:
                eq, rnd = values_equal(fp.get(km), gp.get(kp))
                if not eq:
                    why = "property %s: microplan %r, %s %r" % (km if km == kp else "%s/%s" % (km, kp), fp.get(km), peer, gp.get(kp))
                    break
                if rnd:  # per property and side: the most decimals kept, and on how many features
                    n, d = roundings.get((km, rnd[0]), (0, 0))
                    roundings[(km, rnd[0])] = (n + 1, max(d, rnd[1]))
            dev, gwhy = geometry_compare(f.get("geometry"), g.get("geometry"), args.tolerance)
            worst_geom = max(worst_geom, dev)
            if why is None and gwhy:
                why = "geometry " + gwhy
            if why is None:
                identical += 1
            else:
                differing += 1
                if first is None:
                    first = "id %s: %s" % (f.get("id"), why)
        if differing:
            status = 1

        print("%s: %d features compared (%d pages of %d, offsets %d-%d), %d identical, %d differing%s" % (
            coll, len(pairs), len(args.offsets), args.limit, min(args.offsets), max(args.offsets),
            identical, differing, ("; first: " + first) if first else ""))
        notes.append(order + " (microplan %d features, %s %d)" % (len(mp), peer, len(pr)))
        notes.append("compared properties: " + ", ".join(
            [k for k in shared] + ["%s=%s(%s)" % (km, kp, peer) for km, kp in renamed]))
        notes.append("only microplan: " + (", ".join(only_m) or "none"))
        notes.append("only %s: %s" % (peer, ", ".join(
            ("%s (= the feature id)" % k) if k in id_props else k for k in only_p) or "none"))
        for (k, side), (n, d) in sorted(roundings.items()):
            notes.append("%s: %s rounds it to %d decimals (%d features differ only so; counted equal)" % (
                k, "microplan" if side == "microplan" else peer, d, n))
        notes.append("geometry: largest coordinate deviation %.2g degrees (tolerance %.2g)" % (worst_geom, args.tolerance))
        for n in notes:
            print("  " + n)
    return status


if __name__ == "__main__":
    sys.exit(main())
