#pragma once
// The route table: every endpoint the server answers, once. A route is a method, a path
// pattern, the handler that answers it and its OpenAPI fragment. Each endpoint family
// (features, tiles, reports, scenarios, the viewer's files, the service's own documents)
// registers its routes into one table when the request handler is built; the handler
// dispatches through the table only, and /api is generated from it (openapi.hpp), so the
// list of endpoints cannot drift from what is served (the service registry of OSRM's server).
//
// Patterns are "/"-separated segments, each a literal ("collections") or one parameter in
// braces, possibly with a literal prefix or suffix inside the segment ("{collectionId}",
// "{y}.mvt", "{layer}.json"). A parameter matches one non-empty percent-decoded segment (never
// a '/'). Dispatch, for the path's segments:
//   - no pattern matches                    -> 404;
//   - patterns match but none with the method -> 405, Allow listing the methods that do;
//   - else the one route with that pattern and method (GET answers HEAD as well).
// add() refuses a malformed pattern, a parameter named twice in a pattern and a second
// route with the same method on an equivalent pattern, so a request reaches one handler.
//
// Contract: filled once before the first request (register everything, then serve), then
// immutable: match() and routes() are const and safe from any number of threads at once.
// Handlers run concurrently: families are stateless or synchronise their state.
//
// How to add an endpoint:
//   1. Write the handler as a member of its family (features_service, tiles_service, ...):
//      request_context and the values it needs in, http_response out; client mistakes are
//      request_error (error_response.hpp turns every failure into HTTP in one place).
//   2. In the family's register_routes(route_table&), add the route: method, pattern, a
//      lambda calling the handler with the path parameters, and its api_operation (an
//      operationId unique in the table, summary, tags, query parameters, responses with their
//      media types, the request body of a write). Set `edits` for anything that changes the
//      store: the request handler then checks the edit token before the handler runs, and /api
//      lists the security requirement with the 401 and 403 answers. Set `quick` only for an
//      answer that comes from a cache or costs well under a millisecond.
//      List every query parameter the handler reads in api.parameters: a request with any
//      other is answered 400 naming it and the ones the route takes (misspelt parameters are
//      not silently ignored; OGC API - Features allows the 400). Standard parameters that
//      clients send and the route accepts without using go in `ignored_query`; parameters
//      that depend on the data (a collection's queryables) come from `data_query`.
//   3. tests/service/openapi_test.cpp walks the table: every route must be in /api and every
//      /api path must answer; give it a real value for any new path parameter.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "microplan/service/context.hpp"

namespace microplan::service {

enum class http_method { get, post, put, patch, del };

// "GET", "POST", "PATCH", "DELETE".
std::string_view method_name(http_method m);
// The route method a request method is answered by (HEAD -> GET); nullopt for any other.
std::optional<http_method> route_method_of(std::string_view request_method);
// The Allow header of a set of route methods: "GET, HEAD, POST" (GET brings HEAD).
std::string allow_header(const std::vector<http_method>& methods);

// The values of a matched pattern's parameters, by name.
class path_params {
public:
    // The value of `name`; std::logic_error when the pattern has no such parameter (a
    // handler asking for one it did not declare is a programming error).
    [[nodiscard]] const std::string& operator[](std::string_view name) const;
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& values() const noexcept { return values_; }
    void add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }

private:
    std::vector<std::pair<std::string, std::string>> values_;
};

using route_handler = std::function<http_response(const request_context&, const path_params&)>;

// One answer of an operation, for /api.
struct api_response {
    int status = 200;
    std::string description = {};
    // Media type -> schema of the body ({"$ref": ...} allowed); empty: no body.
    std::vector<std::pair<std::string, nlohmann::json>> content = {};
};

