#pragma once
// The offline workshop kit (`microplan export kit`): a folder that opens from a USB stick with
// no server and no network. It holds
//   tiles.mbtiles   the served vector tiles (all layers, z0 to the zoom asked, shared borders as
//                   served) as MBTiles: GDAL and QGIS open it;
//   tiles.pmtiles   the same tiles as PMTiles v3;
//   index.html, app.js, style.css, maplibre-gl.*, pmtiles.js   a copy of the workshop viewer;
//   kit-data.js     the PMTiles archive (base64) and the server's JSON answers the viewer asks
//                   for (catalogue, indicators of the baseline, unit reports), loaded by a
//                   <script> tag: browsers refuse fetch() on file:// pages, not scripts.
// The caller fetches what a server answers (the CLI runs the server's request handler in
// process), so the kit holds the served bytes, not a second rendering. Written into a fresh
// folder `<out>.part` renamed to `out` when complete. Deterministic for the same answers.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "microplan/geo/io/tile_archive.hpp"
#include "microplan/geo/usecases/progress.hpp"

namespace microplan::geo::usecases {

struct kit_request {
    std::string out;       // the kit's folder (must not exist yet, or be a kit to replace)
    std::string web_root;  // the viewer: web/ with node_modules (maplibre-gl, pmtiles)
    tile_archive_info info;
    std::vector<archived_tile> tiles;                      // z, x, y to fetch; data filled in
    std::string tile_path = "/tiles/all/{z}/{x}/{y}.mvt";  // what to fetch for each
    // GET `path` from the server: the body of a 200 answer (throws otherwise); "" = no tile.
    std::function<std::string(const std::string& path)> fetch;
    std::vector<std::string> json_paths;  // answers the offline viewer needs, fetched and kept by path
    progress on_progress;
};

struct kit_summary {
    std::size_t tiles = 0, empty_tiles = 0, answers = 0;
    std::uintmax_t mbtiles_bytes = 0, pmtiles_bytes = 0, data_bytes = 0;
    double seconds = 0;
};

// Throws format_error naming the file or folder when the viewer's files are missing or the kit
// cannot be written.
kit_summary export_kit(kit_request request);

}  // namespace microplan::geo::usecases
