// Units written through the checked GDAL vector writer: fields, geometry and errors.
#include "microplan/geo/io/vector_writer.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <set>

#include "../../support.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"

using namespace microplan::geo;
using namespace microplan::test;

namespace {

unit_layer two_units() {
    unit_layer l;
    l.lvl = level::circuit;
    for (int i = 0; i < 2; ++i) {
        unit u;
        u.code = "17D01C0" + std::to_string(i + 1);
        const double x = -78.6 + 0.1 * i;
        char wkt[200];
        std::snprintf(wkt, sizeof wkt, "MULTIPOLYGON(((%f -0.3,%f -0.3,%f -0.2,%f -0.2,%f -0.3)))", x, x + 0.1, x + 0.1,
                      x, x);
        u.geometry = geos::from_wkt(wkt);
        l.units.push_back(std::move(u));
    }
    return l;
}

const std::vector<field_definition> fields{
    {"code", field_type::text}, {"population", field_type::real}, {"polygons", field_type::integer}};

}  // namespace

TEST(VectorWriter, WritesFieldsAndGeometryInEveryFormat) {
    scratch dir;
    unit_layer l = two_units();
    std::vector<std::vector<field_value>> values{{std::string("17D01C01"), 1234.5, 1},
                                                 {std::string("17D01C02"), 10.0, 2}};
    for (const char* name : {"units.gpkg", "units.geojson", "units.fgb"}) {
        const std::string path = dir.path(name);
        write_units(path, "circuits", l, fields, values);
        GDALDatasetUniquePtr ds = gdal::open_vector(path);
        OGRLayer* layer = ds->GetLayer(0);
        ASSERT_NE(layer, nullptr) << name;
        EXPECT_EQ(layer->GetFeatureCount(), 2) << name;
        std::set<std::string> codes;
        for (auto& g : *layer) codes.insert(g->GetFieldAsString("code"));
        EXPECT_EQ(codes, (std::set<std::string>{"17D01C01", "17D01C02"})) << name;
        // FlatGeobuf orders features by its spatial index: find the first unit by its code.
        layer->SetAttributeFilter("code = '17D01C01'");
        layer->ResetReading();
        OGRFeatureUniquePtr f(layer->GetNextFeature());
        ASSERT_TRUE(f) << name;
        EXPECT_STREQ(f->GetFieldAsString("code"), "17D01C01") << name;
        EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("population"), 1234.5) << name;
        EXPECT_EQ(f->GetFieldAsInteger("polygons"), 1) << name;
        ASSERT_NE(f->GetGeometryRef(), nullptr) << name;
        OGREnvelope e;
        f->GetGeometryRef()->getEnvelope(&e);
        EXPECT_NEAR(e.MinX, -78.6, 1e-9) << name;  // lon/lat order
        EXPECT_NEAR(e.MaxY, -0.2, 1e-9) << name;
    }
}

TEST(VectorWriter, ErrorsNameTheFile) {
    scratch dir;
    unit_layer l = two_units();
    std::vector<std::vector<field_value>> values{{std::string("a"), 1.0, 1}, {std::string("b"), 2.0, 1}};
    try {
        write_units(dir.path("units.xyz"), "circuits", l, fields, values);
        FAIL() << "an unknown extension was accepted";
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("units.xyz"), std::string::npos) << e.what();
    }
    try {
        write_units(dir.path("no/such/folder/units.gpkg"), "circuits", l, fields, values);
        FAIL() << "a missing folder was accepted";
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("units.gpkg"), std::string::npos) << e.what();
    }
    values.pop_back();
    EXPECT_THROW(write_units(dir.path("short.gpkg"), "circuits", l, fields, values), format_error);
}
