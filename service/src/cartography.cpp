#include "microplan/service/cartography.hpp"

#include <algorithm>
#include <cmath>

#include "microplan/geo/core/geos.hpp"

namespace microplan::service {

namespace {

// Twice the signed area of a ring (shoelace).
double ring_area2(const tiles::ring& r) {
    double a = 0;
    for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) a += (r[j].x + r[i].x) * (r[j].y - r[i].y);
    return std::abs(a);
}

double polygon_area(const tiles::polygon& p) {
    double a = 0;
    for (std::size_t i = 0; i < p.rings.size(); ++i) a += (i == 0 ? 1 : -1) * ring_area2(p.rings[i]) / 2;
    return a;
}

geo::geos::geom_ptr to_geos(const tiles::polygon& p) {
    GEOSContextHandle_t h = geo::geos::thread_context().handle();
    std::vector<GEOSGeometry*> rings;
    for (const tiles::ring& r : p.rings) {
        GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(r.size() + 1), 2);
        for (std::size_t i = 0; i <= r.size(); ++i) {
            const tiles::point& q = r[i % r.size()];
            GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(i), q.x, q.y);
        }
        rings.push_back(GEOSGeom_createLinearRing_r(h, seq));
    }
    std::vector<GEOSGeometry*> holes(rings.begin() + 1, rings.end());
    return geo::geos::own(GEOSGeom_createPolygon_r(h, rings[0], holes.data(), static_cast<unsigned>(holes.size())));
}

tiles::box box_of(const tiles::polygon& p) {
    tiles::box b;
    if (!p.rings.empty())
        for (const auto& q : p.rings[0]) b.extend(q);
    return b;
}

double gap(const tiles::box& a, const tiles::box& b) {
    double dx = std::max({0.0, a.minx - b.maxx, b.minx - a.maxx});
    double dy = std::max({0.0, a.miny - b.maxy, b.miny - a.maxy});
    return std::max(dx, dy);
}

}  // namespace

std::optional<tiles::point> label_point(const tiles::multipolygon& mercator) {
    const tiles::polygon* largest = nullptr;
    double most = 0;
    for (const auto& p : mercator) {
        if (p.rings.empty() || p.rings[0].size() < 3) continue;
        double a = polygon_area(p);
        if (!largest || a > most) largest = &p, most = a;
    }
    if (!largest) return std::nullopt;
    for (const auto& r : largest->rings)
        if (r.size() < 3) return std::nullopt;
    GEOSContextHandle_t h = geo::geos::thread_context().handle();
    geo::geos::geom_ptr poly = to_geos(*largest);
    const double tolerance = std::max(1.0, std::sqrt(std::max(most, 0.0)) / 100);
    geo::geos::geom_ptr circle =
        poly ? geo::geos::own(GEOSMaximumInscribedCircle_r(h, poly.get(), tolerance)) : nullptr;
    const GEOSCoordSequence* seq = circle ? GEOSGeom_getCoordSeq_r(h, circle.get()) : nullptr;
    tiles::point c;
    if (!seq || !GEOSCoordSeq_getXY_r(h, seq, 0, &c.x, &c.y)) {
        // GEOS failed on this polygon: its first vertex is at least on it.
        return largest->rings[0][0];
    }
    return c;
}

std::vector<map_view> map_views(const std::vector<tiles::multipolygon>& units,
                                const std::vector<std::pair<std::string, tiles::box>>& named) {
    struct part {
        tiles::box b;
        double area;
        int view = -1;
    };
    std::vector<part> parts;
    for (const auto& u : units)
        for (const auto& p : u) {
            tiles::box b = box_of(p);
            if (!b.empty()) parts.push_back({b, polygon_area(p)});
        }
    std::vector<map_view> views;
    if (parts.empty()) return views;
    // Each view grows from the largest part left, taking every part within `reach` of it.
    double reach = 0;
    for (int v = 0;; ++v) {
        auto seed = std::max_element(parts.begin(), parts.end(), [](const part& a, const part& b) {
            return (a.view >= 0 ? -1 : a.area) < (b.view >= 0 ? -1 : b.area);
        });
        if (seed->view >= 0) break;
        if (v == 0) reach = 0.25 * std::max(seed->b.maxx - seed->b.minx, seed->b.maxy - seed->b.miny);
        map_view view{v == 0 ? "main" : "outlying-" + std::to_string(v), seed->b, {}};
        seed->view = v;
        for (bool grew = true; grew;) {
            grew = false;
            for (auto& p : parts)
                if (p.view < 0 && gap(p.b, view.bounds) <= reach) p.view = v, view.bounds.extend(p.b), grew = true;
        }
        // Outlying groups gather what lies within a quarter of the mainland's size.
        if (v == 0) reach = 0.25 * std::max(view.bounds.maxx - view.bounds.minx, view.bounds.maxy - view.bounds.miny);
        views.push_back(std::move(view));
    }
    for (std::size_t v = 1; v < views.size(); ++v)
        for (const auto& [name, b] : named)
            if (b.minx >= views[v].bounds.minx && b.maxx <= views[v].bounds.maxx && b.miny >= views[v].bounds.miny &&
                b.maxy <= views[v].bounds.maxy && !name.empty())
                views[v].names.push_back(name);
    return views;
}

}  // namespace microplan::service
