#include "microplan/geo/planning/closing.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "microplan/geo/error.hpp"
#include "planning_fixture.hpp"

namespace {

using namespace microplan;
using geo::level;
using test::at;

struct ClosingTest : ::testing::Test {
    geo::territory where = test::small_territory();
    std::size_t circuit(const std::string& code) const { return *where.find(2, code); }

    // Security only: one UPC per populated circuit (5), one exists -> 4 missing at 300 each,
    // 50 a year to run.
    geo::coverage_model security_model() {
        geo::standards_catalogue c;
        c.source = "test";
        c.items.push_back(
            test::make_standard("security", "UPC", level::circuit, geo::standard_rule::per_unit, 0, 300, 50));
        geo::coverage_model m(c, where, test::small_population());
        std::vector<geo::placed_establishment> rows = {at(where, "security", "UPC", "02D01C02")};
        m.set_establishments(rows);
        return m;
    }

    // Security (priority 3) and health (priority 1): one establishment per populated circuit
    // each (5), none existing, 300 to build, nothing to run.
    geo::coverage_model two_sector_model() {
        return geo::coverage_model(test::security_and_health(0, 3, 1), where, test::small_population());
    }

    geo::plan_options options(double base, double growth = 0) { return test::budget_options(base, growth, 2030); }
};

TEST_F(ClosingTest, RecurrentCostsComeFirstAndTheNeediestUnitsAreFundedFirst) {
    geo::coverage_model m = security_model();
    geo::closing_plan p = geo::plan_closing(m, {}, options(600));
    const auto& years = p.national.at("security");
    // 2025: 600 funds two UPCs. 2026: 100 runs them, 500 funds one, 200 carries over.
    // 2027: 150 runs three, 450 + 200 funds the last one.
    EXPECT_EQ(years[0].built, 2);
    EXPECT_EQ(years[0].deficit, 2);
    EXPECT_EQ(years[1].spent_recurrent, 100);
    EXPECT_EQ(years[1].built, 1);
    EXPECT_DOUBLE_EQ(p.carried[1], 200);
    EXPECT_EQ(years[2].spent_recurrent, 150);
    EXPECT_EQ(years[2].built, 1);
    EXPECT_EQ(years[2].deficit, 0);
    EXPECT_EQ(p.national_closing_year("security"), 2027);
    // Equal coverage (none): larger populations first, 30,000 then 25,000, 12,000, 8,000.
    EXPECT_EQ(p.closing_year("security", 2, circuit("02D01C01")), 2025);
    EXPECT_EQ(p.closing_year("security", 2, circuit("01D01C01")), 2025);
    EXPECT_EQ(p.closing_year("security", 2, circuit("01D02C01")), 2026);
    EXPECT_EQ(p.closing_year("security", 2, circuit("01D01C02")), 2027);
    EXPECT_EQ(p.closing_year("security", 1, *where.find(1, "01D01")), 2027);
    EXPECT_EQ(p.built.at("security")[0][*where.find(0, "Z1")], 3);
}

TEST_F(ClosingTest, BudgetGrowsByTheScenarioRate) {
    geo::closing_plan p = geo::plan_closing(security_model(), {}, options(1000, 0.05));
    ASSERT_EQ(p.years(), 6u);
    for (std::size_t y = 0; y < p.years(); ++y) EXPECT_NEAR(p.budget[y], 1000 * std::pow(1.05, y), 1e-9);
    auto s = geo::standard_scenarios(1000);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[1].name, "moderate");
    EXPECT_EQ(s[1].growth, 0.05);
    EXPECT_GT(s[0].base_budget, s[1].base_budget);
    EXPECT_LT(s[2].growth, s[1].growth);
}

TEST_F(ClosingTest, WithoutBudgetNothingClosesAndEverythingStaysUnfunded) {
    geo::standards_catalogue c = test::small_catalogue();
    geo::coverage_model m(c, where, test::small_population());
    geo::closing_plan p = geo::plan_closing(m, {}, options(0));
    for (const auto& sector : p.sectors) {
        EXPECT_FALSE(p.national_closing_year(sector)) << sector;
        EXPECT_EQ(p.national.at(sector).back().deficit, m.sector_national(sector).deficit);
        EXPECT_EQ(p.national.at(sector).back().deficit_investment, m.sector_national(sector).investment);
    }
}

