#include "microplan/service/request_handler.hpp"

#include <algorithm>
#include <cstdio>

#include "microplan/geo/core/utf8_text.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/service/error_response.hpp"
#include "microplan/service/gzip.hpp"
#include "microplan/service/openapi.hpp"
#include "microplan/service/query.hpp"

namespace microplan::service {

// ---- store_state -----------------------------------------------------------------------

store_state::store_state(std::shared_ptr<const snapshot> initial, std::size_t tile_cache_bytes,
                         std::size_t page_cache_bytes)
    : current_(std::move(initial)), cache_(tile_cache_bytes), pages_(page_cache_bytes) {}

void store_state::reload() {
    if (on_reload_) return on_reload_();
    auto now = current();
    replace(snapshot::load(now->store_path(), now->generation() + 1));
}

void store_state::set_unready(std::string reason) {
    std::lock_guard lock(mutex_);
    unready_ = std::move(reason);
}

std::string store_state::unready() const {
    std::lock_guard lock(mutex_);
    return unready_;
}

std::shared_ptr<const snapshot> store_state::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

std::size_t store_state::replace(std::shared_ptr<const snapshot> next) {
    std::shared_ptr<const snapshot> old = current();
    std::vector<std::string> layers;
    std::vector<tiles::box> boxes;
    auto mercator = [](const tiles::box& b) {
        tiles::point lo = tiles::lonlat_to_mercator(b.minx, b.miny), hi = tiles::lonlat_to_mercator(b.maxx, b.maxy);
        return tiles::box{lo.x, lo.y, hi.x, hi.y};
    };
    bool everything = false;
    for (const auto& c : next->collections()) {
        const collection* before = old->find(c.id);
        if (!before) {
            everything = true;
            continue;
        }
        std::vector<tiles::box> changed;
        for (const auto& f : c.features) {
            const feature_record* g = before->find(f.fid);
            if (!g || g->digest != f.digest) {
                if (!f.bbox.empty()) changed.push_back(f.bbox);
                if (g && !g->bbox.empty()) changed.push_back(g->bbox);
            }
        }
        for (const auto& g : before->features)
            if (!c.find(g.fid) && !g.bbox.empty()) changed.push_back(g.bbox);
        if (changed.empty()) continue;
        // Neighbours of a changed polygon may be cut into arcs differently: drop theirs too.
        std::size_t direct = changed.size();
        if (!c.is_points())
            for (const auto& f : c.features)
                for (std::size_t i = 0; i < direct; ++i)
                    if (!f.bbox.empty() && f.bbox.intersects(changed[i])) {
                        changed.push_back(f.bbox);
                        break;
                    }
        layers.push_back(c.id);
        for (const auto& b : changed) boxes.push_back(mercator(b));
    }
    for (const auto& c : old->collections())
        if (!next->find(c.id)) everything = true;
    std::size_t dropped = 0;
    geo::store::fault_point("tile-invalidate");  // crash-safety tests: killed mid-invalidation
    if (everything) {
        cache_.clear(next->generation());
        pages_.clear(next->generation());
    } else if (!layers.empty()) {
        pages_.invalidate(layers, next->generation());
        layers.push_back("all");
        dropped = cache_.invalidate(layers, boxes, next->generation());
    }
    {
        std::lock_guard lock(mutex_);
        current_ = next;
    }
    if (on_replace_) on_replace_(std::move(next));
    return dropped;
}

// ---- static_assets ---------------------------------------------------------------------

namespace {
// The viewer's files: the name served under /viewer/ and the path under the web root.
constexpr std::pair<const char*, const char*> viewer_files[] = {
    {"index.html", "index.html"},
    {"app.js", "app.js"},
    {"style.css", "style.css"},
    {"maplibre-gl.js", "node_modules/maplibre-gl/dist/maplibre-gl.js"},
    {"maplibre-gl.css", "node_modules/maplibre-gl/dist/maplibre-gl.css"},
};
}  // namespace

static_assets::static_assets(const std::string& web_root) {
    if (web_root.empty()) {
        missing_ = "this server has no viewer (no web root)";
        return;
    }
    for (const auto& [name, relative] : viewer_files) {
        std::string path = web_root + "/" + relative;
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (!f) {
            // The message goes to clients: the file under the web root, not the server's folders.
            missing_ = "viewer file '" + std::string(relative) +
                       "' is missing from the web root: run 'make web' (npm ci in web/)";
            continue;
        }
        std::string data;
        char buf[65536];
        while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) data.append(buf, n);
        std::fclose(f);
        std::string_view n(name);
        std::string type = n.ends_with(".html") ? "text/html; charset=utf-8"
                           : n.ends_with(".js") ? "text/javascript; charset=utf-8"
                                                : "text/css; charset=utf-8";
        std::string etag = etag_of(data);
        auto shared = std::make_shared<const std::string>(std::move(data));
        files_[name] = {type, shared, std::make_shared<const std::string>(gzip_compress(*shared, 9)), etag};
    }
}

