// Scenario edits over HTTP while the store watcher reloads: the edit path (scenario book ->
// watcher acknowledge) and the reload path (watcher -> state -> scenario book rebase) once took
// their locks in opposite orders and hung the server after a few hundred edits. Each test is
// bounded by a watchdog (a deadlocked server cannot be stopped and joined) and checks that every
// acknowledged edit is in the store at the end. Part of `make tsan` (the name has "Scenario").
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "microplan/geo/store/planning_store.hpp"
#include "microplan/service/http_server.hpp"
#include "microplan/service/served_store.hpp"
#include "service/http_client.hpp"
#include "support.hpp"
#include "watchdog.hpp"

namespace microplan::service {
namespace {

using nlohmann::json;
using test::http_get;
using test::http_request_to;

constexpr const char* token = "stress-test-token-2026";

// The server as `microplan serve` wires it (served_store: snapshot, scenario book, watcher),
// with the watcher polling every millisecond.
class edited_server {
public:
    edited_server(const std::string& store, std::chrono::milliseconds poll)
        : served(store, 64 * 1024 * 1024, poll,
                 [this](const std::string& line) {
                     if (line.starts_with("store changed: reloaded")) ++reloads;
                 }),
          handler(served.state(), options(), &served.scenarios()) {
        server_options o;
        o.port = 0;
        o.threads = 4;
        o.access_log = nullptr;
        srv = std::make_unique<server>(o, [this](const http_request& r) { return handler.handle(r); });
        thread = std::thread([this] { srv->run(); });
    }
    ~edited_server() {
        srv->stop();
        thread.join();
    }
    edited_server(const edited_server&) = delete;
    edited_server& operator=(const edited_server&) = delete;
    static handler_options options() {
        handler_options o;
        o.edit_token = token;
        return o;
    }
    [[nodiscard]] std::uint16_t port() const { return srv->port(); }

    std::atomic<int> reloads{0};  // snapshots the watcher installed
    served_store served;
    request_handler handler;
    std::unique_ptr<server> srv;
    std::thread thread;
};

test::http_reply send(std::uint16_t port, const std::string& method, const std::string& target,
                      const json& body = json::object()) {
    return http_request_to(port, method, target,
                           {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + token}},
                           body.dump());
}

// Points where health centres may be proposed: existing health establishments of the demo.
struct place {
    std::string typology;
    double lon = 0, lat = 0;
};
std::vector<place> health_places(std::uint16_t port, std::size_t n) {
    json items =
        json::parse(http_get(port, "/collections/establishments/items?sector=health&limit=" + std::to_string(n)).body);
    std::vector<place> out;
    for (const auto& f : items["features"])
        out.push_back({f["properties"]["typology"], f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][1]});
    return out;
}

