// Reading the national base's sources up front (usecases/national.hpp) from small files in a
// scratch folder: every input lands in national_inputs, and build_national runs on them.
#include "microplan/geo/usecases/national.hpp"

#include <gtest/gtest.h>

#include "../../support.hpp"
#include "microplan/geo/core/proj.hpp"

using namespace microplan::geo;
using namespace microplan::test;

namespace {

std::string square_ring(double x, double y, double s) {
    char b[256];
    std::snprintf(b, sizeof b, "[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]", x, y, x + s, y, x + s, y + s, x, y + s, x,
                  y);
    return b;
}

double area_m2(const GEOSGeometry* g) {
    proj::transformer t("EPSG:4326", "EPSG:32717");
    return geos::area(t.forward(g).get());
}

}  // namespace

TEST(NationalInputs, EverySourceIsReadUpFront) {
    scratch dir;
    design::national_sources s;
    s.parishes = dir.write(
        "parishes.geojson",
        feature_collection(
            polygon_feature(R"({"DPA_PARROQ":"170101","DPA_DESPAR":"ALFA"})", square_ring(-78.60, -0.30, 0.02)) + "," +
            polygon_feature(R"({"DPA_PARROQ":"170102","DPA_DESPAR":"BETA"})", square_ring(-78.58, -0.30, 0.02))));
    s.cantons =
        dir.write("cantons.geojson", feature_collection(polygon_feature(R"({"DPA_CANTON":"1701","DPA_DESCAN":"QUITO"})",
                                                                        "[[-78.60,-0.30],[-78.56,-0.30],[-78.56,-0.28],"
                                                                        "[-78.60,-0.28],[-78.60,-0.30]]")));
    s.codification = dir.write("codification.csv",
                               "ZONA,PROVINCIA,CANTON,PARROQUIA,COD. DISTRITO,NOMBRE DISTRITO,COD. CIRCUITO,"
                               "NOMBRE CIRCUITO\n"
                               "9,PICHINCHA,QUITO,ALFA,17D01,NORTE,17D01C01,ALFA\n"
                               "9,PICHINCHA,QUITO,BETA,17D01,NORTE,17D01C02,BETA\n");
    s.census = dir.write("census.csv",
                         "DPA_PARROQ,DPA_DESPAR,DPA_DESCAN,pob_cpv2022\n"
                         "170101,ALFA,QUITO,30000\n"
                         "170199,BETA,QUITO,20000\n");
    s.offices = dir.write("offices.csv", "cod_distri,zona,latitud,longitud\n17D01,9,-0.29,-78.59\n");
    s.legal_zones = dir.write("zones.csv",
                              "level,code,name,zone,source\nprovince,17,PICHINCHA,2,a decree\ncanton,1701,QUITO,8,"
                              "a later decree\n");
    s.recorded_zones = dir.write("register.csv", "amie,da_zona,da_dist\nA,9,17D01\nB,9,17D01\nC,8,17D01\nD,,\n");
    s.official_circuits = dir.write(
        "official.geojson",
        feature_collection(polygon_feature(R"({"Cod_Subci":"17D01C01S01"})", square_ring(-78.60, -0.30, 0.01)) + "," +
                           polygon_feature(R"({"Cod_Subci":"17D01C01S02"})", square_ring(-78.59, -0.30, 0.01))));
    design::national_inputs in = usecases::read_national_inputs(s, "EPSG:32717", 1);
    ASSERT_EQ(in.parishes.units.size(), 2u);
    ASSERT_EQ(in.cantons.units.size(), 1u);
    EXPECT_EQ(in.parishes.units[1].name, "BETA");
    EXPECT_EQ(in.codification.rows().size(), 2u);
    EXPECT_EQ(in.census.people.at("170101"), 30000);
    ASSERT_EQ(in.census.orphans.size(), 1u);  // BETA's row under another code
    EXPECT_EQ(in.census.orphans[0].code, "170199");
    EXPECT_EQ(in.census.orphans[0].name, "BETA");
    EXPECT_EQ(in.census.orphans[0].people, 20000);
    ASSERT_EQ(in.offices.count("17D01"), 1u);
    EXPECT_EQ(in.offices.at("17D01").zone, "Z9");
    ASSERT_TRUE(in.offices.at("17D01").lonlat);
    EXPECT_DOUBLE_EQ(in.offices.at("17D01").lonlat->first, -78.59);
    ASSERT_EQ(in.legal_zones.size(), 2u);
    EXPECT_EQ(in.legal_zones[0].lvl, level::province);
    EXPECT_EQ(in.legal_zones[0].zone, "Z2");
    EXPECT_EQ(in.legal_zones[1].code, "1701");
    EXPECT_EQ(in.legal_zones[1].source, "a later decree");
    EXPECT_EQ(in.recorded_zones.at("17D01"), (std::map<std::string, int>{{"Z8", 1}, {"Z9", 2}}));
    ASSERT_EQ(in.official_circuits.size(), 1u);  // two subcircuits dissolved into their circuit
    EXPECT_NEAR(area_m2(in.official_circuits.at("17D01C01").get()), 0.01 * 0.02 * 111320.0 * 110574.0, 2e4);
    EXPECT_TRUE(in.rasters.grids.empty());
    EXPECT_FALSE(in.report.has_errors());

    design::national_options o;
    o.threads = 1;
    design::national_result r = design::build_national(in, o);
    EXPECT_EQ(r.circuits.units.size(), 2u);
    EXPECT_EQ(r.population[level::parish]["170102"], 20000);  // found by name
    EXPECT_EQ(r.districts.units.at(0).parent_code, "Z8");     // the law (canton row) wins
}
