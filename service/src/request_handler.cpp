#include "microplan/service/request_handler.hpp"

#include <sys/stat.h>

#include <cstdio>

#include "microplan/service/error_response.hpp"
#include "microplan/service/gzip.hpp"
#include "microplan/service/query.hpp"

namespace microplan::service {

// ---- store_state -----------------------------------------------------------------------

store_state::store_state(std::shared_ptr<const snapshot> initial, std::size_t tile_cache_bytes)
    : current_(std::move(initial)), cache_(tile_cache_bytes) {}

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
    if (everything) {
        cache_.clear(next->generation());
    } else if (!layers.empty()) {
        layers.push_back("all");
        dropped = cache_.invalidate(layers, boxes, next->generation());
    }
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
    return dropped;
}

// ---- request_handler -------------------------------------------------------------------

request_handler::request_handler(store_state& state, handler_options options)
    : state_(state), options_(std::move(options)), tiles_(state.cache()) {}

std::string request_handler::base_url(const http_request& request) const {
    if (!options_.public_url.empty()) return options_.public_url;
    const std::string& host = request.host;
    bool ok = !host.empty() && host.size() < 256;
    for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            ok = false;
    return ok ? "http://" + host : options_.default_base_url;
}

http_response request_handler::route(const http_request& request) const {
    parsed_target target = parse_target(request.target);
    request_context ctx{request, target, base_url(request), state_.current()};
    const auto& s = target.segments;
    auto n = s.size();
    if (n == 0) return features_.landing(ctx);
    const std::string& root = s[0];
    if (root == "conformance" && n == 1) return features_.conformance(ctx);
    if ((root == "api" || root == "openapi" || root == "api.json") && n == 1) return features_.api(ctx);
    if (root == "collections") {
        if (n == 1) return features_.collections(ctx);
        if (n == 2) return features_.describe_collection(ctx, s[1]);
        if (n == 3 && s[2] == "items") return features_.items(ctx, s[1]);
        if (n == 3 && s[2] == "queryables") return features_.queryables(ctx, s[1]);
        if (n == 4 && s[2] == "items") return features_.item(ctx, s[1], s[3]);
    }
    if (root == "geojson" && n == 2) {
        std::string id = s[1];
        if (id.size() > 8 && id.substr(id.size() - 8) == ".geojson") id.resize(id.size() - 8);
        return features_.geojson(ctx, id);
    }
    if (root == "tiles") {
        if (n == 2 && s[1].size() > 5 && s[1].substr(s[1].size() - 5) == ".json")
            return tiles_.tilejson(ctx, s[1].substr(0, s[1].size() - 5));
        if (n == 5) return tiles_.tile(ctx, s[1], s[2], s[3], s[4], accepts_gzip(request.accept_encoding));
    }
    if (root == "styles" && n == 2 && (s[1] == "microplan.json" || s[1] == "microplan")) return tiles_.style(ctx);
    if (root == "reports") {
        if (n == 3 && (s[1] == "district" || s[1] == "unit")) return reports_.unit_report(ctx, s[2]);
        if (n == 2 && s[1] == "coverage") return reports_.coverage(ctx);
        if (n == 2 && s[1] == "ranking") return reports_.ranking(ctx);
    }
    if (root == "health" && n == 1) {
        const auto& d = *ctx.data;
        nlohmann::json body = {{"status", "ok"},
                               {"store", d.store_path()},
                               {"generation", d.generation()},
                               {"planning", d.model() != nullptr}};
        auto st = state_.cache().statistics();
        body["tile_cache"] = {{"tiles", st.tiles}, {"bytes", st.bytes}, {"hits", st.hits}, {"misses", st.misses}};
        return json_response(body);
    }
    throw request_error(404, "NotFound", "no such resource; see " + ctx.base_url + "/api for the endpoints");
}

http_response request_handler::handle(const http_request& request) const noexcept {
    try {
        if (request.method != "GET" && request.method != "HEAD") {
            http_response r =
                as_http(to_response(request_error(405, "MethodNotAllowed", "only GET and HEAD are served here")));
            r.add_header("Allow", "GET, HEAD");
            return r;
        }
        http_response r;
        try {
            r = route(request);
        } catch (...) {
            error_response e = current_exception_response();
            if (e.log)
                std::fprintf(stderr, "microplan serve: %s %s: %s\n", request.method.c_str(), request.target.c_str(),
                             e.log_line.c_str());
            return as_http(std::move(e));
        }
        bool has_etag = false;
        for (const auto& [name, value] : r.headers) has_etag = has_etag || name == "ETag";
        if (r.status == 200 && !has_etag && r.body) {
            char buf[24];
            std::snprintf(buf, sizeof buf, "\"%016zx\"", std::hash<std::string_view>{}(*r.body));
            r.add_header("ETag", buf);
            r.add_header("Cache-Control", "no-cache");
            if (request.if_none_match.find(buf) != std::string::npos) {
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

// ---- store_watcher ---------------------------------------------------------------------

store_watcher::stamp store_watcher::read_stamp(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {static_cast<unsigned long long>(st.st_ino), static_cast<unsigned long long>(st.st_size),
            static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

store_watcher::store_watcher(store_state& state, std::chrono::milliseconds interval,
                             std::function<void(const std::string&)> log)
    : state_(state), log_(std::move(log)), last_(read_stamp(state.current()->store_path())) {
    if (interval.count() > 0)
        thread_ = std::thread([this, interval] {
            std::unique_lock lock(mutex_);
            while (!wake_.wait_for(lock, interval, [this] { return stop_; })) {
                lock.unlock();
                check();
                lock.lock();
            }
        });
}

store_watcher::~store_watcher() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool store_watcher::check() {
    std::lock_guard guard(check_mutex_);
    auto current = state_.current();
    stamp now = read_stamp(current->store_path());
    if (now == last_ || now.inode == 0) return false;
    try {
        auto next = snapshot::load(current->store_path(), current->generation() + 1);
        std::size_t dropped = state_.replace(next);
        last_ = now;
        if (log_)
            log_("store changed: reloaded in " + std::to_string(next->load_seconds()) + " s, " +
                 std::to_string(dropped) + " cached tiles dropped");
        return true;
    } catch (const std::exception& e) {
        if (log_) log_(std::string("store changed but cannot be read yet (keeping the last version): ") + e.what());
        return false;
    }
}

}  // namespace microplan::service
