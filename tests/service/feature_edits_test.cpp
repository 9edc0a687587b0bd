// OGC API - Features Part 4 on the establishments collection (issue 22): create, replace,
// update and delete with the edit token, optimistic locking by If-Match, what QGIS asks first
// (conformance, OPTIONS), and GDAL's OAPIF driver reading the result.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "service/http_client.hpp"
#include "service/running_server.hpp"
#include "support.hpp"

using namespace microplan;
using json = nlohmann::json;

namespace {

class FeatureEdits : public ::testing::Test {
protected:
    void SetUp() override {
        store = dir.path("demo.sqlite");
        ASSERT_EQ(test::demo_store_at(store).exit_code, 0);
        service::handler_options o;
        o.edit_token = "taller-2026";
        server = std::make_unique<test::running_server>(store, o);
    }
    test::http_reply send(const std::string& method, const std::string& target, const std::string& body = "",
                          const std::string& if_match = "") {
        std::map<std::string, std::string> h = {{"Authorization", "Bearer taller-2026"},
                                                {"Content-Type", "application/geo+json"}};
        if (!if_match.empty()) h["If-Match"] = if_match;
        return test::http_request_to(server->port(), method, target, h, body);
    }
    long long matched() {
        auto r = test::http_get(server->port(), "/collections/establishments/items?limit=1");
        return json::parse(r.body)["numberMatched"].get<long long>();
    }
    test::scratch dir;
    std::string store;
    std::unique_ptr<test::running_server> server;
};

const char* const created_body =
    R"({"type":"Feature","geometry":{"type":"Point","coordinates":[-78.5,-0.2]},)"
    R"("properties":{"name":"CS La Floresta","sector":"health","typology":"Centro de Salud Tipo A","capacity":40}})";

TEST_F(FeatureEdits, CreateReplaceUpdateDeleteWithOptimisticLocking) {
    // What a client such as QGIS asks before it offers editing.
    auto conformance = test::http_get(server->port(), "/conformance");
    EXPECT_NE(conformance.body.find("ogcapi-features-4/1.0/conf/create-replace-delete"), std::string::npos);
    auto options = test::http_request_to(server->port(), "OPTIONS", "/collections/establishments/items");
    EXPECT_NE(options.headers["Allow"].find("POST"), std::string::npos) << options.headers["Allow"];
    auto read_only = test::http_request_to(server->port(), "OPTIONS", "/collections/circuits/items");
    EXPECT_EQ(read_only.headers["Allow"].find("POST"), std::string::npos) << read_only.headers["Allow"];
    // Create: the token is needed; the feature is placed in its units and counted at once.
    const long long before = matched();
    auto anonymous =
        test::http_request_to(server->port(), "POST", "/collections/establishments/items", {}, created_body);
    EXPECT_EQ(anonymous.status, 401u);
    auto created = send("POST", "/collections/establishments/items", created_body);
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::string location = created.headers["Location"];
    ASSERT_NE(location.find("/collections/establishments/items/"), std::string::npos);
    const std::string path = location.substr(location.find("/collections/"));
    const std::string v1 = created.headers["ETag"];
    EXPECT_FALSE(v1.empty());
    const json feature = json::parse(created.body);
    EXPECT_FALSE(feature["properties"]["circuit_code"].get<std::string>().empty());
    EXPECT_EQ(matched(), before + 1);
    // QGIS's OAPIF provider (3.34 and later) asks a feature's URL which edits it takes.
    auto allow = test::http_request_to(server->port(), "OPTIONS", path).headers["Allow"];
    for (const char* m : {"PUT", "PATCH", "DELETE"}) EXPECT_NE(allow.find(m), std::string::npos) << allow;
    auto read = test::http_get(server->port(), path);
    ASSERT_EQ(read.status, 200u);
    EXPECT_EQ(read.headers["ETag"], v1);
    EXPECT_EQ(json::parse(read.body)["properties"]["name"], "CS La Floresta");
    EXPECT_EQ(json::parse(read.body)["properties"]["circuit_code"], feature["properties"]["circuit_code"]);
    // Update (a merge patch) with the version read: a new version.
    auto patched = send("PATCH", path, R"({"type":"Feature","properties":{"name":"CS Floresta Norte"}})", v1);
    ASSERT_EQ(patched.status, 200u) << patched.body;
    const std::string v2 = patched.headers["ETag"];
    EXPECT_NE(v2, v1);
    EXPECT_EQ(json::parse(patched.body)["properties"]["capacity"], 40.0);  // kept
    // An edit naming the old version changes nothing: 412.
    auto stale = send("PATCH", path, R"({"type":"Feature","properties":{"name":"Perdido"}})", v1);
    EXPECT_EQ(stale.status, 412u) << stale.body;
    EXPECT_NE(stale.body.find("changed since it was read"), std::string::npos) << stale.body;
    EXPECT_EQ(json::parse(test::http_get(server->port(), path).body)["properties"]["name"], "CS Floresta Norte");
    // Replace, moved to another district: placed again.
    auto replaced = send("PUT", path,
                         R"({"type":"Feature","geometry":{"type":"Point","coordinates":[-79.2,-4.0]},)"
                         R"("properties":{"name":"CS Loja","sector":"health","typology":"Centro de Salud Tipo A"}})",
                         "W/" + v2);
    ASSERT_EQ(replaced.status, 200u) << replaced.body;
    const json moved = json::parse(replaced.body);
    EXPECT_NE(moved["properties"]["district_code"], feature["properties"]["district_code"]);
    EXPECT_TRUE(moved["properties"].find("capacity") == moved["properties"].end());  // a replacement
    EXPECT_EQ(matched(), before + 1);
    // Refused with the reason, and nothing written.
    auto unknown = send("PATCH", path, R"({"type":"Feature","properties":{"camas":3}})");
    EXPECT_EQ(unknown.status, 422u);
    EXPECT_NE(unknown.body.find("camas"), std::string::npos) << unknown.body;
    auto nowhere = send("PATCH", path, R"({"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]}})");
    EXPECT_EQ(nowhere.status, 422u);
    EXPECT_NE(nowhere.body.find("lies in no unit"), std::string::npos) << nowhere.body;
    auto not_json = send("POST", "/collections/establishments/items", "{\"type\":");
    EXPECT_EQ(not_json.status, 400u);
    EXPECT_EQ(json::parse(test::http_get(server->port(), path).body)["properties"]["name"], "CS Loja");
    // GDAL's OAPIF driver (what QGIS reads with) sees the edit.
    auto info = test::run("ogrinfo -ro -al -q OAPIF:" + server->url() + " establishments -where \"name = 'CS Loja'\"");
    EXPECT_NE(info.output.find("CS Loja"), std::string::npos) << info.output;
    // Delete: a stale version refused, the current one accepted.
    EXPECT_EQ(send("DELETE", path, "", v1).status, 412u);
    const std::string v3 = replaced.headers["ETag"];
    EXPECT_EQ(send("DELETE", path, "", v3).status, 204u);
    EXPECT_EQ(test::http_get(server->port(), path).status, 404u);
    EXPECT_EQ(matched(), before);
    EXPECT_EQ(send("DELETE", path).status, 404u);
}

