#pragma once
// The polygons of one layer (the circuits of a country, say) cut into arcs: the pieces of
// boundary between junctions, each stored once however many polygons use it (TopoJSON's
// method). Simplifying an arc once and quantizing it to a zoom's pixel grid therefore gives
// neighbouring polygons the very same border at every zoom: no gaps, no slivers.
//
// Junctions are found by exact vertex equality: a vertex is a junction when the rings that
// visit it do not all have the same two neighbours there. Borders that neighbours trace with
// different vertices stay separate arcs and are simplified separately (like any tiler).
//
// Thread safety: immutable after construction, except the per-zoom arcs, which are built
// once on first use under std::call_once; safe to share between threads.
#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "microplan/tiles/geometry.hpp"
#include "microplan/tiles/tile_id.hpp"

namespace microplan::tiles {

class coverage_topology {
public:
    // Rings need not be closed; consecutive duplicate vertices and rings with fewer than
    // three distinct vertices are dropped, and so are rings with a coordinate that is not finite
    // or lies beyond twice the Web Mercator world.
    explicit coverage_topology(std::span<const multipolygon> features);

    [[nodiscard]] std::size_t size() const noexcept { return features_.size(); }
    [[nodiscard]] std::size_t arc_count() const noexcept { return arc_start_.size() - 1; }
    [[nodiscard]] std::size_t vertex_count() const noexcept { return vertex_count_; }
    [[nodiscard]] const box& bounds(std::size_t feature) const { return features_[feature].bounds; }

    // The feature's polygons at zoom z in world pixels: arcs simplified with Douglas–Peucker
    // at `tolerance_px` pixels (endpoints kept), quantized, consecutive duplicates removed.
    // `visit(polygon_index, ring_index, std::span<const pixel>)` gets each ring whose Mercator
    // bounds meet `area`, open (the closing vertex not repeated); a polygon whose exterior
    // misses `area` is skipped whole, and its exterior (ring_index 0) comes first.
    template <class Visit>
    void for_each_ring(std::size_t feature, std::uint32_t z, const box& area, std::vector<pixel>& scratch,
                       Visit&& visit) const;

    // Douglas–Peucker tolerance in world pixels of the zoom being drawn: with the snapping to
    // integers (at most 0.71 away) every drawn point stays within one tile unit of the source.
    static constexpr double tolerance_px = 0.25;

private:
    struct arc_ref {
        std::uint32_t arc;
        bool reversed;
    };
    struct ring_refs {
        std::uint32_t first_ref, ref_count;
        box bounds;
    };
    struct polygon_refs {
        std::uint32_t first_ring, ring_count;
    };
    struct feature_refs {
        std::uint32_t first_polygon, polygon_count;
        box bounds;
    };
    struct zoom_arcs {
        std::once_flag once;
        std::vector<std::uint32_t> start;  // arc i is points[start[i] .. start[i+1])
        std::vector<pixel> points;
    };

    const zoom_arcs& arcs_at(std::uint32_t z) const;
    void build_zoom(zoom_arcs& out, std::uint32_t z) const;
    static void assemble(const zoom_arcs& arcs, std::span<const arc_ref> refs, std::vector<pixel>& out);

    std::vector<point> arc_points_;
    std::vector<std::uint32_t> arc_start_{0};
    std::vector<arc_ref> refs_;
    std::vector<ring_refs> rings_;
    std::vector<polygon_refs> polygons_;
    std::vector<feature_refs> features_;
    std::size_t vertex_count_ = 0;
    mutable std::array<zoom_arcs, max_zoom + 1> zooms_;
};

template <class Visit>
void coverage_topology::for_each_ring(std::size_t feature, std::uint32_t z, const box& area,
                                      std::vector<pixel>& scratch, Visit&& visit) const {
    const zoom_arcs& arcs = arcs_at(z);
    const feature_refs& f = features_[feature];
    for (std::uint32_t p = 0; p < f.polygon_count; ++p) {
        const polygon_refs& poly = polygons_[f.first_polygon + p];
        for (std::uint32_t r = 0; r < poly.ring_count; ++r) {
            const ring_refs& refs = rings_[poly.first_ring + r];
            if (!refs.bounds.intersects(area)) {
                if (r == 0) break;
                continue;
            }
            assemble(arcs, std::span(refs_).subspan(refs.first_ref, refs.ref_count), scratch);
            visit(p, r, std::span<const pixel>(scratch));
        }
    }
}

}  // namespace microplan::tiles
