// One small file must not replace a whole level, sector or year without the user saying so
// (issue 17, must fix 4): refused with exit 2 and the store unchanged byte for byte, accepted
// with --replace, and every replacement reported. On copies of the demo store.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "microplan/geo/population/population.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "support.hpp"

using namespace microplan::test;
namespace geo = microplan::geo;

namespace {

// The demo store, made once for the suite (it takes seconds); each test works on a copy.
class Replace : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        folder_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                            ("microplan-Replace-demo-" + std::to_string(::getpid())));
        std::filesystem::create_directories(*folder_);
        demo_result_ = new run_result(demo_store_at(demo_path()));
    }
    static void TearDownTestSuite() {
        std::filesystem::remove_all(*folder_);
        delete folder_;
        delete demo_result_;
    }
    static std::string demo_path() { return (*folder_ / "demo.sqlite").string(); }

    void SetUp() override { ASSERT_EQ(demo_result_->exit_code, 0) << demo_result_->output; }

    // A copy of the demo store in the test's folder.
    std::string demo_copy(const scratch& dir, const std::string& name = "demo.sqlite") const {
        std::string path = dir.path(name);
        std::filesystem::copy_file(demo_path(), path);
        return path;
    }

    // Runs `args` on `store`, expecting a refusal: exit 2, every fragment in the message, and
    // the store byte for byte as it was.
    static void expect_refused(const std::string& store, const std::string& args,
                               std::initializer_list<std::string> fragments) {
        const std::string before = read_bytes(store);
        auto r = run(microplan_cmd(args));
        EXPECT_EQ(r.exit_code, 2) << r.output;
        for (const auto& f : fragments) EXPECT_NE(r.output.find(f), std::string::npos) << f << " in: " << r.output;
        EXPECT_TRUE(read_bytes(store) == before) << "a refused import changed the store";
    }

    static std::size_t circuits(const std::string& store) {
        return geo::store::open_store(store, geo::store::open_mode::read_only)
            ->read_unit_records(geo::level::circuit)
            .size();
    }
    // Establishments of `sector` (those placed in a unit when `placed_only`); of the other
    // sectors when `others`.
    static std::size_t establishments(const std::string& store, const std::string& sector, bool placed_only = false,
                                      bool others = false) {
        std::size_t n = 0;
        for (const auto& e : geo::store::open_store(store, geo::store::open_mode::read_only)->read_establishments())
            if ((e.attributes.sector == sector) != others &&
                (!placed_only || e.placement == "inside" || e.placement == "snapped"))
                ++n;
        return n;
    }

private:
    static inline std::filesystem::path* folder_ = nullptr;
    static inline run_result* demo_result_ = nullptr;
};

const std::string square = "[[-78.6,-0.3],[-78.5,-0.3],[-78.5,-0.2],[-78.6,-0.2],[-78.6,-0.3]]";

}  // namespace

