#include "microplan/service/reports_service.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "microplan/geo/core/utf8_text.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/planning/budget.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/usecases/monitoring.hpp"
#include "microplan/geo/usecases/planning.hpp"
#include "microplan/geo/usecases/projects.hpp"
#include "microplan/service/error_response.hpp"
#include "microplan/service/routes.hpp"
#include "microplan/service/scenarios.hpp"

namespace microplan::service {

namespace {

const geo::coverage_model& model_of(const request_context& ctx) {
    if (!ctx.data->model())
        throw request_error(404, "NotAvailable",
                            "no planning reports for this store: " + ctx.data->planning_unavailable());
    return *ctx.data->model();
}

// fn(model, is_scenario) on the baseline, or under the scenario book's lock on scenario=ID.
template <class Fn>
http_response with_model(const request_context& ctx, Fn&& fn) {
    const geo::coverage_model& base = model_of(ctx);
    const std::int64_t id = scenario_param(ctx);
    if (id == 0) return fn(base, false);
    return ctx.scenarios->with_model(id, [&](const geo::coverage_model& m) { return fn(m, true); });
}

std::string sector_param(const request_context& ctx, const geo::coverage_model& model) {
    auto s = ctx.target.get("sector");
    if (!s || s->empty()) return {};
    for (const auto& [sector, priority] : model.catalogue().sectors())
        if (sector == *s) return sector;
    std::string list;
    for (const auto& [sector, priority] : model.catalogue().sectors()) list += (list.empty() ? "" : ", ") + sector;
    throw request_error(
        400, "InvalidParameterValue",
        "parameter 'sector': '" + geo::utf8::excerpt(*s, 40) + "' has no standard in force; sectors: " + list);
}

// The `budget_scenario` parameter: a budget scenario of the store (default moderate); 400 naming
// the store's scenarios otherwise.
std::string budget_scenario_param(const request_context& ctx) {
    std::string name = ctx.target.get("budget_scenario").value_or("moderate");
    const auto& table = ctx.data->inputs()->budget;
    if (table ? table->find(name) != nullptr : name == "optimistic" || name == "moderate" || name == "pessimistic")
        return name;
    std::string names;
    if (table)
        for (const auto& row : table->rows) names += (names.empty() ? "" : ", ") + row.scenario.name;
    throw request_error(400, "InvalidParameterValue",
                        "parameter 'budget_scenario': '" + geo::utf8::excerpt(name, 40) +
                            "' is not a budget scenario of this store (" +
                            (table ? names : std::string("optimistic, moderate, pessimistic")) + ")");
}

bool flag_param(const request_context& ctx, const char* name) { return parse_flag(name, ctx.target.get(name)); }

// Travel times beyond a day mean nothing for a service's catchment.
constexpr double max_minutes = 24 * 60;

bool wants_csv(const request_context& ctx) {
    auto f = ctx.target.get("f");
    if (!f) return false;
    if (*f == "csv") return true;
    if (*f == "json") return false;
    throw request_error(400, "InvalidParameterValue",
                        "parameter 'f': 'json' or 'csv', not '" + geo::utf8::excerpt(*f, 20) + "'");
}

// The unit's stored accessibility, one entry per sector run: people within each threshold.
nlohmann::json accessibility_of(const geo::accessibility_index& access, geo::level lvl, const std::string& code) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& run : access.runs()) {
        auto l = run.units_by_level.find(std::string(geo::level_name(lvl)));
        if (l == run.units_by_level.end()) continue;
        auto u = l->second.find(code);
        if (u == l->second.end()) continue;
        const auto& a = u->second;
        nlohmann::json within = nlohmann::json::array();
        for (std::size_t t = 0; t < run.thresholds.size(); ++t)
            within.push_back({{"threshold", run.thresholds[t]},
                              {"population", std::round(a.within[t])},
                              {"pct", a.population > 0 ? std::round(1000.0 * a.within[t] / a.population) / 10 : 0.0}});
        out.push_back({{"sector", run.sector},
                       {"typology", run.typology},
                       {"measure", run.measure},
                       {"units", run.units},
                       {"population", std::round(a.population)},
                       {"mean", a.mean ? nlohmann::json(std::round(*a.mean * 10) / 10) : nlohmann::json()},
                       {"median", a.median ? nlohmann::json(std::round(*a.median * 10) / 10) : nlohmann::json()},
                       {"within", within}});
        if (!run.limitations.empty()) out.back()["limitations"] = run.limitations;  // what the surface lacks
    }
    return out;
}

http_response csv_response(std::string body, const std::string& filename) {
    http_response r;
    r.content_type = "text/csv; charset=utf-8";
    r.set_body(std::move(body));
    r.add_header("Content-Disposition", "attachment; filename=\"" + filename + ".csv\"");
    return r;
}

}  // namespace

namespace {

// A scenario's live people within minutes beside the stored run's, in a unit's accessibility
// entries: per threshold `population_after` and `pct_after`, and `mean_after`, for each sector
// whose travel-time run kept its surface (the entry of that run: live true).
void add_live_travel(nlohmann::json& entries, const std::map<std::string, geo::usecases::scenario_travel_figures>& live,
                     const request_context& ctx, const std::string& code) {
    for (auto& e : entries) {
        auto f = live.find(e["sector"].get<std::string>());
        if (f == live.end() || e["measure"] != "travel_time") continue;
        const geo::accessibility_run* run = ctx.data->travel()->live_run(f->first);
        if (!run || e["typology"] != run->typology) continue;
        auto u =
            std::find_if(f->second.units.begin(), f->second.units.end(), [&](const auto& x) { return x.code == code; });
        if (u == f->second.units.end()) continue;
        const auto& after = u->after;
        for (auto& w : e["within"]) {
            auto at = std::find(f->second.thresholds.begin(), f->second.thresholds.end(), w["threshold"].get<double>());
            if (at == f->second.thresholds.end()) continue;
            const double n = after.within[static_cast<std::size_t>(at - f->second.thresholds.begin())];
            w["population_after"] = std::round(n);
            w["pct_after"] = after.population > 0 ? std::round(1000.0 * n / after.population) / 10 : 0.0;
        }
        e["mean_after"] = after.reached > 0 ? nlohmann::json(std::round(after.person_minutes / after.reached * 10) / 10)
                                            : nlohmann::json();
        e["live"] = true;
    }
}

}  // namespace

