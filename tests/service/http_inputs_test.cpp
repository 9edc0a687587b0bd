// What the server answers to values a client should not send (issue 17's HTTP "should fix"
// class): numbers out of range are 400, never 500; text limits count characters and never cut
// one; unknown query parameters are 400 naming them; If-None-Match is a list of entity tags;
// clients see the store's file name, not its path; a short edit token is warned about.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "microplan/service/http.hpp"
#include "service/http_client.hpp"
#include "service/running_server.hpp"
#include "support.hpp"

namespace microplan::service {
namespace {

using nlohmann::json;
using test::http_get;
using test::http_request_to;

constexpr const char* token = "inputs-test-token-2026";
const std::string replacement_character = "\xEF\xBF\xBD";  // what a cut UTF-8 character becomes

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

class ServeInputs : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / ("microplan-serve-inputs-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        store_ = (dir_ / "demo.sqlite").string();
        auto r = test::demo_store_at(store_);
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
    void SetUp() override {
        handler_options o;
        o.edit_token = token;
        server = std::make_unique<test::running_server>(store_, o);
    }
    test::http_reply send(const std::string& method, const std::string& target, const std::string& body = "{}") {
        return http_request_to(
            server->port(), method, target,
            {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + token}}, body);
    }
    test::http_reply get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
        return http_get(server->port(), target, headers);
    }
    std::int64_t new_scenario() {
        auto r = send("POST", "/scenarios", R"({"name":"Taller"})");
        EXPECT_EQ(r.status, 201u) << r.body;
        return json::parse(r.body)["id"];
    }
    // A point where a health post may be proposed (an existing health establishment).
    std::pair<std::string, std::array<double, 2>> health_place() {
        json items = json::parse(get("/collections/establishments/items?sector=health&limit=1").body);
        const json& f = items["features"][0];
        return {f["properties"]["typology"], {f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][1]}};
    }
    static inline std::filesystem::path dir_;
    static inline std::string store_;
    std::unique_ptr<test::running_server> server;
};

void expect_error(const test::http_reply& r, unsigned status, const std::string& fragment, const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    json body = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << what << ": " << r.body;
    EXPECT_NE(body.value("message", "").find(fragment), std::string::npos) << what << ": " << r.body;
}

TEST_F(ServeInputs, ValuesOutOfRangeAre400NotServerErrors) {
    const std::string sid = std::to_string(new_scenario());
    auto [typology, at] = health_place();
    const std::string add = "/scenarios/" + sid + "/establishments";
    auto body = [&](const std::string& lon, const std::string& lat) {
        return R"({"sector":"health","typology":")" + typology + R"(","lon":)" + lon + R"(,"lat":)" + lat + "}";
    };
    // Beyond a double: the JSON parser's out_of_range was a 500.
    expect_error(send("POST", add, body("1e400", "0")), 400, "out of range", "lon 1e400");
    expect_error(send("POST", "/scenarios", R"({"name":1e400})"), 400, "out of range", "name 1e400");
    // Finite but not a place on Earth: 400 naming the field (was 422 quoting 300 digits).
    expect_error(send("POST", add, body("1e308", "1e308")), 400, "'lon' must lie in [-180, 180]", "lon 1e308");
    expect_error(send("POST", add, body(std::to_string(at[0]), "-91")), 400, "'lat' must lie in [-90, 90]", "lat -91");
    auto added = send("POST", add, body(std::to_string(at[0]), std::to_string(at[1])));
    ASSERT_EQ(added.status, 201u) << added.body;
    const std::string eid = std::to_string(json::parse(added.body)["id"].get<std::int64_t>());
    expect_error(send("PATCH", add + "/" + eid, R"({"lon":1e400,"lat":0})"), 400, "out of range", "move to 1e400");
    expect_error(send("PATCH", add + "/" + eid, R"({"lon":181,"lat":0})"), 400, "'lon' must lie", "move to 181");
    // Query values out of their range or not among their values.
    expect_error(get("/indicators/circuit?sector=health&minutes=1e308"), 400, "at most 1440", "minutes=1e308");
    expect_error(get("/indicators/circuit?sector=health&minutes=0"), 400, "more than 0", "minutes=0");
    expect_error(get("/indicators/circuit?closing=maybe"), 400, "parameter 'closing'", "closing=maybe");
    expect_error(get("/reports/coverage?by-typology=maybe"), 400, "parameter 'by-typology'", "by-typology=maybe");
    EXPECT_EQ(get("/reports/coverage?by-typology=1&level=zone").status, 200u);
    EXPECT_EQ(get("/indicators/circuit?sector=health&minutes=30").status, 200u);
    EXPECT_EQ(get("/health").status, 200u);
}

