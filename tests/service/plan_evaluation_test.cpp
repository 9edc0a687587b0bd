// /reports/plan-evaluation on the demo store served in process: the circuits judged against
// their districts, as JSON and CSV, kept until the store changes, and bad parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "service/in_process_demo.hpp"

namespace microplan::service {
namespace {

TEST(PlanEvaluationRoute, TheDemoCircuitsAsJsonAndCsvKeptUntilTheStoreChanges) {
    test::in_process_demo demo;
    auto r = demo.get("/reports/plan-evaluation?target=11000&tolerance=0.5");
    ASSERT_EQ(r.status, 200u) << *r.body;
    auto j = nlohmann::json::parse(*r.body);
    EXPECT_EQ(j["plan"], "circuits of demo.sqlite");  // the file name, not the server's path
    EXPECT_EQ(j["summary"]["units"], 1134);
    EXPECT_EQ(j["criteria"].size(), 7u);
    for (const auto& c : j["criteria"]) {
        if (c["name"] == "nesting") {
            EXPECT_EQ(c["result"], "pass") << c.dump();
        }
    }
    const std::string first = j["units"][0]["code"];
    const std::string first_name = j["units"][0]["name"];

    auto again = demo.get("/reports/plan-evaluation?tolerance=0.5&target=11000");
    EXPECT_EQ(*again.body, *r.body);
    auto csv = demo.get("/reports/plan-evaluation?target=11000&tolerance=0.5&f=csv");
    ASSERT_EQ(csv.status, 200u);
    EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
    EXPECT_EQ(std::count(csv.body->begin(), csv.body->end(), '\n'), 1135);
    auto districts = demo.get("/reports/plan-evaluation?level=district&target=90000");
    ASSERT_EQ(districts.status, 200u);
    EXPECT_EQ(nlohmann::json::parse(*districts.body)["summary"]["units"], 140);

    // A renamed circuit: a new snapshot, a new evaluation.
    demo.rename_circuit(demo.state.current()->find("circuits")->features.front().fid, "Circuito renombrado");
    ASSERT_TRUE(demo.watcher.check());
    auto after = nlohmann::json::parse(*demo.get("/reports/plan-evaluation?target=11000&tolerance=0.5").body);
    EXPECT_EQ(after["units"][0]["code"], first);
    EXPECT_EQ(after["units"][0]["name"], "Circuito renombrado");
    EXPECT_NE(first_name, "Circuito renombrado");
}

TEST(PlanEvaluationRoute, BadParametersAre400) {
    test::in_process_demo demo;
    EXPECT_EQ(demo.get("/reports/plan-evaluation?level=parish").status, 400u);
    EXPECT_EQ(demo.get("/reports/plan-evaluation?target=-5").status, 400u);
    EXPECT_EQ(demo.get("/reports/plan-evaluation?tolerance=2").status, 400u);
    EXPECT_EQ(demo.get("/reports/plan-evaluation?f=xml").status, 400u);
    EXPECT_EQ(demo.get("/reports/plan-evaluation?colour=red").status, 400u);
}

service::http_response post(test::in_process_demo& demo, const std::string& target, const std::string& body) {
    service::http_request r;
    r.method = "POST";
    r.target = target;
    r.host = "127.0.0.1:8080";
    r.body = body;
    return demo.handler.handle(r);
}

TEST(PlanComparisonRoute, APlanJoiningTwoCircuitsMovesTheSmallerOnesPeople) {
    test::in_process_demo demo;
    auto items = nlohmann::json::parse(*demo.get("/collections/circuits/items?limit=2").body);
    nlohmann::json polygons = nlohmann::json::array();
    double smaller = 1e18;
    for (const auto& f : items["features"]) {
        const auto& g = f["geometry"];
        if (g["type"] == "MultiPolygon")
            for (const auto& p : g["coordinates"]) polygons.push_back(p);
        else
            polygons.push_back(g["coordinates"]);
        smaller = std::min(smaller, f["properties"]["population"].get<double>());
    }
    nlohmann::json plan = {{"type", "FeatureCollection"},
                           {"features",
                            {{{"type", "Feature"},
                              {"properties", {{"code", "JOINED"}}},
                              {"geometry", {{"type", "MultiPolygon"}, {"coordinates", polygons}}}}}}};
    auto r = post(demo, "/reports/plan-comparison?level=circuit", plan.dump());
    ASSERT_EQ(r.status, 200u) << *r.body;
    auto j = nlohmann::json::parse(*r.body);
    EXPECT_EQ(j["summary"]["a_units"], 2);  // the neighbours touching it by slivers are left out
    EXPECT_EQ(j["summary"]["matched"], 1);
    EXPECT_NEAR(j["summary"]["people_moved"].get<double>(), smaller, 0.5);
    EXPECT_EQ(j["changed"]["features"].size(), 1u);
    EXPECT_EQ(j["a"], "circuits of demo.sqlite");

    EXPECT_EQ(post(demo, "/reports/plan-comparison", "").status, 400u);
    auto broken = post(demo, "/reports/plan-comparison", "{\"type\": \"FeatureCollection\"");
    EXPECT_EQ(broken.status, 422u);  // bad data sent, named as such
    EXPECT_EQ(broken.body->find("/vsimem"), std::string::npos) << *broken.body;
    EXPECT_NE(broken.body->find("the plan sent"), std::string::npos) << *broken.body;
    EXPECT_EQ(post(demo, "/reports/plan-comparison?dissolve-prefix=-1", plan.dump()).status, 400u);
}

}  // namespace
}  // namespace microplan::service
