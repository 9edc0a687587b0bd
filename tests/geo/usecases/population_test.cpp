#include "microplan/geo/usecases/population.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/import.hpp"
#include "microplan/geo/usecases/standards.hpp"
#include "support.hpp"

using namespace microplan;
using namespace microplan::test;

namespace {

// Circuits 17D06C01 (west) and 17D06C02 (east) of district 17D06, and a 20 x 20 raster of
// 0.01° cells over both: 1 person per cell in the west, 3 in the east (200 + 600 people).
struct small_country {
    std::string store, raster;
};

small_country make_country(const scratch& dir) {
    small_country c{dir.path("s.sqlite"), dir.path("people.tif")};
    geo::import_options o;
    o.path = dir.write(
        "c.geojson",
        feature_collection(polygon_feature(R"({"code":"17D06C01"})",
                                           "[[-78.6,-0.3],[-78.5,-0.3],[-78.5,-0.1],[-78.6,-0.1],[-78.6,-0.3]]") +
                           "," +
                           polygon_feature(R"({"code":"17D06C02"})",
                                           "[[-78.5,-0.3],[-78.4,-0.3],[-78.4,-0.1],[-78.5,-0.1],[-78.5,-0.3]]")));
    o.lvl = geo::level::circuit;
    geo::usecases::import_units(c.store, o);
    geo::usecases::build_upper_levels({c.store, "circuits", "", 1});
    geo::gdal::ensure_registered();
    GDALDriver* tiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    GDALDatasetUniquePtr ds(tiff->Create(c.raster.c_str(), 20, 20, 1, GDT_Float32, nullptr));
    double transform[6] = {-78.6, 0.01, 0, -0.1, 0, -0.01};
    ds->SetGeoTransform(transform);
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    ds->SetSpatialRef(&wgs84);
    std::vector<float> cells(400);
    for (int row = 0; row < 20; ++row)
        for (int col = 0; col < 20; ++col) cells[static_cast<std::size_t>(row * 20 + col)] = col < 10 ? 1.0f : 3.0f;
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 20, 20, cells.data(), 20, 20, GDT_Float32, 0, 0), CE_None);
    return c;
}

double stored(const std::string& store, geo::level l, int year, const std::string& code) {
    auto values = geo::store::open_store(store, geo::store::open_mode::read_only)->read_population(l, year);
    return values.at(geo::total_band).at(code);
}

}  // namespace

TEST(UsecasePopulation, RastersAreSummedOverEveryLevelAndStored) {
    scratch dir;
    small_country c = make_country(dir);
    std::vector<std::string> lines;
    geo::usecases::raster_sum_request request{c.store, {c.raster}, {},
                                              2020,    1,          [&](const std::string& l) { lines.push_back(l); }};
    geo::usecases::raster_sum_result r = geo::usecases::import_population_rasters(request);
    ASSERT_EQ(r.levels.size(), 2u);  // districts and circuits: every level in the store
    for (const auto& l : r.levels) EXPECT_NEAR(l.total, 800, 1e-3) << geo::level_name(l.lvl);
    EXPECT_NEAR(r.raster_window_total, 800, 1e-3);
    EXPECT_EQ(lines.size(), 2u);
    EXPECT_NEAR(stored(c.store, geo::level::circuit, 2020, "17D06C01"), 200, 1e-3);
    EXPECT_NEAR(stored(c.store, geo::level::circuit, 2020, "17D06C02"), 600, 1e-3);
    EXPECT_NEAR(stored(c.store, geo::level::district, 2020, "17D06"), 800, 1e-3);
}

