#include "microplan/tiles/coverage_topology.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <unordered_map>

namespace microplan::tiles {

namespace {

struct point_hash {
    std::size_t operator()(const point& p) const noexcept {
        std::uint64_t h = std::bit_cast<std::uint64_t>(p.x) * 0x9E3779B97F4A7C15ull;
        h ^= std::bit_cast<std::uint64_t>(p.y) + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
        return static_cast<std::size_t>(h ^ (h >> 31));
    }
};

bool point_less(const point& a, const point& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); }

// Rings without the closing vertex, consecutive duplicates and signed zeros.
ring clean(const ring& in) {
    ring out;
    out.reserve(in.size());
    for (point p : in) {
        // Unusable rings (found by fuzzing): NaN, or coordinates beyond twice the Web Mercator
        // world, whose tile pixels would overflow 32 bits at high zooms.
        if (!(std::abs(p.x) <= 2 * half_world) || !(std::abs(p.y) <= 2 * half_world)) return {};
        if (p.x == 0) p.x = 0;  // -0.0 and 0.0 must hash alike
        if (p.y == 0) p.y = 0;
        if (out.empty() || !(out.back() == p)) out.push_back(p);
    }
    while (out.size() > 1 && out.front() == out.back()) out.pop_back();
    if (out.size() < 3) out.clear();
    return out;
}

// True when the arc read backwards sorts before the arc read forwards.
bool reversed_is_smaller(std::span<const point> a) {
    for (std::size_t i = 0, j = a.size() - 1; i < a.size(); ++i, --j) {
        if (point_less(a[j], a[i])) return true;
        if (point_less(a[i], a[j])) return false;
    }
    return false;
}

std::uint64_t sequence_hash(std::span<const point> a, bool reversed) {
    std::uint64_t h = 1469598103934665603ull;
    point_hash ph;
    for (std::size_t k = 0; k < a.size(); ++k) {
        const point& p = reversed ? a[a.size() - 1 - k] : a[k];
        h = (h ^ ph(p)) * 1099511628211ull;
    }
    return h;
}

double segment_distance2(const point& p, const point& a, const point& b) {
    double dx = b.x - a.x, dy = b.y - a.y;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
    return ex * ex + ey * ey;
}

// Douglas–Peucker between first and last (inclusive), marking kept vertices.
void douglas_peucker(std::span<const point> pts, std::size_t first, std::size_t last, double tol2,
                     std::vector<char>& keep, std::vector<std::pair<std::size_t, std::size_t>>& stack) {
    stack.clear();
    stack.emplace_back(first, last);
    while (!stack.empty()) {
        auto [a, b] = stack.back();
        stack.pop_back();
        if (b <= a + 1) continue;
        double best = -1;
        std::size_t at = a;
        for (std::size_t i = a + 1; i < b; ++i) {
            double d = segment_distance2(pts[i], pts[a], pts[b]);
            if (d > best) best = d, at = i;
        }
        if (best > tol2) {
            keep[at] = 1;
            stack.emplace_back(a, at);
            stack.emplace_back(at, b);
        }
    }
}

}  // namespace