http_response static_assets::get(const std::string& name, const http_request& request) const {
    auto it = files_.find(name);
    if (it == files_.end()) throw request_error(404, "NotFound", missing_.empty() ? "no such file" : missing_);
    const asset& a = it->second;
    http_response r;
    r.content_type = a.content_type;
    r.add_header("ETag", a.etag);
    r.add_header("Cache-Control", "no-cache");
    if (if_none_match_matches(request.if_none_match, a.etag)) {
        r.status = 304;
        return r;
    }
    if (accepts_gzip(request.accept_encoding)) {
        r.body = a.gzipped;
        r.add_header("Content-Encoding", "gzip");
        r.add_header("Vary", "Accept-Encoding");
    } else {
        r.body = a.data;
    }
    return r;
}

void static_assets::register_routes(route_table& table) const {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& [name, relative] : viewer_files) names.push_back(name);
    table.add({.pattern = "/viewer/{file}",
               .quick = true,
               .handler = [this](const request_context& ctx, const path_params& p) { return get(p["file"], ctx.http); },
               .api = {.operation_id = "getViewerFile",
                       .summary = "A file of the workshop viewer (index.html is also served at / to browsers)",
                       .tags = {"Viewer"},
                       .parameters = {path_parameter("file", "The file", {{"type", "string"}, {"enum", names}})},
                       .responses = {{200,
                                      "The file (gzip when the client takes it)",
                                      {{"text/html", {{"type", "string"}}},
                                       {"text/javascript", {{"type", "string"}}},
                                       {"text/css", {{"type", "string"}}}}},
                                     error_response_doc(404, "No such file, or the server has no viewer")}}});
    // Browsers ask for it on every page: an empty answer instead of a 404 in their console.
    table.add({.pattern = "/favicon.ico",
               .quick = true,
               .handler =
                   [](const request_context&, const path_params&) {
                       http_response none;
                       none.status = 204;
                       return none;
                   },
               .api = {.operation_id = "getFavicon",
                       .summary = "No icon (204), so browsers log no error",
                       .tags = {"Viewer"},
                       .responses = {{204, "No content", {}}}}});
}

// ---- request_handler -------------------------------------------------------------------

request_handler::request_handler(store_state& state, handler_options options, scenario_book* scenarios)
    : state_(state),
      options_(std::move(options)),
      scenarios_(scenarios),
      assets_(options_.web_root),
      features_(state.pages()),
      tiles_(state.cache()) {
    register_routes();
    features_.register_routes(routes_);
    feature_edits_.register_routes(routes_);
    tiles_.register_routes(routes_);
    reports_.register_routes(routes_);
    evaluation_.register_routes(routes_);
    scenarios_service_.register_routes(routes_);
    assets_.register_routes(routes_);
}

void request_handler::register_routes() {
    const char* const tag = "Service";
    routes_.add(
        {.pattern = "/",
         .quick = true,
         .handler =
             [this](const request_context& ctx, const path_params&) {
                 // A browser asking for the root gets the workshop viewer; clients of the API get JSON.
                 bool browser = ctx.http.accept.find("text/html") != std::string::npos;
                 if (!ctx.target.has("f") && browser) return assets_.get("index.html", ctx.http);
                 return features_.landing(ctx);
             },
         .api = {
             .operation_id = "getLandingPage",
             .summary = "Landing page (links; the viewer for browsers, HTML with f=html)",
             .tags = {tag},
             .parameters = {query_parameter("f", "json or html", {{"type", "string"}, {"enum", {"json", "html"}}})},
             .responses = {
                 {200, "Links", {{"application/json", {{"type", "object"}}}, {"text/html", {{"type", "string"}}}}}}}});
    // The API definition, also at the names other servers use for it.
    for (const char* path : {"/api", "/openapi", "/api.json"}) {
        std::string p = path;
        routes_.add({.pattern = p,
                     .handler =
                         [this](const request_context& ctx, const path_params&) {
                             return json_response(openapi_document(routes_, *ctx.data, ctx.base_url),
                                                  "application/vnd.oai.openapi+json;version=3.0");
                         },
                     .api = {.operation_id = p == "/api" ? "getApi" : "getApi_" + p.substr(1),
                             .summary = p == "/api" ? "This API definition (OpenAPI 3.0)" : "The same as /api",
                             .tags = {tag},
                             .responses = {ok_response("OpenAPI 3.0", "application/vnd.oai.openapi+json;version=3.0")}},
                     .ignored_query = {"f"}});
    }
    routes_.add({.pattern = "/health",
                 .quick = true,
                 .handler =
                     [this](const request_context& ctx, const path_params&) {
                         const auto& d = *ctx.data;
                         const std::string unready = state_.unready();
                         nlohmann::json body = {{"status", unready.empty() ? "ok" : "unavailable"},
                                                {"store", d.store_name()},
                                                {"generation", d.generation()},
                                                {"planning", d.model() != nullptr}};
                         auto st = state_.cache().statistics();
                         body["tile_cache"] = {
                             {"tiles", st.entries}, {"bytes", st.bytes}, {"hits", st.hits}, {"misses", st.misses}};
                         auto pg = state_.pages().statistics();
                         body["page_cache"] = {
                             {"pages", pg.entries}, {"bytes", pg.bytes}, {"hits", pg.hits}, {"misses", pg.misses}};
                         if (unready.empty()) return json_response(body);
                         body["reason"] = unready;  // a proxy's health check takes the server out
                         http_response r = json_response(body);
                         r.status = 503;
                         return r;
                     },
                 .api = {.operation_id = "getHealth",
                         .summary = "Status: the store, its generation, whether planning reports are available, the "
                                    "tile cache; 503 while the server cannot follow its store (a database store's "
                                    "connection lost)",
                         .tags = {tag},
                         .responses = {ok_response("Status"),
                                       {503,
                                        "Not ready: the status with the reason (a database store's connection "
                                        "lost); the last snapshot is still served",
                                        {{"application/json", {{"type", "object"}}}}}}}});
}

