#include "microplan/geo/io/crs.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::geo {
namespace {

OGRSpatialReference srs_of(const char* crs, OSRAxisMappingStrategy strategy) {
    OGRSpatialReference s;
    s.SetFromUserInput(crs);
    s.SetAxisMappingStrategy(strategy);
    return s;
}

const error_location here{"points.gml", "points", {}, {}, {}};

TEST(LayerCrs, AuthorityOrderLatLonIsSwappedToLonLat) {
    gdal::ensure_registered();
    OGRSpatialReference authority = srs_of("EPSG:4326", OAMS_AUTHORITY_COMPLIANT);
    resolved_crs c = resolve_layer_crs(&authority, "", false, here);
    EXPECT_TRUE(c.swap_xy);
    EXPECT_TRUE(c.geographic);
    EXPECT_FALSE(c.assumed);
    EXPECT_EQ(c.name, "WGS 84");
    // The user's --swap-xy on top of it cancels out: the data were (lon, lat) after all.
    EXPECT_FALSE(resolve_layer_crs(&authority, "", true, here).swap_xy);

    OGRSpatialReference traditional = srs_of("EPSG:4326", OAMS_TRADITIONAL_GIS_ORDER);
    EXPECT_FALSE(resolve_layer_crs(&traditional, "", false, here).swap_xy);
    // A projected CRS with (east, north) axes is never swapped.
    OGRSpatialReference utm = srs_of("EPSG:32717", OAMS_AUTHORITY_COMPLIANT);
    resolved_crs u = resolve_layer_crs(&utm, "", false, here);
    EXPECT_FALSE(u.swap_xy);
    EXPECT_FALSE(u.geographic);
}

TEST(LayerCrs, TheUsersCrsWinsAndItsSwapIsKept) {
    OGRSpatialReference authority = srs_of("EPSG:4326", OAMS_AUTHORITY_COMPLIANT);
    resolved_crs c = resolve_layer_crs(&authority, "EPSG:32717", false, here);
    EXPECT_EQ(c.definition, "EPSG:32717");
    EXPECT_FALSE(c.swap_xy);
    EXPECT_TRUE(resolve_layer_crs(nullptr, "EPSG:4326", true, here).swap_xy);
}

TEST(LayerCrs, NoCrsIsAnErrorUnlessThereIsAFallback) {
    try {
        resolve_layer_crs(nullptr, "", false, here);
        FAIL() << "no CRS must be an error";
    } catch (const crs_error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("file 'points.gml', layer 'points': no CRS"), std::string::npos) << m;
        EXPECT_NE(m.find("--s-srs"), std::string::npos) << m;
    }
    resolved_crs c = resolve_layer_crs(nullptr, "", false, here, "EPSG:4326");
    EXPECT_TRUE(c.assumed);
    EXPECT_EQ(c.definition, "EPSG:4326");
}

TEST(LayerCrs, AnUnknownCrsNamesFileLayerAndCrs) {
    try {
        resolve_layer_crs(nullptr, "EPSG:999999", false, here);
        FAIL() << "an unknown CRS must be an error";
    } catch (const crs_error& e) {
        std::string m = e.what();
        EXPECT_EQ(m.find("file 'points.gml', layer 'points': unknown CRS"), 0u) << m;
        EXPECT_NE(m.find("'EPSG:999999'"), std::string::npos) << m;
    }
}

TEST(LayerCrs, AxisOrderCheck) {
    resolved_crs wgs84 = resolve_layer_crs(nullptr, "EPSG:4326", false, here);
    // Quito read right: nothing to say.
    EXPECT_NO_THROW(check_axis_order(wgs84, -78.5, -0.2, true, "EPSG:32717", here));
    // Quito read (lat, lon): in range, but near the South Pole.
    EXPECT_THROW(check_axis_order(wgs84, -0.2, -78.5, true, "EPSG:32717", here), crs_error);
    // Projected data are not checked here (their range check is the reader's).
    resolved_crs utm = resolve_layer_crs(nullptr, "EPSG:32717", false, here);
    EXPECT_NO_THROW(check_axis_order(utm, -0.2, -78.5, true, "EPSG:32717", here));
    EXPECT_TRUE(inside_area_of_use(-78.5, -0.2, "EPSG:32717", 0));
    EXPECT_FALSE(inside_area_of_use(-0.2, -78.5, "EPSG:32717", 0));
}

}  // namespace
}  // namespace microplan::geo
