#pragma once
// Scorecards and strategy maps (issue 20, item 5): objectives in four perspectives — beneficiaries,
// processes, capacity, finance (Portoviejo's Execution Premium, CONGOPE's unit scorecards) — each
// measured by indicators with targets (report.hpp's targets, from the plan or observed values)
// and served by initiatives (the portfolio's projects); cause-effect links between objectives;
// one scorecard per territory (the nation, a zone, district or circuit) or organisational unit,
// cascading from the level above (docs/results.md, "Scorecards").
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/level.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/planning/sectors.hpp"

namespace microplan::geo {

enum class perspective { beneficiaries, processes, capacity, finance };
std::string_view perspective_name(perspective p);
std::string_view perspective_label(perspective p, bool spanish = true);

// One row of a scorecards table: an objective of a scorecard and, when it has one, an indicator
// with its target. An objective with several indicators takes several rows (its name,
// perspective and links on any of them).
struct scorecard_row {
    long long line = 0;
    level lvl = level::zone;      // the scorecard's level (nation, zone, district, circuit)
    std::string code;             // its unit; "" = every unit of the level (a cascaded template)
    std::string organisation;     // an organisational unit's scorecard ("" = the territory's)
    std::string objective, name;  // the objective's code (unique in its scorecard) and name
    perspective view = perspective::beneficiaries;
    std::vector<std::string> causes;       // objectives of the same scorecard it contributes to
    std::string cascades_from;             // the objective of the level above it serves
    std::vector<std::string> initiatives;  // sectors or project codes whose projects serve it
    std::optional<target> goal;            // the indicator and its target (level: the indicator's)
};

struct scorecards_table {
    std::string source;
    std::vector<scorecard_row> rows;
};

// Reads and checks a scorecards table (columns in docs/results.md). Throws format_error listing
// every bad row: a missing objective, an unknown perspective or level, a target without indicator,
// year or value, a national indicator that is not a set target (share_of_units), an objective
// whose links name no objective of its scorecard.
scorecards_table read_scorecards(const std::string& path, const sectors_catalogue& sectors);

// One objective as evaluated for a unit.
struct objective_status {
    const scorecard_row* definition = nullptr;  // its first row
    std::vector<indicator_status> indicators;
    std::vector<unit_project> initiatives;
    std::string status;                 // met, at_risk, not_met, no_data (no indicator evaluated)
    std::optional<double> achievement;  // mean of its indicators' achievement, each within 0-100 %
    std::string light;
};

struct scorecard {
    level lvl = level::zone;
    std::string code, name, organisation;
    std::string parent_code;  // the unit its objectives cascade from ("" for the nation)
    int year = 0;             // the population year of the model
    std::vector<objective_status> objectives;
};

// The scorecard of unit `code` of `lvl` ("" for the nation) from the table's rows for it and its
// level's templates: every indicator evaluated against `model` and `plan` (evaluate_targets), the
// objective's initiatives among `projects` (the portfolio's projects working in the unit, with
// their progress). Throws format_error when the table has no scorecard for the unit.
scorecard make_scorecard(const scorecards_table& table, level lvl, const std::string& code,
                         const std::string& organisation, const coverage_model& model, const closing_plan& plan,
                         const std::vector<unit_project>& projects, findings& report,
                         const accessibility_index* access = nullptr,
                         const std::vector<observation>* observed = nullptr, const light_thresholds& lights = {});

// The scorecard as JSON: its perspectives in order with their objectives (status, light,
// achievement, indicators as targets_json gives them, initiatives with their progress), the
// cause-effect links of the strategy map, and a summary of the lights.
nlohmann::json scorecard_json(const scorecard& card);
// One row per indicator (objectives without one: a row with empty indicator columns).
std::string scorecard_csv(const scorecard& card);

}  // namespace microplan::geo
