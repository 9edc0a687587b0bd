#include "microplan/tiles/tile_id.hpp"

#include <gtest/gtest.h>

using namespace microplan::tiles;

TEST(TileId, ParsesOnlyRealTiles) {
    EXPECT_EQ(parse_tile("0", "0", "0"), (tile_id{0, 0, 0}));
    EXPECT_EQ(parse_tile("16", "18000", "32000"), (tile_id{16, 18000, 32000}));
    EXPECT_FALSE(parse_tile("17", "0", "0"));
    EXPECT_FALSE(parse_tile("1", "2", "0"));
    EXPECT_FALSE(parse_tile("-1", "0", "0"));
    EXPECT_FALSE(parse_tile("1", "+1", "0"));
    EXPECT_FALSE(parse_tile("99999999999999999999", "0", "0"));
    EXPECT_FALSE(parse_tile("1", "0x1", "0"));
    EXPECT_FALSE(parse_tile("", "0", "0"));
    EXPECT_FALSE(parse_tile("1", "..", "0"));
}

TEST(TileId, QuitoAtZoom10) {
    // Quito (-78.5125, -0.2201) lies in tile 10/288/512.
    EXPECT_EQ(tile_for_lonlat(-78.5125, -0.2201, 10), (tile_id{10, 288, 512}));
    auto b = bounds({10, 288, 512});
    EXPECT_LT(b.minx, -78.5125 * 20037508.342789244 / 180);
    EXPECT_GT(b.maxx, -78.5125 * 20037508.342789244 / 180);
}

TEST(TileId, WorldTileCoversTheWholeMercatorSquare) {
    auto b = bounds({0, 0, 0});
    EXPECT_DOUBLE_EQ(b.minx, -20037508.342789244);
    EXPECT_DOUBLE_EQ(b.maxy, 20037508.342789244);
}
