// The national base of Ecuador built from the real data (../shared/data/ecuador; skipped
// without it): counts, defects reported with their resolution, people, nesting, official
// circuits, balance of the designed parts.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "microplan/geo/design/national.hpp"
#include "microplan/geo/territory/validate.hpp"
#include "microplan/geo/usecases/national.hpp"
#include "support.hpp"

using namespace microplan::geo;
using namespace microplan::geo::design;
using namespace microplan::test;

TEST(RealData, NationalBaseFromParishesCantonsAndTheCodification) {
    MICROPLAN_NEED_ECUADOR_DATA();
    national_options o;
    o.threads = 2;
    national_sources src = national_sources::from_data_dir(ecuador(""));
    src.legal_zones = std::string(MICROPLAN_DATA_DIR) + "/ecuador/legal_zones.csv";
    national_result r = build_national(usecases::read_national_inputs(src, o.analysis_crs, o.threads), o);
    EXPECT_EQ(r.zones.units.size(), 9u);
    EXPECT_EQ(r.districts.units.size(), 140u);
    EXPECT_EQ(r.circuits.units.size(), 1130u);  // every circuit of the codification (official count: 1,134)
    std::map<std::string, int> rules;
    for (const auto& f : r.report.items) ++rules[f.rule];
    EXPECT_EQ(rules["design.circuit_empty"], 0);
    EXPECT_EQ(rules["design.circuit_unplaced"], 0);
    EXPECT_GT(rules["codification.parish_urban"], 100);  // Quito's and Cuenca's urban parishes
    EXPECT_EQ(rules["design.canton_outside"], 3);        // the undelimited zones 9001, 9003, 9004
    std::set<std::string> disagree;
    for (const auto& f : r.report.items)
        if (f.rule == "sources.zone_disagreement") disagree.insert(f.code);
    for (const char* d : {"17D10", "17D11", "17D12"}) EXPECT_TRUE(disagree.count(d)) << d;
    for (const auto& d : r.districts.units)
        if (d.code == "17D10" || d.code == "17D11" || d.code == "17D12") {
            EXPECT_EQ(d.parent_code, "Z2") << d.code;
        }

    // People: circuits add up to districts, districts to zones, all to the census of the
    // parishes inside districts.
    double parishes = 0, circuits = 0, districts = 0, zones = 0;
    for (const auto& [c, v] : r.population[level::parish])
        if (!c.starts_with("90")) parishes += v;
    for (const auto& [c, v] : r.population[level::circuit]) circuits += v;
    for (const auto& [c, v] : r.population[level::district]) districts += v;
    for (const auto& [c, v] : r.population[level::zone]) zones += v;
    EXPECT_NEAR(districts, circuits, 1);
    EXPECT_NEAR(zones, districts, 1);
    EXPECT_NEAR(circuits, parishes, parishes * 0.002);  // Guayaquil's official circuits are recounted

    // Nesting and no overlap, as the validator sees it.
    validation_options vo;
    vo.threads = 2;
    validation_report v = validate({&r.zones, &r.districts, &r.circuits}, vo);
    for (const auto& f : v.report.items) {
        EXPECT_NE(f.rule, "hierarchy.crosses_parent") << f.to_text();
        EXPECT_NE(f.rule, "topology.overlap") << f.to_text();
    }

    // Guayaquil's official circuits take precedence and were compared first.
    EXPECT_EQ(r.official.size(), 57u);
    EXPECT_EQ(r.official_districts.size(), 10u);
    int official = 0;
    for (const auto& u : r.units) official += u.official;
    EXPECT_EQ(official, 57);
    for (const auto& m : r.official) {
        EXPECT_GE(m.best_iou, m.iou_same_code);
        EXPECT_LE(m.best_iou, 1.0);
    }
    // The circuits that share a parish are balanced: nearly all within 5 % of their target.
    int designed = 0, within_5 = 0;
    for (const auto& u : r.units)
        if (u.lvl == level::circuit && u.target > 0 && !u.split_units.empty()) {
            ++designed;
            within_5 += std::abs(u.deviation) <= 0.05;
        }
    EXPECT_GT(designed, 500);
    EXPECT_GE(within_5, designed * 95 / 100) << within_5 << " of " << designed;
    // A circuit made of whole parishes has exactly their census people.
    std::map<std::string, double> census = r.population[level::parish];
    for (const auto& u : r.units) {
        if (u.lvl != level::circuit || u.code != "17D01C01") continue;  // Pacto, per the codification
        EXPECT_TRUE(u.split_units.empty());
        EXPECT_DOUBLE_EQ(u.population, census.at("170172")) << "Pacto";
    }
}
