#include "microplan/geo/territory/contiguity.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

#include "locator.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/parallel.hpp"

namespace microplan::geo {

namespace {

constexpr double km2 = 1e6;

bool is_administrative(level l) { return l == level::province || l == level::canton || l == level::parish; }

// Union-find over indices (path halving; the smaller root wins, so results do not depend on
// the order of the unions).
class disjoint_sets {
public:
    explicit disjoint_sets(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
    std::size_t find(std::size_t i) {
        while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
        return i;
    }
    void join(std::size_t a, std::size_t b) {
        a = find(a), b = find(b);
        if (a != b) parent_[std::max(a, b)] = std::min(a, b);
    }

private:
    std::vector<std::size_t> parent_;
};

bool near(const geos::envelope& a, const geos::envelope& b, double d) {
    return a.minx - d <= b.maxx && b.minx - d <= a.maxx && a.miny - d <= b.maxy && b.miny - d <= a.maxy;
}

// Whether two parts lie within `d` of each other, `a` prepared: parts that share a border meet
// (an indexed test), the others are measured facet to facet through an index (GEOS's
// DistanceWithin compares every pair of segments, which dominated the check on large parts).
// GEOS answers 2 on failure: a failure is read as touching, so that a GEOS problem never
// invents a split territory.
bool within_distance(const GEOSPreparedGeometry* a_prepared, const GEOSGeometry* a, const GEOSGeometry* b, double d) {
    GEOSContextHandle_t h = geos::thread_context().handle();
    char meets = GEOSPreparedIntersects_r(h, a_prepared, b);
    if (meets != 0) return true;  // 1, or 2: a failure is read as touching
    double distance = 0;
    return GEOSDistanceIndexed_r(h, a, b, &distance) != 1 || distance <= d;
}

// The polygons of every unit of a layer, which touch, and the landmass of each.
struct layer_parts {
    std::vector<std::size_t> unit;                              // per part
    std::vector<const GEOSGeometry*> polygon;                   // per part, borrowed from the layer
    std::vector<geos::envelope> env;                            // per part
    std::vector<std::vector<std::size_t>> of_unit;              // part indices per unit
    std::vector<std::pair<std::size_t, std::size_t>> touching;  // pairs of parts
    std::vector<std::size_t> landmass;                          // per part: the smallest part index of its landmass
};

layer_parts parts_of(const unit_layer& layer, const validation_options& opt) {
    layer_parts lp;
    lp.of_unit.resize(layer.units.size());
    for (std::size_t u = 0; u < layer.units.size(); ++u)
        for (const GEOSGeometry* p : geos::polygons_of(layer.units[u].projected.get())) {
            lp.of_unit[u].push_back(lp.unit.size());
            lp.unit.push_back(u);
            lp.polygon.push_back(p);
            lp.env.push_back(geos::envelope_of(p));
        }
    // Candidate pairs by a sweep over the boxes' west edges.
    std::vector<std::size_t> order(lp.unit.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return lp.env[a].minx < lp.env[b].minx; });
    std::vector<std::pair<std::size_t, std::size_t>> candidates;
    for (std::size_t i = 0; i < order.size(); ++i)
        for (std::size_t j = i + 1; j < order.size() && lp.env[order[j]].minx <= lp.env[order[i]].maxx + opt.touch_m;
             ++j)
            if (near(lp.env[order[i]], lp.env[order[j]], opt.touch_m))
                candidates.emplace_back(std::min(order[i], order[j]), std::max(order[i], order[j]));
    std::sort(candidates.begin(), candidates.end());
    // Pairs grouped by their first part, which is prepared once per group (its edges indexed for
    // the intersection test); one group per task, as a prepared geometry is not shared between
    // threads.
    std::vector<std::size_t> group_start;
    for (std::size_t c = 0; c < candidates.size(); ++c)
        if (c == 0 || candidates[c].first != candidates[c - 1].first) group_start.push_back(c);
    group_start.push_back(candidates.size());
    std::vector<char> touches(candidates.size(), 0);
    parallel_for(group_start.size() - 1, opt.threads, [&](std::size_t g) {
        const GEOSGeometry* first = lp.polygon[candidates[group_start[g]].first];
        geos::prepared_ptr prepared = geos::prepare(first);
        for (std::size_t c = group_start[g]; c < group_start[g + 1]; ++c)
            touches[c] = within_distance(prepared.get(), first, lp.polygon[candidates[c].second], opt.touch_m);
    });
    disjoint_sets land(lp.unit.size());
    for (std::size_t c = 0; c < candidates.size(); ++c)
        if (touches[c]) {
            lp.touching.push_back(candidates[c]);
            land.join(candidates[c].first, candidates[c].second);
        }
    for (std::size_t p = 0; p < lp.unit.size(); ++p) lp.landmass.push_back(land.find(p));
    return lp;
}

// The pieces of each unit: parts joined when they touch.
disjoint_sets pieces_by_touch(const layer_parts& lp) {
    disjoint_sets pieces(lp.unit.size());
    for (const auto& [a, b] : lp.touching)
        if (lp.unit[a] == lp.unit[b]) pieces.join(a, b);
    return pieces;
}

// Per unit: is it in several pieces on one landmass?
bool split_on_a_landmass(const layer_parts& lp, disjoint_sets& pieces, std::size_t u) {
    std::map<std::size_t, std::set<std::size_t>> by_land;
    for (std::size_t p : lp.of_unit[u]) by_land[lp.landmass[p]].insert(pieces.find(p));
    for (const auto& [land, roots] : by_land)
        if (roots.size() > 1) return true;
    return false;
}

// The administrative units in several pieces on one landmass (legal exclaves), from the
// administrative layers finer than `lvl` (all of them for a planning level).
std::vector<const unit*> exclave_units(level lvl, std::span<const unit_layer* const> administrative,
                                       const validation_options& opt) {
    std::vector<const unit*> out;
    for (const unit_layer* a : administrative) {
        if (is_administrative(lvl)) {
            bool finer = false;
            for (auto c = child_level(lvl); c && !finer; c = child_level(*c)) finer = *c == a->lvl;
            if (!finer) continue;
        }
        bool any_multi = false;
        for (const unit& u : a->units) any_multi = any_multi || geos::polygons_of(u.projected.get()).size() > 1;
        if (!any_multi) continue;
        layer_parts lp = parts_of(*a, opt);
        disjoint_sets pieces = pieces_by_touch(lp);
        // Undelimited areas (DPA 90...) are disputed land, not one unit's exclave.
        for (std::size_t u = 0; u < a->units.size(); ++u)
            if (!a->units[u].code.starts_with("90") && split_on_a_landmass(lp, pieces, u)) out.push_back(&a->units[u]);
    }
    return out;
}

// The administrative units the law splits across zones (declared exceptions): what is left of
// them in a zone may be in pieces (Pichincha outside the Metropolitan District of Quito).
void add_declared_exceptions(std::span<const unit_layer* const> administrative, const validation_options& opt,
                             std::vector<const unit*>& joiners) {
    for (const unit_layer* a : administrative)
        for (const unit& u : a->units)
            if (opt.split_allowed.count(u.code)) joiners.push_back(&u);
}

// Whether the shortest line between parts a and b of unit `u` crosses no other unit of the
// layer: they face each other across water (a river, an estuary) or land outside the data (an
// undelimited area), not across a neighbour.
bool facing_across_nothing(const unit_layer& layer, std::size_t u, const GEOSGeometry* a, const GEOSGeometry* b) {
    GEOSContextHandle_t h = geos::thread_context().handle();
    GEOSCoordSequence* pts = GEOSNearestPoints_r(h, a, b);
    if (!pts) return false;
    geos::geom_ptr line = geos::own(GEOSGeom_createLineString_r(h, pts));
    const geos::envelope le = geos::envelope_of(line.get());
    for (std::size_t o = 0; o < layer.units.size(); ++o) {
        if (o == u || !layer.units[o].projected || !near(le, geos::envelope_of(layer.units[o].projected.get()), 0))
            continue;
        // The line's interior meets the other unit, inside or along its border (a line running
        // along a neighbour's border between the two parts does not cross water).
        const GEOSGeometry* other = layer.units[o].projected.get();
        if (GEOSRelatePattern_r(h, line.get(), other, "T********") != 0 ||
            GEOSRelatePattern_r(h, line.get(), other, "*T*******") != 0)
            return false;
    }
    return true;
}

// Joins the pieces of unit `u` on one landmass that face each other across nothing.
void join_across_water(const unit_layer& layer, const layer_parts& lp, disjoint_sets& pieces, std::size_t u) {
    const auto& parts = lp.of_unit[u];
    for (std::size_t i = 0; i < parts.size(); ++i)
        for (std::size_t j = i + 1; j < parts.size(); ++j) {
            std::size_t a = parts[i], b = parts[j];
            if (lp.landmass[a] != lp.landmass[b] || pieces.find(a) == pieces.find(b)) continue;
            if (facing_across_nothing(layer, u, lp.polygon[a], lp.polygon[b])) pieces.join(a, b);
        }
}

std::string km2_text(double m2) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f km²", m2 / km2);
    return buf;
}

// One finding per landmass on which unit `u` is in several pieces, the exclaves' joins applied.
void report_unit(const unit_layer& layer, const layer_parts& lp, disjoint_sets& pieces, std::size_t u,
                 const std::vector<const unit*>& exclaves, const validation_options& opt, findings& out) {
    const unit& un = layer.units[u];
    const geos::envelope ue = geos::envelope_of(un.projected.get());
    for (const unit* e : exclaves) {
        if (!near(ue, geos::envelope_of(e->projected.get()), 0)) continue;
        std::vector<std::size_t> held;
        for (std::size_t p : lp.of_unit[u])
            if (near(lp.env[p], geos::envelope_of(e->projected.get()), 0) &&
                geos::area(geos::intersection(lp.polygon[p], e->projected.get()).get()) > opt.sliver_km2 * km2)
                held.push_back(p);
        std::map<std::size_t, std::size_t> first_on_land;  // landmass -> first held part on it
        for (std::size_t p : held)
            if (auto [it, fresh] = first_on_land.emplace(lp.landmass[p], p); !fresh) pieces.join(it->second, p);
    }
    join_across_water(layer, lp, pieces, u);
    std::map<std::size_t, std::map<std::size_t, std::vector<std::size_t>>> by_land;  // land -> piece -> parts
    for (std::size_t p : lp.of_unit[u]) by_land[lp.landmass[p]][pieces.find(p)].push_back(p);
    const detail::locator loc{opt.analysis_crs};
    const bool planning = !is_administrative(layer.lvl);
    for (const auto& [land, by_piece] : by_land) {
        if (by_piece.size() < 2) continue;
        std::vector<std::pair<double, std::size_t>> sizes;  // area, first part
        for (const auto& [root, parts] : by_piece) {
            double a = 0;
            for (std::size_t p : parts) a += geos::area(lp.polygon[p]);
            sizes.emplace_back(a, parts.front());
        }
        // Pieces smaller than a sliver are below the data's precision, as gaps and overlaps are.
        std::erase_if(sizes, [&](const auto& x) { return x.first < opt.sliver_km2 * km2; });
        if (sizes.size() < 2) continue;
        std::sort(sizes.begin(), sizes.end(), [](const auto& x, const auto& y) {
            return x.first != y.first ? x.first > y.first : x.second < y.second;
        });
        std::string list;
        for (const auto& [a, p] : sizes) list += (list.empty() ? "" : ", ") + km2_text(a);
        std::string msg =
            "is " + std::to_string(sizes.size()) + " separate pieces on one landmass, islands aside (" + list + ")";
        msg += planning ? ": a " + std::string(level_name(layer.lvl)) + " must be one territory"
                        : ": a legal exclave, kept as the law draws it";
        finding f{planning ? severity::error : severity::info,
                  planning ? "territory.not_contiguous" : "territory.exclave",
                  layer.lvl,
                  un.code,
                  un.source_fid,
                  msg,
                  std::nullopt,
                  std::nullopt,
                  sizes[1].first / km2};
        loc.place(f, lp.polygon[sizes[1].second]);
        out.add(std::move(f));
    }
}

}  // namespace

