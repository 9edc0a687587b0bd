#include "microplan/service/openapi.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace microplan::service {

using nlohmann::json;

namespace {

// Path parameters first, in pattern order (described when the route describes them), then
// the query parameters as the route lists them.
json parameters_of(const route& r) {
    json out = json::array();
    std::vector<std::string> names = route_table::parameter_names(r.pattern);
    for (const auto& name : names) {
        json p = {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
        for (const auto& given : r.api.parameters)
            if (given.value("in", "") == "path" && given.value("name", "") == name) p = given;
        out.push_back(std::move(p));
    }
    for (const auto& given : r.api.parameters) {
        if (given.value("in", "") != "path") {
            out.push_back(given);
            continue;
        }
        if (std::find(names.begin(), names.end(), given.value("name", "")) == names.end())
            throw std::logic_error("route '" + r.pattern +
                                   "' documents a path parameter it does not have: " + given.value("name", ""));
    }
    return out;
}

json responses_of(const route& r) {
    json out = json::object();
    for (const auto& a : r.api.responses) {
        json response = {{"description", a.description}};
        for (const auto& [media_type, schema] : a.content) response["content"][media_type] = {{"schema", schema}};
        out[std::to_string(a.status)] = std::move(response);
    }
    // What the request handler adds to every route of a kind.
    if (r.method == http_method::get && out.contains("200") && !out.contains("304"))
        out["304"] = {{"description", "Not modified: If-None-Match named the current ETag"}};
    if (r.edits) {
        json error = {{"application/json", {{"schema", {{"$ref", "#/components/schemas/exception"}}}}}};
        out["401"] = {{"description", "No edit token, or a wrong one"}, {"content", error}};
        out["403"] = {{"description", "Editing is disabled on this server"}, {"content", error}};
    }
    return out;
}

json operation_of(const route& r) {
    json op = {{"operationId", r.api.operation_id}, {"summary", r.api.summary}};
    if (!r.api.description.empty()) op["description"] = r.api.description;
    if (!r.api.tags.empty()) op["tags"] = r.api.tags;
    json parameters = parameters_of(r);
    if (!parameters.empty()) op["parameters"] = std::move(parameters);
    if (!r.api.request_body.is_null()) op["requestBody"] = r.api.request_body;
    op["responses"] = responses_of(r);
    if (r.edits) op["security"] = json::array({{{"editToken", json::array()}}});
    return op;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The operation of a {collectionId} route for one collection, at its concrete path.
void add_per_collection(json& paths, const route& r, const json& op, const snapshot& data) {
    const std::string key = "{collectionId}";
    auto at = r.pattern.find(key);
    if (at == std::string::npos)
        throw std::logic_error("route '" + r.pattern + "' is listed per collection but has no {collectionId}");
    for (const auto& c : data.collections()) {
        json concrete = op;
        concrete["operationId"] = r.api.operation_id + "_" + c.id;
        json parameters = json::array();
        for (const auto& p : op.value("parameters", json::array()))
            if (!(p["in"] == "path" && p["name"] == "collectionId")) parameters.push_back(p);
        concrete.erase("parameters");
        if (!parameters.empty()) concrete["parameters"] = std::move(parameters);
        r.api.per_collection(concrete, c);
        std::string path = r.pattern;
        path.replace(at, key.size(), c.id);
        paths[path][lower(method_name(r.method))] = std::move(concrete);
    }
}

}  // namespace

json openapi_document(const route_table& routes, const snapshot& data, const std::string& base_url) {
    json paths = json::object();
    bool edits = false;
    for (const route& r : routes.routes()) {
        json op = operation_of(r);
        if (r.api.per_collection) add_per_collection(paths, r, op, data);
        paths[r.pattern][lower(method_name(r.method))] = std::move(op);
        edits = edits || r.edits;
    }
    json components = {{"schemas",
                        {{"exception",
                          {{"type", "object"},
                           {"required", json::array({"code"})},
                           {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}};
    if (edits)
        components["securitySchemes"] = {
            {"editToken",
             {{"type", "http"},
              {"scheme", "bearer"},
              {"description", "The edit token the server was started with (microplan serve --edit-token)"}}}};
    return {
        {"openapi", "3.0.3"},
        {"info",
         {{"title", "microplan"},
          {"version", "0.1.0"},
          {"description", "OGC API – Features, vector tiles, planning reports and scenarios of a microplan store"}}},
        {"servers", json::array({json{{"url", base_url}}})},
        {"paths", std::move(paths)},
        {"components", std::move(components)}};
}

}  // namespace microplan::service