namespace {
// Compares in time independent of where the strings differ.
bool same_secret(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i)
        diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ (i < b.size() ? b[i] : 0));
    return diff == 0;
}
}  // namespace

void request_handler::authorise_edit(const http_request& request) const {
    if (options_.edit_token.empty())
        throw request_error(403, "EditingDisabled", "editing is disabled on this server (start it with --edit-token)");
    std::string_view auth = request.authorization;
    constexpr std::string_view bearer = "Bearer ";
    bool ok = auth.size() > bearer.size() && auth.substr(0, bearer.size()) == bearer &&
              same_secret(auth.substr(bearer.size()), options_.edit_token);
    if (!ok) {
        std::fprintf(stderr, "microplan serve: refused %s %s from %s: %s edit token\n", request.method.c_str(),
                     geo::utf8::excerpt(request.target, 200).c_str(), request.remote.c_str(),
                     auth.empty() ? "no" : "a wrong");
        throw request_error(401, "Unauthorized",
                            "editing needs the server's edit token: Authorization: Bearer <token>");
    }
}

void request_handler::check_query_parameters(const service::route& r, const request_context& ctx,
                                             const path_params& params) {
    if (ctx.target.params.empty()) return;
    const std::vector<std::string> fixed = r.query_parameter_names();
    std::optional<std::vector<std::string>> from_data;
    bool data_read = false;
    for (const auto& [name, value] : ctx.target.params) {
        if (std::find(fixed.begin(), fixed.end(), name) != fixed.end()) continue;
        if (r.data_query && !data_read) {
            from_data = r.data_query(ctx, params);
            data_read = true;
        }
        if (r.data_query && !from_data) return;  // the handler answers 404 for the path
        if (from_data && std::find(from_data->begin(), from_data->end(), name) != from_data->end()) continue;
        std::string taken;
        for (const auto& k : fixed)
            if (std::find(r.ignored_query.begin(), r.ignored_query.end(), k) == r.ignored_query.end())
                taken += (taken.empty() ? "" : ", ") + k;
        if (!r.ignored_query.empty()) {
            std::string ignored;
            for (const auto& k : r.ignored_query) ignored += (ignored.empty() ? "" : ", ") + k;
            taken += (taken.empty() ? "" : "; ") + std::string("accepted and ignored: ") + ignored;
        }
        if (from_data && !from_data->empty()) {
            std::string extra;
            for (const auto& k : *from_data) extra += (extra.empty() ? "" : ", ") + k;
            taken += (taken.empty() ? "" : "; ") + std::string("the collection's queryables: ") + extra;
        }
        throw request_error(400, "InvalidParameterValue",
                            "unknown query parameter '" + geo::utf8::excerpt(name, 40) + "' for " + r.pattern + "; " +
                                (taken.empty() ? std::string("it takes none") : "it takes: " + taken));
    }
}

std::string request_handler::base_url(const http_request& request) const {
    if (!options_.public_url.empty()) return options_.public_url;
    const std::string& host = request.host;
    bool ok = !host.empty() && host.size() < 256;
    for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            ok = false;
    return ok ? "http://" + host : options_.default_base_url;
}

std::vector<http_method> request_handler::methods_of(const parsed_target& target) const {
    std::vector<http_method> methods = routes_.match("OPTIONS", target.segments).allowed;
    if (methods.empty()) methods = {http_method::get};  // a path no route has: reads
    return methods;
}

