// The real Ecuador data (../shared/data/ecuador): hierarchy, build, full resolution.
#include <gtest/gtest.h>

#include <set>

#include "geo/ecuador_units.hpp"
#include "microplan/geo/io/codification.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/territory/build.hpp"
#include "microplan/geo/territory/validate.hpp"
#include "support.hpp"

using namespace microplan::geo;
using namespace microplan::test;

namespace {
std::vector<finding> with_rule(const findings& r, const std::string& rule) {
    std::vector<finding> out;
    for (const auto& f : r.items)
        if (f.rule == rule) out.push_back(f);
    return out;
}
}  // namespace

TEST(RealData, ProvincesCantonsParishesNestByCodeAndGeometry) {
    MICROPLAN_NEED_ECUADOR_DATA();
    unit_layer provinces = load_ecuador_units("provincias.geojson", level::province);
    unit_layer cantons = load_ecuador_units("cantones.geojson", level::canton);
    unit_layer parishes = load_ecuador_units("parroquias.geojson", level::parish);
    EXPECT_EQ(provinces.units.size(), 25u);
    EXPECT_EQ(cantons.units.size(), 224u);
    EXPECT_EQ(parishes.units.size(), 1040u);
    auto r = validate({&provinces, &cantons, &parishes});
    EXPECT_TRUE(r.ok()) << r.to_text();
    EXPECT_TRUE(with_rule(r.report, "hierarchy.crosses_parent").empty());
    EXPECT_TRUE(with_rule(r.report, "hierarchy.parent_missing").empty());
    // The undelimited zones: province 90, cantons 9001/9003/9004 and their parishes.
    auto undelimited = with_rule(r.report, "territory.undelimited");
    std::set<std::string> codes;
    for (const auto& f : undelimited) codes.insert(f.code);
    EXPECT_TRUE(codes.count("90"));
    EXPECT_TRUE(codes.count("9001"));
    EXPECT_TRUE(codes.count("9003"));
    EXPECT_TRUE(codes.count("9004"));
}

TEST(RealData, DistrictsAndZonesFromCantonsAndTheCodificationTable) {
    MICROPLAN_NEED_ECUADOR_DATA();
    unit_layer cantons = load_ecuador_units("cantones.geojson", level::canton);
    auto table = codification_table::read(ecuador("tables/senplades_zonas_distritos_circuitos.csv"));
    EXPECT_EQ(table.rows().size(), 1887u);
    built_levels b = build_from_cantons(cantons, table, "EPSG:32717");
    EXPECT_EQ(b.zones.units.size(), 9u);
    // 140 districts, 25 of which lie inside the five city cantons and cannot be built.
    auto city = with_rule(b.report, "build.city_canton");
    std::set<std::string> city_cantons;
    std::size_t unbuilt = 0;
    for (const auto& f : city) {
        city_cantons.insert(f.code);
        // "... holds N districts (...)"
        unbuilt += std::stoul(f.message.substr(f.message.find("holds ") + 6));
    }
    EXPECT_EQ(city_cantons, (std::set<std::string>{"0101", "0901", "1701", "1801",
                                                   "2301"}));  // Cuenca, Guayaquil, Quito, Ambato, Santo Domingo
    EXPECT_EQ(unbuilt, 25u);
    EXPECT_EQ(b.districts.units.size() + unbuilt, 140u)
        << "built " << b.districts.units.size() << " + unbuilt " << unbuilt;
    EXPECT_FALSE(b.report.has_errors()) << [&] {
        std::string s;
        for (auto& f : b.report.items) s += f.to_text() + "\n";
        return s;
    }();
    // Every row matched: the only cantons outside the table are the undelimited ones.
    auto not_in_table = with_rule(b.report, "codification.canton_not_in_table");
    for (const auto& f : not_in_table) EXPECT_TRUE(f.code.starts_with("90")) << f.to_text();
    // The built levels nest; the codification table's zones are not all one territory: its
    // zone 9 is Quito and Tungurahua, two pieces that do not touch, and its zone 3 lacks
    // Tungurahua, which joins Cotopaxi to Chimborazo and Pastaza (build-ecuador resolves the
    // zones from the law); its district 06D03 lists Cumandá and Pallatanga, which Chillanes
    // (Bolívar) separates in the cartography, and 09D16 El Triunfo and General Antonio Elizalde,
    // which a kilometre of Cumandá separates. The cantons make Tenguel a legal exclave of zone 8.
    auto r = validate({&b.zones, &b.districts, &cantons});
    std::set<std::string> split;
    for (const auto& f : r.report.items)
        if (f.sev == severity::error) {
            EXPECT_EQ(f.rule, "territory.not_contiguous") << f.to_text();
            split.insert(f.code);
        }
    EXPECT_EQ(split, (std::set<std::string>{"06D03", "09D16", "Z3", "Z9"})) << r.to_text();
}

