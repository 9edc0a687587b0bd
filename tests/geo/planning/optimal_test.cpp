// The optimal plan (CBC) against brute force on a small territory, and the greedy beside it.
#include "microplan/geo/planning/optimal.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "planning_fixture.hpp"

namespace {

using namespace microplan;
using geo::level;

// Security (priority 1: 300 to build, 50 a year to run) and health (priority 3: 300, nothing to
// run), one of each per populated circuit (5 circuits of 25,000, 8,000, 12,000, 30,000 and 4,000
// people), none existing; 2025-2027 with 600 a year, unspent money carried over.
struct OptimalTest : ::testing::Test {
    geo::territory where = test::small_territory();
    geo::coverage_model model() {
        return geo::coverage_model(test::security_and_health(50, 1, 3), where, test::small_population());
    }
    geo::plan_options options() { return test::budget_options(600, 0, 2027); }
};

// Every schedule: each of the 10 (standard, circuit) pairs built in 2025, 2026, 2027 or never
// (4^10); the cheapest value among those within the cumulative budget.
double brute_force(const geo::coverage_model& m) {
    std::vector<std::pair<std::size_t, std::size_t>> cells;  // (standard, circuit)
    std::vector<double> people;
    for (std::size_t s = 0; s < 2; ++s)
        for (std::size_t u = 0; u < m.where().units(2).size(); ++u)
            if (m.population(2, u) > 0) {
                cells.emplace_back(s, u);
                people.push_back(m.population(2, u));
            }
    const double priority[] = {1, 3}, investment = 300, recurrent[] = {50, 0}, budget = 600;
    double best = INFINITY;
    const std::size_t n = cells.size();
    std::vector<int> when(n, 0);  // 0, 1, 2 = built in that year index; 3 = never
    for (long long code = 0; code < (1LL << (2 * n)); ++code) {
        for (std::size_t i = 0; i < n; ++i) when[i] = static_cast<int>((code >> (2 * i)) & 3);
        bool ok = true;
        double value = 0;
        for (int y = 0; y < 3 && ok; ++y) {
            double spent = 0;
            for (std::size_t i = 0; i < n; ++i)
                if (when[i] <= y) spent += investment + recurrent[cells[i].first] * (y - when[i]);
            ok = spent <= budget * (y + 1) + 1e-9;
            for (std::size_t i = 0; i < n; ++i)
                if (when[i] > y) value += priority[cells[i].first] * people[i];
        }
        if (ok) best = std::min(best, value);
    }
    return best;
}

TEST_F(OptimalTest, TheOptimumEqualsBruteForceAndTheGreedyIsMeasuredAgainstIt) {
    geo::coverage_model m = model();
    geo::optimal_result r = geo::plan_optimal(m, {}, options());
    EXPECT_EQ(r.status, "optimal");
    const double best = brute_force(m);
    EXPECT_NEAR(r.value, best, 1e-6 * best);
    EXPECT_NEAR(r.bound, best, 1e-3 * best);
    // The replayed plan built exactly the schedule, within the budget, and has the value claimed.
    EXPECT_NEAR(geo::unserved_people_years(m, {}, options(), r.plan.schedule), r.value, 1e-6 * best);
    EXPECT_GE(r.plan.carried.back(), -1e-6);
    // The greedy's value under the same objective, never better than the optimum.
    EXPECT_NEAR(r.greedy_value, geo::unserved_people_years(m, {}, options(), r.greedy.schedule), 1e-6);
    EXPECT_GE(r.greedy_value, r.value - 1e-6);
    EXPECT_GE(r.greedy_gap(), 0);
    // The optimum builds health first (three times the weight, nothing to run): 4 puestos in the
    // first two years cover the four largest circuits.
    double health_first_two_years = 0;
    for (const auto& unit : r.plan.schedule.built[1]) health_first_two_years += unit[0] + unit[1];
    EXPECT_EQ(health_first_two_years, 4);
}

TEST_F(OptimalTest, WithoutMoneyNothingIsBuiltAndTheValueIsEveryoneUnserved) {
    geo::coverage_model m = model();
    geo::plan_options o = options();
    o.scenario.base_budget = 0;
    geo::optimal_result r = geo::plan_optimal(m, {}, o);
    EXPECT_EQ(r.status, "optimal");
    // 79,000 people in the five circuits, weight 1 + 3, three years.
    EXPECT_NEAR(r.value, 79000.0 * 4 * 3, 1e-6);
    EXPECT_NEAR(r.greedy_value, r.value, 1e-6);
    EXPECT_EQ(r.greedy_gap(), 0);
}

// Rehabilitations and expansions are part of the programme: on a unit that needs a
// rehabilitation, 60 places of expansion and a new school, the optimum is never worse than the
// greedy plan, stays within the budget, and its replay has the value claimed.
TEST(OptimalWorks, RehabilitationsAndExpansionsAreScheduledWithinTheBudget) {
    geo::territory where = test::small_territory();
    for (bool poor_counts : {true, false}) {
        geo::coverage_options how;
        how.poor_counts = poor_counts;
        geo::coverage_model m = test::schools_to_repair(where, how);
        geo::plan_options o = test::budget_options(500, 0, 2028);
        geo::optimal_result r = geo::plan_optimal(m, {}, o);
        EXPECT_EQ(r.status, "optimal") << poor_counts;
        EXPECT_TRUE(r.greedy_within_budget) << poor_counts;
        EXPECT_LE(r.value, r.greedy_value + 1e-6) << poor_counts;
        EXPECT_GE(r.plan.carried.back(), -1e-6) << poor_counts;
        EXPECT_NEAR(geo::unserved_people_years(m, {}, o, r.plan.schedule), r.value, 1e-6) << poor_counts;
        double rehabilitated = 0, expanded = 0;
        const std::size_t c01 = *where.find(2, "01D01C01");
        for (std::size_t y = 0; y < 4; ++y) {
            rehabilitated += r.plan.schedule.rehabilitated[0][c01][y];
            expanded += r.plan.schedule.expanded[0][c01][y];
        }
        EXPECT_EQ(rehabilitated, 1) << poor_counts;  // worth it in both cases
        EXPECT_GT(expanded, 0) << poor_counts;       // a place is half the price of a new school's
        EXPECT_LE(expanded, 60) << poor_counts;
        EXPECT_GT(r.integers, 0);
    }
}

}  // namespace
