#include "microplan/geo/territory/validate.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_map>

#include "locator.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/territory/contiguity.hpp"

namespace microplan::geo {

namespace {

using detail::locator;
constexpr double km2 = 1e6;

bool boxes_meet(const geos::envelope& a, const geos::envelope& b) {
    return a.minx <= b.maxx && b.minx <= a.maxx && a.miny <= b.maxy && b.miny <= a.maxy;
}

// Pieces of a polygonal geometry larger than `min_m2`, each with its area.
std::vector<std::pair<geos::geom_ptr, double>> pieces_above(const GEOSGeometry* g, double min_m2) {
    std::vector<std::pair<geos::geom_ptr, double>> out;
    geos::geom_ptr polys = geos::polygonal_parts_as_multipolygon(g);
    for (const GEOSGeometry* p : geos::polygons_of(polys.get())) {
        double a = geos::area(p);
        if (a >= min_m2) out.emplace_back(geos::clone(p), a);
    }
    return out;
}

void check_codes(const unit_layer& layer, findings& out) {
    std::map<std::string, int> seen;
    for (const unit& u : layer.units) {
        if (!code_is_well_formed(layer.lvl, u.code))
            out.add({severity::error, "code.malformed", layer.lvl, u.code, u.source_fid,
                     "the code does not have the shape of a " + std::string(level_name(layer.lvl)) + " code (" +
                         std::string(code_shape(layer.lvl)) + ")",
                     std::nullopt, std::nullopt, std::nullopt});
        if (++seen[u.code] == 2)
            out.add({severity::error, "code.duplicate", layer.lvl, u.code, u.source_fid, "two units share this code",
                     std::nullopt, std::nullopt, std::nullopt});
        // DPA codes 90xx are areas whose canton/province is in dispute (zonas no delimitadas).
        if ((layer.lvl == level::province || layer.lvl == level::canton || layer.lvl == level::parish) &&
            u.code.starts_with("90"))
            out.add({severity::info, "territory.undelimited", layer.lvl, u.code, u.source_fid,
                     "undelimited zone (zona no delimitada" + (u.name.empty() ? std::string{} : ": " + u.name) +
                         "): belongs to no province yet",
                     std::nullopt, std::nullopt, std::nullopt});
    }
}

// Union of many polygons, split in two halves on two threads when there are many.
geos::geom_ptr union_of(std::vector<const GEOSGeometry*> parts, unsigned threads) {
    if (parts.size() < 64 || threads == 1) return geos::unary_union(parts);
    std::size_t half = parts.size() / 2;
    std::vector<const GEOSGeometry*> left(parts.begin(), parts.begin() + static_cast<long>(half));
    std::vector<const GEOSGeometry*> right(parts.begin() + static_cast<long>(half), parts.end());
    geos::geom_ptr halves[2];
    parallel_for(2, 2, [&](std::size_t i) { halves[i] = geos::unary_union(i == 0 ? left : right); });
    const GEOSGeometry* both[] = {halves[0].get(), halves[1].get()};
    return geos::unary_union(both);
}

// Siblings grouped by parent (or all together at the top level), with the union of each
// group: it gives gaps (holes, or parent minus union) and, by area, whether any overlap
// exists at all, so that pairwise intersections run only where they find something.
struct sibling_group {
    std::string parent;                // "" at the top level
    std::vector<std::size_t> members;  // indices into the layer
    geos::geom_ptr cover;              // union of the members
    double overlap_m2 = 0;             // sum of areas minus area of the union
};

std::vector<sibling_group> group_siblings(const unit_layer& layer, const std::vector<std::string>& parent_of,
                                          unsigned threads) {
    std::map<std::string, sibling_group> by_parent;
    for (std::size_t i = 0; i < layer.units.size(); ++i) {
        auto& g = by_parent[parent_of.empty() ? std::string{} : parent_of[i]];
        g.parent = parent_of.empty() ? std::string{} : parent_of[i];
        g.members.push_back(i);
    }
    std::vector<sibling_group> groups;
    for (auto& [k, g] : by_parent) groups.push_back(std::move(g));
    auto build = [&](sibling_group& g, unsigned inner) {
        std::vector<const GEOSGeometry*> parts;
        double sum = 0;
        for (std::size_t i : g.members) {
            parts.push_back(layer.units[i].projected.get());
            sum += geos::area(parts.back());
        }
        g.cover = union_of(parts, inner);
        g.overlap_m2 = sum - geos::area(g.cover.get());
    };
    if (groups.size() == 1)
        build(groups[0], threads);
    else
        parallel_for(groups.size(), threads, [&](std::size_t i) { build(groups[i], 1); });
    return groups;
}

void check_overlaps(const unit_layer& layer, const std::vector<sibling_group>& groups, const validation_options& opt,
                    const locator& loc, findings& out) {
    const auto& units = layer.units;
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (const sibling_group& g : groups) {
        if (g.overlap_m2 < opt.sliver_km2 * km2) continue;
        std::vector<geos::envelope> env;
        for (std::size_t i : g.members) env.push_back(geos::envelope_of(units[i].projected.get()));
        for (std::size_t k = 0; k < g.members.size(); ++k)
            for (std::size_t m = k + 1; m < g.members.size(); ++m)
                if (boxes_meet(env[k], env[m]))
                    pairs.emplace_back(std::min(g.members[k], g.members[m]), std::max(g.members[k], g.members[m]));
    }
    std::sort(pairs.begin(), pairs.end());
    std::vector<std::vector<finding>> found(pairs.size());
    parallel_for(pairs.size(), opt.threads, [&](std::size_t p) {
        const unit& a = units[pairs[p].first];
        const unit& b = units[pairs[p].second];
        // OverlayNG clips each input to the other's envelope itself (GEOSClipByRect is not
        // robust enough here: it invents overlaps between neighbours).
        geos::geom_ptr inter = geos::intersection(a.projected.get(), b.projected.get());
        for (auto& [piece, area] : pieces_above(inter.get(), opt.sliver_km2 * km2)) {
            finding f{severity::warning, "topology.overlap",
                      layer.lvl,         a.code,
                      a.source_fid,      "overlaps " + b.code + " by " + std::to_string(area / km2) + " km²",
                      std::nullopt,      std::nullopt,
                      area / km2};
            loc.place(f, piece.get());
            found[p].push_back(std::move(f));
        }
    });
    for (auto& v : found)
        for (auto& f : v) out.add(std::move(f));
}

// Top level: holes in the union of all units are gaps between siblings.
void check_holes(const unit_layer& layer, const sibling_group& all, const validation_options& opt, const locator& loc,
                 findings& out) {
    GEOSContextHandle_t h = geos::thread_context().handle();
    for (const GEOSGeometry* poly : geos::polygons_of(all.cover.get())) {
        int holes = GEOSGetNumInteriorRings_r(h, poly);
        for (int r = 0; r < holes; ++r) {
            const GEOSGeometry* ring = GEOSGetInteriorRingN_r(h, poly, r);
            geos::geom_ptr shell = geos::own(GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, ring), nullptr, 0));
            double area = geos::area(shell.get());
            if (area < opt.sliver_km2 * km2) continue;
            finding f{severity::warning,
                      "topology.gap",
                      layer.lvl,
                      {},
                      std::nullopt,
                      "gap of " + std::to_string(area / km2) + " km² between " + std::string(level_table(layer.lvl)),
                      std::nullopt,
                      std::nullopt,
                      area / km2};
            loc.place(f, shell.get());
            out.add(std::move(f));
        }
    }
}

