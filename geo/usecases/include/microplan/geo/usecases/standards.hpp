#pragma once
// The standards catalogue in force and the unit attributes its endogenisation factors use
// (a poverty index, ...). Writes are one atomic update of the store; a catalogue with errors
// is refused before anything is written. Deterministic.
#include <map>
#include <string>
#include <vector>

#include "microplan/geo/planning/budget.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/population/population.hpp"

namespace microplan::geo::usecases {

// Validates the catalogue at `file` (format_error listing its problems).
standards_catalogue check_standards(const std::string& file);

// Validates the sectors table at `file` and puts it in force in `store`: later catalogues are
// checked against it. Refused (format_error, nothing written) when the catalogue in force names a
// sector the table lacks or uses a level it does not allow.
sectors_catalogue put_sectors_in_force(const std::string& store, const std::string& file);

// Validates the catalogue at `file` against the store's sectors table (the built-in eight when it
// has none) and puts it in force in `store`.
standards_catalogue put_standards_in_force(const std::string& store, const std::string& file);

// Validates the budget scenarios at `file` and puts them in force in `store` (plan, reports and
// the server choose among them by name).
budget_scenarios put_budget_scenarios_in_force(const std::string& store, const std::string& file);

struct attribute_request {
    std::string store;
    std::string name;                // used by standards' factors (e.g. poverty)
    population_table_options table;  // the values (value_field) by unit code of table.lvl
    // From when the values hold: a year (2022, a census), a month (2024-06) or a date; "" = of
    // no date. Importing another period keeps the earlier ones (coverage --as-of picks by date).
    std::string period;
};
struct attribute_result {
    std::map<std::string, double> values;  // code -> value, units with a value
    std::size_t units = 0;                 // of the level
    std::string value_field;
    findings report;
    std::string period;  // as parsed ("" = of no date)
};
// Joins the table to the units of table.lvl and stores the attribute. Throws store_error when
// the store holds no units of that level, format_error when the period is not a year, a month or
// a date.
attribute_result import_attribute(const attribute_request& request);

}  // namespace microplan::geo::usecases
