// The viewer's cartography end to end (web/tests/cartography.test.mjs): a store of two zones,
// one with an island far away, served by microplan in this process and opened in headless
// chromium; one label per zone, the opening view on the mainland, the island one button away.
#include <gtest/gtest.h>

#include <filesystem>

#include "service/running_server.hpp"
#include "support.hpp"

namespace microplan::test {
namespace {

const std::string web = std::string(MICROPLAN_DATA_DIR) + "/../web";

std::string square(double x0, double y0, double x1, double y1) {
    auto p = [](double x, double y) { return "[" + std::to_string(x) + "," + std::to_string(y) + "]"; };
    return "[" + p(x0, y0) + "," + p(x1, y0) + "," + p(x1, y1) + "," + p(x0, y1) + "," + p(x0, y0) + "]";
}
std::string feature(const std::string& props, const std::vector<std::string>& polygons) {
    std::string coords;
    for (const auto& r : polygons) coords += (coords.empty() ? "[" : ",[") + r + "]";
    return R"({"type":"Feature","properties":)" + props + R"(,"geometry":{"type":"MultiPolygon","coordinates":[)" +
           coords + "]}}";
}

}  // namespace

TEST(ViewerCartography, OneLabelPerZoneOpensOnTheMainlandAndTheIslandIsAButtonAway) {
    if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "Debian's chromium is not installed; skipping";
    if (!std::filesystem::exists(web + "/node_modules/playwright-core"))
        GTEST_SKIP() << "web/node_modules is missing (make web); skipping";
    scratch dir;
    // Z1: mainland and a coastal islet; Z2: mainland and an island 9° west.
    const std::string zones =
        R"({"type":"FeatureCollection","features":[)" +
        feature(R"({"code":"Z1","name":"ZONA 1"})", {square(-81, -5, -78, 1), square(-81.6, -2.2, -81.3, -1.9)}) + "," +
        feature(R"({"code":"Z2","name":"ZONA 2"})", {square(-78, -5, -75, 1), square(-91, -1.5, -89, 0.5)}) + "]}";
    const std::string provinces =
        R"({"type":"FeatureCollection","features":[)" +
        feature(R"({"code":"01","name":"COSTA"})", {square(-81, -5, -78, 1), square(-81.6, -2.2, -81.3, -1.9)}) + "," +
        feature(R"({"code":"02","name":"SIERRA"})", {square(-78, -5, -75, 1)}) + "," +
        feature(R"({"code":"20","name":"ISLAS LEJANAS"})", {square(-91, -1.5, -89, 0.5)}) + "]}";
    // One district and one circuit per zone, the same shapes: the viewer draws all three levels.
    auto below = [&](const char* z1, const char* z2) {
        return R"({"type":"FeatureCollection","features":[)" +
               feature(std::string(R"({"code":")") + z1 + R"(","name":"UNO"})",
                       {square(-81, -5, -78, 1), square(-81.6, -2.2, -81.3, -1.9)}) +
               "," +
               feature(std::string(R"({"code":")") + z2 + R"(","name":"DOS"})",
                       {square(-78, -5, -75, 1), square(-91, -1.5, -89, 0.5)}) +
               "]}";
    };
    std::string districts = below("01D01", "02D01");
    districts.replace(districts.find(R"("name":"UNO")"), 12, R"("name":"UNO","parent":"Z1")");
    districts.replace(districts.find(R"("name":"DOS")"), 12, R"("name":"DOS","parent":"Z2")");
    const std::string circuits = below("01D01C01", "02D01C01");
    std::string store = dir.path("islands.sqlite");
    for (const auto& [level, text] : {std::pair{"zone", zones}, std::pair{"district", districts},
                                      std::pair{"circuit", circuits}, std::pair{"province", provinces}}) {
        std::string file = dir.write(std::string(level) + ".geojson", text);
        auto r = run(std::string(MICROPLAN_BINARY) + " import " + file + " --store " + store + " --level " + level);
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    service::handler_options o;
    o.web_root = web;
    running_server server(store, o);
    std::string shot =
        (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "viewer_cartography.png").string();
    auto r = run("timeout 300 node " + web + "/tests/cartography.test.mjs " + server.url() + " " + shot);
    std::printf("%s", r.output.c_str());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("one label per zone: Z1, Z2"), std::string::npos) << r.output;
}

}  // namespace microplan::test
