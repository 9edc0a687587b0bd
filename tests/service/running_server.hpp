#pragma once
// microplan's server over a store, on a free loopback port, in this process: the snapshot,
// the scenario book, the request handler and the Beast server on 2 threads. Stops and joins
// on destruction.
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "microplan/service/http_server.hpp"
#include "microplan/service/request_handler.hpp"

namespace microplan::test {

class running_server {
public:
    explicit running_server(const std::string& store, service::handler_options options = {},
                            const std::function<void(service::server_options&)>& adjust = {})
        : state(service::snapshot::load(store), 64 * 1024 * 1024),
          scenarios(store, {}),
          handler(state, std::move(options), &scenarios) {
        scenarios.rebase(state.current());
        service::server_options o;
        o.port = 0;
        o.threads = 2;
        o.access_log = nullptr;
        o.body_limit = 1024 * 1024;
        o.header_limit = 8 * 1024;
        if (adjust) adjust(o);
        srv = std::make_unique<service::server>(
            o, [this](const service::http_request& r) { return handler.handle(r); },
            [this](const service::http_request& r) { return handler.quick(r); });
        thread = std::thread([this] { srv->run(); });
    }
    ~running_server() {
        srv->stop();
        if (thread.joinable()) thread.join();
    }
    running_server(const running_server&) = delete;
    running_server& operator=(const running_server&) = delete;

    [[nodiscard]] std::uint16_t port() const { return srv->port(); }
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

    service::store_state state;
    service::scenario_book scenarios;
    service::request_handler handler;
    std::unique_ptr<service::server> srv;
    std::thread thread;
};

}  // namespace microplan::test