http_response reports_service::unit_report(const request_context& ctx, const std::string& code) const {
    // A scenario's live travel time first: it reads the book, which with_model holds.
    std::map<std::string, geo::usecases::scenario_travel_figures> live;
    if (const std::int64_t id = scenario_param(ctx); id != 0 && ctx.data->model() && ctx.data->travel()) {
        const geo::level lvl = planning_level_param(ctx, geo::level::district);
        for (const auto& [sector, priority] : ctx.data->model()->catalogue().sectors())
            if (auto f = live_travel(ctx, id, sector, lvl)) live.emplace(sector, std::move(*f));
    }
    return with_model(ctx, [&](const geo::coverage_model& model, bool scenario) {
        geo::level lvl = planning_level_param(ctx, geo::level::district);
        auto tier = model.where().tier_of(lvl);
        if (!model.where().find(*tier, code))
            throw request_error(
                404, "NotFound",
                "no " + std::string(geo::level_name(lvl)) + " with code '" + geo::utf8::excerpt(code, 40) + "'");
        const geo::closing_plan* plan = scenario ? nullptr : ctx.data->baseline_plan();
        geo::unit_report r = geo::make_unit_report(model, lvl, code, plan, ctx.data->inputs()->year);
        r.projects = geo::usecases::projects_of_unit(ctx.data->portfolio(), ctx.data->tracked(), lvl, code);
        if (wants_csv(ctx)) return csv_response(geo::report_csv(r), "informe_" + code);
        nlohmann::json j = geo::report_json(r);
        j["accessibility"] = accessibility_of(ctx.data->inputs()->accessibility, lvl, code);
        add_live_travel(j["accessibility"], live, ctx, code);
        return json_response(j);
    });
}

namespace {

// The month asked for (period=YYYY-MM), else the latest month of execution (else the plan's first
// year's January).
std::pair<int, int> period_param(const request_context& ctx) {
    if (auto text = ctx.target.get("period")) {
        auto m = geo::parse_month(*text);
        if (!m)
            throw request_error(400, "InvalidParameterValue",
                                "parameter 'period': '" + geo::utf8::excerpt(*text, 20) + "' is not a month (YYYY-MM)");
        return *m;
    }
    std::pair<int, int> latest{0, 0};
    for (const auto& r : ctx.data->execution()) latest = std::max(latest, std::pair{r.year, r.month});
    if (latest.first == 0 && ctx.data->inputs()) latest = {ctx.data->inputs()->year, 1};
    return latest;
}

// The scorecard of a unit ("" for the nation) from the snapshot's scorecards against `model` and
// its `inputs` (accessibility, observed values) — the baseline's, or a dated one's — and the
// baseline's plan; nullopt when the store has no scorecards, no plan, or none for the unit.
std::optional<geo::scorecard> scorecard_of(const request_context& ctx, const geo::coverage_model& model,
                                           const geo::store::planning_inputs& inputs, geo::level lvl,
                                           const std::string& unit, const std::string& organisation,
                                           geo::findings& report) {
    const geo::closing_plan* plan = ctx.data->baseline_plan();
    if (!ctx.data->scorecards() || !plan) return std::nullopt;
    const auto& tracked = ctx.data->tracked();
    try {
        return geo::make_scorecard(
            *ctx.data->scorecards(), lvl, unit, organisation, model, *plan,
            unit.empty() ? tracked : geo::usecases::projects_of_unit(ctx.data->portfolio(), tracked, lvl, unit), report,
            &inputs.accessibility, &inputs.observed);
    } catch (const geo::format_error&) {
        return std::nullopt;  // no scorecard for the unit
    }
}

}  // namespace

http_response reports_service::scorecard(const request_context& ctx, const std::string& level_text,
                                         const std::string& code) const {
    const geo::coverage_model& model = model_of(ctx);
    auto lvl = geo::parse_level(level_text);
    if (!lvl || !(*lvl == geo::level::nation || *lvl == geo::level::zone || *lvl == geo::level::district ||
                  *lvl == geo::level::circuit))
        throw request_error(
            400, "InvalidParameterValue",
            "no scorecard level '" + geo::utf8::excerpt(level_text, 30) + "' (nation, zone, district, circuit)");
    if (!ctx.data->scorecards())
        throw request_error(404, "NotAvailable",
                            "this store has no scorecards (microplan scorecards import STORE FILE)");
    const std::string unit = *lvl == geo::level::nation ? std::string() : code;
    if (!unit.empty() && !model.where().find(*model.where().tier_of(*lvl), unit))
        throw request_error(
            404, "NotFound",
            "no " + std::string(geo::level_name(*lvl)) + " with code '" + geo::utf8::excerpt(code, 40) + "'");
    const std::string organisation = ctx.target.get("organisation").value_or("");
    // As it stood at a month's end (period=YYYY-MM): the offer counted then, the values observed by then.
    std::shared_ptr<const snapshot::dated_model> dated;
    std::string period;
    if (ctx.target.get("period")) {
        const auto [year, month] = period_param(ctx);
        period = geo::month_text(year, month);
        dated = ctx.data->model_as_of(geo::month_end(year, month));
    }
    geo::findings report;
    const std::optional<geo::scorecard> found =
        dated ? scorecard_of(ctx, *dated->model, *dated->inputs, *lvl, unit, organisation, report)
              : scorecard_of(ctx, model, *ctx.data->inputs(), *lvl, unit, organisation, report);
    if (!found) throw request_error(404, "NotFound", "the store's scorecards have none for this unit");
    const geo::scorecard& card = *found;
    if (wants_csv(ctx))
        return csv_response(geo::scorecard_csv(card), "cuadro_de_mando_" + (unit.empty() ? "nacional" : unit));
    nlohmann::json j = geo::scorecard_json(card);
    if (!period.empty()) j["period"] = period;
    j["notes"] = nlohmann::json::array();
    for (const auto& f : report.items) j["notes"].push_back(f.message);
    return json_response(j);
}

