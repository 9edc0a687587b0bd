#include "microplan/geo/core/proj.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "microplan/geo/error.hpp"

using namespace microplan::geo;

// Quito, lon -78.5125, lat -0.2201, in UTM 17S: E 776882.02, N 9975649.24 (PROJ cs2cs).
TEST(Proj, LonLatOrderIsNormalised) {
    proj::transformer t("EPSG:4326", "EPSG:32717");
    double x = -78.5125, y = -0.2201;
    ASSERT_TRUE(t.forward(x, y));
    EXPECT_NEAR(x, 776882.02, 0.05);
    EXPECT_NEAR(y, 9975649.24, 0.05);
}

TEST(Proj, SwappedSourceGivesTheSamePlace) {
    proj::transformer t("EPSG:4326", "EPSG:32717", /*swap_source_xy=*/true);
    double x = -0.2201, y = -78.5125;  // (lat, lon)
    ASSERT_TRUE(t.forward(x, y));
    EXPECT_NEAR(x, 776882.02, 0.05);
    EXPECT_NEAR(y, 9975649.24, 0.05);
}

TEST(Proj, UnknownCrsIsACrsErrorNamingIt) {
    try {
        proj::transformer("EPSG:999999", "EPSG:4326");
        FAIL() << "an unknown CRS must throw";
    } catch (const crs_error& e) {
        EXPECT_EQ(e.rule(), "unknown CRS");
        EXPECT_NE(std::string(e.what()).find("'EPSG:999999'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(proj::crs_name("not a CRS"), crs_error);
    EXPECT_THROW(proj::crs_area_of_use("EPSG:999999"), crs_error);
}

TEST(Proj, ErrorsGetTheCallersLocation) {
    error_location where{"parishes.gpkg", "parishes", {}, {}, {}};
    try {
        at_location(where, [] { return proj::transformer("EPSG:999999", "EPSG:4326"); });
        FAIL() << "an unknown CRS must throw";
    } catch (const crs_error& e) {
        std::string m = e.what();
        EXPECT_EQ(m.find("file 'parishes.gpkg', layer 'parishes': unknown CRS: PROJ does not know the CRS"), 0u) << m;
    }
    // A value passes through.
    EXPECT_EQ(at_location(where, [] { return proj::crs_name("EPSG:32717"); }), "WGS 84 / UTM zone 17S");
}

TEST(Proj, OneContextPerThread) {
    PJ_CONTEXT* main_ctx = proj::thread_context();
    PJ_CONTEXT* other = nullptr;
    std::thread([&] {
        other = proj::thread_context();
        proj::transformer t("EPSG:4326", "EPSG:32717");
        double x = -78.5125, y = -0.2201;
        EXPECT_TRUE(t.forward(x, y));
    }).join();
    EXPECT_NE(main_ctx, other);
}

TEST(Proj, AreaOfUseOfUtm17S) {
    auto a = proj::crs_area_of_use("EPSG:32717");
    EXPECT_NEAR(a.west, -84, 1e-9);
    EXPECT_NEAR(a.east, -78, 1e-9);
    EXPECT_TRUE(proj::crs_is_geographic("EPSG:4326"));
    EXPECT_FALSE(proj::crs_is_geographic("EPSG:32717"));
}