// Changes the store file's modification time (its content stays): the watcher sees a change
// made by another program and reloads the snapshot and the scenario book.
void touch(const std::string& path) {
    timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

class ScenarioStress : public ::testing::Test {
protected:
    void SetUp() override {
        store = dir.path("demo.sqlite");
        auto r = test::demo_store_at(store);
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    // The proposals of scenario `id` as stored, read by a fresh server (a restart).
    std::map<std::int64_t, std::pair<double, double>> stored_proposals(std::int64_t id) {
        edited_server fresh(store, std::chrono::milliseconds(0));
        auto r = http_get(fresh.port(), "/scenarios/" + std::to_string(id));
        EXPECT_EQ(r.status, 200u) << r.body;
        std::map<std::int64_t, std::pair<double, double>> out;
        const json shown = json::parse(r.body);
        for (const auto& f : shown["establishments"]["features"])
            out[f["id"].get<std::int64_t>()] = {f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][1]};
        return out;
    }
    test::scratch dir;
    std::string store;
};

TEST_F(ScenarioStress, OneClientProposingHundredsOfEstablishmentsKeepsTheServerAnswering) {
    test::watchdog limit(std::chrono::seconds(480), "300 sequential scenario edits with the watcher polling");
    std::set<std::int64_t> acknowledged;
    std::int64_t id = 0;
    {
        edited_server s(store, std::chrono::milliseconds(1));
        auto created = send(s.port(), "POST", "/scenarios", {{"name", "Taller"}});
        ASSERT_EQ(created.status, 201u) << created.body;
        id = json::parse(created.body)["id"];
        const auto places = health_places(s.port(), 20);
        ASSERT_FALSE(places.empty());
        const std::string target = "/scenarios/" + std::to_string(id) + "/establishments";
        for (int i = 0; i < 300; ++i) {
            const place& p = places[static_cast<std::size_t>(i) % places.size()];
            auto r = send(s.port(), "POST", target,
                          {{"sector", "health"}, {"typology", p.typology}, {"lon", p.lon}, {"lat", p.lat}});
            ASSERT_EQ(r.status, 201u) << "edit " << i << ": " << r.body;
            acknowledged.insert(json::parse(r.body)["id"].get<std::int64_t>());
        }
        EXPECT_EQ(http_get(s.port(), "/health").status, 200u);
        auto shown = json::parse(http_get(s.port(), "/scenarios/" + std::to_string(id)).body);
        EXPECT_EQ(shown["establishments"]["features"].size(), 300u);
    }
    auto stored = stored_proposals(id);
    EXPECT_EQ(stored.size(), 300u);
    for (std::int64_t e : acknowledged) EXPECT_TRUE(stored.count(e)) << "acknowledged proposal " << e << " is lost";
}

TEST_F(ScenarioStress, SeveralClientsEditWhileTheWatcherReloads) {
    test::watchdog limit(std::chrono::seconds(480), "4 clients editing while the store is touched");
    constexpr int clients = 4, edits_per_client = 40;
    std::int64_t id = 0;
    // What each client was told (201/200/204): proposal id -> its last acknowledged position.
    std::mutex expected_mutex;
    std::map<std::int64_t, std::pair<double, double>> expected;
    {
        edited_server s(store, std::chrono::milliseconds(1));
        auto created = send(s.port(), "POST", "/scenarios", {{"name", "Taller"}});
        ASSERT_EQ(created.status, 201u) << created.body;
        id = json::parse(created.body)["id"];
        const auto places = health_places(s.port(), 40);
        ASSERT_GE(places.size(), 4u);
        const std::string base = "/scenarios/" + std::to_string(id) + "/establishments";

        std::atomic<bool> editing{true};
        std::atomic<int> reloads_forced{0};
        // Another program "rewrites" the store all along (its content stays, so edits are kept).
        std::thread toucher([&] {
            while (editing) {
                touch(store);
                ++reloads_forced;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        std::vector<std::thread> workers;
        std::atomic<int> failures{0};
        std::mutex failed_mutex;
        std::vector<std::string> failed;  // what each refused edit was answered, to say why
        auto refused = [&](const std::string& what, const test::http_reply& r) {
            ++failures;
            std::lock_guard lock(failed_mutex);
            failed.push_back(what + ": " + std::to_string(r.status) + " " + r.body.substr(0, 300));
        };
        for (int c = 0; c < clients; ++c)
            workers.emplace_back([&, c] {
                std::vector<std::int64_t> mine;
                for (int i = 0; i < edits_per_client; ++i) {
                    const place& p = places[static_cast<std::size_t>(c * edits_per_client + i) % places.size()];
                    // Add, add, move the first of mine, delete the last of mine: every kind of edit.
                    const int kind = i % 4;
                    if (kind < 2 || mine.empty()) {
                        auto r = send(s.port(), "POST", base,
                                      {{"sector", "health"}, {"typology", p.typology}, {"lon", p.lon}, {"lat", p.lat}});
                        if (r.status != 201u) {
                            refused("POST " + base, r);
                            continue;
                        }
                        std::int64_t e = json::parse(r.body)["id"];
                        mine.push_back(e);
                        std::lock_guard lock(expected_mutex);
                        expected[e] = {p.lon, p.lat};
                    } else if (kind == 2) {
                        std::int64_t e = mine.front();
                        auto r =
                            send(s.port(), "PATCH", base + "/" + std::to_string(e), {{"lon", p.lon}, {"lat", p.lat}});
                        if (r.status != 200u) {
                            refused("PATCH " + base + "/" + std::to_string(e), r);
                            continue;
                        }
                        std::lock_guard lock(expected_mutex);
                        expected[e] = {p.lon, p.lat};
                    } else {
                        std::int64_t e = mine.back();
                        auto r = send(s.port(), "DELETE", base + "/" + std::to_string(e));
                        if (r.status != 204u) {
                            refused("DELETE " + base + "/" + std::to_string(e), r);
                            continue;
                        }
                        mine.pop_back();
                        std::lock_guard lock(expected_mutex);
                        expected.erase(e);
                    }
                }
            });
        // A fifth client closes existing establishments and opens some again.
        std::set<std::int64_t> closed;
        workers.emplace_back([&] {
            const json items = json::parse(http_get(s.port(), "/collections/establishments/items?limit=30").body);
            for (std::size_t i = 0; i < items["features"].size(); ++i) {
                const std::int64_t fid = items["features"][i]["id"];
                const std::string path = "/scenarios/" + std::to_string(id) + "/closures/" + std::to_string(fid);
                if (auto r = send(s.port(), "POST", path); r.status != 201u) {
                    refused("POST " + path, r);
                    continue;
                }
                closed.insert(fid);
                if (i % 3 != 2) continue;
                if (auto r = send(s.port(), "DELETE", path); r.status != 204u) {
                    refused("DELETE " + path, r);
                    continue;
                }
                closed.erase(fid);
            }
        });
        for (auto& w : workers) w.join();
        editing = false;
        toucher.join();
        EXPECT_EQ(failures.load(), 0);
        for (const auto& f : failed) ADD_FAILURE() << "refused: " << f;
        EXPECT_GT(reloads_forced.load(), 0);
        // Every touch is another program's change, which an edit right after must not hide: the
        // watcher reloads it, during the edits or, on a loaded machine, soon after them.
        for (int i = 0; i < 1000 && s.reloads.load() == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        EXPECT_GT(s.reloads.load(), 0);
        EXPECT_EQ(http_get(s.port(), "/health").status, 200u);
        // The running server shows what it acknowledged.
        auto shown = json::parse(http_get(s.port(), "/scenarios/" + std::to_string(id)).body);
        EXPECT_EQ(shown["establishments"]["features"].size(), expected.size());
        std::set<std::int64_t> shown_closed;
        for (const auto& f : shown["closures"]["features"]) shown_closed.insert(f["id"].get<std::int64_t>());
        EXPECT_EQ(shown_closed, closed);
        EXPECT_EQ(closed.size(), 20u);
    }
    {  // The store holds the same closures.
        auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
        std::set<std::int64_t> stored_closed;
        for (const auto& c : db->read_closures())
            if (c.scenario_id == id) stored_closed.insert(c.fid);
        EXPECT_EQ(stored_closed.size(), 20u);
    }
    // And so does the store, read again from scratch.
    auto stored = stored_proposals(id);
    EXPECT_EQ(stored.size(), expected.size());
    for (const auto& [e, at] : expected) {
        auto it = stored.find(e);
        ASSERT_NE(it, stored.end()) << "acknowledged proposal " << e << " is lost";
        EXPECT_DOUBLE_EQ(it->second.first, at.first) << e;
        EXPECT_DOUBLE_EQ(it->second.second, at.second) << e;
    }
}

}  // namespace
}  // namespace microplan::service
