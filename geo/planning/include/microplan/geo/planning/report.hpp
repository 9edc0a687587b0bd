#pragma once
// What planners read: coverage tables per level and sector, the intersectoral report of a
// district (every sector side by side, with its circuits), the national ranking of districts
// by deficit per capita, and indicators with targets (metas) and a traffic-light status.
// Each comes as JSON and as CSV (UTF-8, comma-separated, one header row).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/accessibility.hpp"
#include "microplan/geo/planning/closing.hpp"
#include "microplan/geo/planning/coverage.hpp"
#include "microplan/geo/planning/observations.hpp"
#include "microplan/geo/planning/optimal.hpp"
#include "microplan/geo/planning/projects.hpp"

namespace microplan::geo {

// One unit and sector (typology "" = the sector's total over its standards at that level).
struct coverage_row {
    level lvl = level::district;
    std::string code, name, parent;
    double population = 0;
    std::string sector, typology;
    offer values;
    std::optional<int> closing_year;  // when a plan is given
    // A sector with no standard at this level: the level its standards are planned at (values
    // are then not applicable: null in JSON, empty in CSV).
    std::optional<level> planned_at;
    // What current, ideal, deficit and surplus count: "establishments", or "households" for a
    // network sector ("" for the row of every sector: establishments, networks' money only).
    std::string counts;
};

// What a sector's current, ideal and gap count: "households" for a network, else
// "establishments" ("" for every sector).
std::string counts_of(const coverage_model& model, const std::string& sector);

struct coverage_query {
    level lvl = level::district;
    std::string sector;        // "" = every sector
    bool by_typology = false;  // one row per standard instead of per sector
};

std::vector<coverage_row> coverage_rows(const coverage_model& model, const coverage_query& query,
                                        const closing_plan* plan = nullptr);
nlohmann::json coverage_json(const std::vector<coverage_row>& rows);
std::string coverage_csv(const std::vector<coverage_row>& rows);

// A project of the portfolio working in a unit, and how far along it is (issue 20).
struct unit_project {
    project attributes;
    project_progress progress;
};
// A project and its progress as reports and the `projects` collection give them: its attributes,
// milestones, and its execution as of the latest period (`period` YYYY-MM; null where not known).
nlohmann::json project_json(const project& p, const project_progress& g);

// The intersectoral report of one unit (a district, usually): its population, every
// sector's current / ideal / deficit / coverage / cost / closing year, and the same for each
// of its children (circuits). Throws format_error when the code is not a unit of the level.
struct unit_report {
    coverage_row unit;                                // typology "" and sector "" (all sectors)
    std::vector<coverage_row> sectors;                // one per sector
    std::vector<coverage_row> typologies;             // one per standard defined at the level
    std::vector<std::vector<coverage_row>> children;  // per child: one row per sector
    std::string scenario;
    int year = 0;
    std::vector<unit_project> projects;  // the portfolio's projects in the unit (filled by the caller)
};
unit_report make_unit_report(const coverage_model& model, level lvl, const std::string& code,
                             const closing_plan* plan = nullptr, int year = 0);
nlohmann::json report_json(const unit_report& r);
std::string report_csv(const unit_report& r);

// Units of a level ranked by an indicator, the worst served first (rank 1); ties by code.
// `by` (docs/planning.md, "Ranking"):
//   investment_per_capita  the investment the gap of every sector (or `sector`) needs per inhabitant
//   deficit_per_10k        missing establishments per 10,000 people
//   coverage_pct           the share of the ideal offer in place (lowest first)
//   unfunded               establishments the plan leaves unfunded at the end of its horizon
//   closing_year           the year the plan closes the unit's gap (never first, then the latest)
// `weight` names a unit attribute (poverty): the score is multiplied by the unit's value over
// its population-weighted mean over the level (units without a value keep weight 1).
struct ranking_options {
    std::string by = "investment_per_capita";
    std::string weight;
    const closing_plan* plan = nullptr;  // required by unfunded and closing_year
};
const std::vector<std::string>& ranking_indicators();
struct ranking_row {
    int rank = 0;
    std::string code, name;
    double population = 0;
    double deficit = 0;  // establishments, all sectors
    double investment = 0, recurrent = 0;
    double investment_per_capita = 0;
    double deficit_per_10k = 0;  // missing establishments per 10,000 people
    double coverage_pct = 0;
    std::optional<double> unfunded;   // with a plan
    std::optional<int> closing_year;  // with a plan; nullopt also when it never closes
    double weight = 1;                // the attribute's weight (1 without one)
    double score = 0;                 // what the rank sorts, descending
};
// Throws format_error for an unknown indicator or attribute, or a plan indicator without a plan.
std::vector<ranking_row> rank_units(const coverage_model& model, level lvl, const std::string& sector = {},
                                    const ranking_options& options = {});

// Where the State is absent: populated units of a level with no establishment counted in the
// offer of `sector` (or, for "", of any sector of the catalogue); for a network sector, no
// household connected.
struct absence_row {
    std::string code, name;
    double population = 0;
    std::vector<std::string> sectors;  // the sectors absent from the unit
};
std::vector<absence_row> absent_units(const coverage_model& model, level lvl, const std::string& sector = {});
nlohmann::json absence_json(const coverage_model& model, level lvl, const std::string& sector,
                            const std::vector<absence_row>& rows);
std::string absence_csv(const std::vector<absence_row>& rows);
nlohmann::json ranking_json(const std::vector<ranking_row>& rows, const std::string& by = "investment_per_capita");
std::string ranking_csv(const std::vector<ranking_row>& rows);

// Indicators and targets. Indicators per unit, sector and year of a plan:
//   coverage_pct              share of the ideal offer in place (%)
//   establishments_per_10k    establishments counted per 10,000 people
//   population_within_minutes share of people within the standard's travel time, from stored
//                             accessibility results (`microplan access travel-time`); the
//                             standard's time is the smallest max_travel_min of the sector's
//                             standards at the unit's level (else at any level). The plan does
//                             not place what it builds, so its trajectory leaves this indicator
//                             unchanged: a target is met today or not met.
// A target asks an indicator to reach a value by a year, for a sector at a level (every unit,
// or one code). Status (docs/planning.md, "Indicators and targets"):
//   met       the indicator already reaches the target today (before the plan builds anything)
//   at_risk   it does not yet, but the plan's trajectory reaches it by the target year
//   not_met   the trajectory does not reach it by the target year
// Which way a target asks the indicator to go (docs/planning.md, "Indicators and targets"):
//   at_least      reach `value` or more (the default)
//   at_most       stay at `value` or less (a gap, a distance)
//   maintain      keep the reference value (or more)
//   increase_pct  rise `value` % over the reference
enum class target_direction { at_least, at_most, maintain, increase_pct };
std::string_view direction_name(target_direction d);

struct target {  // members initialised, so that designated initialisers may leave any out
    long long line = 0;
    std::string indicator = {}, sector = {};
    level lvl = level::district;
    std::string code = {};  // "" = every unit of the level
    int year = 0;
    double value = 0;
    target_direction direction = target_direction::at_least;
    std::optional<double> reference = {};       // the indicator when the target was set (its baseline); else today's
    std::optional<double> share_of_units = {};  // a target over a set: at least this % of the units reach it
    std::string not_applicable = {};            // the reason the target does not apply ("" = it applies)
    // Measured by observed values (microplan observations import) instead of the plan: any
    // indicator name, its value the latest observed by the target year, its trend the line
    // through the observations (docs/results.md, "Observed values").
    bool observed = false;
    // A ratio indicator (any indicator name): scale × numerator / denominator over stored measures
    // (ratio_measures: population, attribute:NAME, current:SECTOR, ideal:SECTOR, deficit:SECTOR).
    std::string numerator = {}, denominator = {};
    double scale = 1;
};

// The value a unit must reach: `value`, or the reference raised by `value` % (increase_pct), or
// the reference itself (maintain).
double target_level(const target& t, double reference);
// Whether `actual` reaches `level` in the target's direction (to 1e-9).
bool reaches(target_direction d, double actual, double level);
// Achievement % = (actual − reference) / (level − reference) × 100: from 64 % to 92 % against a
// target of 100 % is 77.8 %. Reaching a level equal to the reference is 100 % (0 % when missed).
double achievement_pct(double actual, double reference, double level, target_direction d);
// A traffic light from an achievement %: green at or above `green`, yellow at or above `yellow`,
// red below.
struct light_thresholds {
    double green = 85, yellow = 60;
};
std::string_view traffic_light(double achievement, const light_thresholds& t = {});
// Units that must reach a set target: ceil(share % × units), as the CONGOPE scorecard counts
// (20 % of the 23 provinces: 5).
std::size_t units_required(double share_pct, std::size_t units);
std::vector<target> read_targets(const std::string& path);  // validates; throws format_error listing problems

struct indicator_status {
    target goal;
    std::string code, name;
    double baseline = 0;                   // today, before the plan builds anything
    std::optional<double> at_target_year;  // the plan's value in the target year
    std::string status;                    // met, at_risk, not_met, no_data, not_applicable
    double level = 0;                      // the value to reach (target_level)
    std::optional<double> achievement;     // achievement % today against the target's reference
    std::string light;                     // green, yellow, red ("" without data)
    // A target over a set of units (share_of_units): one row for the set, code "*": its units,
    // those required and those reaching the target today.
    std::size_t units = 0, required = 0, meeting = 0;
};
const std::vector<std::string>& indicator_names();
// The value of an indicator for (sector, tier, unit) before any plan (the model as it is).
std::optional<double> baseline_value(const coverage_model& model, const std::string& indicator,
                                     const std::string& sector, std::size_t tier, std::size_t unit);
// The value of an indicator for (sector, tier, unit) at the end of year index y of the plan.
std::optional<double> indicator_value(const closing_plan& plan, const std::string& indicator, const std::string& sector,
                                      std::size_t tier, std::size_t unit, std::size_t y);
// Observed targets take their values from `observed` (the latest revision of each period).
std::vector<indicator_status> evaluate_targets(const coverage_model& model, const closing_plan& plan,
                                               const std::vector<target>& targets, findings& report,
                                               const accessibility_index* access = nullptr,
                                               const light_thresholds& lights = {},
                                               const std::vector<observation>* observed = nullptr);
// The measures a ratio indicator divides, and the value of one for unit (tier, unit) today, or at
// the end of year index y of `plan` (attributes as today; ideal: current + deficit of the year).
// nullopt when the unit has no such value.
const std::vector<std::string>& ratio_measures();
bool is_ratio_measure(const std::string& measure);
std::optional<double> measure_value(const coverage_model& model, const std::string& measure, std::size_t tier,
                                    std::size_t unit);
std::optional<double> measure_in_plan(const coverage_model& model, const closing_plan& plan, const std::string& measure,
                                      std::size_t tier, std::size_t unit, std::size_t y);
// Completes unit rows (level, achievement, light) and adds one row per set target after its
// units' rows. Pure: what evaluate_targets does after computing baselines and trajectories.
void score_targets(std::vector<indicator_status>& rows, const light_thresholds& lights = {});
// The travel time (minutes) population_within_minutes uses for a sector at a level.
std::optional<double> standard_minutes(const standards_catalogue& catalogue, const std::string& sector, level lvl);
nlohmann::json targets_json(const std::vector<indicator_status>& rows);
std::string targets_csv(const std::vector<indicator_status>& rows);
// Every indicator per unit of a level, sector and year of the plan.
nlohmann::json indicator_series_json(const coverage_model& model, const closing_plan& plan, level lvl);
std::string indicator_series_csv(const coverage_model& model, const closing_plan& plan, level lvl);

// The plan's national trajectory per sector and year, and what stays unfunded.
nlohmann::json plan_json(const coverage_model& model, const closing_plan& plan);
std::string plan_csv(const closing_plan& plan);
// The plan funded from the required paths (plan_json) with a `required` block: per sector its
// share of GDP, its path per year (budget, investment, recurrent), its static and dynamic cost.
nlohmann::json required_json(const coverage_model& model, const required_budget& required);
// The optimal plan (plan_json) with an `optimisation` block: objective, status, value, bound,
// the greedy's value and its gap, the programme's size and time.
nlohmann::json optimal_json(const coverage_model& model, const optimal_result& optimal);

// A CSV field: quoted when it holds a comma, quote or newline.
std::string csv_field(std::string_view text);
// Numbers in reports: integers without decimals, others with up to 2 decimals.
std::string csv_number(double v);

}  // namespace microplan::geo
