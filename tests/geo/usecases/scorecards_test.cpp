// Scorecards and strategy maps (issue 20, item 5): the table read with every bad row reported,
// and the demo's scorecards evaluated against the plan, the observed values and the portfolio.
#include "microplan/geo/planning/scorecards.hpp"

#include <gtest/gtest.h>

#include <set>

#include "demo_store.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/usecases/projects.hpp"
#include "support.hpp"

using namespace microplan;
using namespace microplan::test;

namespace {

TEST(Scorecards, TheTableIsReadWithEveryBadRowReported) {
    auto demo = geo::read_scorecards(std::string(MICROPLAN_DATA_DIR) + "/scorecards/demo.csv", geo::builtin_sectors());
    ASSERT_EQ(demo.rows.size(), 19u);
    EXPECT_EQ(demo.rows[0].lvl, geo::level::nation);
    ASSERT_TRUE(demo.rows[0].goal);
    EXPECT_EQ(demo.rows[0].goal->lvl, geo::level::district);  // the nation counts districts
    EXPECT_EQ(*demo.rows[0].goal->share_of_units, 50);
    EXPECT_EQ(demo.rows[4].view, geo::perspective::processes);
    EXPECT_EQ(demo.rows[4].causes, (std::vector<std::string>{"N1", "N2", "N3"}));
    EXPECT_FALSE(demo.rows[4].goal);
    scratch dir;
    const std::string bad = dir.write("bad.csv",
                                      "level,code,objective,perspective,contributes_to,indicator,sector,"
                                      "indicator_level,year,target,share_of_units\n"
                                      "region,,A,beneficiarios,,,,,,,\n"
                                      "zone,,,beneficiarios,,,,,,,\n"
                                      "zone,,B,felicidad,,,,,,,\n"
                                      "zone,,C,procesos,X9,,,,,,\n"
                                      "nation,,D,beneficiarios,,coverage_pct,health,district,2030,90,\n"
                                      "zone,,E,beneficiarios,,coverage_pct,health,district,2030,90,\n"
                                      "zone,,F,beneficiarios,,happiness,health,,20x0,-1,\n");
    std::string what;
    try {
        geo::read_scorecards(bad, geo::builtin_sectors());
    } catch (const geo::format_error& e) {
        what = e.what();
    }
    for (const char* expected :
         {"line 2, column level: 'region' is not nation", "line 3, column objective: the row names no objective",
          "line 4, column perspective: 'felicidad' is not beneficiaries",
          "line 5, column contributes_to: objective C contributes to X9",
          "line 6, column share_of_units: the nation's indicators are targets over a set of units",
          "line 7, column indicator_level: a zone's indicators are measured in the unit itself",
          "line 8, column indicator: unknown indicator 'happiness'", "line 8, column year", "line 8, column target"})
        EXPECT_NE(what.find(expected), std::string::npos) << expected << "\n" << what;
}

TEST(Scorecards, AZonesScorecardCascadesFromTheNationsWithIndicatorsInitiativesAndLinks) {
    geo::usecases::planning_request request;
    request.store = demo_store::get().store();
    auto z = geo::usecases::store_scorecard(request, {}, geo::level::zone, "Z1");
    EXPECT_EQ(z.card.name, "Zona 1");
    ASSERT_EQ(z.card.objectives.size(), 8u);
    // Each objective's indicator is the target the indicators command evaluates.
    scratch dir;
    const std::string targets = dir.write("t.csv",
                                          "indicator,sector,level,code,year,target\n"
                                          "coverage_pct,health,zone,Z1,2030,90\n");
    auto expected = geo::usecases::evaluate_indicators(request, {}, targets);
    const geo::objective_status& b1 = z.card.objectives[0];
    EXPECT_EQ(b1.definition->objective, "B1");
    EXPECT_EQ(b1.definition->cascades_from, "N1");
    ASSERT_EQ(b1.indicators.size(), 1u);
    ASSERT_EQ(expected.targets.size(), 1u);
    EXPECT_EQ(b1.indicators[0].status, expected.targets[0].status);
    EXPECT_DOUBLE_EQ(b1.indicators[0].baseline, expected.targets[0].baseline);
    EXPECT_EQ(b1.status, expected.targets[0].status);
    // Its initiatives: the portfolio's health projects working in the zone.
    std::size_t health_in_z1 = 0;
    for (const auto& row : z.session.inputs->projects)
        health_in_z1 += row.zone_code == "Z1" && row.attributes.sector == "health";
    EXPECT_EQ(b1.initiatives.size(), health_in_z1);
    for (const auto& p : b1.initiatives) EXPECT_EQ(p.attributes.sector, "health");
    // Objectives without an indicator have no status of their own.
    EXPECT_EQ(z.card.objectives[6].status, "no_data");  // C1
    // The strategy map: perspectives in order and the cause-effect links.
    const nlohmann::json j = geo::scorecard_json(z.card);
    ASSERT_EQ(j["perspectives"].size(), 4u);
    EXPECT_EQ(j["perspectives"][0]["id"], "beneficiaries");
    EXPECT_EQ(j["perspectives"][3]["label_es"], "Finanzas");
    std::set<std::pair<std::string, std::string>> links;
    for (const auto& l : j["links"]) links.insert({l["from"].get<std::string>(), l["to"].get<std::string>()});
    EXPECT_TRUE(links.count({"C1", "P1"}));
    EXPECT_TRUE(links.count({"F1", "P2"}));
    // The nation's indicators are sets: at least 50 % of the 140 districts, counted by rounding up.
    auto n = geo::usecases::store_scorecard(request, {}, geo::level::nation, "");
    ASSERT_FALSE(n.card.objectives[0].indicators.empty());
    const geo::indicator_status& set = n.card.objectives[0].indicators[0];
    EXPECT_EQ(set.code, "*");
    EXPECT_EQ(set.units, 140u);
    EXPECT_EQ(set.required, 70u);
    // Districts have theirs; circuits none (a level the table does not cover).
    EXPECT_EQ(geo::usecases::store_scorecard(request, {}, geo::level::district, "01D01").card.objectives.size(), 4u);
    EXPECT_THROW(geo::usecases::store_scorecard(request, {}, geo::level::circuit, "01D01C01"), geo::format_error);
}

}  // namespace
