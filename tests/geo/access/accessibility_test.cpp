// Accessibility: slope, single-source search, friction from land cover / roads / barriers,
// nearest points, statistics per unit, the road graph, capacity-limited catchments and new
// sites (greedy against CBC and brute force), all on small inputs whose answers are known.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "microplan/geo/access/allocation.hpp"
#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/access/friction.hpp"
#include "microplan/geo/access/network.hpp"
#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/friction_sources.hpp"
#include "microplan/geo/io/raster.hpp"
#include "support.hpp"

namespace microplan::geo::access {
namespace {

cost_surface uniform(std::size_t cols, std::size_t rows, float value, double res = 1) {
    cost_surface s;
    s.g.cols = cols, s.g.rows = rows, s.g.x0 = 0, s.g.y0 = static_cast<double>(rows) * res;
    s.g.ew_res = s.g.ns_res = res;
    s.cost.assign(cols * rows, value);
    return s;
}

// A GeoTIFF in EPSG:32717 with the given values (row-major), origin (500000, 9900000).
std::string write_tif(const test::scratch& dir, const std::string& name, int cols, int rows, double res,
                      const std::vector<double>& values, GDALDataType type, std::optional<double> nodata = {}) {
    gdal::ensure_registered();
    std::string path = dir.path(name);
    GDALDatasetUniquePtr ds(
        GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), cols, rows, 1, type, nullptr));
    double gt[6] = {500000, res, 0, 9900000, 0, -res};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(32717);
    ds->SetSpatialRef(&srs);
    if (nodata) ds->GetRasterBand(1)->SetNoDataValue(*nodata);
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, cols, rows, const_cast<double*>(values.data()), cols, rows,
                                             GDT_Float64, 0, 0),
              CE_None);
    return path;
}

TEST(Tobler, FlatIsOneAGentleDescentIsFastestAndClimbsSlow) {
    EXPECT_DOUBLE_EQ(tobler_factor(0), 1.0);
    EXPECT_NEAR(tobler_factor(-0.05), std::exp(3.5 * 0.05), 1e-12);  // 6 km/h against 5.04 on the flat
    EXPECT_LT(tobler_factor(0.10), tobler_factor(-0.10));            // uphill slower than the same downhill
    EXPECT_DOUBLE_EQ(tobler_factor(10), 0.01);                       // held at 1 %
}

TEST(Tobler, UphillCostsMoreAndDirectionFollowsTheTraveller) {
    // One row of 3 cells of 100 m rising 10 m per cell to the east; the source at the west end.
    auto s = uniform(3, 1, 1.0f, 100);
    s.elevation = {0, 10, 20};
    std::vector<source> src = {{50, 50, 1}};
    cost_distance_options towards;  // people in the east walk DOWN to the source
    auto down = cost_distance(s, src, towards);
    cost_distance_options away;
    away.towards_sources = false;  // going out from the source walks UP
    auto up = cost_distance(s, src, away);
    const double f_down = tobler_factor(-0.1), f_up = tobler_factor(0.1);
    EXPECT_NEAR(down.cost[1], 1.0 / f_down, 1e-5);
    EXPECT_NEAR(up.cost[1], 1.0 / f_up, 1e-5);
    EXPECT_NEAR(up.cost[2], 2.0 / f_up, 1e-5);
    // Driven cells are not slowed by slope.
    s.walking = {0, 0, 0};
    auto driven = cost_distance(s, src, away);
    EXPECT_NEAR(driven.cost[2], 2.0, 1e-6);
}

TEST(CostDistanceFrom, VisitsInIncreasingCostAndMatchesTheMultiSourceEngine) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.5f, 4.0f);
    auto s = uniform(40, 30, 1.0f);
    for (auto& c : s.cost) c = u(rng);
    for (int k = 0; k < 60; ++k) s.cost[rng() % s.cost.size()] = std::numeric_limits<float>::quiet_NaN();
    s.cost[15 * 40 + 20] = 1.0f;
    for (auto moves : {neighbourhood::queen, neighbourhood::knight}) {
        cost_distance_options o;
        o.moves = moves;
        std::vector<source> src = {{20.5, 14.5, 0}};
        auto all = cost_distance(s, src, o);
        search_workspace ws;
        float last = 0;
        std::size_t visited = 0;
        for (int round = 0; round < 2; ++round) {  // the workspace is reused cleanly
            visited = 0, last = 0;
            cost_distance_from(s, 15 * 40 + 20, o, ws, [&](std::size_t cell, float cost) {
                EXPECT_GE(cost, last);
                last = cost;
                EXPECT_NEAR(cost, all.cost[cell], 1e-4 * std::max(1.0f, cost));
                ++visited;
                return true;
            });
        }
        EXPECT_EQ(visited, all.reached);
    }
}

