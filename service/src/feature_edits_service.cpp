#include "microplan/service/feature_edits_service.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

#include "microplan/geo/usecases/establishment_edits.hpp"
#include "microplan/geo/usecases/scenarios.hpp"
#include "microplan/service/error_response.hpp"
#include "microplan/service/request_handler.hpp"
#include "microplan/service/routes.hpp"

namespace microplan::service {

using json = nlohmann::json;
using geo::usecases::establishment_edit;

namespace {

constexpr const char* collection_path = "/collections/establishments/items";

[[noreturn]] void bad(const std::string& message) { throw request_error(400, "InvalidParameterValue", message); }
[[noreturn]] void unprocessable(const std::string& message) { throw request_error(422, "InvalidData", message); }

// Properties the server computes (the units a point lies in, the level its standard serves):
// sent back by clients that PUT what they read, and ignored.
bool computed(const std::string& name) {
    return name == "zone_code" || name == "district_code" || name == "circuit_code" || name == "scale" || name == "fid";
}

std::string text_of(const std::string& name, const json& v) {
    if (v.is_null()) return {};
    if (!v.is_string()) unprocessable("property '" + name + "' must be a string");
    return v.get<std::string>();
}

std::string date_of(const std::string& name, const json& v) {
    std::string d = text_of(name, v);
    static const std::regex iso(R"(\d{4}-\d{2}-\d{2})");
    if (!d.empty() && !std::regex_match(d, iso)) unprocessable("property '" + name + "' must be a date YYYY-MM-DD");
    return d;
}

// Sets on `e` what `feature` says: its Point and its properties (a merge patch: a property
// absent is left, null clears it). Unknown properties are refused, naming them.
void apply_feature(const json& feature, geo::establishment& e) {
    if (!feature.is_object() || feature.value("type", "") != "Feature")
        bad("the body must be a GeoJSON Feature ({\"type\":\"Feature\",\"geometry\":...,\"properties\":...})");
    if (feature.contains("geometry") && !feature["geometry"].is_null()) {
        const json& g = feature["geometry"];
        if (!g.is_object() || g.value("type", "") != "Point" || !g.contains("coordinates") ||
            !g["coordinates"].is_array() || g["coordinates"].size() < 2 || !g["coordinates"][0].is_number() ||
            !g["coordinates"][1].is_number())
            unprocessable("geometry: an establishment is a Point [longitude, latitude] in WGS 84 (CRS84)");
        e.lon = g["coordinates"][0].get<double>();
        e.lat = g["coordinates"][1].get<double>();
    }
    if (!feature.contains("properties") || feature["properties"].is_null()) return;
    if (!feature["properties"].is_object()) bad("'properties' must be an object");
    for (const auto& [name, v] : feature["properties"].items()) {
        if (computed(name)) continue;
        if (name == "id")
            e.id = text_of(name, v);
        else if (name == "name")
            e.name = text_of(name, v);
        else if (name == "sector")
            e.sector = text_of(name, v);
        else if (name == "typology")
            e.typology = text_of(name, v);
        else if (name == "condition")
            e.condition = text_of(name, v);
        else if (name == "status")
            e.status = v.is_null() ? "existing" : text_of(name, v);
        else if (name == "provider")
            e.provider = text_of(name, v);
        else if (name == "opened")
            e.opened = date_of(name, v);
        else if (name == "closed")
            e.closed = date_of(name, v);
        else if (name == "rehabilitated")
            e.rehabilitated = date_of(name, v);
        else if (name == "capacity") {
            if (!v.is_null() && !v.is_number()) unprocessable("property 'capacity' must be a number");
            e.capacity = v.is_null() ? std::nullopt : std::optional<double>(v.get<double>());
        } else if (name == "staff") {
            if (!v.is_null() && !v.is_number_integer()) unprocessable("property 'staff' must be an integer");
            e.staff = v.is_null() ? std::nullopt : std::optional<long long>(v.get<long long>());
        } else
            unprocessable("property '" + name +
                          "' is not one an establishment has (id, name, sector, typology, capacity, condition, "
                          "staff, status, provider, opened, closed, rehabilitated)");
    }
}

json body_of(const request_context& ctx) {
    const std::string& type = ctx.http.content_type;
    if (!type.empty() && type.find("json") == std::string::npos)
        throw request_error(415, "UnsupportedMediaType",
                            "send the feature as application/geo+json (or a merge patch as "
                            "application/merge-patch+json), not " +
                                type);
    try {
        return json::parse(ctx.http.body);
    } catch (const json::parse_error& e) {
        bad(std::string("the body is not JSON: ") + e.what());
    }
}

// If-Match: "*" (any version: no check) or a list of entity tags (W/ and quotes dropped).
std::optional<std::vector<std::string>> versions_of(const std::string& header) {
    if (header.empty()) return std::nullopt;
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < header.size()) {
        std::size_t end = header.find(',', at);
        std::string tag = header.substr(at, end == std::string::npos ? std::string::npos : end - at);
        at = end == std::string::npos ? header.size() : end + 1;
        while (!tag.empty() && tag.front() == ' ') tag.erase(0, 1);
        while (!tag.empty() && tag.back() == ' ') tag.pop_back();
        if (tag == "*") return std::nullopt;
        if (tag.rfind("W/", 0) == 0) tag.erase(0, 2);
        if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
        if (!tag.empty()) out.push_back(tag);
    }
    return out;
}

std::int64_t fid_of(const path_params& p) {
    const std::string& text = p["featureId"];
    std::int64_t fid = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fid);
    if (ec != std::errc{} || end != text.data() + text.size() || fid <= 0)
        throw request_error(404, "NotFound", "collection 'establishments' has no feature '" + text.substr(0, 40) + "'");
    return fid;
}

