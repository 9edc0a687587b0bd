#include "microplan/geo/usecases/monitoring.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <type_traits>

#include "microplan/geo/core/utf8_text.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/store/planning_inputs.hpp"
#include "microplan/geo/usecases/projects.hpp"

namespace microplan::geo::usecases {

namespace {

double round2(double v) { return std::round(v * 100) / 100; }

std::string esc(const std::string& s) { return utf8::html_escape(s); }

std::string text_of(const nlohmann::json& v) {
    if (v.is_null()) return "—";
    if (v.is_string()) return esc(v.get<std::string>());
    if (v.is_number()) {
        char buf[64];
        const double x = v.get<double>();
        std::snprintf(buf, sizeof buf, "%.1f", std::abs(x) < 0.05 ? 0.0 : x);
        std::string s = buf;
        if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.resize(s.size() - 2);
        return s;
    }
    return esc(v.dump());
}

std::string pct_of(const nlohmann::json& v) { return v.is_null() ? "—" : text_of(v) + " %"; }

// Labels of the report in Spanish and English.
const std::map<std::string, std::pair<const char*, const char*>>& labels() {
    static const std::map<std::string, std::pair<const char*, const char*>> l = {
        {"title", {"Informe de gestión: metas y objetivos", "Management report: targets and objectives"}},
        {"period", {"Período", "Period"}},
        {"updated", {"Datos de ejecución hasta", "Execution data up to"}},
        {"periodicity", {"Periodicidad: mensual", "Periodicity: monthly"}},
        {"objectives", {"Objetivos, indicadores y metas", "Objectives, indicators and targets"}},
        {"perspective", {"Perspectiva", "Perspective"}},
        {"objective", {"Objetivo", "Objective"}},
        {"indicator", {"Indicador", "Indicator"}},
        {"target", {"Meta", "Target"}},
        {"value", {"Valor", "Value"}},
        {"achievement", {"Logro", "Achievement"}},
        {"status", {"Estado", "Status"}},
        {"projects", {"Proyectos y ejecución presupuestaria", "Projects and budget execution"}},
        {"code", {"Código", "Code"}},
        {"name", {"Nombre", "Name"}},
        {"sector", {"Sector", "Sector"}},
        {"investment", {"Inversión (USD)", "Investment (USD)"}},
        {"physical", {"Avance físico", "Physical progress"}},
        {"financial", {"Avance financiero", "Financial progress"}},
        {"executed", {"Ejecutado", "Executed"}},
        {"variance", {"Desvío (pp)", "Variance (pp)"}},
        {"plan_actual",
         {"Plan frente a lo real: brecha al cierre de cada año", "Plan against actual: gap at each year's end"}},
        {"year", {"Año", "Year"}},
        {"planned", {"Planificada", "Planned"}},
        {"actual", {"Real (registro)", "Actual (registry)"}},
        {"no_scorecard", {"Sin cuadro de mando para esta unidad.", "No scorecard for this unit."}},
        {"totals", {"Totales del período", "Totals of the period"}},
        {"met", {"cumplida", "met"}},
        {"at_risk", {"en riesgo", "at risk"}},
        {"not_met", {"no cumplida", "not met"}},
        {"no_data", {"sin dato", "no data"}},
        {"not_applicable", {"no aplica", "not applicable"}},
        {"planned_st", {"planificado", "planned"}},
        {"funded", {"financiado", "funded"}},
        {"in_execution", {"en ejecución", "in execution"}},
        {"finished", {"terminado", "finished"}},
        {"suspended", {"suspendido", "suspended"}}};
    return l;
}

}  // namespace

nlohmann::json project_in_month(const unit_project& tracked, const std::vector<execution_row>& execution, int year,
                                int month) {
    // The project's rows: a run of the execution, which is ordered by project code.
    const auto [from, to] =
        std::equal_range(execution.begin(), execution.end(), tracked.attributes.code, [](const auto& a, const auto& b) {
            if constexpr (std::is_same_v<std::decay_t<decltype(a)>, std::string>)
                return a < b.project_code;
            else
                return a.project_code < b;
        });
    const std::vector<execution_row> own(from, to);
    nlohmann::json j = project_json(tracked.attributes, progress_as_of(tracked.attributes, own, year, month));
    j["status"] = status_name(status_as_of(tracked.attributes, year, month));
    j["status_today"] = status_name(tracked.attributes.status);
    return j;
}

std::vector<std::string> execution_months(const std::vector<execution_row>& execution) {
    std::pair<int, int> first{9999, 12}, last{0, 0};
    for (const auto& r : execution) {
        first = std::min(first, std::pair{r.year, r.month});
        last = std::max(last, std::pair{r.year, r.month});
    }
    std::vector<std::string> out;
    for (int m = first.first * 12 + first.second - 1; last.first && m <= last.first * 12 + last.second - 1; ++m)
        out.push_back(month_text(m / 12, m % 12 + 1));
    return out;
}

std::pair<int, int> latest_month(const std::vector<execution_row>& execution) {
    std::pair<int, int> last{0, 0};
    for (const auto& r : execution) last = std::max(last, std::pair{r.year, r.month});
    return last;
}

nlohmann::json unit_monitoring_json(const monitoring_inputs& in, level lvl, const std::string& code, int year,
                                    int month) {
    const coverage_model& model = *in.model;
    const closing_plan& plan = *in.plan;
    auto tier = model.where().tier_of(lvl);
    auto unit = tier ? model.where().find(*tier, code) : std::nullopt;
    if (!unit)
        throw format_error({}, "unknown unit", "no " + std::string(level_name(lvl)) + " with code '" + code + "'");
    nlohmann::json j = {{"level", level_name(lvl)},
                        {"code", code},
                        {"name", model.where().units(*tier)[*unit].name},
                        {"period", month_text(year, month)},
                        {"periods", execution_months(*in.execution)}};
    // The registry's offer at the end of each year of the plan up to the month (the month's end
    // in its own year).
    std::vector<std::pair<int, const coverage_model*>> actual;
    for (int y = plan.first_year; y <= std::min(year, plan.last_year); ++y)
        actual.emplace_back(y, in.as_of(y < year ? std::to_string(y) + "-12-31" : month_end(year, month)));
    j["sectors"] = nlohmann::json::array();
    for (const std::string& sector : plan.sectors) {
        if (!model.sector_defined_at(sector, *tier) || !plan.deficit.count(sector)) continue;
        const auto& deficit = plan.deficit.at(sector)[*tier][*unit];
        const auto& coverage = plan.coverage.at(sector)[*tier][*unit];
        nlohmann::json planned = nlohmann::json::array(), observed = nlohmann::json::array();
        for (std::size_t y = 0; y < deficit.size(); ++y)
            planned.push_back({{"year", plan.first_year + static_cast<int>(y)},
                               {"deficit", round2(deficit[y])},
                               {"coverage_pct", round2(coverage[y])}});
        for (const auto& [y, dated] : actual) {
            if (!dated) continue;
            const offer o = dated->sector_offer(sector, *tier, *unit);
            observed.push_back(
                {{"year", y}, {"deficit", round2(o.deficit)}, {"coverage_pct", round2(o.coverage_pct())}});
        }
        j["sectors"].push_back({{"sector", sector},
                                {"counts", counts_of(model, sector)},
                                {"planned", std::move(planned)},
                                {"actual", std::move(observed)}});
    }
    j["projects"] = nlohmann::json::array();
    for (const auto& p : projects_of_unit(*in.portfolio, *in.tracked, lvl, code))
        j["projects"].push_back(project_in_month(p, *in.execution, year, month));
    return j;
}

std::string management_report_html(const nlohmann::json& m, const nlohmann::json& card, bool spanish) {
    auto l = [&](const char* key) {
        const auto& p = labels().at(key);
        return std::string(spanish ? p.first : p.second);
    };
    auto status = [&](const std::string& s) {
        const std::string key = s == "planned" ? "planned_st" : s;
        return labels().count(key) ? l(key.c_str()) : esc(s);
    };
    const std::string period = m.value("period", "");
    std::string h = "<!DOCTYPE html><html lang=\"" + std::string(spanish ? "es" : "en") +
                    "\"><head><meta charset=\"utf-8\"><title>" + l("title") + " · " + esc(m.value("name", "")) +
                    "</title><style>body{font-family:sans-serif;font-size:11pt;margin:1.5cm}"
                    "table{border-collapse:collapse;width:100%;margin-bottom:1em}"
                    "th,td{border:1px solid #bbb;padding:3px 5px;text-align:left;font-size:9pt}"
                    "th{background:#eee}.light{display:inline-block;width:.8em;height:.8em;border-radius:50%}"
                    ".green{background:#1a9850}.yellow{background:#fee08b}.red{background:#d73027}"
                    "h1{font-size:16pt}h2{font-size:13pt;margin-top:1.2em}"
                    "@page{size:A4 landscape;margin:1cm}</style></head><body>";
    h += "<h1 data-testid=\"report-title\">" + l("title") + ": " + esc(m.value("name", "")) + " (" +
         esc(m.value("code", "")) + ")</h1>";
    const auto& periods = m.value("periods", nlohmann::json::array());
    h += "<p>" + l("period") + ": <strong data-testid=\"report-period\">" + esc(period) + "</strong> · " +
         l("updated") + " " + (periods.empty() ? "—" : esc(periods.back().get<std::string>())) + " · " +
         l("periodicity") + "</p>";
    // Objectives, indicators and targets.
    h += "<h2>" + l("objectives") + "</h2>";
    if (card.is_null()) {
        h += "<p>" + l("no_scorecard") + "</p>";
    } else {
        h += "<table data-testid=\"report-objectives\"><tr><th>" + l("perspective") + "</th><th>" + l("objective") +
             "</th><th>" + l("indicator") + "</th><th>" + l("target") + "</th><th>" + l("value") + "</th><th>" +
             l("achievement") + "</th><th>" + l("status") + "</th></tr>";
        for (const auto& p : card["perspectives"])
            for (const auto& o : p["objectives"]) {
                const std::string head = "<tr data-objective=\"" + esc(o["code"]) + "\"><td>" +
                                         esc(p[spanish ? "label_es" : "label_en"]) + "</td><td>" + esc(o["code"]) +
                                         " " + esc(o["name"]) + "</td>";
                if (o["indicators"].empty())
                    h += head + "<td colspan=\"4\">—</td><td>" + status(o["status"]) + "</td></tr>";
                for (const auto& i : o["indicators"])
                    h += head + "<td>" + esc(i["indicator"]) + (i["sector"] == "" ? "" : " · " + esc(i["sector"])) +
                         "</td><td>" + text_of(i["target"]) + " (" + text_of(i["target_year"]) + ")</td><td>" +
                         (i.contains("set") ? text_of(i["set"]["meeting"]) + " / " + text_of(i["set"]["required"])
                                            : text_of(i["baseline"])) +
                         "</td><td>" + pct_of(i["achievement_pct"]) + "</td><td><span class=\"light " +
                         esc(i["light"]) + "\"></span> " + status(i["status"]) + "</td></tr>";
            }
        h += "</table>";
    }
    // Projects and execution.
    double investment = 0, executed = 0, codified = 0, accrued = 0;
    std::string rows;
    for (const auto& p : m["projects"]) {
        investment += p.value("investment", 0.0);
        executed += p.value("executed", 0.0);
        codified += p.value("codified", 0.0);
        accrued += p.value("accrued", 0.0);
        rows += "<tr data-project=\"" + esc(p["code"]) + "\"><td>" + esc(p["code"]) + "</td><td>" + esc(p["name"]) +
                "</td><td>" + esc(p["sector"]) + "</td><td>" + status(p["status"]) + "</td><td>" +
                text_of(p["investment"]) + "</td><td>" + pct_of(p["physical_progress"]) + "</td><td>" +
                pct_of(p["financial_progress"]) + "</td><td>" + pct_of(p["executed_pct"]) + "</td><td>" +
                text_of(p["variance_pct"]) + "</td></tr>";
    }
    h += "<h2>" + l("projects") + " (" + std::to_string(m["projects"].size()) + ")</h2>";
    h += "<table data-testid=\"report-projects\"><tr><th>" + l("code") + "</th><th>" + l("name") + "</th><th>" +
         l("sector") + "</th><th>" + l("status") + "</th><th>" + l("investment") + "</th><th>" + l("physical") +
         "</th><th>" + l("financial") + "</th><th>" + l("executed") + "</th><th>" + l("variance") + "</th></tr>" +
         rows + "</table>";
    h += "<p data-testid=\"report-totals\">" + l("totals") + ": " + l("investment") + " " + text_of(investment) +
         " · " + l("executed") + " " + text_of(executed) + " · codificado " + text_of(codified) + " · devengado " +
         text_of(accrued) + "</p>";
    // Plan against actual.
    h += "<h2>" + l("plan_actual") + "</h2><table data-testid=\"report-plan-actual\"><tr><th>" + l("sector") +
         "</th><th>" + l("year") + "</th><th>" + l("planned") + "</th><th>" + l("actual") + "</th></tr>";
    for (const auto& s : m["sectors"])
        for (const auto& a : s["actual"])
            for (const auto& p : s["planned"])
                if (p["year"] == a["year"])
                    h += "<tr><td>" + esc(s["sector"]) + "</td><td>" + text_of(a["year"]) + "</td><td>" +
                         text_of(p["deficit"]) + "</td><td>" + text_of(a["deficit"]) + "</td></tr>";
    h += "</table></body></html>\n";
    return h;
}

std::string management_report_csv(const nlohmann::json& m, const nlohmann::json& card) {
    auto cell = [](const nlohmann::json& v) {
        if (v.is_null()) return std::string();
        if (v.is_string()) return csv_field(v.get<std::string>());
        if (v.is_number()) return csv_number(v.get<double>());
        return csv_field(v.dump());
    };
    std::string out =
        "period,code,kind,id,name,indicator,target,value,achievement_pct,status,light,investment,"
        "physical_progress,financial_progress,executed_pct,variance_pct\n";
    const std::string head = cell(m["period"]) + "," + cell(m["code"]) + ",";
    if (!card.is_null())
        for (const auto& p : card["perspectives"])
            for (const auto& o : p["objectives"])
                for (const auto& i : o["indicators"])
                    out += head + "objective," + cell(o["code"]) + "," + cell(o["name"]) + "," + cell(i["indicator"]) +
                           "," + cell(i["target"]) + "," + cell(i["baseline"]) + "," + cell(i["achievement_pct"]) +
                           "," + cell(i["status"]) + "," + cell(i["light"]) + ",,,,,\n";
    for (const auto& p : m["projects"])
        out += head + "project," + cell(p["code"]) + "," + cell(p["name"]) + ",,,,," + cell(p["status"]) + ",," +
               cell(p["investment"]) + "," + cell(p["physical_progress"]) + "," + cell(p["financial_progress"]) + "," +
               cell(p["executed_pct"]) + "," + cell(p["variance_pct"]) + "\n";
    return out;
}

management_documents store_management_report(const planning_request& request, level lvl, const std::string& code,
                                             std::optional<std::pair<int, int>> month) {
    planning_session session = open_planning(request);
    const closing_plan plan = plan_for(*session.model, *session.inputs, {});
    std::vector<execution_row> execution;
    std::optional<scorecards_table> cards;
    {
        auto db = store::open_store(request.store, store::open_mode::read_only);
        execution = db->read_execution();
        cards = db->read_scorecards();
    }
    const auto tracked = track_projects(session.inputs->projects, execution);
    const auto [year, m] = month ? *month : latest_month(execution);
    if (year == 0)
        throw store_error({request.store, {}, {}, {}, {}}, "no execution",
                          "the store has no budget execution; import it with `microplan execution import` or give "
                          "--period");
    // The offer as of each date asked for, read once.
    std::map<std::string, planning_session> dated;
    monitoring_inputs in{session.model.get(),
                         &plan,
                         &session.inputs->projects,
                         &tracked,
                         &execution,
                         [&](const std::string& date) -> const coverage_model* {
                             auto it = dated.find(date);
                             if (it == dated.end()) {
                                 planning_request r = request;
                                 r.as_of = date;
                                 it = dated.emplace(date, open_planning(r)).first;
                             }
                             return it->second.model.get();
                         }};
    management_documents out;
    out.monitoring = unit_monitoring_json(in, lvl, code, year, m);
    out.scorecard = nullptr;
    if (cards) {
        // The scorecard as it stood at the month's end: the offer counted then, the values observed by then.
        const std::string end = month_end(year, m);
        in.as_of(end);
        const planning_session& then = dated.at(end);
        findings report;
        try {
            const auto projects = projects_of_unit(session.inputs->projects, tracked, lvl, code);
            out.scorecard = scorecard_json(make_scorecard(*cards, lvl, code, "", *then.model, plan, projects, report,
                                                          &then.inputs->accessibility, &then.inputs->observed));
        } catch (const format_error&) {
            // No scorecard for the unit: the report says so.
        }
    }
    return out;
}

}  // namespace microplan::geo::usecases
