// Magnitudes where standards and population enter planning, and the loops of closing the gap:
// values beyond physical bounds (bounds.hpp) are refused with the line, column, value and bound,
// and every loop of plan_closing ends within its input's deficit (BAD_INPUTS.md, "Magnitudes and
// loops"). Each case used to run for ever or to be stored without a word.
#include "microplan/geo/model/bounds.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "microplan/geo/error.hpp"
#include "microplan/geo/planning/closing.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "planning_fixture.hpp"
#include "watchdog.hpp"

namespace {

using namespace microplan;
using geo::level;
using test::at;

const char* header =
    "sector,typology,level,rule,people_per_unit,units_per_territory,capacity,max_travel_min,max_distance_km,"
    "investment_cost,recurrent_cost,priority\n";

// The message of the format_error read_standards throws for `rows`, "" when it reads them.
std::string standards_error(const test::scratch& dir, const std::string& rows) {
    try {
        geo::read_standards(dir.write("s.csv", std::string(header) + rows));
    } catch (const geo::format_error& e) {
        return e.what();
    }
    return "";
}

TEST(StandardsBounds, ATinyPeoplePerUnitIsRefusedWithLineColumnValueAndBound) {
    test::scratch dir;
    std::string e = standards_error(dir, "health,Tipo A,circuit,population,0.0001,,100,,,1000,100,1\n");
    EXPECT_NE(e.find("line 2, column people_per_unit"), std::string::npos) << e;
    EXPECT_NE(e.find("'0.0001' must be between 1 and 10000000000"), std::string::npos) << e;
    EXPECT_NE(e.find("[standards.out_of_range]"), std::string::npos) << e;
    // One person per establishment is the least a standard can mean, and is accepted.
    EXPECT_EQ(standards_error(dir, "health,Tipo A,circuit,population,1,,100,,,1000,100,1\n"), "");
}

TEST(StandardsBounds, EveryMagnitudeBeyondItsBoundIsListed) {
    test::scratch dir;
    std::string e = standards_error(dir,
                                    "health,Tipo A,circuit,population,1e11,,1e12,1e9,1e6,1e300,2e12,1e300\n"
                                    "security,UPC,circuit,per_unit,,1e9,,,,300,50,1\n");
    for (const char* column : {"people_per_unit", "capacity", "max_travel_min", "max_distance_km", "investment_cost",
                               "recurrent_cost", "priority"})
        EXPECT_NE(e.find("line 2, column " + std::string(column) + ": '"), std::string::npos) << column << "\n" << e;
    EXPECT_NE(e.find("line 3, column units_per_territory: '1e9' must be between 0 and 1000"), std::string::npos) << e;
    EXPECT_NE(e.find("'1e300' must be between 0 and 1000000000000: no establishment costs more"), std::string::npos)
        << e;
}

TEST(StandardsBounds, AStoredCatalogueIsCheckedAgainstTheSameBounds) {
    geo::standards_catalogue c = test::small_catalogue();
    c.items[0].people_per_unit = 1e-6;
    c.items[1].investment_cost = std::numeric_limits<double>::infinity();
    geo::findings f = geo::check_standards(c);
    ASSERT_TRUE(f.has_errors());
    std::string all;
    for (const auto& item : f.items) all += item.message + "\n";
    EXPECT_NE(all.find("column people_per_unit: '1e-06' must be between 1 and"), std::string::npos) << all;
    EXPECT_NE(all.find("'inf' must be between 0 and"), std::string::npos) << all;
}

TEST(CoverageBounds, APopulationBeyondTheWorldsIsRefusedNamingUnitAndBand) {
    geo::territory where = test::small_territory();
    auto people = test::small_population();
    people[2][geo::total_band]["01D02C01"] = 1e308;
    try {
        geo::coverage_model m(test::small_catalogue(), where, people);
        FAIL() << "a population of 1e308 was accepted";
    } catch (const geo::format_error& e) {
        EXPECT_EQ(e.where().code, "01D02C01");
        EXPECT_EQ(e.where().field, "total");
        EXPECT_NE(std::string(e.what()).find("circuit 01D02C01: '1e+308' must be between 0 and"), std::string::npos)
            << e.what();
    }
    people[2][geo::total_band]["01D02C01"] = -5;
    EXPECT_THROW(geo::coverage_model(test::small_catalogue(), where, people), geo::format_error);
    people[2][geo::total_band]["01D02C01"] = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(geo::coverage_model(test::small_catalogue(), where, people), geo::format_error);
}

struct PlanBounds : ::testing::Test {
    geo::territory where = test::small_territory();

