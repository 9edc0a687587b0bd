// The stages of the national build (design/national_stages.hpp) on a synthetic country, so the
// design is covered without the real data: seven parishes in three cantons near Quito, a tiny
// codification table written to a scratch folder, a census with a changed code and a new
// parish, a population raster in memory, district offices, a legal zoning and one official
// circuit. Each test checks one stage's output; the last runs build_national whole.
#include "microplan/geo/design/national_stages.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include "../../support.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/design/national.hpp"

using namespace microplan::geo;
using namespace microplan::geo::design;
using namespace microplan::test;

namespace {

std::string box_wkt(double x, double y, double w, double h) {
    char wkt[256];
    std::snprintf(wkt, sizeof wkt, "MULTIPOLYGON(((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f)))", x, y, x + w,
                  y, x + w, y + h, x, y + h, x, y);
    return wkt;
}

unit make_unit(level lvl, const std::string& code, const std::string& name, const std::string& wkt) {
    unit u;
    u.lvl = lvl;
    u.code = code;
    u.name = name;
    u.geometry = geos::from_wkt(wkt);
    measure_unit(u, "EPSG:32717");
    return u;
}

double area_m2(const GEOSGeometry* g) {
    proj::transformer t("EPSG:4326", "EPSG:32717");
    return geos::area(t.forward(g).get());
}

bool is_valid(const GEOSGeometry* g) { return geos::is_valid(g); }

std::size_t count_rule(const findings& f, const std::string& rule) {
    std::size_t n = 0;
    for (const auto& x : f.items) n += x.rule == rule;
    return n;
}

const finding* first_rule(const findings& f, const std::string& rule) {
    for (const auto& x : f.items)
        if (x.rule == rule) return &x;
    return nullptr;
}

// Parishes (0.02° squares, ~2.2 km):   GAMMA DELTA | ZETA
//                                       ALFA  BETA  | EPSILON | ETA
// cantons 1701 QUITO (ALFA..DELTA, two districts), 1702 MEJIA (EPSILON, ZETA), 1703 LEJOS (ETA,
// in no row of the codification).
const char* codification_csv =
    "ZONA,PROVINCIA,CANTON,PARROQUIA,COD. DISTRITO,NOMBRE DISTRITO,COD. CIRCUITO,NOMBRE CIRCUITO\n"
    "9,PICHINCHA,QUITO,ALFA,17D01,NORTE,17D01C01,ALFA\n"
    "9,PICHINCHA,QUITO,BETA,17D01,NORTE,17D01C02,BETA NORTE\n"
    "9,PICHINCHA,QUITO,BETA,17D02,SUR,17D02C01,BETA SUR\n"
    "9,PICHINCHA,QUITO,GAMMA,17D02,SUR,17D02C02,GAMMA\n"
    "9,PICHINCHA,QUITO,DELTA,17D02,SUR,17D02C02,GAMMA\n"
    "9,PICHINCHA,MEJIA,EPSILON,17D03,MEJIA,17D03C01,EPSILON\n"
    "9,PICHINCHA,MEJIA,ZETA,17D03,MEJIA,17D03C02,ZETA\n"
    "9,PICHINCHA,MEJIA,NINGUNA,17D03,MEJIA,17D03C03,PERDIDO\n";

class NationalStages : public ::testing::Test {
protected:
    void SetUp() override {
        in.sources.legal_zones = "legal_zones.csv";
        in.sources.recorded_zones = "register.csv";
        in.sources.offices = "offices.csv";
        in.sources.official_circuits = "official.geojson";
        in.parishes.lvl = level::parish;
        const double s = 0.02, x0 = -78.60, y0 = -0.30;
        auto parish = [&](const char* code, const char* name, int col, int row) {
            in.parishes.units.push_back(
                make_unit(level::parish, code, name, box_wkt(x0 + col * s, y0 + row * s, s, s)));
        };
        parish("170101", "ALFA", 0, 0);
        parish("170102", "BETA", 1, 0);
        parish("170103", "GAMMA", 0, 1);
        parish("170104", "DELTA", 1, 1);
        parish("170201", "EPSILON", 2, 0);
        parish("170202", "ZETA", 2, 1);
        parish("170301", "ETA", 3, 0);
        in.cantons.lvl = level::canton;
        in.cantons.units.push_back(make_unit(level::canton, "1701", "QUITO", box_wkt(x0, y0, 2 * s, 2 * s)));
        in.cantons.units.push_back(make_unit(level::canton, "1702", "MEJIA", box_wkt(x0 + 2 * s, y0, s, 2 * s)));
        in.cantons.units.push_back(make_unit(level::canton, "1703", "LEJOS", box_wkt(x0 + 3 * s, y0, s, s)));
        // DELTA's census row has another code; NUEVA was carved out of a Quito parish; ETA has none.
        in.census.people = {
            {"170101", 30000}, {"170102", 40000}, {"170103", 10000}, {"170201", 20000}, {"170202", 12000}};
        in.census.orphans = {{"170199", "DELTA", "QUITO", 12000}, {"170198", "NUEVA", "QUITO", 3000}};
        in.codification = codification_table::read(dir.write("codification.csv", codification_csv));
        // The law: Pichincha in Z9 but canton 1702 (MEJIA) in Z8; the register agrees with it.
        in.legal_zones = {{level::province, "17", "PICHINCHA", "Z9", "a decree", 1},
                          {level::canton, "1702", "MEJIA", "Z8", "a later decree", 2}};
        in.recorded_zones = {{"17D01", {{"Z9", 40}}}, {"17D03", {{"Z8", 7}, {"Z9", 1}}}};
        in.offices["17D01"] = {"Z9", std::pair{-78.59, -0.29}, 1};    // in ALFA
        in.offices["17D02"] = {"Z9", std::pair{-78.59, -0.27}, 2};    // in GAMMA
        in.offices["17D03"] = {"Z9", std::pair{-78.595, -0.295}, 3};  // in ALFA, district 17D01
        // The official 17D01C01: ALFA and a strip of BETA; and a circuit the table does not have.
        in.official_circuits["17D01C01"] = geos::from_wkt(box_wkt(x0, y0, s + 0.005, s));
        in.official_circuits["17D09C01"] = geos::from_wkt(box_wkt(x0, y0 - s, s, s));
        // A raster of 0.01° cells: 50 people per cell, 500 in BETA's four cells.
        population_grid r;
        r.g = {12, 8, -78.62, -0.24, 0.01, 0.01, "EPSG:4326"};
        r.people.assign(r.g.cells(), 50.0f);
        for (std::size_t row = 4; row < 6; ++row)
            for (std::size_t col = 4; col < 6; ++col) r.people[row * 12 + col] = 500.0f;
        in.rasters.grids.push_back(std::move(r));
        opt.threads = 2;
    }