bool request_handler::takes_edits(const parsed_target& target) const {
    const auto methods = methods_of(target);
    return std::any_of(methods.begin(), methods.end(), [](http_method m) { return m != http_method::get; });
}

http_response request_handler::preflight(const parsed_target& target) const {
    http_response r;
    r.status = 204;
    // The methods of the path's routes (what QGIS's OAPIF provider asks an items URL before it
    // offers editing).
    const std::vector<http_method> methods = methods_of(target);
    const bool edits = takes_edits(target);
    const std::string allow = allow_header(methods);
    r.add_header("Allow", allow + ", OPTIONS");
    if (!options_.cors_origin.empty() && (!edits || options_.cors_writes)) {
        r.add_header("Access-Control-Allow-Methods", allow);
        r.add_header("Access-Control-Allow-Headers",
                     edits ? "Authorization, Content-Type, If-Match, If-None-Match" : "If-None-Match");
        r.add_header("Access-Control-Max-Age", "600");
    }
    return r;
}

http_response request_handler::route(const http_request& request) const {
    parsed_target target = parse_target(request.target);
    if (request.method == "OPTIONS") return preflight(target);  // CORS
    route_table::match_result m = routes_.match(request.method, target.segments);
    if (!m.found) {
        if (m.allowed.empty())
            throw request_error(404, "NotFound",
                                "no such resource; see " + base_url(request) + "/api for the endpoints");
        std::string allow = allow_header(m.allowed);
        http_response r = as_http(to_response(request_error(405, "MethodNotAllowed", "allowed here: " + allow)));
        r.add_header("Allow", allow);
        return r;
    }
    if (m.found->edits) authorise_edit(request);
    request_context ctx{request, target, base_url(request), state_.current(), scenarios_, &state_};
    check_query_parameters(*m.found, ctx, m.params);
    return m.found->handler(ctx, m.params);
}

bool request_handler::quick(const http_request& request) const noexcept {
    try {
        if (request.method == "OPTIONS") return true;
        // The path alone decides (the query is parsed once, by the route).
        const std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
        const route_table::match_result m = routes_.match(request.method, parse_target(path).segments);
        if (!m.found) return true;
        // The proposals collection is built from the scenario book, whose lock an edit holds while
        // it writes the store (waiting, if need be, for an import's write lock): never on the io thread.
        for (const auto& [name, value] : m.params.values())
            if (name == "collectionId" && value.starts_with("proposals")) return false;
        return m.found->quick;
    } catch (...) {
        return true;  // a malformed target: answered 400 at once
    }
}

http_response request_handler::handle(const http_request& request) const noexcept {
    http_response r = respond(request);
    // CORS: reads (and their preflights) for the configured origin; edits only when allowed.
    // An edit, or the preflight of a path that takes edits.
    const bool edits = request.method == "OPTIONS" ? takes_edits(parse_target(request.target))
                                                   : !(request.method == "GET" || request.method == "HEAD");
    if (!options_.cors_origin.empty() && (!edits || options_.cors_writes)) {
        try {
            r.add_header("Access-Control-Allow-Origin", options_.cors_origin);
            if (options_.cors_origin != "*") r.add_header("Vary", "Origin");
        } catch (...) {
        }
    }
    return r;
}

http_response request_handler::respond(const http_request& request) const noexcept {
    try {
        http_response r;
        try {
            r = route(request);
        } catch (...) {
            error_response e = current_exception_response();
            if (e.log)
                std::fprintf(stderr, "microplan serve: %s %s: %s\n", request.method.c_str(), request.target.c_str(),
                             e.log_line.c_str());
            http_response out = as_http(std::move(e));
            if (out.status == 401) out.add_header("WWW-Authenticate", "Bearer");
            return out;
        }
        bool has_etag = false;
        for (const auto& [name, value] : r.headers) has_etag = has_etag || name == "ETag";
        if (r.status == 200 && !has_etag && r.body) {
            const std::string buf = etag_of(*r.body);
            r.add_header("ETag", buf);
            r.add_header("Cache-Control", "no-cache");
            if (if_none_match_matches(request.if_none_match, buf)) {
                r.status = 304;
                r.body = std::make_shared<const std::string>();
                return r;
            }
            if (r.body->size() > 1024 && accepts_gzip(request.accept_encoding)) {
                r.body = std::make_shared<const std::string>(gzip_compress(*r.body, 1));
                r.add_header("Content-Encoding", "gzip");
                r.add_header("Vary", "Accept-Encoding");
            }
        }
        return r;
    } catch (...) {
        http_response r;
        r.status = 500;
        try {
            r.set_body(R"({"code":"InternalError","message":"internal error"})");
        } catch (...) {
        }
        return r;
    }
}

}  // namespace microplan::service
