#include "microplan/geo/usecases/planning.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_inputs.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "support.hpp"

namespace {

using namespace microplan;

TEST(PlanningStore, StandardsRoundTripAndDemoStoreLoads) {
    test::scratch dir;
    std::string store = dir.path("demo.sqlite");
    auto r = test::demo_store_at(store);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto db_store = geo::store::open_store(store, geo::store::open_mode::read_only);
    geo::store::planning_store& db = *db_store;
    auto stored = db.read_standards();
    ASSERT_TRUE(stored);
    auto file = geo::read_standards(std::string(MICROPLAN_DATA_DIR) + "/standards/demo.csv");
    ASSERT_EQ(stored->items.size(), file.items.size());
    for (std::size_t i = 0; i < file.items.size(); ++i) {
        const auto &a = stored->items[i], &b = file.items[i];
        EXPECT_EQ(a.sector, b.sector);
        EXPECT_EQ(a.typology, b.typology);
        EXPECT_EQ(a.lvl, b.lvl);
        EXPECT_EQ(a.rule, b.rule);
        EXPECT_EQ(a.target_bands, b.target_bands);
        EXPECT_EQ(a.investment_cost, b.investment_cost);
        EXPECT_EQ(a.rounding, b.rounding);
        ASSERT_EQ(a.factors.size(), b.factors.size());
        for (std::size_t k = 0; k < a.factors.size(); ++k) EXPECT_EQ(a.factors[k].attribute, b.factors[k].attribute);
    }

    auto in = geo::store::read_planning_inputs(db);
    EXPECT_EQ(in.year, 2025);  // the base year: the projections 2026-2035 come after
    EXPECT_EQ(in.people.size(), 11u);
    EXPECT_EQ(in.where.units(2).size(), 1134u);
    EXPECT_EQ(in.attributes[2].at("poverty").size(), 1134u);
    geo::coverage_model m = geo::usecases::make_model(in);
    // Every establishment of the demo has a standard and a circuit; the networks count
    // households connected, from the demo's circuit attributes.
    std::size_t counted = 0;
    const auto& items = m.catalogue().items;
    for (std::size_t s = 0; s < items.size(); ++s) {
        if (items[s].rule != geo::standard_rule::households) {
            counted += static_cast<std::size_t>(m.national(s).current);
            continue;
        }
        EXPECT_EQ(in.attributes[2].at(items[s].sector + "_connected").size(), 1134u) << items[s].sector;
        EXPECT_GT(m.national(s).current, 0.3 * m.national(s).ideal) << items[s].sector;
        EXPECT_LT(m.national(s).current, m.national(s).ideal) << items[s].sector;
    }
    EXPECT_EQ(counted, in.establishments.size());
    // The demo is built to have gaps in every sector.
    for (const auto& [sector, p] : m.catalogue().sectors()) EXPECT_GT(m.sector_national(sector).deficit, 0) << sector;
}

TEST(PlanningStore, MissingInputsSayWhatToRun) {
    test::scratch dir;
    std::string store = dir.path("empty.sqlite");
    geo::store::update_atomically(store, [](geo::store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    auto db_store = geo::store::open_store(store, geo::store::open_mode::read_only);
    geo::store::planning_store& db = *db_store;
    try {
        geo::store::read_planning_inputs(db);
        FAIL();
    } catch (const geo::store_error& e) {
        EXPECT_NE(std::string(e.what()).find("microplan standards import"), std::string::npos) << e.what();
    }
    auto c = geo::read_standards(std::string(MICROPLAN_DATA_DIR) + "/standards/demo.csv");
    try {
        geo::store::read_planning_inputs(db, c);
        FAIL();
    } catch (const geo::store_error& e) {
        EXPECT_NE(std::string(e.what()).find("no zones, districts or circuits"), std::string::npos) << e.what();
    }
}

}  // namespace
