#include "microplan/geo/usecases/planning.hpp"

#include <gtest/gtest.h>

#include "demo_store.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_inputs.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/projects.hpp"
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
    // Saved for every level, not only the one asked for: 140 districts x 7 sectors (four of
    // establishments, three household networks).
    auto rows =
        run("sqlite3 " + store + " \"SELECT COUNT(*) FROM coverage WHERE level = 'district' AND typology = ''\"");
    EXPECT_EQ(rows.output, "980\n");
    // With the closing years of the scenario's plan; a second scenario is kept beside the first.
    request.scenario.scenario = "pessimistic";
    geo::usecases::compute_coverage(request);
    auto by_scenario =
        run("sqlite3 " + store +
            " \"SELECT scenario, COUNT(*), COUNT(closing_year) FROM coverage WHERE level = 'district' AND "
            "typology = '' GROUP BY scenario\"");
    EXPECT_EQ(by_scenario.output.rfind("moderate|980|", 0), 0u) << by_scenario.output;
    EXPECT_NE(by_scenario.output.find("pessimistic|980|"), std::string::npos) << by_scenario.output;
    EXPECT_EQ(by_scenario.output.find("|980|0\n"), std::string::npos) << "closing years stored";
}

TEST(UsecasePlanning, ACoverageTableWithoutTheScenarioInItsKeyIsCarriedOver) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    // As stores before budget scenarios wrote it: (level, code, sector, typology, year) the key.
    auto made = run("sqlite3 " + store +
                    " \"CREATE TABLE coverage (level TEXT NOT NULL, code TEXT NOT NULL, sector TEXT NOT NULL,"
                    " typology TEXT NOT NULL, year INTEGER NOT NULL, population REAL, demand REAL, current REAL, ideal "
                    "REAL, deficit REAL, surplus REAL, coverage_pct REAL, capacity_current REAL, capacity_ideal REAL,"
                    " capacity_deficit REAL, good REAL, fair REAL, poor REAL, investment_cost REAL, recurrent_cost "
                    "REAL, closing_year INTEGER, scenario TEXT, PRIMARY KEY (level, code, sector, typology, year));"
                    " INSERT INTO coverage (level, code, sector, typology, year) VALUES ('zone', 'Z9', 'health', '', "
                    "2019)\"");
    ASSERT_EQ(made.exit_code, 0) << made.output;
    geo::usecases::coverage_request request;
    request.base.store = store;
    request.save = true;
    geo::usecases::compute_coverage(request);
    auto kept = run("sqlite3 " + store + " \"SELECT scenario FROM coverage WHERE year = 2019\"");
    EXPECT_EQ(kept.output, "\n");  // the old row, scenario ''
    auto pk = run("sqlite3 " + store + " \"SELECT pk FROM pragma_table_info('coverage') WHERE name = 'scenario'\"");
    EXPECT_EQ(pk.output, "6\n");
    // The columns added since (staff, condition, expansion, minimum tier) join the old table.
    auto added = run("sqlite3 " + store +
                     " \"SELECT SUM(rehabilitation) > 0, SUM(expansion_places) > 0, SUM(minimum) > 0,"
                     " COUNT(staff_current) > 0 FROM coverage WHERE level = 'zone' AND typology = ''\"");
    EXPECT_EQ(added.output, "1|1|1|1\n") << added.output;
}

