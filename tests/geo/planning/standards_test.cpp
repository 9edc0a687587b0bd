#include "microplan/geo/planning/standards.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/error.hpp"
#include "planning_fixture.hpp"
#include "support.hpp"

namespace {

using namespace microplan;

TEST(Standards, ShippedCataloguesAreValidAndLabelledIllustrative) {
    auto demo = geo::read_standards(std::string(MICROPLAN_DATA_DIR) + "/standards/demo.csv");
    EXPECT_EQ(demo.items.size(), 16u);
    auto sectors = demo.sectors();
    ASSERT_EQ(sectors.size(), 7u);  // four establishment sectors and three household networks
    EXPECT_EQ(sectors[0].first, "health");
    const geo::standard* water = demo.governing("water", "Red pública de agua");
    ASSERT_NE(water, nullptr);
    EXPECT_EQ(water->rule, geo::standard_rule::households);
    EXPECT_EQ(water->target_pct, 100);
    const geo::standard* upc = demo.governing("security", "UPC");
    ASSERT_NE(upc, nullptr);
    EXPECT_EQ(upc->rule, geo::standard_rule::per_unit);
    EXPECT_EQ(upc->lvl, geo::level::circuit);
    const geo::standard* school = demo.governing("education", "Escuela de Educación Básica");
    ASSERT_NE(school, nullptr);
    EXPECT_EQ(school->target_bands, (std::vector<std::string>{"4-5", "6-17"}));
    const geo::standard* cdi = demo.governing("child_development", "Centro de Desarrollo Infantil (CDI)");
    ASSERT_EQ(cdi->factors.size(), 1u);
    EXPECT_EQ(cdi->factors[0].attribute, "poverty");
    EXPECT_EQ(cdi->factors[0].weight, 0.5);
    for (const auto& s : demo.items) EXPECT_NE(s.note.find("ILLUSTRATIVE"), std::string::npos) << s.line;

    auto ecuador = geo::read_standards(std::string(MICROPLAN_DATA_DIR) + "/standards/ecuador_education.csv");
    // One standard per district: the registry has no typology, so a per-circuit standard of
    // one typology (a hub school per circuit) could never count any school.
    ASSERT_EQ(ecuador.items.size(), 1u);
    // "*" governs every typology that has no standard of its own.
    EXPECT_EQ(ecuador.governing("education", "ESCUELA FISCAL MIXTA")->typology, "*");
    EXPECT_EQ(ecuador.governing("education", "ESCUELA FISCAL MIXTA")->lvl, geo::level::district);
    EXPECT_EQ(ecuador.governing("health", "Puesto"), nullptr);
}

TEST(Standards, EveryBadRowIsReportedWithLineColumnAndRule) {
    test::scratch dir;
    std::string path = dir.write(
        "bad.csv",
        "sector,typology,level,rule,people_per_unit,target_group,investment_cost,recurrent_cost,priority,factors\n"
        "salud,Tipo A,circuito,poblacion,10000,total,1000,100,5,\n"  // fine (Spanish values)
        "astrology,Observatorio,circuit,population,5000,total,1,1,5,\n"
        "health,Tipo B,district,population,-50000,total,1,1,5,\n"
        "health,Tipo C,district,population,,total,1,1,5,\n"
        "health,Tipo D,district,population,1000,total,,1,5,\n"
        "health,Tipo A,circuit,population,1000,total,1,1,5,\n"  // duplicate
        "education,Escuela,barrio,population,1000,6 a 17,1,1,2,\n"
        "education,Colegio,district,population,1000,6-17,1,1,3,poverty:2\n");
    try {
        geo::read_standards(path);
        FAIL() << "expected an error";
    } catch (const geo::format_error& e) {
        std::string what = e.what();
        auto has = [&](const std::string& text) { return what.find(text) != std::string::npos; };
        EXPECT_TRUE(has("line 3, column sector: unknown sector 'astrology'")) << what;
        EXPECT_TRUE(has("[standards.sector_unknown]")) << what;
        EXPECT_TRUE(has("line 4, column people_per_unit: people per establishment is negative")) << what;
        EXPECT_TRUE(has("line 5, column people_per_unit")) << what;
        EXPECT_TRUE(has("[standards.population_missing]")) << what;
        EXPECT_TRUE(has("line 6, column investment_cost: the investment cost is missing")) << what;
        EXPECT_TRUE(has("line 7, column typology: health / Tipo A already has a standard on line 2")) << what;
        EXPECT_TRUE(has("line 8, column level: 'barrio' is not a planning level")) << what;
        EXPECT_TRUE(has("line 8, column target_group: '6a17' is not an age band")) << what;
        EXPECT_TRUE(has("line 9, column priority")) << what;
        EXPECT_TRUE(has("[standards.priority_inconsistent]")) << what;
        EXPECT_TRUE(has("line 9, column factors: 'poverty:2'")) << what;
        EXPECT_EQ(e.where().file, path);
    }
}

TEST(Standards, SpanishHeadersAndMissingColumns) {
    test::scratch dir;
    std::string ok = dir.write("es.csv",
                               "Sector;Tipología;Nivel;Regla;Población por unidad;Grupo objetivo;Capacidad;"
                               "Costo inversión;Costo recurrente;Prioridad;Redondeo\n"
                               "Seguridad;UPC;circuito;por unidad;;total;15;350000;400000;4;techo\n"
                               "Salud;Tipo A;distrito;población;10000;65+;7500;1200000,5;450000;5;redondeo\n");
    auto c = geo::read_standards(ok);
    ASSERT_EQ(c.items.size(), 2u);
    EXPECT_EQ(c.items[0].sector, "security");
    EXPECT_EQ(c.items[0].rule, geo::standard_rule::per_unit);
    EXPECT_EQ(c.items[1].target_bands, std::vector<std::string>{"65+"});
    EXPECT_EQ(c.items[1].investment_cost, 1200000.5);  // decimal comma
    EXPECT_EQ(c.items[1].rounding, geo::rounding_rule::round);
    std::string missing = dir.write("m.csv", "sector,typology,level\nhealth,A,circuit\n");
    try {
        geo::read_standards(missing);
        FAIL();
    } catch (const geo::format_error& e) {
        EXPECT_NE(std::string(e.what()).find("no investment_cost column"), std::string::npos) << e.what();
    }
}

TEST(Standards, ExpansionAndMinimumTiersAreReadAndEveryBadRowReported) {
    test::scratch dir;
    std::string ok = dir.write("ok.csv",
                               "Sector;Tipología;Nivel;Población por unidad;Capacidad;Costo inversión;Costo recurrente;"
                               "Costo ampliación;Límite ampliación;Mínimo operable\n"
                               "educación;Escuela;circuito;1000;500;1000000;200000;1200;250;2000\n"
                               "educación;Colegio;distrito;5000;1000;3000000;400000;;;\n");
    auto c = geo::read_standards(ok);
    ASSERT_EQ(c.items.size(), 2u);
    EXPECT_EQ(c.items[0].expansion_cost, 1200);
    EXPECT_EQ(c.items[0].expansion_limit, 250);
    EXPECT_EQ(c.items[0].minimum_people_per_unit, 2000);
    EXPECT_TRUE(c.items[0].expands());  // 1,200 a place x 500 places < 1,000,000
    EXPECT_FALSE(c.items[1].expands());
    std::string bad =
        dir.write("bad.csv",
                  "sector,typology,level,rule,people_per_unit,capacity,investment_cost,recurrent_cost,expansion_cost,"
                  "expansion_limit,minimum_people_per_unit\n"
                  "education,A,circuit,population,1000,,1,1,5,10,\n"      // no capacity to expand
                  "education,B,circuit,population,1000,100,1,1,,10,\n"    // limit without a cost
                  "education,C,circuit,population,1000,100,1,1,-5,10,\n"  // negative cost
                  "education,D,circuit,population,1000,100,1,1,,,500\n"   // minimum above the ideal
                  "security,UPC,circuit,per_unit,,100,1,1,,,5000\n");     // minimum of a per-unit rule
    try {
        geo::read_standards(bad);
        FAIL() << "expected an error";
    } catch (const geo::format_error& e) {
        std::string what = e.what();
        auto has = [&](const std::string& text) { return what.find(text) != std::string::npos; };
        EXPECT_TRUE(has("line 2, column expansion_limit: expanding by places needs the establishment's capacity"))
            << what;
        EXPECT_TRUE(has("[standards.expansion_without_capacity]")) << what;
        EXPECT_TRUE(has("line 3, column expansion_cost: an expansion limit needs the cost of one place")) << what;
        EXPECT_TRUE(has("line 4, column expansion_cost: a cost cannot be negative")) << what;
        EXPECT_TRUE(has("line 5, column minimum_people_per_unit")) << what;
        EXPECT_TRUE(has("[standards.minimum_above_ideal]")) << what;
        EXPECT_TRUE(has("line 6, column minimum_people_per_unit")) << what;
        EXPECT_TRUE(has("[standards.minimum_needs_population_rule]")) << what;
    }
}

}  // namespace

