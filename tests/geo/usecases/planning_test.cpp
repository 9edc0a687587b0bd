#include "microplan/geo/usecases/planning.hpp"

#include <gtest/gtest.h>

#include "demo_store.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/standards.hpp"
#include "support.hpp"

using namespace microplan;
using namespace microplan::test;

TEST(UsecasePlanning, CoverageAnswersTheQueryAndSavesEveryLevel) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    geo::usecases::coverage_request request;
    request.base.store = store;
    request.query = {geo::level::circuit, "salud", false};
    request.save = true;
    geo::usecases::coverage_result r = geo::usecases::compute_coverage(request);
    EXPECT_EQ(r.year, 2025);
    ASSERT_EQ(r.rows.size(), 1134u);  // one per circuit: the sector's spelling is canonicalised
    for (const auto& row : r.rows) EXPECT_EQ(row.sector, "health");
    // Saved for every level, not only the one asked for: 140 districts x 4 sectors.
    auto rows =
        run("sqlite3 " + store + " \"SELECT COUNT(*) FROM coverage WHERE level = 'district' AND typology = ''\"");
    EXPECT_EQ(rows.output, "560\n");
}

TEST(UsecasePlanning, ReportsRankingAndPlanReadTheStoreOnly) {
    const std::string& store = demo_store::get().store();
    const std::string before = read_bytes(store);
    geo::usecases::planning_request request{store, {}, 0, false};
    geo::usecases::scenario_request moderate;
    geo::unit_report report = geo::usecases::report_unit(request, moderate, geo::level::district, "01D01");
    EXPECT_EQ(report.unit.code, "01D01");
    EXPECT_EQ(report.sectors.size(), 4u);
    EXPECT_EQ(report.scenario, "moderate");
    EXPECT_THROW(geo::usecases::report_unit(request, moderate, geo::level::district, "99D99"), geo::format_error);

    auto ranking = geo::usecases::rank_store_units(request, geo::level::zone, "educacion");
    ASSERT_EQ(ranking.size(), 9u);
    EXPECT_EQ(ranking[0].rank, 1);
    EXPECT_GE(ranking[0].investment_per_capita, ranking[8].investment_per_capita);

    geo::usecases::scenario_request pessimistic{"pessimistic", 0, 0.05, 2030};
    geo::usecases::plan_result plan = geo::usecases::plan_store(request, pessimistic);
    EXPECT_EQ(plan.plan.scenario.name, "pessimistic");
    EXPECT_EQ(plan.plan.first_year, 2025);
    EXPECT_EQ(plan.plan.last_year, 2030);
    EXPECT_EQ(plan.session.inputs->people.size(), 11u);
    EXPECT_EQ(read_bytes(store), before);
}

TEST(UsecasePlanning, IndicatorsEvaluateTargetsWithStoredAccessibility) {
    const std::string& store = demo_store::get().store();
    geo::usecases::indicators_result r = geo::usecases::evaluate_indicators(
        {store, {}, 0, false}, {}, std::string(MICROPLAN_DATA_DIR) + "/targets/demo.csv");
    ASSERT_FALSE(r.targets.empty());
    bool within_minutes = false;
    for (const auto& t : r.targets) within_minutes |= t.goal.indicator == "population_within_minutes";
    EXPECT_TRUE(within_minutes);
    for (const auto& f : r.report.items)
        EXPECT_EQ(f.message.find("needs accessibility results"), std::string::npos) << f.message;
    EXPECT_TRUE(geo::usecases::evaluate_indicators({store, {}, 0, false}, {}, "").targets.empty());
}

TEST(UsecaseStandards, ACatalogueWithErrorsIsRefusedBeforeWriting) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    const std::string before = read_bytes(store);
    std::string bad =
        dir.write("bad.csv", "sector,typology,level,investment_cost,recurrent_cost\nastrology,X,circuit,1,\n");
    EXPECT_THROW(geo::usecases::put_standards_in_force(store, bad), geo::format_error);
    EXPECT_EQ(read_bytes(store), before);
    auto c = geo::usecases::put_standards_in_force(store, std::string(MICROPLAN_DATA_DIR) + "/standards/demo.csv");
    EXPECT_EQ(c.sectors().size(), 4u);
    EXPECT_EQ(geo::usecases::check_standards(std::string(MICROPLAN_DATA_DIR) + "/standards/demo.csv").items.size(),
              c.items.size());
}
