#include "microplan/geo/planning/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "microplan/geo/error.hpp"
#include "planning_fixture.hpp"

namespace {

using namespace microplan;
using geo::level;
using test::at;

// A target of `value` for the indicator of a sector in one unit ("" = every unit) by a year.
geo::target target_of(long long line, std::string indicator, std::string sector, level l, std::string code, int year,
                      double value) {
    return {.line = line,
            .indicator = std::move(indicator),
            .sector = std::move(sector),
            .lvl = l,
            .code = std::move(code),
            .year = year,
            .value = value};
}

struct ReportTest : ::testing::Test {
    geo::territory where = test::small_territory();
    geo::standards_catalogue catalogue = test::small_catalogue();
    geo::coverage_model model{catalogue, where, test::small_population()};
    ReportTest() {
        std::vector<geo::placed_establishment> rows = {at(where, "health", "Tipo A", "01D01C01"),
                                                       at(where, "security", "UPC", "02D01C01")};
        model.set_establishments(rows);
    }
};

TEST_F(ReportTest, DistrictReportPutsEverySectorSideBySideWithItsCircuits) {
    geo::plan_options o = test::budget_options(50000, 0.05, 2035);
    geo::closing_plan plan = geo::plan_closing(model, {}, o);
    auto r = geo::make_unit_report(model, level::district, "01D01", &plan, 2025);
    nlohmann::json j = geo::report_json(r);
    EXPECT_EQ(j["code"], "01D01");
    EXPECT_EQ(j["population"], 33000);
    ASSERT_EQ(j["sectors"].size(), 3u);
    EXPECT_EQ(j["sectors"][0]["sector"], "health");
    EXPECT_EQ(j["sectors"][0]["sector_label"], "Salud");
    // Health at the district: Tipo A (3 + 1 ideal, 1 existing) and one hospital.
    EXPECT_EQ(j["sectors"][0]["ideal"], 5);
    EXPECT_EQ(j["sectors"][0]["deficit"], 4);
    EXPECT_EQ(j["sectors"][0]["investment_cost"], 3 * 1000 + 20000);
    EXPECT_TRUE(j["sectors"][0].contains("closing_year"));
    EXPECT_EQ(j["sectors"][0]["typologies"].size(), 2u);
    ASSERT_EQ(j["children"].size(), 2u);
    EXPECT_EQ(j["children"][0]["code"], "01D01C01");
    EXPECT_EQ(j["children"][0]["sectors"].size(), 3u);
    // Sum of the circuits' health deficit + the district's own hospital = the district's.
    double circuits = 0;
    for (const auto& c : j["children"]) circuits += c["sectors"][0]["deficit"].get<double>();
    EXPECT_EQ(circuits + 1, j["sectors"][0]["deficit"].get<double>());
    std::string csv = geo::report_csv(r);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 + 4 + 2 * 3);
    EXPECT_EQ(csv.rfind("level,code,name,parent,population,sector,sector_label,typology,current,ideal,deficit", 0), 0u);
    EXPECT_THROW(geo::make_unit_report(model, level::district, "09D99", &plan), geo::format_error);
}

