#include "microplan/geo/territory/locate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "microplan/geo/core/parallel.hpp"

namespace microplan::geo {

namespace {

constexpr std::uint32_t node_capacity = 16;

// Shewchuk's bound for the fast orientation determinant (ccwerrboundA).
constexpr double orientation_error_bound = (3.0 + 16.0 * 0x1p-53) * 0x1p-53;

// True when (px, py) lies strictly left of the upward edge (x0,y0)->(x1,y1).
bool left_of(double x0, double y0, double x1, double y1, double px, double py) {
    double detleft = (x0 - px) * (y1 - py);
    double detright = (y0 - py) * (x1 - px);
    double det = detleft - detright;
    double bound = orientation_error_bound * (std::abs(detleft) + std::abs(detright));
    if (det > bound) return true;
    if (-det > bound) return false;
    // Too close to call in doubles: GEOS's exact (double-double) predicate.
    return geos::orientation_index(x0, y0, x1, y1, px, py) == 1;
}

bool contains_env(const geos::envelope& e, double x, double y) {
    return x >= e.minx && x <= e.maxx && y >= e.miny && y <= e.maxy;
}

void ring_edges(GEOSContextHandle_t ctx, const GEOSGeometry* ring, std::vector<double>& buf,
                std::vector<std::array<double, 4>>& out) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n) || n < 2) return;
    buf.resize(2 * static_cast<std::size_t>(n));
    if (!GEOSCoordSeq_copyToBuffer_r(ctx, seq, buf.data(), 0, 0)) return;
    for (unsigned i = 0; i + 1 < n; ++i) {
        double ax = buf[2 * i], ay = buf[2 * i + 1], bx = buf[2 * i + 2], by = buf[2 * i + 3];
        if (ay == by) continue;  // horizontal edges never cross the +x ray under the half-open rule
        if (ay < by)
            out.push_back({ax, ay, bx, by});
        else
            out.push_back({bx, by, ax, ay});
    }
}

}  // namespace

bool point_locator::prepared::contains(double x, double y) const {
    if (empty || !contains_env(env, x, y)) return false;
    auto b = static_cast<std::int64_t>(std::floor((y - band_y0) * band_inv_h));
    if (b < 0 || b >= static_cast<std::int64_t>(bands)) return false;
    bool inside = false;
    for (std::uint32_t i = band_start[static_cast<std::size_t>(b)], end = band_start[static_cast<std::size_t>(b) + 1];
         i < end; ++i) {
        const edge& e = band_edges[i];
        if (y < e.y0 || y >= e.y1) continue;
        if (x > std::max(e.x0, e.x1)) continue;  // edge entirely west of the point
        if (left_of(e.x0, e.y0, e.x1, e.y1, x, y)) inside = !inside;
    }
    return inside;
}

point_locator::point_locator(const unit_layer& layer)
    : point_locator([&] {
          std::vector<const GEOSGeometry*> g;
          g.reserve(layer.units.size());
          for (const auto& u : layer.units) g.push_back(u.geometry.get());
          return g;
      }()) {}

point_locator::point_locator(std::span<const GEOSGeometry* const> geometries) {
    GEOSContextHandle_t ctx = geos::thread_context().handle();
    polygons_.resize(geometries.size());
    bool first = true;
    std::vector<double> buf;
    std::vector<std::array<double, 4>> edges;
    for (std::size_t u = 0; u < geometries.size(); ++u) {
        prepared& p = polygons_[u];
        const GEOSGeometry* g = geometries[u];
        if (!g || geos::is_empty(g)) continue;
        edges.clear();
        for (const GEOSGeometry* poly : geos::polygons_of(g)) {
            ring_edges(ctx, GEOSGetExteriorRing_r(ctx, poly), buf, edges);
            int holes = GEOSGetNumInteriorRings_r(ctx, poly);
            for (int h = 0; h < holes; ++h) ring_edges(ctx, GEOSGetInteriorRingN_r(ctx, poly, h), buf, edges);
        }
        if (edges.empty()) continue;
        p.empty = false;
        p.env = geos::envelope_of(g);
        if (first) {
            extent_ = p.env;
            first = false;
        } else {
            extent_.expand(p.env);
        }
        // About 4 edges per band keeps the scan short without blowing up memory.
        double height = p.env.maxy - p.env.miny;
        p.bands = static_cast<std::uint32_t>(std::clamp<std::size_t>(edges.size() / 4, 1, 4096));
        p.band_y0 = p.env.miny;
        p.band_inv_h = height > 0 ? p.bands / height : 0;
        auto band_of = [&](double y) {
            auto b = static_cast<std::int64_t>(std::floor((y - p.band_y0) * p.band_inv_h));
            return static_cast<std::uint32_t>(std::clamp<std::int64_t>(b, 0, p.bands - 1));
        };
        std::vector<std::uint32_t> counts(p.bands + 1, 0);
        for (const auto& e : edges)
            for (std::uint32_t b = band_of(e[1]), last = band_of(e[3]); b <= last; ++b) ++counts[b + 1];
        std::partial_sum(counts.begin(), counts.end(), counts.begin());
        p.band_start = counts;
        p.band_edges.resize(counts.back());
        std::vector<std::uint32_t> fill(counts.begin(), counts.end() - 1);
        for (const auto& e : edges)
            for (std::uint32_t b = band_of(e[1]), last = band_of(e[3]); b <= last; ++b)
                p.band_edges[fill[b]++] = edge{e[0], e[1], e[2], e[3]};
    }
    build_tree();
}

