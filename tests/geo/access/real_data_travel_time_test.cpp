// Real Ecuador: build-ecuador's travel times to the schools over the national friction surface
// without land cover (SRTM + IGM 1:1M roads, two season scenarios), read back from the store
// and the report: the surface's grid, a figure for every unit off Galápagos, the rainy season
// never better than the dry one, Quito's urban district near 100 % within 30 minutes and the
// remote Amazon lower. Also the settlements as candidate sites for `access sites`.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "microplan/geo/store/planning_store.hpp"
#include "support.hpp"
#include "watchdog.hpp"

namespace microplan::geo {
namespace {

// level -> code -> threshold -> people within, for one measure.
using within_table = std::map<std::string, std::map<std::string, std::map<double, double>>>;

TEST(RealDataTravelTime, NationalSurfaceSchoolsPerUnitBothSeasonsAndSettlementsAsSites) {
    MICROPLAN_NEED_ECUADOR_DATA();
    test::watchdog guard(std::chrono::seconds(580));
    test::scratch dir;
    const std::string store = dir.path("ec.sqlite");
    auto b = test::run(
        test::microplan_cmd("build-ecuador --data " + test::ecuador("") + " --out " + store + " --threads 2"));
    ASSERT_EQ(b.exit_code, 0) << b.output;
    auto report = nlohmann::json::parse(std::ifstream(store + "_report.json"));
    const auto& a = report["accessibility"];
    ASSERT_TRUE(a.is_object()) << report.dump().substr(0, 400);
    // The grid: 100 m cells in the analysis CRS over the mainland (not Galápagos).
    EXPECT_EQ(a["surface"]["cell_m"], 100.0);
    EXPECT_EQ(a["surface"]["crs"], "EPSG:32717");
    const auto& e = a["surface"]["extent"];
    EXPECT_NEAR(e[0].get<double>(), 490700, 2000);   // La Plata island, -81.08°
    EXPECT_NEAR(e[2].get<double>(), 1147900, 2000);  // the Amazon border, -75.19°
    EXPECT_NEAR(e[1].get<double>(), 9445300, 2000);  // -5.02°
    EXPECT_NEAR(e[3].get<double>(), 10160700, 2000);
    EXPECT_EQ(a["surface"]["cols"].get<int>() * 100, e[2].get<double>() - e[0].get<double>());
    EXPECT_EQ(a["limitations"], (nlohmann::json{"no_land_cover", "small_scale_roads"}));
    ASSERT_EQ(a["scenarios"].size(), 2u);
    EXPECT_EQ(a["scenarios"][1]["roads_closed_or_without_speed"], 680);  // the dry-season roads
    EXPECT_GT(a["schools"]["used"].get<int>(), 10000);

    auto db = store::open_store(store, store::open_mode::read_only);
    std::map<std::string, within_table> by_measure;
    std::map<std::string, std::map<std::string, std::map<std::string, unit_access>>> stats;
    for (const auto& run : db->read_accessibility()) {
        EXPECT_EQ(run.limitations, (std::vector<std::string>{"no_land_cover", "small_scale_roads"}));
        for (const auto& [lvl, units] : run.units_by_level)
            for (const auto& [code, u] : units)
                for (std::size_t t = 0; t < run.thresholds.size(); ++t)
                    by_measure[run.measure][lvl][code][run.thresholds[t]] = u.within[t];
        stats[run.measure] = run.units_by_level;
    }
    ASSERT_EQ(by_measure.size(), 2u);
    // Every unit off Galápagos (district 20D01, cantons 20xx) has a within-30 figure in both.
    for (const auto& [measure, levels] : stats)
        for (const char* lvl : {"zone", "district", "circuit"}) {
            ASSERT_TRUE(levels.count(lvl)) << measure << " " << lvl;
            for (const auto& [code, u] : levels.at(lvl)) {
                if (code.rfind("20D01", 0) == 0) continue;
                EXPECT_GT(u.population, 0) << measure << " " << lvl << " " << code;
                EXPECT_EQ(u.within.size(), 3u) << code;
            }
        }
    // The rainy season closes roads: never more people within any time, in any unit.
    for (const auto& [lvl, units] : by_measure["travel_time"])
        for (const auto& [code, within] : units)
            for (const auto& [t, dry] : within)
                EXPECT_LE(by_measure["travel_time_rainy"][lvl][code][t], dry * (1 + 1e-6) + 1e-6)
                    << lvl << " " << code << " " << t;
    auto pct = [&](const std::string& measure, const std::string& code) {
        const unit_access& u = stats[measure]["district"][code];
        return 100.0 * by_measure[measure]["district"][code][30] / u.population;
    };
    EXPECT_GT(pct("travel_time", "17D04"), 97.0);  // Quito, urban centre
    EXPECT_GT(pct("travel_time", "09D01"), 95.0);  // Guayaquil
    EXPECT_LT(pct("travel_time", "22D03"), 50.0);  // Aguarico, remote Amazon
    EXPECT_LT(pct("travel_time", "21D03"), 80.0);  // Putumayo
    db.reset();

    // The IGM settlements as candidate sites: the sites are settlements, named.
    auto s = test::run(
        test::microplan_cmd("access sites " + store + " --sector education --population " +
                            test::ecuador("rasters/landscan_2023_continental.tif") +
                            " --walk-kmh 5 --resolution 1000 --dem " + test::ecuador("rasters/srtm3_ecuador.tif") +
                            " --minutes 60 -k 3 --candidates " + test::ecuador("settlements/poblados_igm_1m.shp")));
    ASSERT_EQ(s.exit_code, 0) << s.output;
    EXPECT_NE(s.output.find("candidate_id,candidate_name"), std::string::npos) << s.output;
    EXPECT_NE(s.output.find("candidate points read"), std::string::npos) << s.output;
    EXPECT_NE(s.output.find("3 sites add"), std::string::npos) << s.output;
}

}  // namespace
}  // namespace microplan::geo