// A sector whose standards are all per district (Ecuador's catalogues) has no value for a
// circuit: the circuit's row says where it is planned instead of a coverage of 100 %.
TEST(Report, ASectorPlannedPerDistrictHasNoValueForACircuit) {
    geo::territory where = test::small_territory();
    geo::standards_catalogue catalogue = test::small_catalogue();
    catalogue.items.push_back(
        test::make_standard("education", "*", level::district, geo::standard_rule::population, 400, 900, 250, 3));
    catalogue.items.back().line = 6;
    geo::coverage_model model{catalogue, where, test::small_population()};
    model.set_establishments({});
    EXPECT_EQ(model.sector_tier("education"), std::optional<std::size_t>(1));
    EXPECT_TRUE(model.sector_defined_at("education", 1));
    EXPECT_FALSE(model.sector_defined_at("education", 2));
    EXPECT_TRUE(model.sector_defined_at("health", 2));
    EXPECT_TRUE(model.sector_defined_at("", 2));

    auto circuit = geo::report_json(geo::make_unit_report(model, level::circuit, "01D01C01"));
    auto education = std::find_if(circuit["sectors"].begin(), circuit["sectors"].end(),
                                  [](const nlohmann::json& s) { return s["sector"] == "education"; });
    ASSERT_NE(education, circuit["sectors"].end());
    EXPECT_EQ((*education)["planned_at"], "district");
    for (const char* key : {"current", "ideal", "deficit", "coverage_pct", "investment_cost", "closing_year"})
        EXPECT_TRUE((*education)[key].is_null()) << key;
    EXPECT_TRUE((*education)["typologies"].empty());
    // Health has a standard per circuit: a value, no planned_at.
    EXPECT_FALSE(circuit["sectors"][0].contains("planned_at"));
    EXPECT_FALSE(circuit["sectors"][0]["coverage_pct"].is_null());

    // The district has the value, and its circuits (the children) have not.
    auto district = geo::make_unit_report(model, level::district, "01D01");
    auto dj = geo::report_json(district);
    auto d_education = std::find_if(dj["sectors"].begin(), dj["sectors"].end(),
                                    [](const nlohmann::json& s) { return s["sector"] == "education"; });
    EXPECT_FALSE(d_education->contains("planned_at"));
    EXPECT_GT((*d_education)["ideal"].get<double>(), 0);
    for (const auto& child : dj["children"])
        for (const auto& row : child["sectors"])
            EXPECT_EQ(row.contains("planned_at"), row["sector"] == "education") << row.dump();
    // In CSV the values are empty cells.
    std::string csv = geo::report_csv(geo::make_unit_report(model, level::circuit, "01D01C01"));
    bool seen = false;
    for (std::size_t start = csv.find('\n') + 1; start < csv.size(); start = csv.find('\n', start) + 1) {
        const std::string row = csv.substr(start, csv.find('\n', start) - start);
        if (row.find(",education,") == std::string::npos) continue;
        seen = true;
        EXPECT_NE(row.find(",,,,,,,,,,,,,,"), std::string::npos) << row;  // 14 values and the year, empty
    }
    EXPECT_TRUE(seen);
}

geo::ranking_options options(const std::string& by, const std::string& weight = "",
                             const geo::closing_plan* plan = nullptr) {
    geo::ranking_options o;
    o.by = by;
    o.weight = weight;
    o.plan = plan;
    return o;
}

TEST_F(ReportTest, RankingByAnyIndicatorWeightedByPovertyAndByThePlan) {
    // Coverage: the lowest first.
    auto by_coverage = geo::rank_units(model, level::circuit, "", options("coverage_pct", ""));
    for (std::size_t i = 1; i < by_coverage.size(); ++i)
        EXPECT_LE(by_coverage[i - 1].coverage_pct, by_coverage[i].coverage_pct) << by_coverage[i].code;
    // Weighted by poverty over its population-weighted mean: (60 × 33,000 + 20 × 12,000 + 40 ×
    // 34,000) / 79,000 = 45.316.
    std::vector<geo::unit_attributes> attributes(3);
    attributes[1]["poverty"] = {{"01D01", 60}, {"01D02", 20}, {"02D01", 40}};
    geo::coverage_model poor(catalogue, where, test::small_population(), attributes);
    std::vector<geo::placed_establishment> two = {at(where, "health", "Tipo A", "01D01C01"),
                                                  at(where, "security", "UPC", "02D01C01")};
    poor.set_establishments(two);
    auto weighted = geo::rank_units(poor, level::district, "", options("deficit_per_10k", "poverty"));
    const double mean = 3580000.0 / 79000.0;
    for (const auto& r : weighted) {
        const double x = r.code == "01D01" ? 60 : r.code == "01D02" ? 20 : 40;
        EXPECT_NEAR(r.weight, x / mean, 1e-9) << r.code;
        EXPECT_NEAR(r.score, r.deficit_per_10k * x / mean, 1e-9) << r.code;
    }
    for (std::size_t i = 1; i < weighted.size(); ++i) EXPECT_GE(weighted[i - 1].score, weighted[i].score);
    // From a plan: a unit that never closes comes first, then the latest to close.
    geo::plan_options o = test::budget_options(2000, 0, 2030);
    geo::closing_plan plan = geo::plan_closing(model, {}, o);
    auto by_year = geo::rank_units(model, level::circuit, "", options("closing_year", "", &plan));
    bool seen_year = false;
    for (const auto& r : by_year) {
        ASSERT_TRUE(r.unfunded.has_value());
        if (r.closing_year)
            seen_year = true;
        else
            EXPECT_FALSE(seen_year) << r.code << ": a unit that never closes after one that closes";
        EXPECT_EQ(r.unfunded == 0, r.closing_year.has_value()) << r.code;
    }
    auto by_unfunded = geo::rank_units(model, level::circuit, "", options("unfunded", "", &plan));
    for (std::size_t i = 1; i < by_unfunded.size(); ++i)
        EXPECT_GE(*by_unfunded[i - 1].unfunded, *by_unfunded[i].unfunded);
    // Refused: an unknown indicator or attribute, a plan indicator without a plan, a weighted year.
    EXPECT_THROW(geo::rank_units(model, level::district, "", options("happiness", "")), geo::format_error);
    EXPECT_THROW(geo::rank_units(poor, level::district, "", options("investment_per_capita", "wealth")),
                 geo::format_error);
    EXPECT_THROW(geo::rank_units(model, level::district, "", options("unfunded", "")), geo::format_error);
    EXPECT_THROW(geo::rank_units(poor, level::district, "", options("closing_year", "poverty", &plan)),
                 geo::format_error);
}