TEST_F(Replace, OneCircuitDoesNotReplaceTheLevelWithoutTheFlag) {
    scratch dir;
    const std::string store = demo_copy(dir);
    const std::string one =
        dir.write("one.geojson", feature_collection(polygon_feature(R"({"code":"17D06C01"})", square)));
    const std::string cmd = "import " + one + " -s " + store + " -l circuit";
    expect_refused(store, cmd,
                   {"microplan: file '" + one + "', layer 'one': replacement refused: circuits: the store " + store +
                        " holds 1134, this source brings 1, fewer than half; nothing was written",
                    "--replace"});
    auto r = run(microplan_cmd(cmd + " --replace"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("circuits: 1134 → 1 (replaced with --replace)"), std::string::npos) << r.output;
    EXPECT_EQ(circuits(store), 1u);
    // Re-importing the same one circuit is no shrink; the JSON report tells it too.
    auto again = run(microplan_cmd(cmd + " --json"));
    ASSERT_EQ(again.exit_code, 0) << again.output;
    auto j = nlohmann::json::parse(again.output.substr(again.output.find('{')));
    EXPECT_EQ(j["replaced"]["what"], "circuits");
    EXPECT_EQ(j["replaced"]["before"], 1);
    EXPECT_EQ(j["replaced"]["after"], 1);
    EXPECT_EQ(j["replaced"]["forced"], false);
}

TEST_F(Replace, ACorrectedReImportOfMostOfTheLevelPasses) {
    scratch dir;
    // The demo's own circuits, exported as a planner would: 600 of 1134 pass, 500 do not.
    for (int n : {600, 500}) {
        const std::string store = demo_copy(dir, "demo" + std::to_string(n) + ".sqlite");
        const std::string out = dir.path("circuits" + std::to_string(n) + ".geojson");
        auto ogr = run("ogr2ogr -f GeoJSON " + out + " " + demo_path() +
                       " -sql \"SELECT code, name, geom FROM circuits WHERE fid <= " + std::to_string(n) + "\"");
        ASSERT_EQ(ogr.exit_code, 0) << ogr.output;
        const std::string cmd = "import " + out + " -s " + store + " -l circuit --code-field code";
        if (n == 600) {
            auto r = run(microplan_cmd(cmd));
            ASSERT_EQ(r.exit_code, 0) << r.output;
            EXPECT_NE(r.output.find("circuits: 1134 → 600 (replaced)"), std::string::npos) << r.output;
            EXPECT_EQ(circuits(store), 600u);
        } else {
            expect_refused(store, cmd, {"circuits: the store " + store + " holds 1134, this source brings 500"});
        }
    }
}

TEST_F(Replace, EstablishmentsWithoutCoordinatesDoNotReplaceTheirSector) {
    scratch dir;
    const std::string store = demo_copy(dir);
    const std::size_t health = establishments(store, "health");
    const std::size_t placed = establishments(store, "health", true);
    ASSERT_GT(health, 10u);
    // A registry without coordinates (as the MSP list): nothing can be placed.
    const std::string csv = dir.write("msp.csv",
                                      "unicodigo;nombre;longitud;latitud\n"
                                      "1;Centro de Salud A;;\n"
                                      "2;Hospital B;;\n");
    const std::string cmd = "import establishments " + csv + " -s " + store + " --sector salud";
    expect_refused(
        store, cmd,
        {"replacement refused: health establishments: the store " + store + " holds " + std::to_string(health) + " (" +
             std::to_string(placed) + " placed in a unit), this source brings 2 (0 placed in a unit), fewer than half",
         "--replace"});
    // --append replaces nothing: never refused.
    auto appended = run(microplan_cmd(cmd + " --append"));
    ASSERT_EQ(appended.exit_code, 0) << appended.output;
    EXPECT_EQ(establishments(store, "health"), health + 2);
    auto r = run(microplan_cmd(cmd + " --replace"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("health establishments: " + std::to_string(health + 2) + " → 2, placed in a unit " +
                            std::to_string(placed) + " → 0 (replaced with --replace)"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(establishments(store, "health"), 2u);
    EXPECT_GT(establishments(store, "health", false, true), 0u);
}

TEST_F(Replace, APopulationTableOfOneUnitDoesNotReplaceTheYear) {
    scratch dir;
    const std::string store = demo_copy(dir);
    const std::size_t units = geo::store::open_store(store, geo::store::open_mode::read_only)
                                  ->read_population(geo::level::circuit, 2025)[geo::total_band]
                                  .size();
    ASSERT_GT(units, 1000u);
    const std::string csv = dir.write("one.csv", "code,population\n17D06C01,1000\n");
    const std::string cmd = "population table " + csv + " -s " + store + " -l circuit --year 2025";
    expect_refused(store, cmd,
                   {"replacement refused: circuit population 2025: the store " + store + " holds " +
                        std::to_string(units) + ", this source brings 1",
                    "--replace"});
    // A year the store does not hold (the demo has 2025-2035) is new: nothing replaced.
    auto other = run(microplan_cmd("population table " + csv + " -s " + store + " -l circuit --year 2020"));
    ASSERT_EQ(other.exit_code, 0) << other.output;
    EXPECT_NE(other.output.find("circuit population 2020: 0 → 1 (new)"), std::string::npos) << other.output;
}
