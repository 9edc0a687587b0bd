// MINEDUC's schools (points joined to the registry by AMIE) and MSP's units read with their
// provider, condition, repeated codes and recorded places.
#include "microplan/geo/io/ecuador_registries.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "../../support.hpp"
#include "microplan/geo/error.hpp"

using namespace microplan::geo;
using namespace microplan::test;

namespace {

std::string feature(const char* amie, const char* te, const char* estado, double lon, double lat) {
    return std::string("{\"type\":\"Feature\",\"properties\":{\"AMIE\":\"") + amie + "\",\"NOM_INSTIT\":\"E " + amie +
           "\",\"TE_fin\":\"" + te + "\",\"ESTADO_IE_\":\"" + estado +
           "\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[" + std::to_string(lon) + "," + std::to_string(lat) +
           "]}}";
}

}  // namespace

TEST(EcuadorRegistries, SchoolsJoinedByAmieWithProviderConditionAndRepeatsResolved) {
    scratch dir;
    std::string points = dir.path("p.geojson"), registry = dir.path("r.csv");
    std::ofstream(points) << "{\"type\":\"FeatureCollection\",\"features\":["
                          << feature("01H00001", "ESTABLECIMIENTO", "REGULAR", -79, -2.9) << ","
                          << feature("01H00001", "MATRIZ", "REGULAR", -79, -2.9) << ","
                          << feature("01H00002", "MATRIZ", "DETERIORO", -79.1, -2.8) << ","
                          << feature("01H00009", "MATRIZ", "S/I", -79.2, -2.7) << "]}";
    std::ofstream(registry)
        << "amie,nom_institucion_educativa,te_fin,nom_sostenimiento,da_dist,dpa_parroq_6,dpa_canton,lon,lat\n"
           "01H00001,E1,MATRIZ,FISCAL,01D01,010150,0101,-79,-2.9\n"
           "01H00002,E2,MATRIZ,FISCOMISIONAL,01D02,10151,101,,\n"
           "17H00003,E3,MATRIZ,PARTICULAR,17D04,170150,1701,,\n"
           "17H00003,E3,EXTENSIÓN,PARTICULAR,17D05,170150,1701,,\n";
    registry_establishments r = read_mineduc_schools(points, registry);
    ASSERT_EQ(r.rows.size(), 4u);  // one per AMIE of either file
    EXPECT_EQ(r.rows[0].id, "01H00001");
    EXPECT_EQ(r.rows[0].condition, "fair");
    EXPECT_EQ(r.rows[0].provider, "public");
    EXPECT_EQ(r.rows[0].provider_source, "FISCAL");
    EXPECT_EQ(r.rows[0].row, 1);  // the MATRIZ point (feature 1) is kept
    EXPECT_EQ(r.rows[1].condition, "poor");
    EXPECT_EQ(r.rows[1].provider_source, "FISCOMISIONAL");
    EXPECT_EQ(r.where[1].codes.at(level::parish), "010151");  // leading zero restored
    EXPECT_EQ(r.where[1].codes.at(level::canton), "0101");
    EXPECT_EQ(r.rows[2].id, "01H00009");  // a point without registry row: provider unknown
    EXPECT_EQ(r.rows[2].provider, "");
    EXPECT_EQ(r.rows[2].condition, "");
    EXPECT_EQ(r.rows[3].provider, "private");
    EXPECT_TRUE(std::isnan(r.rows[3].lon));  // to be placed by code
    EXPECT_EQ(r.where[3].codes.at(level::district), "17D04");
    EXPECT_EQ(r.counts.at("points_repeated_codes"), 1u);
    EXPECT_EQ(r.counts.at("points_repeated_rows"), 1u);
    EXPECT_EQ(r.counts.at("registry_repeated_codes"), 1u);
    std::size_t repeats = 0, unmatched = 0;
    for (const auto& f : r.report.items) {
        repeats += f.rule == "establishment.duplicate_id";
        unmatched += f.rule == "establishment.unmatched";
    }
    EXPECT_EQ(repeats, 2u);
    EXPECT_EQ(unmatched, 1u);
}

TEST(EcuadorRegistries, MspUnitsCarryCantonAndDistrictNames) {
    scratch dir;
    std::string path = dir.path("msp.csv");
    std::ofstream(path) << "unicodigo,nombre,canton_dpa,distrito_msp,tipologia\n"
                           "000002,ZHUCAY,0101,\"BAÑOS, CUMBE\",\n"
                           "000003,HOSPITAL,1201,\"BABA,BABAHOYO\",HB\n"
                           "000003,AGAIN,1201,,\n";
    registry_establishments r = read_msp_establishments(path);
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0].id, "000002");
    EXPECT_EQ(r.rows[0].provider, "public");
    EXPECT_EQ(r.where[0].codes.at(level::canton), "0101");
    ASSERT_EQ(r.where[0].names.size(), 2u);
    EXPECT_EQ(r.where[0].names[1], " CUMBE");
    EXPECT_EQ(r.rows[1].typology, "Hospital Básico");
    EXPECT_EQ(r.counts.at("repeated_codes"), 1u);
    std::string bad = dir.path("bad.csv");
    std::ofstream(bad) << "nombre,canton_dpa\nX,0101\n";
    EXPECT_THROW(read_msp_establishments(bad), format_error);
}
