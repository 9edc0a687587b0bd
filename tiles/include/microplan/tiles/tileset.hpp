#pragma once
// Layers ready to be cut into Mapbox Vector Tiles on request, and the rules of what goes
// into a tile (README.md, "Vector tiles"):
//  - polygons come from a coverage_topology, so neighbours share identical borders at
//    every zoom; Douglas–Peucker at one tile unit (1/4096 of a tile), snapped to the tile
//    grid, clipped to the tile plus a 64-unit buffer;
//  - a polygon part whose area is zero once simplified and snapped is dropped (its
//    neighbours collapse onto the same points, so no gap opens);
//  - points are kept in the buffer too; below zoom `thin_points_below` one point per
//    8 × 8-unit cell (a screen pixel of a 512 px tile) is kept, the first in feature order;
//  - a tile larger than `max_tile_bytes` is encoded again dropping polygon parts smaller than
//    64 square units and thinning points on 16-unit cells, then 4× that, ... until it fits.
//
// Thread safety: immutable after construction (the topology's per-zoom arcs are built once,
// thread-safely); render from any number of threads.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "microplan/tiles/coverage_topology.hpp"
#include "microplan/tiles/mvt.hpp"
#include "microplan/tiles/tile_id.hpp"

namespace microplan::tiles {

// What a layer is made from: one id, property row and geometry per feature, all in Web
// Mercator. Either `polygons` or `points` is filled.
struct layer_source {
    std::string name;
    std::vector<std::string> keys;
    std::vector<std::uint64_t> ids;
    std::vector<std::vector<value>> properties;  // per feature, aligned with keys
    std::vector<multipolygon> polygons;
    std::vector<point> points;
};

struct render_rules {
    std::int32_t buffer = 64;              // tile units around the tile
    std::uint32_t thin_points_below = 12;  // zoom below which points are thinned
    std::size_t max_tile_bytes = 500 * 1024;
};

class vector_layer {
public:
    explicit vector_layer(layer_source source);

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] const std::vector<std::string>& keys() const noexcept { return keys_; }
    [[nodiscard]] bool is_points() const noexcept { return !topology_; }
    [[nodiscard]] std::size_t size() const noexcept { return ids_.size(); }
    [[nodiscard]] std::uint64_t id(std::size_t f) const { return ids_[f]; }
    [[nodiscard]] const box& bounds(std::size_t f) const { return bounds_[f]; }
    [[nodiscard]] const box& extent() const noexcept { return extent_; }
    [[nodiscard]] std::size_t vertex_count() const noexcept {
        return topology_ ? topology_->vertex_count() : ids_.size();
    }

    // Appends this layer to `tile` (nothing when no feature falls in it). `reduction` 0 is the
    // normal encoding; each step drops more (see the rules above). Returns features written.
    std::size_t render(std::string& tile, const tile_id& t, const render_rules& rules, int reduction = 0) const;

private:
    std::string name_;
    std::vector<std::string> keys_;
    std::vector<std::uint64_t> ids_;
    std::vector<std::vector<value>> properties_;
    std::vector<box> bounds_;
    box extent_;
    std::optional<coverage_topology> topology_;
    std::vector<point> points_;
};

// The tile of some layers, within the size limit. `reduced` tells whether features had to
// be dropped beyond the normal rules to fit.
struct rendered_tile {
    std::string data;
    std::size_t features = 0;
    int reduction = 0;
};
rendered_tile render_tile(std::span<const vector_layer* const> layers, const tile_id& t,
                          const render_rules& rules = {});

// The Mercator box of a tile grown by `buffer` tile units.
box tile_box(const tile_id& t, std::int32_t buffer);

}  // namespace microplan::tiles
