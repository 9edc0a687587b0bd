#pragma once
// Closing the deficit over time (step 5 of microplanning): a yearly budget that grows under
// a scenario, population projected year by year, and the sectors' political priority decide
// which missing establishments are built each year. The allocation rule, year by year
// (docs/planning.md, "Closing the gap over time"):
//   1. budget(y) = base × (1 + growth)^(y − first year), or the year's amount of an explicit
//      budget path; a sector with a path of its own (earmarked) is funded from it alone
//   2. the ideal offer is recomputed with the population of year y
//   3. the yearly recurrent cost of every establishment the plan built before is paid first
//   4. what is left (plus last year's carry-over) is shared among the sectors that still have
//      a gap, in proportion to their priority index
//   5. within a sector, one piece of work at a time goes to the unit below its minimum operable
//      offer, else whose coverage of that standard is lowest (ties: larger demand, then code)
//      whenever its cost fits what is left of the sector's share; in a unit, a poor establishment
//      is rehabilitated first, then existing ones expanded (up to one establishment's places at a
//      time, where the standard expands), then one establishment built; what a sector cannot
//      spend returns to the pool and is shared again among the others; what nobody can spend
//      carries over to the next year
//   6. work counts from the end of the year it is funded; expansions add their share of the
//      recurrent cost, rehabilitations none (the establishment already runs)
// The year a sector closes its gap in a territory is the first year after which nothing is left
// to do there (no establishment missing, to rehabilitate or to expand) at the end of every
// remaining year of the horizon.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/planning/coverage.hpp"

namespace microplan::geo {

struct budget_scenario {
    std::string name;        // optimistic, moderate, pessimistic, or a scenarios table's own
    double base_budget = 0;  // USD in the first year
    double growth = 0.05;    // yearly growth rate
    // The scenario's gross domestic product: gdp_in(y) = gdp × (1 + gdp_growth)^(y − gdp_year);
    // gdp 0 = not known (no shares of GDP are reported).
    int gdp_year = 0;
    double gdp = 0;
    double gdp_growth = 0;
    // An explicit budget path (year -> USD) replaces base_budget and growth; years it does not
    // name have no budget. A sector's own path (sector -> year -> USD) earmarks that money: the
    // sector is funded from it alone (its recurrent costs first, its unspent money carried over
    // to its next year), the other sectors share `path` (or base_budget) by priority.
    std::map<int, double> path;
    std::map<std::string, std::map<int, double>> sector_paths;
    // Where the scenario comes from, for reports: a scenarios table, a budget path, or built in.
    std::string source;

    [[nodiscard]] double gdp_in(int year) const;
    // The general pool's budget of a year (not the sectors' own paths).
    [[nodiscard]] double budget_in(int year, int first_year) const;
};

// The three scenarios of the method around a moderate base budget: optimistic 1.25 × base
// growing 7 %/year, moderate base growing `moderate_growth` (5 %), pessimistic 0.75 × base
// growing 2 %/year.
std::vector<budget_scenario> standard_scenarios(double moderate_base, double moderate_growth = 0.05);

// Population of every tier by year; years in between are interpolated linearly, years
// outside the range hold the nearest year's values.
using population_by_year = std::map<int, std::vector<population_values>>;
std::vector<population_values> population_for_year(const population_by_year& years, int year);

struct sector_year {
    int year = 0;
    double budget = 0;              // the sector's share, after re-sharing
    double spent_investment = 0;    // new establishments funded this year
    double spent_recurrent = 0;     // running the plan's earlier establishments
    double built = 0;               // establishments funded this year
    double deficit = 0;             // establishments missing at the end of the year (nation)
    double deficit_investment = 0;  // their investment cost
    double deficit_recurrent = 0;   // their yearly recurrent cost
    double coverage_pct = 0;        // national coverage of the sector's ideal offer
    // Parts of spent_investment: rehabilitations and expansions funded this year (and how many:
    // establishments rehabilitated, places added).
    double rehabilitated = 0, spent_rehabilitation = 0;
    double expanded = 0, spent_expansion = 0;
    // Left at the end of the year (nation): establishments to rehabilitate, places to add, and
    // establishments missing to reach the minimum operable offer.
    double pending_rehabilitation = 0, pending_expansion = 0, minimum_deficit = 0;
};

// What a plan does per standard, unit of the standard's level and year index (counted from the
// end of that year).
using unit_years = std::vector<std::vector<std::vector<double>>>;
struct build_schedule {
    unit_years built;          // establishments built
    unit_years rehabilitated;  // establishments in poor condition rehabilitated
    unit_years expanded;       // places added to existing establishments
};

struct closing_plan {
    budget_scenario scenario;
    int first_year = 0, last_year = 0;
    std::vector<std::string> sectors;                          // catalogue order
    std::vector<double> budget;                                // per year index: total budget
    std::vector<double> carried;                               // per year index: unspent, carried over
    std::vector<double> gdp;                                   // per year index: the scenario's GDP (0: unknown)
    std::map<std::string, std::vector<sector_year>> national;  // sector -> per year
    // sector -> tier -> unit -> per year: deficit (establishments) at the end of the year.
    std::map<std::string, std::vector<std::vector<std::vector<double>>>> deficit;
    // sector -> tier -> unit -> per year: coverage % at the end of the year.
    std::map<std::string, std::vector<std::vector<std::vector<double>>>> coverage;
    // sector -> tier -> unit -> per year: rehabilitations and places of expansion still to do at
    // the end of the year (the gap is closed when they and the deficit are 0).
    std::map<std::string, std::vector<std::vector<std::vector<double>>>> pending;
    // sector -> tier -> unit -> per year: establishments counted (existing + built).
    std::map<std::string, std::vector<std::vector<std::vector<double>>>> current;
    // tier -> unit -> per year: people (total band).
    std::vector<std::vector<std::vector<double>>> population;
    // sector -> tier -> unit: built establishments over the whole horizon.
    std::map<std::string, std::vector<std::vector<double>>> built;
    // What was built where and when: standard -> unit of its level -> year index.
    build_schedule schedule;

