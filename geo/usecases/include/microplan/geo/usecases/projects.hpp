#pragma once
// The investment portfolio in the store (issue 20): projects read from any table GDAL reads,
// placed in the units they work in, written as one atomic update; nothing is written when a row
// is wrong (every row reported).
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/planning/projects.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/planning/scorecards.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/planning.hpp"

namespace microplan::geo::usecases {

struct projects_result {
    std::vector<store::stored_project> rows;  // as written, with their units
    findings report;                          // warnings (financing that does not add up, ...)
    std::size_t by_point = 0, by_unit = 0;    // placed by their point, by their unit code alone
};

// Reads `file` against the store's sectors table (the built-in ones without it), places every
// project: by its point in the store's zones, districts and circuits (a point in no unit, or in
// another unit than its unit_code, is an error), else by its unit code and that unit's parents (an
// unknown code is an error); then replaces the store's portfolio. Throws format_error naming
// every bad row; the store is then byte for byte as it was.
projects_result import_projects(const std::string& store, const std::string& file);

// The store's portfolio (empty without one).
std::vector<store::stored_project> read_projects(const std::string& store);

// Every project of `portfolio` with its progress from `execution`, in portfolio order.
std::vector<unit_project> track_projects(const std::vector<store::stored_project>& portfolio,
                                         const std::vector<execution_row>& execution);
// The projects of `portfolio` working in unit `code` of `lvl` (by the unit codes they were placed
// with), with their progress (`tracked`: track_projects of the same portfolio), in portfolio order.
std::vector<unit_project> projects_of_unit(const std::vector<store::stored_project>& portfolio,
                                           const std::vector<unit_project>& tracked, level lvl,
                                           const std::string& code);

struct execution_result {
    execution_table table;
    findings report;  // warnings (amounts out of the usual order)
};
// Reads a financial system's export (docs/results.md) against the store's portfolio and adds it
// to the store's execution, replacing the periods it repeats. Throws format_error naming every
// bad row; nothing is written then.
execution_result import_execution(const std::string& store, const std::string& file);

struct observations_result {
    observations_table table;
    findings report;
};
// Reads observed indicator values (docs/results.md, "Observed values") against the store's
// sectors and units and adds them as new revisions: nothing already stored is overwritten.
// Throws format_error naming every bad row (a unit the store does not have among them); nothing
// is written then.
observations_result import_observations(const std::string& store, const std::string& file);
// The store's observed values: the latest revision of each (every revision with `every_revision`).
std::vector<store::stored_observation> read_observations(const std::string& store, bool every_revision = false);

// Reads a scorecards table (docs/results.md, "Scorecards") against the store's sectors and
// units and puts it in force, replacing the earlier one. Throws format_error naming every bad row
// (a unit the store does not have among them); nothing is written then.
scorecards_table import_scorecards(const std::string& store, const std::string& file);

// A scorecard evaluated over a store: the model, the plan of the scenario, the observed values and
// the portfolio; `card` points into `table`, which travels with it.
struct scorecard_result {
    planning_session session;
    closing_plan plan;
    scorecards_table table;
    scorecard card;
    findings report;
};
// The scorecard of unit `code` of `lvl` (the nation: any code) and `organisation` ("" = the
// territory's) from the store's scorecards, or from `file` when given. Throws store_error when
// the store has none, format_error when it has none for the unit.
scorecard_result store_scorecard(const planning_request& request, const scenario_request& scenario, level lvl,
                                 const std::string& code, const std::string& organisation = {},
                                 const std::string& file = {}, const light_thresholds& lights = {});

}  // namespace microplan::geo::usecases
