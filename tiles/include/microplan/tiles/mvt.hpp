#pragma once
// Mapbox Vector Tile 2.1 encoding with protozero: one layer_builder per layer, writing
// straight into the tile's buffer. Geometry arrives in tile coordinates (extent 4096, y
// down); polygon rings are oriented here from their area as the spec wants (exterior
// positive by the surveyor's formula in tile coordinates, i.e. clockwise on screen).
//
// Thread safety: a builder and its tile buffer belong to one thread.
#include <cstdint>
#include <protozero/pbf_writer.hpp>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "microplan/tiles/geometry.hpp"

namespace microplan::tiles {

// A property value; monostate = the feature has no value for that key (nothing is written).
using value = std::variant<std::monostate, std::string, double, std::int64_t, bool>;

class layer_builder {
public:
    // Starts layer `name` in `tile` (a Tile message being built).
    layer_builder(std::string& tile, std::string_view name, std::span<const std::string> keys,
                  std::uint32_t extent = tile_extent);
    layer_builder(const layer_builder&) = delete;
    layer_builder& operator=(const layer_builder&) = delete;

    // Starts a polygon feature; add its rings (exterior first, then its holes, then the
    // next polygon's exterior...) with add_ring, then call end_polygon_feature. Rings are
    // open (the closing vertex not repeated), in tile coordinates.
    void begin_polygon_feature();
    // Adds a ring; false (and nothing added) when it has no area. `exterior` orients it.
    bool add_ring(std::span<const pixel> vertices, bool exterior);
    // Writes the feature when it has at least one ring; false when it had none.
    bool end_polygon_feature(std::uint64_t id, std::span<const value> properties);

    void add_point_feature(std::uint64_t id, pixel p, std::span<const value> properties);

    [[nodiscard]] std::size_t feature_count() const noexcept { return features_; }
    // Writes keys and values and closes the layer; a layer without features is removed.
    void finish();

private:
    void write_tags(protozero::pbf_writer& feature, std::span<const value> properties);

    protozero::pbf_writer tile_;
    protozero::pbf_writer layer_;
    std::span<const std::string> keys_;
    std::vector<bool> key_used_;
    std::vector<std::uint32_t> key_index_;
    std::vector<std::string> values_;  // encoded Value messages, in index order
    std::unordered_map<std::string, std::uint32_t> value_index_;
    std::vector<std::uint32_t> geometry_;
    std::size_t features_ = 0;
    pixel cursor_{};
    bool finished_ = false;
};

// Signed doubled area of a ring (positive: clockwise on screen, y down).
std::int64_t doubled_area(std::span<const pixel> vertices);

// Clips a ring to the square [lo, hi]² (Sutherland–Hodgman). Intersections are computed from
// the segment's endpoints in a canonical order, so a border shared by two polygons is cut at
// the very same point in both.
void clip_ring(std::span<const pixel> vertices, std::int32_t lo, std::int32_t hi, std::vector<pixel>& out,
               std::vector<pixel>& scratch);

}  // namespace microplan::tiles
