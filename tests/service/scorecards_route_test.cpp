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

TEST(ManagementRoute, ServesAZonesMonthlyReportAsAPageAndCsv) {
    test::scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(test::demo_store_at(store).exit_code, 0);
    test::running_server server(store, {});
    auto page = test::http_get(server.port(), "/reports/management/zone/Z1?period=2025-06");
    ASSERT_EQ(page.status, 200u) << page.body;
    EXPECT_NE(page.body.find("Informe de gestión"), std::string::npos);
    EXPECT_NE(page.body.find(">2025-06</strong>"), std::string::npos);
    // Its projects are the unit's in the month, as /monitoring gives them.
    const nlohmann::json m =
        nlohmann::json::parse(test::http_get(server.port(), "/monitoring/zone/Z1?period=2025-06").body);
    ASSERT_FALSE(m["projects"].empty());
    for (const auto& p : m["projects"])
        EXPECT_NE(page.body.find("data-project=\"" + p["code"].get<std::string>() + "\""), std::string::npos);
    auto english = test::http_get(server.port(), "/reports/management/zone/Z1?lang=en");
    EXPECT_NE(english.body.find("Management report"), std::string::npos);
    auto csv = test::http_get(server.port(), "/reports/management/zone/Z1?f=csv");
    ASSERT_EQ(csv.status, 200u);
    EXPECT_EQ(csv.body.rfind("period,code,kind,", 0), 0u);
    EXPECT_EQ(test::http_get(server.port(), "/reports/management/zone/Z1?f=pdf").status, 400u);
    EXPECT_EQ(test::http_get(server.port(), "/reports/management/zone/Z1?period=2025-13").status, 400u);
    EXPECT_EQ(test::http_get(server.port(), "/reports/management/zone/Z99").status, 404u);
}

}  // namespace
}  // namespace microplan::service