    std::size_t parish(const std::string& name) const {
        for (std::size_t i = 0; i < in.parishes.units.size(); ++i)
            if (in.parishes.units[i].name == name) return i;
        ADD_FAILURE() << name;
        return 0;
    }

    // The stages, each run once when a test needs it.
    const parish_census& census() {
        if (!census_) census_ = match_census({in.parishes, in.cantons, in.census, in.rasters, opt.threads});
        return *census_;
    }
    const codification_result& cod() {
        if (!cod_)
            cod_ = codify_parishes({in.parishes, in.cantons, in.codification, in.urban_parishes, census().people});
        return *cod_;
    }
    const zone_resolution& zones() {
        if (!zones_)
            zones_ = resolve_zones({cod().zone_of, cod().cantons.cantons_of_district, in.legal_zones, in.offices,
                                    in.recorded_zones, "codification.csv", in.sources.legal_zones, in.sources.offices,
                                    in.sources.recorded_zones});
        return *zones_;
    }
    const national_pieces& pieces() {
        if (!pieces_)
            pieces_ = build_pieces({in.parishes, census().people, cod().listed_districts, cod().listed_circuits,
                                    in.rasters, opt.analysis_crs, opt.threads});
        return *pieces_;
    }
    const district_design& districts() {
        if (!districts_)
            districts_ = design_districts({in.parishes, pieces().graph, cod().cantons, cod().listed_districts,
                                           cod().listed_circuits, in.offices, opt.analysis_crs, opt.seed, opt.threads});
        return *districts_;
    }
    const circuit_design& circuits() {
        if (!circuits_)
            circuits_ = design_circuits({pieces().graph, districts(), cod().circuits_of_district, cod().listed_circuits,
                                         opt.seed, opt.threads});
        return *circuits_;
    }
    circuit_units assembled() {
        return assemble_circuits({pieces().graph, in.parishes, circuits(), cod().circuit_name, opt.threads});
    }