findings check_one_territory(const unit_layer& layer, std::span<const unit_layer* const> administrative,
                             const validation_options& opt) {
    findings out;
    std::vector<std::size_t> multi;
    for (std::size_t u = 0; u < layer.units.size(); ++u)
        if (layer.units[u].projected && geos::polygons_of(layer.units[u].projected.get()).size() > 1)
            multi.push_back(u);
    if (multi.empty()) return out;
    layer_parts lp = parts_of(layer, opt);
    disjoint_sets pieces = pieces_by_touch(lp);
    std::vector<std::size_t> split;
    for (std::size_t u : multi)
        if (split_on_a_landmass(lp, pieces, u)) split.push_back(u);
    if (split.empty()) return out;
    std::vector<const unit*> exclaves = exclave_units(layer.lvl, administrative, opt);
    if (!is_administrative(layer.lvl)) add_declared_exceptions(administrative, opt, exclaves);
    for (std::size_t u : split) report_unit(layer, lp, pieces, u, exclaves, opt, out);
    return out;
}

findings check_split_across_zones(const unit_layer& grouping, const unit_layer& zones, const validation_options& opt) {
    std::vector<geos::envelope> zenv;
    for (const unit& z : zones.units) zenv.push_back(geos::envelope_of(z.projected.get()));
    std::vector<std::vector<std::pair<double, std::size_t>>> shares(grouping.units.size());
    parallel_for(grouping.units.size(), opt.threads, [&](std::size_t g) {
        const unit& u = grouping.units[g];
        if (!u.projected || opt.split_allowed.count(u.code)) return;
        const double area = geos::area(u.projected.get());
        if (area <= 0) return;
        const geos::envelope ge = geos::envelope_of(u.projected.get());
        for (std::size_t z = 0; z < zones.units.size(); ++z) {
            if (!near(ge, zenv[z], 0)) continue;
            double s = geos::area(geos::intersection(u.projected.get(), zones.units[z].projected.get()).get()) / area;
            if (s > 1.0 - opt.nesting_share) shares[g].emplace_back(s, z);
        }
    });
    findings out;
    for (std::size_t g = 0; g < grouping.units.size(); ++g) {
        if (shares[g].size() < 2) continue;
        std::sort(shares[g].rbegin(), shares[g].rend());
        std::string list;
        for (const auto& [s, z] : shares[g]) {
            char pct[32];
            std::snprintf(pct, sizeof pct, " (%.1f%%)", s * 100);
            list += (list.empty() ? "" : ", ") + zones.units[z].code + pct;
        }
        const unit& u = grouping.units[g];
        out.add({severity::warning, "hierarchy.split_across_zones", grouping.lvl, u.code, u.source_fid,
                 "is split across zones " + list + " and is not a declared legal exception", std::nullopt, std::nullopt,
                 std::nullopt});
    }
    return out;
}

}  // namespace microplan::geo