// Resolves each child's parent code (the parent field, else what the code carries) and
// checks it; returns the parent code per child ("" when unresolved).
using code_index = std::unordered_map<std::string, std::size_t>;

code_index index_by_code(const unit_layer& layer) {
    code_index index;
    for (std::size_t i = 0; i < layer.units.size(); ++i) index.emplace(layer.units[i].code, i);
    return index;
}

std::vector<std::string> resolve_parents(const unit_layer& children, const unit_layer& parents,
                                         const code_index& parent_index, findings& out) {
    // Parent code per child: the field, else what the code carries.
    std::vector<std::string> parent_of(children.units.size());
    for (std::size_t i = 0; i < children.units.size(); ++i) {
        const unit& c = children.units[i];
        auto from_code = parent_code_from_code(children.lvl, c.code);
        std::string pc = !c.parent_code.empty() ? c.parent_code : from_code.value_or("");
        auto nf = [&](severity s, const char* rule, std::string msg) {
            out.add({s, rule, children.lvl, c.code, c.source_fid, std::move(msg), std::nullopt, std::nullopt,
                     std::nullopt});
        };
        if (!c.parent_code.empty() && from_code && *from_code != c.parent_code)
            nf(severity::error, "hierarchy.parent_mismatch",
               "parent field says " + std::string(level_name(parents.lvl)) + " " + c.parent_code +
                   " but the code says " + *from_code);
        if (pc.empty()) {
            nf(severity::error, "hierarchy.no_parent",
               "no parent " + std::string(level_name(parents.lvl)) +
                   " code: give a parent field or a codification table");
            continue;
        }
        auto it = parent_index.find(pc);
        if (it == parent_index.end()) {
            nf(severity::error, "hierarchy.parent_missing",
               "its parent " + std::string(level_name(parents.lvl)) + " " + pc + " does not exist");
            continue;
        }
        parent_of[i] = pc;
    }
    return parent_of;
}

