// A CLI import into a store that a serving server is editing (docs/store.md, "One writer at a
// time"): every edit the server acknowledged (201) is in the store afterwards, ids are never
// reused, a store held too long answers 503, and the server reloads the import even when its own
// edit follows it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "microplan/geo/store/planning_store.hpp"
#include "microplan/service/scenarios.hpp"
#include "microplan/service/store_watcher.hpp"
#include "service/http_client.hpp"
#include "service/running_server.hpp"
#include "support.hpp"
#include "watchdog.hpp"

namespace microplan::service {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

bool wait_for_file(const std::string& path) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(path)) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

class ScenarioImports : public ::testing::Test {
protected:
    void SetUp() override {
        store = dir.path("demo.sqlite");
        ASSERT_EQ(test::demo_store_at(store).exit_code, 0);
        auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
        csv = dir.write("v.csv", "code,v\n" + db->read_unit_records(geo::level::circuit).at(0).code + ",1\n");
        for (const auto& e : db->read_establishments())
            if (e.placement == "inside") {
                inside = {e.attributes.lon, e.attributes.lat};
                break;
            }
    }
    void start() {
        handler_options o;
        o.edit_token = "taller-2026";
        server = std::make_unique<test::running_server>(store, o);
    }
    // `microplan attributes` writing attribute `name`: an import that copies and renames the store.
    [[nodiscard]] std::string import_command(const std::string& name) const {
        return test::microplan_cmd("attributes " + store + " " + csv + " --name " + name +
                                   " --field v --code-field code");
    }
    test::http_reply send(const std::string& method, const std::string& target, const json& body) {
        return test::http_request_to(server->port(), method, target,
                                     {{"Content-Type", "application/json"}, {"Authorization", "Bearer taller-2026"}},
                                     body.dump());
    }
    std::int64_t create_scenario() {
        auto r = send("POST", "/scenarios", {{"name", "Taller"}});
        EXPECT_EQ(r.status, 201u) << r.body;
        return json::parse(r.body)["id"];
    }
    test::http_reply propose(std::int64_t scenario, double lon_offset = 0) {
        return send("POST", "/scenarios/" + std::to_string(scenario) + "/establishments",
                    {{"sector", "health"},
                     {"typology", "Centro de Salud Tipo A"},
                     {"lon", inside[0] + lon_offset},
                     {"lat", inside[1]}});
    }
    std::map<std::int64_t, geo::store::proposal_record> stored_proposals() const {
        std::map<std::int64_t, geo::store::proposal_record> out;
        for (auto& p : geo::store::open_store(store, geo::store::open_mode::read_only)->read_proposals()) out[p.id] = p;
        return out;
    }
    bool has_attribute(const std::string& name) const {
        return geo::store::open_store(store, geo::store::open_mode::read_only)
                   ->read_attributes(geo::level::circuit)
                   .count(name) == 1;
    }

    test::watchdog guard{std::chrono::seconds(300)};
    test::scratch dir;
    std::string store, csv;
    std::array<double, 2> inside{};
    std::unique_ptr<test::running_server> server;
};

// The import has copied the store and waits before its rename; the server's edit meanwhile must
// wait for it, then land in the imported store.
TEST_F(ScenarioImports, AnEditAcknowledgedDuringAnImportIsKept) {
    start();
    std::int64_t scenario = create_scenario();
    const std::string release = dir.path("release");
    std::string line = "( MICROPLAN_HOLD=before-rename MICROPLAN_HOLD_RELEASE=" + release + " " +
                       import_command("imported") + " > " + dir.path("import.out") + " 2>&1; echo $? > " +
                       dir.path("import.rc.part") + "; mv " + dir.path("import.rc.part") + " " + dir.path("import.rc") +
                       " ) &";
    ASSERT_EQ(std::system(line.c_str()), 0);
    ASSERT_TRUE(wait_for_file(release + ".reached")) << test::read_bytes(dir.path("import.out"));

    test::http_reply added;
    std::thread editor([&] { added = propose(scenario); });
    // Only gives an unlocked server the time to write into the store about to be replaced; the
    // outcome checked below holds whatever the interleaving.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    dir.write("release", "");
    editor.join();
    ASSERT_TRUE(wait_for_file(dir.path("import.rc")));
    EXPECT_EQ(test::read_bytes(dir.path("import.rc")), "0\n") << test::read_bytes(dir.path("import.out"));
    ASSERT_EQ(added.status, 201u) << added.body;
    std::int64_t first = json::parse(added.body)["id"];

    auto stored = stored_proposals();
    EXPECT_EQ(stored.count(first), 1u) << "the acknowledged edit was lost";
    EXPECT_TRUE(has_attribute("imported"));
    auto next = propose(scenario, 0.0001);
    ASSERT_EQ(next.status, 201u) << next.body;
    EXPECT_NE(json::parse(next.body)["id"].get<std::int64_t>(), first) << "an id was reused";
    EXPECT_EQ(stored_proposals().size(), 2u);
}

