#pragma once
// The demo store served in this process without a socket: its state (caches of 64 MB), the
// request handler and a store watcher the test drives with check(). For tests of what a store
// change does to the caches.
#include <chrono>
#include <stdexcept>
#include <string>

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/service/request_handler.hpp"
#include "microplan/service/store_watcher.hpp"
#include "support.hpp"

namespace microplan::test {

class in_process_demo {
public:
    in_process_demo()
        : store(make_store(dir_)),
          state(service::snapshot::load(store), 64 * 1024 * 1024),
          handler(state, {}),
          watcher(state, std::chrono::milliseconds(0), {}) {}

    service::http_response get(const std::string& target, const std::string& accept_encoding = "",
                               const std::string& host = "127.0.0.1:8080") {
        service::http_request r;
        r.method = "GET";
        r.target = target;
        r.host = host;
        r.accept_encoding = accept_encoding;
        return handler.handle(r);
    }

    // Renames circuit `fid` in the store behind the server's back (as QGIS or an import would).
    void rename_circuit(std::int64_t fid, const std::string& name) const {
        geo::sqlite::connection db(store, geo::sqlite::connection::mode::read_write);
        geo::sqlite::statement(db, "UPDATE circuits SET name = ? WHERE fid = ?").bind(1, name).bind(2, fid).run();
    }

    static std::string header(const service::http_response& r, const std::string& name) {
        for (const auto& [k, v] : r.headers)
            if (k == name) return v;
        return {};
    }

private:
    static std::string make_store(const scratch& dir) {
        std::string path = dir.path("demo.sqlite");
        auto demo = demo_store_at(path);
        if (demo.exit_code != 0) throw std::runtime_error("microplan demo failed: " + demo.output);
        return path;
    }

    scratch dir_;  // first: the store lives in it

public:
    const std::string store;
    service::store_state state;
    service::request_handler handler;
    service::store_watcher watcher;
};

}  // namespace microplan::test
