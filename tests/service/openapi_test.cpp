// The route table walked end to end on loopback over the demo store: every route the server
// registers is in /api (path and method), and every path /api lists answers - its parameters
// filled with real values of the store (a collection, a feature, a tile, a district, a
// scenario and a proposal created here) - with a success, never 404 or 405.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "microplan/tiles/tile_id.hpp"
#include "service/http_client.hpp"
#include "service/running_server.hpp"
#include "support.hpp"

namespace microplan::service {
namespace {

using nlohmann::json;

const std::string token = "walk-2026";

class ApiWalk : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / ("microplan-api-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        std::string store = (dir_ / "demo.sqlite").string();
        auto r = test::demo_store_at(store);
        ASSERT_EQ(r.exit_code, 0) << r.output;
        handler_options o;
        o.edit_token = token;
        o.web_root = std::string(MICROPLAN_DATA_DIR) + "/../web";  // index.html, app.js, style.css
        server_ = new test::running_server(store, o);
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
        std::filesystem::remove_all(dir_);
    }

    static test::http_reply send(const std::string& method, const std::string& target, const std::string& body = {}) {
        std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + token}};
        if (!body.empty()) headers["Content-Type"] = "application/json";
        return test::http_request_to(server_->port(), method, target, headers, body);
    }
    static json get_json(const std::string& target) {
        auto r = send("GET", target);
        EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
        return json::parse(r.body);
    }

    static inline std::filesystem::path dir_;
    static inline test::running_server* server_ = nullptr;
};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

TEST_F(ApiWalk, EveryRouteIsInTheApiDocument) {
    json api = get_json("/api");
    EXPECT_EQ(api["openapi"], "3.0.3");
    const auto& routes = server_->handler.routes().routes();
    ASSERT_GT(routes.size(), 30u);
    for (const route& r : routes) {
        ASSERT_TRUE(api["paths"].contains(r.pattern)) << r.pattern;
        EXPECT_TRUE(api["paths"][r.pattern].contains(lower(method_name(r.method))))
            << method_name(r.method) << " " << r.pattern;
    }
    // Served today and listed (the hand-written document used to miss them).
    for (const char* path : {"/health", "/catalogue", "/indicators/{level}", "/scenarios", "/scenarios/{scenarioId}",
                             "/scenarios/{scenarioId}/compare", "/reports/unit/{code}", "/viewer/{file}"})
        EXPECT_TRUE(api["paths"].contains(path)) << path;
    // The landing page still points QGIS at it.
    json landing = get_json("/");
    bool service_desc = false;
    for (const auto& l : landing["links"])
        service_desc = service_desc || (l["rel"] == "service-desc" && l["href"] == server_->url() + "/api");
    EXPECT_TRUE(service_desc);
}

TEST_F(ApiWalk, EveryApiPathAnswersWithRealParameters) {
    // Real values from the store, and a scenario with one proposal made for the walk.
    const snapshot& data = *server_->state.current();
    const collection& circuits = *data.find("circuits");
    json establishment = get_json("/collections/establishments/items?limit=1")["features"][0];
    json inside = establishment["geometry"]["coordinates"];
    json scenario = json::parse(send("POST", "/scenarios", R"({"name":"Recorrido"})").body);
    json proposal = json::parse(
        send("POST", "/scenarios/" + std::to_string(scenario["id"].get<int>()) + "/establishments",
             json{{"sector", "health"}, {"typology", "Centro de Salud Tipo A"}, {"lon", inside[0]}, {"lat", inside[1]}}
                 .dump())
            .body);
    ASSERT_TRUE(proposal.contains("id")) << proposal;
    // A second one for the proposals collection's own paths (OGC API Part 4), deleted there.
    json second = json::parse(
        send("POST", "/scenarios/" + std::to_string(scenario["id"].get<int>()) + "/establishments",
             json{{"sector", "health"}, {"typology", "Centro de Salud Tipo A"}, {"lon", inside[0]}, {"lat", inside[1]}}
                 .dump())
            .body);
    ASSERT_TRUE(second.contains("id")) << second;
    tiles::box e = circuits.extent;
    tiles::tile_id t = tiles::tile_for_lonlat((e.minx + e.maxx) / 2, (e.miny + e.maxy) / 2, 8);
    std::map<std::string, std::string> values = {
        {"collectionId", "circuits"},
        {"featureId", std::to_string(circuits.features.front().fid)},
        {"layer", "circuits"},
        {"z", std::to_string(t.z)},
        {"x", std::to_string(t.x)},
        {"y", std::to_string(t.y)},
        {"code", data.find("districts")->features.front().properties["code"]},
        {"level", "district"},
        {"scenarioId", std::to_string(scenario["id"].get<int>())},
        {"establishmentId", std::to_string(proposal["id"].get<int>())},
        {"fid", std::to_string(data.find("establishments")->features.front().fid)},
        {"file", "index.html"},
        {"sector", "health"},
    };

    struct call {
        std::string method, path, target, body;
    };
    std::vector<call> calls;
    json api = get_json("/api");
    const std::regex parameter("\\{([A-Za-z]+)\\}");
    for (const auto& [path, item] : api["paths"].items()) {
        std::map<std::string, std::string> own = values;
        // A collection's own feature paths take a feature of that collection.
        std::smatch m;
        if (std::regex_match(path, m, std::regex("/collections/([a-z]+)/items/\\{featureId\\}")))
            own["featureId"] = m[1] == "proposals" ? std::to_string(second["id"].get<int>())
                                                   : std::to_string(data.find(m[1].str())->features.front().fid);
        std::string target;
        std::sregex_iterator it(path.begin(), path.end(), parameter), end;
        std::size_t at = 0;
        for (; it != end; ++it) {
            target += path.substr(at, it->position() - at);
            ASSERT_TRUE(own.count((*it)[1])) << "no value for {" << (*it)[1] << "} in " << path;
            target += own[(*it)[1]];
            at = it->position() + it->length();
        }
        target += path.substr(at);
        for (const auto& [method, op] : item.items()) {
            std::string body;
            if (op.contains("requestBody")) {
                json example = op["requestBody"]["content"]["application/json"]["example"];
                if (example.contains("lon")) example["lon"] = inside[0], example["lat"] = inside[1];
                if (example.contains("properties") && example["properties"].contains("scenario"))
                    example["properties"]["scenario"] = scenario["id"];
                body = example.dump();
            }
            std::string upper = method;
            std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
            calls.push_back({upper, path, target, body});
        }
    }
    // Deletions last, the proposal's and the closure's before their scenario's.
    std::stable_sort(calls.begin(), calls.end(), [](const call& a, const call& b) {
        auto rank = [](const call& c) {
            const bool part =
                c.path.find("establishments") != std::string::npos || c.path.find("closures") != std::string::npos;
            return c.method != "DELETE" ? 0 : part ? 1 : 2;
        };
        return rank(a) < rank(b);
    });
    // The routes, and the collection routes once more per collection.
    std::size_t expected = 0;
    for (const route& r : server_->handler.routes().routes())
        expected += 1 + (r.api.per_collection ? data.collections().size() : 0);
    ASSERT_EQ(calls.size(), expected);
    for (const auto& c : calls) {
        auto r = send(c.method, c.target, c.body);
        EXPECT_NE(r.status, 404u) << c.method << " " << c.target << ": " << r.body;
        EXPECT_NE(r.status, 405u) << c.method << " " << c.target << ": " << r.body;
        EXPECT_LT(r.status, 400u) << c.method << " " << c.target << ": " << r.body;
    }
}

}  // namespace
}  // namespace microplan::service
