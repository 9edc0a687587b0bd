// Population as it enters (BAD_INPUTS.md, "Magnitudes and loops"): a table value beyond the
// world's population, a year of 99999999, a code with an invisible character, and rasters with
// negative cells, a cell of 1e20 people, or nothing but NoData under the units.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "support.hpp"

namespace microplan::geo {
namespace {

unit_layer two_parishes() {
    unit_layer l{level::parish, {}};
    for (const char* code : {"170150", "170151"}) {
        unit u;
        u.lvl = level::parish;
        u.code = code;
        u.geometry = geos::from_wkt("MULTIPOLYGON(((0 0,1 0,1 1,0 0)))");
        l.units.push_back(std::move(u));
    }
    return l;
}

population_table_options table(const std::string& path) {
    population_table_options o;
    o.path = path;
    o.lvl = level::parish;
    o.code_field = "parroquia";
    o.value_field = "poblacion";
    o.year = 2022;
    return o;
}

TEST(PopulationTableBounds, AValueBeyondTheWorldsPopulationNamesRowFieldCodeAndBound) {
    test::scratch s;
    auto o = table(s.write("t.csv", "parroquia,poblacion\n170150,1200\n170151,1e308\n"));
    try {
        read_population_table(o, two_parishes());
        FAIL() << "1e308 people were accepted";
    } catch (const format_error& e) {
        EXPECT_EQ(e.rule(), "population out of range");
        EXPECT_EQ(e.where().feature, 2);
        EXPECT_EQ(e.where().field, "poblacion");
        EXPECT_EQ(e.where().code, "170151");
        EXPECT_NE(std::string(e.what()).find("'1e308' must be between 0 and 10000000000"), std::string::npos)
            << e.what();
    }
    o.path = s.write("ok.csv", "parroquia,poblacion\n170150,1200\n170151,8000000000\n");
    EXPECT_EQ(read_population_table(o, two_parishes()).matched, 2u);
}

TEST(PopulationTableBounds, AYearOutOfRangeIsRefusedBeforeReading) {
    test::scratch s;
    auto o = table(s.write("t.csv", "parroquia,poblacion\n170150,1200\n"));
    o.year = 99999999;
    try {
        read_population_table(o, two_parishes());
        FAIL() << "the year 99999999 was accepted";
    } catch (const format_error& e) {
        EXPECT_EQ(e.rule(), "year out of range");
        EXPECT_NE(std::string(e.what()).find("'99999999' must be between 1800 and 2200"), std::string::npos)
            << e.what();
    }
}

TEST(PopulationTableBounds, ACodeWithAnInvisibleCharacterIsAnErrorNotASilentMismatch) {
    test::scratch s;
    auto r = read_population_table(table(s.write("t.csv", "parroquia,poblacion\n1701\u200B50,1200\n170151,5\n")),
                                   two_parishes());
    EXPECT_EQ(r.matched, 1u);
    auto f = std::find_if(r.report.items.begin(), r.report.items.end(),
                          [](const finding& x) { return x.rule == "population.code_not_text"; });
    ASSERT_NE(f, r.report.items.end());
    EXPECT_EQ(f->sev, severity::error);
    EXPECT_NE(f->message.find("row 1, field parroquia"), std::string::npos) << f->message;
    EXPECT_NE(f->message.find("character 5 is U+200B"), std::string::npos) << f->message;
}

// A 4 x 4 raster of 0.1° cells over (0..0.4, 0..0.4), every cell `value`, NoData -1 unless told.
std::string raster(const test::scratch& s, const std::string& name, float value, bool nodata = true) {
    gdal::ensure_registered();
    std::string path = s.path(name);
    GDALDatasetUniquePtr ds(
        GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), 4, 4, 1, GDT_Float32, nullptr));
    double gt[6] = {0, 0.1, 0, 0.4, 0, -0.1};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    ds->SetSpatialRef(&srs);
    if (nodata) ds->GetRasterBand(1)->SetNoDataValue(-1);
    std::vector<float> v(16, value);
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 4, 4, v.data(), 4, 4, GDT_Float32, 0, 0), CE_None);
    return path;
}

std::string raster_rule(const std::string& path) {
    auto g = geos::from_wkt("POLYGON((0.05 0.05,0.35 0.05,0.35 0.35,0.05 0.35,0.05 0.05))");
    const GEOSGeometry* gs[] = {g.get()};
    try {
        check_population_raster(path, zonal_sums(path, gs, "EPSG:4326"));
    } catch (const format_error& e) {
        EXPECT_EQ(e.where().file, path);
        return e.rule() + ": " + e.detail();
    }
    return "";
}

TEST(PopulationRasterBounds, NegativeHugeAndAllNoDataRastersAreRefused) {
    test::scratch s;
    EXPECT_EQ(raster_rule(raster(s, "ok.tif", 12.5f)), "");
    std::string e = raster_rule(raster(s, "negative.tif", -3.0f, false));
    EXPECT_EQ(e.substr(0, 19), "negative population") << e;
    EXPECT_NE(e.find("'-3' must be between 0 and"), std::string::npos) << e;
    EXPECT_NE(e.find("NoData value"), std::string::npos) << e;
    e = raster_rule(raster(s, "huge.tif", 1e20f));
    EXPECT_EQ(e.substr(0, 24), "population out of range:") << e;
    e = raster_rule(raster(s, "nodata.tif", -1.0f));
    EXPECT_EQ(e.substr(0, 14), "no population:") << e;
    EXPECT_NE(e.find("every one of the 16 cells"), std::string::npos) << e;
}

}  // namespace
}  // namespace microplan::geo