// A client edits without pause while imports run one after the other: every acknowledged edit is
// stored, at the place acknowledged, with an id of its own.
TEST_F(ScenarioImports, EditsAcknowledgedWhileImportsRunAreAllKept) {
    start();
    std::int64_t scenario = create_scenario();
    std::atomic<bool> imports_done{false};
    std::map<std::int64_t, double> acknowledged;  // id -> lon
    std::vector<unsigned> other_statuses;
    bool reused = false;
    std::thread client([&] {
        for (int i = 0; i < 400 && !imports_done; ++i) {
            double offset = 0.00001 * (i % 50);
            auto r = propose(scenario, offset);
            if (r.status != 201) {
                other_statuses.push_back(r.status);
                continue;
            }
            std::int64_t id = json::parse(r.body)["id"];
            reused = reused || acknowledged.count(id) != 0;
            acknowledged[id] = inside[0] + offset;
        }
    });
    for (int i = 0; i < 3; ++i) {
        auto r = test::run(import_command("import" + std::to_string(i)));
        EXPECT_EQ(r.exit_code, 0) << r.output;
    }
    imports_done = true;
    client.join();
    EXPECT_TRUE(other_statuses.empty()) << other_statuses.size() << " edits not acknowledged, first "
                                        << other_statuses.front();
    EXPECT_FALSE(reused) << "an id was acknowledged twice";
    auto stored = stored_proposals();
    EXPECT_EQ(stored.size(), acknowledged.size());
    for (const auto& [id, lon] : acknowledged) {
        auto it = stored.find(id);
        ASSERT_NE(it, stored.end()) << "acknowledged edit " << id << " was lost";
        EXPECT_DOUBLE_EQ(it->second.lon, lon) << id;
    }
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(has_attribute("import" + std::to_string(i))) << i;
    auto last = propose(scenario);
    ASSERT_EQ(last.status, 201u) << last.body;
    EXPECT_EQ(acknowledged.count(json::parse(last.body)["id"].get<std::int64_t>()), 0u) << "an id was reused";
}

// An edit that cannot get the store within its wait is refused with 503 and changes nothing.
TEST_F(ScenarioImports, AnEditWhileAnotherProgramHoldsTheStoreTooLongIsA503) {
    ::setenv("MICROPLAN_LOCK_WAIT", "0.3", 1);  // before the server's threads exist
    start();
    std::int64_t scenario = create_scenario();
    const std::string release = dir.path("release");
    std::string line = "( MICROPLAN_LOCK_WAIT=100 MICROPLAN_HOLD=before-rename MICROPLAN_HOLD_RELEASE=" + release +
                       " " + import_command("imported") + " > " + dir.path("import.out") + " 2>&1; touch " +
                       dir.path("import.done") + " ) &";
    ASSERT_EQ(std::system(line.c_str()), 0);
    ASSERT_TRUE(wait_for_file(release + ".reached"));
    auto busy = propose(scenario);
    EXPECT_EQ(busy.status, 503u) << busy.body;
    EXPECT_NE(busy.body.find("StoreBusy"), std::string::npos) << busy.body;
    EXPECT_EQ(busy.body.find(dir.path("")), std::string::npos) << "no path in the body: " << busy.body;
    dir.write("release", "");
    EXPECT_TRUE(wait_for_file(dir.path("import.done")));
    EXPECT_TRUE(stored_proposals().empty());
    auto later = propose(scenario);
    EXPECT_EQ(later.status, 201u) << later.body;
    server.reset();
    ::unsetenv("MICROPLAN_LOCK_WAIT");
}

// The server tells its watcher that its own edits need no reload; an edit right after an import
// (before the watcher's next poll) must not hide the import from it.
TEST_F(ScenarioImports, TheWatcherReloadsAnImportFollowedByAnEdit) {
    store_state state(snapshot::load(store), 16 * 1024 * 1024);
    store_watcher watcher(state, std::chrono::milliseconds(0), {});
    scenario_book book(store, [&watcher] { watcher.acknowledge(); });
    book.rebase(state.current());
    auto s = book.create("Taller");
    EXPECT_FALSE(watcher.check()) << "the server's own edit is no change to reload";
    auto r = test::run(import_command("imported"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    book.add(s.id, "health", "Centro de Salud Tipo A", "", inside[0], inside[1]);
    EXPECT_TRUE(watcher.check()) << "the import was taken for the server's own edit";
}

// A program that edits the file in place (QGIS on the SpatiaLite file) changes its stamp, not
// its inode: an edit of the server right after must not hide that change either.
TEST_F(ScenarioImports, TheWatcherReloadsAChangeInPlaceFollowedByAnEdit) {
    store_state state(snapshot::load(store), 16 * 1024 * 1024);
    store_watcher watcher(state, std::chrono::milliseconds(0), {});
    scenario_book book(
        store, [&watcher] { watcher.acknowledge(); }, [&watcher] { watcher.about_to_write(); });
    book.rebase(state.current());
    auto s = book.create("Taller");
    EXPECT_FALSE(watcher.check()) << "the server's own edit is no change to reload";
    // The other program's write, as the watcher sees it: the same file with another time.
    const timespec when[2] = {{1'000'000'000, 0}, {1'000'000'000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, store.c_str(), when, 0), 0);
    book.add(s.id, "health", "Centro de Salud Tipo A", "", inside[0], inside[1]);
    EXPECT_TRUE(watcher.check()) << "a change in place was taken for the server's own edit";
    book.add(s.id, "health", "Centro de Salud Tipo A", "", inside[0], inside[1]);
    EXPECT_FALSE(watcher.check()) << "the server's own edit after the reload is no change";
}

}  // namespace
}  // namespace microplan::service
