// The HTTP handler against a stub domain: a snapshot of a few squares and points built in
// memory (no store file, no network), so routing, 404/405, the edit token, ETag/304, gzip,
// error mapping and a features page are checked in milliseconds. The same handler runs end to
// end on loopback over the demo store in server_test.cpp and openapi_test.cpp.
#include "microplan/service/request_handler.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace microplan::service {
namespace {

using nlohmann::json;

constexpr int district_count = 30;

tiles::multipolygon square(double x, double y, double size) {
    tiles::polygon p;
    p.rings.push_back({{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}});
    return {p};
}

// 30 districts, squares of 0.1 degree in a row from (-79, -1), with 1000 * (i + 1) people,
// and two establishments, one in the first district and one in the last.
std::shared_ptr<const snapshot> stub_snapshot() {
    collection districts;
    districts.id = "districts";
    districts.title = "Distritos";
    districts.lvl = geo::level::district;
    districts.queryables = {{"code", "string", "Código"}, {"population", "number", "Población"}};
    for (int i = 0; i < district_count; ++i) {
        feature_record f;
        f.fid = i + 1;
        char code[8];
        std::snprintf(code, sizeof code, "D%02d", i + 1);
        f.properties = {{"code", code},
                        {"name", "Distrito " + std::to_string(i + 1)},
                        {"parent", "Z1"},
                        {"population", 1000 * (i + 1)}};
        f.lonlat = square(-79 + 0.1 * i, -1, 0.1);
        districts.features.push_back(std::move(f));
    }
    collection establishments;
    establishments.id = "establishments";
    establishments.title = "Establecimientos";
    establishments.queryables = {{"sector", "string", "Sector"}};
    for (int i : {0, district_count - 1}) {
        feature_record f;
        f.fid = 100 + i;
        f.properties = {{"id", "E" + std::to_string(i)}, {"name", "Puesto"}, {"sector", "health"}};
        f.location = tiles::point{-79 + 0.1 * i + 0.05, -0.95};
        establishments.features.push_back(std::move(f));
    }
    std::vector<collection> parts;
    parts.push_back(std::move(districts));
    parts.push_back(std::move(establishments));
    return snapshot::from_parts(std::move(parts));
}

class StubHandler : public ::testing::Test {
protected:
    StubHandler() : state(stub_snapshot(), 1024 * 1024) {}

    http_response send(const std::string& method, const std::string& target, const handler_options& options = {},
                       const std::function<void(http_request&)>& adjust = {}) {
        request_handler handler(state, options);
        http_request r;
        r.method = method;
        r.target = target;
        r.host = "example.org";
        if (adjust) adjust(r);
        return handler.handle(r);
    }
    http_response get(const std::string& target, const std::function<void(http_request&)>& adjust = {}) {
        return send("GET", target, {}, adjust);
    }
    static std::string header(const http_response& r, const std::string& name) {
        for (const auto& [k, v] : r.headers)
            if (k == name) return v;
        return {};
    }
    static json body(const http_response& r) { return json::parse(*r.body); }
    // A client mistake: the status and JSON {"code","message"} with `code`.
    static void expect_error(const http_response& r, unsigned status, const std::string& code) {
        EXPECT_EQ(r.status, status) << *r.body;
        json b = json::parse(*r.body, nullptr, false);
        ASSERT_FALSE(b.is_discarded()) << *r.body;
        EXPECT_EQ(b["code"], code) << *r.body;
        EXPECT_TRUE(b["message"].is_string());
    }