TEST_F(ClosingTest, AmpleBudgetClosesEverySectorInTheFirstYear) {
    geo::standards_catalogue c = test::small_catalogue();
    geo::coverage_model m(c, where, test::small_population());
    geo::closing_plan p = geo::plan_closing(m, {}, options(1e9));
    for (const auto& sector : p.sectors) EXPECT_EQ(p.national_closing_year(sector), 2025) << sector;
}

TEST_F(ClosingTest, SectorsShareByPriority) {
    geo::coverage_model m = two_sector_model();
    // 800 split 3:1 -> security 600 (two units), health 200 (none fits, and 200 left is
    // too little for anyone): it carries over.
    geo::closing_plan p = geo::plan_closing(m, {}, options(800));
    EXPECT_EQ(p.national.at("security")[0].built, 2);
    EXPECT_EQ(p.national.at("health")[0].built, 0);
    EXPECT_DOUBLE_EQ(p.carried[0], 200);
    // 2026: 800 + 200 -> 750 / 250: security two more; 400 is shared again 300 / 100:
    // security its last one; 100 carries over. 2027: health has the whole 900: three.
    EXPECT_EQ(p.national.at("security")[1].built, 3);
    EXPECT_EQ(p.national.at("health")[1].built, 0);
    EXPECT_DOUBLE_EQ(p.carried[1], 100);
    EXPECT_EQ(p.national.at("health")[2].built, 3);
}

TEST_F(ClosingTest, GrowingPopulationRaisesTheIdealYearByYear) {
    geo::standards_catalogue c = test::small_catalogue();
    geo::coverage_model m(c, where, test::small_population());
    geo::population_by_year years = {{2025, test::small_population(1.0)}, {2030, test::small_population(2.0)}};
    auto mid = geo::population_for_year(years, 2027);
    EXPECT_NEAR(mid[2].at(geo::total_band).at("01D01C01"), 25000 * 1.4, 1e-6);
    EXPECT_EQ(geo::population_for_year(years, 2040)[2].at(geo::total_band).at("01D01C01"), 50000);
    EXPECT_EQ(geo::population_for_year(years, 2000)[2].at(geo::total_band).at("01D01C01"), 25000);
    geo::closing_plan p = geo::plan_closing(m, years, options(0));
    // Without budget the health deficit grows with the population.
    EXPECT_GT(p.national.at("health").back().deficit, p.national.at("health").front().deficit);
    EXPECT_NEAR(p.population[2][circuit("01D01C01")].back(), 50000, 1e-6);
}

TEST_F(ClosingTest, RequiredBudgetIsTheSmallestThatClosesByTheYear) {
    // Four UPCs missing at 300, 50 a year to run each; close by 2026 with a flat budget k:
    // k < 600 builds at most one in 2025 and 2k - 350 < 900 misses the rest in 2026; with
    // k in [600, 900) two are built in 2025 and 2026 has 2k - 350 × 2 for the other two (600):
    // k >= 650. So the smallest flat budget is 650 a year.
    geo::coverage_model m = security_model();
    geo::plan_options o = options(0);
    geo::required_budget r = geo::plan_required_budget(m, {}, o, 2026);
    ASSERT_EQ(r.sectors.size(), 1u);
    ASSERT_TRUE(r.sectors[0].share);
    // Amounts are whole dollars rounded up: any share in (649, 650] gives 650 a year.
    EXPECT_GT(*r.sectors[0].share, 649);
    EXPECT_LE(*r.sectors[0].share, 650);
    for (const auto& [year, usd] : r.sectors[0].path) EXPECT_EQ(usd, 650) << year;
    EXPECT_TRUE(geo::closes_by(r.plan, "security", 2026));
    EXPECT_EQ(r.plan.national_closing_year("security"), 2026);
    // Given back, the path closes by 2026; 90 % of it does not.
    geo::plan_options back = options(0);
    back.scenario.sector_paths = {{"security", r.sectors[0].path}};
    EXPECT_TRUE(geo::closes_by(geo::plan_closing(m, {}, back), "security", 2026));
    for (auto& [year, usd] : back.scenario.sector_paths["security"]) usd *= 0.9;
    EXPECT_FALSE(geo::closes_by(geo::plan_closing(m, {}, back), "security", 2026));
    // Static cost: the four missing; dynamic: built in 2025 with no limit, then run to 2030
    // (5 later years × 4 × 50).
    EXPECT_EQ(r.sectors[0].static_investment, 1200);
    EXPECT_EQ(r.sectors[0].static_recurrent, 200);
    EXPECT_EQ(r.sectors[0].dynamic_investment, 1200);
    EXPECT_EQ(r.sectors[0].dynamic_recurrent, 1000);
    EXPECT_THROW(geo::plan_required_budget(m, {}, o, 2040), geo::format_error);
}

