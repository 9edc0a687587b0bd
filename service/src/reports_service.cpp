#include "microplan/service/reports_service.hpp"

#include "microplan/geo/planning/report.hpp"
#include "microplan/service/error_response.hpp"

namespace microplan::service {

namespace {

const geo::coverage_model& model_of(const request_context& ctx) {
    if (!ctx.data->model())
        throw request_error(404, "NotAvailable",
                            "no planning reports for this store: " + ctx.data->planning_unavailable());
    return *ctx.data->model();
}

geo::level level_param(const request_context& ctx, geo::level fallback) {
    auto text = ctx.target.get("level");
    if (!text) return fallback;
    auto l = geo::parse_level(*text);
    if (!l || !ctx.data->model()->where().tier_of(*l))
        throw request_error(
            400, "InvalidParameterValue",
            "parameter 'level': '" + text->substr(0, 40) + "' is not a planning level (zone, district, circuit)");
    return *l;
}

std::string sector_param(const request_context& ctx, const geo::coverage_model& model) {
    auto s = ctx.target.get("sector");
    if (!s || s->empty()) return {};
    for (const auto& [sector, priority] : model.catalogue().sectors())
        if (sector == *s) return sector;
    std::string list;
    for (const auto& [sector, priority] : model.catalogue().sectors()) list += (list.empty() ? "" : ", ") + sector;
    throw request_error(400, "InvalidParameterValue",
                        "parameter 'sector': '" + s->substr(0, 40) + "' has no standard in force; sectors: " + list);
}

bool wants_csv(const request_context& ctx) {
    auto f = ctx.target.get("f");
    if (!f) return false;
    if (*f == "csv") return true;
    if (*f == "json") return false;
    throw request_error(400, "InvalidParameterValue", "parameter 'f': 'json' or 'csv', not '" + f->substr(0, 20) + "'");
}

http_response csv_response(std::string body, const std::string& filename) {
    http_response r;
    r.content_type = "text/csv; charset=utf-8";
    r.set_body(std::move(body));
    r.add_header("Content-Disposition", "attachment; filename=\"" + filename + ".csv\"");
    return r;
}

}  // namespace

http_response reports_service::unit_report(const request_context& ctx, const std::string& code) const {
    const auto& model = model_of(ctx);
    geo::level lvl = level_param(ctx, geo::level::district);
    auto tier = model.where().tier_of(lvl);
    if (!model.where().find(*tier, code))
        throw request_error(404, "NotFound",
                            "no " + std::string(geo::level_name(lvl)) + " with code '" + code.substr(0, 40) + "'");
    geo::unit_report r = geo::make_unit_report(model, lvl, code);
    if (wants_csv(ctx)) return csv_response(geo::report_csv(r), "informe_" + code);
    return json_response(geo::report_json(r));
}

http_response reports_service::coverage(const request_context& ctx) const {
    const auto& model = model_of(ctx);
    geo::coverage_query q;
    q.lvl = level_param(ctx, geo::level::district);
    q.sector = sector_param(ctx, model);
    if (auto t = ctx.target.get("by-typology")) q.by_typology = *t == "true" || *t == "1";
    auto rows = geo::coverage_rows(model, q);
    if (wants_csv(ctx))
        return csv_response(geo::coverage_csv(rows), "cobertura_" + std::string(geo::level_name(q.lvl)));
    return json_response(geo::coverage_json(rows));
}

http_response reports_service::ranking(const request_context& ctx) const {
    const auto& model = model_of(ctx);
    geo::level lvl = level_param(ctx, geo::level::district);
    auto rows = geo::rank_units(model, lvl, sector_param(ctx, model));
    if (wants_csv(ctx)) return csv_response(geo::ranking_csv(rows), "ranking_" + std::string(geo::level_name(lvl)));
    return json_response(geo::ranking_json(rows));
}

}  // namespace microplan::service