    scratch dir;
    national_inputs in;
    national_options opt;
    std::optional<parish_census> census_;
    std::optional<codification_result> cod_;
    std::optional<zone_resolution> zones_;
    std::optional<national_pieces> pieces_;
    std::optional<district_design> districts_;
    std::optional<circuit_design> circuits_;
};

}  // namespace

TEST_F(NationalStages, CensusByCodeByNameCarvedFromAndOnTheRaster) {
    const parish_census& c = census();
    ASSERT_EQ(c.people.size(), 7u);
    EXPECT_DOUBLE_EQ(c.people[parish("ALFA")], 30000);
    EXPECT_DOUBLE_EQ(c.people[parish("BETA")], 40000);
    EXPECT_DOUBLE_EQ(c.people[parish("DELTA")], 12000);  // its row under a changed code, by name
    // NUEVA (3,000) joins the Quito parish whose raster count exceeds its census most: GAMMA.
    EXPECT_DOUBLE_EQ(c.people[parish("GAMMA")], 13000);
    EXPECT_DOUBLE_EQ(c.people[parish("ETA")], 200);  // four cells of 50 on the raster
    EXPECT_EQ(count_rule(c.report, "design.population_by_name"), 1u);
    EXPECT_EQ(count_rule(c.report, "design.population_without_polygon"), 1u);
    EXPECT_EQ(count_rule(c.report, "design.population_from_raster"), 1u);
    // Without a raster the parishes without a row stay empty and nobody is carved.
    weight_rasters none;
    parish_census bare = match_census({in.parishes, in.cantons, in.census, none, 1});
    EXPECT_DOUBLE_EQ(bare.people[parish("ETA")], 0);
    EXPECT_DOUBLE_EQ(bare.people[parish("GAMMA")], 10000);
    EXPECT_EQ(count_rule(bare.report, "design.population_from_raster"), 0u);
}

TEST_F(NationalStages, CodificationMatchesCantonsAndParishesAndPlacesWhatIsLeft) {
    const codification_result& c = cod();
    EXPECT_EQ(c.cantons.districts_of_canton.at("1701"), (std::vector<std::string>{"17D01", "17D02"}));
    EXPECT_EQ(c.cantons.districts_of_canton.at("1702"), (std::vector<std::string>{"17D03"}));
    EXPECT_EQ(c.zone_of.at("17D03"), "Z9");  // the table's zone, before resolve_zones
    EXPECT_EQ(c.listed_districts[parish("BETA")], (std::set<std::string>{"17D01", "17D02"}));
    EXPECT_EQ(c.listed_circuits[parish("ZETA")], (std::set<std::string>{"17D03C02"}));
    EXPECT_EQ(c.listed_circuits[parish("DELTA")], (std::set<std::string>{"17D02C02"}));
    // 17D03C03 matched no parish: it becomes a part of the district's most populous parish.
    EXPECT_EQ(c.listed_circuits[parish("EPSILON")], (std::set<std::string>{"17D03C01", "17D03C03"}));
    EXPECT_EQ(count_rule(c.report, "design.circuit_without_parish"), 1u);
    const finding* unmatched = first_rule(c.report, "codification.parish_unmatched");
    ASSERT_NE(unmatched, nullptr);
    EXPECT_NE(unmatched->message.find("see design.circuit_without_parish"), std::string::npos) << unmatched->message;
    const finding* outside = first_rule(c.report, "design.canton_outside");
    ASSERT_NE(outside, nullptr);
    EXPECT_EQ(outside->code, "1703");
    EXPECT_EQ(c.circuits_of_district.at("17D02"), (std::set<std::string>{"17D02C01", "17D02C02"}));
    EXPECT_EQ(c.circuit_name.at("17D01C02"), "BETA NORTE");
}

