#pragma once
// Maps HTTP to the endpoint families through one route table (routes.hpp) that every family
// registers into, and every failure to a status and JSON {"code","message"} in one place
// (error_response.hpp). Around every route: 404 when no route has the path, 405 with Allow
// when none has the method, HEAD answered as GET, the edit token checked for routes that
// edit, OPTIONS answered as a CORS preflight, ETag / If-None-Match -> 304 and gzip when the
// client takes it. /api is the OpenAPI document generated from the same table (openapi.hpp).
//
// The data comes from a store_state: the current snapshot, replaced whole when the store
// changes (store_watcher), with the tiles that meet changed features dropped from the cache.
//
// Thread safety: handle() may run on many threads at once; store_state is synchronised.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "microplan/service/feature_edits_service.hpp"
#include "microplan/service/features_service.hpp"
#include "microplan/service/http.hpp"
#include "microplan/service/page_cache.hpp"
#include "microplan/service/plan_evaluation_service.hpp"
#include "microplan/service/reports_service.hpp"
#include "microplan/service/routes.hpp"
#include "microplan/service/scenarios.hpp"
#include "microplan/service/scenarios_service.hpp"
#include "microplan/service/snapshot.hpp"
#include "microplan/service/tile_cache.hpp"
#include "microplan/service/tiles_service.hpp"

namespace microplan::service {

class store_state {
public:
    // `page_cache_bytes`: memory for serialised feature pages (page_cache.hpp); 0 = none.
    store_state(std::shared_ptr<const snapshot> initial, std::size_t tile_cache_bytes,
                std::size_t page_cache_bytes = default_page_cache_bytes);
    static constexpr std::size_t default_page_cache_bytes = 64u << 20;

    [[nodiscard]] std::shared_ptr<const snapshot> current() const;
    [[nodiscard]] tile_cache& cache() noexcept { return cache_; }
    [[nodiscard]] page_cache& pages() noexcept { return pages_; }

    // Installs `next` and invalidates the tiles meeting features that differ between the two
    // snapshots (added, removed or changed, and their neighbours) and the feature pages of the
    // collections that changed. Returns tiles dropped.
    // One caller at a time (the store watcher's reload).
    std::size_t replace(std::shared_ptr<const snapshot> next);
    // Runs after each replace, with no lock of the state held (the scenario book rebases on
    // the new baseline). Set before serving.
    void on_replace(std::function<void(std::shared_ptr<const snapshot>)> fn) { on_replace_ = std::move(fn); }
    // Why the server should get no requests now ("" = ready; /health answers 503 with it): set
    // by the store watcher while it cannot follow the store (a database that does not answer, a
    // lost LISTEN connection). The last snapshot is still served meanwhile.
    void set_unready(std::string reason);
    [[nodiscard]] std::string unready() const;
    // Loads the store again now and installs it: after the server's own edit of what snapshots
    // hold (an establishment), so the edit's answer and every later read show it. Through the
    // hook when one is set (the store watcher's reload, in its lock order), else directly. Call
    // with no lock of the scenario book held.
    void reload();
    void on_reload(std::function<void()> fn) { on_reload_ = std::move(fn); }

private:
    std::function<void(std::shared_ptr<const snapshot>)> on_replace_;
    std::function<void()> on_reload_;
    mutable std::mutex mutex_;
    std::shared_ptr<const snapshot> current_;
    std::string unready_;  // guarded by mutex_
    tile_cache cache_;
    page_cache pages_;
};

struct handler_options {
    std::string public_url;  // base of the links; "" = from the Host header
    std::string default_base_url = "http://127.0.0.1:8080";
    std::string edit_token;  // "" = editing disabled (403)
    std::string web_root;    // the viewer's files (web/); "" = no viewer
    // CORS: the origin allowed to read from other sites ("*" by default, as tile servers do;
    // "" = no CORS headers) and whether that origin may also edit (off by default: scenario
    // edits from another site's page are refused by browsers).
    std::string cors_origin = "*";
    bool cors_writes = false;
};

// The viewer's files, read once: index.html, app.js, style.css and MapLibre GL JS's built
// dist files from web/node_modules (installed by `make web`). Immutable after construction.
class static_assets {
public:
    explicit static_assets(const std::string& web_root);
    // The file with its ETag, gzipped when the client takes it; request_error 404 when absent.
    http_response get(const std::string& name, const http_request& request) const;
    // Registers /viewer/{file} and /favicon.ico. `this` must outlive the table.
    void register_routes(route_table& table) const;

private:
    struct asset {
        std::string content_type;
        std::shared_ptr<const std::string> data, gzipped;
        std::string etag;
    };
    std::map<std::string, asset> files_;
    std::string missing_;  // what to run when files are absent
};

class request_handler {
public:
    // Builds the route table: every family registers its routes (the families live in the
    // handler, so it is neither copied nor moved).
    request_handler(store_state& state, handler_options options, scenario_book* scenarios = nullptr);
    request_handler(const request_handler&) = delete;
    request_handler& operator=(const request_handler&) = delete;
    // Never throws.
    http_response handle(const http_request& request) const noexcept;
    // Whether the request's route is quick (routes.hpp): the server answers it on the io thread.
    // Requests that fail before a route (404, 405, a malformed target) are quick.
    bool quick(const http_request& request) const noexcept;
    // Every route served, the source of /api (immutable after construction).
    [[nodiscard]] const route_table& routes() const noexcept { return routes_; }

private:
    void register_routes();  // "/", /api and its aliases, /health
    http_response route(const http_request& request) const;
    http_response preflight(const parsed_target& target) const;
    // The methods the routes of the target's path take (GET alone for a path no route has), and
    // whether any of them edits.
    std::vector<http_method> methods_of(const parsed_target& target) const;
    bool takes_edits(const parsed_target& target) const;
    http_response respond(const http_request& request) const noexcept;
    std::string base_url(const http_request& request) const;
    void authorise_edit(const http_request& request) const;
    // request_error 400 naming a query parameter the route does not take, and those it takes.
    static void check_query_parameters(const service::route& r, const request_context& ctx, const path_params& params);

    store_state& state_;
    handler_options options_;
    scenario_book* scenarios_;
    static_assets assets_;
    features_service features_;
    feature_edits_service feature_edits_;
    tiles_service tiles_;
    reports_service reports_;
    plan_evaluation_service evaluation_;
    scenarios_service scenarios_service_;
    route_table routes_;
};

}  // namespace microplan::service
