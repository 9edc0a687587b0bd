// Real Ecuador: straight-line accessibility of the schools (MINEDUC AMIE) for the LandScan 2023
// population, per canton, district and zone, through the CLI as planners run it, and the
// nearest-school distances checked against brute force on a sample of inhabited cells.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/io/raster.hpp"
#include "support.hpp"

namespace microplan::geo::access {
namespace {

TEST(RealDataAccess, SchoolsWithinTwoFiveAndTenKilometresPerCantonAndDistrict) {
    MICROPLAN_NEED_ECUADOR_DATA();
    test::scratch dir;
    const std::string store = dir.path("ec.sqlite");
    auto step = [&](const std::string& args) {
        auto r = test::run(test::microplan_cmd(args));
        EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
        return r.output;
    };
    step("import " + test::ecuador("boundaries/cantones.geojson") + " -s " + store + " -l canton");
    step("build " + store + " --from cantons --codification " +
         test::ecuador("tables/senplades_zonas_distritos_circuitos.csv"));
    step("import establishments " + test::ecuador("establishments/escuelas_coordenadas.geojson") + " -s " + store +
         " --sector education");
    const std::string landscan = test::ecuador("rasters/landscan_2023_continental.tif");
    auto out = step("access distance " + store + " --sector education --thresholds 2,5,10 --population " + landscan);
    EXPECT_NE(out.find("statistics per unit: canton (224) district (115) zone (9)"), std::string::npos) << out;
    // Stored per canton: Quito's people are nearly all within 5 km of a school.
    auto quito = test::run("sqlite3 " + store +
                           " \"SELECT ROUND(pct, 1) FROM accessibility WHERE level = 'canton' AND code = '1701' AND"
                           " threshold = 5\"");
    ASSERT_FALSE(quito.output.empty());
    EXPECT_GT(std::stod(quito.output), 95.0) << quito.output;
    auto national = test::run("sqlite3 " + store +
                              " \"SELECT ROUND(SUM(within) / SUM(population) * 100, 1) FROM accessibility WHERE level ="
                              " 'zone' AND threshold = 10\"");
    EXPECT_GT(std::stod(national.output), 99.0) << national.output;
    std::printf("%s", out.c_str());

    // Brute force on 1,000 inhabited cells against the index the command uses.
    auto pop = read_population_grid(landscan, "EPSG:32717");
    GDALDatasetUniquePtr ds = gdal::open_vector(test::ecuador("establishments/escuelas_coordenadas.geojson"));
    proj::transformer to_utm("EPSG:4326", "EPSG:32717");
    std::vector<double> x, y;
    for (auto& f : *ds->GetLayer(0)) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (!g || wkbFlatten(g->getGeometryType()) != wkbPoint) continue;
        double px = g->toPoint()->getX(), py = g->toPoint()->getY();
        if (to_utm.forward(px, py)) x.push_back(px), y.push_back(py);
    }
    ASSERT_GT(x.size(), 10000u);
    nearest_index index(x, y);
    std::mt19937 rng(5);
    for (int k = 0; k < 1000; ++k) {
        std::size_t c = rng() % pop.occupied.size();
        double best = 1e300;
        for (std::size_t i = 0; i < x.size(); ++i)
            best = std::min(best, std::hypot(x[i] - pop.cx[c], y[i] - pop.cy[c]));
        ASSERT_DOUBLE_EQ(index.nearest(pop.cx[c], pop.cy[c])->second, best) << "cell " << pop.occupied[c];
    }
}

}  // namespace
}  // namespace microplan::geo::access
