// The command line and the server given one bad number (BAD_INPUTS.md, "Magnitudes and loops"):
// each used to run for ever, hang the server or be stored without a word; now each is one clear
// line on stderr with exit code 2 (the store untouched), or a refusal of the option's value.
// Every command runs under `timeout` and the whole test under a watchdog.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../service/http_client.hpp"
#include "../service/running_server.hpp"
#include "support.hpp"
#include "watchdog.hpp"

using namespace microplan::test;

namespace {

class BoundsCli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / ("microplan-bounds-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        store_ = (dir_ / "demo.sqlite").string();
        auto r = demo_store_at(store_);
        ASSERT_EQ(r.exit_code, 0) << r.output;
        // The demo catalogue with Tipo A at one establishment per 0.0001 people.
        std::ifstream in(std::string(MICROPLAN_DATA_DIR) + "/standards/demo.csv");
        std::ofstream out(dir_ / "tiny.csv");
        for (std::string line; std::getline(in, line);) {
            const std::string a = "health,Centro de Salud Tipo A,circuit,population,12000,";
            if (line.starts_with(a))
                line = "health,Centro de Salud Tipo A,circuit,population,0.0001," + line.substr(a.size());
            out << line << "\n";
        }
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
    static std::string file(const std::string& name, const std::string& bytes) {
        std::string p = (dir_ / name).string();
        std::ofstream(p, std::ios::binary) << bytes;
        return p;
    }
    // A copy of the demo store, for commands that would write.
    static std::string copy_of_store(const std::string& name) {
        std::string p = (dir_ / name).string();
        std::filesystem::copy_file(store_, p, std::filesystem::copy_options::overwrite_existing);
        return p;
    }
    // Runs microplan under a 5-minute timeout (exit 124 if it ever loops again).
    static run_result bounded(const std::string& args) { return run("timeout 300 " + microplan_cmd(args)); }
    static void refused(const std::string& args, const std::string& message) {
        auto r = bounded(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
        EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
    }
    static std::string tiny() { return (dir_ / "tiny.csv").string(); }
    static inline std::filesystem::path dir_;
    static inline std::string store_;
};

TEST_F(BoundsCli, ATinyPeoplePerUnitEndsPlanAndReportAtOnce) {
    watchdog guard(std::chrono::seconds(600));
    const std::string why = "column people_per_unit: '0.0001' must be between 1 and 10000000000";
    refused("plan " + store_ + " --standards " + tiny(), why);
    refused("report district " + store_ + " 01D01 --standards " + tiny(), why);
    refused("standards import " + copy_of_store("s.sqlite") + " " + tiny(), why);
}

TEST_F(BoundsCli, AStoredCatalogueBeyondTheBoundsIsRefusedAndTheServerKeepsServing) {
    watchdog guard(std::chrono::seconds(600));
    // A catalogue written before the bounds existed.
    std::string store = copy_of_store("old.sqlite");
    auto r = run("sqlite3 " + store +
                 " \"UPDATE standards SET people_per_unit = 0.0001 WHERE typology = 'Centro de Salud Tipo A'\"");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    refused("plan " + store, "invalid standards catalogue");
    refused("report district " + store + " 01D01", "column people_per_unit: '1e-04' must be between 1 and");
    // Two report requests used to take both server threads for ever; now the reports are not
    // available (the message says why) and everything else is served.
    running_server server(store);
    for (int i = 0; i < 2; ++i) {
        auto reply = http_get(server.port(), "/reports/district/01D01");
        EXPECT_EQ(reply.status, 404u) << reply.body;
        EXPECT_NE(reply.body.find("people_per_unit"), std::string::npos) << reply.body;
    }
    EXPECT_EQ(http_get(server.port(), "/health").status, 200u);
}

TEST_F(BoundsCli, APopulationOf1e308IsRefusedAndTheStoreLeftAsItWas) {
    watchdog guard(std::chrono::seconds(600));
    std::string store = copy_of_store("p.sqlite");
    const std::string before = read_bytes(store);
    refused("population table " + file("huge.csv", "code,poblacion\n01D01C01,1e308\n") + " -s " + store +
                " -l circuit --year 2025",
            "feature 1, code '01D01C01', field 'poblacion': population out of range: row 1: the total "
            "population of circuit 01D01C01: '1e308' must be between 0 and 10000000000");
    EXPECT_EQ(read_bytes(store), before);
    // And a store that holds one (written before the bound) plans no more for ever.
    auto r = run("sqlite3 " + store + " \"UPDATE population SET value = 1e308 WHERE code = '01D01C01'\"");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    refused("plan " + store, "population out of range");
}

TEST_F(BoundsCli, OptionValuesOutOfRangeAreRefusedWithTheirBound) {
    watchdog guard(std::chrono::seconds(600));
    refused("validate " + store_ + " --nesting-share 2", "--nesting-share: '2' must be between 0 and 1");
    refused("validate " + store_ + " --sliver-km2 -1", "--sliver-km2: '-1' must be between 0 and 10000");
    refused("plan " + store_ + " --until 99999", "--until: '99999' must be between 1800 and 2200");
    refused("plan " + store_ + " --growth 5", "--growth: '5' must be between -0.5 and 1");
    refused("plan " + store_ + " --budget 1e300", "--budget: '1e300' must be between 0 and 100000000000000");
    refused("plan " + store_ + " --year 99999999", "--year: '99999999' must be between 1800 and 2200");
    refused("plan " + store_ + " --until 2200", "horizon too long");
    std::string store = copy_of_store("y.sqlite");
    refused("population table " + file("t.csv", "code,poblacion\n01D01C01,5\n") + " -s " + store +
                " -l circuit --year 99999999",
            "--year: '99999999' must be between 1800 and 2200");
    refused("access sites " + store_ + " --sector health --population x.tif --target-pct 150",
            "--target-pct: '150' must be between 0 and 100");
    refused("access sites " + store_ + " --sector health --population x.tif --candidates 200",
            "'200' is no file: --candidates takes a point layer; the number of candidate cells is --max-candidates");
    refused("serve " + store_ + " --watch-seconds 1e9", "--watch-seconds");
}

TEST_F(BoundsCli, ImportsRefuseAnAnalysisCrsInDegreesAndNameAMissingDbf) {
    watchdog guard(std::chrono::seconds(600));
    std::string geojson = file(
        "u.geojson", feature_collection(polygon_feature(
                         R"({"code":"17"})", "[[-78.6,-0.3],[-78.5,-0.3],[-78.5,-0.2],[-78.6,-0.2],[-78.6,-0.3]]")));
    std::string store = (dir_ / "new.sqlite").string();
    refused("import " + geojson + " -s " + store + " -l province --analysis-crs EPSG:4326",
            "analysis CRS in degrees: the analysis CRS WGS 84 is geographic (degrees)");
    EXPECT_FALSE(std::filesystem::exists(store));
    std::string shp = (dir_ / "p.shp").string();
    auto made = run("ogr2ogr -f 'ESRI Shapefile' " + shp + " " + geojson);
    ASSERT_EQ(made.exit_code, 0) << made.output;
    std::filesystem::remove(dir_ / "p.dbf");
    refused("import " + shp + " -s " + store + " -l province",
            "missing sidecar file: " + (dir_ / "p.dbf").string() + " is missing");
}

TEST_F(BoundsCli, UnitCodesWithInvisibleCharactersOrObjectsAreRefused) {
    watchdog guard(std::chrono::seconds(600));
    const std::string ring = "[[-78.6,-0.3],[-78.5,-0.3],[-78.5,-0.2],[-78.6,-0.2],[-78.6,-0.3]]";
    std::string store = (dir_ / "codes.sqlite").string();
    refused("import " + file("z.geojson", feature_collection(polygon_feature("{\"code\":\"1\u200B7\"}", ring))) +
                " -s " + store + " -l province --code-field code",
            "code not plain text: '1\u200B7': character 2 is U+200B (zero-width space or joiner)");
    refused("import " + file("o.geojson", feature_collection(polygon_feature(R"({"code":{"id":17}})", ring))) + " -s " +
                store + " -l province --code-field code",
            "JSON object");
    EXPECT_FALSE(std::filesystem::exists(store));
}

}  // namespace
