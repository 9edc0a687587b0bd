#pragma once
// The optional columns of a target row — direction, baseline, share of units, not applicable —
// read alike by the targets table and the scorecards table. Internal to planning.
#include <string>

#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/model/names.hpp"
#include "microplan/geo/planning/report.hpp"

namespace microplan::geo::planning_tables {

// Direction, baseline, share of units and "not applicable" of a target row (all optional).
template <class Bad>
inline void read_target_options(target& t, const std::string& direction, const std::string& reference,
                                const std::string& share, const std::string& na, Bad& bad) {
    const std::string d = names::fold(direction);
    if (d.empty() || d == "AT LEAST" || d == "AL MENOS" || d == "MINIMO")
        t.direction = target_direction::at_least;
    else if (d == "AT MOST" || d == "COMO MAXIMO" || d == "MAXIMO")
        t.direction = target_direction::at_most;
    else if (d == "MAINTAIN" || d == "MANTENER")
        t.direction = target_direction::maintain;
    else if (d == "INCREASE PCT" || d == "INCREMENTO PCT" || d == "AUMENTO PCT")
        t.direction = target_direction::increase_pct;
    else
        bad("direction", "'" + direction + "' is not at_least, at_most, maintain or increase_pct");
    if (!reference.empty()) {
        if (auto r = parse_number(reference))
            t.reference = *r;
        else
            bad("baseline", "'" + reference + "' is not a number");
    }
    if ((t.direction == target_direction::maintain || t.direction == target_direction::increase_pct) && !t.reference)
        bad("baseline", std::string(direction_name(t.direction)) + " needs the baseline it is measured from");
    if (!share.empty()) {
        auto v = parse_number(share);
        if (!v || *v <= 0 || *v > 100)
            bad("share_of_units", "'" + share + "' is not a share of units between 0 and 100 %");
        else
            t.share_of_units = *v;
    }
    t.not_applicable = na;
}

}  // namespace microplan::geo::planning_tables