TEST(Friction, LandCoverSpeedsRoadsOnTopBarriersImpassableExceptBridges) {
    test::scratch dir;
    // 5 x 4 cells of 100 m: class 1 everywhere, class 2 in the last column, 0 = no data at (3, 0).
    std::vector<double> lc(20, 1);
    for (int r = 0; r < 4; ++r) lc[static_cast<std::size_t>(r * 5 + 4)] = 2;
    lc[15] = 0;
    friction_inputs in;
    in.landcover = write_tif(dir, "lc.tif", 5, 4, 100, lc, GDT_Byte, 0);
    in.speeds = dir.write("speeds.csv", "class,speed_kmh,mode\n1,5,walking\n2,\"2,5\",walking\n");
    // A road along row 1 (y = 9899850) and a river (barrier) down column 2 (x = 500250).
    in.roads = dir.write(
        "roads.geojson",
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:32717"}},"features":[)"
        R"({"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[500010,9899850],[500390,9899850]]}},)"
        R"({"type":"Feature","properties":{"highway":"footway"},"geometry":{"type":"LineString","coordinates":[[500010,9899650],[500490,9899650]]}}]})");
    in.road_speeds = dir.write("road_speeds.csv", "class,speed_kmh\nprimary,60\n");
    in.barriers = {dir.write(
        "river.geojson",
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:32717"}},"features":[)"
        R"({"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[500250,9900000],[500250,9899600]]}}]})")};
    friction_summary sum;
    auto s = build_friction(read_friction_layers(in), &sum);
    auto at = [&](int r, int c) { return s.cost[static_cast<std::size_t>(r * 5 + c)]; };
    EXPECT_NEAR(at(0, 0), 100 * 0.06 / 5, 1e-6);    // 1.2 min to cross 100 m at 5 km/h
    EXPECT_NEAR(at(0, 4), 100 * 0.06 / 2.5, 1e-6);  // decimal comma read
    EXPECT_NEAR(at(1, 0), 100 * 0.06 / 60, 1e-6);   // road
    EXPECT_NEAR(at(1, 1), 100 * 0.06 / 60, 1e-6);
    EXPECT_TRUE(std::isnan(at(0, 2)));             // river
    EXPECT_NEAR(at(1, 2), 100 * 0.06 / 60, 1e-6);  // the road bridges it
    EXPECT_TRUE(std::isnan(at(2, 2)));
    EXPECT_TRUE(std::isnan(at(3, 0)));  // no data
    EXPECT_FALSE(std::isnan(at(2, 0)));
    EXPECT_EQ(sum.roads_used, 1u);
    EXPECT_EQ(sum.roads_skipped, 1u);
    ASSERT_EQ(sum.skipped_classes.size(), 1u);
    EXPECT_EQ(sum.skipped_classes[0], "footway");
    EXPECT_EQ(s.walking[static_cast<std::size_t>(1 * 5 + 0)], 0);
    EXPECT_EQ(s.walking[0], 1);

    // A class without a speed is an error naming the class and how many cells hold it.
    auto missing = in;
    missing.speeds = dir.write("speeds2.csv", "class,speed_kmh\n1,5\n");
    try {
        build_friction(read_friction_layers(missing));
        FAIL() << "expected an error";
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("2 (4 cells)"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("speeds2.csv"), std::string::npos) << e.what();
    }
    auto bad = in;
    bad.speeds = dir.write("speeds3.csv", "class,speed_kmh\n1,fast\n2,3\n");
    try {
        build_friction(read_friction_layers(bad));
        FAIL() << "expected an error";
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("'fast'"), std::string::npos) << e.what();
    }
}

