#include "microplan/geo/io/establishment_import.hpp"

#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <vector>

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

// A GML point layer in EPSG:4326 (urn form: latitude first), Quito's Cotocollao health centre
// written as the CRS orders it: "lat lon".
std::string gml_points(const scratch& s, const std::string& name) {
    return s.write(name, R"(<?xml version="1.0" encoding="utf-8" ?>
<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml/3.2">
  <ogr:featureMember>
    <ogr:centros gml:id="centros.0">
      <ogr:geometryProperty><gml:Point srsName="urn:ogc:def:crs:EPSG::4326" gml:id="p0"><gml:pos>-0.118 -78.495</gml:pos></gml:Point></ogr:geometryProperty>
      <ogr:codigo>A1</ogr:codigo>
      <ogr:sector>Salud</ogr:sector>
    </ogr:centros>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:centros gml:id="centros.1">
      <ogr:geometryProperty><gml:Point srsName="urn:ogc:def:crs:EPSG::4326" gml:id="p1"><gml:pos>-0.11 -78.49</gml:pos></gml:Point></ogr:geometryProperty>
      <ogr:codigo>A2</ogr:codigo>
      <ogr:sector>Salud</ogr:sector>
    </ogr:centros>
  </ogr:featureMember>
</ogr:FeatureCollection>
)");
}

// Sets a GDAL configuration option for the scope of one test.
class scoped_config {
public:
    scoped_config(const char* key, const char* value) : key_(key) { CPLSetConfigOption(key, value); }
    ~scoped_config() { CPLSetConfigOption(key_, nullptr); }
    scoped_config(const scoped_config&) = delete;
    scoped_config& operator=(const scoped_config&) = delete;

private:
    const char* key_;
};

// A layer whose CRS declares (lat, lon) comes out (lon, lat), whether GDAL inverts the axes
// itself (the GML driver's default) or hands them over in the CRS's authority order (the
// driver told not to invert: the layer's axis mapping is then 1,2 and the resolver swaps).
TEST(EstablishmentImport, ALayerInLatLonOrderComesOutLonLat) {
    scratch s;
    establishment_import_options o;
    o.path = gml_points(s, "inverted.gml");
    auto r = read_establishments(o);
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_DOUBLE_EQ(r.rows[0].lon, -78.495);
    EXPECT_DOUBLE_EQ(r.rows[0].lat, -0.118);

    scoped_config authority_order("GML_INVERT_AXIS_ORDER_IF_LAT_LONG", "NO");
    o.path = gml_points(s, "authority.gml");
    {  // what GDAL hands over: (lat, lon), with the CRS's own axis mapping
        GDALDatasetUniquePtr ds(GDALDataset::Open(o.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        ASSERT_TRUE(ds);
        OGRLayer* layer = ds->GetLayer(0);
        ASSERT_TRUE(layer->GetSpatialRef());
        EXPECT_EQ(layer->GetSpatialRef()->GetDataAxisToSRSAxisMapping(), (std::vector<int>{1, 2}));
        OGRFeatureUniquePtr f(layer->GetNextFeature());
        EXPECT_DOUBLE_EQ(f->GetGeometryRef()->toPoint()->getX(), -0.118);
    }
    r = read_establishments(o);
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0].id, "A1");
    EXPECT_DOUBLE_EQ(r.rows[0].lon, -78.495);
    EXPECT_DOUBLE_EQ(r.rows[0].lat, -0.118);
    EXPECT_DOUBLE_EQ(r.rows[1].lon, -78.49);
}

// Coordinates written latitude first under a lon/lat CRS are caught as read_units catches
// them, instead of putting Quito's schools near the South Pole.
TEST(EstablishmentImport, SwappedCoordinatesAreDetected) {
    scratch s;
    establishment_import_options o;
    o.sector = "health";
    // Columns named lon/lat but holding latitude/longitude; one stray empty row.
    o.path = s.write("swapped.csv", "id,lon,lat\n1,-0.118,-78.495\n2,-0.11,-78.49\n3,,\n4,-2.17,-79.9\n");
    try {
        read_establishments(o);
        FAIL() << "swapped coordinates must be an error";
    } catch (const crs_error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("swapped.csv"), std::string::npos) << m;
        EXPECT_NE(m.find("axes swapped"), std::string::npos) << m;
        EXPECT_NE(m.find("--swap-xy"), std::string::npos) << m;
    }
    o.swap_xy = true;
    auto r = read_establishments(o);
    ASSERT_EQ(r.rows.size(), 4u);
    EXPECT_DOUBLE_EQ(r.rows[0].lon, -78.495);
    EXPECT_DOUBLE_EQ(r.rows[0].lat, -0.118);

    // The same in a point layer that declares lon/lat (GeoJSON) but holds (lat, lon).
    std::string pts = s.write("latlon.geojson", R"({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"id":"1"},"geometry":{"type":"Point","coordinates":[-0.118,-78.495]}},
        {"type":"Feature","properties":{"id":"2"},"geometry":{"type":"Point","coordinates":[-2.17,-79.9]}}]})");
    establishment_import_options g;
    g.path = pts;
    g.sector = "health";
    EXPECT_THROW(read_establishments(g), crs_error);
    g.swap_xy = true;
    EXPECT_DOUBLE_EQ(read_establishments(g).rows[1].lon, -79.9);
}

TEST(EstablishmentImport, AnUnknownCrsIsACrsErrorNamingFileAndCrs) {
    scratch s;
    establishment_import_options o;
    o.path = s.write("p.csv", "id,lon,lat\n1,-78.5,-0.2\n");
    o.sector = "health";
    o.source_crs = "EPSG:999999";
    try {
        read_establishments(o);
        FAIL() << "an unknown CRS must be an error";
    } catch (const crs_error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("p.csv"), std::string::npos) << m;
        EXPECT_NE(m.find("unknown CRS"), std::string::npos) << m;
        EXPECT_NE(m.find("EPSG:999999"), std::string::npos) << m;
    }
}

}  // namespace
}  // namespace microplan::geo
