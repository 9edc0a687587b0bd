// The workshop viewer end to end: microplan's server in this process, the viewer in Debian's
// headless chromium driven by playwright-core (web/tests/viewer.test.mjs). Leaves a
// screenshot beside the test binary (build/tests/viewer.png).
#include <gtest/gtest.h>

#include <filesystem>

#include "service/running_server.hpp"
#include "support.hpp"

namespace microplan::test {
namespace {

TEST(Viewer, HeadlessChromiumSwitchesIndicatorsShowsReportsAndEditsWithTheToken) {
    const std::string web = std::string(MICROPLAN_DATA_DIR) + "/../web";
    if (!std::filesystem::exists("/usr/bin/chromium"))
        GTEST_SKIP() << "Debian's chromium is not installed (make test installs it); skipping";
    if (!std::filesystem::exists(web + "/node_modules/playwright-core") ||
        !std::filesystem::exists(web + "/node_modules/maplibre-gl/dist/maplibre-gl.js"))
        GTEST_SKIP() << "web/node_modules is missing (make test runs npm ci in web/); skipping";
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(run(std::string(MICROPLAN_BINARY) + " demo --out " + store).exit_code, 0);
    service::handler_options o;
    o.edit_token = "clave-de-prueba";
    o.web_root = web;
    running_server server(store, o);
    std::string shot = (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "viewer.png").string();
    auto r = run("node " + web + "/tests/viewer.test.mjs " + server.url() + " clave-de-prueba " + shot);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("health deficit"), std::string::npos) << r.output;
    EXPECT_TRUE(std::filesystem::exists(shot));
    std::printf("%s", r.output.c_str());
}

}  // namespace
}  // namespace microplan::test