// The scenarios' proposals as one OGC collection: a proposal added with Part 4, moved with its
// version, a stale move refused, undone like any scenario edit, deleted.
TEST_F(FeatureEdits, ProposalsAreACollectionGisClientsEdit) {
    auto scenario = send("POST", "/scenarios", R"({"name":"taller QGIS"})");
    ASSERT_EQ(scenario.status, 201u) << scenario.body;
    const auto id = json::parse(scenario.body)["id"].get<long long>();
    auto collections = json::parse(test::http_get(server->port(), "/collections").body);
    bool listed = false;
    for (const auto& c : collections["collections"]) listed = listed || c["id"] == "proposals";
    EXPECT_TRUE(listed);
    auto added = send("POST", "/collections/proposals/items",
                      R"({"type":"Feature","geometry":{"type":"Point","coordinates":[-78.5,-0.2]},"properties":)"
                      R"({"scenario":)" +
                          std::to_string(id) +
                          R"(,"sector":"health","typology":"Centro de Salud Tipo A","name":"Propuesta QGIS"}})");
    ASSERT_EQ(added.status, 201u) << added.body;
    const std::string path = added.headers["Location"].substr(added.headers["Location"].find("/collections/"));
    const std::string v1 = added.headers["ETag"];
    // Listed in the collection (filtered by scenario) and in the scenario itself.
    auto page =
        json::parse(test::http_get(server->port(), "/collections/proposals/items?scenario=" + std::to_string(id)).body);
    ASSERT_EQ(page["numberMatched"], 1);
    EXPECT_EQ(page["features"][0]["properties"]["name"], "Propuesta QGIS");
    EXPECT_EQ(test::http_get(server->port(), path).headers["ETag"], v1);
    auto shown = json::parse(test::http_get(server->port(), "/scenarios/" + std::to_string(id)).body);
    EXPECT_EQ(shown["establishments"]["features"].size(), 1u);
    // Moved with its version; a stale version refused; what it is cannot change here.
    auto moved =
        send("PATCH", path, R"({"type":"Feature","geometry":{"type":"Point","coordinates":[-78.48,-0.19]}})", v1);
    ASSERT_EQ(moved.status, 200u) << moved.body;
    EXPECT_NE(moved.headers["ETag"], v1);
    EXPECT_EQ(
        send("PATCH", path, R"({"type":"Feature","geometry":{"type":"Point","coordinates":[-78.4,-0.1]}})", v1).status,
        412u);
    auto renamed = send("PATCH", path, R"({"type":"Feature","properties":{"typology":"Hospital General"}})");
    EXPECT_EQ(renamed.status, 422u);
    EXPECT_NE(renamed.body.find("only a proposal's point can change"), std::string::npos) << renamed.body;
    // Undone like every scenario edit: back where it was added.
    ASSERT_EQ(send("POST", "/scenarios/" + std::to_string(id) + "/undo").status, 200u);
    EXPECT_EQ(test::http_get(server->port(), path).headers["ETag"], v1);
    // GDAL's OAPIF driver reads the collection.
    auto info = test::run("ogrinfo -ro -al -q OAPIF:" + server->url() + " proposals");
    EXPECT_NE(info.output.find("Propuesta QGIS"), std::string::npos) << info.output;
    EXPECT_EQ(send("DELETE", path, "", v1).status, 204u);
    EXPECT_EQ(test::http_get(server->port(), path).status, 404u);
}

}  // namespace
