// Writers of one store exclude each other (docs/store.md, "One writer at a time"): threads and
// processes writing at once all land, or one is refused with a message; never a silent loss.
// Also: the schema version is checked, and a store given as a symbolic link stays one.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <optional>
#include <thread>

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "support.hpp"

namespace microplan::geo {
namespace {

using test::microplan_cmd;
using test::run;
using test::scratch;
namespace fs = std::filesystem;

// Waits for `path` to exist, at most `limit`; false when it never came (the test then fails
// instead of hanging).
bool wait_for_file(const std::string& path, std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!fs::exists(path)) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

// A command run in the background: its output goes to <name>.out, its exit code to <name>.rc.
struct background {
    std::string out, rc;
    background(const scratch& dir, const std::string& name, const std::string& command)
        : out(dir.path(name + ".out")), rc(dir.path(name + ".rc")) {
        std::string line = "( " + command + " > '" + out + "' 2>&1; echo $? > '" + rc + ".part'; mv '" + rc +
                           ".part' '" + rc + "' ) &";
        EXPECT_EQ(std::system(line.c_str()), 0);
    }
    // The exit code, or -1 when the command did not end within the limit.
    int wait() const {
        if (!wait_for_file(rc, std::chrono::seconds(120))) return -1;
        return std::stoi(test::read_bytes(rc));
    }
    [[nodiscard]] std::string output() const { return test::read_bytes(out); }
};

// A store with one circuit (code 17D06C03) and the CSV that gives it attribute values.
struct small_store {
    std::string path, csv;
    explicit small_store(const scratch& dir, const std::string& name = "s.sqlite") : path(dir.path(name)) {
        std::string src = dir.write(
            "c.geojson",
            test::feature_collection(test::polygon_feature(
                R"({"code":"17D06C03"})", "[[-79.0,-1.0],[-78.9,-1.0],[-78.9,-0.9],[-79.0,-0.9],[-79.0,-1.0]]")));
        auto r = run(microplan_cmd("import " + src + " --store " + path + " --level circuit"));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        csv = dir.write("v.csv", "code,v\n17D06C03,1\n");
    }
    [[nodiscard]] std::string attribute_command(const std::string& name) const {
        return microplan_cmd("attributes " + path + " " + csv + " --name " + name + " --field v --code-field code");
    }
    [[nodiscard]] unit_attributes attributes() const {
        return store::open_store(path, store::open_mode::read_only)->read_attributes(level::circuit);
    }
};

TEST(StoreWriters, ThreadsWritingAtOnceAllLand) {
    scratch dir;
    std::string path = dir.path("s.sqlite");
    store::update_atomically(path, [](store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    constexpr int threads = 4, writes = 5;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int w = 0; w < writes; ++w)
                store::update_atomically(path, [&](store::planning_store& db) {
                    db.write_attributes(level::circuit, "a" + std::to_string(t) + "_" + std::to_string(w), {{"X", 1.0}},
                                        "test");
                });
        });
    for (auto& t : pool) t.join();
    auto attributes = store::open_store(path, store::open_mode::read_only)->read_attributes(level::circuit);
    EXPECT_EQ(attributes.size(), static_cast<std::size_t>(threads * writes));
}

TEST(StoreWriters, ProcessesWritingAtOnceAllLand) {
    scratch dir;
    small_store s(dir);
    std::vector<std::unique_ptr<background>> writers;
    for (int i = 0; i < 4; ++i)
        writers.push_back(std::make_unique<background>(
            dir, "w" + std::to_string(i), "MICROPLAN_LOCK_WAIT=100 " + s.attribute_command("a" + std::to_string(i))));
    for (const auto& w : writers) EXPECT_EQ(w->wait(), 0) << w->output();
    auto attributes = s.attributes();
    for (int i = 0; i < 4; ++i) EXPECT_EQ(attributes.count("a" + std::to_string(i)), 1u) << i;
}

// A writer stopped before its rename holds the lock: a second writer with a short wait is refused
// (naming the holder, nothing written), a third waits with one message and lands after it.
TEST(StoreWriters, AWriterWaitsWithAMessageOrIsRefusedClearly) {
    scratch dir;
    small_store s(dir);
    const std::string release = dir.path("release");
    background holder(
        dir, "holder",
        "MICROPLAN_HOLD=before-rename MICROPLAN_HOLD_RELEASE=" + release + " " + s.attribute_command("a"));
    ASSERT_TRUE(wait_for_file(release + ".reached")) << holder.output();

    auto refused = run("MICROPLAN_LOCK_WAIT=0.2 " + s.attribute_command("b"));
    EXPECT_NE(refused.exit_code, 0) << refused.output;
    EXPECT_NE(refused.output.find("another writer holds the planning store"), std::string::npos) << refused.output;
    EXPECT_NE(refused.output.find("gave up after 0.2 s waiting for pid "), std::string::npos) << refused.output;
    EXPECT_NE(refused.output.find("MICROPLAN_LOCK_WAIT"), std::string::npos) << refused.output;

    background waiter(dir, "waiter", "MICROPLAN_LOCK_WAIT=100 " + s.attribute_command("c"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (waiter.output().find("waiting for another writer of " + s.path + " (pid ") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    dir.write("release", "");
    EXPECT_EQ(holder.wait(), 0) << holder.output();
    EXPECT_EQ(waiter.wait(), 0) << waiter.output();
    std::string said = waiter.output();
    std::size_t first = said.find("waiting for another writer");
    EXPECT_NE(first, std::string::npos) << said;
    EXPECT_EQ(said.find("waiting for another writer", first + 1), std::string::npos) << "said once: " << said;
    auto attributes = s.attributes();
    EXPECT_EQ(attributes.count("a"), 1u);
    EXPECT_EQ(attributes.count("b"), 0u);
    EXPECT_EQ(attributes.count("c"), 1u);
}

TEST(StoreWriters, TheLockOfADeadWriterIsFree) {
    scratch dir;
    small_store s(dir);
    auto killed = run("MICROPLAN_FAULT=before-rename " + s.attribute_command("a"));
    EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << killed.output;
    auto next = run("MICROPLAN_LOCK_WAIT=0 " + s.attribute_command("b"));
    EXPECT_EQ(next.exit_code, 0) << next.output;
    EXPECT_EQ(next.output.find("waiting"), std::string::npos) << next.output;
}

TEST(StoreWriters, AnInPlaceEditWaitsForTheLock) {
    scratch dir;
    std::string path = dir.path("s.sqlite");
    store::update_atomically(path, [](store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    std::optional<store::write_lock> held(std::in_place, path);
    std::thread editor([&] { store::open_store(path, store::open_mode::read_write)->create_scenario("edit"); });
    store::update_atomically(*held, [](store::planning_store& db) {
        db.write_attributes(level::circuit, "update", {{"X", 1.0}}, "test");
        // Time for an editor that did not wait to write into the file about to be replaced; the
        // outcome checked below holds whatever the interleaving.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    });
    held.reset();
    editor.join();
    auto db = store::open_store(path, store::open_mode::read_only);
    EXPECT_EQ(db->read_scenarios().size(), 1u) << "the in-place edit was lost";
    EXPECT_EQ(db->read_attributes(level::circuit).count("update"), 1u);
}

// A deleted proposal's id stays its own while the undo log can restore it: another scenario's new
// proposal does not take it, and undoing the delete brings it back without a collision.
TEST(StoreScenarioIds, AnIdIsNeverGivenTwice) {
    scratch dir;
    std::string path = dir.path("s.sqlite");
    store::update_atomically(path, [](store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    auto db = store::open_store(path, store::open_mode::read_write);
    auto a = db->create_scenario("a"), b = db->create_scenario("b");
    store::proposal_record p{0, a.id, "health", "Centro de Salud Tipo A", "p", -78.5, -0.2, "17D06C03"};
    p = db->add_proposal(p);
    db->delete_proposal(p);
    store::proposal_record q = p;
    q.scenario_id = b.id;
    q = db->add_proposal(q);
    EXPECT_NE(q.id, p.id);
    auto undone = db->undo_last_edit(a.id);
    ASSERT_TRUE(undone);
    EXPECT_EQ(undone->proposal.id, p.id);
    EXPECT_EQ(db->read_proposals().size(), 2u);
}

TEST(StoreSchema, AnUnknownVersionIsRefusedWithTheVersionsThisBuildReads) {
    scratch dir;
    std::string path = dir.path("s.sqlite");
    store::update_atomically(path, [](store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    {
        sqlite::connection db(path, sqlite::connection::mode::read_write);
        db.exec("UPDATE microplan_meta SET value = '7' WHERE key = 'schema_version'");
    }
    const std::string before = test::read_bytes(path);
    auto expect_refused = [&](const std::function<void()>& open) {
        try {
            open();
            ADD_FAILURE() << "a store of schema 7 was opened";
        } catch (const store_error& e) {
            std::string what = e.what();
            EXPECT_NE(what.find(path), std::string::npos) << what;
            EXPECT_NE(what.find("schema_version '7'"), std::string::npos) << what;
            EXPECT_NE(what.find("reads schema version 1 only"), std::string::npos) << what;
        }
    };
    expect_refused([&] { store::open_store(path, store::open_mode::read_only); });
    expect_refused([&] { store::open_store(path, store::open_mode::read_write); });
    expect_refused([&] { store::update_atomically(path, [](store::planning_store& db) { db.create_scenario("x"); }); });
    EXPECT_EQ(test::read_bytes(path), before);
    auto r = run(microplan_cmd("validate " + path));
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("schema_version '7'"), std::string::npos) << r.output;
}

TEST(StoreLinks, AStoreGivenAsALinkIsWrittenThroughAndStaysALink) {
    scratch dir;
    fs::create_directories(dir.path("real"));
    std::string real = dir.path("real/s.sqlite");
    store::update_atomically(real, [](store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    std::string link = dir.path("link.sqlite");
    fs::create_symlink("real/s.sqlite", link);  // relative, as `ln -s` users write it
    store::update_atomically(link, [](store::planning_store& db) {
        db.write_attributes(level::circuit, "through", {{"X", 1.0}}, "test");
    });
    store::open_store(link, store::open_mode::read_write)->create_scenario("edited through the link");
    EXPECT_TRUE(fs::is_symlink(link));
    auto attributes = store::open_store(real, store::open_mode::read_only)->read_attributes(level::circuit);
    EXPECT_EQ(attributes.count("through"), 1u);
    EXPECT_EQ(store::open_store(real, store::open_mode::read_only)->read_scenarios().size(), 1u);
    EXPECT_TRUE(fs::exists(dir.path("real/s.sqlite.lock")));
    for (const auto& e : fs::directory_iterator(dir.path("")))
        EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
    // A link whose target does not exist yet: the store is created there.
    std::string dangling = dir.path("new.sqlite");
    fs::create_symlink("real/new.sqlite", dangling);
    store::update_atomically(dangling, [](store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    EXPECT_TRUE(fs::is_symlink(dangling));
    EXPECT_TRUE(fs::is_regular_file(dir.path("real/new.sqlite")));
}

}  // namespace
}  // namespace microplan::geo