namespace {

TEST(Standards, TheNationalLevelIsReadAndANetworkCannotUseIt) {
    test::scratch dir;
    std::string ok = dir.write("ok.csv",
                               "sector,typology,level,rule,people_per_unit,capacity,investment_cost,recurrent_cost\n"
                               "health,Hospital de Especialidades,nacional,population,1000000,500,90000000,20000000\n"
                               "health,Centro de Salud,central,population,10000,100,1000000,300000\n");
    auto c = geo::read_standards(ok);
    ASSERT_EQ(c.items.size(), 2u);
    EXPECT_EQ(c.items[0].lvl, geo::level::nation);
    EXPECT_EQ(c.items[1].lvl, geo::level::nation);
    std::string bad = dir.write("bad.csv",
                                "sector,typology,level,rule,capacity,investment_cost,recurrent_cost\n"
                                "water,Red,nation,households,100,500,10\n");
    std::string what = test::error_of([&] { geo::read_standards(bad); });
    EXPECT_NE(what.find("line 2, column level: a network is planned unit by unit"), std::string::npos) << what;
    EXPECT_NE(what.find("[standards.households_need_units]"), std::string::npos) << what;
    // A sectors table may keep a sector out of the nation.
    geo::sectors_catalogue local = geo::builtin_sectors();
    for (auto& s : local.items) s.levels = {geo::level::district};
    what = test::error_of([&] { geo::read_standards(ok, local); });
    EXPECT_NE(what.find("[standards.level_not_allowed]"), std::string::npos) << what;
    EXPECT_NE(what.find("not nation"), std::string::npos) << what;
}

}  // namespace
