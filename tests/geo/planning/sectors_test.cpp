// Sectors as data: the shipped table after the method's Tabla 1, every bad row reported, and the
// standards checked against it (sector known, planned with establishments, at a level allowed).
#include "microplan/geo/planning/sectors.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "microplan/geo/error.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "planning_fixture.hpp"
#include "support.hpp"

namespace {

using namespace microplan;

using test::error_of;

TEST(Sectors, TheShippedTableFollowsTablaOneAndNamesTheNetworks) {
    auto t = geo::read_sectors(std::string(MICROPLAN_DATA_DIR) + "/sectors/ecuador.csv");
    ASSERT_EQ(t.items.size(), 11u);
    const geo::sector_def* health = t.find("health");
    ASSERT_NE(health, nullptr);
    EXPECT_EQ(health->label_en, "Health");
    EXPECT_EQ(health->deconcentration, 2);
    EXPECT_TRUE(health->allows(geo::level::circuit));
    const geo::sector_def* sport = t.find("sport");  // type 3: central and zonal only
    EXPECT_TRUE(sport->allows(geo::level::zone));
    EXPECT_FALSE(sport->allows(geo::level::district));
    EXPECT_EQ(t.find("water")->kind, geo::sector_kind::network);
    EXPECT_EQ(t.canonical("Agua Potable"), "water");
    EXPECT_EQ(t.canonical("MSP"), "health");  // canonical_sector's spellings still apply
    EXPECT_FALSE(geo::check_sectors(t).has_errors());
    EXPECT_EQ(geo::check_sectors(t).count(geo::severity::warning), 0u);
    // The built-in table: the eight establishment sectors and three networks at every level.
    EXPECT_EQ(geo::builtin_sectors().items.size(), 11u);
    EXPECT_EQ(geo::known_sectors().size(), 11u);
}

TEST(Sectors, EveryBadRowIsReportedWithLineColumnAndRule) {
    test::scratch dir;
    std::string path = dir.write("bad.csv",
                                 "Sector;Etiqueta_es;Tipo;Desconcentracion;Niveles\n"
                                 "salud;Salud;establecimiento;2;zona\n"   // read as health
                                 "health;Salud;establecimiento;2;zona\n"  // so this one is a duplicate
                                 "agua-potable;Agua;pipes;7;zona\n"
                                 "sport;;establecimiento;3;barrio\n");
    std::string e = error_of([&] { geo::read_sectors(path); });
    auto has = [&](const std::string& text) { return e.find(text) != std::string::npos; };
    EXPECT_TRUE(has("line 3, column sector: 'health' is listed twice")) << e;
    EXPECT_TRUE(has("line 4, column kind: 'pipes' is not establishment or network")) << e;
    EXPECT_TRUE(has("line 4, column deconcentration")) << e;
    EXPECT_TRUE(has("[sectors.type_invalid]")) << e;
    EXPECT_TRUE(has("line 5, column label_es")) << e;
    EXPECT_TRUE(has("line 5, column levels: 'barrio' is not a planning level")) << e;
    // A type 3 sector planned below the zone: a warning, not an error.
    std::string warned = dir.write("warned.csv",
                                   "sector,label_es,kind,deconcentration,levels\n"
                                   "sport,Deporte,establishment,3,zone;district\n");
    auto w = geo::read_sectors(warned);
    auto report = geo::check_sectors(w);
    ASSERT_EQ(report.count(geo::severity::warning), 1u);
    EXPECT_EQ(report.items[0].rule, "sectors.levels_beyond_type");
    std::string missing = dir.write("m.csv", "sector,label_es\nhealth,Salud\n");
    EXPECT_NE(error_of([&] { geo::read_sectors(missing); }).find("no levels column"), std::string::npos);
}

TEST(Sectors, StandardsNameAKnownEstablishmentSectorAtALevelItAllows) {
    test::scratch dir;
    auto sectors = geo::read_sectors(std::string(MICROPLAN_DATA_DIR) + "/sectors/ecuador.csv");
    std::string path = dir.write("c.csv",
                                 "sector,typology,level,rule,people_per_unit,investment_cost,recurrent_cost\n"
                                 "salud,Tipo A,circuit,population,10000,1,1\n"          // fine
                                 "deporte,Coliseo,district,population,50000,1,1\n"      // sport: zone only
                                 "Agua potable,Red,circuit,population,1000,1,1\n"       // a network
                                 "astrology,Observatorio,zone,population,5000,1,1\n");  // unknown
    std::string e = error_of([&] { geo::read_standards(path, sectors); });
    auto has = [&](const std::string& text) { return e.find(text) != std::string::npos; };
    EXPECT_TRUE(has("line 3, column level: the sectors table")) << e;
    EXPECT_TRUE(has("lets sport standards use nation, zone, not district")) << e;
    EXPECT_TRUE(has("[standards.level_not_allowed]")) << e;
    EXPECT_TRUE(has("line 4, column rule: water is a network sector")) << e;
    EXPECT_TRUE(has("line 5, column sector: unknown sector 'astrology' (known: health, education")) << e;
    EXPECT_FALSE(has("line 2,")) << e;
    // Without the table (built-in sectors, every level) no level is refused; the built-in
    // networks are networks still.
    std::string plain = error_of([&] { geo::read_standards(path); });
    EXPECT_EQ(plain.find("[standards.level_not_allowed]"), std::string::npos) << plain;
    EXPECT_NE(plain.find("line 4, column rule: water is a network sector"), std::string::npos) << plain;
    EXPECT_NE(plain.find("unknown sector 'astrology'"), std::string::npos) << plain;
}

}  // namespace