    [[nodiscard]] std::size_t years() const { return budget.size(); }
    // The closing year of a sector in a unit (tier, unit) or the nation (tier = npos);
    // nullopt when the gap is still open at the end of the horizon.
    [[nodiscard]] std::optional<int> closing_year(const std::string& sector, std::size_t tier, std::size_t unit) const;
    [[nodiscard]] std::optional<int> national_closing_year(const std::string& sector) const;
    // The year the sector reaches its minimum operable offer in every unit (nation).
    [[nodiscard]] std::optional<int> national_minimum_year(const std::string& sector) const;
};

struct plan_options {
    budget_scenario scenario;
    int first_year = 2025;
    int last_year = 2035;
    // Build exactly this schedule instead of allocating by the greedy rule (the budget is
    // still accounted for: a schedule beyond it shows as negative carry-over).
    const build_schedule* fixed = nullptr;
};

// Simulates the plan on a copy of `model` (its establishments and standards), with the
// population of each year taken from `people` (tiers as in the model's territory).
closing_plan plan_closing(const coverage_model& model, const population_by_year& people, const plan_options& options);

// Whether a sector's gap is closed in every unit of every level at the end of `year` and of
// every later year of the plan.
bool closes_by(const closing_plan& plan, const std::string& sector, int year);

// How much: the money that closes every sector's gap in every unit by `close_by` (the method's
// "cuánto"), under the scenario's GDP and the projected population.
struct sector_requirement {
    std::string sector;
    // The smallest share of each year's GDP, the same every year, whose yearly amounts earmarked
    // to the sector close its gap by close_by (found by bisection on plan_closing to a relative
    // 1e-4). When the scenario has no GDP the path grows as its budget does, (1 + growth)^(y −
    // first year), and `share` is the first year's amount in USD. nullopt when even the largest
    // budget allowed (bounds::budget_usd) cannot.
    std::optional<double> share;
    std::map<int, double> path;  // year -> USD (each year's amount, rounded up to the dollar)
    // Unconstrained: every gap funded the year it appears (a budget no year can exhaust).
    double static_investment = 0;      // the first year's gap: investment to build, rehabilitate and expand
    double static_rehabilitation = 0;  // and to rehabilitate what is in poor condition (part of investment)
    double static_expansion = 0;       // and to expand what exists (part of investment)
    double static_recurrent = 0;       // and the yearly cost of running it
    double dynamic_investment = 0;     // over the horizon, as the population grows
    double dynamic_recurrent = 0;      // recurrent costs paid over the horizon for what the plan built
};
struct required_budget {
    int close_by = 0;
    std::vector<sector_requirement> sectors;  // catalogue order
    // The plan funded from every sector's required path (scenario.sector_paths), and the
    // unconstrained plan; both over the options' horizon.
    closing_plan plan;
    closing_plan unconstrained;
};
// Throws format_error when close_by is outside the horizon.
required_budget plan_required_budget(const coverage_model& model, const population_by_year& people,
                                     const plan_options& options, int close_by);

}  // namespace microplan::geo
