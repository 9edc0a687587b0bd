#pragma once
// Vector tiles of a snapshot's collections: /tiles/{layer}/{z}/{x}/{y}.mvt for every
// collection and "all" (every collection in one tile), TileJSON 3.0 per layer and a MapLibre
// style over "all". Tiles come from the cache when there, else are rendered and admitted.
//
// Thread safety: safe from any thread (the cache is shared and synchronised).
#include "microplan/service/context.hpp"
#include "microplan/service/tile_cache.hpp"

namespace microplan::service {

class route_table;

class tiles_service {
public:
    explicit tiles_service(tile_cache& cache) : cache_(cache) {}

    // The tile with its ETag; `gzip` picks the compressed body when the client takes it.
    http_response tile(const request_context& ctx, const std::string& layer, const std::string& z, const std::string& x,
                       const std::string& y_mvt, bool gzip) const;
    http_response tilejson(const request_context& ctx, const std::string& layer) const;
    http_response style(const request_context& ctx) const;

    // Registers /tiles/... and /styles/microplan.json. `this` must outlive the table.
    void register_routes(route_table& table) const;

    // The layers a tile of `layer` is made of, in drawing order (bottom first).
    static std::vector<const tiles::vector_layer*> layers_of(const snapshot& data, const std::string& layer);

private:
    tile_cache& cache_;
};

}  // namespace microplan::service