json feature_json(const geo::store::stored_establishment& row) {
    const geo::establishment& e = row.attributes;
    return {{"type", "Feature"},
            {"id", e.row},
            {"geometry", {{"type", "Point"}, {"coordinates", {e.lon, e.lat}}}},
            {"properties", establishment_properties(row)}};
}

// Runs `edit` in the server's edit session, reloads the snapshot, answers with the feature.
http_response run(const request_context& ctx, establishment_edit edit, unsigned status) {
    if (!ctx.scenarios || !ctx.state) throw request_error(404, "NotAvailable", "this server does not edit its store");
    edit.if_match = versions_of(ctx.http.if_match);
    auto done = ctx.scenarios->with_store_edit(
        [&](geo::store::planning_store& db) { return geo::usecases::edit_establishment(db, edit); });
    ctx.state->reload();  // read your writes: the answer and every later read show the edit
    http_response r;
    r.status = done.row ? status : 204;
    if (!done.row) return r;
    r.content_type = "application/geo+json";
    r.set_body(feature_json(*done.row).dump());
    r.add_header("ETag", "\"" + done.version + "\"");
    if (status == 201)
        r.add_header("Location", ctx.base_url + collection_path + "/" + std::to_string(done.row->attributes.row));
    return r;
}

// ---- the scenarios' proposals (/collections/proposals) -----------------------------------

constexpr const char* proposals_path = "/collections/proposals/items";

geo::usecases::scenario_book& book_of(const request_context& ctx) {
    if (!ctx.scenarios) throw request_error(404, "NotAvailable", "this server keeps no scenarios");
    return *ctx.scenarios;
}

// The proposal with id `fid`, in whichever scenario holds it.
geo::usecases::proposed_establishment find_proposal(const request_context& ctx, std::int64_t fid) {
    auto& book = book_of(ctx);
    for (const auto& s : book.list()) try {
            for (const auto& p : book.establishments(s.id))
                if (p.id == fid) return p;
        } catch (const geo::usecases::refusal&) {
        }
    throw request_error(404, "NotFound", "collection 'proposals' has no feature '" + std::to_string(fid) + "'");
}

// What a Part 4 body says of a proposal, over `p` (a merge patch: absent properties are kept).
void apply_proposal(const json& feature, geo::usecases::proposed_establishment& p) {
    if (!feature.is_object() || feature.value("type", "") != "Feature")
        bad("the body must be a GeoJSON Feature ({\"type\":\"Feature\",\"geometry\":...,\"properties\":...})");
    geo::establishment point;
    point.lon = p.lon, point.lat = p.lat;
    apply_feature(json{{"type", "Feature"}, {"geometry", feature.value("geometry", json())}}, point);
    p.lon = point.lon, p.lat = point.lat;
    if (!feature.contains("properties") || feature["properties"].is_null()) return;
    if (!feature["properties"].is_object()) bad("'properties' must be an object");
    for (const auto& [name, v] : feature["properties"].items()) {
        if (name == "scenario") {
            if (!v.is_number_integer()) unprocessable("property 'scenario' must be a scenario's id (an integer)");
            p.scenario_id = v.get<std::int64_t>();
        } else if (name == "sector" || name == "typology" || name == "name") {
            std::string& field = name == "sector" ? p.sector : name == "typology" ? p.typology : p.name;
            field = text_of(name, v);
        } else if (name != "scenario_name" && name != "circuit_code" && name != "fid")
            unprocessable("property '" + name + "' is not one a proposal has (scenario, sector, typology, name)");
    }
}

