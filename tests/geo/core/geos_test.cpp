#include "microplan/geo/core/geos.hpp"

#include <gtest/gtest.h>

using namespace microplan::geo;

TEST(Geos, WktRoundTripAndArea) {
    auto g = geos::from_wkt("POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))");
    EXPECT_DOUBLE_EQ(geos::area(g.get()), 100.0);
    EXPECT_EQ(geos::to_wkt(g.get(), 0), "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
}