// Found by fuzz_http_request: raw bytes (not percent-encoded) in a target made a 500.
TEST_F(ServeInputs, RawBytesThatAreNotUtf8InTheTargetAre400) {
    auto r = get("/collections/circuits/items?limit=6&f=tc\xff\xfe");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("printable ASCII or UTF-8"), std::string::npos) << r.body;
    EXPECT_NO_THROW(EXPECT_TRUE(json::parse(r.body).is_object()));
}

TEST_F(ServeInputs, IncludePrivateCountsPrivateOfferOnTheBaselineOnly) {
    expect_error(get("/reports/coverage?include-private=maybe"), 400, "parameter 'include-private'",
                 "include-private=maybe");
    auto with = get("/reports/coverage?include-private=true&level=zone");
    ASSERT_EQ(with.status, 200u) << with.body;
    // The demo's establishments have no provider (public offer): the same answer.
    EXPECT_EQ(with.body, get("/reports/coverage?level=zone").body);
    expect_error(get("/reports/coverage?include-private=1&scenario=1"), 400, "baseline only",
                 "include-private with a scenario");
}

TEST_F(ServeInputs, TextLimitsCountCharactersAndNeverCutOne) {
    // 200 characters of two bytes each: within the limit of 200 characters (it was 200 bytes).
    const std::string enies = repeat("ñ", 200);
    auto created = send("POST", "/scenarios", json{{"name", enies}}.dump());
    ASSERT_EQ(created.status, 201u) << created.body;
    EXPECT_EQ(json::parse(created.body)["name"], enies);
    const std::string sid = std::to_string(json::parse(created.body)["id"].get<std::int64_t>());
    expect_error(send("POST", "/scenarios", json{{"name", enies + "ñ"}}.dump()), 422, "1 to 200 characters, not 201",
                 "201 characters");
    expect_error(send("POST", "/scenarios", json{{"name", "Taller\n2026"}}.dump()), 422, "control characters",
                 "a line break in a name");

    // A proposal's name: kept whole up to 200 characters (it was cut at 200 bytes, inside a
    // character); longer is refused rather than cut.
    auto [typology, at] = health_place();
    json p = {{"sector", "health"}, {"typology", typology}, {"lon", at[0]}, {"lat", at[1]}, {"name", enies}};
    auto added = send("POST", "/scenarios/" + sid + "/establishments", p.dump());
    ASSERT_EQ(added.status, 201u) << added.body;
    EXPECT_EQ(json::parse(added.body)["properties"]["name"], enies);
    json shown = json::parse(get("/scenarios/" + sid).body);
    EXPECT_EQ(shown["establishments"]["features"][0]["properties"]["name"], enies);
    p["name"] = "x" + enies;
    expect_error(send("POST", "/scenarios/" + sid + "/establishments", p.dump()), 422, "at most 200 characters",
                 "a 201-character proposal name");

    // Messages quoting a client's value cut it between characters ("a" first shifts every "ñ"
    // to an odd byte offset, where a byte cut fell inside one).
    const std::string odd = "a" + repeat("ñ", 100);
    for (const std::string& target :
         {"/tiles/" + odd + ".json", "/collections/circuits/items?limit=" + odd, "/reports/coverage?sector=" + odd,
          "/collections/circuits/items/" + odd, "/reports/district/" + odd}) {
        auto r = get(target);
        EXPECT_GE(r.status, 400u) << target;
        EXPECT_EQ(r.body.find(replacement_character), std::string::npos) << target << ": " << r.body;
        EXPECT_NE(r.body.find("ñ..."), std::string::npos) << target << ": " << r.body;
    }
}

