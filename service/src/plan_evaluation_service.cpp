#include "microplan/service/plan_evaluation_service.hpp"

#include "microplan/geo/core/utf8_text.hpp"
#include "microplan/geo/usecases/plan_comparison.hpp"
#include "microplan/geo/usecases/plan_evaluation.hpp"
#include "microplan/service/error_response.hpp"
#include "microplan/service/query.hpp"
#include "microplan/service/routes.hpp"
#include "microplan/service/snapshot.hpp"

namespace microplan::service {

namespace {

double number_in(const request_context& ctx, const char* name, double fallback, double low, double high,
                 const char* range) {
    auto text = ctx.target.get(name);
    if (!text) return fallback;
    double v = parse_number(name, *text);
    if (!(v >= low && v <= high))
        throw request_error(
            400, "InvalidParameterValue",
            std::string("parameter '") + name + "': " + geo::utf8::excerpt(*text, 30) + " is not " + range);
    return v;
}

bool csv_wanted(const request_context& ctx) {
    auto f = ctx.target.get("f");
    if (!f || *f == "json") return false;
    if (*f == "csv") return true;
    throw request_error(400, "InvalidParameterValue",
                        "parameter 'f': 'json' or 'csv', not '" + geo::utf8::excerpt(*f, 20) + "'");
}

http_response answer(const std::string& json, const std::string& csv, bool as_csv, geo::level lvl) {
    http_response r;
    if (as_csv) {
        r.content_type = "text/csv; charset=utf-8";
        r.set_body(csv);
        r.add_header("Content-Disposition",
                     "attachment; filename=\"plan_evaluation_" + std::string(geo::level_name(lvl)) + ".csv\"");
    } else {
        r.content_type = "application/json";
        r.set_body(json);
    }
    return r;
}

}  // namespace

http_response plan_evaluation_service::evaluate(const request_context& ctx) const {
    if (ctx.data->store_path().empty())
        throw request_error(404, "NotAvailable", "no store behind this server to evaluate");
    const geo::level lvl = planning_level_param(ctx, geo::level::circuit);
    const bool as_csv = csv_wanted(ctx);
    geo::design::evaluation_criteria criteria;
    criteria.target = number_in(ctx, "target", 0, 0, 1e10, "a number of people between 0 and 10,000,000,000");
    criteria.tolerance = number_in(ctx, "tolerance", 0.05, 0, 1, "a share between 0 and 1");
    const std::uint64_t generation = ctx.data->generation();
    std::shared_ptr<const geo::usecases::plan_evaluation_summary> base;
    {
        std::lock_guard lock(mutex_);
        for (const kept& k : kept_)
            if (k.generation == generation && k.lvl == lvl) base = k.evaluation;
    }
    if (!base) {
        geo::usecases::plan_evaluation_options o;
        o.store = ctx.data->store_path();
        o.lvl = lvl;
        auto fresh = std::make_shared<geo::usecases::plan_evaluation_summary>(geo::usecases::evaluate_plan(o));
        fresh->plan_label = std::string(geo::level_table(lvl)) + " of " + ctx.data->store_name();  // no server paths
        for (std::string* label : {&fresh->parents_label, &fresh->finer_label})
            if (auto at = label->find(" of "); at != std::string::npos)
                *label = label->substr(0, at) + " of " + ctx.data->store_name();
        base = fresh;
        std::lock_guard lock(mutex_);
        std::erase_if(kept_, [&](const kept& k) { return k.generation != generation || k.lvl == lvl; });
        kept_.push_back({generation, lvl, base});
    }
    geo::usecases::plan_evaluation_summary s = *base;
    geo::design::retarget(s.evaluation, criteria);
    return answer(geo::usecases::plan_evaluation_json(s, criteria).dump(),
                  as_csv ? geo::usecases::plan_evaluation_csv(s.evaluation) : std::string(), as_csv, lvl);
}

http_response plan_evaluation_service::compare(const request_context& ctx) const {
    if (ctx.data->store_path().empty())
        throw request_error(404, "NotAvailable", "no store behind this server to compare with");
    const geo::level lvl = planning_level_param(ctx, geo::level::circuit);
    if (ctx.http.body.empty())
        throw request_error(400, "InvalidParameterValue",
                            "the body is the plan to compare: a GeoJSON FeatureCollection of polygons with a code");
    const std::string code_field = ctx.target.get("code-field").value_or("");
    const int prefix =
        static_cast<int>(parse_integer("dissolve-prefix", ctx.target.get("dissolve-prefix").value_or("0"), 0, 64));
    geo::usecases::plan_comparison_summary s =
        geo::usecases::compare_with_geojson(ctx.data->store_path(), lvl, ctx.http.body, code_field, prefix, 0);
    nlohmann::json j = geo::usecases::plan_comparison_json(s);
    j["a"] = std::string(geo::level_table(lvl)) + " of " + ctx.data->store_name();
    j["changed"] = geo::usecases::changed_cells_geojson(s.comparison);
    return json_response(j);
}

void plan_evaluation_service::register_routes(route_table& table) const {
    table.add({.method = http_method::post,
               .pattern = "/reports/plan-comparison",
               .handler = [this](const request_context& ctx, const path_params&) { return compare(ctx); },
               .api = {.operation_id = "comparePlan",
                       .summary = "A level compared with the plan in the body (GeoJSON polygons with a code): matched "
                                  "units, people who change unit, variation of information, finer units that change, "
                                  "the changed areas as GeoJSON",
                       .tags = {"Planning reports"},
                       .parameters = {query_parameter("level", "Planning level (default circuit)",
                                                      {{"type", "string"}, {"enum", {"zone", "district", "circuit"}}}),
                                      query_parameter("code-field", "Code property of the plan (default: detected)",
                                                      {{"type", "string"}}),
                                      query_parameter("dissolve-prefix",
                                                      "Codes cut to their first N characters, features sharing one "
                                                      "dissolved (0: as they are)",
                                                      {{"type", "integer"}, {"minimum", 0}, {"maximum", 64}})},
                       .responses = {{200, "The comparison", {{"application/json", {{"type", "object"}}}}},
                                     error_response_doc(400, "The plan or a parameter is malformed"),
                                     error_response_doc(404, "No store behind this server")},
                       .request_body = json_request_body(
                           {{"type", "object"}, {"description", "A GeoJSON FeatureCollection of polygons with a code"}},
                           {{"type", "FeatureCollection"},
                            {"features",
                             {{{"type", "Feature"},
                               {"properties", {{"code", "P01"}}},
                               {"geometry",
                                {{"type", "Polygon"},
                                 {"coordinates",
                                  {{{-78.51, -0.21},
                                    {-78.49, -0.21},
                                    {-78.49, -0.19},
                                    {-78.51, -0.19},
                                    {-78.51, -0.21}}}}}}}}}})}});
    table.add(
        {.pattern = "/reports/plan-evaluation",
         .handler = [this](const request_context& ctx, const path_params&) { return evaluate(ctx); },
         .api = {.operation_id = "getPlanEvaluation",
                 .summary = "A level judged as a districting plan: population against a target, contiguity, "
                            "compactness (Polsby-Popper, Reock, convex hull), nesting, splits of parishes, overlaps "
                            "and gaps; pass or fail per criterion with the units that fail",
                 .tags = {"Planning reports"},
                 .parameters = {query_parameter("level", "Planning level (default circuit)",
                                                {{"type", "string"}, {"enum", {"zone", "district", "circuit"}}}),
                                query_parameter("target", "People per unit (default 0: no population criterion)",
                                                {{"type", "number"}, {"minimum", 0}}),
                                query_parameter("tolerance", "Allowed deviation from the target as a share (0.05)",
                                                {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}),
                                query_parameter("f", "json (default) or csv",
                                                {{"type", "string"}, {"enum", {"json", "csv"}}})},
                 .responses = {{200,
                                "The evaluation",
                                {{"application/json", {{"type", "object"}}}, {"text/csv", {{"type", "string"}}}}},
                               error_response_doc(400, "A parameter is malformed"),
                               error_response_doc(404, "No store behind this server")}}});
}

}  // namespace microplan::service