http_response reports_service::observations(const request_context& ctx) const {
    model_of(ctx);
    const auto indicator = ctx.target.get("indicator");
    const auto code = ctx.target.get("code");
    std::optional<geo::level> lvl;
    if (auto text = ctx.target.get("level")) {
        lvl = geo::parse_level(*text);
        if (!lvl || !(*lvl == geo::level::nation || *lvl == geo::level::zone || *lvl == geo::level::district ||
                      *lvl == geo::level::circuit))
            throw request_error(
                400, "InvalidParameterValue",
                "parameter 'level': '" + geo::utf8::excerpt(*text, 30) + "' is not nation, zone, district or circuit");
    }
    std::vector<geo::observation> rows;
    for (const geo::observation& o : ctx.data->inputs()->observed)
        if ((!indicator || o.indicator == *indicator) && (!lvl || o.lvl == *lvl) && (!code || o.code == *code))
            rows.push_back(o);
    if (wants_csv(ctx)) return csv_response(geo::observations_csv(rows), "observaciones");
    nlohmann::json list = nlohmann::json::array();
    for (const auto& o : rows) list.push_back(geo::observation_json(o));
    return json_response({{"number", rows.size()}, {"observations", std::move(list)}});
}

http_response reports_service::monitoring_projects(const request_context& ctx) const {
    const auto [year, month] = period_param(ctx);
    const std::string key = "monitoring-projects/" + geo::month_text(year, month);
    auto body = ctx.data->memo(key, [&, year = year, month = month] {
        nlohmann::json features = nlohmann::json::array();
        const auto& portfolio = ctx.data->portfolio();
        for (std::size_t i = 0; i < portfolio.size(); ++i) {
            const geo::project& p = portfolio[i].attributes;
            if (!p.lon || !p.lat) continue;
            nlohmann::json props =
                geo::usecases::project_in_month(ctx.data->tracked()[i], ctx.data->execution(), year, month);
            props["circuit_code"] = portfolio[i].circuit_code;
            props["district_code"] = portfolio[i].district_code;
            props["zone_code"] = portfolio[i].zone_code;
            props.erase("milestones");
            features.push_back({{"type", "Feature"},
                                {"id", portfolio[i].fid},
                                {"geometry", {{"type", "Point"}, {"coordinates", {*p.lon, *p.lat}}}},
                                {"properties", std::move(props)}});
        }
        return nlohmann::json({{"type", "FeatureCollection"},
                               {"period", geo::month_text(year, month)},
                               {"periods", geo::usecases::execution_months(ctx.data->execution())},
                               {"features", std::move(features)}})
            .dump();
    });
    return json_response(nlohmann::json::parse(*body), "application/geo+json");
}

namespace {

// A unit's monitoring from the snapshot: its dated models kept alive while the document is made.
nlohmann::json monitoring_of(const request_context& ctx, const geo::coverage_model& model, geo::level lvl,
                             const std::string& code, int year, int month) {
    const geo::closing_plan* plan = ctx.data->baseline_plan();
    if (!plan) throw request_error(404, "NotAvailable", "no plan for this store");
    std::vector<std::shared_ptr<const snapshot::dated_model>> kept;
    geo::usecases::monitoring_inputs in{&model,
                                        plan,
                                        &ctx.data->portfolio(),
                                        &ctx.data->tracked(),
                                        &ctx.data->execution(),
                                        [&](const std::string& date) -> const geo::coverage_model* {
                                            kept.push_back(ctx.data->model_as_of(date));
                                            return kept.back() ? kept.back()->model.get() : nullptr;
                                        }};
    return geo::usecases::unit_monitoring_json(in, lvl, code, year, month);
}

// The level and unit of a monitoring or management path; 400 / 404 otherwise.
geo::level unit_param(const geo::coverage_model& model, const std::string& level_text, const std::string& code) {
    auto lvl = geo::parse_level(level_text);
    auto tier = lvl ? model.where().tier_of(*lvl) : std::nullopt;
    if (!tier)
        throw request_error(400, "InvalidParameterValue",
                            "no planning level '" + geo::utf8::excerpt(level_text, 30) + "' (zone, district, circuit)");
    if (!model.where().find(*tier, code))
        throw request_error(
            404, "NotFound",
            "no " + std::string(geo::level_name(*lvl)) + " with code '" + geo::utf8::excerpt(code, 40) + "'");
    return *lvl;
}

}  // namespace

http_response reports_service::monitoring_unit(const request_context& ctx, const std::string& level_text,
                                               const std::string& code) const {
    const geo::coverage_model& model = model_of(ctx);
    const geo::level lvl = unit_param(model, level_text, code);
    const auto [year, month] = period_param(ctx);
    return json_response(monitoring_of(ctx, model, lvl, code, year, month));
}

http_response reports_service::monitoring_lights(const request_context& ctx, const std::string& level_text) const {
    const geo::coverage_model& model = model_of(ctx);
    auto lvl = geo::parse_level(level_text);
    auto tier = lvl ? model.where().tier_of(*lvl) : std::nullopt;
    if (!tier)
        throw request_error(400, "InvalidParameterValue",
                            "no planning level '" + geo::utf8::excerpt(level_text, 30) + "' (zone, district, circuit)");
    const auto asked = period_param(ctx);  // not a structured binding: clang 14 (make fuzz) cannot capture one
    const std::string period = geo::month_text(asked.first, asked.second);
    auto body = ctx.data->memo("monitoring-lights/" + level_text + "/" + period, [&] {
        nlohmann::json units = nlohmann::json::array();
        auto dated = ctx.data->model_as_of(geo::month_end(asked.first, asked.second));
        if (dated) {
            for (const auto& u : model.where().units(*tier)) {
                geo::findings report;
                const std::optional<geo::scorecard> card =
                    scorecard_of(ctx, *dated->model, *dated->inputs, *lvl, u.code, "", report);
                if (!card) continue;
                std::map<std::string, int> n;
                for (const auto& o : card->objectives) ++n[o.light];
                const std::string light = n["red"] ? "red" : n["yellow"] ? "yellow" : n["green"] ? "green" : "";
                units.push_back({{"code", u.code},
                                 {"light", light},
                                 {"red", n["red"]},
                                 {"yellow", n["yellow"]},
                                 {"green", n["green"]}});
            }
        }
        return nlohmann::json({{"level", level_text}, {"period", period}, {"units", std::move(units)}}).dump();
    });
    return json_response(nlohmann::json::parse(*body));
}