TEST(UsecasePlanning, ReportsRankingAndPlanReadTheStoreOnly) {
    const std::string& store = demo_store::get().store();
    const std::string before = read_bytes(store);
    geo::usecases::planning_request request{.store = store};
    geo::usecases::scenario_request moderate;
    geo::unit_report report = geo::usecases::report_unit(request, moderate, geo::level::district, "01D01");
    EXPECT_EQ(report.unit.code, "01D01");
    EXPECT_EQ(report.sectors.size(), 7u);
    EXPECT_EQ(report.scenario, "moderate");
    EXPECT_THROW(geo::usecases::report_unit(request, moderate, geo::level::district, "99D99"), geo::format_error);

    geo::usecases::ranking_request education;
    education.sector = "educacion";
    auto ranking = geo::usecases::rank_store_units(request, geo::level::zone, education);
    ASSERT_EQ(ranking.size(), 9u);
    EXPECT_EQ(ranking[0].rank, 1);
    EXPECT_GE(ranking[0].investment_per_capita, ranking[8].investment_per_capita);

    geo::usecases::scenario_request pessimistic{.scenario = "pessimistic", .growth = 0.05, .last_year = 2030};
    geo::usecases::plan_result plan = geo::usecases::plan_store(request, pessimistic);
    EXPECT_EQ(plan.plan.scenario.name, "pessimistic");
    EXPECT_EQ(plan.plan.first_year, 2025);
    EXPECT_EQ(plan.plan.last_year, 2030);
    EXPECT_EQ(plan.session.inputs->people.size(), 11u);
    EXPECT_EQ(read_bytes(store), before);
}

TEST(UsecasePlanning, IndicatorsEvaluateTargetsWithStoredAccessibility) {
    const std::string& store = demo_store::get().store();
    geo::usecases::indicators_result r =
        geo::usecases::evaluate_indicators({.store = store}, {}, std::string(MICROPLAN_DATA_DIR) + "/targets/demo.csv");
    ASSERT_FALSE(r.targets.empty());
    bool within_minutes = false;
    std::size_t observed = 0;
    for (const auto& t : r.targets) {
        within_minutes |= t.goal.indicator == "population_within_minutes";
        if (t.goal.observed) {  // the demo's observed chronic malnutrition, every district observed
            ++observed;
            EXPECT_NE(t.status, "no_data") << t.code;
        }
    }
    EXPECT_TRUE(within_minutes);
    EXPECT_EQ(observed, 140u);
    for (const auto& f : r.report.items)
        EXPECT_EQ(f.message.find("needs accessibility results"), std::string::npos) << f.message;
    EXPECT_TRUE(geo::usecases::evaluate_indicators({.store = store}, {}, "").targets.empty());
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
    EXPECT_EQ(c.sectors().size(), 7u);
    EXPECT_EQ(geo::usecases::check_standards(std::string(MICROPLAN_DATA_DIR) + "/standards/demo.csv").items.size(),
              c.items.size());
}

TEST(UsecasePlanning, ScenariosComeFromTheStoresTableAndTheRequiredPathClosesByItsYear) {
    scratch dir;
    const std::string& store = demo_store::get().store();
    geo::usecases::planning_request request{.store = store};
    // The demo puts data/budget_scenarios/ecuador.csv in force: 2 % of a GDP growing 5 %.
    geo::usecases::plan_result moderate = geo::usecases::plan_store(request, {});
    const geo::closing_plan& p = moderate.plan;
    ASSERT_GT(p.scenario.gdp, 0);
    EXPECT_EQ(p.scenario.source, "ecuador.csv, moderate: 2 % of GDP");
    for (std::size_t y = 0; y < p.years(); ++y) EXPECT_NEAR(p.budget[y] / p.gdp[y], 0.02, 1e-12);
    EXPECT_NEAR(p.gdp[1] / p.gdp[0], 1.05, 1e-12);
    geo::usecases::scenario_request unknown;
    unknown.scenario = "utopian";
    try {
        geo::usecases::plan_store(request, unknown);
        ADD_FAILURE() << "an unknown scenario was planned";
    } catch (const geo::format_error& e) {
        EXPECT_NE(std::string(e.what()).find("optimistic, moderate, pessimistic"), std::string::npos) << e.what();
    }
    // How much closes every sector by 2030; the path written back closes by 2030, 90 % of it does not.
    geo::usecases::scenario_request until{.last_year = 2032};
    geo::usecases::required_result r = geo::usecases::plan_required(request, until, 2030);
    ASSERT_EQ(r.required.sectors.size(), 7u);  // four establishment sectors, three networks
    std::string csv = geo::budget_path_csv(r.required);
    geo::usecases::scenario_request back = until;
    back.budgets = dir.write("path.csv", csv);
    geo::closing_plan given = geo::usecases::plan_store(request, back).plan;
    std::string less = "year,sector,budget\n";
    for (const auto& s : r.required.sectors) {
        ASSERT_TRUE(s.share) << s.sector;
        EXPECT_GT(*s.share, 0) << s.sector;
        EXPECT_TRUE(geo::closes_by(r.required.plan, s.sector, 2030)) << s.sector;
        EXPECT_TRUE(geo::closes_by(given, s.sector, 2030)) << s.sector;
        EXPECT_FALSE(geo::closes_by(given, s.sector, 2029)) << s.sector;   // the smallest closes no earlier
        EXPECT_GE(s.dynamic_investment, s.static_investment) << s.sector;  // the population grows
        for (const auto& [year, usd] : s.path)
            less += std::to_string(year) + "," + s.sector + "," + std::to_string(0.9 * usd) + "\n";
    }
    back.budgets = dir.write("less.csv", less);
    geo::closing_plan short_of = geo::usecases::plan_store(request, back).plan;
    for (const auto& s : r.required.sectors) EXPECT_FALSE(geo::closes_by(short_of, s.sector, 2030)) << s.sector;
}

