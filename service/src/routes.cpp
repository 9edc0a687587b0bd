#include "microplan/service/routes.hpp"

#include <algorithm>
#include <stdexcept>

namespace microplan::service {

using nlohmann::json;

namespace {

void require(bool ok, std::string_view pattern, const std::string& what) {
    if (!ok) throw std::logic_error("route '" + std::string(pattern) + "': " + what);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

}  // namespace

std::string_view method_name(http_method m) {
    switch (m) {
        case http_method::get:
            return "GET";
        case http_method::post:
            return "POST";
        case http_method::put:
            return "PUT";
        case http_method::patch:
            return "PATCH";
        case http_method::del:
            return "DELETE";
    }
    return "GET";
}

std::optional<http_method> route_method_of(std::string_view request_method) {
    if (request_method == "GET" || request_method == "HEAD") return http_method::get;
    if (request_method == "POST") return http_method::post;
    if (request_method == "PUT") return http_method::put;
    if (request_method == "PATCH") return http_method::patch;
    if (request_method == "DELETE") return http_method::del;
    return std::nullopt;
}

std::string allow_header(const std::vector<http_method>& methods) {
    std::string out;
    for (http_method m :
         {http_method::get, http_method::post, http_method::put, http_method::patch, http_method::del}) {
        if (std::find(methods.begin(), methods.end(), m) == methods.end()) continue;
        out += (out.empty() ? "" : ", ") + std::string(method_name(m));
        if (m == http_method::get) out += ", HEAD";
    }
    return out;
}

const std::string& path_params::operator[](std::string_view name) const {
    for (const auto& [k, v] : values_)
        if (k == name) return v;
    throw std::logic_error("the matched route has no path parameter '" + std::string(name) + "'");
}

std::vector<route_table::segment> route_table::compile(std::string_view pattern) {
    require(starts_with(pattern, "/"), pattern, "must start with '/'");
    std::vector<segment> out;
    std::vector<std::string> names;
    if (pattern == "/") return out;  // the root: no segments
    std::string_view rest = pattern.substr(1);
    for (;;) {
        std::size_t slash = rest.find('/');
        std::string_view text = rest.substr(0, slash);
        require(!text.empty(), pattern, "empty segment (\"//\" or a trailing '/')");
        segment s;
        std::size_t open = text.find('{'), close = text.find('}');
        if (open == std::string_view::npos) {
            require(close == std::string_view::npos, pattern, "unbalanced '}'");
            s.prefix = std::string(text);
        } else {
            require(close != std::string_view::npos && close > open + 1, pattern, "parameter without a name");
            require(text.find('{', open + 1) == std::string_view::npos &&
                        text.find('}', close + 1) == std::string_view::npos,
                    pattern, "one parameter per segment");
            s.prefix = std::string(text.substr(0, open));
            s.param = std::string(text.substr(open + 1, close - open - 1));
            s.suffix = std::string(text.substr(close + 1));
            require(std::find(names.begin(), names.end(), s.param) == names.end(), pattern,
                    "parameter '" + s.param + "' named twice");
            names.push_back(s.param);
        }
        out.push_back(std::move(s));
        if (slash == std::string_view::npos) return out;
        rest = rest.substr(slash + 1);
    }
}

std::vector<std::string> route_table::parameter_names(std::string_view pattern) {
    std::vector<std::string> out;
    for (const auto& s : compile(pattern))
        if (!s.param.empty()) out.push_back(s.param);
    return out;
}

namespace {

// Could one path segment match both? (Literals: equal; a parameter: its prefix and suffix fit.)
template <class Segment>
bool may_overlap(const Segment& a, const Segment& b) {
    if (a.param.empty() && b.param.empty()) return a.prefix == b.prefix;
    if (a.param.empty()) return may_overlap(b, a);
    if (b.param.empty())
        return b.prefix.size() > a.prefix.size() + a.suffix.size() && starts_with(b.prefix, a.prefix) &&
               ends_with(b.prefix, a.suffix);
    return (starts_with(a.prefix, b.prefix) || starts_with(b.prefix, a.prefix)) &&
           (ends_with(a.suffix, b.suffix) || ends_with(b.suffix, a.suffix));
}

}  // namespace

void route_table::add(route r) {
    std::vector<segment> compiled = compile(r.pattern);
    require(static_cast<bool>(r.handler), r.pattern, "no handler");
    require(!r.api.operation_id.empty(), r.pattern, "no operationId");
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        require(routes_[i].api.operation_id != r.api.operation_id, r.pattern,
                "operationId '" + r.api.operation_id + "' is taken by " + routes_[i].pattern);
        if (routes_[i].method != r.method || compiled_[i].size() != compiled.size()) continue;
        bool overlap = true;
        for (std::size_t k = 0; k < compiled.size() && overlap; ++k)
            overlap = may_overlap(compiled_[i][k], compiled[k]);
        require(!overlap, r.pattern,
                std::string(method_name(r.method)) + " would also match paths of '" + routes_[i].pattern + "'");
    }
    routes_.push_back(std::move(r));
    compiled_.push_back(std::move(compiled));
}

bool route_table::match_segment(const segment& s, const std::string& text, path_params& params) {
    if (s.param.empty()) return text == s.prefix;
    if (text.size() <= s.prefix.size() + s.suffix.size() || !starts_with(text, s.prefix) || !ends_with(text, s.suffix))
        return false;
    params.add(s.param, text.substr(s.prefix.size(), text.size() - s.prefix.size() - s.suffix.size()));
    return true;
}

route_table::match_result route_table::match(std::string_view request_method,
                                             const std::vector<std::string>& segments) const {
    match_result out;
    std::optional<http_method> method = route_method_of(request_method);
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        const auto& pattern = compiled_[i];
        if (pattern.size() != segments.size()) continue;
        path_params params;
        bool ok = true;
        for (std::size_t k = 0; k < pattern.size() && ok; ++k) ok = match_segment(pattern[k], segments[k], params);
        if (!ok) continue;
        if (method && routes_[i].method == *method) {
            out.found = &routes_[i];
            out.params = std::move(params);
            out.allowed.clear();
            return out;
        }
        if (std::find(out.allowed.begin(), out.allowed.end(), routes_[i].method) == out.allowed.end())
            out.allowed.push_back(routes_[i].method);
    }
    return out;
}

std::vector<std::string> route::query_parameter_names() const {
    std::vector<std::string> out;
    for (const json& p : api.parameters)
        if (p.value("in", "") == "query") out.push_back(p.value("name", ""));
    out.insert(out.end(), ignored_query.begin(), ignored_query.end());
    return out;
}

json query_parameter(const std::string& name, const std::string& description, json schema) {
    return {{"name", name}, {"in", "query"}, {"required", false}, {"description", description}, {"schema", schema}};
}

json path_parameter(const std::string& name, const std::string& description, json schema) {
    return {{"name", name}, {"in", "path"}, {"required", true}, {"description", description}, {"schema", schema}};
}

api_response ok_response(std::string description, std::string media_type, json schema) {
    return {200, std::move(description), {{std::move(media_type), std::move(schema)}}};
}

api_response error_response_doc(int status, std::string description) {
    return {status, std::move(description), {{"application/json", {{"$ref", "#/components/schemas/exception"}}}}};
}

json json_request_body(json schema, json example) {
    return {{"required", true},
            {"content", {{"application/json", {{"schema", std::move(schema)}, {"example", std::move(example)}}}}}};
}

}  // namespace microplan::service