http_response proposal_answer(const request_context& ctx, const geo::usecases::proposed_establishment& p,
                              unsigned status) {
    http_response r;
    r.status = status;
    r.content_type = "application/geo+json";
    r.set_body(json{{"type", "Feature"},
                    {"id", p.id},
                    {"geometry", {{"type", "Point"}, {"coordinates", {p.lon, p.lat}}}},
                    {"properties",
                     {{"scenario", p.scenario_id},
                      {"sector", p.sector},
                      {"typology", p.typology},
                      {"name", p.name},
                      {"circuit_code", p.circuit_code}}}}
                   .dump());
    r.add_header("ETag", "\"" + geo::usecases::proposal_version(p) + "\"");
    if (status == 201) r.add_header("Location", ctx.base_url + proposals_path + "/" + std::to_string(p.id));
    return r;
}

http_response create_proposal(const request_context& ctx) {
    geo::usecases::proposed_establishment p;
    p.lon = p.lat = std::nan("");
    apply_proposal(body_of(ctx), p);
    if (p.scenario_id <= 0) unprocessable("property 'scenario' (the id of the scenario to propose it in) is required");
    if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) unprocessable("geometry: a Point is required");
    return proposal_answer(ctx, book_of(ctx).add(p.scenario_id, p.sector, p.typology, p.name, p.lon, p.lat), 201);
}

// PUT and PATCH: a proposal's point moves; what it is stays (delete it and add another).
http_response change_proposal(const request_context& ctx, const path_params& params) {
    const auto before = find_proposal(ctx, fid_of(params));
    auto after = before;
    apply_proposal(body_of(ctx), after);
    if (after.scenario_id != before.scenario_id || after.sector != before.sector || after.typology != before.typology ||
        after.name != before.name)
        unprocessable(
            "only a proposal's point can change; to change its scenario, sector, typology or name, delete "
            "it and propose another");
    return proposal_answer(
        ctx, book_of(ctx).move(before.scenario_id, before.id, after.lon, after.lat, versions_of(ctx.http.if_match)),
        200);
}

http_response delete_proposal(const request_context& ctx, const path_params& params) {
    const auto p = find_proposal(ctx, fid_of(params));
    book_of(ctx).remove_establishment(p.scenario_id, p.id, versions_of(ctx.http.if_match));
    http_response r;
    r.status = 204;
    return r;
}

void register_proposal_routes(route_table& table, const api_response& bad_body, const api_response& invalid,
                              const api_response& stale) {
    const char* const tag = "Scenarios";
    const json fid = path_parameter("featureId", "The proposal's id", {{"type", "integer"}});
    const api_response missing = error_response_doc(404, "No such proposal");
    const json example = {
        {"type", "Feature"},
        {"geometry", {{"type", "Point"}, {"coordinates", {-78.5, -0.2}}}},
        {"properties", {{"scenario", 1}, {"sector", "health"}, {"typology", "Centro de Salud Tipo A"}}}};
    const json schema = {{"type", "object"}};
    const json moved = {{"type", "Feature"}, {"geometry", {{"type", "Point"}, {"coordinates", {-78.49, -0.21}}}}};
    table.add({.method = http_method::post,
               .pattern = proposals_path,
               .handler = [](const request_context& ctx, const path_params&) { return create_proposal(ctx); },
               .api = {.operation_id = "createProposal",
                       .summary = "Propose an establishment in a scenario (OGC API - Features Part 4)",
                       .tags = {tag},
                       .responses = {{201, "Created", {{"application/geo+json", schema}}}, bad_body, invalid},
                       .request_body = json_request_body(schema, example)},
               .edits = true});
    for (http_method m : {http_method::put, http_method::patch})
        table.add({.method = m,
                   .pattern = std::string(proposals_path) + "/{featureId}",
                   .handler = [](const request_context& ctx, const path_params& p) { return change_proposal(ctx, p); },
                   .api = {.operation_id = m == http_method::put ? "replaceProposal" : "updateProposal",
                           .summary = "Move a proposal (its point; If-Match: its ETag)",
                           .tags = {tag},
                           .parameters = {fid},
                           .responses = {ok_response("The proposal, with its new ETag", "application/geo+json"),
                                         bad_body, missing, stale, invalid},
                           .request_body = json_request_body(schema, moved)},
                   .edits = true});
    table.add({.method = http_method::del,
               .pattern = std::string(proposals_path) + "/{featureId}",
               .handler = [](const request_context& ctx, const path_params& p) { return delete_proposal(ctx, p); },
               .api = {.operation_id = "deleteProposal",
                       .summary = "Delete a proposal (If-Match: its ETag)",
                       .tags = {tag},
                       .parameters = {fid},
                       .responses = {{204, "Deleted", {}}, missing, stale}},
               .edits = true});
}

}  // namespace