TEST(NearestIndex, AgreesWithBruteForce) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(0, 10000);
    std::vector<double> x(500), y(500);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = u(rng), y[i] = u(rng);
    nearest_index idx(x, y);
    std::uniform_real_distribution<double> q(-3000, 13000);  // inside and outside the points' box
    for (int k = 0; k < 2000; ++k) {
        double px = q(rng), py = q(rng), best = 1e300;
        for (std::size_t i = 0; i < x.size(); ++i) best = std::min(best, std::hypot(x[i] - px, y[i] - py));
        auto hit = idx.nearest(px, py);
        ASSERT_TRUE(hit);
        EXPECT_DOUBLE_EQ(hit->second, best);
    }
    EXPECT_FALSE(nearest_index({}, {}).nearest(0, 0));
}

TEST(UnitStatistics, CountsMeanAndMedianWithFractionalCells) {
    test::scratch dir;
    // 4 x 1 cells of 1 km with 10, 20, 30, 40 people; times 5, 15, 25 and unreached.
    auto path = write_tif(dir, "pop.tif", 4, 1, 1000, {10, 20, 30, 40}, GDT_Float32);
    auto pop = read_population_grid(path, "EPSG:32717");
    ASSERT_EQ(pop.occupied.size(), 4u);
    std::vector<float> minutes = {5, 15, 25, std::numeric_limits<float>::infinity()};
    // Unit A: the first two cells and half of the third; unit B: the rest.
    auto a = geos::from_wkt("POLYGON((500000 9899000,502500 9899000,502500 9900000,500000 9900000,500000 9899000))");
    auto b = geos::from_wkt("POLYGON((502500 9899000,504000 9899000,504000 9900000,502500 9900000,502500 9899000))");
    const GEOSGeometry* units[] = {a.get(), b.get()};
    const double thresholds[] = {10, 15, 30};
    auto st = unit_statistics(pop, minutes, units, "EPSG:32717", thresholds);
    EXPECT_NEAR(st[0].population, 45, 1e-9);
    EXPECT_NEAR(st[0].within[0], 10, 1e-9);
    EXPECT_NEAR(st[0].within[1], 30, 1e-9);  // 15 <= 15: within
    EXPECT_NEAR(st[0].within[2], 45, 1e-9);
    EXPECT_NEAR(*st[0].mean, (10 * 5 + 20 * 15 + 15 * 25) / 45.0, 1e-6);
    EXPECT_NEAR(*st[0].median, 15, 1e-9);
    EXPECT_NEAR(st[1].population, 55, 1e-9);
    EXPECT_NEAR(st[1].within[2], 15, 1e-9);
    EXPECT_NEAR(*st[1].mean, 25, 1e-6);
    EXPECT_FALSE(st[1].median.has_value());  // most of B's people are unreached
}

TEST(RoadGraph, SharedVerticesConnectAndWalkingJoinsTheNetwork) {
    test::scratch dir;
    // An L of two roads sharing (501000, 9900000); a third road crossing without a shared vertex.
    auto roads = dir.write(
        "roads.geojson",
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:32717"}},"features":[)"
        R"({"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[500000,9900000],[501000,9900000]]}},)"
        R"({"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[501000,9900000],[501000,9906000]]}},)"
        R"({"type":"Feature","properties":{"highway":"path"},"geometry":{"type":"LineString","coordinates":[[500500,9899000],[500500,9901000]]}}]})");
    std::map<std::string, speed_row> speeds = {{"primary", {60, false}}};
    auto g = build_road_graph(read_roads(roads, "", "highway", speeds, "EPSG:32717"));
    EXPECT_EQ(g.nodes(), 3u);
    EXPECT_EQ(g.edges(), 4u);  // two segments, both ways
    EXPECT_EQ(g.roads_skipped, 1u);
    // A source 100 m south of the road's west end; a place 200 m east of the north end.
    const double sx[] = {500000}, sy[] = {9899900}, px[] = {501200, 500000}, py[] = {9906000, 9899000};
    auto t = network_travel_time(g, sx, sy, px, py, 6.0);  // walking 100 m/min
    EXPECT_NEAR(t[0], 1.0 + 7.0 + 2.0, 1e-4);              // walk 1 min, ride 7 km at 60 km/h, walk 2 min
    EXPECT_NEAR(t[1], 9.0, 1e-4);                          // walking straight is quicker
}