http_response reports_service::management_report(const request_context& ctx, const std::string& level_text,
                                                 const std::string& code) const {
    const geo::coverage_model& model = model_of(ctx);
    const geo::level lvl = unit_param(model, level_text, code);
    const auto [year, month] = period_param(ctx);
    const nlohmann::json monitoring = monitoring_of(ctx, model, lvl, code, year, month);
    // The scorecard as it stood at the month's end: the offer counted then, the values observed by then.
    auto dated = ctx.data->model_as_of(geo::month_end(year, month));
    geo::findings report;
    const std::optional<geo::scorecard> found =
        dated ? scorecard_of(ctx, *dated->model, *dated->inputs, lvl, code, "", report) : std::nullopt;
    const nlohmann::json card = found ? geo::scorecard_json(*found) : nlohmann::json();  // null: none for the unit
    const std::string file = "informe_gestion_" + code + "_" + monitoring["period"].get<std::string>();
    const std::string f = ctx.target.get("f").value_or("html");
    if (f == "csv") return csv_response(geo::usecases::management_report_csv(monitoring, card), file);
    if (f != "html")
        throw request_error(400, "InvalidParameterValue",
                            "parameter 'f': 'html' or 'csv', not '" + geo::utf8::excerpt(f, 20) + "'");
    const std::string lang = ctx.target.get("lang").value_or("es");
    if (lang != "es" && lang != "en") throw request_error(400, "InvalidParameterValue", "parameter 'lang': es or en");
    http_response r;
    r.status = 200;
    r.content_type = "text/html; charset=utf-8";
    r.set_body(geo::usecases::management_report_html(monitoring, card, lang == "es"));
    return r;
}

http_response reports_service::unit_accessibility(const request_context& ctx, const std::string& code) const {
    auto text = ctx.target.get("level");
    auto lvl = geo::parse_level(text.value_or("district"));
    if (!lvl)
        throw request_error(400, "InvalidParameterValue",
                            "parameter 'level': '" + geo::utf8::excerpt(text.value_or(""), 40) + "' is not a level");
    return json_response({{"level", std::string(geo::level_name(*lvl))},
                          {"code", code},
                          {"accessibility", accessibility_of(ctx.data->accessibility(), *lvl, code)}});
}

http_response reports_service::coverage(const request_context& ctx) const {
    if (flag_param(ctx, "include-private")) {
        // Private establishments in the current offer: the baseline only (scenarios are built
        // on the public offer).
        const geo::coverage_model& base = model_of(ctx);
        auto scenario = ctx.target.get("scenario");
        if (scenario && !scenario->empty() && *scenario != "0" && *scenario != "base")
            throw request_error(400, "InvalidParameterValue",
                                "parameter 'include-private' applies to the baseline only, not to a scenario");
        const geo::coverage_model* with_private = ctx.data->model_with_private();
        return coverage_of(ctx, with_private ? *with_private : base);
    }
    return with_model(ctx, [&](const geo::coverage_model& model, bool) { return coverage_of(ctx, model); });
}

http_response reports_service::coverage_of(const request_context& ctx, const geo::coverage_model& model) const {
    geo::coverage_query q;
    q.lvl = planning_level_param(ctx, geo::level::district);
    q.sector = sector_param(ctx, model);
    q.by_typology = flag_param(ctx, "by-typology");
    auto rows = geo::coverage_rows(model, q);
    if (wants_csv(ctx))
        return csv_response(geo::coverage_csv(rows), "cobertura_" + std::string(geo::level_name(q.lvl)));
    return json_response(geo::coverage_json(rows));
}

http_response reports_service::ranking(const request_context& ctx) const {
    const auto& model = model_of(ctx);
    geo::level lvl = planning_level_param(ctx, geo::level::district);
    geo::ranking_options o;
    o.by = ctx.target.get("by").value_or("investment_per_capita");
    o.weight = ctx.target.get("weight").value_or("");
    const auto& names = geo::ranking_indicators();
    if (std::find(names.begin(), names.end(), o.by) == names.end())
        throw request_error(400, "InvalidParameterValue",
                            "parameter 'by': '" + geo::utf8::excerpt(o.by, 40) +
                                "' (investment_per_capita, deficit_per_10k, coverage_pct, unfunded, closing_year)");
    std::optional<geo::closing_plan> plan;
    if (o.by == "unfunded" || o.by == "closing_year") {
        geo::usecases::scenario_request r;
        r.scenario = budget_scenario_param(ctx);
        plan = geo::usecases::plan_for(model, *ctx.data->inputs(), r);
        o.plan = &*plan;
    }
    std::vector<geo::ranking_row> rows;
    try {
        rows = geo::rank_units(model, lvl, sector_param(ctx, model), o);
    } catch (const geo::format_error& e) {  // an unknown attribute, a weighted year
        throw request_error(400, "InvalidParameterValue", e.what());
    }
    if (wants_csv(ctx)) return csv_response(geo::ranking_csv(rows), "ranking_" + std::string(geo::level_name(lvl)));
    return json_response(geo::ranking_json(rows, o.by));
}

http_response reports_service::absent(const request_context& ctx) const {
    const auto& model = model_of(ctx);
    geo::level lvl = planning_level_param(ctx, geo::level::circuit);
    const std::string sector = sector_param(ctx, model);
    auto rows = geo::absent_units(model, lvl, sector);
    if (wants_csv(ctx)) return csv_response(geo::absence_csv(rows), "ausencia_" + std::string(geo::level_name(lvl)));
    return json_response(geo::absence_json(model, lvl, sector, rows));
}

}  // namespace microplan::service

