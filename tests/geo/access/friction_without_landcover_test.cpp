// A friction surface without land cover (the grid from an extent or the DEM, every cell walked
// at one speed, the DEM's no-data impassable, roads with a class of several fields bridging it),
// candidate sites given as points, and the limitations of a run kept by the store.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cmath>

#include "microplan/geo/access/allocation.hpp"
#include "microplan/geo/access/friction.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/friction_sources.hpp"
#include "microplan/geo/io/point_sources.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "support.hpp"

namespace microplan::geo::access {
namespace {

// A Float64 GeoTIFF in `epsg` with the given values (row-major) and origin.
std::string write_tif(const test::scratch& dir, const std::string& name, int cols, int rows, double x0, double y0,
                      double res, int epsg, const std::vector<double>& values, double nodata) {
    gdal::ensure_registered();
    std::string path = dir.path(name);
    GDALDatasetUniquePtr ds(
        GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), cols, rows, 1, GDT_Float64, nullptr));
    double gt[6] = {x0, res, 0, y0, 0, -res};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    ds->SetSpatialRef(&srs);
    ds->GetRasterBand(1)->SetNoDataValue(nodata);
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, cols, rows, const_cast<double*>(values.data()), cols, rows,
                                             GDT_Float64, 0, 0),
              CE_None);
    return path;
}

TEST(GridFor, AnExtentSnapsOutwardsToWholeCells) {
    grid_request r;
    r.crs = "EPSG:32717";
    r.resolution = 100;
    r.extent = std::array<double, 4>{500050, 9899920, 500390, 9900010};
    grid g = grid_for(r, "");
    EXPECT_DOUBLE_EQ(g.x0, 500000);
    EXPECT_DOUBLE_EQ(g.y0, 9900100);
    EXPECT_EQ(g.cols, 4u);  // 500000..500400
    EXPECT_EQ(g.rows, 2u);  // 9899900..9900100
    EXPECT_DOUBLE_EQ(g.ew_res, 100);
    EXPECT_FALSE(g.crs_wkt.empty());
}

TEST(GridFor, TheDemsBoundsInAnotherCrsAndBadRequestsRefused) {
    test::scratch dir;
    // A 0.01° DEM around (-79, -1): about 1.1 km on a side.
    auto dem = write_tif(dir, "dem.tif", 2, 2, -79.0, -1.0, 0.005, 4326, {1, 2, 3, 4}, -32768);
    grid_request r;
    r.resolution = 100;
    grid g = grid_for(r, dem);
    EXPECT_GE(g.cols, 11u);
    EXPECT_LE(g.cols, 13u);
    EXPECT_GE(g.rows, 11u);
    EXPECT_LE(g.rows, 13u);
    EXPECT_EQ(std::fmod(g.x0, 100.0), 0.0);
    // No extent and no DEM; a geographic CRS; a zero resolution.
    EXPECT_THROW(grid_for(r, ""), format_error);
    grid_request geographic = r;
    geographic.crs = "EPSG:4326";
    EXPECT_THROW(grid_for(geographic, dem), crs_error);
    grid_request zero = r;
    zero.resolution = 0;
    EXPECT_THROW(grid_for(zero, dem), format_error);
}

TEST(Friction, WithoutLandCoverEveryCellIsWalkedAndTheDemsNoDataIsImpassableButRoadsBridgeIt) {
    test::scratch dir;
    // A 4 x 2 DEM of 100 m cells in UTM 17S; cell (0, 3) has no data (the sea).
    auto dem =
        write_tif(dir, "dem.tif", 4, 2, 500000, 9900200, 100, 32717, {10, 10, 10, -32768, 10, 10, 10, 10}, -32768);
    friction_inputs in;
    in.elevation = dem;
    in.walk_kmh = 5;
    in.grid.resolution = 100;
    auto layers = read_friction_layers(in);
    EXPECT_TRUE(layers.without_landcover);
    ASSERT_EQ(layers.g.cols, 4u);
    ASSERT_EQ(layers.g.rows, 2u);
    auto s = build_friction(layers);
    EXPECT_NEAR(s.cost[0], 100 * 0.06 / 5, 1e-6);  // 1.2 min to cross 100 m at 5 km/h
    EXPECT_TRUE(std::isnan(s.cost[3]));            // the sea
    EXPECT_EQ(s.walking[0], 1);                    // slope applies
    EXPECT_EQ(s.elevation.size(), 8u);

    // Roads classed by two fields; a class at speed 0 is closed (not burnt); a road over the sea
    // is a bridge.
    in.roads = dir.write(
        "roads.geojson",
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:32717"}},"features":[)"
        R"({"type":"Feature","properties":{"tipo":"Pavimentada","transitabl":"todo el tiempo"},"geometry":{"type":"LineString","coordinates":[[500010,9900150],[500390,9900150]]}},)"
        R"({"type":"Feature","properties":{"tipo":"No Pavimentada","transitabl":"seco"},"geometry":{"type":"LineString","coordinates":[[500010,9900050],[500390,9900050]]}}]})");
    in.road_field = "tipo,transitabl";
    in.road_speeds = dir.write("roads.csv", "class,speed_kmh\nPavimentada|todo el tiempo,60\nNo Pavimentada|seco,0\n");
    friction_summary sum;
    auto r = build_friction(read_friction_layers(in), &sum);
    EXPECT_NEAR(r.cost[0], 100 * 0.06 / 60, 1e-6);
    EXPECT_NEAR(r.cost[3], 100 * 0.06 / 60, 1e-6);  // bridge over the sea
    EXPECT_EQ(r.walking[3], 0);
    EXPECT_NEAR(r.cost[4], 100 * 0.06 / 5, 1e-6);  // the closed road: walked
    EXPECT_EQ(sum.roads_used, 1u);
    EXPECT_EQ(sum.roads_skipped, 1u);

    // Without land cover a walking speed is required; a missing road field is named.
    friction_inputs none = in;
    none.walk_kmh = 0;
    EXPECT_THROW(read_friction_layers(none), format_error);
    friction_inputs wrong = in;
    wrong.road_field = "tipo,nope";
    try {
        read_friction_layers(wrong);
        FAIL() << "expected an error";
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
    }
}