TEST_F(ClosingTest, RequiredBudgetFollowsGdpAndIsASharePerSector) {
    geo::standards_catalogue c = test::small_catalogue();
    geo::coverage_model m(c, where, test::small_population());
    geo::plan_options o = options(0);
    o.scenario.gdp_year = 2024;
    o.scenario.gdp = 1e6;
    o.scenario.gdp_growth = 0.05;
    geo::required_budget r = geo::plan_required_budget(m, {}, o, 2028);
    ASSERT_EQ(r.sectors.size(), c.sectors().size());
    for (const auto& s : r.sectors) {
        ASSERT_TRUE(s.share) << s.sector;
        // Each year's amount is the share of that year's GDP, rounded up to the dollar.
        for (const auto& [year, usd] : s.path)
            EXPECT_EQ(usd, std::ceil(*s.share * o.scenario.gdp_in(year))) << s.sector;
        EXPECT_TRUE(geo::closes_by(r.plan, s.sector, 2028)) << s.sector;
        // The search simulates the sector alone; the whole plan, every sector simulated,
        // agrees: the sector's path alone closes it.
        geo::plan_options alone = o;
        alone.scenario.sector_paths = {{s.sector, s.path}};
        EXPECT_TRUE(geo::closes_by(geo::plan_closing(m, {}, alone), s.sector, 2028)) << s.sector;
        // The smallest: 90 % of the sector's path alone does not close it.
        geo::plan_options less = o;
        less.scenario.sector_paths[s.sector] = s.path;
        for (auto& [year, usd] : less.scenario.sector_paths[s.sector]) usd *= 0.9;
        if (s.static_investment > 0) {
            EXPECT_FALSE(geo::closes_by(geo::plan_closing(m, {}, less), s.sector, 2028)) << s.sector;
        }
    }
    EXPECT_NEAR(r.plan.gdp[0], 1e6 * 1.05, 1e-6);
}

TEST_F(ClosingTest, AnEarmarkedSectorSpendsOnlyItsOwnMoney) {
    geo::coverage_model m = two_sector_model();
    geo::plan_options o = options(0);
    o.scenario.path = {{2025, 600}};  // the pool: security alone, as health has its own money
    o.scenario.sector_paths = {{"health", {{2025, 350}, {2026, 250}}}};
    geo::closing_plan p = geo::plan_closing(m, {}, o);
    EXPECT_EQ(p.national.at("security")[0].built, 2);
    EXPECT_EQ(p.national.at("health")[0].built, 1);
    EXPECT_EQ(p.national.at("health")[0].budget, 350);
    // 2026: health's 250 + its 50 carried over buy one more; the pool has nothing.
    EXPECT_EQ(p.national.at("health")[1].built, 1);
    EXPECT_EQ(p.national.at("security")[1].built, 0);
    EXPECT_DOUBLE_EQ(p.budget[0], 950);
    EXPECT_DOUBLE_EQ(p.carried[1], 0);
}

