// Real Ecuador (../shared/data/ecuador; skipped without it): the national base's circuits and
// Guayaquil's official circuits (police subcircuits dissolved by circuit) judged by
// `design evaluate`, compared by `design compare`, and written as an assignment file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "../support.hpp"

using namespace microplan::test;

namespace {

nlohmann::json json_of(const std::string& output) {
    auto start = output.find("{\n");
    EXPECT_NE(start, std::string::npos) << output.substr(0, 2000);
    return nlohmann::json::parse(output.substr(start == std::string::npos ? 0 : start));
}

std::string result_of(const nlohmann::json& j, const std::string& name) {
    for (const auto& c : j["criteria"])
        if (c["name"] == name) return c["result"];
    return "absent";
}

class RealPlans : public ::testing::Test {
protected:
    void SetUp() override {
        MICROPLAN_NEED_ECUADOR_DATA();
        auto b = run(microplan_cmd("build-ecuador --data " + ecuador("") + " --out " + store +
                                   " --road-speeds-dir '' --threads 2"));
        ASSERT_EQ(b.exit_code, 0) << b.output;
    }
    scratch dir;
    const std::string store = dir.path("ec.sqlite");
    const std::string guayaquil = ecuador("boundaries/guayaquil_subcircuitos_policia.geojson");
};

}  // namespace

TEST_F(RealPlans, TheNationalCircuitsAgainstTheirDistrictsAndParishes) {
    auto r = run(microplan_cmd("design evaluate " + store + " --target 11000 --json - --threads 2"));
    EXPECT_EQ(r.exit_code, 1);  // the official groupings of parishes are far from 11,000 people each
    nlohmann::json j = json_of(r.output);
    EXPECT_EQ(j["summary"]["units"], 1130);
    EXPECT_EQ(result_of(j, "nesting"), "pass");
    EXPECT_NE(result_of(j, "splits"), "not checked");
    // The people are the store's: the sum checked against SQL.
    auto sql = run("sqlite3 " + store +
                   " \"SELECT round(sum(value)) FROM population WHERE level = 'circuit' AND band = 'total' AND year = "
                   "2022\"");
    EXPECT_NEAR(j["summary"]["population"].get<double>(), std::stod(sql.output), 2.0);
    // City parishes are split on purpose; Quito's (170150) among them, into its official circuits.
    bool quito = false;
    for (const auto& s : j["splits"])
        if (s["code"] == "170150") quito = s["units"].get<int>() > 20 && !s["needless"].get<bool>();
    EXPECT_TRUE(quito);
}

TEST_F(RealPlans, GuayaquilsOfficialCircuitsEvaluatedAndComparedWithTheStore) {
    auto r = run(microplan_cmd("design evaluate " + guayaquil + " --code-field Cod_Subci --dissolve-prefix 8 --store " +
                               store + " --target 11000 --json - --threads 2"));
    nlohmann::json j = json_of(r.output);
    EXPECT_EQ(j["summary"]["units"], 57);
    EXPECT_EQ(result_of(j, "contiguity"), "pass");
    EXPECT_EQ(result_of(j, "nesting"), "pass");
    double people = j["summary"]["population"];
    EXPECT_GT(people, 2.3e6);  // the city of Guayaquil
    EXPECT_LT(people, 3.0e6);
    // The national base takes Guayaquil's official polygons as its circuits: nobody moves.
    auto c = run(microplan_cmd("design compare " + guayaquil + " " + store +
                               " --a-code-field Cod_Subci --a-dissolve-prefix 8 --json - --threads 2"));
    ASSERT_EQ(c.exit_code, 0) << c.output.substr(0, 2000);
    nlohmann::json k = json_of(c.output);
    EXPECT_EQ(k["summary"]["matched"], 57);
    EXPECT_LT(k["summary"]["people_moved_pct"].get<double>(), 1.0);
    auto a = run(microplan_cmd("design assignment export " + store + " --out " + dir.path("assignment.csv")));
    ASSERT_EQ(a.exit_code, 0) << a.output.substr(0, 2000);
    EXPECT_NE(read_bytes(dir.path("assignment.csv")).find("\n090150,09D"), std::string::npos);
}

// The national base's own friction surface (build-ecuador --friction-out) judges the circuits'
// travel time to their seats.
TEST(RealPlansTravel, TheNationalCircuitsMinutesToTheirSeatsOverTheNationalFriction) {
    MICROPLAN_NEED_ECUADOR_DATA();
    scratch dir;
    const std::string store = dir.path("ec.sqlite");
    auto b = run(microplan_cmd("build-ecuador --data " + ecuador("") + " --out " + store +
                               " --threads 2 --friction-out " + dir.path("friction")));
    ASSERT_EQ(b.exit_code, 0) << b.output.substr(0, 3000);
    ASSERT_TRUE(std::filesystem::exists(dir.path("friction_travel_time.tif")));
    ASSERT_TRUE(std::filesystem::exists(dir.path("friction_travel_time_rainy.tif")));
    auto r =
        run(microplan_cmd("design evaluate " + store + " --friction " + dir.path("friction_travel_time.tif") +
                          " --raster " + ecuador("rasters/landscan_2023_continental.tif") + " --json - --threads 2"));
    nlohmann::json j = json_of(r.output);
    EXPECT_EQ(result_of(j, "travel_time"), "fail");  // Amazon circuits are hours from their seat
    std::vector<double> minutes;
    for (const auto& u : j["units"])
        if (u["mean_minutes"].is_number()) minutes.push_back(u["mean_minutes"]);
    ASSERT_GT(minutes.size(), 1000u);  // Galápagos lies outside the continental raster
    std::nth_element(minutes.begin(), minutes.begin() + minutes.size() / 2, minutes.end());
    const double median = minutes[minutes.size() / 2];
    EXPECT_GT(median, 10);
    EXPECT_LT(median, 45);

    // Districts, from their offices (the real seats): every mainland office is on the surface.
    auto d = run(microplan_cmd(
        "design evaluate " + store + " --level district --friction " + dir.path("friction_travel_time.tif") +
        " --raster " + ecuador("rasters/landscan_2023_continental.tif") + " --seats " +
        ecuador("tables/distritos_oficinas.csv") +
        " --seats-code-field cod_distri --seats-x longitud --seats-y latitud --json - --threads 2"));
    nlohmann::json k = json_of(d.output);
    std::size_t measured = 0;
    for (const auto& u : k["units"]) measured += u["mean_minutes"].is_number();
    EXPECT_GT(measured, 130u);
    std::size_t unused = 0;
    for (std::size_t at = d.output.find("evaluate.seat_unused"); at != std::string::npos;
         at = d.output.find("evaluate.seat_unused", at + 1))
        ++unused;
    EXPECT_LE(unused, 3u) << d.output.substr(0, 2000);  // Galápagos' offices lie off the mainland surface
}