void check_nesting(const unit_layer& children, const unit_layer& parents, const code_index& parent_index,
                   const std::vector<std::string>& parent_of, const std::vector<sibling_group>& groups,
                   const validation_options& opt, const locator& loc, findings& out) {
    std::vector<geos::envelope> penv;
    for (const unit& p : parents.units) penv.push_back(geos::envelope_of(p.projected.get()));
    std::map<std::string, const sibling_group*> group_of_parent;
    for (const auto& g : groups)
        if (!g.parent.empty()) group_of_parent[g.parent] = &g;

    // Geometric nesting: the share of each child inside its declared parent.
    std::vector<std::vector<finding>> found(children.units.size());
    parallel_for(children.units.size(), opt.threads, [&](std::size_t i) {
        if (parent_of[i].empty()) return;
        const unit& c = children.units[i];
        double area = geos::area(c.projected.get());
        if (area <= 0) return;
        geos::envelope ce = geos::envelope_of(c.projected.get());
        std::vector<std::pair<double, std::size_t>> shares;
        std::size_t declared = parent_index.at(parent_of[i]);
        geos::geom_ptr in_declared = geos::intersection(c.projected.get(), parents.units[declared].projected.get());
        double share = geos::area(in_declared.get()) / area;
        if (share >= opt.nesting_share) return;
        for (std::size_t p = 0; p < parents.units.size(); ++p) {
            if (p == declared || !boxes_meet(ce, penv[p])) continue;
            geos::geom_ptr in = geos::intersection(c.projected.get(), parents.units[p].projected.get());
            double s = geos::area(in.get()) / area;
            if (s > 0.001) shares.emplace_back(s, p);
        }
        std::sort(shares.rbegin(), shares.rend());
        char pct[32];
        std::snprintf(pct, sizeof pct, "%.1f%%", share * 100);
        std::string msg =
            "lies only " + std::string(pct) + " in its " + std::string(level_name(parents.lvl)) + " " + parent_of[i];
        for (auto [s, p] : shares) {
            std::snprintf(pct, sizeof pct, "%.1f%%", s * 100);
            msg += ", " + std::string(pct) + " in " + parents.units[p].code;
        }
        bool crosses = !shares.empty() && shares.front().first > 1.0 - opt.nesting_share;
        finding f{crosses ? severity::error : severity::warning,
                  crosses ? "hierarchy.crosses_parent" : "hierarchy.outside_parent",
                  children.lvl,
                  c.code,
                  c.source_fid,
                  msg,
                  std::nullopt,
                  std::nullopt,
                  area * (1 - share) / km2};
        geos::geom_ptr outside = geos::difference(c.projected.get(), parents.units[declared].projected.get());
        loc.place(f, outside.get());
        found[i].push_back(std::move(f));
    });
    for (auto& v : found)
        for (auto& f : v) out.add(std::move(f));

    // Parents: children present, and covered by them without gaps.
    std::vector<std::vector<finding>> pf(parents.units.size());
    parallel_for(parents.units.size(), opt.threads, [&](std::size_t p) {
        const unit& par = parents.units[p];
        auto g = group_of_parent.find(par.code);
        if (g == group_of_parent.end()) {
            pf[p].push_back({severity::warning, "hierarchy.no_children", parents.lvl, par.code, par.source_fid,
                             "has no " + std::string(level_table(children.lvl)), std::nullopt, std::nullopt,
                             std::nullopt});
            return;
        }
        geos::geom_ptr gap = geos::difference(par.projected.get(), g->second->cover.get());
        for (auto& [piece, area] : pieces_above(gap.get(), opt.sliver_km2 * km2)) {
            finding f{severity::warning,
                      "topology.gap",
                      parents.lvl,
                      par.code,
                      par.source_fid,
                      "gap of " + std::to_string(area / km2) + " km² not covered by any of its " +
                          std::string(level_table(children.lvl)),
                      std::nullopt,
                      std::nullopt,
                      area / km2};
            loc.place(f, piece.get());
            pf[p].push_back(std::move(f));
        }
    });
    for (auto& v : pf)
        for (auto& f : v) out.add(std::move(f));
}

