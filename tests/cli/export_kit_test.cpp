// `microplan export kit`: the MBTiles file read by GDAL (its MBTiles vector driver) and, tile by
// tile, equal to what `microplan serve` sends for the same store; refusals leave nothing behind.
// The PMTiles file and the viewer are tested in a browser (tests/web/viewer_test.cpp).
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/io/tile_archive.hpp"
#include "service/http_client.hpp"
#include "service/running_server.hpp"
#include "support.hpp"

namespace microplan::test {
namespace {

std::string gunzip(const std::string& bytes) {
    static int serial = 0;  // a fresh name each time: /vsigzip/ caches what it learnt of a file by name
    const std::string path = "/vsimem/kit_tile_" + std::to_string(++serial) + ".gz";
    VSIFCloseL(VSIFileFromMemBuffer(path.c_str(), reinterpret_cast<GByte*>(const_cast<char*>(bytes.data())),
                                    static_cast<vsi_l_offset>(bytes.size()), FALSE));
    std::string out;
    if (VSILFILE* f = VSIFOpenL(("/vsigzip/" + path).c_str(), "rb")) {
        char buf[65536];
        while (std::size_t n = VSIFReadL(buf, 1, sizeof buf, f)) out.append(buf, n);
        VSIFCloseL(f);
    }
    VSIUnlink(path.c_str());
    return out;
}

TEST(ExportKit, TheMbtilesFileIsWhatTheServerSendsAndGdalReadsIt) {
    geo::gdal::ensure_registered();
    scratch dir;
    const std::string store = dir.path("demo.sqlite"), kit = dir.path("kit");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    auto made = run(microplan_cmd("export kit " + store + " --out " + kit + " --max-zoom 7"));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    EXPECT_NE(made.output.find("index.html"), std::string::npos) << made.output;
    for (const char* f : {"tiles.mbtiles", "tiles.pmtiles", "index.html", "app.js", "kit-data.js", "pmtiles.js"})
        EXPECT_TRUE(std::filesystem::exists(kit + "/" + f)) << f;

    running_server server(store);
    geo::sqlite::connection db(kit + "/tiles.mbtiles", geo::sqlite::connection::mode::read_only);
    geo::sqlite::statement tiles(db, "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles");
    std::size_t compared = 0;
    while (tiles.step()) {
        const auto z = tiles.integer(0), x = tiles.integer(1), y = (std::int64_t{1} << z) - 1 - tiles.integer(2);
        const auto blob = tiles.blob(3);
        const std::string path =
            "/tiles/all/" + std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y) + ".mvt";
        auto served = http_get(server.port(), path);
        ASSERT_EQ(served.status, 200u) << path;
        const std::string unpacked = gunzip({reinterpret_cast<const char*>(blob.data()), blob.size()});
        ASSERT_TRUE(unpacked == served.body)
            << path << ": " << unpacked.size() << " bytes in the kit, " << served.body.size() << " served";
        ++compared;
    }
    EXPECT_GT(compared, 20u);

    // GDAL's MBTiles driver opens it as vector tiles, with the served layers.
    GDALDatasetUniquePtr ds(GDALDataset::Open((kit + "/tiles.mbtiles").c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
    EXPECT_STREQ(ds->GetDriver()->GetDescription(), "MBTiles");
    OGRLayer* circuits = ds->GetLayerByName("circuits");
    ASSERT_NE(circuits, nullptr);
    EXPECT_GT(circuits->GetFeatureCount(), 100);
    EXPECT_NE(ds->GetLayerByName("establishments"), nullptr);
}

TEST(ExportKit, RefusalsLeaveNothingBehind) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    // A folder that is not a kit is not replaced.
    std::filesystem::create_directories(dir.path("mine"));
    dir.write("mine/notes.txt", "mis notas");
    auto refused = run(microplan_cmd("export kit " + store + " --out " + dir.path("mine") + " --max-zoom 2"));
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("is not a kit"), std::string::npos) << refused.output;
    EXPECT_EQ(read_bytes(dir.path("mine/notes.txt")), "mis notas");
    // Without the viewer's files, the missing one is named and no folder is left.
    auto no_web =
        run(microplan_cmd("export kit " + store + " --out " + dir.path("kit") + " --web-root " + dir.path("nowhere")));
    EXPECT_EQ(no_web.exit_code, 2) << no_web.output;
    EXPECT_NE(no_web.output.find("index.html"), std::string::npos) << no_web.output;
    EXPECT_NE(no_web.output.find("make web"), std::string::npos) << no_web.output;
    EXPECT_FALSE(std::filesystem::exists(dir.path("kit")));
    EXPECT_FALSE(std::filesystem::exists(dir.path("kit.part")));
}

TEST(TileArchive, PmtilesTileIdsFollowTheHilbertCurveOfTheSpec) {
    // Values from the pmtiles package (zxyToTileId), the reference implementation.
    EXPECT_EQ(geo::pmtiles_tile_id(0, 0, 0), 0u);
    EXPECT_EQ(geo::pmtiles_tile_id(1, 0, 0), 1u);
    EXPECT_EQ(geo::pmtiles_tile_id(3, 5, 2), 76u);
    EXPECT_EQ(geo::pmtiles_tile_id(10, 300, 500), 544927u);
}

}  // namespace
}  // namespace microplan::test
