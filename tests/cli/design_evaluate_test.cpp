// `microplan design evaluate` as users run it: a store's circuits against their districts, a
// proposal file with parishes and their people (a split counted, subcircuits dissolved), and
// bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "../support.hpp"

using namespace microplan::test;

namespace {

// A GeoJSON FeatureCollection of boxes near Quito (0.01° side): one per (code, x from, x to,
// extra properties).
struct box_feature {
    std::string code;
    double from, to;
    std::string properties;  // extra JSON members, e.g. "\"people\": 100"
};

std::string boxes(const std::vector<box_feature>& features) {
    std::string out = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < features.size(); ++i) {
        const auto& f = features[i];
        char ring[512];
        double x0 = -78.50 + f.from * 0.01, x1 = -78.50 + f.to * 0.01, y0 = -0.20, y1 = -0.19;
        std::snprintf(ring, sizeof ring, "[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]", x0, y0, x1,
                      y0, x1, y1, x0, y1, x0, y0);
        out += std::string(i ? "," : "") + R"({"type":"Feature","properties":{"code":")" + f.code + "\"" +
               (f.properties.empty() ? "" : "," + f.properties) + R"(},"geometry":{"type":"Polygon","coordinates":[)" +
               ring + "]}}";
    }
    return out + "]}";
}

nlohmann::json criterion(const nlohmann::json& j, const std::string& name) {
    for (const auto& c : j["criteria"])
        if (c["name"] == name) return c;
    ADD_FAILURE() << "no criterion " << name;
    return {};
}

// The JSON that follows any lines printed before it (findings go to standard error).
nlohmann::json json_of(const std::string& output) {
    auto start = output.find("{\n");
    EXPECT_NE(start, std::string::npos) << output;
    return nlohmann::json::parse(output.substr(start == std::string::npos ? 0 : start));
}

}  // namespace

TEST(DesignEvaluate, TheDemoCircuitsAgainstTheirDistricts) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    auto r = run(microplan_cmd("design evaluate " + store + " --target 11000 --tolerance 0.5 --json - --csv " +
                               dir.path("units.csv")));
    nlohmann::json j = json_of(r.output);
    EXPECT_EQ(r.exit_code, j["passes"].get<bool>() ? 0 : 1) << r.output.substr(0, 2000);
    EXPECT_EQ(j["summary"]["units"], 1134);
    EXPECT_EQ(criterion(j, "nesting")["result"], "pass") << criterion(j, "nesting").dump();
    EXPECT_EQ(criterion(j, "overlaps_gaps")["result"], "pass") << criterion(j, "overlaps_gaps").dump();
    EXPECT_EQ(criterion(j, "contiguity")["result"], "pass");
    EXPECT_EQ(criterion(j, "splits")["result"], "not checked");  // the demo has no parishes
    EXPECT_NE(criterion(j, "population")["result"], "not checked");
    // People are the store's, of its base year: one circuit checked against SQL.
    const nlohmann::json& first = j["units"][0];
    auto sql = run("sqlite3 " + store + " \"SELECT round(value) FROM population WHERE level = 'circuit' AND code = '" +
                   first["code"].get<std::string>() +
                   "' AND band = 'total' AND method <> 'projection' ORDER BY year LIMIT 1\"");
    ASSERT_EQ(sql.exit_code, 0) << sql.output;
    EXPECT_NEAR(first["population"].get<double>(), std::stod(sql.output), 0.5);
    EXPECT_NEAR(first["deviation_pct"].get<double>(), (first["population"].get<double>() / 11000 - 1) * 100, 0.01);
    std::string csv = read_bytes(dir.path("units.csv"));
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1135);
    EXPECT_EQ(csv.rfind("code,name,parent,population,deviation_pct", 0), 0u);
    // The same as text: one line per criterion.
    auto text = run(microplan_cmd("design evaluate " + store + " --target 11000 --tolerance 0.5"));
    EXPECT_NE(text.output.find("nesting       pass"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("plan: circuits of demo.sqlite (1134 circuits)"), std::string::npos) << text.output;
}

