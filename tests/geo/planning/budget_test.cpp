// Budget scenarios and budget paths as data: the shipped table, every bad row named with its
// file, line and column, and a path's rows (total and earmarked).
#include "microplan/geo/planning/budget.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "microplan/geo/error.hpp"
#include "planning_fixture.hpp"
#include "support.hpp"

namespace {

using namespace microplan;

using test::error_of;

TEST(BudgetScenarios, TheShippedTableHasTheMethodsModerateScenario) {
    auto t = geo::read_budget_scenarios(std::string(MICROPLAN_DATA_DIR) + "/budget_scenarios/ecuador.csv");
    ASSERT_EQ(t.rows.size(), 3u);
    const auto* moderate = t.find("moderate");
    ASSERT_NE(moderate, nullptr);
    EXPECT_EQ(t.find("moderado"), moderate);                // the Spanish label finds it too
    EXPECT_DOUBLE_EQ(moderate->scenario.gdp_growth, 0.05);  // SENPLADES: GDP growing 5 % a year
    EXPECT_GT(t.find("optimistic")->scenario.gdp_growth, 0.05);
    EXPECT_LT(t.find("pessimistic")->scenario.gdp_growth, 0.05);
    EXPECT_TRUE(geo::check_budget_scenarios(t).empty());
    // The budget is the share of each year's GDP: 2 % of GDP grown from 2024 to 2026.
    geo::budget_scenario s = geo::scenario_of(*moderate, 2026);
    EXPECT_NEAR(s.base_budget, 0.02 * moderate->scenario.gdp * 1.05 * 1.05, 1e-3);
    EXPECT_DOUBLE_EQ(s.growth, 0.05);
    EXPECT_NEAR(s.gdp_in(2027), moderate->scenario.gdp * std::pow(1.05, 3), 1e-3);
}

TEST(BudgetScenarios, EveryBadRowIsNamedWithLineAndColumn) {
    test::scratch dir;
    std::string path = dir.write("s.csv",
                                 "scenario,gdp_year,gdp_usd,gdp_growth_pct,budget_pct_gdp\n"
                                 "moderate,2024,1e11,5,2\n"
                                 "moderate,2024,1e11,5,2\n"
                                 "high,20x4,1e11,5,2\n"
                                 "wild,2024,1e308,500,80\n"
                                 ",2024,1e11,5,2\n");
    std::string e = error_of([&] { geo::read_budget_scenarios(path); });
    EXPECT_NE(e.find("line 3, column scenario: 'moderate' is named twice"), std::string::npos) << e;
    EXPECT_NE(e.find("line 4, column gdp_year: '20x4' is not a number"), std::string::npos) << e;
    EXPECT_NE(e.find("line 5, column gdp_usd"), std::string::npos) << e;
    EXPECT_NE(e.find("line 5, column gdp_growth_pct"), std::string::npos) << e;
    EXPECT_NE(e.find("line 5, column budget_pct_gdp"), std::string::npos) << e;
    EXPECT_NE(e.find("line 6, column scenario: no scenario name"), std::string::npos) << e;
    std::string missing = dir.write("m.csv", "scenario,gdp_usd\nmoderate,1e11\n");
    e = error_of([&] { geo::read_budget_scenarios(missing); });
    EXPECT_NE(e.find("no gdp_year column"), std::string::npos) << e;
    // Spanish headers are read too.
    auto t = geo::read_budget_scenarios(dir.write(
        "es.csv", "escenario,anio_pib,pib_usd,crecimiento_pib_pct,presupuesto_pct_pib\nmoderado,2024,1e11,5,2\n"));
    EXPECT_EQ(t.rows.at(0).scenario.name, "moderado");
}

TEST(BudgetPath, TotalAndEarmarkedRowsAndTheirErrors) {
    test::scratch dir;
    geo::standards_catalogue c = test::small_catalogue();
    auto p = geo::read_budget_path(dir.write("p.csv",
                                             "year,budget,sector\n2025,1000,\n2026,1100,\n2025,500,salud\n"
                                             "2026,400,health\n"),
                                   c);
    EXPECT_EQ(p.total.size(), 2u);
    EXPECT_EQ(p.total.at(2026), 1100);
    ASSERT_EQ(p.sectors.count("health"), 1u);  // "salud" is health
    EXPECT_EQ(p.sectors.at("health").at(2025), 500);
    EXPECT_EQ(p.sectors.at("health").at(2026), 400);
    // Spanish headers, no sector column.
    auto es = geo::read_budget_path(dir.write("es.csv", "anio,presupuesto\n2030,7\n"), c);
    EXPECT_EQ(es.total.at(2030), 7);
    std::string e = error_of([&] {
        geo::read_budget_path(dir.write("bad.csv",
                                        "year,budget,sector\n2025,1000,\n2025,900,\n2026,-1,\n2027,5,astrology\n"
                                        "1492,5,\n2028,1e20,\n"),
                              c);
    });
    EXPECT_NE(e.find("line 3, column year: 2025 is given twice"), std::string::npos) << e;
    EXPECT_NE(e.find("line 4, column budget"), std::string::npos) << e;
    EXPECT_NE(e.find("line 5, column sector: 'astrology' is not a sector of the standards in force"), std::string::npos)
        << e;
    EXPECT_NE(e.find("line 6, column year: '1492' is not a year"), std::string::npos) << e;
    EXPECT_NE(e.find("line 7, column budget"), std::string::npos) << e;
}

}  // namespace