TEST_F(ClosingTest, PlansRehabilitateThenExpandThenBuildByHand) {
    geo::coverage_model m = test::schools_to_repair(where);
    const std::size_t c01 = circuit("01D01C01");
    ASSERT_EQ(m.at(0, 2, c01).rehabilitation, 1);
    ASSERT_EQ(m.at(0, 2, c01).expansion, 60);
    ASSERT_EQ(m.at(0, 2, c01).deficit, 1);
    geo::closing_plan p = geo::plan_closing(m, {}, options(500));
    const auto& y = p.national.at("education");
    // 2025: the rehabilitation (400); the expansion (300) does not fit the 100 left.
    EXPECT_EQ(y[0].rehabilitated, 1);
    EXPECT_EQ(y[0].spent_rehabilitation, 400);
    EXPECT_EQ(y[0].spent_investment, 400);
    EXPECT_EQ(y[0].pending_rehabilitation, 0);
    EXPECT_EQ(y[0].pending_expansion, 60);
    // 2026: 500 + 100 carried: 60 places (300); a new school (1,000) does not fit 300.
    EXPECT_EQ(y[1].expanded, 60);
    EXPECT_EQ(y[1].spent_expansion, 300);
    EXPECT_DOUBLE_EQ(p.carried[1], 300);
    // 2027: the 60 places run at 60 % of a school's cost; 740 is not a school.
    EXPECT_DOUBLE_EQ(y[2].spent_recurrent, 60);
    EXPECT_EQ(y[2].built, 0);
    // 2028: 500 - 60 + 740 = 1,180 builds it; the gap closes that year.
    EXPECT_EQ(y[3].built, 1);
    EXPECT_EQ(y[3].deficit, 0);
    EXPECT_EQ(p.national_closing_year("education"), 2028);
    EXPECT_EQ(p.closing_year("education", 2, c01), 2028);
    EXPECT_EQ(p.schedule.rehabilitated[0][c01][0], 1);
    EXPECT_EQ(p.schedule.expanded[0][c01][1], 60);
    EXPECT_EQ(p.schedule.built[0][c01][3], 1);
    // The same schedule replayed gives the same plan.
    geo::plan_options fixed = options(500);
    fixed.fixed = &p.schedule;
    geo::closing_plan again = geo::plan_closing(m, {}, fixed);
    EXPECT_EQ(again.national_closing_year("education"), 2028);
    EXPECT_DOUBLE_EQ(again.carried.back(), p.carried.back());
    // With the rehabilitation pending, the gap is still open: a plan without money never closes.
    EXPECT_EQ(geo::plan_closing(m, {}, options(0)).national_closing_year("education"), std::nullopt);
}

// Health: Tipo A (one per 10,000 people; minimum operable one per 20,000) and a hospital per
// district, both 1,000 to build, nothing to run; every circuit has its Tipo A ideal except
// 01D01C01 (25,000 people: ideal 3, minimum 2, one in place); no hospital.
TEST_F(ClosingTest, TheMinimumOperableTierIsReachedBeforeLowerCoveragesElsewhere) {
    auto model = [&](double minimum) {
        geo::standards_catalogue c;
        c.source = "test";
        c.items.push_back(
            test::make_standard("health", "Tipo A", level::circuit, geo::standard_rule::population, 10000, 1000, 0));
        c.items[0].minimum_people_per_unit = minimum;
        c.items.push_back(
            test::make_standard("health", "Hospital", level::district, geo::standard_rule::per_unit, 0, 1000, 0));
        std::vector<geo::placed_establishment> rows = {at(where, "health", "Tipo A", "01D01C01")};
        for (auto [code, n] : {std::pair{"01D01C02", 1}, {"01D02C01", 2}, {"02D01C01", 3}, {"02D01C02", 1}})
            for (int i = 0; i < n; ++i) rows.push_back(at(where, "health", "Tipo A", code));
        geo::coverage_model m(c, where, test::small_population());
        m.set_establishments(rows);
        return m;
    };
    const std::size_t c01 = circuit("01D01C01"), zone2 = *where.find(1, "02D01");
    // One establishment a year. With the minimum tier, 01D01C01 (33 %, below its minimum) first;
    // then the hospitals (0 %), the largest district first.
    geo::closing_plan with = geo::plan_closing(model(20000), {}, options(1000));
    EXPECT_EQ(with.schedule.built[0][c01][0], 1);
    EXPECT_EQ(with.schedule.built[1][zone2][1], 1);
    EXPECT_EQ(with.national.at("health")[0].minimum_deficit, 0);
    EXPECT_EQ(with.national_minimum_year("health"), 2025);
    // Without it, the hospitals (0 %) come before 01D01C01 (33 %).
    geo::closing_plan without = geo::plan_closing(model(0), {}, options(1000));
    EXPECT_EQ(without.schedule.built[1][zone2][0], 1);
    EXPECT_EQ(without.schedule.built[0][c01][0], 0);
    EXPECT_EQ(without.schedule.built[0][c01][3], 1);
    // Both close in 2029 (five establishments at one a year).
    EXPECT_EQ(with.national_closing_year("health"), 2029);
    EXPECT_EQ(without.national_closing_year("health"), 2029);
}