TEST_F(ReportTest, WhereTheStateIsAbsent) {
    // A health centre in 01D01C01 and a UPC in 02D01C01; 02D01C03 has nobody.
    auto none = geo::absent_units(model, level::circuit);
    std::vector<std::string> codes;
    for (const auto& r : none) codes.push_back(r.code);
    EXPECT_EQ(codes, (std::vector<std::string>{"01D02C01", "01D01C02", "02D01C02"}));  // most people first
    EXPECT_EQ(none[0].sectors.size(), catalogue.sectors().size());
    auto health = geo::absent_units(model, level::circuit, "health");
    codes.clear();
    for (const auto& r : health) codes.push_back(r.code);
    EXPECT_EQ(codes, (std::vector<std::string>{"02D01C01", "01D02C01", "01D01C02", "02D01C02"}));
    nlohmann::json j = geo::absence_json(model, level::circuit, "health", health);
    EXPECT_EQ(j["units_absent"], 4);
    EXPECT_EQ(j["population_absent"], 30000 + 12000 + 8000 + 4000);
    EXPECT_EQ(geo::absence_csv(health).substr(0, 40), "code,name,population,sectors_absent\n02D0");
}

TEST_F(ReportTest, RankingOrdersDistrictsByDeficitPerCapita) {
    auto rows = geo::rank_units(model, level::district);
    ASSERT_EQ(rows.size(), 3u);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].rank, static_cast<int>(i + 1));
        if (i) {
            EXPECT_GE(rows[i - 1].investment_per_capita, rows[i].investment_per_capita);
        }
        EXPECT_NEAR(rows[i].investment_per_capita * rows[i].population, rows[i].investment, 1e-6);
    }
    EXPECT_EQ(geo::ranking_csv(rows).substr(0, 10), "rank,code,");
}

TEST_F(ReportTest, TargetStatusFollowsTheDocumentedRule) {
    geo::plan_options o = test::budget_options(1500, 0, 2030);
    geo::closing_plan plan = geo::plan_closing(model, {}, o);
    // Security in 02D01: one UPC of the two its populated circuits need (50 %). With 1,500 a
    // year shared by priority, its missing UPC (the smallest circuit's) comes in 2026.
    std::size_t d = *where.find(1, "02D01");
    EXPECT_NEAR(*geo::baseline_value(model, "coverage_pct", "security", 1, d), 50.0, 1e-9);
    EXPECT_NEAR(*geo::indicator_value(plan, "coverage_pct", "security", 1, d, 0), 50.0, 1e-9);
    EXPECT_NEAR(*geo::indicator_value(plan, "coverage_pct", "security", 1, d, 1), 100.0, 1e-9);
    std::vector<geo::target> targets = {
        target_of(2, "coverage_pct", "security", level::district, "02D01", 2030, 50),   // already reached
        target_of(3, "coverage_pct", "security", level::district, "02D01", 2026, 100),  // reached by the plan
        target_of(4, "coverage_pct", "security", level::district, "02D01", 2025, 100),  // not in time
        target_of(5, "population_within_minutes", "health", level::circuit, "", 2030, 95),
    };
    geo::findings report;
    auto rows = geo::evaluate_targets(model, plan, targets, report);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].status, "met");
    EXPECT_EQ(rows[1].status, "at_risk");
    EXPECT_EQ(rows[2].status, "not_met");
    ASSERT_EQ(report.items.size(), 1u);
    EXPECT_EQ(report.items[0].rule, "targets.not_evaluated");
    // Establishments per 10,000 people: 02D01 has one UPC for 34,000 people, two from 2026.
    EXPECT_NEAR(*geo::baseline_value(model, "establishments_per_10k", "security", 1, d), 10000.0 / 34000.0, 1e-9);
    EXPECT_NEAR(*geo::indicator_value(plan, "establishments_per_10k", "security", 1, d, 1), 20000.0 / 34000.0, 1e-9);
}