TEST(Sites, GivenCandidatePointsAreTheOnlySitesAndUnusableOnesAreCounted) {
    // 10 x 1 cells of 1 km, 1 min each; people at both ends; an impassable cell at 5.
    cost_surface s;
    s.g.cols = 10, s.g.rows = 1, s.g.x0 = 0, s.g.y0 = 1000, s.g.ew_res = s.g.ns_res = 1000;
    s.cost.assign(10, 1.0f);
    s.cost[5] = std::nanf("");
    std::vector<double> people(10, 0.0);
    people[0] = 100, people[9] = 50;
    site_options o;
    o.minutes = 1.5;
    o.k = 5;
    o.points = {{1500, 500, "1", "near the big end"},  // cell 1: covers cells 0..2
                {1600, 500, "2", "same cell"},         // cell 1 again: unusable
                {5500, 500, "3", "impassable"},        // cell 5: unusable
                {8500, 500, "4", "small end"},         // cell 8: covers 7..9
                {-100, 500, "5", "outside"}};
    auto r = propose_sites(s, people, establishment_points{}, {}, o);
    EXPECT_EQ(r.candidates, 2u);
    EXPECT_EQ(r.points_unusable, 3u);
    ASSERT_EQ(r.greedy.size(), 2u);
    EXPECT_EQ(r.greedy[0].point, 0);
    EXPECT_DOUBLE_EQ(r.greedy[0].x, 1500);  // the point, not the cell centre
    EXPECT_DOUBLE_EQ(r.greedy[0].added, 100);
    EXPECT_EQ(r.greedy[1].point, 3);
    EXPECT_DOUBLE_EQ(r.greedy[1].covered_after, 100);
}

TEST(PointSources, CarryTheirNames) {
    test::scratch dir;
    auto path = dir.write("towns.csv", "x,y,nombre\n1,2,Tena\n3,4,Puyo\n");
    auto pts = read_point_sources(path, {}, "EPSG:32717");
    ASSERT_EQ(pts.size(), 2u);
    EXPECT_EQ(pts[1].name, "Puyo");
    EXPECT_EQ(pts[1].id, 2);
}

TEST(AccessibilityStore, KeepsWhatARunsSurfaceLacksAndNoTableWithoutIt) {
    test::scratch dir;
    const std::string path = dir.path("s.sqlite");
    store::update_atomically(path, [&](store::planning_store& db) {
        db.ensure_schema("EPSG:32717");
        accessibility_run plain;
        plain.sector = "health", plain.measure = "travel_time", plain.units = "min";
        db.write_accessibility(plain);
    });
    auto q = test::run("sqlite3 " + path +
                       " \"SELECT count(*) FROM sqlite_master WHERE name = "
                       "'accessibility_limitations'\"");
    EXPECT_EQ(q.output, "0\n");
    accessibility_run lacking;
    lacking.sector = "education", lacking.measure = "travel_time_rainy", lacking.units = "min";
    lacking.limitations = {"small_scale_roads", "no_land_cover"};
    store::update_atomically(path, [&](store::planning_store& db) {
        db.write_accessibility(lacking);
        db.write_accessibility(lacking);  // replaces the run and its limitations
    });
    auto db = store::open_store(path, store::open_mode::read_only);
    auto runs = db->read_accessibility();
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_TRUE(runs[0].limitations.empty());
    EXPECT_EQ(runs[1].limitations, (std::vector<std::string>{"no_land_cover", "small_scale_roads"}));
}

}  // namespace
}  // namespace microplan::geo::access