// Sort-Tile-Recursive packing (Leutenegger et al. 1997): sort by x, cut into vertical
// slices, sort each slice by y, pack runs of node_capacity; repeat level by level.
void point_locator::build_tree() {
    struct item {
        geos::envelope env;
        std::uint32_t id;
    };
    auto cx = [](const item& i) { return i.env.minx + i.env.maxx; };
    auto cy = [](const item& i) { return i.env.miny + i.env.maxy; };
    auto pack = [&](std::vector<item> items, bool leaf) {
        std::vector<item> parents;
        if (items.empty()) return parents;
        std::size_t n = items.size();
        auto leaves = (n + node_capacity - 1) / node_capacity;
        auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(leaves))));
        std::size_t per_slice = slices * node_capacity;
        std::stable_sort(items.begin(), items.end(), [&](const item& a, const item& b) { return cx(a) < cx(b); });
        for (std::size_t s = 0; s < n; s += per_slice) {
            auto sb = items.begin() + static_cast<std::ptrdiff_t>(s);
            auto se = items.begin() + static_cast<std::ptrdiff_t>(std::min(n, s + per_slice));
            std::stable_sort(sb, se, [&](const item& a, const item& b) { return cy(a) < cy(b); });
            for (auto it = sb; it < se; it += std::min<std::ptrdiff_t>(node_capacity, se - it)) {
                auto end = it + std::min<std::ptrdiff_t>(node_capacity, se - it);
                node nd;
                nd.leaf = leaf;
                nd.count = static_cast<std::uint32_t>(end - it);
                nd.env = it->env;
                if (leaf) {
                    nd.first = static_cast<std::uint32_t>(entries_.size());
                    for (auto k = it; k != end; ++k) entries_.push_back(k->id);
                } else {
                    // Children were appended in the order of `items`; store them contiguously.
                    nd.first = static_cast<std::uint32_t>(nodes_.size());
                    for (auto k = it; k != end; ++k) nodes_.push_back(nodes_[k->id]);
                }
                for (auto k = it; k != end; ++k) nd.env.expand(k->env);
                parents.push_back(item{nd.env, static_cast<std::uint32_t>(nodes_.size())});
                nodes_.push_back(nd);
            }
        }
        return parents;
    };
    std::vector<item> items;
    for (std::uint32_t i = 0; i < polygons_.size(); ++i)
        if (!polygons_[i].empty) items.push_back(item{polygons_[i].env, i});
    auto level_items = pack(std::move(items), true);
    while (level_items.size() > 1) level_items = pack(std::move(level_items), false);
}

int point_locator::locate(double x, double y) const {
    if (nodes_.empty() || !contains_env(nodes_.back().env, x, y)) return -1;
    int best = -1;
    std::uint32_t stack[64];
    int top = 0;
    stack[top++] = static_cast<std::uint32_t>(nodes_.size() - 1);
    while (top > 0) {
        const node& nd = nodes_[stack[--top]];
        if (nd.leaf) {
            for (std::uint32_t k = nd.first; k < nd.first + nd.count; ++k) {
                auto id = static_cast<int>(entries_[k]);
                if ((best < 0 || id < best) && polygons_[static_cast<std::size_t>(id)].contains(x, y)) best = id;
            }
        } else {
            for (std::uint32_t k = nd.first; k < nd.first + nd.count; ++k)
                if (contains_env(nodes_[k].env, x, y) && top < 64) stack[top++] = k;
        }
    }
    return best;
}

std::vector<int> point_locator::locate_all(std::span<const lonlat> points, unsigned threads) const {
    std::vector<int> out(points.size(), -1);
    constexpr std::size_t chunk = 4096;
    std::size_t chunks = (points.size() + chunk - 1) / chunk;
    parallel_for(chunks, threads, [&](std::size_t c) {
        std::size_t end = std::min(points.size(), (c + 1) * chunk);
        for (std::size_t i = c * chunk; i < end; ++i) out[i] = locate(points[i].x, points[i].y);
    });
    return out;
}

}  // namespace microplan::geo