TEST_F(ServeInputs, UnknownQueryParametersAre400NamingThemAndWhatTheRouteTakes) {
    auto typo = get("/collections/circuits/items?limt=10");
    expect_error(typo, 400, "unknown query parameter 'limt'", "limt");
    EXPECT_NE(typo.body.find("limit, offset, bbox"), std::string::npos) << typo.body;
    EXPECT_NE(typo.body.find("the collection's queryables: code, name"), std::string::npos) << typo.body;
    expect_error(get("/health?verbose=1"), 400, "'verbose' for /health; it takes none", "health");
    expect_error(get("/reports/ranking?levl=zone"), 400, "unknown query parameter 'levl'", "levl");
    expect_error(get("/tiles/all/0/0/0.mvt?v=2"), 400, "unknown query parameter 'v'", "tile");
    expect_error(get("/scenarios/1/compare?sectr=health"), 400, "unknown query parameter 'sectr'", "compare");
    // What a route declares, its queryables and the standard parameters OGC clients send.
    EXPECT_EQ(get("/collections/circuits/items?limit=2&offset=1&crs=EPSG:4326&precision=3").status, 200u);
    EXPECT_EQ(get("/collections/circuits/items?code=01D01C01&name=x").status, 200u);
    EXPECT_EQ(get("/collections/circuits/items?f=json&datetime=2020-01-01T00:00:00Z&sortby=code&properties=code"
                  "&skipGeometry=true&filter-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84")
                  .status,
              200u);
    EXPECT_EQ(get("/collections?f=json").status, 200u);
    EXPECT_EQ(get("/collections/circuits?f=json").status, 200u);
    EXPECT_EQ(get("/conformance?f=json").status, 200u);
    EXPECT_EQ(get("/api?f=json").status, 200u);
    EXPECT_EQ(get("/geojson/zones.geojson?code=01").status, 200u);
    EXPECT_EQ(get("/indicators/circuit?sector=health&scenario=0&closing=true&minutes=30&f=csv").status, 200u);
    // An unknown collection stays a 404, whatever its parameters.
    EXPECT_EQ(get("/collections/nope/items?code=1").status, 404u);

    // GDAL's OGC API - Features driver with a spatial and an attribute filter: every request
    // it sends is accepted (a 400 would fail the read).
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(("OAPIF:" + server->url()).c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(ds);
    OGRLayer* circuits = ds->GetLayerByName("circuits");
    ASSERT_NE(circuits, nullptr);
    circuits->SetSpatialFilterRect(-79.0, -2.5, -78.0, -1.5);
    ASSERT_EQ(circuits->SetAttributeFilter("population > 1000 AND code LIKE '%C0%'"), OGRERR_NONE);
    CPLErrorReset();
    std::size_t read = 0;
    for (auto& f : *circuits) read += f ? 1 : 0;
    EXPECT_GT(read, 0u);
    EXPECT_EQ(CPLGetLastErrorType(), CE_None) << CPLGetLastErrorMsg();
}

TEST(IfNoneMatch, IsAListOfEntityTagsComparedWeakly) {
    const std::string etag = "\"00ab\"";
    EXPECT_TRUE(if_none_match_matches("\"00ab\"", etag));
    EXPECT_TRUE(if_none_match_matches("*", etag));
    EXPECT_TRUE(if_none_match_matches(" * ", etag));
    EXPECT_TRUE(if_none_match_matches("\"x\", \"00ab\"", etag));
    EXPECT_TRUE(if_none_match_matches("\"x\",\"00ab\" ,\"y\"", etag));
    EXPECT_TRUE(if_none_match_matches("W/\"00ab\"", etag));
    EXPECT_TRUE(if_none_match_matches("\"a,b\", W/\"00ab\"", etag));  // a comma inside a tag
    EXPECT_FALSE(if_none_match_matches("", etag));
    EXPECT_FALSE(if_none_match_matches("\"00abc\"", etag));
    EXPECT_FALSE(if_none_match_matches("\"x00ab\"", etag));
    EXPECT_FALSE(if_none_match_matches("x\"00ab\"x", etag));  // the tag inside garbage: malformed
    EXPECT_FALSE(if_none_match_matches("\"00ab", etag));      // unterminated
    EXPECT_FALSE(if_none_match_matches("00ab", etag));        // unquoted
    EXPECT_FALSE(if_none_match_matches("w/\"00ab\"", etag));  // W/ is case-sensitive
}

TEST_F(ServeInputs, IfNoneMatchAnswers304ForAnyTagOfTheListOrStar) {
    auto first = get("/collections/circuits");
    const std::string etag = first.headers["ETag"];
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(get("/collections/circuits", {{"If-None-Match", "*"}}).status, 304u);
    EXPECT_EQ(get("/collections/circuits", {{"If-None-Match", "\"other\", " + etag}}).status, 304u);
    EXPECT_EQ(get("/collections/circuits", {{"If-None-Match", "W/" + etag}}).status, 304u);
    EXPECT_EQ(get("/collections/circuits", {{"If-None-Match", "\"other\""}}).status, 200u);
    EXPECT_EQ(get("/collections/circuits", {{"If-None-Match", "x" + etag + "x"}}).status, 200u);
    auto tile = get("/tiles/circuits/0/0/0.mvt");
    ASSERT_EQ(tile.status, 200u);
    EXPECT_EQ(get("/tiles/circuits/0/0/0.mvt", {{"If-None-Match", "*"}}).status, 304u);
    EXPECT_EQ(get("/tiles/circuits/0/0/0.mvt", {{"If-None-Match", "\"a\", " + tile.headers["ETag"]}}).status, 304u);
}

TEST_F(ServeInputs, ClientsSeeTheStoreFileNameNotItsPath) {
    const std::string folder = dir_.string();
    json health = json::parse(get("/health").body);
    EXPECT_EQ(health["store"], "demo.sqlite");
    auto landing = get("/?f=html");
    EXPECT_NE(landing.body.find("<code>demo.sqlite</code>"), std::string::npos);
    EXPECT_EQ(landing.body.find(folder), std::string::npos);

    // A store of boundaries only: the answers saying why there are no reports or scenarios
    // name the store by its file name.
    test::scratch dir;
    const std::string boundaries = dir.path("limites.sqlite");
    const std::string sq = "[[-79.0,-1.0],[-78.9,-1.0],[-78.9,-0.9],[-79.0,-0.9],[-79.0,-1.0]]";
    const std::string zones =
        dir.write("z.geojson", test::feature_collection(test::polygon_feature(R"({"code":"01","name":"Zona 1"})", sq)));
    auto imported = test::run(test::microplan_cmd("import " + zones + " -s " + boundaries + " -l zone"));
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    handler_options o;
    o.edit_token = token;
    test::running_server plain(boundaries, o);
    json plain_health = json::parse(http_get(plain.port(), "/health").body);
    EXPECT_EQ(plain_health["store"], "limites.sqlite");
    for (const auto& r : {http_get(plain.port(), "/reports/ranking"),
                          http_request_to(plain.port(), "POST", "/scenarios",
                                          {{"Authorization", std::string("Bearer ") + token}}, R"({"name":"x"})")}) {
        EXPECT_EQ(r.status, 404u) << r.body;
        EXPECT_EQ(r.body.find(std::filesystem::path(boundaries).parent_path().string()), std::string::npos) << r.body;
        EXPECT_NE(r.body.find("NotAvailable"), std::string::npos) << r.body;
    }
}

TEST(ServeEditToken, AShortTokenIsWarnedAboutAtStart) {
    test::scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(test::demo_store_at(store).exit_code, 0);
    // Serves until it prints its URL (up to 60 s on loaded machines), then SIGTERM.
    auto serve_with = [&](const std::string& token_value) {
        const std::string log = dir.path("log");
        return test::run(
            "(" +
            test::microplan_cmd("serve " + store + " --port 0 --access-log off --edit-token '" + token_value + "'") +
            " > " + log + " 2>&1 & pid=$!; for i in $(seq 600); do grep -q 'microplan serving' " + log +
            " && break; sleep 0.1; done; kill -TERM $pid; wait $pid; echo exit=$?; cat " + log + ")");
    };
    auto short_token = serve_with("x");
    EXPECT_NE(short_token.output.find("warning: the edit token has only 1 character"), std::string::npos)
        << short_token.output;
    EXPECT_NE(short_token.output.find("exit=0"), std::string::npos) << short_token.output;
    auto fifteen = serve_with(repeat("ñ", 15));  // 30 bytes, 15 characters: still short
    EXPECT_NE(fifteen.output.find("has only 15 characters"), std::string::npos) << fifteen.output;
    auto long_token = serve_with("d1b6a0c3f2e94b8c9a7e5d4c");
    EXPECT_EQ(long_token.output.find("warning"), std::string::npos) << long_token.output;
    EXPECT_NE(long_token.output.find("exit=0"), std::string::npos) << long_token.output;
}

}  // namespace
}  // namespace microplan::service