TEST(UsecasePopulation, ATableIsJoinedThenAllocatedByAreaOrByTheRaster) {
    scratch dir;
    small_country c = make_country(dir);
    geo::population_table_options table;
    table.path = dir.write("census.csv", "codigo,poblacion\n17D06,1000\n99D99,5\n");
    table.lvl = geo::level::district;
    table.year = 2020;
    geo::population_table_result t = geo::usecases::import_population_table(c.store, table);
    EXPECT_EQ(t.matched, 1u);
    EXPECT_EQ(t.unmatched_codes, std::vector<std::string>{"99D99"});
    EXPECT_DOUBLE_EQ(geo::usecases::population_total(t.values), 1000);

    geo::usecases::allocation_request area{c.store, geo::level::district, geo::level::circuit, 0, {}};
    geo::usecases::allocation_summary a = geo::usecases::allocate_stored_population(area);
    EXPECT_EQ(a.year, 2020);  // the latest stored
    EXPECT_EQ(a.target_units, 2u);
    EXPECT_NEAR(a.result.allocated_total, 1000, 1e-6);
    EXPECT_NEAR(stored(c.store, geo::level::circuit, 2020, "17D06C01"), 500, 1.0);

    geo::usecases::allocation_request dasymetric = area;
    dasymetric.options.method = geo::allocation_method::dasymetric;
    EXPECT_THROW(geo::usecases::allocate_stored_population(dasymetric), geo::format_error);
    dasymetric.options.rasters = {c.raster};
    geo::usecases::allocate_stored_population(dasymetric);
    EXPECT_NEAR(stored(c.store, geo::level::circuit, 2020, "17D06C01"), 250, 1.0);
    EXPECT_NEAR(stored(c.store, geo::level::circuit, 2020, "17D06C02"), 750, 1.0);
}

TEST(UsecasePopulation, AllocationAndProjectionSayWhatIsMissing) {
    scratch dir;
    small_country c = make_country(dir);
    const std::string before = read_bytes(c.store);
    EXPECT_THROW(geo::usecases::allocate_stored_population({c.store, geo::level::district, geo::level::circuit, 0, {}}),
                 geo::store_error);  // no population yet
    std::string projections = dir.write("p.csv", "provincia,canton,2020,2021\nPICHINCHA,QUITO,100,110\n");
    try {
        geo::usecases::project_stored_population({c.store, projections, {}, 2020, 2021});
        FAIL() << "no cantons";
    } catch (const geo::store_error& e) {
        EXPECT_NE(std::string(e.what()).find("cantons"), std::string::npos) << e.what();
    }
    EXPECT_EQ(read_bytes(c.store), before);
}

TEST(UsecaseStandards, AnAttributeIsJoinedByCodeAndStored) {
    scratch dir;
    small_country c = make_country(dir);
    geo::usecases::attribute_request request;
    request.store = c.store;
    request.name = "poverty";
    request.table.path = dir.write("nbi.csv", "code,nbi\n17D06C01,40.5\n");
    request.table.lvl = geo::level::circuit;
    request.table.value_field = "nbi";
    geo::usecases::attribute_result r = geo::usecases::import_attribute(request);
    EXPECT_EQ(r.values.size(), 1u);
    EXPECT_EQ(r.units, 2u);
    EXPECT_EQ(r.value_field, "nbi");
    auto attributes =
        geo::store::open_store(c.store, geo::store::open_mode::read_only)->read_attributes(geo::level::circuit);
    EXPECT_DOUBLE_EQ(attributes.at("poverty").at("17D06C01"), 40.5);
    // Households connected with a refused value, or with no unit matched: nothing written, every
    // refused row named (was: the good rows written, or "map::at" when none was good).
    const std::string before = read_bytes(c.store);
    request.name = "water_connected";
    request.table.path = dir.write("bad.csv", "code,nbi\n17D06C01,12\n17D06C02,-5\n17D06C03,muchos\n");
    auto error_of = [&] {
        try {
            geo::usecases::import_attribute(request);
        } catch (const geo::format_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    std::string what = error_of();
    EXPECT_NE(what.find("bad.csv"), std::string::npos) << what;
    EXPECT_NE(what.find("row 2, field nbi: '-5' is not a non-negative number"), std::string::npos) << what;
    EXPECT_NE(what.find("[population.bad_value]"), std::string::npos) << what;
    request.table.path = dir.write("none.csv", "code,nbi\n99D99C99,3\n");
    what = error_of();
    EXPECT_NE(what.find("no row gives a value of field 'nbi' for a circuit of the store"), std::string::npos) << what;
    EXPECT_EQ(read_bytes(c.store), before);
}