TEST(Targets, PopulationWithinMinutesComesFromStoredAccessibility) {
    geo::territory where = test::small_territory();
    geo::standards_catalogue catalogue = test::small_catalogue();
    catalogue.items[0].max_travel_min = 30;  // health Tipo A, circuit
    catalogue.items[1].max_travel_min = 60;  // health Hospital, district
    geo::coverage_model model{catalogue, where, test::small_population()};
    EXPECT_EQ(*geo::standard_minutes(catalogue, "health", level::circuit), 30);
    EXPECT_EQ(*geo::standard_minutes(catalogue, "health", level::district), 60);
    EXPECT_EQ(*geo::standard_minutes(catalogue, "health", level::zone), 30);  // none at zone level: the smallest
    EXPECT_FALSE(geo::standard_minutes(catalogue, "security", level::circuit));
    geo::plan_options o = test::budget_options(1500, 0, 2030);
    geo::closing_plan plan = geo::plan_closing(model, {}, o);
    geo::accessibility_run run;
    run.sector = "health", run.measure = "travel_time", run.units = "min", run.thresholds = {30, 60};
    geo::unit_access near, far;
    near.population = 100, near.within = {96, 100};
    far.population = 100, far.within = {50, 80};
    run.units_by_level["circuit"] = {{"01D01C01", near}, {"01D01C02", far}};
    geo::accessibility_index index({run});
    std::vector<geo::target> targets = {
        target_of(2, "population_within_minutes", "health", level::circuit, "01D01C01", 2030, 95),
        target_of(3, "population_within_minutes", "health", level::circuit, "01D01C02", 2030, 95),
        target_of(4, "population_within_minutes", "security", level::circuit, "", 2030, 95)};
    geo::findings report;
    auto rows = geo::evaluate_targets(model, plan, targets, report, &index);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].status, "met");
    EXPECT_DOUBLE_EQ(rows[0].baseline, 96);
    EXPECT_FALSE(rows[0].at_target_year);  // the plan does not place what it builds
    EXPECT_EQ(rows[1].status, "not_met");
    ASSERT_EQ(report.items.size(), 1u);  // security: no accessibility results
    EXPECT_NE(report.items[0].message.find("needs accessibility results for security"), std::string::npos);
}

TEST(Targets, BadRowsAreListedWithLineAndColumn) {
    test::scratch dir;
    std::string path = dir.write("targets.csv",
                                 "indicator,sector,level,code,year,target\n"
                                 "coverage_pct,health,district,,2030,90\n"
                                 "happiness,health,district,,2030,90\n"
                                 "coverage_pct,health,barrio,,20x0,-1\n");
    try {
        geo::read_targets(path);
        FAIL() << "expected an error";
    } catch (const geo::format_error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("line 3, column indicator: unknown indicator 'happiness'"), std::string::npos) << what;
        EXPECT_NE(what.find("line 4, column level"), std::string::npos) << what;
        EXPECT_NE(what.find("line 4, column year"), std::string::npos) << what;
        EXPECT_NE(what.find("line 4, column target"), std::string::npos) << what;
    }
    auto ok = geo::read_targets(std::string(MICROPLAN_DATA_DIR) + "/targets/demo.csv");
    EXPECT_EQ(ok.size(), 6u);
}

}  // namespace