namespace microplan::service {

http_response reports_service::indicators(const request_context& ctx, const std::string& level_text) const {
    model_of(ctx);
    auto lvl = geo::parse_level(level_text);
    if (!lvl || !ctx.data->model()->where().tier_of(*lvl))
        throw request_error(404, "NotFound",
                            "no planning level '" + geo::utf8::excerpt(level_text, 30) + "' (zone, district, circuit)");
    const collection* units_layer = ctx.data->find(geo::level_table(*lvl));
    const bool closing = flag_param(ctx, "closing");
    // A scenario's people within minutes, live (before with_model: it reads the book).
    const std::int64_t scenario_id = scenario_param(ctx);
    std::optional<geo::usecases::scenario_travel_figures> live;
    std::map<std::string, std::size_t> live_unit;
    if (scenario_id != 0) {
        live = live_travel(ctx, scenario_id, sector_param(ctx, model_of(ctx)), *lvl);
        if (live)
            for (std::size_t u = 0; u < live->units.size(); ++u) live_unit[live->units[u].code] = u;
    }
    return with_model(ctx, [&](const geo::coverage_model& model, bool scenario) {
        std::string sector = sector_param(ctx, model);
        std::size_t tier = *model.where().tier_of(*lvl);
        std::optional<geo::closing_plan> own_plan;
        const geo::closing_plan* plan = nullptr;
        if (closing) {
            if (scenario) own_plan = geo::usecases::plan_for(model, *ctx.data->inputs());
            plan = scenario ? &*own_plan : ctx.data->baseline_plan();
        }
        const auto& units = model.where().units(tier);
        // Population within X minutes: the `minutes` asked for, else the sector's standard time.
        const auto& access = ctx.data->inputs()->accessibility;
        std::optional<double> minutes;
        if (auto m = ctx.target.get("minutes")) {
            minutes = parse_number("minutes", *m);
            if (!(*minutes > 0) || *minutes > max_minutes)
                throw request_error(400, "InvalidParameterValue",
                                    "parameter 'minutes' must be more than 0 and at most " +
                                        std::to_string(static_cast<int>(max_minutes)) + " (a day)");
        } else if (!sector.empty()) {
            minutes = geo::standard_minutes(model.catalogue(), sector, *lvl);
        }
        // The live figures answer for a scenario when they hold the minutes asked for.
        std::optional<std::size_t> live_threshold;
        if (live && minutes)
            for (std::size_t t = 0; t < live->thresholds.size(); ++t)
                if (std::abs(live->thresholds[t] - *minutes) < 1e-9) live_threshold = t;
        const bool with_access = !sector.empty() && minutes && (access.run_for(sector) || live_threshold);
        nlohmann::json rows = nlohmann::json::array();
        std::string csv =
            "id,code,name,population,current,ideal,deficit,deficit_per_10k,coverage_pct,investment,closing_year,"
            "population_within_minutes\n";
        // No standard of the sector (of any, for all sectors) at this level: nothing to count.
        const bool applies = model.sector_defined_at(sector, tier);
        for (std::size_t u = 0; u < units.size(); ++u) {
            geo::offer o = model.sector_offer(sector, tier, u);
            double people = model.population(tier, u);
            double per_10k = people > 0 ? o.deficit / people * 10000.0 : 0;
            // The year every sector asked for has closed its gap; none when one never closes.
            int year = 0;  // 0: no plan, or a sector that never closes
            if (plan) {
                for (const auto& [s, priority] : model.catalogue().sectors()) {
                    if (!sector.empty() && s != sector) continue;
                    auto y = plan->closing_year(s, tier, u);
                    if (!y) {
                        year = 0;
                        break;
                    }
                    year = std::max(year, *y);
                }
            }
            std::int64_t id = units_layer ? units_layer->fid_of(units[u].code) : 0;
            std::optional<double> within;
            if (live_threshold) {
                auto at = live_unit.find(units[u].code);
                if (at != live_unit.end() && live->units[at->second].after.population > 0)
                    within = 100.0 * live->units[at->second].after.within[*live_threshold] /
                             live->units[at->second].after.population;
            } else if (with_access) {
                within = access.pct_within(sector, *lvl, units[u].code, *minutes);
            }
            auto value = [&](double v) { return applies ? nlohmann::json(v) : nlohmann::json(); };
            auto cell = [&](double v) { return applies ? geo::csv_number(v) : std::string(); };
            rows.push_back({{"id", id},
                            {"code", units[u].code},
                            {"name", units[u].name},
                            {"population", std::round(people)},
                            {"current", value(o.current)},
                            {"ideal", value(o.ideal)},
                            {"deficit", value(o.deficit)},
                            {"deficit_per_10k", value(std::round(per_10k * 100) / 100)},
                            {"coverage_pct", value(std::round(o.coverage_pct() * 100) / 100)},
                            {"investment", value(std::round(o.investment))},
                            {"closing_year", year && applies ? nlohmann::json(year) : nlohmann::json()},
                            {"population_within_minutes",
                             within ? nlohmann::json(std::round(*within * 100) / 100) : nlohmann::json()}});
            csv += std::to_string(id) + "," + geo::csv_field(units[u].code) + "," + geo::csv_field(units[u].name) +
                   "," + geo::csv_number(std::round(people)) + "," + cell(o.current) + "," + cell(o.ideal) + "," +
                   cell(o.deficit) + "," + cell(per_10k) + "," + cell(o.coverage_pct()) + "," + cell(o.investment) +
                   "," + (year && applies ? std::to_string(year) : std::string()) + "," +
                   (within ? geo::csv_number(*within) : "") + "\n";
        }
        if (wants_csv(ctx))
            return csv_response(std::move(csv), "indicadores_" + std::string(geo::level_name(*lvl)) +
                                                    (sector.empty() ? "" : "_" + sector));
        nlohmann::json out(
            {{"level", std::string(geo::level_name(*lvl))},
             {"sector", sector},
             {"scenario", ctx.target.get("scenario").value_or("")},
             {"minutes", minutes ? nlohmann::json(*minutes) : nlohmann::json()},
             {"minutes_available", access.minutes(sector)},
             {"note", live_threshold
                          ? std::string("population_within_minutes: % of people within `minutes` of the sector's "
                                        "establishments and the scenario's proposals (recomputed live over the "
                                        "stored run's surface)")
                      : with_access ? std::string("population_within_minutes: % of people within `minutes` of the "
                                                  "sector's establishments (stored accessibility") +
                                          (scenario_id ? "; the scenario's proposals are not included: the sector's "
                                                         "run kept no surface to recompute over)"
                                                       : ")")
                                    : std::string("population_within_minutes needs a sector and stored accessibility "
                                                  "results for it (microplan access travel-time)")},
             {"units", rows}});
        if (!applies) {  // the level whose units the sector's standards count (the viewer says so)
            auto t = model.sector_tier(sector);
            out["planned_at"] = t ? nlohmann::json(geo::level_name(model.where().level_of(*t)))
                                : model.national_only(sector) ? nlohmann::json(geo::level_name(geo::level::nation))
                                                              : nlohmann::json();
        }
        // What the run's surface lacks (no land cover, small-scale roads), for the legend.
        if (const auto* run = access.run_for(sector); with_access && !run->limitations.empty())
            out["limitations"] = run->limitations;
        return json_response(std::move(out));
    });
}

http_response reports_service::catalogue(const request_context& ctx) const {
    const auto& model = model_of(ctx);
    nlohmann::json sectors = nlohmann::json::array(), standards = nlohmann::json::array();
    const geo::sectors_catalogue& table = ctx.data->inputs()->sectors;
    for (const auto& [sector, priority] : model.catalogue().sectors()) {
        const geo::sector_def* d = table.find(sector);
        sectors.push_back({{"id", sector},
                           {"label", d ? d->label_es : geo::sector_label(sector)},
                           {"label_en", d && !d->label_en.empty() ? d->label_en : sector},
                           {"priority", priority},
                           // What its current offer, ideal and gap count.
                           {"counts", geo::counts_of(model, sector)},
                           // Its travel time follows scenarios live (/travel tiles, compare).
                           {"live_travel", ctx.data->travel() && ctx.data->travel()->live_run(sector)}});
    }
    for (const auto& st : model.catalogue().items)
        standards.push_back({{"sector", st.sector},
                             {"typology", st.typology},
                             {"level", std::string(geo::level_name(st.lvl))},
                             {"capacity", st.capacity},
                             {"investment_cost", st.investment_cost}});
    return json_response({{"source", model.catalogue().source}, {"sectors", sectors}, {"standards", standards}});
}

namespace {

using nlohmann::json;

json level_parameter(const char* fallback) {
    return query_parameter("level", std::string("Planning level (default ") + fallback + ")",
                           {{"type", "string"}, {"enum", {"zone", "district", "circuit"}}});
}
json sector_parameter() {
    return query_parameter("sector", "A sector of the standards in force (health, education, ...); all when absent",
                           {{"type", "string"}});
}
json scenario_parameter() {
    return query_parameter("scenario", "A scenario's id: its model instead of the baseline (0 or 'base': baseline)",
                           {{"type", "string"}});
}
json format_parameter() {
    return query_parameter("f", "json (default) or csv", {{"type", "string"}, {"enum", {"json", "csv"}}});
}
api_response json_or_csv(std::string description) {
    return {
        200, std::move(description), {{"application/json", {{"type", "object"}}}, {"text/csv", {{"type", "string"}}}}};
}

}  // namespace

http_response reports_service::plan(const request_context& ctx) const {
    const geo::coverage_model& model = model_of(ctx);
    const geo::store::planning_inputs& inputs = *ctx.data->inputs();
    geo::usecases::scenario_request r;
    r.scenario = budget_scenario_param(ctx);
    const auto& table = inputs.budget;
    const int first = inputs.year;
    auto year_of = [&](const char* name, int fallback) {
        auto v = ctx.target.get(name);
        return v ? static_cast<int>(parse_integer(name, *v, first, first + geo::bounds::max_plan_years - 1)) : fallback;
    };
    r.last_year = year_of("until", std::max(first, 2035));
    const int close_by = year_of("close_by", 0);
    if (close_by > r.last_year)
        throw request_error(400, "InvalidParameterValue",
                            "parameter 'close_by': " + std::to_string(close_by) + " is after the horizon's last year " +
                                std::to_string(r.last_year) + " (until=)");
    const bool csv = wants_csv(ctx);
    auto compute = [&](const geo::coverage_model& m) {
        geo::plan_options o = geo::usecases::plan_options_for(m, inputs, r);
        if (close_by) {
            geo::required_budget q = geo::plan_required_budget(m, inputs.people, o, close_by);
            return csv ? geo::budget_path_csv(q) : geo::required_json(m, q).dump();
        }
        geo::closing_plan p = geo::plan_closing(m, inputs.people, o);
        if (csv) return geo::plan_csv(p);
        nlohmann::json j = geo::plan_json(m, p);
        nlohmann::json names = nlohmann::json::array();
        if (table)
            for (const auto& row : table->rows)
                names.push_back({{"name", row.scenario.name},
                                 {"label_es", row.label_es},
                                 {"gdp_growth", row.scenario.gdp_growth},
                                 {"budget_pct_gdp", row.budget_pct_gdp}});
        j["budget_scenarios"] = std::move(names);
        return j.dump();
    };
    // A workshop scenario's plan starts from its model (its proposals built, its closures closed):
    // copied under the book's lock, planned outside it; it changes with every edit, so it is
    // computed each time rather than kept with the snapshot.
    std::shared_ptr<const std::string> body;
    if (const std::int64_t id = scenario_param(ctx); id != 0)
        body = std::make_shared<const std::string>(
            compute(ctx.scenarios->with_model(id, [](const geo::coverage_model& m) { return m; })));
    else
        body = ctx.data->memo("plan|" + r.scenario + "|" + std::to_string(r.last_year) + "|" +
                                  std::to_string(close_by) + "|" + (csv ? "csv" : "json"),
                              [&] { return compute(model); });
    if (csv)
        return csv_response(*body,
                            close_by ? "presupuesto_requerido_" + std::to_string(close_by) : "plan_" + r.scenario);
    http_response out;
    out.content_type = "application/json";
    out.body = std::move(body);
    return out;
}

void reports_service::register_routes(route_table& table) const {
    const char* const tag = "Planning reports";
    const api_response bad = error_response_doc(400, "A parameter is malformed");
    const api_response unavailable =
        error_response_doc(404, "No planning model in this store (NotAvailable), or no such unit or scenario");
    // A district's report is also served as a unit's (any level, through level=).
    for (const char* kind : {"district", "unit"}) {
        const std::string k = kind;
        table.add({.pattern = "/reports/" + k + "/{code}",
                   .handler = [this](const request_context& ctx,
                                     const path_params& p) { return unit_report(ctx, p["code"]); },
                   .api = {.operation_id = k == "district" ? "getDistrictReport" : "getUnitReport",
                           .summary = "Intersectoral report of a " + k + (k == "unit" ? " of any planning level" : ""),
                           .tags = {tag},
                           .parameters = {path_parameter("code", "The unit's code", {{"type", "string"}}),
                                          level_parameter("district"), scenario_parameter(), format_parameter()},
                           .responses = {json_or_csv("Report"), bad, unavailable}}});
    }
    register_results_routes(table);
    table.add(
        {.pattern = "/reports/accessibility/{code}",
         .handler = [this](const request_context& ctx,
                           const path_params& p) { return unit_accessibility(ctx, p["code"]); },
         .api = {.operation_id = "getUnitAccessibility",
                 .summary = "Stored travel time of a unit of any level (with or without standards): people "
                            "within each threshold per run, and what the run's surface lacks",
                 .tags = {tag},
                 .parameters = {path_parameter("code", "The unit's code", {{"type", "string"}}),
                                level_parameter("district")},
                 .responses = {{200, "Accessibility runs of the unit", {{"application/json", {{"type", "object"}}}}},
                               bad}}});
    table.add({.pattern = "/reports/coverage",
               .handler = [this](const request_context& ctx, const path_params&) { return coverage(ctx); },
               .api = {.operation_id = "getCoverage",
                       .summary = "Current, ideal, deficit and cost per unit and sector",
                       .tags = {tag},
                       .parameters = {level_parameter("district"), sector_parameter(),
                                      query_parameter("by-typology", "One row per typology (true or 1)",
                                                      {{"type", "string"}, {"enum", {"true", "1", "false", "0"}}}),
                                      query_parameter("include-private",
                                                      "Count private establishments in the current offer (true or 1; "
                                                      "default: public ones and those of unknown provider)",
                                                      {{"type", "string"}, {"enum", {"true", "1", "false", "0"}}}),
                                      scenario_parameter(), format_parameter()},
                       .responses = {json_or_csv("Coverage"), bad, unavailable}}});
    table.add(
        {.pattern = "/reports/ranking",
         .handler = [this](const request_context& ctx, const path_params&) { return ranking(ctx); },
         .api = {.operation_id = "getRanking",
                 .summary = "Units ranked by an indicator, the worst served first",
                 .tags = {tag},
                 .parameters = {level_parameter("district"), sector_parameter(),
                                query_parameter("by",
                                                "investment_per_capita (default), deficit_per_10k, coverage_pct, "
                                                "unfunded or closing_year (from the plan of budget_scenario)",
                                                {{"type", "string"},
                                                 {"enum",
                                                  {"investment_per_capita", "deficit_per_10k", "coverage_pct",
                                                   "unfunded", "closing_year"}}}),
                                query_parameter("weight",
                                                "A unit attribute (poverty) that weights each unit's score by "
                                                "its value over the level's population-weighted mean",
                                                {{"type", "string"}}),
                                query_parameter("budget_scenario", "The plan's budget scenario (default moderate)",
                                                {{"type", "string"}}),
                                format_parameter()},
                 .responses = {json_or_csv("Ranking"), bad, unavailable}}});
    table.add({.pattern = "/reports/absent",
               .handler = [this](const request_context& ctx, const path_params&) { return absent(ctx); },
               .api = {.operation_id = "getAbsence",
                       .summary = "Where the State is absent: populated units with no establishment of a sector (or "
                                  "of any sector)",
                       .tags = {tag},
                       .parameters = {level_parameter("circuit"), sector_parameter(), format_parameter()},
                       .responses = {json_or_csv("Units without the sector's establishments"), bad, unavailable}}});
    table.add(
        {.pattern = "/indicators/{level}",
         .handler = [this](const request_context& ctx, const path_params& p) { return indicators(ctx, p["level"]); },
         .api = {.operation_id = "getIndicators",
                 .summary = "One row per unit of a level with its feature id, for choropleths",
                 .tags = {tag},
                 .parameters =
                     {path_parameter("level", "Planning level",
                                     {{"type", "string"}, {"enum", {"zone", "district", "circuit"}}}),
                      sector_parameter(), scenario_parameter(),
                      query_parameter("closing", "true: the year each unit's gap closes",
                                      {{"type", "string"}, {"enum", {"true", "1", "false", "0"}}}),
                      query_parameter(
                          "minutes",
                          "People within this many minutes (default: the sector's "
                          "standard time)",
                          {{"type", "number"}, {"exclusiveMinimum", true}, {"minimum", 0}, {"maximum", max_minutes}}),
                      format_parameter()},
                 .responses = {json_or_csv("Indicators"), bad, unavailable}}});
    table.add(
        {.pattern = "/plan",
         .handler = [this](const request_context& ctx, const path_params&) { return plan(ctx); },
         .api = {
             .operation_id = "getPlan",
             .summary = "Closing the gap over time under a budget scenario: budget and % of GDP, trajectory and "
                        "closing year per sector; with close_by, how much closes every gap by that year",
             .tags = {tag},
             .parameters = {query_parameter("budget_scenario",
                                            "A budget scenario of the store (default moderate; listed in "
                                            "budget_scenarios)",
                                            {{"type", "string"}}),
                            query_parameter("until", "Last year of the horizon (default 2035)", {{"type", "integer"}}),
                            query_parameter("close_by",
                                            "The year every gap must close by: the required budget per sector "
                                            "(CSV: the path, year, sector, budget)",
                                            {{"type", "integer"}}),
                            scenario_parameter(), format_parameter()},
             .responses = {json_or_csv("Plan"), bad, unavailable}}});
    table.add({.pattern = "/catalogue",
               .handler = [this](const request_context& ctx, const path_params&) { return catalogue(ctx); },
               .api = {.operation_id = "getCatalogue",
                       .summary = "The sectors and typologies of the standards in force",
                       .tags = {tag},
                       .responses = {ok_response("Sectors and standards"), unavailable}}});
}

// Following the plan into results: monitoring and scorecards.
void reports_service::register_results_routes(route_table& table) const {
    const char* const tag = "Results";
    const api_response bad = error_response_doc(400, "A parameter is malformed");
    const api_response unavailable =
        error_response_doc(404, "No planning model or scorecards in this store, or no such unit");
    table.add({.pattern = "/monitoring/projects",
               .handler = [this](const request_context& ctx, const path_params&) { return monitoring_projects(ctx); },
               .api = {.operation_id = "getMonitoringProjects",
                       .summary = "The portfolio's projects with a point as GeoJSON, with their status and physical "
                                  "and financial progress in a month",
                       .tags = {tag},
                       .parameters = {query_parameter("period", "The month (YYYY-MM; default the latest executed)",
                                                      {{"type", "string"}})},
                       .responses = {{200, "Projects", {{"application/geo+json", {{"type", "object"}}}}}, bad}}});
    table.add({.pattern = "/scorecards/{level}",
               .handler = [this](const request_context& ctx,
                                 const path_params& p) { return monitoring_lights(ctx, p["level"]); },
               .api = {.operation_id = "getMonitoringLights",
                       .summary = "Every unit of a level with a scorecard and its traffic light in a month (the "
                                  "worst of its objectives'), against the offer counted as of the month's end",
                       .tags = {tag},
                       .parameters = {path_parameter("level", "zone, district or circuit",
                                                     {{"type", "string"}, {"enum", {"zone", "district", "circuit"}}}),
                                      query_parameter("period", "The month (YYYY-MM; default the latest executed)",
                                                      {{"type", "string"}})},
                       .responses = {
                           {200, "Lights per unit", {{"application/json", {{"type", "object"}}}}}, bad, unavailable}}});
    table.add(
        {.pattern = "/monitoring/{level}/{code}",
         .handler = [this](const request_context& ctx,
                           const path_params& p) { return monitoring_unit(ctx, p["level"], p["code"]); },
         .api = {.operation_id = "getMonitoringUnit",
                 .summary = "A unit's plan against actual: each sector's planned gap by year beside the gap "
                            "counted from the registry's history, and its projects in a month",
                 .tags = {tag},
                 .parameters = {path_parameter("level", "zone, district or circuit",
                                               {{"type", "string"}, {"enum", {"zone", "district", "circuit"}}}),
                                path_parameter("code", "The unit's code", {{"type", "string"}}),
                                query_parameter("period", "The month (YYYY-MM; default the latest executed)",
                                                {{"type", "string"}})},
                 .responses = {
                     {200, "Plan against actual", {{"application/json", {{"type", "object"}}}}}, bad, unavailable}}});
    table.add(
        {.pattern = "/reports/management/{level}/{code}",
         .handler = [this](const request_context& ctx,
                           const path_params& p) { return management_report(ctx, p["level"], p["code"]); },
         .api = {
             .operation_id = "getManagementReport",
             .summary = "A unit's management report in a month (the monthly \"metas y objetivos\"): "
                        "objectives, indicators, targets and status, projects and budget execution, plan "
                        "against actual, update date and periodicity; a page to print (PDF) or CSV",
             .tags = {tag},
             .parameters =
                 {path_parameter("level", "zone, district or circuit",
                                 {{"type", "string"}, {"enum", {"zone", "district", "circuit"}}}),
                  path_parameter("code", "The unit's code", {{"type", "string"}}),
                  query_parameter("period", "The month (YYYY-MM; default the latest executed)", {{"type", "string"}}),
                  query_parameter("lang", "es (default) or en", {{"type", "string"}, {"enum", {"es", "en"}}}),
                  query_parameter("f", "html (default) or csv", {{"type", "string"}, {"enum", {"html", "csv"}}})},
             .responses = {
                 {200, "The report", {{"text/html", {{"type", "string"}}}, {"text/csv", {{"type", "string"}}}}},
                 bad,
                 unavailable}}});
    table.add(
        {.pattern = "/observations",
         .handler = [this](const request_context& ctx, const path_params&) { return observations(ctx); },
         .api = {
             .operation_id = "getObservations",
             .summary = "Observed indicator values per unit and period (the latest revision of each), "
                        "as imported with microplan observations import",
             .tags = {tag},
             .parameters = {query_parameter("indicator", "Only this indicator", {{"type", "string"}}),
                            query_parameter("level", "Only this level",
                                            {{"type", "string"}, {"enum", {"nation", "zone", "district", "circuit"}}}),
                            query_parameter("code", "Only this unit", {{"type", "string"}}), format_parameter()},
             .responses = {json_or_csv("Observed values"), bad, unavailable}}});
    table.add({.pattern = "/scorecards/{level}/{code}",
               .handler = [this](const request_context& ctx,
                                 const path_params& p) { return scorecard(ctx, p["level"], p["code"]); },
               .api = {.operation_id = "getScorecard",
                       .summary = "A territory's scorecard and strategy map: objectives in four perspectives, their "
                                  "indicators against targets with traffic lights, their initiatives (projects) and "
                                  "cause-effect links (the nation: any code)",
                       .tags = {tag},
                       .parameters = {path_parameter(
                                          "level", "nation, zone, district or circuit",
                                          {{"type", "string"}, {"enum", {"nation", "zone", "district", "circuit"}}}),
                                      path_parameter("code", "The unit's code", {{"type", "string"}}),
                                      query_parameter("organisation",
                                                      "An organisational unit's scorecard instead of the territory's",
                                                      {{"type", "string"}}),
                                      query_parameter("period",
                                                      "As it stood at the end of a month (YYYY-MM): the offer "
                                                      "counted and the values observed by then; default today's",
                                                      {{"type", "string"}}),
                                      format_parameter()},
                       .responses = {json_or_csv("Scorecard"), bad, unavailable}}});
}

}  // namespace microplan::service
