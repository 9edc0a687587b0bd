// The workshop viewer end to end: microplan's server in this process, the viewer in Debian's
// headless chromium driven by playwright-core (web/tests/viewer.test.mjs). Leaves a
// screenshot beside the test binary (build/tests/viewer.png).
#include <gtest/gtest.h>

#include <filesystem>

#include "service/running_server.hpp"
#include "service/serve_process.hpp"
#include "support.hpp"

namespace microplan::test {
namespace {

const std::string web = std::string(MICROPLAN_DATA_DIR) + "/../web";

#define MICROPLAN_NEED_BROWSER()                                                                     \
    do {                                                                                             \
        if (!std::filesystem::exists("/usr/bin/chromium"))                                           \
            GTEST_SKIP() << "Debian's chromium is not installed (make test installs it); skipping";  \
        if (!std::filesystem::exists(web + "/node_modules/playwright-core") ||                       \
            !std::filesystem::exists(web + "/node_modules/maplibre-gl/dist/maplibre-gl.js"))         \
            GTEST_SKIP() << "web/node_modules is missing (make test runs npm ci in web/); skipping"; \
    } while (0)

// Generates the demo store (with `demo_args`, and the standards catalogue `catalogue` when
// given), serves it with the viewer and runs a web/tests script against it with the server's
// URL, `script_args` and a screenshot path beside the test binary (build/tests/NAME.png).
run_result run_viewer_script(const std::string& demo_args, service::handler_options o, const std::string& script,
                             const std::string& script_args, const std::string& name,
                             const std::string& catalogue = "") {
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    const std::string standards = catalogue.empty() ? "" : " --standards " + dir.write("standards.csv", catalogue);
    auto demo = run(std::string(MICROPLAN_BINARY) + " demo " + demo_args + standards + " --out " + store);
    if (demo.exit_code != 0) return demo;
    o.web_root = web;
    running_server server(store, o);
    // As `microplan serve` does at start: the live travel-time baselines built before the first
    // question, so that the times the scripts print are a served workshop's.
    if (auto* travel = server.state.current()->travel()) travel->prepare({});
    std::string shot = (std::filesystem::read_symlink("/proc/self/exe").parent_path() / (name + ".png")).string();
    auto r = run("node " + web + "/tests/" + script + " " + server.url() + " " + script_args + " " + shot);
    if (r.exit_code == 0 && !std::filesystem::exists(shot)) r.output += "\nno screenshot at " + shot;
    std::printf("%s", r.output.c_str());
    return r;
}

TEST(Viewer, HeadlessChromiumSwitchesIndicatorsShowsReportsAndEditsWithTheToken) {
    MICROPLAN_NEED_BROWSER();
    service::handler_options o;
    o.edit_token = "clave-de-prueba";
    auto r = run_viewer_script("", o, "viewer.test.mjs", "clave-de-prueba", "viewer");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("health deficit"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("no screenshot"), std::string::npos) << r.output;
}

// A store of boundaries and people without standards (as `build-ecuador` writes): the viewer
// shows population instead of failing.
TEST(Viewer, AStoreWithoutStandardsShowsPopulation) {
    MICROPLAN_NEED_BROWSER();
    auto r = run_viewer_script("--standards ''", {}, "boundaries.test.mjs", "", "viewer_boundaries");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("equals the OGC API items"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("no screenshot"), std::string::npos) << r.output;
}

// Standards all per district (as Ecuador's, here over the demo's age bands): the viewer opens at
// the district level, and for a circuit says the sector is planned per district instead of
// showing a coverage of 100 %.
TEST(Viewer, ASectorPlannedPerDistrictHasNoCircuitValue) {
    MICROPLAN_NEED_BROWSER();
    auto r = run_viewer_script(
        "", {}, "planned.test.mjs", "", "viewer_planned",
        "sector,typology,level,rule,people_per_unit,target_group,investment_cost,recurrent_cost,priority,note\n"
        "education,*,district,population,400,6-17,900000,250000,5,ILLUSTRATIVE\n"
        "health,*,district,population,10000,total,1200000,450000,5,ILLUSTRATIVE\n");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("se planifica por distrito"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("no screenshot"), std::string::npos) << r.output;
}

// The plan evaluation: the panel lists the criteria with the server's verdicts in Spanish and
// the map outlines the failing units; a plan file compared shows who changes unit and where.
TEST(Viewer, PlanEvaluationAndComparisonOfAPlanFile) {
    MICROPLAN_NEED_BROWSER();
    auto r = run_viewer_script("", {}, "evaluation.test.mjs", "", "viewer_evaluation");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("failing units outlined on the map"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("1 changed area on the map"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("no screenshot"), std::string::npos) << r.output;
}

// Closing the gap: the budget scenarios of the store in the picker, a plan's trajectory drawn per
// sector with the served closing years, and the required share of GDP to close every gap by a year.
TEST(Viewer, ThePlanIsDrawnPerSectorWithItsBudgetScenario) {
    MICROPLAN_NEED_BROWSER();
    auto r = run_viewer_script("", {}, "plan.test.mjs", "", "viewer_plan");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("closing years as served"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("close by 2030"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("no screenshot"), std::string::npos) << r.output;
}

// Monitoring (issue 20): the projects layer and the period slider, a zone's plan against actual
// and its projects' progress in the period, and the zone's scorecard with its traffic lights.
TEST(Viewer, TheMonitoringViewFollowsProjectsThroughThePeriodsAndShowsTheScorecard) {
    MICROPLAN_NEED_BROWSER();
    auto r = run_viewer_script("", {}, "monitoring.test.mjs", "", "viewer_monitoring");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("statuses of 2025-06 as served"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("2026-06: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("lights as served"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("target lights of the 9 zones in 2026-06 as served"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("no screenshot"), std::string::npos) << r.output;
}

// The travel-time map layer follows a scenario's proposals (tiles recomputed live); an existing
// establishment is closed from its popup and reopened from its marker.
TEST(Viewer, TheTravelTimeLayerFollowsTheScenario) {
    MICROPLAN_NEED_BROWSER();
    service::handler_options o;
    o.edit_token = "clave-de-prueba";
    auto r = run_viewer_script("", o, "travel.test.mjs", "clave-de-prueba", "viewer_travel");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("its tile differs from the baseline's"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("reopened from its marker"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("no screenshot"), std::string::npos) << r.output;
}

// The offline kit: `microplan export kit` on the demo, opened from file:// with no server; its
// PMTiles tiles are compared with a server of the same store byte for byte, its map and
// report with the server's answers.
TEST(Viewer, TheOfflineKitOpensFromItsFolder) {
    MICROPLAN_NEED_BROWSER();
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    auto kit =
        run(microplan_cmd("export kit " + store + " --out " + dir.path("kit") + " --max-zoom 9 --web-root " + web));
    ASSERT_EQ(kit.exit_code, 0) << kit.output;
    running_server server(store);
    const std::string shot =
        (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "viewer_kit.png").string();
    auto r = run("node " + web + "/tests/kit.test.mjs " + dir.path("kit") + " " + server.url() + " " + shot);
    std::printf("%s", r.output.c_str());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("no request left the folder"), std::string::npos) << r.output;
}

// `make run`: the viewer URL `microplan serve` prints on loopback without --edit-token carries a
// token made up for the run, with which the viewer edits and nobody types a token.
TEST(Viewer, TheUrlPrintedOnLoopbackCanEdit) {
    MICROPLAN_NEED_BROWSER();
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    serve_process server(dir, store + " --port 0 --access-log off --web-root " + web);
    ASSERT_NE(server.port(), 0) << server.output();
    const std::string viewer = server.printed("workshop viewer");
    const std::string shot =
        (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "viewer_token.png").string();
    auto r = run("node " + web + "/tests/token.test.mjs '" + viewer + "' " + shot);
    std::printf("%s", r.output.c_str());
    EXPECT_EQ(r.exit_code, 0) << r.output << server.output();
    EXPECT_NE(r.output.find("created with the URL's token"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace microplan::test