// Each zone, district, province and canton one territory; provinces and cantons in one zone
// unless the law splits them (contiguity.hpp).
void check_territories(const std::vector<const unit_layer*>& layers, const std::map<level, const unit_layer*>& by_level,
                       const validation_options& opt, findings& out) {
    std::vector<const unit_layer*> administrative;
    for (const unit_layer* l : layers)
        if (l->lvl == level::province || l->lvl == level::canton || l->lvl == level::parish)
            administrative.push_back(l);
    for (const unit_layer* l : layers)
        if (child_level(l->lvl) && !l->units.empty()) out.append(check_one_territory(*l, administrative, opt));
    auto zones = by_level.find(level::zone);
    if (zones == by_level.end()) return;
    for (level g : {level::province, level::canton})
        if (auto it = by_level.find(g); it != by_level.end())
            out.append(check_split_across_zones(*it->second, *zones->second, opt));
}

}  // namespace

validation_report validate(const std::vector<const unit_layer*>& layers, const validation_options& opt) {
    validation_report r;
    locator loc{opt.analysis_crs};
    std::map<level, const unit_layer*> by_level;
    for (const unit_layer* l : layers) by_level[l->lvl] = l;
    for (const unit_layer* l : layers) {
        level_summary s{l->lvl, l->units.size(), 0};
        for (const unit& u : l->units) s.area_km2 += u.area_km2;
        r.levels.push_back(s);
    }
    for (const unit_layer* l : layers) {
        check_codes(*l, r.report);
        auto pl = parent_level(l->lvl);
        bool has_parent = pl && by_level.count(*pl);
        if (l->units.empty()) continue;
        std::vector<std::string> parent_of;
        code_index parent_index;
        if (has_parent) {
            parent_index = index_by_code(*by_level.at(*pl));
            parent_of = resolve_parents(*l, *by_level.at(*pl), parent_index, r.report);
        }
        std::vector<sibling_group> groups = group_siblings(*l, parent_of, opt.threads);
        check_overlaps(*l, groups, opt, loc, r.report);
        if (has_parent)
            check_nesting(*l, *by_level.at(*pl), parent_index, parent_of, groups, opt, loc, r.report);
        else
            check_holes(*l, groups.front(), opt, loc, r.report);
    }
    if (opt.territories) check_territories(layers, by_level, opt, r.report);
    return r;
}

std::string validation_report::to_text() const {
    std::string out;
    for (const auto& s : levels) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "%-10s %6zu units  %12.1f km²\n", std::string(level_table(s.lvl)).c_str(),
                      s.units, s.area_km2);
        out += buf;
    }
    for (const auto& f : report.items) out += f.to_text() + "\n";
    out += std::to_string(report.count(severity::error)) + " error(s), " +
           std::to_string(report.count(severity::warning)) + " warning(s), " +
           std::to_string(report.count(severity::info)) + " note(s)\n";
    return out;
}

void to_json(nlohmann::json& j, const validation_report& r) {
    j = nlohmann::json::object();
    j["valid"] = r.ok();
    nlohmann::json levels = nlohmann::json::object();
    for (const auto& s : r.levels)
        levels[std::string(level_table(s.lvl))] = {{"units", s.units}, {"area_km2", s.area_km2}};
    j["levels"] = levels;
    j["errors"] = r.report.count(severity::error);
    j["warnings"] = r.report.count(severity::warning);
    j["findings"] = r.report.items;
}

}  // namespace microplan::geo