coverage_topology::coverage_topology(std::span<const multipolygon> features) {
    // Clean rings, keeping the polygon structure.
    std::vector<std::vector<std::vector<ring>>> cleaned(features.size());
    std::size_t total = 0;
    for (std::size_t f = 0; f < features.size(); ++f) {
        for (const polygon& poly : features[f]) {
            std::vector<ring> rings;
            for (std::size_t r = 0; r < poly.rings.size(); ++r) {
                ring c = clean(poly.rings[r]);
                if (c.empty()) {
                    if (r == 0) break;  // no exterior, no polygon
                    continue;
                }
                total += c.size();
                rings.push_back(std::move(c));
            }
            if (!rings.empty()) cleaned[f].push_back(std::move(rings));
        }
    }
    vertex_count_ = total;

    // Junctions: vertices whose rings disagree on their two neighbours.
    struct visit {
        point prev, next;
        bool junction = false;
    };
    std::unordered_map<point, visit, point_hash> seen;
    seen.reserve(total);
    for (const auto& feature : cleaned)
        for (const auto& poly : feature)
            for (const ring& r : poly) {
                std::size_t n = r.size();
                for (std::size_t i = 0; i < n; ++i) {
                    const point& prev = r[(i + n - 1) % n];
                    const point& next = r[(i + 1) % n];
                    auto [it, inserted] = seen.try_emplace(r[i], visit{prev, next, false});
                    visit& v = it->second;
                    if (!inserted && !v.junction &&
                        !((v.prev == prev && v.next == next) || (v.prev == next && v.next == prev)))
                        v.junction = true;
                }
            }

    // Cut rings at junctions; store each distinct arc once, in its canonical direction.
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> by_hash;
    std::vector<point> piece;
    auto add_arc = [&](std::span<const point> a) {
        bool rev = reversed_is_smaller(a);
        std::uint64_t h = sequence_hash(a, rev);
        auto& candidates = by_hash[h];
        for (std::uint32_t id : candidates) {
            std::span<const point> b(arc_points_.data() + arc_start_[id], arc_start_[id + 1] - arc_start_[id]);
            if (b.size() != a.size()) continue;
            bool same = true;
            for (std::size_t k = 0; k < a.size() && same; ++k) same = b[k] == (rev ? a[a.size() - 1 - k] : a[k]);
            if (same) {
                refs_.push_back({id, rev});
                return;
            }
        }
        auto id = static_cast<std::uint32_t>(arc_start_.size() - 1);
        if (rev)
            arc_points_.insert(arc_points_.end(), a.rbegin(), a.rend());
        else
            arc_points_.insert(arc_points_.end(), a.begin(), a.end());
        arc_start_.push_back(static_cast<std::uint32_t>(arc_points_.size()));
        candidates.push_back(id);
        refs_.push_back({id, rev});
    };

    std::vector<std::size_t> junctions;
    for (const auto& feature : cleaned) {
        feature_refs fr{static_cast<std::uint32_t>(polygons_.size()), 0, {}};
        for (const auto& poly : feature) {
            polygon_refs pr{static_cast<std::uint32_t>(rings_.size()), 0};
            for (const ring& r : poly) {
                ring_refs rr{static_cast<std::uint32_t>(refs_.size()), 0, {}};
                for (const point& p : r) rr.bounds.extend(p);
                std::size_t n = r.size();
                junctions.clear();
                for (std::size_t i = 0; i < n; ++i)
                    if (seen.find(r[i])->second.junction) junctions.push_back(i);
                if (junctions.empty()) {
                    // A ring that touches no other: start at its smallest vertex, so that the
                    // same ring met again (an island and the hole around it) cuts the same way.
                    std::size_t m = 0;
                    for (std::size_t i = 1; i < n; ++i)
                        if (point_less(r[i], r[m])) m = i;
                    junctions.push_back(m);
                }
                for (std::size_t k = 0; k < junctions.size(); ++k) {
                    std::size_t from = junctions[k];
                    std::size_t to = k + 1 < junctions.size() ? junctions[k + 1] : junctions[0] + n;
                    piece.clear();
                    for (std::size_t i = from; i <= to; ++i) piece.push_back(r[i % n]);
                    add_arc(piece);
                }
                rr.ref_count = static_cast<std::uint32_t>(refs_.size() - rr.first_ref);
                fr.bounds.extend(rr.bounds);
                rings_.push_back(rr);
                ++pr.ring_count;
            }
            polygons_.push_back(pr);
            ++fr.polygon_count;
        }
        features_.push_back(fr);
    }
}

const coverage_topology::zoom_arcs& coverage_topology::arcs_at(std::uint32_t z) const {
    zoom_arcs& za = zooms_[std::min(z, max_zoom)];
    std::call_once(za.once, [&] { build_zoom(za, std::min(z, max_zoom)); });
    return za;
}

void coverage_topology::build_zoom(zoom_arcs& out, std::uint32_t z) const {
    const double size = pixel_size(z);
    const double tol = tolerance_px * size;
    std::vector<char> keep;
    std::vector<std::pair<std::size_t, std::size_t>> stack;
    out.start.reserve(arc_start_.size());
    out.start.push_back(0);
    for (std::size_t a = 0; a + 1 < arc_start_.size(); ++a) {
        std::span<const point> pts(arc_points_.data() + arc_start_[a], arc_start_[a + 1] - arc_start_[a]);
        keep.assign(pts.size(), 0);
        keep.front() = keep.back() = 1;
        std::size_t last = pts.size() - 1;
        if (pts.front() == pts.back() && last >= 2) {
            // A closed arc: keep the vertex farthest from its start too, and simplify both halves.
            std::size_t far = 1;
            double best = -1;
            for (std::size_t i = 1; i < last; ++i) {
                double dx = pts[i].x - pts[0].x, dy = pts[i].y - pts[0].y;
                if (dx * dx + dy * dy > best) best = dx * dx + dy * dy, far = i;
            }
            keep[far] = 1;
            douglas_peucker(pts, 0, far, tol * tol, keep, stack);
            douglas_peucker(pts, far, last, tol * tol, keep, stack);
        } else {
            douglas_peucker(pts, 0, last, tol * tol, keep, stack);
        }
        for (std::size_t i = 0; i < pts.size(); ++i) {
            if (!keep[i]) continue;
            pixel px = to_pixel(pts[i], size);
            if (out.points.size() == out.start.back() || !(out.points.back() == px)) out.points.push_back(px);
        }
        out.start.push_back(static_cast<std::uint32_t>(out.points.size()));
    }
}

void coverage_topology::assemble(const zoom_arcs& arcs, std::span<const arc_ref> refs, std::vector<pixel>& out) {
    out.clear();
    for (const arc_ref& ref : refs) {
        const pixel* first = arcs.points.data() + arcs.start[ref.arc];
        const pixel* last = arcs.points.data() + arcs.start[ref.arc + 1];
        auto push = [&out](const pixel& p) {
            if (out.empty() || !(out.back() == p)) out.push_back(p);
        };
        if (ref.reversed)
            for (const pixel* p = last; p != first;) push(*--p);
        else
            for (const pixel* p = first; p != last; ++p) push(*p);
    }
    while (out.size() > 1 && out.front() == out.back()) out.pop_back();
}

}  // namespace microplan::tiles