    store_state state;
};

TEST_F(StubHandler, EveryFamilyIsReachedThroughTheTable) {
    EXPECT_EQ(body(get("/"))["links"].size(), 6u);
    EXPECT_EQ(body(get("/collections"))["collections"].size(), 2u);
    EXPECT_EQ(body(get("/collections/districts"))["id"], "districts");
    json item = body(get("/collections/districts/items/3"));
    EXPECT_EQ(item["id"], 3);
    EXPECT_EQ(item["properties"]["code"], "D03");
    EXPECT_TRUE(body(get("/collections/districts/queryables"))["properties"].contains("population"));
    EXPECT_EQ(body(get("/geojson/establishments.geojson"))["features"].size(), 2u);
    EXPECT_EQ(body(get("/geojson/districts"))["features"].size(), std::size_t(district_count));
    EXPECT_EQ(body(get("/conformance"))["conformsTo"].size(), 14u);  // Parts 1-3, CQL2 and Part 4
    auto tile = get("/tiles/all/0/0/0.mvt");
    EXPECT_EQ(tile.status, 200u);
    EXPECT_EQ(tile.content_type, "application/vnd.mapbox-vector-tile");
    EXPECT_GT(tile.body->size(), 100u);
    EXPECT_EQ(get("/tiles/districts/0/0/0.pbf").status, 200u);
    EXPECT_EQ(body(get("/tiles/districts.json"))["vector_layers"].size(), 1u);
    EXPECT_EQ(body(get("/styles/microplan"))["version"], 8);
    json health = body(get("/health"));
    EXPECT_EQ(health["store"], "(in memory)");
    EXPECT_EQ(health["planning"], false);
    EXPECT_EQ(get("/favicon.ico").status, 204u);
    // HEAD is answered as GET (the connection drops the body).
    auto head = send("HEAD", "/collections");
    EXPECT_EQ(head.status, 200u);
    EXPECT_EQ(header(head, "ETag"), header(get("/collections"), "ETag"));
    // The links use the Host the client reached.
    EXPECT_EQ(body(get("/collections"))["links"][0]["href"], "http://example.org/collections");
}

TEST_F(StubHandler, UnknownPathsAre404AndOtherMethods405WithAllow) {
    expect_error(get("/nothing/here"), 404, "NotFound");
    expect_error(get("/collections/districts/items/3/more"), 404, "NotFound");
    expect_error(send("POST", "/nothing/here"), 404, "NotFound");
    auto post = send("POST", "/collections");
    expect_error(post, 405, "MethodNotAllowed");
    EXPECT_EQ(header(post, "Allow"), "GET, HEAD");
    auto undo = get("/scenarios/1/undo");
    expect_error(undo, 405, "MethodNotAllowed");
    EXPECT_EQ(header(undo, "Allow"), "POST");
    EXPECT_EQ(header(send("PUT", "/scenarios"), "Allow"), "GET, HEAD, POST");
    EXPECT_EQ(header(send("TRACE", "/scenarios/4"), "Allow"), "GET, HEAD, PATCH, DELETE");
    // A preflight is answered on any path, as CORS wants.
    auto options = send("OPTIONS", "/collections");
    EXPECT_EQ(options.status, 204u);
    EXPECT_EQ(header(options, "Allow"), "GET, HEAD, OPTIONS");
    EXPECT_EQ(header(options, "Access-Control-Allow-Origin"), "*");
}

TEST_F(StubHandler, EditsNeedTheTokenBeforeAnythingElse) {
    expect_error(send("DELETE", "/scenarios/1"), 403, "EditingDisabled");
    handler_options o;
    o.edit_token = "secret";
    auto wrong = send("POST", "/scenarios", o, [](http_request& r) { r.authorization = "Bearer nope"; });
    expect_error(wrong, 401, "Unauthorized");
    EXPECT_EQ(header(wrong, "WWW-Authenticate"), "Bearer");
    // Edits are not readable cross-site unless allowed.
    EXPECT_EQ(header(wrong, "Access-Control-Allow-Origin"), "");
    // With the token, the handler runs: this server keeps no scenario book.
    expect_error(send("POST", "/scenarios", o, [](http_request& r) { r.authorization = "Bearer secret"; }), 404,
                 "NotAvailable");
    expect_error(get("/scenarios"), 404, "NotAvailable");
}

TEST_F(StubHandler, EtagsGiveNotModifiedAndLargeBodiesAreGzipped) {
    auto first = get("/collections/districts/items");
    ASSERT_EQ(first.status, 200u);
    std::string etag = header(first, "ETag");
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(header(first, "Cache-Control"), "no-cache");
    EXPECT_EQ(header(first, "Content-Encoding"), "");
    auto again = get("/collections/districts", [](http_request& r) { r.if_none_match = "\"other\""; });
    EXPECT_EQ(again.status, 200u);
    std::string collection_etag = header(again, "ETag");
    auto not_modified = get("/collections/districts", [&](http_request& r) { r.if_none_match = collection_etag; });
    EXPECT_EQ(not_modified.status, 304u);
    EXPECT_TRUE(not_modified.body->empty());
    auto tile = get("/tiles/all/0/0/0.mvt");
    auto tile304 = get("/tiles/all/0/0/0.mvt", [&](http_request& r) { r.if_none_match = header(tile, "ETag"); });
    EXPECT_EQ(tile304.status, 304u);
    // More than 1 KB to a client taking gzip: compressed (the feature page is).
    ASSERT_GT(first.body->size(), 1024u);
    auto gz = get("/collections/districts/items", [](http_request& r) { r.accept_encoding = "gzip, br"; });
    EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
    EXPECT_EQ(header(gz, "Vary"), "Accept-Encoding");
    EXPECT_LT(gz.body->size(), first.body->size());
    // Errors carry no ETag.
    EXPECT_EQ(header(get("/collections/nope"), "ETag"), "");
}

TEST_F(StubHandler, FailuresMapToStatusAndJsonOnce) {
    expect_error(get("/collections/nope/items"), 404, "NotFound");
    expect_error(get("/collections/districts/items/abc"), 404, "NotFound");
    expect_error(get("/collections/districts/items?bbox=1,2"), 400, "InvalidParameterValue");
    expect_error(get("/collections/districts/items?limit=0"), 400, "InvalidParameterValue");
    expect_error(get("/collections/districts/items?crs=EPSG:2154"), 400, "InvalidParameterValue");
    expect_error(get("/collections/districts/items?filter=secret%3D1"), 400, "InvalidParameterValue");
    expect_error(get("/tiles/districts/40/0/0.mvt"), 400, "InvalidParameterValue");
    expect_error(get("/tiles/nope/0/0/0.mvt"), 404, "NotFound");
    expect_error(get("/../../etc/passwd"), 400, "BadRequest");
    expect_error(get("relative"), 400, "BadRequest");
    // No planning model in the stub: every report says so.
    for (const char* target :
         {"/reports/coverage", "/reports/ranking", "/reports/district/D01", "/indicators/district", "/catalogue"})
        expect_error(get(target), 404, "NotAvailable");
    expect_error(get("/viewer/index.html"), 404, "NotFound");  // no web root
}

TEST_F(StubHandler, AFeaturesPageFiltersPagesAndLinks) {
    json page = body(get("/collections/districts/items?limit=4&offset=8"));
    EXPECT_EQ(page["type"], "FeatureCollection");
    EXPECT_EQ(page["numberMatched"], district_count);
    EXPECT_EQ(page["numberReturned"], 4);
    EXPECT_EQ(page["features"][0]["id"], 9);
    std::map<std::string, std::string> links;
    for (const auto& l : page["links"]) links[l["rel"]] = l["href"];
    EXPECT_EQ(links["next"], "http://example.org/collections/districts/items?limit=4&offset=12");
    EXPECT_EQ(links["prev"], "http://example.org/collections/districts/items?limit=4&offset=4");
    // The square of district 5 spans [-78.6, -78.5]; a box inside it meets only that one.
    json inside = body(get("/collections/districts/items?bbox=-78.58,-0.98,-78.52,-0.92"));
    ASSERT_EQ(inside["numberMatched"], 1);
    EXPECT_EQ(inside["features"][0]["properties"]["code"], "D05");
    EXPECT_EQ(body(get("/collections/districts/items?code=D07"))["features"][0]["id"], 7);
    EXPECT_EQ(body(get("/collections/districts/items?filter=population%20%3E%2025000"))["numberMatched"], 5);
    // Coordinates in EPSG:4326 come latitude first.
    json latlon = body(get("/collections/establishments/items/100?crs=EPSG:4326"));
    EXPECT_NEAR(latlon["geometry"]["coordinates"][0].get<double>(), -0.95, 1e-9);
    EXPECT_NEAR(latlon["geometry"]["coordinates"][1].get<double>(), -78.95, 1e-9);
    auto crs = get("/collections/establishments/items?crs=EPSG:4326");
    EXPECT_EQ(header(crs, "Content-Crs"), "<http://www.opengis.net/def/crs/EPSG/0/4326>");
}

TEST_F(StubHandler, ApiIsGeneratedFromTheTable) {
    request_handler handler(state, {});
    json api = body(get("/api"));
    EXPECT_EQ(api["openapi"], "3.0.3");
    EXPECT_EQ(api["servers"][0]["url"], "http://example.org");
    std::set<std::string> operation_ids;
    for (const route& r : handler.routes().routes()) {
        std::string method(method_name(r.method));
        std::transform(method.begin(), method.end(), method.begin(), ::tolower);
        ASSERT_TRUE(api["paths"].contains(r.pattern)) << r.pattern;
        EXPECT_TRUE(api["paths"][r.pattern].contains(method)) << method << " " << r.pattern;
        EXPECT_EQ(api["paths"][r.pattern][method].contains("security"), r.edits) << r.pattern;
    }
    // Every operation has a unique id, a summary and responses.
    for (const auto& [path, item] : api["paths"].items())
        for (const auto& [method, op] : item.items()) {
            EXPECT_TRUE(operation_ids.insert(op["operationId"]).second) << op["operationId"];
            EXPECT_FALSE(op["summary"].get<std::string>().empty()) << path;
            EXPECT_FALSE(op["responses"].empty()) << path;
            // Path parameters are those of the path.
            for (const auto& p : op.value("parameters", json::array())) {
                if (p["in"] != "path") continue;
                EXPECT_NE(path.find("{" + p["name"].get<std::string>() + "}"), std::string::npos) << path;
            }
        }
    // Each collection also has its own paths, with its queryables (what QGIS reads).
    auto items = api["paths"]["/collections/districts/items"]["get"];
    EXPECT_EQ(items["parameters"][0]["name"], "limit");
    EXPECT_EQ(items["parameters"][0]["schema"]["maximum"], features_service::max_limit);
    EXPECT_EQ(items["parameters"][0]["schema"]["default"], features_service::default_limit);
    EXPECT_EQ(items["parameters"].back()["name"], "population");
    EXPECT_EQ(items["tags"][0], "districts");
    EXPECT_TRUE(api["paths"].contains("/collections/establishments/items/{featureId}"));
    EXPECT_TRUE(api["components"]["securitySchemes"].contains("editToken"));
    EXPECT_EQ(api["paths"]["/scenarios"]["post"]["responses"]["401"]["content"]["application/json"]["schema"]["$ref"],
              "#/components/schemas/exception");
}

}  // namespace
}  // namespace microplan::service