TEST(UsecaseStandards, BudgetScenariosWithErrorsAreRefusedBeforeWriting) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    const std::string before = read_bytes(store);
    std::string bad = dir.write("bad.csv", "scenario,gdp_year,gdp_usd,gdp_growth_pct,budget_pct_gdp\nx,2024,-5,5,2\n");
    EXPECT_THROW(geo::usecases::put_budget_scenarios_in_force(store, bad), geo::format_error);
    EXPECT_EQ(read_bytes(store), before);
    std::string good =
        dir.write("good.csv", "scenario,gdp_year,gdp_usd,gdp_growth_pct,budget_pct_gdp\nausterity,2024,1e11,1,0.5\n");
    geo::usecases::put_budget_scenarios_in_force(store, good);
    auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
    auto t = db->read_budget_scenarios();
    ASSERT_TRUE(t);
    ASSERT_EQ(t->rows.size(), 1u);
    EXPECT_EQ(t->rows[0].scenario.name, "austerity");
    EXPECT_DOUBLE_EQ(t->rows[0].scenario.gdp_growth, 0.01);
    EXPECT_DOUBLE_EQ(t->rows[0].budget_pct_gdp, 0.5);
    EXPECT_EQ(t->source, good);
}

TEST(UsecaseStandards, ASectorsTableIsPutInForceOnlyWhereTheCatalogueFitsIt) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    {
        auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
        auto t = db->read_sectors();  // the demo puts data/sectors/ecuador.csv in force
        ASSERT_TRUE(t);
        EXPECT_EQ(t->items.size(), 11u);
        EXPECT_EQ(t->find("water")->kind, geo::sector_kind::network);
        EXPECT_EQ(t->find("justice")->levels.size(), 3u);  // nation, zone, district
        EXPECT_EQ(t->find("health")->deconcentration, 2);
    }
    // A table that keeps health away from circuits does not fit the demo's catalogue: refused,
    // nothing written.
    const std::string before = read_bytes(store);
    std::string narrow = dir.write("narrow.csv",
                                   "sector,label_es,kind,levels\nhealth,Salud,establishment,zone;district\n"
                                   "education,Educación,establishment,zone;district;circuit\n"
                                   "security,Seguridad,establishment,zone;district;circuit\n"
                                   "child_development,Desarrollo infantil,establishment,zone;district;circuit\n");
    try {
        geo::usecases::put_sectors_in_force(store, narrow);
        FAIL() << "expected a refusal";
    } catch (const geo::format_error& e) {
        EXPECT_NE(std::string(e.what()).find("lets health standards use zone, district, not circuit"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(read_bytes(store), before);
    // A catalogue at a level the table in force does not allow is refused too.
    std::string sport = dir.write("sport.csv",
                                  "sector,typology,level,rule,people_per_unit,investment_cost,recurrent_cost\n"
                                  "deporte,Coliseo,circuit,population,50000,1,1\n");
    EXPECT_THROW(geo::usecases::put_standards_in_force(store, sport), geo::format_error);
    EXPECT_EQ(read_bytes(store), before);
}

namespace {

// The investment portfolio: the example table placed in the demo's units, by point or by unit
// code; bad places refused with every row named, nothing written.
TEST(UsecaseProjects, ThePortfolioIsPlacedByPointOrUnitAndRefusedWholeWhenARowIsWrong) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    // The security offer of 08D03C01, where the example's finished UPC (P-2024-017) stands.
    auto security_current = [&] {
        auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
        auto in = geo::store::read_planning_inputs(*db);
        geo::coverage_model m = geo::usecases::make_model(in);
        return m.sector_offer("security", 2, *in.where.find(2, "08D03C01")).current;
    };
    const double upc_before = security_current();
    auto r = geo::usecases::import_projects(store, std::string(MICROPLAN_DATA_DIR) + "/projects/demo_example.csv");
    // A finished project that built an establishment counts in the offer from then on.
    EXPECT_EQ(security_current(), upc_before + 1);
    ASSERT_EQ(r.rows.size(), 6u);
    EXPECT_EQ(r.by_point, 3u);
    EXPECT_EQ(r.by_unit, 3u);
    auto stored = geo::usecases::read_projects(store);
    ASSERT_EQ(stored.size(), 6u);
    // By point: the circuit it lies in, with its district and zone.
    EXPECT_EQ(stored[0].circuit_code, "01D01C01");
    EXPECT_EQ(stored[0].district_code, "01D01");
    EXPECT_FALSE(stored[0].zone_code.empty());
    // By point and unit code, agreeing; by circuit code alone: its parents from the store.
    EXPECT_EQ(stored[1].circuit_code, "03D02C02");
    EXPECT_EQ(stored[2].circuit_code, "05D01C03");
    EXPECT_EQ(stored[2].district_code, "05D01");
    EXPECT_FALSE(stored[2].zone_code.empty());
    // A zone's project: the zone only.
    EXPECT_EQ(stored[5].zone_code, "Z9");
    EXPECT_TRUE(stored[5].district_code.empty());
    EXPECT_EQ(stored[5].attributes.milestones.size(), 2u);
    EXPECT_EQ(stored[5].attributes.debt, 50000000);
    ASSERT_TRUE(stored[0].attributes.physical_progress);
    EXPECT_EQ(*stored[0].attributes.physical_progress, 45);

    const std::string before = read_bytes(store);
    std::string bad = dir.write("bad.csv",
                                "code,name,sector,lon,lat,unit_code,investment\n"
                                "X1,En el mar,health,-100,-40,,10\n"
                                "X2,Otro circuito,health,-80.425073,0.285577,03D02C02,10\n"
                                "X3,No existe,health,,,99D99C99,10\n"
                                "X4,Bien,health,,,01D01,10\n");
    std::string what;
    try {
        geo::usecases::import_projects(store, bad);
    } catch (const geo::format_error& e) {
        what = e.what();
    }
    EXPECT_NE(what.find("line 2, column lon: project X1: its point (-100"), std::string::npos) << what;
    EXPECT_NE(what.find("[projects.outside]"), std::string::npos) << what;
    EXPECT_NE(what.find("line 3, column unit_code: project X2: its point lies in circuit 01D01C01, not in 03D02C02"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("line 4, column unit_code: project X3: no circuit of the store has code 99D99C99"),
              std::string::npos)
        << what;
    EXPECT_EQ(what.find("X4"), std::string::npos) << what;
    EXPECT_EQ(read_bytes(store), before);
}

}  // namespace