    static geo::plan_options options(double base, double growth = 0, int first = 2025, int last = 2030) {
        geo::plan_options o;
        o.scenario = geo::budget_scenario{};
        o.scenario.name = "moderate";
        o.scenario.base_budget = base;
        o.scenario.growth = growth;
        o.first_year = first;
        o.last_year = last;
        return o;
    }
    // One standard, one establishment per `people` people in each circuit, at `cost`.
    geo::coverage_model model(double people, double cost, double scale = 1) {
        geo::standards_catalogue c;
        c.source = "catalogue.csv";
        c.items.push_back(
            test::make_standard("health", "Tipo A", level::circuit, geo::standard_rule::population, people, cost, 0));
        c.items.back().line = 7;
        return geo::coverage_model(c, where, test::small_population(scale));
    }
};

TEST_F(PlanBounds, AnIdealOfferBeyondWhatAPlanCanBuildIsRefusedAtOnce) {
    test::watchdog guard;
    // One establishment per person for 79,000 x 1,000 people: 79 million missing. Before the
    // bound the allocation built them one at a time, for hours.
    try {
        geo::plan_closing(model(1, 1, 1000), {}, options(1e14));
        FAIL() << "a plan of 79 million establishments was simulated";
    } catch (const geo::format_error& e) {
        EXPECT_EQ(e.rule(), "plan too large");
        EXPECT_EQ(e.where().file, "catalogue.csv");
        EXPECT_EQ(e.where().feature, 7);
        EXPECT_NE(std::string(e.what()).find("alone misses 7.9e+07"), std::string::npos) << e.what();
    }
}

TEST_F(PlanBounds, FreeEstablishmentsAndHugeBudgetsStillEnd) {
    test::watchdog guard;
    // Costs of 0 fit any envelope and an infinite pool never shrinks: the loops end because
    // every pass builds one missing establishment, and only the deficit's count of them.
    geo::closing_plan p = geo::plan_closing(model(10, 0), {}, options(1e14));
    ASSERT_EQ(p.national.at("health").size(), 6u);
    EXPECT_EQ(p.national.at("health")[0].built, 7900);
    EXPECT_EQ(p.national.at("health")[0].deficit, 0);
    EXPECT_EQ(p.national_closing_year("health"), 2025);
}

TEST_F(PlanBounds, HorizonBudgetAndGrowthOutOfRangeAreRefused) {
    test::watchdog guard;
    auto m = model(10000, 1000);
    auto rule_of = [&](const geo::plan_options& o) {
        try {
            geo::plan_closing(m, {}, o);
        } catch (const geo::format_error& e) {
            return e.rule();
        }
        return std::string("accepted");
    };
    EXPECT_EQ(rule_of(options(1000, 0, 2025, 99999)), "year out of range");
    EXPECT_EQ(rule_of(options(1000, 0, 99999999, 99999999)), "year out of range");
    EXPECT_EQ(rule_of(options(1000, 0, 1900, 2100)), "horizon too long");
    EXPECT_EQ(rule_of(options(1e300)), "budget out of range");
    EXPECT_EQ(rule_of(options(std::numeric_limits<double>::quiet_NaN())), "budget out of range");
    EXPECT_EQ(rule_of(options(1000, 5)), "growth out of range");
    EXPECT_EQ(rule_of(options(1000, 0.05, 2025, 2124)), "accepted");
}

TEST_F(PlanBounds, AProjectedPopulationBeyondTheBoundIsRefusedInTheYearItReaches) {
    test::watchdog guard;
    geo::population_by_year years;
    years[2025] = test::small_population();
    years[2030] = test::small_population();
    years[2030][2][geo::total_band]["02D01C01"] = 1e300;
    EXPECT_THROW(geo::plan_closing(model(10000, 1000), years, options(1e6)), geo::format_error);
}

TEST(Bounds, ViolationsNameTheValueTheEndsAndWhy) {
    EXPECT_EQ(geo::bounds::violation("2", {0, 1, "a share"}), "'2' must be between 0 and 1: a share");
    EXPECT_EQ(geo::bounds::violation(1e308, geo::bounds::people).substr(0, 44),
              "'1e+308' must be between 0 and 10000000000: ");
    EXPECT_FALSE(geo::bounds::within(std::numeric_limits<double>::quiet_NaN(), geo::bounds::people));
    EXPECT_FALSE(geo::bounds::within(std::numeric_limits<double>::infinity(), geo::bounds::cost_usd));
    EXPECT_TRUE(geo::bounds::within(8.1e9, geo::bounds::people));
}

}  // namespace