TEST(DesignEvaluate, AProposalWithParishesAndTheirPeople) {
    scratch dir;
    std::string parishes = dir.write("parishes.geojson", boxes({{"170101", 0, 1, "\"people\": 100"},
                                                                {"170102", 1, 2, "\"people\": 100"},
                                                                {"170103", 2, 3, "\"people\": 100"},
                                                                {"170104", 3, 4, "\"people\": 100"}}));
    // Four subcircuits dissolved into two circuits that cut parish 170102 in half.
    std::string plan = dir.write("plan.geojson", boxes({{"17D01C01S1", 0, 1, ""},
                                                        {"17D01C01S2", 1, 1.5, ""},
                                                        {"17D01C02S1", 1.5, 3, ""},
                                                        {"17D01C02S2", 3, 4, ""}}));
    auto r = run(microplan_cmd("design evaluate " + plan + " --dissolve-prefix 8 --units " + parishes +
                               " --units-population-field people --target 200 --json -"));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    nlohmann::json j = json_of(r.output);
    ASSERT_EQ(j["units"].size(), 2u) << r.output;
    EXPECT_EQ(j["units"][0]["code"], "17D01C01");
    EXPECT_NEAR(j["units"][0]["population"].get<double>(), 150, 0.5);
    EXPECT_NEAR(j["units"][1]["population"].get<double>(), 250, 0.5);
    ASSERT_EQ(j["splits"].size(), 1u);
    EXPECT_EQ(j["splits"][0]["code"], "170102");
    EXPECT_EQ(j["splits"][0]["units"], 2);
    EXPECT_NEAR(j["splits"][0]["pieces"][0]["people"].get<double>(), 50, 0.5);
    EXPECT_EQ(criterion(j, "splits")["result"], "fail");
    EXPECT_EQ(criterion(j, "population")["result"], "fail");  // 150 and 250 against 200 ± 5 %
    EXPECT_NE(j["plan"].get<std::string>().find("dissolved by the first 8 characters"), std::string::npos);
}

TEST(DesignEvaluate, BadInputIsNamed) {
    scratch dir;
    auto missing = run(microplan_cmd("design evaluate " + dir.path("nowhere.geojson")));
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.output.find("nowhere.geojson"), std::string::npos) << missing.output;
    std::string plan = dir.write("plan.geojson", boxes({{"17D01C01S1", 0, 1, "\"people\": 5"}}));
    auto both =
        run(microplan_cmd("design evaluate " + plan + " --dissolve-prefix 8 --population-field people --target 10"));
    EXPECT_EQ(both.exit_code, 2);
    EXPECT_NE(both.output.find("--dissolve-prefix"), std::string::npos) << both.output;
    auto design = run(microplan_cmd("design --target 100"));
    EXPECT_EQ(design.exit_code, 2);
    EXPECT_NE(design.output.find("design needs --units, --target and --out"), std::string::npos) << design.output;
}

namespace {

std::string four_parishes(const scratch& dir) {
    return dir.write("parishes.geojson", boxes({{"170101", 0, 1, "\"people\": 100"},
                                                {"170102", 1, 2, "\"people\": 100"},
                                                {"170103", 2, 3, "\"people\": 100"},
                                                {"170104", 3, 4, "\"people\": 50"}}));
}

}  // namespace

