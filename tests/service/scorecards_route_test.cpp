// /scorecards/{level}/{code} over a served demo store (issue 20, item 5).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "service/http_client.hpp"
#include "service/running_server.hpp"
#include "support.hpp"

namespace microplan::service {
namespace {

TEST(ScorecardsRoute, ServesAZonesScorecardAsJsonAndCsvAndRefusesWhatIsNotThere) {
    test::scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(test::demo_store_at(store).exit_code, 0);
    test::running_server server(store, {});
    auto r = test::http_get(server.port(), "/scorecards/zone/Z1");
    ASSERT_EQ(r.status, 200u) << r.body;
    const nlohmann::json j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["code"], "Z1");
    EXPECT_EQ(j["summary"]["objectives"], 7);
    ASSERT_EQ(j["perspectives"].size(), 4u);
    const nlohmann::json& b1 = j["perspectives"][0]["objectives"][0];
    EXPECT_EQ(b1["code"], "B1");
    EXPECT_EQ(b1["indicators"][0]["indicator"], "coverage_pct");
    EXPECT_FALSE(b1["light"].get<std::string>().empty());
    auto csv = test::http_get(server.port(), "/scorecards/zone/Z1?f=csv");
    ASSERT_EQ(csv.status, 200u);
    EXPECT_EQ(csv.body.rfind("level,code,perspective,objective,", 0), 0u) << csv.body;
    auto nation = test::http_get(server.port(), "/scorecards/nation/EC");
    ASSERT_EQ(nation.status, 200u) << nation.body;
    EXPECT_EQ(nlohmann::json::parse(nation.body)["perspectives"][0]["objectives"][0]["indicators"][0]["code"], "*");
    EXPECT_EQ(test::http_get(server.port(), "/scorecards/zone/Z99").status, 404u);
    EXPECT_EQ(test::http_get(server.port(), "/scorecards/circuit/01D01C01").status, 404u);  // none for circuits
    EXPECT_EQ(test::http_get(server.port(), "/scorecards/region/Z1").status, 400u);
}

}  // namespace
}  // namespace microplan::service
