#pragma once
// Observed indicator values per period (issue 20, items 3 and 4): what was measured in a unit —
// coverage from an administrative record, households connected, a rate of the planner's own —
// per year or month. Never overwritten: importing a period again adds a revision beside the
// earlier one, and the latest revision is the value (docs/results.md, "Observed values").
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/level.hpp"
#include "microplan/geo/planning/sectors.hpp"

namespace microplan::geo {

struct observation {
    long long line = 0;     // data line in the table, for messages
    std::string indicator;  // a built-in indicator (coverage_pct, ...) or the planner's own (lower case)
    std::string sector;     // canonical; "" when the indicator has none
    level lvl = level::district;
    std::string code;    // the unit ("" at the nation)
    std::string period;  // "2026" (a year) or "2026-03" (a month)
    double value = 0;
    std::string note;
};

struct observations_table {
    std::string source;
    std::vector<observation> rows;
};

// "2026" -> "2026", "2026-03" or "03/2026" -> "2026-03" (years 1800-2200); nullopt otherwise.
std::optional<std::string> parse_period(const std::string& text);

// Reads and checks a table of observations (columns in docs/results.md); `sectors` names the
// sectors an observation may belong to. Throws format_error listing every bad row (file, line,
// column, rule): a missing indicator, level, code or period, a value that is not a number, an
// unknown sector, the same indicator, sector, unit and period twice.
observations_table read_observations(const std::string& path, const sectors_catalogue& sectors,
                                     findings* report = nullptr);

// The observations known on `as_of` (a parsed date; "" = all): those whose period has begun by
// then (model/dates.hpp, period_known), as a scorecard of that month saw them.
std::vector<observation> known_on(const std::vector<observation>& rows, const std::string& as_of);

// An observation as served and listed: indicator, sector, level, code, period, value, note.
nlohmann::json observation_json(const observation& o);
// Observations as CSV, a row each: indicator,sector,level,code,period,value,note.
std::string observations_csv(const std::vector<observation>& rows);

// The year a period falls in, as a fraction for months ("2026-07" -> 2026.5), for trends.
double period_time(const std::string& period);

}  // namespace microplan::geo
