// The real LandScan raster and detailed cantons read as the code reads them, on copies: GDAL
// must leave no sidecar beside them (they appeared in ../shared before; CI mounts it read-only).
// Skipped without ../shared/data/ecuador.
#include <gtest/gtest.h>

#include <filesystem>

#include "geo/io/read_only_sources.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "support.hpp"

namespace microplan::geo {
namespace {

using read_only::folder_of;
using read_only::listing;
using test::scratch;
TEST(ReadOnlySources, RealRasterAndGzippedCantonsGetNoSidecar) {
    MICROPLAN_NEED_ECUADOR_DATA();
    scratch s;
    std::filesystem::copy_file(test::ecuador("rasters/landscan_2023_continental.tif"), s.path("landscan.tif"));
    std::filesystem::copy_file(test::ecuador("boundaries/cantones_detalle.geojson.gz"), s.path("cantones.geojson.gz"));
    const auto before = listing(folder_of(s));
    import_options o;
    o.path = "/vsigzip/" + s.path("cantones.geojson.gz");
    o.lvl = level::canton;
    import_result cantons = read_units(o);
    std::vector<const GEOSGeometry*> geometries;
    for (const auto& u : cantons.layer.units) geometries.push_back(u.geometry.get());
    EXPECT_GT(zonal_sums(s.path("landscan.tif"), geometries, "EPSG:4326").window_total, 1e7);
    EXPECT_GT(read_population_grid(s.path("landscan.tif"), "EPSG:32717").occupied.size(), 1000u);
    EXPECT_EQ(listing(folder_of(s)), before);
}

}  // namespace
}  // namespace microplan::geo
