#include <algorithm>
#include <map>
#include <numbers>
#include <set>

#include "microplan/geo/design/units.hpp"
#include "transforms.hpp"

namespace microplan::geo::design {

using detail::make_box;
using detail::thread_transformer;

geos::geom_ptr pieces_geometry(const piece_graph& graph, const unit_layer& atoms,
                               std::span<const std::uint32_t> pieces) {
    auto h = geos::thread_context().handle();
    std::map<std::uint32_t, std::vector<std::int32_t>> by_atom;
    for (std::uint32_t p : pieces) by_atom[graph.pieces()[p].atom].push_back(graph.pieces()[p].sub);
    std::vector<geos::geom_ptr> parts;
    for (auto& [atom, subs] : by_atom) {
        const unit& u = atoms.units[atom];
        if (!graph.is_split(atom) || subs.size() == graph.subs(atom).size()) {
            parts.push_back(geos::clone(u.geometry.get()));
            continue;
        }
        // Runs of sub-cells along each row become one rectangle.
        const auto& sc = graph.subs(atom);
        std::sort(subs.begin(), subs.end(),
                  [&](auto a, auto b) { return std::pair(sc[a].row, sc[a].col) < std::pair(sc[b].row, sc[b].col); });
        std::vector<geos::geom_ptr> boxes;
        for (std::size_t i = 0; i < subs.size();) {
            std::size_t j = i + 1;
            while (j < subs.size() && sc[subs[j]].row == sc[subs[i]].row && sc[subs[j]].col == sc[subs[j - 1]].col + 1)
                ++j;
            boxes.push_back(make_box(sc[subs[i]].minx, sc[subs[i]].miny, sc[subs[j - 1]].maxx, sc[subs[i]].maxy));
            i = j;
        }
        std::vector<const GEOSGeometry*> ptrs;
        for (auto& b : boxes) ptrs.push_back(b.get());
        geos::geom_ptr merged = geos::unary_union(ptrs);
        geos::geom_ptr lonlat = thread_transformer(graph.sub_crs(atom), "EPSG:4326").forward(merged.get());
        if (!lonlat) continue;
        parts.push_back(geos::intersection(lonlat.get(), u.geometry.get()));
    }
    std::vector<const GEOSGeometry*> ptrs;
    for (auto& p : parts)
        if (p) ptrs.push_back(p.get());
    if (ptrs.empty()) return geos::own(GEOSGeom_createEmptyPolygon_r(h));
    return geos::valid_polygonal(
        geos::polygonal_parts_as_multipolygon(ptrs.size() == 1 ? ptrs.front() : geos::unary_union(ptrs).get()));
}

unit_report report_of(const unit& u, double population, double target) {
    unit_report r;
    r.lvl = u.lvl;
    r.code = u.code;
    r.name = u.name;
    r.parent = u.parent_code;
    r.population = population;
    r.target = target;
    r.deviation = target > 0 ? population / target - 1 : 0;
    r.polsby_popper = polsby_popper(u.area_km2, u.perimeter_km);
    r.area_km2 = u.area_km2;
    r.parts = u.geometry ? static_cast<int>(geos::polygons_of(u.geometry.get()).size()) : 0;
    return r;
}

std::vector<std::string> split_codes(const piece_graph& graph, const unit_layer& atoms,
                                     std::span<const std::uint32_t> pieces,
                                     const std::function<bool(std::uint32_t)>& shared) {
    std::set<std::uint32_t> split;
    for (std::uint32_t p : pieces)
        if (graph.pieces()[p].sub >= 0 && shared(graph.pieces()[p].atom)) split.insert(graph.pieces()[p].atom);
    std::vector<std::string> out;
    for (std::uint32_t a : split) out.push_back(atoms.units[a].code);
    return out;
}

void measure_unit(unit& u, const std::string& analysis_crs) {
    u.geometry = geos::valid_polygonal(std::move(u.geometry));
    const auto& t = thread_transformer("EPSG:4326", analysis_crs);
    u.projected = geos::valid_polygonal(t.forward(u.geometry.get()));
    u.area_km2 = u.projected ? geos::area(u.projected.get()) / 1e6 : 0;
    u.perimeter_km = u.projected ? geos::length(u.projected.get()) / 1e3 : 0;
}

double polsby_popper(double area, double perimeter) {
    return perimeter > 0 ? 4 * std::numbers::pi * area / (perimeter * perimeter) : 0;
}

}  // namespace microplan::geo::design