// Water (a network): 90 % of each circuit's households connected at 200 a connection, 10 a year
// to run one, a project connecting up to 500 households. 01D01C01 has 2,000 households, 1,000
// connected: ideal 1,800, 800 missing; 01D02C01 has 1,000, 900 connected: ideal 900, none missing.
TEST_F(ClosingTest, ANetworkClosesItsGapInHouseholdsProjectByProjectByHand) {
    geo::standards_catalogue c;
    c.source = "test";
    c.items.push_back(test::make_standard("water", "Red", level::circuit, geo::standard_rule::households, 0, 200, 10));
    c.items[0].target_pct = 90;
    c.items[0].capacity = 500;
    const std::size_t c01 = circuit("01D01C01"), d01 = circuit("01D02C01");
    std::vector<geo::unit_attributes> attributes(3);
    attributes[2]["water_households"] = {{"01D01C01", 2000}, {"01D02C01", 1000}};
    attributes[2]["water_connected"] = {{"01D01C01", 1000}, {"01D02C01", 900}};
    geo::coverage_model m(c, where, test::small_population(), attributes);
    const geo::offer& o = m.at(0, 2, c01);
    EXPECT_EQ(o.ideal, 1800);
    EXPECT_EQ(o.current, 1000);
    EXPECT_EQ(o.deficit, 800);
    EXPECT_EQ(o.investment, 800 * 200);
    EXPECT_EQ(o.recurrent, 800 * 10);
    EXPECT_DOUBLE_EQ(o.coverage_pct(), 100.0 * 1000 / 1800);
    EXPECT_EQ(m.at(0, 2, d01).deficit, 0);
    // Circuits without data count no households (and say so when the attribute is absent).
    EXPECT_EQ(m.at(0, 2, circuit("02D01C01")).ideal, 0);
    // 120,000 a year: 2025 connects 500 (100,000); the 300 left (60,000) do not fit the 20,000 left.
    // 2026: 5,000 runs the 500, 115,000 + 20,000 connects the 300 (60,000).
    geo::closing_plan p = geo::plan_closing(m, {}, options(120000));
    const auto& y = p.national.at("water");
    EXPECT_EQ(y[0].built, 500);
    EXPECT_EQ(y[0].spent_investment, 100000);
    EXPECT_EQ(y[0].deficit, 300);
    EXPECT_EQ(y[1].spent_recurrent, 5000);
    EXPECT_EQ(y[1].built, 300);
    EXPECT_EQ(y[1].deficit, 0);
    EXPECT_EQ(p.national_closing_year("water"), 2026);
    EXPECT_EQ(p.schedule.built[0][c01][0], 500);
}

}  // namespace

namespace {

// A national standard in the plan: UPCs per circuit (4 missing, 300 each) and one national
// laboratory for the whole country (one missing, 700); security has the higher priority. With
// 1,900 a year security's share (1,425) builds its 4 UPCs and what is left (700) goes to the
// laboratory, which closes the nation's gap: the plan, the closing year and closes_by see it.
TEST_F(ClosingTest, ANationalStandardIsFundedAndClosesAsTheNationsOneUnit) {
    geo::standards_catalogue c;
    c.source = "test";
    c.items.push_back(
        test::make_standard("security", "UPC", level::circuit, geo::standard_rule::per_unit, 0, 300, 0, 3));
    c.items.push_back(test::make_standard("health", "Laboratorio nacional", level::nation, geo::standard_rule::per_unit,
                                          0, 700, 0, 1));
    geo::coverage_model m(c, where, test::small_population());
    std::vector<geo::placed_establishment> rows = {at(where, "security", "UPC", "02D01C02")};
    m.set_establishments(rows);
    ASSERT_EQ(m.national(1).deficit, 1);
    auto plan = geo::plan_closing(m, {}, options(1900));
    ASSERT_EQ(plan.schedule.built[1].size(), 1u);  // the nation is its one unit
    EXPECT_EQ(plan.national_closing_year("health"), 2025);
    EXPECT_EQ(plan.national_closing_year("security"), 2025);
    EXPECT_TRUE(geo::closes_by(plan, "health", 2025));
    EXPECT_EQ(plan.national.at("health")[0].spent_investment, 700);
    // 300 a year: 1,800 by 2030, the UPCs' 1,200 first; the laboratory never fits, so health
    // never closes though no unit shows a gap.
    auto poor = geo::plan_closing(m, {}, options(300));
    EXPECT_FALSE(poor.national_closing_year("health"));
    EXPECT_FALSE(geo::closes_by(poor, "health", 2030));
    // The required budget closes the nation's gap by the year asked.
    auto need = geo::plan_required_budget(m, {}, options(0), 2027);
    EXPECT_TRUE(geo::closes_by(need.plan, "health", 2027));
}

}  // namespace