TEST_F(NationalStages, PiecesSplitTheParishesListedSeveralTimes) {
    const national_pieces& p = pieces();
    EXPECT_EQ(p.split_parishes, 2u);  // BETA (two districts) and EPSILON (two circuits)
    const piece_graph& g = p.graph;
    for (const char* name : {"BETA", "EPSILON"}) {
        std::size_t a = parish(name);
        EXPECT_TRUE(g.is_split(a)) << name;
        double sum = 0;
        for (std::uint32_t q : g.pieces_of(a)) sum += g.pieces()[q].population;
        EXPECT_NEAR(sum, census().people[a], 1e-6) << name;
        EXPECT_GT(g.pieces_of(a).size(), 100u) << name;
    }
    EXPECT_FALSE(g.is_split(parish("ALFA")));
    EXPECT_FALSE(g.is_split(parish("ZETA")));
    EXPECT_EQ(g.pieces_of(parish("ALFA")).size(), 1u);
    EXPECT_TRUE(p.report.items.empty());  // the raster has people everywhere
}

TEST_F(NationalStages, DistrictsShareTheCityBalancedAndStartFromTheirOffices) {
    const district_design& d = districts();
    ASSERT_EQ(d.codes, (std::vector<std::string>{"17D01", "17D02", "17D03"}));
    EXPECT_EQ(d.designed, (std::vector<bool>{true, true, false}));
    const piece_graph& g = pieces().graph;
    std::vector<double> people(3, 0);
    std::size_t pieces_in_districts = 0;
    for (std::size_t k = 0; k < 3; ++k) {
        for (std::uint32_t p : d.pieces[k]) people[k] += g.pieces()[p].population;
        pieces_in_districts += d.pieces[k].size();
    }
    // BETA's 40,000 shared one circuit each: 17D01 = 30,000 + 20,000, 17D02 = 25,000 + 20,000.
    EXPECT_NEAR(d.target[0], 50000, 1);
    EXPECT_NEAR(d.target[1], 45000, 1);
    EXPECT_NEAR(people[0], d.target[0], d.target[0] * 0.02);
    EXPECT_NEAR(people[1], d.target[1], d.target[1] * 0.02);
    EXPECT_NEAR(people[2], census().people[parish("EPSILON")] + census().people[parish("ZETA")], 1e-6);
    // Every piece of the districts' cantons in exactly one district; ETA in none.
    EXPECT_EQ(pieces_in_districts, g.pieces().size() - 1);
    for (std::size_t k = 0; k < 3; ++k)
        for (std::uint32_t p : d.pieces[k]) EXPECT_NE(g.pieces()[p].atom, parish("ETA"));
}

TEST_F(NationalStages, CircuitsAreGrownInsideTheirDistrictsAndBalanced) {
    const circuit_design& c = circuits();
    ASSERT_EQ(c.codes, (std::vector<std::string>{"17D01C01", "17D01C02", "17D02C01", "17D02C02", "17D03C01", "17D03C02",
                                                 "17D03C03"}));
    const piece_graph& g = pieces().graph;
    const district_design& d = districts();
    for (std::size_t i = 0; i < c.codes.size(); ++i) {
        ASSERT_FALSE(c.pieces[i].empty()) << c.codes[i];
        EXPECT_EQ(c.district[i], c.codes[i].substr(0, 5));
        const auto& own = d.pieces[d.index.at(c.district[i])];
        std::set<std::uint32_t> in_district(own.begin(), own.end());
        double people = 0;
        for (std::uint32_t p : c.pieces[i]) {
            EXPECT_TRUE(in_district.count(p)) << c.codes[i];
            people += g.pieces()[p].population;
        }
        if (c.target[i] > 0) {
            EXPECT_NEAR(people, c.target[i], c.target[i] * 0.05) << c.codes[i];
        }
    }
    // EPSILON's 20,000 shared by 17D03C01 and 17D03C03 (placed there by the fallback).
    EXPECT_NEAR(c.target[4], 10000, 1e-6);
    EXPECT_NEAR(c.target[6], 10000, 1e-6);
    // ALFA alone is 17D01C01, by the codification: not shaped by the design.
    EXPECT_EQ(c.target[0], 0);
    ASSERT_EQ(c.pieces[0].size(), 1u);
    EXPECT_EQ(g.pieces()[c.pieces[0][0]].atom, parish("ALFA"));
}

