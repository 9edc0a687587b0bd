// Targets: directions, achievement, traffic lights and targets over a set of units (issue 20,
// item 4). Pure functions; evaluate_targets (report.cpp) computes the values they score.
#include <cmath>
#include <map>

#include "microplan/geo/planning/report.hpp"

namespace microplan::geo {

namespace {
constexpr double eps = 1e-9;
}

std::string_view direction_name(target_direction d) {
    switch (d) {
        case target_direction::at_least:
            return "at_least";
        case target_direction::at_most:
            return "at_most";
        case target_direction::maintain:
            return "maintain";
        case target_direction::increase_pct:
            return "increase_pct";
    }
    return "at_least";
}

double target_level(const target& t, double reference) {
    switch (t.direction) {
        case target_direction::increase_pct:
            return reference * (1 + t.value / 100);
        case target_direction::maintain:
            return reference;
        default:
            return t.value;
    }
}

bool reaches(target_direction d, double actual, double level) {
    return d == target_direction::at_most ? actual <= level + eps : actual + eps >= level;
}

double achievement_pct(double actual, double reference, double level, target_direction d) {
    if (std::abs(level - reference) < eps) return reaches(d, actual, level) ? 100 : 0;
    return 100 * (actual - reference) / (level - reference);
}

std::string_view traffic_light(double achievement, const light_thresholds& t) {
    return achievement + eps >= t.green ? "green" : achievement + eps >= t.yellow ? "yellow" : "red";
}

std::size_t units_required(double share_pct, std::size_t units) {
    // 20 % of 23 is 4.6: 5 units (a product like 0.2 x 25 = 5.000000000000001 stays 5).
    return static_cast<std::size_t>(std::ceil(share_pct / 100 * static_cast<double>(units) - eps));
}

namespace {

bool scored(const indicator_status& r) { return r.status != "no_data" && r.status != "not_applicable"; }

// The row of a set target from its units' rows.
indicator_status set_row(const std::vector<const indicator_status*>& units, const light_thresholds& lights) {
    indicator_status set;
    set.goal = units.front()->goal;
    set.code = "*";
    set.level = units.front()->level;
    set.units = units.size();
    set.required = units_required(*set.goal.share_of_units, units.size());
    std::size_t reachable = 0;
    for (const auto* u : units) {
        set.meeting += u->status == "met";
        reachable += u->status == "met" || u->status == "at_risk";
    }
    set.status = set.meeting >= set.required ? "met" : reachable >= set.required ? "at_risk" : "not_met";
    set.achievement = set.required ? 100.0 * static_cast<double>(set.meeting) / static_cast<double>(set.required) : 100;
    set.light = std::string(traffic_light(*set.achievement, lights));
    return set;
}

}  // namespace

void score_targets(std::vector<indicator_status>& rows, const light_thresholds& lights) {
    for (auto& r : rows) {
        if (!scored(r)) continue;
        const double reference = r.goal.reference.value_or(r.baseline);
        r.level = target_level(r.goal, reference);
        if (r.goal.reference) r.achievement = achievement_pct(r.baseline, reference, r.level, r.goal.direction);
        r.light = r.achievement           ? std::string(traffic_light(*r.achievement, lights))
                  : r.status == "met"     ? "green"
                  : r.status == "at_risk" ? "yellow"
                                          : "red";
    }
    // Set targets: their units' rows, then the set's.
    std::vector<indicator_status> out;
    std::map<long long, std::vector<const indicator_status*>> sets;
    for (const auto& r : rows)
        if (r.goal.share_of_units && r.code != "*") sets[r.goal.line].push_back(&r);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out.push_back(rows[i]);
        const bool last_of_set = rows[i].goal.share_of_units && rows[i].code != "*" &&
                                 (i + 1 == rows.size() || rows[i + 1].goal.line != rows[i].goal.line);
        if (last_of_set) out.push_back(set_row(sets.at(rows[i].goal.line), lights));
    }
    rows = std::move(out);
}

}  // namespace microplan::geo
