// Live travel time of scenarios (usecases/scenario_travel.hpp) on the demo store: the baseline
// equals the stored travel-time run, and after proposals are added, moved and deleted and
// existing establishments closed and reopened, the figures of every unit of every level equal a
// full travel-time run with the proposals counted as establishments and the closed ones left out.
#include "microplan/geo/usecases/scenario_travel.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "demo_store.hpp"
#include "microplan/geo/access/allocation.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/usecases/accessibility.hpp"
#include "support.hpp"

namespace microplan::geo::usecases {
namespace {

const accessibility_run& health_run(const std::vector<accessibility_run>& runs) {
    for (const auto& r : runs)
        if (r.sector == "health" && r.measure == "travel_time") return r;
    throw std::logic_error("the demo has no health travel-time run");
}

// Every unit of `lvl`: the live figures equal `expected` (level name -> code -> statistics),
// threshold by threshold (matched by value).
void expect_equal(const scenario_travel_figures& f, const accessibility_run& expected, const std::string& step) {
    const auto& units = expected.units_by_level.at(f.level);
    ASSERT_EQ(f.units.size(), units.size()) << step;
    for (const auto& u : f.units) {
        const unit_access& e = units.at(u.code);
        EXPECT_NEAR(u.after.population, e.population, 1e-6 * std::max(1.0, e.population)) << step << " " << u.code;
        for (std::size_t t = 0; t < f.thresholds.size(); ++t) {
            auto at = std::find(expected.thresholds.begin(), expected.thresholds.end(), f.thresholds[t]);
            ASSERT_NE(at, expected.thresholds.end()) << f.thresholds[t];
            EXPECT_NEAR(u.after.within[t], e.within[at - expected.thresholds.begin()],
                        1e-6 * std::max(1.0, e.population))
                << step << " " << u.code << " within " << f.thresholds[t];
        }
    }
}

// `proposals` appended to `points` as establishments in `crs`, each serving `capacity`.
void add_proposals(establishment_points& points, const std::vector<store::proposal_record>& proposals,
                   const std::string& crs, double capacity) {
    proj::transformer to(std::string("EPSG:4326"), crs);
    for (const auto& p : proposals) {
        double x = p.lon, y = p.lat;
        EXPECT_TRUE(to.forward(x, y)) << p.id;
        points.fid.push_back(0), points.code.push_back(""), points.name.push_back(""), points.typology.push_back("");
        points.x.push_back(x), points.y.push_back(y), points.capacity.push_back(capacity);
    }
}

// `points` without the establishments whose fid is in `closed`.
establishment_points without(const establishment_points& points, const std::vector<std::int64_t>& closed) {
    establishment_points out;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (std::find(closed.begin(), closed.end(), points.fid[i]) != closed.end()) continue;
        out.fid.push_back(points.fid[i]), out.code.push_back(points.code[i]), out.name.push_back(points.name[i]);
        out.typology.push_back(points.typology[i]), out.x.push_back(points.x[i]), out.y.push_back(points.y[i]);
        out.capacity.push_back(points.capacity[i]);
    }
    return out;
}

// A full run over the demo's surface with the existing establishments but the `closed` ones, and
// `proposals`.
accessibility_run full_run(const std::string& store, const accessibility_run& run,
                           const std::vector<store::proposal_record>& proposals,
                           const std::vector<std::int64_t>& closed = {}) {
    const cost_surface surface = read_cost_raster(run.surface_source);
    const population_grid pop = read_population_grid(run.population_source, surface.g.crs_wkt);
    auto db = store::open_store(store, store::open_mode::read_only);
    establishment_points points = without(read_establishment_points(*db, "health", "", surface.g.crs_wkt), closed);
    add_proposals(points, proposals, surface.g.crs_wkt, 0);
    access::accessibility_options o;
    o.sector = "health";
    o.thresholds = run.thresholds;
    return access::travel_time_accessibility(read_unit_levels(*db), surface, pop, points, o).run;
}

store::scenario_changes changes(std::vector<store::proposal_record> proposals, std::vector<std::int64_t> closed = {}) {
    std::sort(closed.begin(), closed.end());
    return {std::move(proposals), std::move(closed)};
}

store::proposal_record proposal(std::int64_t id, double lon, double lat, const std::string& sector = "health") {
    store::proposal_record p;
    p.id = id, p.scenario_id = 1, p.sector = sector, p.typology = "Centro de Salud Tipo A", p.lon = lon, p.lat = lat;
    return p;
}

// A private copy of the demo store, open, with its accessibility runs.
struct demo_copy {
    test::scratch dir;
    std::string store = dir.path("demo.sqlite");
    std::unique_ptr<store::planning_store> db;
    std::vector<accessibility_run> runs;
    demo_copy() {
        test::demo_store::get().copy_to(store);
        db = store::open_store(store, store::open_mode::read_only);
        runs = db->read_accessibility();
    }
};

// A point inside unit `u` (lon/lat).
std::pair<double, double> point_in(const unit_layer& layer, std::size_t u) {
    GEOSContextHandle_t ctx = geos::thread_context().handle();
    auto p = geos::own(GEOSPointOnSurface_r(ctx, layer.units[u].geometry.get()));
    double x = 0, y = 0;
    GEOSGeomGetX_r(ctx, p.get(), &x);
    GEOSGeomGetY_r(ctx, p.get(), &y);
    return {x, y};
}

TEST(ScenarioTravel, FollowsProposalsAsAFullRunWould) {
    demo_copy demo;
    const std::string& store = demo.store;
    auto& db = demo.db;
    const auto& runs = demo.runs;
    scenario_travel travel(store, runs);
    const accessibility_run& run = health_run(runs);
    ASSERT_NE(travel.live_run("health"), nullptr);
    EXPECT_EQ(travel.live_run("cooking"), nullptr);
    EXPECT_FALSE(travel.figures("cooking", level::circuit, 1, {}));

    // The baseline is the stored run.
    for (level lvl : {level::zone, level::district, level::circuit}) {
        auto base = travel.figures("health", lvl, 0, {});
        ASSERT_TRUE(base);
        expect_equal(*base, run, "baseline " + base->level);
    }

    // Three proposals (one of another sector, which does not count), then a move and a delete.
    const auto circuits = db->read_level(level::circuit);
    std::vector<store::proposal_record> proposals;
    for (std::size_t u : {3u, 40u, 77u})
        proposals.push_back(proposal(proposals.size() + 1, point_in(circuits, u).first, point_in(circuits, u).second));
    proposals.push_back(proposal(9, point_in(circuits, 5).first, point_in(circuits, 5).second, "education"));
    auto after = travel.figures("health", level::district, 1, changes(proposals));
    ASSERT_TRUE(after);
    EXPECT_EQ(after->proposals, 3u);
    EXPECT_GT(after->changed_cells, 0u);
    proposals.pop_back();
    const auto added = full_run(store, run, proposals);
    expect_equal(*after, added, "three proposals");
    double gained = 0;
    for (const auto& u : after->units) gained += u.after.within.back() - u.before.within.back();
    EXPECT_GT(gained, 0);

    proposals[0].lon = point_in(circuits, 100).first, proposals[0].lat = point_in(circuits, 100).second;  // moved
    proposals.erase(proposals.begin() + 1);                                                               // deleted
    for (level lvl : {level::zone, level::circuit}) {
        auto edited = travel.figures("health", lvl, 1, changes(proposals));
        ASSERT_TRUE(edited);
        expect_equal(*edited, full_run(store, run, proposals), "moved and deleted, " + edited->level);
    }
    // Another scenario starts from the baseline; a forgotten one too.
    expect_equal(*travel.figures("health", level::circuit, 2, {}), run, "scenario 2");
    // Beyond the states kept, the least recently used is dropped and rebuilt from its proposals.
    scenario_travel small(store, runs, 1);
    (void)small.figures("health", level::circuit, 1, changes(proposals));
    (void)small.figures("health", level::circuit, 2, {});  // drops scenario 1's state
    expect_equal(*small.figures("health", level::circuit, 1, changes(proposals)), full_run(store, run, proposals),
                 "scenario 1 rebuilt");
    travel.forget(1);
    expect_equal(*travel.figures("health", level::circuit, 1, {}), run, "scenario 1 forgotten");
}

// Capacity-limited coverage of a scenario equals access::capacity_catchments over the
// baseline's establishments and the proposals at their standard's capacity; kept until the
// proposals change.
TEST(ScenarioTravel, CapacityCountsProposalsAsAFullRunWould) {
    demo_copy demo;
    const std::string& store = demo.store;
    auto& db = demo.db;
    const auto& runs = demo.runs;
    const accessibility_run& run = health_run(runs);
    scenario_travel travel(store, runs);
    auto capacity_of = [](const std::string&) { return 7500.0; };
    const auto circuits = db->read_level(level::circuit);
    std::vector<store::proposal_record> proposals;
    for (std::size_t u : {3u, 77u})
        proposals.push_back(
            proposal(static_cast<std::int64_t>(u), point_in(circuits, u).first, point_in(circuits, u).second));
    auto figures = travel.capacity("health", level::zone, 1, changes(proposals), 30, capacity_of);
    ASSERT_TRUE(figures);

    // The oracle: the same catchments computed directly.
    const cost_surface surface = read_cost_raster(run.surface_source);
    const population_grid pop = read_population_grid(run.population_source, surface.g.crs_wkt);
    establishment_points points = read_establishment_points(*db, "health", "", surface.g.crs_wkt);
    const auto people = access::people_on_grid(pop, surface.g);
    const auto before = access::capacity_catchments(surface, people, points, 30);
    add_proposals(points, proposals, surface.g.crs_wkt, 7500);
    const auto after = access::capacity_catchments(surface, people, points, 30);
    EXPECT_NEAR(figures->covered_before, before.covered, 1e-6 * before.covered);
    EXPECT_NEAR(figures->covered_after, after.covered, 1e-6 * after.covered);
    EXPECT_GT(figures->covered_after, figures->covered_before);
    // The units share out the covered people (cells outside every unit aside).
    double units_after = 0;
    for (const auto& u : figures->units) units_after += u.covered_after;
    EXPECT_NEAR(units_after, after.covered, 0.01 * after.covered);
    // Asked again with the same proposals: the kept result, no new search.
    auto again = travel.capacity("health", level::zone, 1, changes(proposals), 30, capacity_of);
    EXPECT_EQ(again->covered_after, figures->covered_after);
    EXPECT_EQ(figures->searches, 2u);  // the baseline's catchments and the scenario's
    EXPECT_EQ(again->searches, 0u);
    // Without proposals, the baseline.
    EXPECT_EQ(travel.capacity("health", level::zone, 1, {}, 30, capacity_of)->covered_after, figures->covered_before);
}

// Closing existing establishments (and opening them again) equals a full run without them; a
// proposal and a closure in one scenario together; capacity leaves the closed ones out.
TEST(ScenarioTravel, ClosingEstablishmentsEqualsAFullRunWithoutThem) {
    demo_copy demo;
    const std::string& store = demo.store;
    auto& db = demo.db;
    const accessibility_run& run = health_run(demo.runs);
    scenario_travel travel(store, demo.runs);
    const cost_surface surface = read_cost_raster(run.surface_source);
    const establishment_points points = read_establishment_points(*db, "health", "", surface.g.crs_wkt);
    ASSERT_GT(points.size(), 10u);
    // Three establishments, one of them twice (a closure listed twice is one closure).
    std::vector<std::int64_t> closed{points.fid[0], points.fid[points.size() / 2], points.fid[points.size() - 1]};
    auto f = travel.figures("health", level::circuit, 1, changes({}, closed));
    ASSERT_TRUE(f);
    EXPECT_EQ(f->closed, 3u);
    EXPECT_GT(f->changed_cells, 0u);
    for (level lvl : {level::zone, level::district, level::circuit})
        expect_equal(*travel.figures("health", lvl, 1, changes({}, closed)), full_run(store, run, {}, closed),
                     "three closed, " + std::string(level_name(lvl)));
    double lost = 0;
    for (const auto& u : f->units) lost += u.before.within.back() - u.after.within.back();
    EXPECT_GT(lost, 0) << "closing three health establishments put no one farther than the last threshold";

    // One reopened, a proposal beside: both at once.
    const auto circuits = db->read_level(level::circuit);
    std::vector<store::proposal_record> proposals{
        proposal(1, point_in(circuits, 40).first, point_in(circuits, 40).second)};
    closed.erase(closed.begin() + 1);
    expect_equal(*travel.figures("health", level::circuit, 1, changes(proposals, closed)),
                 full_run(store, run, proposals, closed), "one reopened, one proposed");
    // Every one reopened: the baseline again. A fid that is not of the sector closes nothing.
    expect_equal(*travel.figures("health", level::district, 1, changes({}, {987654321})), run, "all reopened");
    EXPECT_EQ(travel.figures("health", level::district, 1, changes({}, {987654321}))->closed, 0u);

    // Capacity: the oracle's catchments without the closed establishments.
    auto capacity_of = [](const std::string&) { return 7500.0; };
    auto cap = travel.capacity("health", level::zone, 1, changes({}, closed), 30, capacity_of);
    ASSERT_TRUE(cap);
    const population_grid pop = read_population_grid(run.population_source, surface.g.crs_wkt);
    const auto people = access::people_on_grid(pop, surface.g);
    establishment_points open = without(points, closed);
    for (auto& c : open.capacity)
        if (!(c > 0)) c = 7500;
    const auto after = access::capacity_catchments(surface, people, open, 30);
    EXPECT_NEAR(cap->covered_after, after.covered, 1e-6 * after.covered);
    EXPECT_LE(cap->covered_after, cap->covered_before);
    EXPECT_EQ(cap->searches, 2u);
    EXPECT_EQ(travel.capacity("health", level::zone, 1, changes({}, closed), 30, capacity_of)->searches, 0u);
}

TEST(ScenarioTravel, ARunWithoutItsSurfaceFileNamesIt) {
    demo_copy demo;
    const std::string& store = demo.store;
    auto runs = demo.runs;
    test::scratch& dir = demo.dir;
    for (auto& r : runs) r.surface_source = dir.path("gone_surface.tif");
    scenario_travel travel(store, runs);
    try {
        (void)travel.figures("health", level::circuit, 1, {});
        FAIL() << "a missing surface was not reported";
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("gone_surface.tif"), std::string::npos) << e.what();
    }
    for (auto& r : runs) r.surface_source.clear();  // runs that kept no surface: not live
    EXPECT_EQ(scenario_travel(store, runs).live_run("health"), nullptr);
}

}  // namespace
}  // namespace microplan::geo::usecases