TEST_F(NationalStages, CircuitGeometryIsValidContiguousAndAPartition) {
    circuit_units u = assembled();
    ASSERT_EQ(u.layer.units.size(), 7u);
    EXPECT_TRUE(u.report.items.empty());
    double area = 0;
    for (std::size_t i = 0; i < u.layer.units.size(); ++i) {
        const unit& c = u.layer.units[i];
        EXPECT_TRUE(is_valid(c.geometry.get())) << c.code;
        EXPECT_EQ(geos::polygons_of(c.geometry.get()).size(), 1u) << c.code;
        EXPECT_EQ(c.parent_code, c.code.substr(0, 5));
        area += area_m2(c.geometry.get());
    }
    EXPECT_EQ(u.layer.units[1].name, "BETA NORTE");
    double parishes = 0;
    for (const unit& p : in.parishes.units)
        if (p.name != "ETA") parishes += area_m2(p.geometry.get());
    EXPECT_NEAR(area, parishes, parishes * 1e-6);  // no gap, no overlap
    EXPECT_NEAR(std::accumulate(u.population.begin(), u.population.end(), 0.0),
                std::accumulate(census().people.begin(), census().people.end(), 0.0) - census().people[parish("ETA")],
                1e-6);
}

TEST_F(NationalStages, OfficialCircuitsAreComparedThenTakePrecedence) {
    circuit_units u = assembled();
    official_comparison cmp = compare_official({in.official_circuits, u.layer, circuits(), districts(), pieces().graph,
                                                in.parishes, opt.analysis_crs, opt.threads});
    EXPECT_EQ(count_rule(cmp.report, "design.official_unknown"), 1u);  // 17D09C01
    ASSERT_EQ(cmp.known.size(), 1u);
    ASSERT_EQ(cmp.circuits.size(), 1u);
    const official_match& m = cmp.circuits[0];
    EXPECT_EQ(m.code, "17D01C01");
    // Designed 17D01C01 is ALFA (0.02 x 0.02); the official one is 0.025 x 0.02 around it.
    EXPECT_NEAR(m.iou_same_code, 0.8, 0.01);
    EXPECT_EQ(m.best_code, "17D01C01");
    EXPECT_NEAR(m.official_km2, 0.025 * 0.02 * 111.32 * 110.6, 0.1);
    ASSERT_EQ(cmp.districts.size(), 1u);
    EXPECT_EQ(cmp.districts[0].code, "17D01");
    EXPECT_GT(cmp.districts[0].iou_same_code, 0.3);
    EXPECT_LT(cmp.districts[0].iou_same_code, 0.9);

    double before = std::accumulate(u.population.begin(), u.population.end(), 0.0);
    precedence_result r =
        apply_official({std::move(u.layer), std::move(u.population), cmp, circuits(), in.parishes, census().people,
                        in.rasters, in.sources.official_circuits, opt.analysis_crs, opt.threads});
    EXPECT_EQ(r.official_codes, (std::set<std::string>{"17D01C01"}));
    EXPECT_EQ(count_rule(r.report, "design.official_circuits"), 1u);
    const GEOSGeometry* official = in.official_circuits.at("17D01C01").get();
    EXPECT_NEAR(area_m2(r.circuits.units[0].geometry.get()), area_m2(official), 1.0);
    // The level stays a partition: what the official polygon took from BETA's circuits is gone from them.
    double area = 0;
    for (const unit& c : r.circuits.units) area += area_m2(c.geometry.get());
    double parishes = 0;
    for (const unit& p : in.parishes.units)
        if (p.name != "ETA") parishes += area_m2(p.geometry.get());
    EXPECT_NEAR(area, parishes, parishes * 1e-6);
    for (std::size_t i = 1; i < r.circuits.units.size(); ++i)
        EXPECT_LT(area_m2(geos::intersection(r.circuits.units[i].geometry.get(), official).get()), 1.0)
            << r.circuits.units[i].code;
    // Recounted: ALFA's 30,000 plus a quarter of BETA's people by the raster (BETA's cells are even).
    EXPECT_NEAR(r.population[0], 30000 + 40000 * 0.25, 50);
    EXPECT_NEAR(std::accumulate(r.population.begin(), r.population.end(), 0.0), before, 50);
}