TEST(RealData, FullResolutionCantonsImportAndValidate) {
    MICROPLAN_NEED_ECUADOR_DATA();
    import_options o;
    o.path = "/vsigzip/" + ecuador("boundaries/cantones_detalle.geojson.gz");
    o.lvl = level::canton;
    import_result r = read_units(o);
    EXPECT_EQ(r.layer.units.size(), 221u);
    EXPECT_GT(r.vertices, 1'100'000u);
    EXPECT_EQ(r.used_fields.code, "DPA_CANTON");
    EXPECT_EQ(r.used_fields.name, "DPA_DESCAN");
    auto v = validate({&r.layer});
    EXPECT_TRUE(v.ok()) << v.to_text();
    // Ecuador is about 257,000 km².
    EXPECT_NEAR(v.levels[0].area_km2, 256000, 6000);
}

TEST(RealData, CodificationRowsMatchParishesByCodeOrTolerantName) {
    MICROPLAN_NEED_ECUADOR_DATA();
    unit_layer cantons = load_ecuador_units("cantones.geojson", level::canton);
    unit_layer parishes = load_ecuador_units("parroquias.geojson", level::parish);
    auto table = codification_table::read(ecuador("tables/senplades_zonas_distritos_circuitos.csv"));
    canton_districts cd = table.match_cantons(cantons);
    findings report;
    auto matched = table.match_parishes(parishes, cd, report);
    // Every row is either matched or reported (once per district and name), never dropped.
    std::set<std::pair<std::string, std::string>> unmatched;
    for (std::size_t i = 0; i < table.rows().size(); ++i)
        if (!matched.count(i)) unmatched.emplace(table.rows()[i].district, table.rows()[i].parish);
    EXPECT_EQ(unmatched.size(), report.items.size());
    // Beyond the 1,378 rows whose DPA code came from an exact name, tolerant matching finds 312 more (1,690 measured);
    // 197 rows stay reported.
    EXPECT_GE(matched.size(), 1690u) << report.items.size() << " unmatched";
    for (const auto& f : report.items) EXPECT_EQ(f.rule, "codification.parish_unmatched");

    // With INEC's urban parish classifier, the city rows (Quito's CARCELEN, Cuenca's
    // CUENCA_BELLAVISTA) resolve to their seat parish; 20 names stay unmatched (islands of
    // Galápagos, parishes the cartography lacks), each reported once.
    auto urban = read_urban_parishes(ecuador("tables/parroquias_urbanas_dpa2019.csv"));
    findings with_urban;
    auto all = table.match_parishes(parishes, cd, with_urban, &urban);
    std::size_t urban_rows = 0, unmatched_names = 0;
    for (const auto& f : with_urban.items) {
        urban_rows += f.rule == "codification.parish_urban";
        unmatched_names += f.rule == "codification.parish_unmatched";
    }
    EXPECT_GE(all.size(), 1860u);
    EXPECT_GE(urban_rows, 170u);
    EXPECT_LE(unmatched_names, 20u);
    for (const auto& [row, code] : all) {
        if (table.rows()[row].parish == "CARCELEN") {
            EXPECT_EQ(code, "170150");
        }
    }
}
