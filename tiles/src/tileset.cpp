#include "microplan/tiles/tileset.hpp"

#include <cmath>
#include <unordered_set>

namespace microplan::tiles {

box tile_box(const tile_id& t, std::int32_t buffer) {
    mercator_bounds b = bounds(t);
    double margin = (b.maxx - b.minx) * buffer / tile_extent;
    return {b.minx - margin, b.miny - margin, b.maxx + margin, b.maxy + margin};
}

vector_layer::vector_layer(layer_source source)
    : name_(std::move(source.name)),
      keys_(std::move(source.keys)),
      ids_(std::move(source.ids)),
      properties_(std::move(source.properties)) {
    properties_.resize(ids_.size());
    if (!source.polygons.empty() || source.points.empty()) {
        topology_.emplace(source.polygons);
        bounds_.reserve(topology_->size());
        for (std::size_t f = 0; f < topology_->size(); ++f) bounds_.push_back(topology_->bounds(f));
    } else {
        points_ = std::move(source.points);
        // A point that is not finite or lies beyond twice the world gets an empty box: never drawn.
        for (const point& p : points_)
            bounds_.push_back(
                std::abs(p.x) <= 2 * half_world && std::abs(p.y) <= 2 * half_world ? box{p.x, p.y, p.x, p.y} : box{});
    }
    for (const box& b : bounds_)
        if (!b.empty()) extent_.extend(b);
}

std::size_t vector_layer::render(std::string& tile, const tile_id& t, const render_rules& rules, int reduction) const {
    const box area = tile_box(t, rules.buffer);
    const std::int64_t ox = static_cast<std::int64_t>(t.x) * tile_extent,
                       oy = static_cast<std::int64_t>(t.y) * tile_extent;
    layer_builder layer(tile, name_, keys_);
    if (!extent_.intersects(area)) {
        layer.finish();
        return 0;
    }
    if (topology_) {
        // Reduction k drops polygon parts under 64 * 4^(k-1) square units.
        const std::int64_t min_doubled_area = reduction == 0 ? 1 : 2 * (std::int64_t{64} << (2 * (reduction - 1)));
        const std::int32_t lo = -rules.buffer, hi = static_cast<std::int32_t>(tile_extent) + rules.buffer;
        std::vector<pixel> world, local, clipped, scratch;
        for (std::size_t f = 0; f < ids_.size(); ++f) {
            if (!bounds_[f].intersects(area)) continue;
            layer.begin_polygon_feature();
            bool polygon_kept = false;
            topology_->for_each_ring(
                f, t.z, area, world, [&](std::uint32_t, std::uint32_t ring_index, std::span<const pixel> pts) {
                    if (ring_index != 0 && !polygon_kept) return;
                    local.resize(pts.size());
                    for (std::size_t i = 0; i < pts.size(); ++i)
                        local[i] = {static_cast<std::int32_t>(pts[i].x - ox), static_cast<std::int32_t>(pts[i].y - oy)};
                    clip_ring(local, lo, hi, clipped, scratch);
                    if (clipped.size() < 3) {
                        if (ring_index == 0) polygon_kept = false;
                        return;
                    }
                    std::int64_t a = doubled_area(clipped);
                    if ((a < 0 ? -a : a) < min_doubled_area) {
                        if (ring_index == 0) polygon_kept = false;
                        return;
                    }
                    bool added = layer.add_ring(clipped, ring_index == 0);
                    if (ring_index == 0) polygon_kept = added;
                });
            layer.end_polygon_feature(ids_[f], properties_[f]);
        }
    } else {
        const double size = pixel_size(t.z);
        const bool thin = t.z < rules.thin_points_below || reduction > 0;
        const std::int32_t cell = reduction == 0 ? 8 : 8 << (2 * reduction - 1);
        std::unordered_set<std::uint64_t> taken;
        for (std::size_t f = 0; f < ids_.size(); ++f) {
            if (!bounds_[f].intersects(area)) continue;
            pixel w = to_pixel(points_[f], size);
            pixel p{static_cast<std::int32_t>(w.x - ox), static_cast<std::int32_t>(w.y - oy)};
            if (thin) {
                auto cx = static_cast<std::uint32_t>((p.x + rules.buffer) / cell);
                auto cy = static_cast<std::uint32_t>((p.y + rules.buffer) / cell);
                if (!taken.insert((std::uint64_t{cx} << 32) | cy).second) continue;
            }
            layer.add_point_feature(ids_[f], p, properties_[f]);
        }
    }
    std::size_t n = layer.feature_count();
    layer.finish();
    return n;
}

rendered_tile render_tile(std::span<const vector_layer* const> layers, const tile_id& t, const render_rules& rules) {
    rendered_tile out;
    for (int reduction = 0;; ++reduction) {
        out.data.clear();
        out.features = 0;
        out.reduction = reduction;
        for (const vector_layer* layer : layers) out.features += layer->render(out.data, t, rules, reduction);
        if (out.data.size() <= rules.max_tile_bytes || reduction >= 8) return out;
    }
}

}  // namespace microplan::tiles