const std::vector<std::string>& feature_edit_conformance() {
    static const std::vector<std::string> classes = {
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features"};
    return classes;
}

void feature_edits_service::register_routes(route_table& table) const {
    const char* const tag = "Features";
    const json fid = path_parameter("featureId", "The establishment's id (fid)", {{"type", "integer"}});
    const json feature_schema = {{"type", "object"},
                                 {"required", {"type", "geometry", "properties"}},
                                 {"properties",
                                  {{"type", {{"type", "string"}, {"enum", {"Feature"}}}},
                                   {"geometry", {{"type", "object"}}},
                                   {"properties", {{"type", "object"}}}}}};
    const json example = {
        {"type", "Feature"},
        {"geometry", {{"type", "Point"}, {"coordinates", {-78.5, -0.2}}}},
        {"properties",
         {{"name", "Centro de Salud La Floresta"}, {"sector", "health"}, {"typology", "Centro de Salud Tipo A"}}}};
    const api_response bad_body = error_response_doc(400, "Not a GeoJSON Feature");
    const api_response invalid = error_response_doc(422, "A property or the point refused (the message names it)");
    const api_response stale = error_response_doc(412, "If-Match names another version: the feature changed since");
    const api_response missing = error_response_doc(404, "No such establishment");
    register_proposal_routes(table, bad_body, invalid, stale);
    auto edited = [](unsigned status) {
        return [status](const request_context& ctx, const path_params& p, establishment_edit::kind what) {
            establishment_edit e;
            e.what = what;
            if (what != establishment_edit::kind::create) e.fid = fid_of(p);
            if (what != establishment_edit::kind::remove) {
                json body = body_of(ctx);
                e.change = [body](geo::establishment& row) { apply_feature(body, row); };
            }
            return run(ctx, std::move(e), status);
        };
    };
    table.add(
        {.method = http_method::post,
         .pattern = collection_path,
         .handler = [edited](const request_context& ctx,
                             const path_params& p) { return edited(201)(ctx, p, establishment_edit::kind::create); },
         .api = {.operation_id = "createEstablishment",
                 .summary = "Add an establishment (OGC API - Features Part 4)",
                 .tags = {tag},
                 .responses = {{201,
                                "Created: the feature, its Location and ETag",
                                {{"application/geo+json", {{"type", "object"}}}}},
                               bad_body,
                               invalid},
                 .request_body = json_request_body(feature_schema, example)},
         .edits = true});
    // PUT replaces the feature; PATCH merges the properties and point it names (JSON merge patch).
    for (http_method m : {http_method::put, http_method::patch}) {
        const bool put = m == http_method::put;
        const auto kind = put ? establishment_edit::kind::replace : establishment_edit::kind::update;
        table.add(
            {.method = m,
             .pattern = std::string(collection_path) + "/{featureId}",
             .handler = [edited, kind](const request_context& ctx,
                                       const path_params& p) { return edited(200)(ctx, p, kind); },
             .api = {.operation_id = put ? "replaceEstablishment" : "updateEstablishment",
                     .summary = put ? "Replace an establishment (If-Match: its ETag)"
                                    : "Change some properties or the point of an establishment (a JSON merge patch; "
                                      "If-Match: its ETag)",
                     .tags = {tag},
                     .parameters = {fid},
                     .responses = {ok_response("The feature as stored, with its new ETag", "application/geo+json"),
                                   bad_body, missing, stale, invalid},
                     .request_body =
                         put ? json_request_body(feature_schema, example)
                             : json_request_body({{"type", "object"}},
                                                 {{"type", "Feature"}, {"properties", {{"name", "CS Norte"}}}})},
             .edits = true});
    }
    table.add(
        {.method = http_method::del,
         .pattern = std::string(collection_path) + "/{featureId}",
         .handler = [edited](const request_context& ctx,
                             const path_params& p) { return edited(204)(ctx, p, establishment_edit::kind::remove); },
         .api = {.operation_id = "deleteEstablishment",
                 .summary = "Delete an establishment (If-Match: its ETag)",
                 .tags = {tag},
                 .parameters = {fid},
                 .responses = {{204, "Deleted", {}}, missing, stale}},
         .edits = true});
}

}  // namespace microplan::service
