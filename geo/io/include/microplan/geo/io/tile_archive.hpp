#pragma once
// Vector tiles packed into single-file archives for offline use (a workshop without network):
//   MBTiles 1.3  a SQLite file (`metadata` and `tiles` tables, TMS rows, gzip tile data) that
//                GDAL's MBTiles driver and QGIS open; MBTiles is SQLite by definition, so this
//                one writer speaks SQL outside the planning store, through core/sqlite.hpp.
//   PMTiles v3   one file read by byte ranges (the `pmtiles` package in a browser, with no
//                server): header, root directory, JSON metadata, leaf directories, tile data;
//                tiles gzip-compressed, directories not, clustered (tile data in tile-id order).
// Both are written to a temporary file beside the target and renamed: a failed write leaves no
// half archive. Thread safety: pure functions of their arguments. Deterministic.
#include <cstdint>
#include <string>
#include <vector>

namespace microplan::geo {

struct archived_tile {
    std::uint8_t z = 0;
    std::uint32_t x = 0, y = 0;  // XYZ: y = 0 at the north
    std::string data;            // an uncompressed Mapbox Vector Tile, as a server sends it
};

struct tile_archive_info {
    std::string name, description, attribution;
    double west = -180, south = -85, east = 180, north = 85;  // lon/lat
    std::uint8_t min_zoom = 0, max_zoom = 0;
    std::string vector_layers_json = "[]";  // TileJSON's vector_layers
};

// The PMTiles tile id: the position on the Hilbert curves of every zoom from 0.
std::uint64_t pmtiles_tile_id(std::uint8_t z, std::uint32_t x, std::uint32_t y);

// Throws format_error naming the file when it cannot be written.
void write_mbtiles(const std::string& path, const tile_archive_info& info, const std::vector<archived_tile>& tiles);
void write_pmtiles(const std::string& path, const tile_archive_info& info, std::vector<archived_tile> tiles);

}  // namespace microplan::geo