TEST(RoadGraph, ReadsOpenStreetMapFilesThroughGdalsOsmDriver) {
    test::scratch dir;
    auto osm = dir.write("roads.osm", R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="microplan test">
  <node id="1" lat="-0.9040" lon="-80.9990" version="1"/>
  <node id="2" lat="-0.9040" lon="-80.9900" version="1"/>
  <node id="3" lat="-0.8950" lon="-80.9900" version="1"/>
  <node id="4" lat="-0.9000" lon="-80.9950" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way>
  <way id="11" version="1"><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
  <way id="12" version="1"><nd ref="4"/><nd ref="2"/><tag k="highway" v="footway"/></way>
</osm>
)");
    std::map<std::string, speed_row> speeds = {{"primary", {60, false}}, {"residential", {30, false}}};
    auto g = build_road_graph(read_roads(osm, "", "highway", speeds, "EPSG:32717"));  // layer 'lines' picked
    ASSERT_EQ(g.nodes(), 3u);  // ways 10 and 11 share node 2; the footway has no speed
    EXPECT_EQ(g.roads_skipped, 1u);
    const double a = std::hypot(g.x[1] - g.x[0], g.y[1] - g.y[0]), b = std::hypot(g.x[2] - g.x[1], g.y[2] - g.y[1]);
    EXPECT_NEAR(a, 1001.9, 1.0);  // 0.009° of longitude near the equator, in UTM 17S
    const double sx[] = {g.x[0]}, sy[] = {g.y[0]}, px[] = {g.x[2]}, py[] = {g.y[2]};
    auto t = network_travel_time(g, sx, sy, px, py, 5.0);
    EXPECT_NEAR(t[0], a / 1000.0 + b / 500.0, 1e-4);  // 60 km/h = 1,000 m/min; 30 km/h = 500 m/min
}

TEST(CapacityCatchments, LargestFirstTakesTheNearestPeopleUntilFull) {
    // A row of 6 cells costing 1 min; 10 people per cell.
    auto s = uniform(6, 1, 1.0f, 1000);
    std::vector<double> people(6, 10.0);
    establishment_points e;
    e.fid = {1, 2};
    e.code = {"a", "b"}, e.name = {"A", "B"}, e.typology = {"t", "t"};
    e.x = {500, 5500}, e.y = {500, 500};
    e.capacity = {15, 25};
    auto r = capacity_catchments(s, people, e, 60);
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0].source, 1u);           // B (25) first
    EXPECT_NEAR(r.rows[0].covered, 25, 1e-9);  // cells 5, 4 and half of 3
    EXPECT_NEAR(r.rows[0].minutes, 2, 1e-6);
    EXPECT_NEAR(r.rows[1].covered, 15, 1e-9);    // cell 0 and half of 1
    EXPECT_NEAR(r.rows[1].reachable, 35, 1e-9);  // what B left within A's reach
    EXPECT_NEAR(r.covered, 40, 1e-9);
    EXPECT_NEAR(r.residual[1], 5, 1e-9);
    EXPECT_NEAR(r.residual[2], 10, 1e-9);
    EXPECT_NEAR(r.residual[3], 5, 1e-9);
    EXPECT_EQ(r.catchment[5], 1);
    EXPECT_EQ(r.catchment[0], 0);
    EXPECT_EQ(r.catchment[2], -1);
    // Within 1.5 minutes only: B takes cells 5 and 4 (20 people) and has 5 places left.
    auto near = capacity_catchments(s, people, e, 1.5);
    EXPECT_NEAR(near.rows[0].covered, 20, 1e-9);
    EXPECT_NEAR(near.rows[0].capacity_left(), 5, 1e-9);
}

