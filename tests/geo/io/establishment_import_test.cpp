#include "microplan/geo/io/establishment_import.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/error.hpp"
#include "support.hpp"

namespace microplan::geo {
namespace {

using test::scratch;

TEST(ParseNumber, ReadsWhatOfficesWrite) {
    EXPECT_EQ(parse_number("12.5"), 12.5);
    EXPECT_EQ(parse_number("-78,4829"), -78.4829);
    EXPECT_EQ(parse_number(" 1 234,5 "), 1234.5);
    EXPECT_EQ(parse_number("1.234,5"), 1234.5);
    EXPECT_EQ(parse_number("1,234.5"), 1234.5);
    EXPECT_EQ(parse_number("+3"), 3.0);
    EXPECT_FALSE(parse_number(""));
    EXPECT_FALSE(parse_number("abc"));
    EXPECT_FALSE(parse_number("1,2,3"));
    EXPECT_FALSE(parse_number("12a"));
    EXPECT_FALSE(parse_number("nan"));
}

TEST(EstablishmentImport, CsvWithSemicolonsDecimalCommasAndSpanishNames) {
    scratch s;
    std::string path =
        s.write("centros.csv",
                "codigo;nombre;sector;tipologia;capacidad;estado;personal;longitud;latitud\n"
                "A1;Centro de Salud Tipo A Cotocollao;Salud;Centro de Salud Tipo A;8000;Bueno;12;-78,4950;-0,1180\n"
                "A2;UPC La Ofelia;Seguridad;UPC;15;Regular;10;-78,4900;-0,1100\n"
                "A3;CDI Los Pinitos;Desarrollo Infantil;CDI;60;malo;6;;\n"
                "A4;Escuela X;Educación;Escuela;abc;roto;x;-78,5;-0,2\n");
    establishment_import_options o;
    o.path = path;
    auto r = read_establishments(o);
    ASSERT_EQ(r.rows.size(), 4u);
    EXPECT_TRUE(r.from_columns);
    EXPECT_EQ(r.used_fields.lon, "longitud");
    EXPECT_EQ(r.used_fields.condition, "estado");
    const auto& a = r.rows[0];
    EXPECT_EQ(a.id, "A1");
    EXPECT_EQ(a.sector, "health");
    EXPECT_EQ(a.typology, "Centro de Salud Tipo A");
    EXPECT_EQ(a.capacity, 8000.0);
    EXPECT_EQ(a.condition, "good");
    EXPECT_EQ(a.staff, 12);
    EXPECT_DOUBLE_EQ(a.lon, -78.495);
    EXPECT_DOUBLE_EQ(a.lat, -0.118);
    EXPECT_EQ(a.row, 1);
    EXPECT_EQ(r.rows[1].sector, "security");
    EXPECT_EQ(r.rows[1].condition, "fair");
    EXPECT_EQ(r.rows[2].sector, "child_development");
    EXPECT_EQ(r.rows[2].condition, "poor");
    EXPECT_TRUE(std::isnan(r.rows[2].lon));  // kept, reported later as invalid
    // Bad values are reported with row and field, and the row is kept.
    std::string all;
    for (const auto& f : r.report.items) all += f.rule + " " + f.message + "\n";
    EXPECT_NE(all.find("establishment.bad_capacity row 4 (id A4): capacity 'abc'"), std::string::npos) << all;
    EXPECT_NE(all.find("establishment.unknown_condition"), std::string::npos) << all;
    EXPECT_NE(all.find("establishment.bad_staff"), std::string::npos) << all;
}

TEST(EstablishmentImport, CommaSeparatedWithLonLatAndASectorForAll) {
    scratch s;
    std::string path = s.write("upc.csv", "id,name,lng,lat,status\n7,UPC Norte,-79.9,-2.17,propuesto\n");
    establishment_import_options o;
    o.path = path;
    EXPECT_THROW(read_establishments(o), format_error);  // no sector field, no --sector
    o.sector = "Policía";
    auto r = read_establishments(o);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0].sector, "security");
    EXPECT_EQ(r.rows[0].status, "proposed");
    EXPECT_DOUBLE_EQ(r.rows[0].lon, -79.9);
}

TEST(EstablishmentImport, GeoJsonPointsAndClearErrors) {
    scratch s;
    std::string pts = s.write("p.geojson", R"({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"AMIE":"17H00581","NOM_INSTIT":"UE Velasco Ibarra"},
         "geometry":{"type":"Point","coordinates":[-78.482948,-0.173853]}}]})");
    establishment_import_options o;
    o.path = pts;
    o.sector = "education";
    auto r = read_establishments(o);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0].id, "17H00581");
    EXPECT_EQ(r.rows[0].name, "UE Velasco Ibarra");
    EXPECT_DOUBLE_EQ(r.rows[0].lon, -78.482948);

    o.fields.capacity = "cupos";
    try {
        read_establishments(o);
        FAIL() << "a missing mapped field must be an error";
    } catch (const format_error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("p.geojson"), std::string::npos) << m;
        EXPECT_NE(m.find("'cupos'"), std::string::npos) << m;
        EXPECT_NE(m.find("AMIE"), std::string::npos) << m;  // lists the fields there are
    }

    std::string poly = s.write(
        "poly.geojson", test::feature_collection(test::polygon_feature(R"({"id":"1"})", "[[0,0],[1,0],[1,1],[0,0]]")));
    o.path = poly;
    o.fields = {};
    EXPECT_THROW(read_establishments(o), geometry_error);
    o.path = s.write("nocoords.csv", "id,name\n1,x\n");
    EXPECT_THROW(read_establishments(o), format_error);
}

TEST(EstablishmentImport, ProjectedCoordinatesAreTransformedToWgs84) {
    scratch s;
    std::string path = s.write("utm.csv", "id,x,y\n1,776000,9980000\n");
    establishment_import_options o;
    o.path = path;
    o.sector = "health";
    o.source_crs = "EPSG:32717";
    auto r = read_establishments(o);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_NEAR(r.rows[0].lon, -78.51, 0.02);
    EXPECT_NEAR(r.rows[0].lat, -0.18, 0.02);
}

}  // namespace
}  // namespace microplan::geo
