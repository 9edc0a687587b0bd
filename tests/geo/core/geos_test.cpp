#include "microplan/geo/core/geos.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace microplan::geo;

TEST(Geos, WktRoundTripAndArea) {
    auto g = geos::from_wkt("POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))");
    EXPECT_DOUBLE_EQ(geos::area(g.get()), 100.0);
    EXPECT_EQ(geos::to_wkt(g.get(), 0), "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
}

TEST(Geos, WkbRoundTripIsExact) {
    auto g = geos::from_wkt("MULTIPOLYGON(((0.1 0.2, 10.3 0, 10 10.7, 0 10, 0.1 0.2)))");
    auto back = geos::from_wkb(geos::to_wkb(g.get()));
    EXPECT_EQ(geos::to_wkb(back.get()), geos::to_wkb(g.get()));
}

TEST(Geos, UnionOfNeighboursDissolvesTheSharedBorder) {
    auto a = geos::from_wkt("POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))");
    auto b = geos::from_wkt("POLYGON((1 0, 2 0, 2 1, 1 1, 1 0))");
    const GEOSGeometry* parts[] = {a.get(), b.get()};
    auto u = geos::unary_union(parts);
    EXPECT_EQ(GEOSGeomTypeId_r(geos::thread_context().handle(), u.get()), GEOS_POLYGON);
    EXPECT_DOUBLE_EQ(geos::area(u.get()), 2.0);
}

TEST(Geos, PolygonalPartsOfACollection) {
    auto g = geos::from_wkt("GEOMETRYCOLLECTION(POINT(5 5), POLYGON((0 0, 1 0, 1 1, 0 0)), LINESTRING(0 0, 3 3))");
    auto mp = geos::polygonal_parts_as_multipolygon(g.get());
    EXPECT_EQ(GEOSGeomTypeId_r(geos::thread_context().handle(), mp.get()), GEOS_MULTIPOLYGON);
    EXPECT_EQ(GEOSGetNumGeometries_r(geos::thread_context().handle(), mp.get()), 1);
}

TEST(Geos, ContextsArePerThread) {
    GEOSContextHandle_t mine = geos::thread_context().handle();
    GEOSContextHandle_t theirs = nullptr;
    double area = 0;
    std::thread([&] {
        theirs = geos::thread_context().handle();
        area = geos::area(geos::from_wkt("POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))").get());
    }).join();
    EXPECT_NE(mine, theirs);
    EXPECT_DOUBLE_EQ(area, 4.0);
}

TEST(Geos, BadWktIsAnError) { EXPECT_THROW(geos::from_wkt("POLYGON((0 0, 1"), std::runtime_error); }
