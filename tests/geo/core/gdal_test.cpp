#include "microplan/geo/core/gdal.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/error.hpp"

using namespace microplan::geo;

namespace {
OGRSpatialReference srs_of(const char* crs) {
    OGRSpatialReference s;
    s.SetFromUserInput(crs);
    return s;
}
}  // namespace

// "Same CRS" and "no CRS" are identity; a real transformation is not; a failure throws.
TEST(GdalTransformation, IdentityIsToldFromATransformation) {
    gdal::ensure_registered();
    OGRSpatialReference wgs84 = srs_of("EPSG:4326");
    gdal::transformation same = gdal::transformation_to(&wgs84, "EPSG:4326");
    EXPECT_TRUE(same.identity);
    EXPECT_FALSE(same);
    double x = -78.5125, y = -0.2201;
    EXPECT_TRUE(same.apply(x, y));
    EXPECT_DOUBLE_EQ(x, -78.5125);

    EXPECT_TRUE(gdal::transformation_to(nullptr, "EPSG:32717").identity);  // the layer has no CRS
    EXPECT_TRUE(gdal::transformation_to(&wgs84, "").identity);             // no target

    gdal::transformation to_utm = gdal::transformation_to(&wgs84, "EPSG:32717");
    EXPECT_FALSE(to_utm.identity);
    ASSERT_TRUE(to_utm);
    // Quito in lon/lat order in, UTM 17S out (traditional GIS order on both sides).
    ASSERT_TRUE(to_utm.apply(x, y));
    EXPECT_NEAR(x, 776882.02, 0.05);
    EXPECT_NEAR(y, 9975649.24, 0.05);
    OGRPoint p(-78.5125, -0.2201);
    ASSERT_TRUE(to_utm.apply(p));
    EXPECT_NEAR(p.getX(), 776882.02, 0.05);
}

TEST(GdalTransformation, AnUnknownTargetIsACrsErrorNotAnIdentity) {
    gdal::ensure_registered();
    OGRSpatialReference wgs84 = srs_of("EPSG:4326");
    error_location where{"roads.gpkg", "roads", {}, {}, {}};
    try {
        gdal::transformation_to(&wgs84, "EPSG:999999", where);
        FAIL() << "an unknown target CRS must throw, not pass coordinates through";
    } catch (const crs_error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("file 'roads.gpkg', layer 'roads'"), std::string::npos) << m;
        EXPECT_NE(m.find("EPSG:999999"), std::string::npos) << m;
    }
}

TEST(GdalTransformation, ATransformationGdalCannotMakeIsACrsError) {
    gdal::ensure_registered();
    // An engineering CRS has no relation to any geographic one.
    OGRSpatialReference local;
    local.SetLocalCS("site grid");
    local.SetLinearUnits("metre", 1.0);
    EXPECT_THROW(gdal::transformation_to(&local, "EPSG:32717"), crs_error);
}
