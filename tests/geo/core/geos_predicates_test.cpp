// The throwing GEOS predicate wrappers (core/geos.hpp): the answers GEOS gives as 0 and 1.
#include <gtest/gtest.h>

#include "microplan/geo/core/geos.hpp"

using namespace microplan::geo;

TEST(GeosPredicates, AnswerAsGeosDoes) {
    geos::geom_ptr a = geos::from_wkt("POLYGON((0 0,2 0,2 2,0 2,0 0))");
    geos::geom_ptr inner = geos::from_wkt("POLYGON((0.5 0.5,1 0.5,1 1,0.5 1,0.5 0.5))");
    geos::geom_ptr beside = geos::from_wkt("POLYGON((2 0,3 0,3 1,2 1,2 0))");
    geos::geom_ptr far = geos::from_wkt("POINT(10 10)");
    EXPECT_TRUE(geos::intersects(a.get(), inner.get()));
    EXPECT_TRUE(geos::intersects(a.get(), beside.get()));
    EXPECT_FALSE(geos::intersects(a.get(), far.get()));
    EXPECT_TRUE(geos::contains(a.get(), inner.get()));
    EXPECT_FALSE(geos::contains(inner.get(), a.get()));
    EXPECT_TRUE(geos::within(inner.get(), a.get()));
    EXPECT_TRUE(geos::touches(a.get(), beside.get()));
    EXPECT_FALSE(geos::touches(a.get(), inner.get()));
    EXPECT_FALSE(geos::is_empty(a.get()));
    EXPECT_TRUE(geos::is_empty(geos::from_wkt("POLYGON EMPTY").get()));
    geos::prepared_ptr p = geos::prepare(a.get());
    EXPECT_TRUE(geos::intersects(p.get(), inner.get()));
    EXPECT_FALSE(geos::intersects(p.get(), far.get()));
}