// What /api says about one route (an OpenAPI Operation Object, built by the generator).
// Every member has a default, so a route names only what it needs with designated
// initializers ({.operation_id = ..., .summary = ..., .responses = ...}).
struct api_operation {
    std::string operation_id = {};  // unique in the table
    std::string summary = {};
    std::string description = {};  // optional
    std::vector<std::string> tags = {};
    // OpenAPI Parameter Objects, in the order listed: the query parameters, and path
    // parameters when they deserve a description or schema (the others are listed as
    // required strings). The generator puts path parameters first, in pattern order.
    std::vector<nlohmann::json> parameters = {};
    std::vector<api_response> responses = {};
    nlohmann::json request_body = nullptr;  // an OpenAPI Request Body Object; null when none
    // For patterns with {collectionId}: the path is also listed once per collection of the
    // snapshot, with {collectionId} replaced, and this adapts the operation to the collection
    // (its queryables as parameters, its title). QGIS and GDAL read a collection's
    // parameters from these concrete paths.
    std::function<void(nlohmann::json& operation, const collection& c)> per_collection = {};
};

struct route {
    http_method method = http_method::get;
    std::string pattern = {};  // "/collections/{collectionId}/items"
    // Answered on the io thread that read the request: from a cache, or in well under a
    // millisecond (tiles, feature pages, small documents). Every other route runs on the
    // server's pool of blocking work, so a long report does not hold the connections that
    // share its io thread (http_server.hpp).
    bool quick = false;
    route_handler handler = {};
    api_operation api = {};
    bool edits = false;  // changes the store: needs the edit token
    // Standard query parameters accepted and not used (OGC API clients such as GDAL and QGIS
    // may send them: f, datetime, sortby, ...); not in /api. docs/serving.md lists them.
    std::vector<std::string> ignored_query = {};
    // Query parameters that depend on the data (the queryables of the collection in the path);
    // nullopt when they cannot be known (no such collection: the handler answers 404).
    std::function<std::optional<std::vector<std::string>>(const request_context&, const path_params&)> data_query = {};

    // The query parameters of api.parameters, then ignored_query.
    [[nodiscard]] std::vector<std::string> query_parameter_names() const;
};

class route_table {
public:
    // Registers a route; std::logic_error for a malformed pattern, a missing handler or
    // operationId, or a route that would shadow (or be shadowed by) one already there.
    void add(route r);

    struct match_result {
        const route* found = nullptr;
        path_params params;                // of `found`
        std::vector<http_method> allowed;  // when !found: the methods the path has (empty: no such path)
    };
    // The route answering `request_method` ("HEAD" finds the GET route) on a path given as
    // its decoded segments ("/collections/zones" -> {"collections", "zones"}).
    [[nodiscard]] match_result match(std::string_view request_method, const std::vector<std::string>& segments) const;

    // In registration order.
    [[nodiscard]] const std::vector<route>& routes() const noexcept { return routes_; }
    // The parameter names of a registered pattern, in order.
    [[nodiscard]] static std::vector<std::string> parameter_names(std::string_view pattern);

private:
    struct segment {
        std::string prefix;  // the literal, or the text before the parameter
        std::string param;   // "" = literal segment
        std::string suffix;  // the text after the parameter
    };
    static std::vector<segment> compile(std::string_view pattern);
    static bool match_segment(const segment& s, const std::string& text, path_params& params);

    std::vector<route> routes_;
    std::vector<std::vector<segment>> compiled_;  // parallel to routes_
};

// Builders for the OpenAPI fragments endpoint families write.
nlohmann::json query_parameter(const std::string& name, const std::string& description, nlohmann::json schema);
nlohmann::json path_parameter(const std::string& name, const std::string& description, nlohmann::json schema);
// A 2xx/3xx answer with a body of `media_type` (schema: any object unless given).
api_response ok_response(std::string description, std::string media_type = "application/json",
                         nlohmann::json schema = {{"type", "object"}});
// A 4xx answer: JSON {"code","message"} (#/components/schemas/exception).
api_response error_response_doc(int status, std::string description);
// A JSON request body of an edit, with its schema and an example.
nlohmann::json json_request_body(nlohmann::json schema, nlohmann::json example);

}  // namespace microplan::service
