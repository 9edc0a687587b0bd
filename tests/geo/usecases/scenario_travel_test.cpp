// Live travel time of scenarios (usecases/scenario_travel.hpp) on the demo store: the baseline
// equals the stored travel-time run, and after proposals are added, moved and deleted the
// figures of every unit of every level equal a full travel-time run with the proposals counted
// as establishments.
#include "microplan/geo/usecases/scenario_travel.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "demo_store.hpp"
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

// A full run over the demo's surface with the existing establishments and `proposals`.
accessibility_run full_run(const std::string& store, const accessibility_run& run,
                           const std::vector<store::proposal_record>& proposals) {
    const cost_surface surface = read_cost_raster(run.surface_source);
    const population_grid pop = read_population_grid(run.population_source, surface.g.crs_wkt);
    auto db = store::open_store(store, store::open_mode::read_only);
    establishment_points points = read_establishment_points(*db, "health", "", surface.g.crs_wkt);
    proj::transformer to(std::string("EPSG:4326"), surface.g.crs_wkt);
    for (const auto& p : proposals) {
        double x = p.lon, y = p.lat;
        EXPECT_TRUE(to.forward(x, y));
        points.fid.push_back(0), points.code.push_back(""), points.name.push_back(""), points.typology.push_back("");
        points.x.push_back(x), points.y.push_back(y), points.capacity.push_back(0);
    }
    access::accessibility_options o;
    o.sector = "health";
    o.thresholds = run.thresholds;
    return access::travel_time_accessibility(read_unit_levels(*db), surface, pop, points, o).run;
}

store::proposal_record proposal(std::int64_t id, double lon, double lat, const std::string& sector = "health") {
    store::proposal_record p;
    p.id = id, p.scenario_id = 1, p.sector = sector, p.typology = "Centro de Salud Tipo A", p.lon = lon, p.lat = lat;
    return p;
}

TEST(ScenarioTravel, FollowsProposalsAsAFullRunWould) {
    test::scratch dir;
    const std::string store = dir.path("demo.sqlite");
    test::demo_store::get().copy_to(store);
    auto db = store::open_store(store, store::open_mode::read_only);
    const auto runs = db->read_accessibility();
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
    auto point_in = [&](std::size_t u) {
        auto p = geos::own(GEOSPointOnSurface_r(geos::thread_context().handle(), circuits.units[u].geometry.get()));
        double x = 0, y = 0;
        GEOSGeomGetX_r(geos::thread_context().handle(), p.get(), &x);
        GEOSGeomGetY_r(geos::thread_context().handle(), p.get(), &y);
        return std::pair{x, y};
    };
    std::vector<store::proposal_record> proposals;
    for (std::size_t u : {3u, 40u, 77u})
        proposals.push_back(proposal(proposals.size() + 1, point_in(u).first, point_in(u).second));
    proposals.push_back(proposal(9, point_in(5).first, point_in(5).second, "education"));
    auto after = travel.figures("health", level::district, 1, proposals);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->proposals, 3u);
    EXPECT_GT(after->changed_cells, 0u);
    proposals.pop_back();
    const auto added = full_run(store, run, proposals);
    expect_equal(*after, added, "three proposals");
    double gained = 0;
    for (const auto& u : after->units) gained += u.after.within.back() - u.before.within.back();
    EXPECT_GT(gained, 0);

    proposals[0].lon = point_in(100).first, proposals[0].lat = point_in(100).second;  // moved
    proposals.erase(proposals.begin() + 1);                                           // deleted
    for (level lvl : {level::zone, level::circuit}) {
        auto edited = travel.figures("health", lvl, 1, proposals);
        ASSERT_TRUE(edited);
        expect_equal(*edited, full_run(store, run, proposals), "moved and deleted, " + edited->level);
    }
    // Another scenario starts from the baseline; a forgotten one too.
    expect_equal(*travel.figures("health", level::circuit, 2, {}), run, "scenario 2");
    // Beyond the states kept, the least recently used is dropped and rebuilt from its proposals.
    scenario_travel small(store, runs, 1);
    (void)small.figures("health", level::circuit, 1, proposals);
    (void)small.figures("health", level::circuit, 2, {});  // drops scenario 1's state
    expect_equal(*small.figures("health", level::circuit, 1, proposals), full_run(store, run, proposals),
                 "scenario 1 rebuilt");
    travel.forget(1);
    expect_equal(*travel.figures("health", level::circuit, 1, {}), run, "scenario 1 forgotten");
}

TEST(ScenarioTravel, ARunWithoutItsSurfaceFileNamesIt) {
    test::scratch dir;
    const std::string store = dir.path("demo.sqlite");
    test::demo_store::get().copy_to(store);
    auto runs = store::open_store(store, store::open_mode::read_only)->read_accessibility();
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
