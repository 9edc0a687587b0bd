#pragma once
// Following the plan month by month (issue 20, items 6 and 7): a unit's plan against actual —
// each sector's gap as the plan schedules it beside the gap counted from the registry's history —
// its projects in a month, and the management report (objectives, indicators, targets, status,
// projects, execution, update date and periodicity) as a web page and CSV. The server feeds it
// its snapshot; `microplan report management` the store.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/planning.hpp"

namespace microplan::geo::usecases {

// A project as project_json gives it, with its status and progress in month (year, month) and
// today's status (`status_today`). `execution` is ordered by project code, as the store reads it.
nlohmann::json project_in_month(const unit_project& tracked, const std::vector<execution_row>& execution, int year,
                                int month);

// The offer counted as of a date (YYYY-MM-DD); nullptr when it cannot be.
using dated_models = std::function<const coverage_model*(const std::string& date)>;

struct monitoring_inputs {
    const coverage_model* model = nullptr;  // as registered
    const closing_plan* plan = nullptr;     // the baseline's
    const std::vector<store::stored_project>* portfolio = nullptr;
    const std::vector<unit_project>* tracked = nullptr;     // track_projects of the portfolio
    const std::vector<execution_row>* execution = nullptr;  // ordered by project code (read_execution)
    dated_models as_of;
};

// A unit's plan against actual in month (year, month): per sector the planned gap and coverage by
// year and the actual ones at each year's end up to the month (its own end in its year), and the
// unit's projects then. Throws format_error when the unit is not one of the level.
nlohmann::json unit_monitoring_json(const monitoring_inputs& in, level lvl, const std::string& code, int year,
                                    int month);

// Every month of execution, first to last ("2025-01", ...), and the latest (0, 0 without any).
std::vector<std::string> execution_months(const std::vector<execution_row>& execution);
std::pair<int, int> latest_month(const std::vector<execution_row>& execution);

// The management report of a unit and month from its monitoring (unit_monitoring_json) and its
// scorecard (scorecard_json; null without one): an HTML page ready to print (Spanish or English)
// and a CSV (one row per indicator, then one per project).
std::string management_report_html(const nlohmann::json& monitoring, const nlohmann::json& scorecard, bool spanish);
std::string management_report_csv(const nlohmann::json& monitoring, const nlohmann::json& scorecard);

// Both documents for a unit of a store (the month: the latest executed when not given).
struct management_documents {
    nlohmann::json monitoring, scorecard;
};
management_documents store_management_report(const planning_request& request, level lvl, const std::string& code,
                                             std::optional<std::pair<int, int>> month = {});

}  // namespace microplan::geo::usecases
