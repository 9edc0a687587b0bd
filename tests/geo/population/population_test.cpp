#include "microplan/geo/population/population.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "microplan/geo/demo/demo_country.hpp"
#include "microplan/geo/demo/demo_services.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "microplan/geo/territory/locate.hpp"
#include "support.hpp"

namespace microplan::geo {
namespace {

unit_layer parishes() {
    unit_layer l{level::parish, {}};
    for (const char* code : {"090150", "090750", "170150"}) {
        unit u;
        u.lvl = level::parish;
        u.code = code;
        u.name = std::string("P") + code;
        u.geometry = geos::from_wkt("MULTIPOLYGON(((0 0,1 0,1 1,0 0)))");
        l.units.push_back(std::move(u));
    }
    return l;
}

TEST(PopulationTable, NormalisesCodesAndReportsUnmatchedOnBothSides) {
    test::scratch s;
    // Spreadsheets drop the leading zero: 90150 is 090150. 999999 has no parish; 170150 has no row.
    std::string path = s.write("censo.csv",
                               "parroquia,nombre,pob_cpv2022,pob_mod_2022,pob_0_3\n"
                               "90150,GUAYAQUIL,\"2650288\",2700000,150000\n"
                               "90750,DAULE,\"1.234,5\",1300,90\n"
                               "999999,NUEVA,100,100,5\n");
    population_table_options o;
    o.path = path;
    o.lvl = level::parish;
    o.year = 2022;
    o.bands = {{"0-3", "pob_0_3"}};
    auto r = read_population_table(o, parishes());
    EXPECT_EQ(r.code_field, "parroquia");
    EXPECT_EQ(r.value_field, "pob_cpv2022");  // census preferred over the modelled series
    EXPECT_EQ(r.rows, 3u);
    EXPECT_EQ(r.matched, 2u);
    EXPECT_EQ(r.values.at(total_band).at("090150"), 2650288);
    EXPECT_EQ(r.values.at(total_band).at("090750"), 1234.5);
    EXPECT_EQ(r.values.at("0-3").at("090150"), 150000);
    EXPECT_EQ(r.unmatched_codes, std::vector<std::string>{"999999"});
    EXPECT_EQ(r.units_missing, std::vector<std::string>{"170150"});
    auto has = [&](const std::string& rule, const std::string& code) {
        return std::any_of(r.report.items.begin(), r.report.items.end(),
                           [&](const finding& f) { return f.rule == rule && f.code == code; });
    };
    EXPECT_TRUE(has("population.code_unmatched", "999999"));
    EXPECT_TRUE(has("population.unit_missing", "170150"));

    // Without a year, two population fields are ambiguous: say which.
    o.year = 0;
    o.bands.clear();
    std::string path2 = s.write("b.csv", "parroquia,pob_2010,pob_2022\n90150,1,2\n");
    o.path = path2;
    try {
        read_population_table(o, parishes());
        FAIL();
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("pob_2010, pob_2022"), std::string::npos) << e.what();
    }
}

TEST(Allocation, AreaAndDasymetricKeepEverySourceTotal) {
    test::scratch s;
    demo::country c = demo::generate_country();
    std::string tif = s.path("pop.tif");
    demo::write_population_raster(c, tif);
    // Districts' population, allocated to circuits, must add back to each district, and
    // dasymetric allocation must follow the raster: close to the circuits' raster sums.
    demo::demo_population people = demo::population_by_unit(c, tif);
    population_values by_district{{total_band, people.districts.at(total_band)}};
    allocation_options o;
    auto area = allocate_population(c.districts, by_district, c.circuits, o);
    EXPECT_NEAR(area.allocated_total, area.source_total, area.source_total * 1e-9);
    o.method = allocation_method::dasymetric;
    o.rasters = {tif};
    auto dasy = allocate_population(c.districts, by_district, c.circuits, o);
    EXPECT_NEAR(dasy.allocated_total, dasy.source_total, dasy.source_total * 1e-9);
    double area_err = 0, dasy_err = 0;
    for (const auto& u : c.circuits.units) {
        double truth = people.circuits.at(total_band).at(u.code);
        area_err += std::abs(area.values.at(total_band).at(u.code) - truth);
        dasy_err += std::abs(dasy.values.at(total_band).at(u.code) - truth);
    }
    EXPECT_LT(dasy_err, area.source_total * 1e-3);  // nested units: the raster gives them back
    EXPECT_GT(area_err, dasy_err * 10);
    // Per district, the circuits' share adds up to the district.
    for (const auto& d : c.districts.units) {
        double sum = 0;
        for (const auto& u : c.circuits.units)
            if (u.parent_code == d.code) sum += dasy.values.at(total_band).at(u.code);
        EXPECT_NEAR(sum, by_district.at(total_band).at(d.code), 1e-6 * (1 + sum)) << d.code;
    }
}

TEST(DemoServices, PopulationRasterAndEstablishmentsAreConsistentAndDeterministic) {
    test::scratch s;
    demo::country c = demo::generate_country();
    std::string tif = s.path("pop.tif");
    demo::write_population_raster(c, tif);
    demo::demo_population people = demo::population_by_unit(c, tif);
    double circuits = 0, zones = 0;
    for (const auto& [k, v] : people.circuits.at(total_band)) circuits += v;
    for (const auto& [k, v] : people.zones.at(total_band)) zones += v;
    EXPECT_NEAR(circuits, 17e6, 17e6 * 0.002);
    EXPECT_NEAR(zones, circuits, 1e-6 * circuits);
    // The raster's own total inside the country: zonal sums over the zones agree within 0.1 %.
    std::vector<const GEOSGeometry*> zg;
    for (const auto& z : c.zones.units) zg.push_back(z.geometry.get());
    auto zz = zonal_sums(tif, zg, "EPSG:4326");
    double zonal_zones = 0;
    for (double v : zz.sums) zonal_zones += v;
    EXPECT_NEAR(zonal_zones, circuits, circuits * 1e-6);
    EXPECT_NEAR(zz.window_total, circuits, circuits * 1e-3);
    // Age bands add up to the total, per circuit.
    for (const auto& u : c.circuits.units) {
        double bands = 0;
        for (const auto& b : demo::demo_age_bands) bands += people.circuits.at(b).at(u.code);
        EXPECT_NEAR(bands, people.circuits.at(total_band).at(u.code), 1e-6 * (1 + bands));
    }
    auto est = demo::generate_establishments(c, people);
    std::map<std::string, int> per_sector;
    for (const auto& e : est) ++per_sector[e.sector];
    for (const char* sector : {"health", "education", "security", "child_development"})
        EXPECT_GT(per_sector[sector], 100) << sector;
    auto again = demo::generate_establishments(c, people);
    ASSERT_EQ(again.size(), est.size());
    for (std::size_t i = 0; i < est.size(); ++i) {
        EXPECT_EQ(again[i].id, est[i].id);
        EXPECT_EQ(again[i].lon, est[i].lon);
    }
    // Denser in cities: the densest tenth of circuits holds more establishments per km²
    // than the sparsest tenth.
    std::map<std::string, int> per_circuit;
    {
        std::vector<const GEOSGeometry*> g;
        for (const auto& u : c.circuits.units) g.push_back(u.geometry.get());
        point_locator loc(g);
        for (const auto& e : est)
            if (int i = loc.locate(e.lon, e.lat); i >= 0)
                ++per_circuit[c.circuits.units[static_cast<std::size_t>(i)].code];
    }
    std::vector<std::pair<double, const unit*>> density;
    for (const auto& u : c.circuits.units)
        density.emplace_back(people.circuits.at(total_band).at(u.code) / u.area_km2, &u);
    std::sort(density.begin(), density.end());
    auto per_km2 = [&](std::size_t from, std::size_t to) {
        double n = 0, km2 = 0;
        for (std::size_t k = from; k < to; ++k) {
            n += per_circuit[density[k].second->code];
            km2 += density[k].second->area_km2;
        }
        return n / km2;
    };
    std::size_t tenth = density.size() / 10;
    EXPECT_GT(per_km2(density.size() - tenth, density.size()), 5 * per_km2(0, tenth));
}

}  // namespace
}  // namespace microplan::geo