TEST(Sites, GreedyNeverBeatsTheExactOptimumWhichEqualsBruteForce) {
    std::mt19937 rng(11);
    auto s = uniform(14, 12, 1.0f, 1000);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> people(s.cost.size(), 0.0);
    for (auto& p : people)
        if (u(rng) < 0.5) p = std::floor(u(rng) * 100);
    establishment_points none;
    site_options o;
    o.minutes = 1.5;  // a site covers its cell and its 8 neighbours (orthogonal 1, diagonal 1.41; two steps 2)
    o.k = 3;
    o.max_candidates = o.exact_max_candidates = 24;
    o.exact = true;
    auto r = propose_sites(s, people, none, {}, o);
    ASSERT_TRUE(r.exact_added.has_value()) << r.exact_status;
    EXPECT_EQ(r.exact_status, "optimal");
    double greedy = 0;
    for (const auto& st : r.greedy) greedy += st.added;
    EXPECT_LE(greedy, *r.exact_added + 1e-6);
    EXPECT_NEAR(*r.gap, (*r.exact_added - greedy) / *r.exact_added, 1e-9);
    // Brute force over every triple of the same candidates.
    ASSERT_EQ(r.candidates, 24u);
    std::vector<std::size_t> cand;
    for (std::size_t c = 0; c < people.size(); ++c)
        if (people[c] > 0) cand.push_back(c);
    std::stable_sort(cand.begin(), cand.end(), [&](auto a, auto b) { return people[a] > people[b]; });
    cand.resize(24);
    auto covers = [&](std::size_t site, std::size_t cell) {
        auto [sx, sy] = s.g.centre(site);
        auto [cx, cy] = s.g.centre(cell);
        double dx = std::abs(sx - cx), dy = std::abs(sy - cy);
        return std::max(dx, dy) <= 1000.0 + 1e-9;
    };
    double best = 0;
    for (std::size_t a = 0; a < cand.size(); ++a)
        for (std::size_t b = a + 1; b < cand.size(); ++b)
            for (std::size_t c = b + 1; c < cand.size(); ++c) {
                double sum = 0;
                for (std::size_t cell = 0; cell < people.size(); ++cell)
                    if (covers(cand[a], cell) || covers(cand[b], cell) || covers(cand[c], cell)) sum += people[cell];
                best = std::max(best, sum);
            }
    EXPECT_NEAR(*r.exact_added, best, 1e-6);
    // An excluded cell is never proposed.
    std::vector<std::uint8_t> excluded(people.size(), 0);
    excluded[r.greedy[0].cell] = 1;
    o.exact = false;
    auto r2 = propose_sites(s, people, none, excluded, o);
    for (const auto& st : r2.greedy) EXPECT_NE(st.cell, r.greedy[0].cell);
    // Existing establishments are fixed: their people are covered before any site is added.
    establishment_points one;
    one.fid = {1}, one.code = {"x"}, one.name = {"X"}, one.typology = {"t"}, one.capacity = {0};
    auto [ex, ey] = s.g.centre(r.greedy[0].cell);
    one.x = {ex}, one.y = {ey};
    auto r3 = propose_sites(s, people, one, {}, o);
    EXPECT_NEAR(r3.covered_before, r.greedy[0].added, 1e-6);
}

}  // namespace
}  // namespace microplan::geo::access

// ---- the store and the demo -----------------------------------------------------------

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::access {
namespace {

TEST(AccessibilityStore, RoundTripsAndANewRunReplacesTheOldOne) {
    test::scratch dir;
    std::string path = dir.path("s.sqlite");
    accessibility_run run;
    run.sector = "health", run.measure = "travel_time", run.units = "min", run.method = "test";
    run.thresholds = {15, 30};
    run.establishments = 3;
    unit_access a;
    a.population = 200, a.within = {50, 150}, a.mean = 22.5, a.median = 20;
    unit_access b;
    b.population = 0, b.within = {0, 0};
    run.units_by_level["circuit"] = {{"C1", a}, {"C2", b}};
    store::update_atomically(path, [&](store::planning_store& db) {
        db.ensure_schema("EPSG:32717");
        db.write_accessibility(run);
        run.method = "second";
        db.write_accessibility(run);  // same sector and measure: replaces
        run.measure = "distance", run.units = "km";
        db.write_accessibility(run);  // another measure: kept beside
    });
    auto db_store = store::open_store(path, store::open_mode::read_only);
    store::planning_store& db = *db_store;
    auto runs = db.read_accessibility();
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].method, "second");
    EXPECT_EQ(runs[0].thresholds, (std::vector<double>{15, 30}));
    const auto& c1 = runs[0].units_by_level.at("circuit").at("C1");
    EXPECT_DOUBLE_EQ(c1.population, 200);
    EXPECT_EQ(c1.within, (std::vector<double>{50, 150}));
    EXPECT_DOUBLE_EQ(*c1.mean, 22.5);
    accessibility_index index(runs);
    EXPECT_DOUBLE_EQ(*index.pct_within("health", level::circuit, "C1", 30), 75.0);
    EXPECT_FALSE(index.pct_within("health", level::circuit, "C1", 45));  // not a stored threshold
    EXPECT_FALSE(index.pct_within("health", level::circuit, "C2", 30));  // nobody lives there
    EXPECT_FALSE(index.pct_within("education", level::circuit, "C1", 30));
    EXPECT_EQ(index.run_for("health")->measure, "travel_time");  // travel time before distance
}

}  // namespace
}  // namespace microplan::geo::access
