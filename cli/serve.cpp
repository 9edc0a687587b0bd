// `microplan serve`: the store over HTTP (OGC API – Features, vector tiles, reports).
#include <cstdio>
#include <random>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/core/utf8_text.hpp"
#include "microplan/service/http_server.hpp"
#include "microplan/service/request_handler.hpp"
#include "microplan/service/served_store.hpp"

namespace microplan::cli {

namespace {
// Shorter edit tokens are warned about at start (docs/security.md): a token is the only thing
// between a workshop network and the scenarios.
constexpr std::size_t min_token_chars = 16;

// A loopback address: only this machine's own processes reach it (the `make run` case).
bool is_loopback(const std::string& bind) { return bind == "localhost" || bind == "::1" || bind.rfind("127.", 0) == 0; }

// 128 random bits as 32 hex digits, from the kernel's generator (std::random_device reads
// getrandom/urandom on Linux).
std::string random_token() {
    std::random_device device;
    std::string token;
    for (int i = 0; i < 4; ++i) {
        char part[9];
        std::snprintf(part, sizeof part, "%08x", static_cast<unsigned>(device()));
        token += part;
    }
    return token;
}
}  // namespace

command add_serve(CLI::App& app) {
    struct args {
        std::string store, bind = "127.0.0.1", public_url, access_log = "-", edit_token, web_root = MICROPLAN_WEB_DIR;
        std::string cors = "*";
        bool cors_writes = false, no_edit = false;
        std::size_t max_connections = 4096, max_per_client = 256;
        int port = 8080;
        unsigned threads = 0;
        std::size_t cache_mb = 256, page_cache_mb = 64;
        double watch_seconds = 1;
        double stop_grace_seconds = 10;
    };
    auto a = std::make_shared<args>();
    app.add_option("store", a->store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("--bind", a->bind, "Address to listen on (loopback by default; 0.0.0.0 for every interface)")
        ->capture_default_str();
    app.add_option("--port,-p", a->port, "Port (0: any free port, printed at start)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    app.add_option("--threads", a->threads, "I/O threads (default: one per core)")->check(within(thread_count));
    app.add_option("--public-url", a->public_url,
                   "Base URL clients reach the server at, for links (default: from the request's Host)");
    app.add_option("--tile-cache-mb", a->cache_mb, "Memory for cached tiles (0: no cache)")
        ->check(within(0, 1e6, "a terabyte of cached tiles is beyond any server"))
        ->capture_default_str();
    app.add_option("--page-cache-mb", a->page_cache_mb,
                   "Memory for serialised feature pages (OGC API items, GeoJSON downloads; 0: no cache)")
        ->check(within(0, 1e6, "a terabyte of cached pages is beyond any server"))
        ->capture_default_str();
    app.add_option("--access-log", a->access_log, "Access log file; '-' for stderr, 'off' for none")
        ->capture_default_str();
    app.add_option("--edit-token", a->edit_token,
                   "Token that scenario edits must send (Authorization: Bearer TOKEN); without it editing is off. "
                   "Also read from MICROPLAN_EDIT_TOKEN")
        ->envname("MICROPLAN_EDIT_TOKEN");
    app.add_flag("--no-edit", a->no_edit,
                 "Editing off even on loopback (without --edit-token, a server bound to loopback makes up a "
                 "token and prints the viewer URL that carries it)")
        ->excludes("--edit-token");
    app.add_option("--web-root", a->web_root, "Folder of the workshop viewer (web/, with node_modules from 'make web')")
        ->capture_default_str();
    app.add_option(
           "--watch-seconds", a->watch_seconds,
           "How often to check the store for changes (0: never); a database store's changes are heard at once, and its "
           "connection is checked this often")
        ->check(within(0, 86400, "at least once a day, or 0 for never"))
        ->capture_default_str();
    app.add_option("--cors-origin", a->cors,
                   "Origin allowed to read from web pages of other sites ('*', https://example.org, or 'off')")
        ->capture_default_str();
    app.add_flag("--cors-writes", a->cors_writes,
                 "Also let that origin edit scenarios (off: browsers refuse cross-site edits)");
    app.add_option("--stop-grace-seconds", a->stop_grace_seconds,
                   "After SIGINT/SIGTERM, how long requests in flight may take before the server exits without them")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 3600.0));
    app.add_option("--max-connections", a->max_connections, "Open connections served at once (more get 503)")
        ->check(within(1, 1e6, "at least one connection; a million exceeds any file-descriptor limit"))
        ->capture_default_str();
    app.add_option("--max-connections-per-client", a->max_per_client,
                   "Open connections one client address may hold (slow clients cannot take them all)")
        ->check(within(1, 1e6, "at least one connection; a million exceeds any file-descriptor limit"))
        ->capture_default_str();
    return [a] {
        // On loopback without a token (`make run`), a token made up for this run: a newcomer can
        // edit from the printed URL while other local users' pages cannot (docs/security.md).
        const bool made_up_token = a->edit_token.empty() && !a->no_edit && is_loopback(a->bind);
        if (made_up_token) a->edit_token = random_token();
        std::fprintf(stderr, "loading %s ...\n", a->store.c_str());
        // The snapshot, the scenario book and the store watcher, wired in their one lock order.
        service::served_store served(
            a->store, a->cache_mb * 1024 * 1024,
            std::chrono::milliseconds(static_cast<long long>(a->watch_seconds * 1000)),
            [](const std::string& line) { std::fprintf(stderr, "microplan serve: %s\n", line.c_str()); },
            a->page_cache_mb * 1024 * 1024, /*warm_travel=*/true);
        auto data = served.state().current();
        std::size_t features = 0;
        for (const auto& c : data->collections()) features += c.features.size();
        std::fprintf(stderr, "loaded %zu collections, %zu features in %.2f s%s\n", data->collections().size(), features,
                     data->load_seconds(), data->model() ? "" : " (no planning reports: see /health)");

        std::FILE* log = stderr;
        if (a->access_log == "off")
            log = nullptr;
        else if (a->access_log != "-") {
            log = std::fopen(a->access_log.c_str(), "a");
            if (!log) throw std::runtime_error("cannot open the access log '" + a->access_log + "'");
        }
        service::server_options options;
        options.bind = a->bind;
        options.port = static_cast<std::uint16_t>(a->port);
        options.threads = a->threads;
        options.access_log = log;
        options.max_connections = a->max_connections;
        options.max_connections_per_client = a->max_per_client;
        options.stop_grace = std::chrono::milliseconds(static_cast<long long>(a->stop_grace_seconds * 1000));
        service::handler_options handler_options;
        handler_options.public_url = a->public_url;
        while (!handler_options.public_url.empty() && handler_options.public_url.back() == '/')
            handler_options.public_url.pop_back();
        handler_options.edit_token = a->edit_token;
        handler_options.web_root = a->web_root;
        handler_options.cors_origin = a->cors == "off" ? "" : a->cors;
        handler_options.cors_writes = a->cors_writes;
        service::request_handler handler(served.state(), handler_options, &served.scenarios());
        service::server server(
            options, [&handler](const service::http_request& r) { return handler.handle(r); },
            [&handler](const service::http_request& r) { return handler.quick(r); });
        std::string host = a->bind.find(':') != std::string::npos ? "[" + a->bind + "]" : a->bind;
        if (host == "0.0.0.0") host = "127.0.0.1";
        std::string url = "http://" + host + ":" + std::to_string(server.port());
        // The token travels in the fragment, which browsers never send: it stays out of access logs.
        const std::string viewer = url + "/" + (made_up_token ? "#token=" + a->edit_token : "");
        std::fprintf(stdout,
                     "microplan serving %s\n"
                     "  workshop viewer         %s\n"
                     "  landing page (HTML)     %s/?f=html\n"
                     "  OGC API - Features      %s/collections   (QGIS: WFS / OGC API - Features connection to %s)\n"
                     "  vector tiles            %s/tiles/all/{z}/{x}/{y}.mvt   TileJSON %s/tiles/all.json\n"
                     "  MapLibre style          %s/styles/microplan.json\n"
                     "  reports                 %s/reports/ranking   %s/reports/district/{code}\n"
                     "Ctrl-C stops.\n",
                     url.c_str(), viewer.c_str(), url.c_str(), url.c_str(), url.c_str(), url.c_str(), url.c_str(),
                     url.c_str(), url.c_str(), url.c_str());
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n",
                     made_up_token ? "editing scenarios: open the workshop viewer's URL above (its token was made up "
                                     "for this run; --edit-token to choose one, --no-edit for none)"
                     : a->edit_token.empty() ? "editing scenarios is off (start with --edit-token to allow it)"
                                             : "editing scenarios needs the edit token (Authorization: Bearer ...)");
        if (const std::size_t chars = geo::utf8::length(a->edit_token); chars > 0 && chars < min_token_chars)
            std::fprintf(stderr,
                         "microplan serve: warning: the edit token has only %zu character%s: anyone who reaches the "
                         "server can guess it; use %zu or more (e.g. openssl rand -hex 16)\n",
                         chars, chars == 1 ? "" : "s", min_token_chars);
        server.run_until_signalled();
        std::fprintf(stderr, "microplan serve: stopped\n");
        if (log && log != stderr) std::fclose(log);
        return 0;
    };
}

}  // namespace microplan::cli
