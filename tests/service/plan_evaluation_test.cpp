// /reports/plan-evaluation on the demo store served in process: the circuits judged against
// their districts, as JSON and CSV, kept until the store changes, and bad parameters.
#include <gtest/gtest.h>

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
    EXPECT_EQ(j["criteria"].size(), 6u);
    for (const auto& c : j["criteria"])
        if (c["name"] == "nesting") EXPECT_EQ(c["result"], "pass") << c.dump();
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

}  // namespace
}  // namespace microplan::service
