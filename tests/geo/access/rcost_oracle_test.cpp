// GRASS r.cost as the oracle of the cost engine: the same random friction surface (with
// impassable cells) and sources, 8 and 16 neighbours, cell by cell. Skips when GRASS is not
// installed (`make test` installs grass-core).
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/io/raster.hpp"
#include "support.hpp"

namespace microplan::geo::access {
namespace {

bool have_grass() { return std::system("command -v grass >/dev/null 2>&1") == 0; }

std::vector<double> read_band(const std::string& path, int& has_nodata, double& nodata) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    EXPECT_TRUE(ds) << path;
    if (!ds) return {};
    std::vector<double> v(static_cast<std::size_t>(ds->GetRasterXSize()) *
                          static_cast<std::size_t>(ds->GetRasterYSize()));
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, ds->GetRasterXSize(), ds->GetRasterYSize(), v.data(),
                                             ds->GetRasterXSize(), ds->GetRasterYSize(), GDT_Float64, 0, 0),
              CE_None);
    nodata = ds->GetRasterBand(1)->GetNoDataValue(&has_nodata);
    return v;
}

TEST(RcostOracle, SameTravelTimesAsGrassOnARandomSurface) {
    if (!have_grass()) GTEST_SKIP() << "GRASS GIS (grass-core) is not installed; `make test` installs it";
    test::scratch dir;
    gdal::ensure_registered();
    // 90 x 70 cells of 100 m, costs 0.5..6 minutes, 4 % impassable, a wall with one gap.
    const int cols = 90, rows = 70;
    std::mt19937 rng(2026);
    std::uniform_real_distribution<float> u(0.5f, 6.0f);
    cost_surface s;
    s.g.cols = cols, s.g.rows = rows, s.g.x0 = 600000, s.g.y0 = 9800000, s.g.ew_res = s.g.ns_res = 100;
    s.cost.resize(static_cast<std::size_t>(cols * rows));
    for (auto& c : s.cost) c = u(rng);
    for (int k = 0; k < cols * rows / 25; ++k) s.cost[rng() % s.cost.size()] = std::numeric_limits<float>::quiet_NaN();
    for (int r = 0; r < rows; ++r)
        if (r != 35) s.cost[static_cast<std::size_t>(r * cols + 45)] = std::numeric_limits<float>::quiet_NaN();
    OGRSpatialReference srs;
    srs.importFromEPSG(32717);
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    s.g.crs_wkt = wkt;
    CPLFree(wkt);
    write_float_raster(dir.path("cost.tif"), s.g, s.cost);
    std::vector<source> src;
    std::ofstream csv(dir.path("starts.csv"));
    csv << "id,x,y\n";
    for (int i = 1; i <= 6; ++i) {
        double x = 600000 + (5 + (i * 13) % 80) * 100 + 50, y = 9800000 - (5 + (i * 11) % 60) * 100 - 50;
        auto cell = s.g.cell_of(x, y);
        if (std::isnan(s.cost[*cell])) s.cost[*cell] = 1.0f;  // sources on passable cells
        src.push_back({x, y, i});
        csv << i << "," << x << "," << y << "\n";
    }
    csv.close();
    write_float_raster(dir.path("cost.tif"), s.g, s.cost);
    std::ofstream script(dir.path("run.sh"));
    script << "set -e\nexport GRASS_OVERWRITE=1 GRASS_VERBOSE=0\ncd '" << dir.path("") << "'\n"
           << "r.in.gdal input=cost.tif output=cost --quiet\ng.region raster=cost\n"
           << "v.in.ascii input=starts.csv output=starts separator=comma skip=1 x=2 y=3 cat=1 "
              "columns='id integer, x double precision, y double precision' --quiet\n"
           << "r.cost input=cost output=q start_points=starts --quiet\n"
           << "r.cost -k input=cost output=k start_points=starts --quiet\n"
           << "r.out.gdal input=q output=q.tif type=Float64 --quiet\n"
           << "r.out.gdal input=k output=k.tif type=Float64 --quiet\n";
    script.close();
    std::string cmd = "grass --tmp-location EPSG:32717 --exec bash '" + dir.path("run.sh") + "' > '" +
                      dir.path("grass.log") + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << test::read_bytes(dir.path("grass.log"));
    for (auto [name, moves] : {std::pair{"q.tif", neighbourhood::queen}, {"k.tif", neighbourhood::knight}}) {
        cost_distance_options o;
        o.moves = moves;
        auto ours = cost_distance(s, src, o);
        int has_nodata = 0;
        double nodata = 0;
        auto theirs = read_band(dir.path(name), has_nodata, nodata);
        ASSERT_EQ(theirs.size(), ours.cost.size());
        std::size_t both = 0, only_one = 0;
        double worst = 0;
        for (std::size_t i = 0; i < theirs.size(); ++i) {
            const bool g_reached = !(has_nodata && theirs[i] == nodata) && std::isfinite(theirs[i]);
            const bool m_reached = std::isfinite(ours.cost[i]);
            if (g_reached != m_reached) {
                ++only_one;
                continue;
            }
            if (!g_reached) continue;
            ++both;
            worst = std::max(worst, std::abs(theirs[i] - ours.cost[i]) / std::max(1.0, theirs[i]));
        }
        std::printf("%s: %zu cells reached by both, %zu by one only, worst relative difference %.2e\n", name, both,
                    only_one, worst);
        EXPECT_EQ(only_one, 0u) << name;
        EXPECT_GT(both, static_cast<std::size_t>(cols * rows * 9 / 10)) << name;
        // Same values (single vs double precision): far within one cell step.
        EXPECT_LT(worst, 1e-5) << name;
    }
}

}  // namespace
}  // namespace microplan::geo::access
