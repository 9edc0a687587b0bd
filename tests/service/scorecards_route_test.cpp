// /scorecards/{level}/{code} over a served demo store (issue 20, item 5).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "service/http_client.hpp"
#include "service/running_server.hpp"
#include "support.hpp"

namespace microplan::service {
namespace {

// Zone Z1's observed chronic child malnutrition of a year, as the store holds it.
double observed_value(const std::string& store, const std::string& period) {
    auto r = test::run("sqlite3 " + store +
                       " \"SELECT value FROM observations WHERE indicator = 'chronic_malnutrition_pct' AND level = "
                       "'zone' AND code = 'Z1' AND period = '" +
                       period + "' ORDER BY revision DESC LIMIT 1\"");
    return r.output.empty() ? -1 : std::stod(r.output);
}

TEST(ScorecardsRoute, ServesAZonesScorecardAsJsonAndCsvAndRefusesWhatIsNotThere) {
    test::scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(test::demo_store_at(store).exit_code, 0);
    test::running_server server(store, {});
    auto r = test::http_get(server.port(), "/scorecards/zone/Z1");
    ASSERT_EQ(r.status, 200u) << r.body;
    const nlohmann::json j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["code"], "Z1");
    EXPECT_EQ(j["summary"]["objectives"], 8);
    ASSERT_EQ(j["perspectives"].size(), 4u);
    const nlohmann::json& b1 = j["perspectives"][0]["objectives"][0];
    EXPECT_EQ(b1["code"], "B1");
    EXPECT_EQ(b1["indicators"][0]["indicator"], "coverage_pct");
    EXPECT_FALSE(b1["light"].get<std::string>().empty());
    // B4 is measured on the demo's observed values: the latest (2026) is the value, the first
    // (2022) the line of departure.
    const nlohmann::json& b4 = j["perspectives"][0]["objectives"][3];
    ASSERT_EQ(b4["code"], "B4");
    const nlohmann::json& observed = b4["indicators"][0];
    EXPECT_EQ(observed["source"], "observed");
    EXPECT_EQ(observed["baseline"], observed_value(store, "2026"));
    EXPECT_EQ(observed["reference"], observed_value(store, "2022"));
    auto csv = test::http_get(server.port(), "/scorecards/zone/Z1?f=csv");
    ASSERT_EQ(csv.status, 200u);
    EXPECT_EQ(csv.body.rfind("level,code,perspective,objective,", 0), 0u) << csv.body;
    auto nation = test::http_get(server.port(), "/scorecards/nation/EC");
    ASSERT_EQ(nation.status, 200u) << nation.body;
    EXPECT_EQ(nlohmann::json::parse(nation.body)["perspectives"][0]["objectives"][0]["indicators"][0]["code"], "*");
    EXPECT_EQ(test::http_get(server.port(), "/scorecards/zone/Z99").status, 404u);
    EXPECT_EQ(test::http_get(server.port(), "/scorecards/circuit/01D01C01").status, 404u);  // none for circuits
    EXPECT_EQ(test::http_get(server.port(), "/scorecards/region/Z1").status, 400u);
    // The observed values behind B4, as stored, for a chart or QGIS (JSON and CSV).
    auto obs = test::http_get(server.port(), "/observations?indicator=chronic_malnutrition_pct&level=zone&code=Z1");
    ASSERT_EQ(obs.status, 200u) << obs.body;
    const nlohmann::json o = nlohmann::json::parse(obs.body);
    ASSERT_EQ(o["number"], 5);
    for (const auto& row : o["observations"])
        EXPECT_EQ(row["value"], observed_value(store, row["period"].get<std::string>())) << row;
    auto obs_csv = test::http_get(server.port(), "/observations?code=Z1&f=csv");
    EXPECT_EQ(obs_csv.body.rfind("indicator,sector,level,code,period,value,note\n", 0), 0u) << obs_csv.body;
    EXPECT_NE(obs_csv.body.find("chronic_malnutrition_pct,,zone,Z1,2022,"), std::string::npos) << obs_csv.body;
    EXPECT_EQ(test::http_get(server.port(), "/observations?level=region").status, 400u);
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
    // The scorecard of the month: chronic malnutrition as observed by then (2025's in June 2025).
    auto csv_of = [&](const std::string& period) {
        return test::http_get(server.port(), "/reports/management/zone/Z1?f=csv&period=" + period).body;
    };
    auto b4_value = [](const std::string& body) {
        const auto at = body.find(",objective,B4,");
        if (at == std::string::npos) return std::string("(no B4)");
        const std::string line = body.substr(at, body.find('\n', at) - at);
        // ,objective,B4,name,indicator,target,value,...
        std::size_t pos = 0;
        for (int i = 0; i < 6; ++i) pos = line.find(',', pos) + 1;
        return line.substr(pos, line.find(',', pos) - pos);
    };
    EXPECT_EQ(std::stod(b4_value(csv_of("2025-06"))), observed_value(store, "2025"));
    EXPECT_EQ(std::stod(b4_value(csv_of("2026-06"))), observed_value(store, "2026"));
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
