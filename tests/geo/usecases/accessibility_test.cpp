#include "microplan/geo/usecases/accessibility.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "demo_store.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/usecases/sites.hpp"
#include "support.hpp"

using namespace microplan;
using namespace microplan::test;

namespace {

geo::usecases::surface_request demo_surface() {
    const demo_store& demo = demo_store::get();
    const std::string data = std::string(MICROPLAN_DATA_DIR) + "/access/";
    geo::usecases::surface_request s;
    s.sources.landcover = demo.input("landcover.tif");
    s.sources.speeds = data + "demo_landcover_speeds.csv";
    s.sources.roads = demo.input("roads.gpkg");
    s.sources.road_speeds = data + "demo_road_speeds.csv";
    s.sources.barriers = {demo.input("rivers.gpkg")};
    return s;
}

geo::usecases::accessibility_request request_for(const std::string& store, const std::string& sector) {
    geo::usecases::accessibility_request r;
    r.store = store;
    r.sector = sector;
    r.population = demo_store::get().input("population.tif");
    return r;
}

std::size_t lines(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST(UsecaseAccessibility, ASurfaceNeedsARasterOrLandCoverWithSpeeds) {
    EXPECT_THROW(geo::usecases::load_surface({}), geo::format_error);
    geo::usecases::surface_request dem_without_landcover;
    dem_without_landcover.friction = demo_store::get().input("landcover.tif");
    dem_without_landcover.sources.elevation = demo_store::get().input("elevation.tif");
    EXPECT_THROW(geo::usecases::load_surface(dem_without_landcover), geo::format_error);
}

TEST(UsecaseAccessibility, TravelTimeAddsTheStandardTimesStoresTheRunAndWritesItsFiles) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    geo::usecases::accessibility_request request = request_for(store, "salud");
    request.thresholds = {10};
    request.out_dir = dir.path("out");
    std::vector<std::string> progress;
    request.on_progress = [&](const std::string& l) { progress.push_back(l); };
    geo::usecases::run_summary r = geo::usecases::run_travel_time(request, demo_surface());
    EXPECT_EQ(r.run.sector, "health");
    EXPECT_EQ(r.run.thresholds.front(), 10);
    EXPECT_GT(r.run.thresholds.size(), 1u);  // the standards' maximum travel times joined
    EXPECT_GT(r.cells, 0u);
    EXPECT_EQ(progress.front().rfind("friction surface: ", 0), 0u) << progress.front();
    for (const char* f : {"travel_time_health.tif", "nearest_health.tif", "catchments_health.gpkg"})
        EXPECT_TRUE(std::filesystem::exists(dir.path("out/") + f)) << f;
    auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
    bool stored = false;
    for (const auto& run : db->read_accessibility())
        stored |= run.sector == "health" && run.measure == "travel_time" && run.thresholds == r.run.thresholds;
    EXPECT_TRUE(stored);
}

TEST(UsecaseAccessibility, DistanceWithoutStoringLeavesTheStoreAndRefusesUnknownSectors) {
    const std::string& store = demo_store::get().store();
    const std::string before = read_bytes(store);
    geo::usecases::accessibility_request request = request_for(store, "education");
    request.thresholds = {2, 5};
    request.store_run = false;
    geo::usecases::run_summary r = geo::usecases::run_distance(request);
    EXPECT_EQ(r.run.measure, "distance");
    EXPECT_GT(r.run.establishments, 0u);
    EXPECT_GT(r.cells, 0u);
    request.sector = "astrology";
    try {
        geo::usecases::run_distance(request);
        FAIL();
    } catch (const geo::format_error& e) {
        EXPECT_NE(std::string(e.what()).find("no existing establishments of sector 'astrology'"), std::string::npos);
    }
    EXPECT_EQ(read_bytes(store), before);
}

TEST(UsecaseSites, CapacityTableHasOneRowPerEstablishment) {
    scratch dir;
    const std::string& store = demo_store::get().store();
    geo::usecases::capacity_request request;
    request.base = request_for(store, "health");
    request.surface = demo_surface();
    request.table = dir.path("capacity.csv");
    geo::usecases::capacity_summary r = geo::usecases::run_capacity(request);
    EXPECT_GT(r.covered, 0);
    EXPECT_LE(r.covered, r.total);
    std::string table = read_bytes(request.table);
    EXPECT_EQ(table.rfind("order,establishment_fid,code,name,typology,capacity,", 0), 0u);
    EXPECT_EQ(lines(table), 1 + r.establishments);
}

TEST(UsecaseSites, SitesAreLocatedInTheirZoneDistrictAndCircuit) {
    scratch dir;
    geo::usecases::sites_request request;
    request.base = request_for(demo_store::get().store(), "salud");
    request.surface = demo_surface();
    request.options.k = 2;
    request.out = dir.path("sites.csv");
    geo::usecases::sites_result r = geo::usecases::propose_sites(request);
    EXPECT_EQ(r.sector, "health");
    ASSERT_EQ(r.sites.greedy.size(), 2u);
    EXPECT_EQ(read_bytes(request.out), r.csv);
    EXPECT_EQ(lines(r.csv), 3u);
    EXPECT_EQ(r.csv.find(",,"), std::string::npos) << r.csv;  // every site has its zone, district and circuit
    EXPECT_NE(r.csv.find("\ngreedy,1,"), std::string::npos) << r.csv;
}

TEST(UsecaseAccessibility, AccumulatedCostOfTableSources) {
    scratch dir;
    geo::usecases::surface_request surface = demo_surface();
    geo::usecases::friction_written w = geo::usecases::write_friction_surface(surface, dir.path("friction.tif"));
    EXPECT_GT(w.cols * w.rows, 0u);
    geo::cost_surface friction = geo::read_cost_raster(dir.path("friction.tif"));
    // A passable cell in the middle of the grid.
    std::size_t cell = friction.g.cells() / 2;
    while (!std::isfinite(friction.cost[cell])) ++cell;
    const auto [x, y] = friction.g.centre(cell);
    std::string sources = dir.write("sources.csv", "x,y,id\n" + std::to_string(x) + "," + std::to_string(y) + ",7\n");
    geo::usecases::cost_request request;
    request.cost = dir.path("friction.tif");
    request.sources = sources;
    request.out = dir.path("cost.tif");
    request.nearest = dir.path("nearest.tif");
    geo::usecases::cost_summary s = geo::usecases::accumulate_cost(request);
    EXPECT_EQ(s.cells, w.cols * w.rows);
    EXPECT_GT(s.reached, 0u);
    EXPECT_EQ(s.unplaced, 0u);
    EXPECT_GT(s.peak, 0);
    EXPECT_TRUE(std::filesystem::exists(request.nearest));
}
