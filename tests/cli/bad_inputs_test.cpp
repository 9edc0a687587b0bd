// The bad-input catalogue (BAD_INPUTS.md) cases not covered elsewhere: each gives its clear
// error (file, layer, feature, field, rule), exit code 2 or HTTP 400, and loses nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../service/http_client.hpp"
#include "../service/running_server.hpp"
#include "../support.hpp"

using namespace microplan::test;

namespace {

class BadInput : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / ("microplan-bad-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        store_ = (dir_ / "demo.sqlite").string();
        auto r = demo_store_at(store_);
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
    static std::string file(const std::string& name, const std::string& bytes) {
        std::string p = (dir_ / name).string();
        std::ofstream(p, std::ios::binary) << bytes;
        return p;
    }
    // Runs an import into a fresh store path and expects exit 2, `message`, and no store.
    static void import_fails(const std::string& source, const std::string& args, const std::string& message) {
        std::string store = (dir_ / "never.sqlite").string();
        std::filesystem::remove(store);
        auto r = run(microplan_cmd("import " + source + " -s " + store + " -l province " + args));
        EXPECT_EQ(r.exit_code, 2) << r.output;
        EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
        EXPECT_FALSE(std::filesystem::exists(store)) << "a failed import left a store behind";
    }
    static inline std::filesystem::path dir_;
    static inline std::string store_;
};

const std::string polygon = R"({"type":"Polygon","coordinates":[[[-78,-1],[-77,-1],[-77,0],[-78,-1]]]})";

std::string feature_collection(const std::string& properties, const std::string& geometry) {
    return R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":)" + properties +
           R"(,"geometry":)" + geometry + "}]}";
}

TEST_F(BadInput, TruncatedGeoPackage) {
    std::string gpkg = (dir_ / "whole.gpkg").string();
    auto made = run("ogr2ogr -f GPKG " + gpkg + " " + file("p.geojson", feature_collection(R"({"id":"17"})", polygon)));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    std::string bytes = read_bytes(gpkg);
    import_fails(file("truncated.gpkg", bytes.substr(0, bytes.size() / 3)), "",
                 "unreadable file: GDAL's GPKG driver recognises the file but cannot read it");
}

TEST_F(BadInput, RandomBytesNamedLikeAGeoPackage) {
    std::string noise(5000, '\0');
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919 + 13) % 251);
    import_fails(file("noise.gpkg", noise), "", "unsupported format: no GDAL vector driver can read it");
}

TEST_F(BadInput, HugeCoordinates) {
    import_fails(
        file("huge.geojson",
             feature_collection(R"({"id":"17","name":"X"})",
                                R"({"type":"Polygon","coordinates":[[[1e300,0],[1e300,1],[-1e300,1],[1e300,0]]]})")),
        "", "feature 0: cannot transform");
}

TEST_F(BadInput, NotANumberCoordinatesInWkt) {
    import_fails(file("nan.csv", "id,name,WKT\n17,X,\"POLYGON((nan nan,1 0,1 1,nan nan))\"\n"), "--s-srs EPSG:4326",
                 "feature 1: missing geometry");
}

// Found by fuzz_import (FUZZING.md): GEOS's refusal escaped without file or feature.
TEST_F(BadInput, AnUnclosedRing) {
    import_fails(
        file("open.csv", "id,name,WKT\n170150,Quito,\"POLYGON((-78.6 -0.2,-78.4 -0.3,-78.4 -0.1,-78.6 -0.3))\"\n"),
        "--s-srs EPSG:4326", "feature 1: unreadable geometry: GEOS WKB read failed");
}

TEST_F(BadInput, EmptyAndNullGeometries) {
    import_fails(file("empty.geojson", feature_collection(R"({"id":"17"})", "null")), "",
                 "feature 0: missing geometry");
    import_fails(
        file("empty2.geojson", feature_collection(R"({"id":"17"})", R"({"type":"MultiPolygon","coordinates":[]})")), "",
        "feature 0: missing geometry");
}

TEST_F(BadInput, TenMegabyteAttributeStrings) {
    const std::string huge(10 * 1024 * 1024, 'X');
    import_fails(file("big.geojson", feature_collection(R"({"id":"17","name":")" + huge + R"("})", polygon)), "",
                 "unreadable file");
    // A CSV line over GDAL's limit: the reason is given, not just "no rows".
    std::string before = read_bytes(store_);
    auto r = run(microplan_cmd("import establishments " +
                               file("big.csv", "id,name,sector,lon,lat\n1," + huge + ",salud,-78.5,-0.2\n") + " -s " +
                               store_ + " --append"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("the layer has no rows (GDAL: Maximum number of characters allowed reached"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(read_bytes(store_), before);
}

TEST_F(BadInput, NotANumberEstablishmentCoordinatesAreKeptAndReported) {
    std::string store = (dir_ / "nan.sqlite").string();
    std::filesystem::copy_file(store_, store, std::filesystem::copy_options::overwrite_existing);
    auto r =
        run(microplan_cmd("import establishments " +
                          file("nan_est.csv", "id,name,sector,lon,lat\n1,A,salud,NaN,NaN\n2,B,salud,-78.5,-0.2\n") +
                          " -s " + store + " --append"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("[point.not_a_number]"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("1 without usable coordinates"), std::string::npos) << r.output;
}

TEST_F(BadInput, WrongCrsIsWarnedAbout) {
    std::string store = (dir_ / "wrongcrs.sqlite").string();
    auto r =
        run(microplan_cmd("import " + file("lonlat.geojson", feature_collection(R"({"id":"17","name":"X"})", polygon)) +
                          " -s " + store + " -l province --s-srs EPSG:32717"));
    EXPECT_NE(r.output.find("[crs.outside_analysis_area]"), std::string::npos) << r.output;
}

TEST_F(BadInput, AStoreThatIsNotASqliteFile) {
    auto r = run(microplan_cmd("validate " + file("fake.sqlite", std::string(4096, 'Z'))));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("fake.sqlite"), std::string::npos) << r.output;
}

TEST_F(BadInput, ACorruptPopulationRaster) {
    auto r = run(microplan_cmd("access distance " + store_ + " --sector health --population " +
                               file("pop.tif", std::string(3000, '\x7f'))));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("pop.tif': cannot open the raster"), std::string::npos) << r.output;
}

TEST_F(BadInput, DeeplyNestedAndInvalidUtf8JsonBodies) {
    microplan::service::handler_options h;
    h.edit_token = "t";
    running_server server(store_, h);
    const std::map<std::string, std::string> auth = {{"Authorization", "Bearer t"},
                                                     {"Content-Type", "application/json"}};
    auto deep =
        http_request_to(server.port(), "POST", "/scenarios", auth, std::string(500000, '[') + std::string(500000, ']'));
    EXPECT_EQ(deep.status, 400u) << deep.body;
    EXPECT_NE(deep.body.find("nests deeper than 16 levels"), std::string::npos) << deep.body;
    auto utf8 = http_request_to(server.port(), "POST", "/scenarios", auth, "{\"name\":\"Taller \xff\xfe\"}");
    EXPECT_EQ(utf8.status, 400u) << utf8.body;
    EXPECT_NE(utf8.body.find("not valid JSON"), std::string::npos) << utf8.body;
    EXPECT_NE(utf8.body.find("UTF-8"), std::string::npos) << utf8.body;
    auto list = http_request_to(server.port(), "GET", "/scenarios");
    EXPECT_NE(list.body.find(R"("scenarios":[])"), std::string::npos) << list.body;  // nothing was created
}

}  // namespace
