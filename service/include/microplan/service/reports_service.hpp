#pragma once
// Planning reports over a snapshot's coverage model, in JSON or CSV (f=json|csv):
//   /reports/district/{code}   the intersectoral report of a district (or any unit: level=)
//   /reports/coverage          current / ideal / deficit / cost per unit and sector
//   /reports/ranking           units ranked by an indicator (by=, weight=, budget_scenario=)
//   /reports/absent            populated units with no establishment of a sector (or of any)
//   /catalogue                 the sectors and typologies of the standards in force
//   /plan                      closing the gap over time under a budget scenario of the store
//                              (budget_scenario=, until=), or how much closes it by a year
//                              (close_by=): trajectory, budget and % of GDP per sector and year
//   /indicators/{level}        one row per unit with its feature id, for choropleths:
//                              population, current, ideal, deficit, deficit per 10,000 people,
//                              coverage %, investment, closing year (closing=true), people
//                              within X minutes (null until accessibility results exist)
// Each takes `scenario={id}` to read a scenario's model instead of the baseline.
// 404 NotAvailable (with what to run) when the store has no standards or population.
//
// Thread safety: stateless; the model is read only.
#include "microplan/service/context.hpp"

namespace microplan::service {

class route_table;

class reports_service {
public:
    http_response unit_report(const request_context& ctx, const std::string& code) const;
    // The stored accessibility of a unit of any level; served without a planning model too.
    http_response unit_accessibility(const request_context& ctx, const std::string& code) const;
    http_response coverage(const request_context& ctx) const;
    http_response ranking(const request_context& ctx) const;
    // Populated units with no establishment of a sector (or of any): where the State is absent.
    http_response absent(const request_context& ctx) const;
    http_response indicators(const request_context& ctx, const std::string& level) const;
    // The standards in force: sectors (with Spanish labels) and typologies, for pickers.
    http_response catalogue(const request_context& ctx) const;
    // The baseline's closing plan (plan_json) or required budget (required_json), memoised per
    // snapshot and parameters.
    http_response plan(const request_context& ctx) const;
    // A territory's scorecard (geo/planning/scorecards.hpp) against the baseline's plan: JSON or CSV.
    http_response scorecard(const request_context& ctx, const std::string& level, const std::string& code) const;
    // Observed indicator values (latest revisions), filtered by indicator, level and code.
    http_response observations(const request_context& ctx) const;
    // Monitoring (issue 20, item 6), as of a month (period=YYYY-MM; default the latest executed):
    // the portfolio's projects as GeoJSON points with their status and progress then, and a unit's
    // plan against actual (each sector's planned gap by year beside the gap counted from the
    // registry's history as of each year's end) with its projects.
    http_response monitoring_projects(const request_context& ctx) const;
    http_response monitoring_unit(const request_context& ctx, const std::string& level, const std::string& code) const;
    // Every unit of a level with a scorecard, its traffic light in a month (the worst of its
    // objectives' lights), evaluated against the offer counted as of the month's end.
    http_response monitoring_lights(const request_context& ctx, const std::string& level) const;
    // A unit's management report in a month: an HTML page to print, or CSV (f=csv).
    http_response management_report(const request_context& ctx, const std::string& level,
                                    const std::string& code) const;

    // Registers /reports/..., /indicators/{level} and /catalogue. `this` must outlive the table.
    void register_routes(route_table& table) const;

private:
    void register_results_routes(route_table& table) const;
    http_response coverage_of(const request_context& ctx, const geo::coverage_model& model) const;
};

}  // namespace microplan::service