TEST(DesignCompare, ExactlyTheMovedParishsPeopleChangeUnit) {
    scratch dir;
    std::string parishes = four_parishes(dir);
    std::string a = dir.write("a.geojson", boxes({{"17D01C01", 0, 2, ""}, {"17D01C02", 2, 4, ""}}));
    std::string b = dir.write("b.geojson", boxes({{"17D01C01", 0, 3, ""}, {"17D01C02", 3, 4, ""}}));
    auto r = run(microplan_cmd("design compare " + a + " " + b + " --units " + parishes +
                               " --units-population-field people --changed " + dir.path("changed.geojson") + " --csv " +
                               dir.path("matches.csv") + " --json -"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    nlohmann::json j = json_of(r.output);
    EXPECT_EQ(j["summary"]["people"], 350);
    EXPECT_EQ(j["summary"]["people_moved"], 100);
    EXPECT_EQ(j["summary"]["matched"], 2);
    ASSERT_EQ(j["changed_finer_units"].size(), 1u);
    EXPECT_EQ(j["changed_finer_units"][0]["code"], "170103");
    auto info = run("ogrinfo -ro -al -q " + dir.path("changed.geojson"));
    EXPECT_NE(info.output.find("unit_a (String) = 17D01C02"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("people (Real) = 100"), std::string::npos) << info.output;
    EXPECT_EQ(read_bytes(dir.path("matches.csv")).rfind("unit_a,unit_b,shared_people", 0), 0u);
    auto text = run(
        microplan_cmd("design compare " + a + " " + b + " --units " + parishes + " --units-population-field people"));
    EXPECT_NE(text.output.find("100.0 of 350.0 people change unit"), std::string::npos) << text.output;
}

TEST(DesignAssignment, ExportThenBuildGivesThePlanBackAndRemapsANewCartography) {
    scratch dir;
    std::string parishes = four_parishes(dir);
    std::string plan = dir.write("plan.geojson", boxes({{"17D01C01", 0, 2, ""}, {"17D01C02", 2, 4, ""}}));
    auto ex = run(microplan_cmd("design assignment export " + plan + " --units " + parishes + " --out " +
                                dir.path("assignment.csv")));
    ASSERT_EQ(ex.exit_code, 0) << ex.output;
    EXPECT_EQ(read_bytes(dir.path("assignment.csv")),
              "finer_code,unit_code,share_pct,units\n170101,17D01C01,100.00,1\n170102,17D01C01,100.00,1\n"
              "170103,17D01C02,100.00,1\n170104,17D01C02,100.00,1\n");
    auto built = run(microplan_cmd("design assignment build " + dir.path("assignment.csv") + " --units " + parishes +
                                   " --out " + dir.path("built.geojson")));
    ASSERT_EQ(built.exit_code, 0) << built.output;
    auto same = run(microplan_cmd("design compare " + plan + " " + dir.path("built.geojson") + " --json -"));
    nlohmann::json j = json_of(same.output);
    EXPECT_EQ(j["summary"]["identical_units"], 2) << same.output;
    EXPECT_NEAR(j["summary"]["variation_of_information_bits"].get<double>(), 0, 1e-9);

    // A code of the file that matches no parish: reported, exit 1.
    std::string extra = dir.write("extra.csv", read_bytes(dir.path("assignment.csv")) + "999999,17D01C09,100,1\n");
    auto unknown = run(microplan_cmd("design assignment build " + extra + " --units " + parishes + " --out " +
                                     dir.path("unknown.geojson")));
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.output.find("999999"), std::string::npos) << unknown.output;

    // A new cartography: two parishes where there were four; the second straddles both units.
    std::string fresh = dir.write("new.geojson", boxes({{"170111", 0, 1.5, ""}, {"170112", 1.5, 4, ""}}));
    auto remapped = run(microplan_cmd("design assignment build " + dir.path("assignment.csv") + " --units " + fresh +
                                      " --remap-from " + parishes + " --out " + dir.path("remapped.geojson")));
    EXPECT_EQ(remapped.exit_code, 0) << remapped.output;
    EXPECT_NE(remapped.output.find("[assignment.ambiguous] parish 170112"), std::string::npos) << remapped.output;
    EXPECT_NE(remapped.output.find("built 2 circuits"), std::string::npos) << remapped.output;
}

TEST(DesignEvaluate, TravelTimeToTheSeatOverTheDemosFrictionSurface) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite"), prefix = dir.path("demo");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    const std::string data = std::string(MICROPLAN_DATA_DIR) + "/access/";
    auto f = run(microplan_cmd("access friction --landcover " + prefix + "_landcover.tif --speeds " + data +
                               "demo_landcover_speeds.csv --roads " + prefix + "_roads.gpkg --road-speeds " + data +
                               "demo_road_speeds.csv --barriers " + prefix + "_rivers.gpkg --out " +
                               dir.path("friction.tif")));
    ASSERT_EQ(f.exit_code, 0) << f.output;
    auto r = run(microplan_cmd("design evaluate " + store + " --friction " + dir.path("friction.tif") + " --raster " +
                               prefix + "_population.tif --max-mean-minutes 600 --json -"));
    nlohmann::json j = json_of(r.output);
    nlohmann::json c = criterion(j, "travel_time");
    EXPECT_NE(c["result"], "not checked") << c.dump();
    std::size_t measured = 0;
    for (const auto& u : j["units"])
        if (u["mean_minutes"].is_number()) {
            ++measured;
            EXPECT_GE(u["max_minutes"].get<double>(), u["mean_minutes"].get<double>()) << u["code"];
        }
    EXPECT_GT(measured, 1000u);  // every inhabited circuit with a passable cell
    // Designing along travel time: districts of about 60,000 people from the demo's circuits.
    auto d = run(microplan_cmd("design --units " + store + " --layer circuits --code-field code --parent-digits 2 " +
                               "--raster " + prefix + "_population.tif --target 60000 --friction " +
                               dir.path("friction.tif") + " --level district --out " + dir.path("districts.geojson")));
    ASSERT_EQ(d.exit_code, 0) << d.output;
    EXPECT_NE(d.output.find("designed "), std::string::npos) << d.output;
    auto de = run(microplan_cmd("design evaluate " + dir.path("districts.geojson") + " --level district --friction " +
                                dir.path("friction.tif") + " --raster " + prefix + "_population.tif --json -"));
    EXPECT_NE(criterion(json_of(de.output), "travel_time")["result"], "not checked") << de.output.substr(0, 2000);
    auto half = run(microplan_cmd("design evaluate " + store + " --friction " + dir.path("friction.tif")));
    EXPECT_EQ(half.exit_code, 2);
    EXPECT_NE(half.output.find("needs both --friction"), std::string::npos) << half.output;
}