TEST_F(NationalStages, ZonesResolveFromTheLawAndReportEachSourceThatLost) {
    const zone_resolution& z = zones();
    EXPECT_EQ(z.zone_of.at("17D01"), "Z9");
    EXPECT_EQ(z.zone_of.at("17D02"), "Z9");
    EXPECT_EQ(z.zone_of.at("17D03"), "Z8");  // the canton row overrides its province's
    // 17D03: the codification table, the offices table and the register's minority lost.
    std::vector<std::string> lost;
    for (const finding& f : z.report.items)
        if (f.rule == "sources.zone_disagreement") {
            EXPECT_EQ(f.code, "17D03");
            EXPECT_NE(f.message.find("a later decree"), std::string::npos) << f.message;
            EXPECT_NE(f.message.find("Z9 lost"), std::string::npos) << f.message;
            lost.push_back(f.message.substr(0, f.message.find(" (")));
        }
    EXPECT_EQ(lost, (std::vector<std::string>{"the codification table", "the district offices table"}));
    EXPECT_EQ(count_rule(z.report, "zones.legal_undetermined"), 0u);
    EXPECT_EQ(count_rule(z.report, "zones.resolved"), 1u);
}

TEST_F(NationalStages, ZonesWithoutALegalRowGoToTheMajorityOfTheSources) {
    in.legal_zones = {{level::canton, "1701", "QUITO", "Z9", "a decree", 1}};  // nothing for 1702
    in.recorded_zones = {{"17D03", {{"Z8", 7}}}};
    in.offices["17D03"].zone = "Z8";
    const zone_resolution& z = zones();
    EXPECT_EQ(z.zone_of.at("17D03"), "Z8");  // offices and register against the table
    const finding* undecided = first_rule(z.report, "zones.legal_undetermined");
    ASSERT_NE(undecided, nullptr);
    EXPECT_EQ(undecided->code, "17D03");
    const finding* lost = first_rule(z.report, "sources.zone_disagreement");
    ASSERT_NE(lost, nullptr);
    EXPECT_EQ(lost->message.rfind("the codification table", 0), 0u) << lost->message;
}

TEST_F(NationalStages, DistrictsAndZonesDissolveFromCircuitsAndNest) {
    circuit_units u = assembled();
    for (unit& c : u.layer.units) measure_unit(c, opt.analysis_crs);
    dissolved_levels l = dissolve_levels({u.layer, u.population, circuits(), districts(), cod().district_name,
                                          zones().zone_of, opt.analysis_crs, opt.threads});
    ASSERT_EQ(l.districts.units.size(), 3u);
    ASSERT_EQ(l.zones.units.size(), 2u);
    EXPECT_EQ(l.zones.units[0].code, "Z8");
    EXPECT_EQ(l.zones.units[1].code, "Z9");
    for (const unit& d : l.districts.units) {
        EXPECT_TRUE(is_valid(d.geometry.get())) << d.code;
        EXPECT_EQ(d.parent_code, d.code == "17D03" ? "Z8" : "Z9");
        for (const unit& c : u.layer.units)
            if (c.parent_code == d.code) {
                EXPECT_LT(area_m2(geos::difference(c.geometry.get(), d.geometry.get()).get()), 1.0) << c.code;
            }
    }
    EXPECT_EQ(l.districts.units[0].name, "NORTE");
    EXPECT_NEAR(l.zone_population.at("Z9"), l.district_population.at("17D01") + l.district_population.at("17D02"),
                1e-6);
    EXPECT_NEAR(l.zone_population.at("Z8"), l.district_population.at("17D03"), 1e-6);
    for (const unit& d : l.districts.units)
        for (const unit& z : l.zones.units)
            if (z.code == d.parent_code) {
                EXPECT_LT(area_m2(geos::difference(d.geometry.get(), z.geometry.get()).get()), 1.0) << d.code;
            }
}

