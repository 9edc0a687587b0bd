#pragma once
// Point-in-unit location: which unit of a layer contains a point.
//
// A packed STR tree over the units' envelopes picks candidates; each candidate is a
// prepared polygon whose edges are bucketed by latitude band, so a point is tested
// against the few edges of its band only (the same idea as GEOS's
// IndexedPointInAreaLocator, without building a GEOS point per query).
//
// Border rule (each point gets exactly one unit): a unit owns its interior, the part of
// its boundary that faces west (a point on a border between two units goes to the unit on
// its east side) and, on east-west borders, the part that faces south (a point on such a
// border goes to the unit on its north side). Formally the even-odd test counts edges
// crossing the ray from the point towards +x, an edge counting when the point's y is in
// [ymin, ymax) of the edge and the point lies strictly left of it, decided by GEOS's exact
// orientation predicate when the fast floating-point filter cannot. Units that share a
// border share its vertices, so each such point lands in exactly one of them; where units
// overlap (bad data), the first unit in layer order wins.
#include <cstdint>
#include <span>
#include <vector>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

struct lonlat {
    double x = 0;  // longitude (or easting)
    double y = 0;  // latitude (or northing)
};

class point_locator {
public:
    // Indexes the given polygonal geometries (one per unit, any planar CRS; nulls and
    // empties never match). Index i of `geometries` is what locate() returns.
    explicit point_locator(std::span<const GEOSGeometry* const> geometries);
    // Indexes `layer`'s WGS 84 geometries.
    explicit point_locator(const unit_layer& layer);

    // Index of the unit containing (x, y), or -1.
    [[nodiscard]] int locate(double x, double y) const;
    // locate() for every point, on `threads` threads (0 = all cores).
    [[nodiscard]] std::vector<int> locate_all(std::span<const lonlat> points, unsigned threads = 0) const;

    [[nodiscard]] std::size_t size() const noexcept { return polygons_.size(); }
    [[nodiscard]] const geos::envelope& extent() const noexcept { return extent_; }

private:
    struct edge {
        double x0, y0, x1, y1;  // ordered so that y0 < y1
    };
    struct prepared {
        geos::envelope env;
        double band_y0 = 0;
        double band_inv_h = 0;
        std::uint32_t bands = 0;
        std::vector<std::uint32_t> band_start;  // bands + 1 offsets into band_edges
        std::vector<edge> band_edges;
        bool empty = true;
        [[nodiscard]] bool contains(double x, double y) const;
    };
    struct node {
        geos::envelope env;
        std::uint32_t first = 0;  // first child node, or first entry when leaf
        std::uint32_t count = 0;
        bool leaf = false;
    };

    void build_tree();

    std::vector<prepared> polygons_;
    std::vector<node> nodes_;             // root last
    std::vector<std::uint32_t> entries_;  // unit indexes in leaf order
    geos::envelope extent_;
};

}  // namespace microplan::geo
