#pragma once
// Microplanning over a store: the coverage model of the inputs read from it, the closing plan
// of a budget scenario (planning/coverage.hpp, planning/closing.hpp), and what the planning
// commands report from them (planning/report.hpp): coverage, a unit's intersectoral report,
// the ranking, the plan, indicators and targets. Reads only, except coverage's `save`.
// Deterministic for the same store and inputs.
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/planning/closing.hpp"
#include "microplan/geo/planning/coverage.hpp"
#include "microplan/geo/planning/optimal.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/store/planning_inputs.hpp"

namespace microplan::geo::usecases {

// The coverage model of the inputs' year, with the stored establishments placed.
coverage_model make_model(const store::planning_inputs& inputs, coverage_options options = {});

// What every planning command reads: the store, a catalogue to use instead of the stored one,
// the population year.
struct planning_request {  // members initialised, so that designated initialisers may leave any out
    std::string store = {};
    std::string standards = {};  // CSV path; "" = the catalogue in force
    int year = 0;                // 0 = the latest that is not a projection
    bool include_proposed = false;
    bool include_private = false;    // count private establishments in the current offer
    bool poor_out_of_offer = false;  // establishments in poor condition do not count until rehabilitated
    // Count the offer in force on this date (model/dates.hpp; "" = as registered): establishments
    // opened and not closed by then, projects finished by then; the population of its year
    // when the store has it and `year` is 0. Throws format_error when it is not a date.
    std::string as_of = {};
};
// The budget scenario of a plan: a scenario of the store's budget scenarios (or of the table
// `scenarios` names), its first year's budget or growth overridden when given, or a budget path
// that replaces its budget. A store without budget scenarios (made before they existed) gets
// the built-in three around 20 % of the first year's investment gap, and says so in the plan's
// scenario source.
struct scenario_request {
    std::string scenario = "moderate";
    double budget = 0;    // > 0: the first year's budget in USD
    double growth = NAN;  // given: the budget's yearly growth
    int last_year = 2035;
    std::string scenarios = {};  // a scenarios table (CSV) instead of the store's
    std::string budgets = {};    // a budget path (CSV: year, budget [, sector])
};

// The plan options of a request: the scenario chosen, from the inputs' year to last_year.
// Throws format_error naming the scenarios present when `scenario` is not one of them.
plan_options plan_options_for(const coverage_model& model, const store::planning_inputs& inputs,
                              const scenario_request& request = {});
// The closing plan of a request.
closing_plan plan_for(const coverage_model& model, const store::planning_inputs& inputs,
                      const scenario_request& request = {});

// The inputs read and their model. The model refers to the inputs' territory: keep both.
struct planning_session {
    std::unique_ptr<store::planning_inputs> inputs;
    std::unique_ptr<coverage_model> model;
};
planning_session open_planning(const planning_request& request);

struct coverage_request {
    planning_request base;
    coverage_query query;  // query.sector in any spelling (salud, health)
    bool save = false;     // also store the results of every level (table coverage) with the closing
                           // years of the scenario's plan, keyed by year and scenario
    scenario_request scenario;
};
struct coverage_result {
    std::vector<coverage_row> rows;
    findings report;  // the model's
    int year = 0;
};
coverage_result compute_coverage(const coverage_request& request);

// The intersectoral report of one unit with the closing years of the scenario's plan.
unit_report report_unit(const planning_request& request, const scenario_request& scenario, level lvl,
                        const std::string& code);

// Units of a level ranked by an indicator (planning/report.hpp, rank_units).
// by / weight as ranking_options; a plan of `scenario` is made when `by` needs one (unfunded,
// closing_year).
struct ranking_request {
    std::string sector;  // any spelling; "" = all sectors
    std::string by = "investment_per_capita";
    std::string weight;  // a unit attribute (poverty); "" = none
    scenario_request scenario;
};
std::vector<ranking_row> rank_store_units(const planning_request& request, level lvl, const ranking_request& ranking);
// Populated units of a level where the State is absent (planning/report.hpp, absent_units).
struct absence_result {
    planning_session session;
    std::string sector;  // canonical; "" = every sector
    std::vector<absence_row> rows;
};
absence_result absent_store_units(const planning_request& request, level lvl, const std::string& sector);

struct plan_result {
    planning_session session;
    closing_plan plan;
};
plan_result plan_store(const planning_request& request, const scenario_request& scenario);

struct required_result {
    planning_session session;
    plan_options options;
    required_budget required;
};
// How much closes every sector's gap in every unit by `close_by` under the scenario's GDP
// (closing.hpp, plan_required_budget).
required_result plan_required(const planning_request& request, const scenario_request& scenario, int close_by);

struct optimal_store_result {
    planning_session session;
    optimal_result optimal;
};
// The optimal schedule of the scenario's plan (planning/optimal.hpp) beside its greedy plan.
optimal_store_result plan_optimal_store(const planning_request& request, const scenario_request& scenario,
                                        const optimal_options& how);

struct indicators_result {
    planning_session session;
    closing_plan plan;
    std::vector<indicator_status> targets;  // when a targets table was given
    findings report;                        // the targets table's
};
// The plan and, when `targets` names a table, the status of every target (traffic lights at `lights`).
indicators_result evaluate_indicators(const planning_request& request, const scenario_request& scenario,
                                      const std::string& targets, const light_thresholds& lights = {});

}  // namespace microplan::geo::usecases