namespace {

// The scorecard's arithmetic, by hand: Portoviejo's water coverage from 64 % to 92 % against a
// 100 % target is 77.8 % achieved; "at least 20 % of the 23 provinces" needs 5 of them.
TEST(Targets, AchievementDirectionsLightsAndSetsByHand) {
    EXPECT_NEAR(geo::achievement_pct(92, 64, 100, geo::target_direction::at_least), 77.78, 0.005);
    EXPECT_EQ(geo::units_required(20, 23), 5u);
    EXPECT_EQ(geo::units_required(20, 25), 5u);  // 0.2 x 25 = 5.000000000000001 in doubles
    EXPECT_EQ(geo::units_required(100, 23), 23u);
    // At most: a gap of 40 to bring down to 10, now 25: half way.
    EXPECT_DOUBLE_EQ(geo::achievement_pct(25, 40, 10, geo::target_direction::at_most), 50);
    EXPECT_TRUE(geo::reaches(geo::target_direction::at_most, 10, 10));
    EXPECT_FALSE(geo::reaches(geo::target_direction::at_most, 10.5, 10));
    // Increase 10 % over a baseline of 50: 55 to reach.
    geo::target up;
    up.direction = geo::target_direction::increase_pct;
    up.value = 10;
    EXPECT_DOUBLE_EQ(geo::target_level(up, 50), 55);
    // Maintain: the baseline itself; holding it is 100 %, falling below 0 %.
    geo::target keep;
    keep.direction = geo::target_direction::maintain;
    EXPECT_DOUBLE_EQ(geo::target_level(keep, 80), 80);
    EXPECT_DOUBLE_EQ(geo::achievement_pct(81, 80, 80, keep.direction), 100);
    EXPECT_DOUBLE_EQ(geo::achievement_pct(79, 80, 80, keep.direction), 0);
    // Lights: 85 % and 60 % by default, configurable.
    EXPECT_EQ(geo::traffic_light(85), "green");
    EXPECT_EQ(geo::traffic_light(77.8), "yellow");
    EXPECT_EQ(geo::traffic_light(59.9), "red");
    EXPECT_EQ(geo::traffic_light(77.8, {75, 50}), "green");

    // A set target over 23 units (20 %): 4 meet it today, 2 more by the target year -> at risk.
    geo::target share;
    share.line = 7;
    share.value = 90;
    share.share_of_units = 20;
    std::vector<geo::indicator_status> rows;
    for (int i = 0; i < 23; ++i) {
        geo::indicator_status r;
        r.goal = share;
        r.code = std::to_string(i);
        r.baseline = i < 4 ? 95 : 50;
        r.status = i < 4 ? "met" : i < 6 ? "at_risk" : "not_met";
        rows.push_back(r);
    }
    geo::score_targets(rows);
    ASSERT_EQ(rows.size(), 24u);
    const geo::indicator_status& set = rows.back();
    EXPECT_EQ(set.code, "*");
    EXPECT_EQ(set.units, 23u);
    EXPECT_EQ(set.required, 5u);
    EXPECT_EQ(set.meeting, 4u);
    EXPECT_EQ(set.status, "at_risk");
    EXPECT_DOUBLE_EQ(*set.achievement, 80);
    EXPECT_EQ(set.light, "yellow");  // 4 of the 5 required: 80 %
}

TEST(Targets, TheTableReadsDirectionsBaselinesSetsAndNotApplicable) {
    test::scratch dir;
    std::string ok =
        dir.write("t.csv",
                  "indicador,sector,nivel,codigo,anio,meta,sentido,linea_base,porcentaje_unidades,no_aplica\n"
                  "coverage_pct,health,district,,2030,100,al menos,64,,\n"
                  "coverage_pct,health,district,,2030,10,incremento_pct,50,20,\n"
                  "coverage_pct,education,zone,Z1,2030,90,,,,no hay escuelas fiscales en la zona\n");
    auto t = geo::read_targets(ok);
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(*t[0].reference, 64);
    EXPECT_EQ(t[1].direction, geo::target_direction::increase_pct);
    EXPECT_EQ(*t[1].share_of_units, 20);
    EXPECT_EQ(t[2].not_applicable, "no hay escuelas fiscales en la zona");
    std::string bad = dir.write("b.csv",
                                "indicator,sector,level,code,year,target,direction,baseline,share_of_units\n"
                                "coverage_pct,health,district,,2030,100,sideways,,\n"
                                "coverage_pct,health,district,,2030,10,maintain,,\n"
                                "coverage_pct,health,district,,2030,10,,,150\n");
    std::string e = test::error_of([&] { geo::read_targets(bad); });
    EXPECT_NE(e.find("line 2, column direction: 'sideways' is not at_least"), std::string::npos) << e;
    EXPECT_NE(e.find("line 3, column baseline: maintain needs the baseline"), std::string::npos) << e;
    EXPECT_NE(e.find("line 4, column share_of_units: '150'"), std::string::npos) << e;
}

}  // namespace