TEST_F(NationalStages, ReportsAndOfficesCheck) {
    circuit_units u = assembled();
    for (unit& c : u.layer.units) measure_unit(c, opt.analysis_crs);
    dissolved_levels l = dissolve_levels({u.layer, u.population, circuits(), districts(), cod().district_name,
                                          zones().zone_of, opt.analysis_crs, opt.threads});
    std::set<std::string> official;
    std::vector<official_match> official_districts;
    unit_figures f = report_units({in.parishes, in.cantons, census().people, pieces().graph, u.layer, u.population,
                                   circuits(), districts(), l, official, official_districts, cod().listed_districts});
    EXPECT_EQ(f.units.size(), 7u + 3u + 2u);
    EXPECT_DOUBLE_EQ(f.population[level::canton]["1701"], 30000 + 40000 + 13000 + 12000);
    EXPECT_DOUBLE_EQ(f.population[level::parish]["170301"], 200);
    for (const auto& r : f.units) {
        if (r.code == "17D01C02") {
            EXPECT_EQ(r.split_units, std::vector<std::string>{"170102"});
        }
        if (r.code == "17D01") {
            EXPECT_EQ(r.split_units, std::vector<std::string>{"170102"});
        }
        if (r.code == "17D01C01") {
            EXPECT_TRUE(r.split_units.empty());
        }
        EXPECT_EQ(r.parts, 1) << r.code;
    }
    findings o = check_offices({in.offices, l.districts, in.sources.offices});
    const finding* elsewhere = first_rule(o, "design.office_elsewhere");
    ASSERT_NE(elsewhere, nullptr);
    EXPECT_NE(elsewhere->message.find("lies in district 17D01"), std::string::npos) << elsewhere->message;
    const finding* inside = first_rule(o, "design.offices_inside");
    ASSERT_NE(inside, nullptr);
    EXPECT_NE(inside->message.find("2 of 3"), std::string::npos) << inside->message;
}

TEST_F(NationalStages, TheWholeBuildComposesTheStagesDeterministically) {
    national_result a = build_national(in, opt);
    EXPECT_EQ(a.zones.units.size(), 2u);
    EXPECT_EQ(a.districts.units.size(), 3u);
    EXPECT_EQ(a.circuits.units.size(), 7u);
    EXPECT_EQ(a.split_parishes, 2u);
    EXPECT_FALSE(a.report.has_errors());
    EXPECT_EQ(a.official.size(), 1u);
    // The stages' findings in stage order: census before codification before offices.
    std::vector<std::string> order;
    for (const auto& f : a.report.items) order.push_back(f.rule);
    auto at = [&](const std::string& rule) { return std::find(order.begin(), order.end(), rule) - order.begin(); };
    EXPECT_LT(at("design.population_by_name"), at("codification.parish_unmatched"));
    EXPECT_LT(at("codification.parish_unmatched"), at("design.official_unknown"));
    EXPECT_LT(at("design.official_circuits"), at("design.offices_inside"));
    for (const unit& c : a.circuits.units) EXPECT_GT(c.area_km2, 0) << c.code;  // measured
    opt.threads = 1;
    national_result b = build_national(in, opt);
    ASSERT_EQ(a.circuits.units.size(), b.circuits.units.size());
    for (std::size_t i = 0; i < a.circuits.units.size(); ++i)
        EXPECT_EQ(geos::to_wkt(a.circuits.units[i].geometry.get()), geos::to_wkt(b.circuits.units[i].geometry.get()));
    EXPECT_EQ(a.population, b.population);
}
