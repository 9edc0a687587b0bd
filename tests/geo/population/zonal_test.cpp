#include "microplan/geo/population/zonal.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <map>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "support.hpp"

namespace microplan::geo {
namespace {

std::map<std::pair<int, int>, double> coverage(const std::string& wkt, int w, int h) {
    std::map<std::pair<int, int>, double> out;
    auto g = geos::from_wkt(wkt);
    cell_coverage(g.get(), w, h, [&](int c, int r, double f) { out[{c, r}] += f; });
    return out;
}

TEST(CellCoverage, ExactFractionsForCutCells) {
    // A square covering cell (1,1) fully and half of each neighbour on the left and right.
    auto cov = coverage("POLYGON((0.5 1,2.5 1,2.5 2,0.5 2,0.5 1))", 4, 4);
    EXPECT_DOUBLE_EQ((cov[{1, 1}]), 1.0);
    EXPECT_DOUBLE_EQ((cov[{0, 1}]), 0.5);
    EXPECT_DOUBLE_EQ((cov[{2, 1}]), 0.5);
    EXPECT_EQ(cov.size(), 3u);
    // A triangle: half of cell (0,0) below its diagonal.
    auto tri = coverage("POLYGON((0 0,1 0,1 1,0 0))", 2, 2);
    EXPECT_DOUBLE_EQ((tri[{0, 0}]), 0.5);
    EXPECT_EQ(tri.size(), 1u);
    // Orientation does not matter; a hole is subtracted.
    auto holed = coverage("POLYGON((0 0,0 3,3 3,3 0,0 0),(1 1,2 1,2 2,1 2,1 1))", 3, 3);
    EXPECT_EQ((holed.count({1, 1})), 0u);
    EXPECT_DOUBLE_EQ((holed[{0, 0}]), 1.0);
    double total = 0;
    for (const auto& [k, f] : holed) total += f;
    EXPECT_DOUBLE_EQ(total, 8.0);
    // Only cells inside the grid are visited.
    auto clipped = coverage("POLYGON((-1 -1,1.5 -1,1.5 1.5,-1 1.5,-1 -1))", 1, 1);
    EXPECT_EQ(clipped.size(), 1u);
    EXPECT_DOUBLE_EQ((clipped[{0, 0}]), 1.0);
}

TEST(CellCoverage, AnIrregularPolygonsCoverageSumsToItsArea) {
    const char* wkt = "POLYGON((0.3 0.2,7.7 1.1,9.2 6.4,4.4 9.9,0.1 5.5,2.2 4.1,0.3 0.2))";
    auto cov = coverage(wkt, 10, 10);
    double total = 0;
    for (const auto& [k, f] : cov) {
        EXPECT_GT(f, 0.0);
        EXPECT_LE(f, 1.0);
        total += f;
    }
    EXPECT_NEAR(total, geos::area(geos::from_wkt(wkt).get()), 1e-9);
}

// A 10 x 10 raster of 1 km cells in UTM 17S near Quito, every cell = 1 + its index, one NoData cell.
std::string write_raster(const test::scratch& s) {
    gdal::ensure_registered();
    std::string path = s.path("pop.tif");
    GDALDatasetUniquePtr ds(
        GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), 10, 10, 1, GDT_Float32, nullptr));
    double gt[6] = {770000, 1000, 0, 9990000, 0, -1000};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(32717);
    ds->SetSpatialRef(&srs);
    std::vector<float> v(100);
    for (int i = 0; i < 100; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>(1 + i);
    v[55] = -9999;
    ds->GetRasterBand(1)->SetNoDataValue(-9999);
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 10, 10, v.data(), 10, 10, GDT_Float32, 0, 0), CE_None);
    return path;
}

TEST(ZonalSums, APartitionInAnotherCrsKeepsTheRasterTotal) {
    test::scratch s;
    std::string path = write_raster(s);
    // Two halves split by a slanted line, in UTM, covering the raster entirely.
    auto a = geos::from_wkt("POLYGON((770000 9980000,775300 9980000,774100 9990000,770000 9990000,770000 9980000))");
    auto b = geos::from_wkt("POLYGON((775300 9980000,780000 9980000,780000 9990000,774100 9990000,775300 9980000))");
    const GEOSGeometry* g[] = {a.get(), b.get()};
    auto z = zonal_sums(path, g, "EPSG:32717");
    double expected = 5050 - 56;  // all cells but the NoData one
    EXPECT_NEAR(z.sums[0] + z.sums[1], expected, 1e-6);
    EXPECT_DOUBLE_EQ(z.window_total, expected);
    EXPECT_NEAR(z.nodata_cells[0] + z.nodata_cells[1], 1.0, 1e-9);
    EXPECT_EQ(z.width, 10);
    // The same halves given in WGS 84 (reprojected): the total still holds closely
    // (straight lines in one CRS are nearly straight in the other at this scale).
    proj::transformer to_wgs84("EPSG:32717", "EPSG:4326");
    auto a4 = to_wgs84.forward(a.get()), b4 = to_wgs84.forward(b.get());
    const GEOSGeometry* g4[] = {a4.get(), b4.get()};
    auto z4 = zonal_sums(path, g4, "EPSG:4326");
    EXPECT_NEAR(z4.sums[0] + z4.sums[1], expected, expected * 1e-6);
    EXPECT_NEAR(z4.sums[0], z.sums[0], z.sums[0] * 1e-4);
}

TEST(ZonalSums, ClearErrors) {
    test::scratch s;
    auto g = geos::from_wkt("POLYGON((0 0,1 0,1 1,0 0))");
    const GEOSGeometry* gs[] = {g.get()};
    EXPECT_THROW(zonal_sums(s.write("x.tif", "not a tiff"), gs, "EPSG:4326"), format_error);
    std::string path = write_raster(s);
    zonal_options o;
    o.band = 2;
    EXPECT_THROW(zonal_sums(path, gs, "EPSG:4326", o), format_error);
}

}  // namespace
}  // namespace microplan::geo
