#include "microplan/geo/territory/locate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "microplan/geo/demo/demo_country.hpp"

namespace microplan::geo {
namespace {

geos::geom_ptr rect(double x0, double y0, double x1, double y1) {
    char wkt[256];
    std::snprintf(wkt, sizeof wkt, "POLYGON((%g %g,%g %g,%g %g,%g %g,%g %g))", x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
    return geos::from_wkt(wkt);
}

std::vector<const GEOSGeometry*> raw(const std::vector<geos::geom_ptr>& g) {
    std::vector<const GEOSGeometry*> out;
    for (const auto& p : g) out.push_back(p.get());
    return out;
}

// Four unit squares around the origin: 0 = SW, 1 = SE, 2 = NW, 3 = NE.
std::vector<geos::geom_ptr> quadrants() {
    std::vector<geos::geom_ptr> q;
    q.push_back(rect(-1, -1, 0, 0));
    q.push_back(rect(0, -1, 1, 0));
    q.push_back(rect(-1, 0, 0, 1));
    q.push_back(rect(0, 0, 1, 1));
    return q;
}

TEST(PointLocator, PointsOnSharedBordersGoToTheEastThenNorthUnit) {
    auto q = quadrants();
    auto g = raw(q);
    point_locator loc(g);
    EXPECT_EQ(loc.locate(0.0, -0.5), 1);  // on the SW|SE border: east
    EXPECT_EQ(loc.locate(0.0, 0.5), 3);   // on the NW|NE border: east
    EXPECT_EQ(loc.locate(-0.5, 0.0), 2);  // on the SW/NW border: north
    EXPECT_EQ(loc.locate(0.5, 0.0), 3);   // on the SE/NE border: north
    EXPECT_EQ(loc.locate(0.0, 0.0), 3);   // the shared corner: north-east
    EXPECT_EQ(loc.locate(-0.5, -0.5), 0);
    // The outer boundary: west and south sides belong, east and north sides do not.
    EXPECT_EQ(loc.locate(-1.0, 0.5), 2);
    EXPECT_EQ(loc.locate(1.0, 0.5), -1);
    EXPECT_EQ(loc.locate(0.5, 1.0), -1);
    EXPECT_EQ(loc.locate(0.5, -1.0), 1);
    EXPECT_EQ(loc.locate(2.0, 2.0), -1);
    EXPECT_EQ(loc.locate(std::nan(""), 0.0), -1);
}

TEST(PointLocator, HolesBelongToTheUnitThatFillsThem) {
    std::vector<geos::geom_ptr> g;
    g.push_back(geos::from_wkt("POLYGON((0 0,10 0,10 10,0 10,0 0),(4 4,6 4,6 6,4 6,4 4))"));
    g.push_back(rect(4, 4, 6, 6));
    point_locator loc(raw(g));
    EXPECT_EQ(loc.locate(5, 5), 1);
    EXPECT_EQ(loc.locate(2, 2), 0);
    EXPECT_EQ(loc.locate(4, 5), 1);  // west side of the hole: the island owns it
    EXPECT_EQ(loc.locate(6, 5), 0);  // east side of the hole: the ring around it
}

TEST(PointLocator, OverlappingUnitsGiveTheFirst) {
    std::vector<geos::geom_ptr> g;
    g.push_back(rect(0, 0, 2, 2));
    g.push_back(rect(1, 1, 3, 3));
    point_locator loc(raw(g));
    EXPECT_EQ(loc.locate(1.5, 1.5), 0);
    EXPECT_EQ(loc.locate(2.5, 2.5), 1);
}

// Independent check: a brute-force loop over every unit with GEOS's prepared
// predicates agrees with the fast path on every point of a dense random sample.
TEST(PointLocator, AgreesWithBruteForceGeosOnTheDemoCountry) {
    demo::country c = demo::generate_country();
    const unit_layer& circuits = c.circuits;
    point_locator loc(circuits);
    GEOSContextHandle_t h = geos::thread_context().handle();
    std::vector<geos::prepared_ptr> prepared;
    for (const auto& u : circuits.units)
        prepared.emplace_back(GEOSPrepare_r(h, u.geometry.get()), geos::prepared_deleter{h});
    std::vector<const GEOSGeometry*> zones;
    for (const auto& z : c.zones.units) zones.push_back(z.geometry.get());
    geos::geom_ptr country = geos::unary_union(zones);
    geos::prepared_ptr country_p(GEOSPrepare_r(h, country.get()), geos::prepared_deleter{h});
    auto e = loc.extent();
    std::uint64_t state = 88172645463325252ull;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return static_cast<double>(state >> 11) * 0x1.0p-53;
    };
    std::vector<lonlat> pts;
    for (int i = 0; i < 20000; ++i)
        pts.push_back({e.minx + next() * (e.maxx - e.minx), e.miny + next() * (e.maxy - e.miny)});
    // Vertices of the units themselves: the hardest points, all on borders.
    for (std::size_t u = 0; u < 50; ++u) {
        const GEOSGeometry* ring = GEOSGetExteriorRing_r(h, GEOSGetGeometryN_r(h, circuits.units[u].geometry.get(), 0));
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, seq, &n);
        for (unsigned k = 0; k < n; ++k) {
            double x, y;
            GEOSCoordSeq_getXY_r(h, seq, k, &x, &y);
            pts.push_back({x, y});
        }
    }
    std::vector<int> fast = loc.locate_all(pts, 2);
    std::size_t inside = 0, border = 0;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        geos::geom_ptr p = geos::own(GEOSGeom_createPointFromXY_r(h, pts[i].x, pts[i].y));
        std::vector<int> contains, covers;
        for (std::size_t u = 0; u < prepared.size(); ++u) {
            if (geos::contains(prepared[u].get(), p.get())) contains.push_back(static_cast<int>(u));
            if (geos::covers(prepared[u].get(), p.get())) covers.push_back(static_cast<int>(u));
        }
        ASSERT_LE(contains.size(), 1u) << "demo units overlap";
        if (contains.size() == 1) {
            ++inside;
            EXPECT_EQ(fast[i], contains[0]) << "point " << i << " (" << pts[i].x << ", " << pts[i].y << ")";
        } else if (!covers.empty()) {
            // On a border: exactly one of the units that touch it, or none on the outer edge.
            ++border;
            if (fast[i] >= 0) {
                EXPECT_NE(std::find(covers.begin(), covers.end(), fast[i]), covers.end());
            }
            if (geos::contains(country_p.get(), p.get())) {
                EXPECT_GE(fast[i], 0) << "a border point inside the country must get a unit";
            }
        } else {
            EXPECT_EQ(fast[i], -1) << "point " << i << " is outside every unit";
        }
        EXPECT_EQ(fast[i], loc.locate(pts[i].x, pts[i].y));
    }
    EXPECT_GT(inside, 5000u);
    EXPECT_GT(border, 100u);
}

}  // namespace
}  // namespace microplan::geo
