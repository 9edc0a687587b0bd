// Stages: designed circuits compared with the official ones, then replaced by them
// (national_stages.hpp, compare_official and apply_official).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/design/national_stages.hpp"
#include "national_common.hpp"
#include "transforms.hpp"

namespace microplan::geo::design {

using detail::box_of;
using detail::envelopes_meet;
using detail::intersection_over_union;
using detail::note;

namespace {

// The designed circuits whose box meets the official polygons' box.
std::vector<std::size_t> circuits_near(const official_list& off, const unit_layer& circuits) {
    geos::envelope area;
    bool first = true;
    for (const auto& [code, g] : off) {
        geos::envelope e = geos::envelope_of(g);
        if (first)
            area = e, first = false;
        else
            area.expand(e);
    }
    std::vector<std::size_t> near;
    for (std::size_t i = 0; i < circuits.units.size(); ++i)
        if (envelopes_meet(box_of(circuits.units[i].geometry.get()), area)) near.push_back(i);
    return near;
}

// Best-match IoU of every official circuit.
std::vector<official_match> compare_circuits(const comparison_input& in, const official_list& off,
                                             const std::vector<std::size_t>& near) {
    proj::transformer to_analysis("EPSG:4326", in.analysis_crs);
    std::vector<geos::geom_ptr> designed_projected(in.circuits.units.size());
    for (std::size_t i : near) designed_projected[i] = to_analysis.forward(in.circuits.units[i].geometry.get());
    std::vector<official_match> out(off.size());
    parallel_for(off.size(), in.threads, [&](std::size_t k) {
        geos::geom_ptr o = detail::thread_transformer("EPSG:4326", in.analysis_crs).forward(off[k].second);
        official_match& m = out[k];
        m.code = off[k].first;
        m.official_km2 = geos::area(o.get()) / 1e6;
        geos::envelope oe = geos::envelope_of(o.get());
        for (std::size_t i : near) {
            const GEOSGeometry* d = designed_projected[i].get();
            if (!d) continue;
            if (!envelopes_meet(geos::envelope_of(d), oe)) continue;
            double iou = intersection_over_union(o.get(), d);
            if (in.design.codes[i] == m.code) m.iou_same_code = iou;
            if (iou > m.best_iou) m.best_iou = iou, m.best_code = in.design.codes[i];
        }
    });
    return out;
}

// Districts: the designed ones (started from their offices) against the official circuits
// dissolved by district.
std::vector<official_match> compare_districts(const comparison_input& in, const official_list& off) {
    proj::transformer to_analysis("EPSG:4326", in.analysis_crs);
    std::map<std::string, std::vector<const GEOSGeometry*>> by_district;
    for (const auto& [code, g] : off) by_district[code.substr(0, 5)].push_back(g);
    std::vector<official_match> out;
    for (const auto& [d, parts] : by_district) {
        auto it = in.districts.index.find(d);
        if (it == in.districts.index.end()) continue;
        geos::geom_ptr o = to_analysis.forward(geos::unary_union(parts).get());
        geos::geom_ptr des =
            to_analysis.forward(pieces_geometry(in.graph, in.parishes, in.districts.pieces[it->second]).get());
        if (!o || !des) continue;
        official_match m;
        m.code = d;
        m.official_km2 = geos::area(o.get()) / 1e6;
        m.iou_same_code = intersection_over_union(o.get(), des.get());
        m.best_code = d;
        m.best_iou = m.iou_same_code;
        out.push_back(m);
    }
    return out;
}

}  // namespace

official_comparison compare_official(const comparison_input& in) {
    official_comparison out;
    for (const auto& [code, g] : in.official) {
        if (!in.design.index.count(code)) {
            out.report.add(note(severity::warning, "design.official_unknown", level::circuit, code,
                                "official circuit " + code + " is not in the codification table: not used"));
            continue;
        }
        out.known.emplace_back(code, g.get());
    }
    if (out.known.empty()) return out;
    out.near = circuits_near(out.known, in.circuits);
    out.circuits = compare_circuits(in, out.known, out.near);
    out.districts = compare_districts(in, out.known);
    return out;
}

namespace {

// What is left of a designed circuit near the official polygons once they are cut out of it.
struct cut {
    bool touched = false;
    geos::geom_ptr keep;
    std::vector<geos::geom_ptr> loose;  // polygons that go to the neighbour sharing most border
};

std::vector<cut> cut_designed(const precedence_input& in, const std::set<std::string>& official_codes) {
    const official_list& off = in.comparison.known;
    const std::vector<std::size_t>& near = in.comparison.near;
    std::vector<geos::envelope> off_env;
    for (const auto& [code, g] : off) off_env.push_back(geos::envelope_of(g));
    std::vector<cut> cuts(near.size());
    parallel_for(near.size(), in.threads, [&](std::size_t ni) {
        auto hh = geos::thread_context().handle();
        const unit& u = in.circuits.units[near[ni]];
        geos::envelope e = geos::envelope_of(u.geometry.get());
        std::vector<const GEOSGeometry*> local;
        for (std::size_t k = 0; k < off.size(); ++k)
            if (envelopes_meet(e, off_env[k]) && geos::intersects(u.geometry.get(), off[k].second))
                local.push_back(off[k].second);
        if (local.empty()) return;
        cut& c = cuts[ni];
        c.touched = true;
        geos::geom_ptr over = local.size() == 1 ? geos::clone(local.front()) : geos::unary_union(local);
        geos::geom_ptr rest =
            geos::polygonal_parts_as_multipolygon(geos::difference(u.geometry.get(), over.get()).get());
        const proj::transformer& t = detail::thread_transformer("EPSG:4326", in.analysis_crs);
        std::vector<std::pair<geos::geom_ptr, double>> parts;
        double largest = 0;
        for (const GEOSGeometry* part : geos::polygons_of(rest.get())) {
            geos::geom_ptr pp = t.forward(part);
            double a = pp ? geos::area(pp.get()) / 1e6 : 0;
            largest = std::max(largest, a);
            parts.emplace_back(geos::clone(part), a);
        }
        std::vector<geos::geom_ptr> keep;
        for (auto& [part, a] : parts) {
            // What is left of an official code's designed circuit, and slivers of the
            // others, go to the neighbour they share most border with.
            if (official_codes.count(in.design.codes[near[ni]]) || (a < 0.5 && a < largest))
                c.loose.push_back(std::move(part));
            else
                keep.push_back(std::move(part));
        }
        std::vector<const GEOSGeometry*> kp;
        for (auto& k : keep) kp.push_back(k.get());
        c.keep = kp.empty() ? geos::own(GEOSGeom_createEmptyPolygon_r(hh))
                            : geos::polygonal_parts_as_multipolygon(geos::unary_union(kp).get());
    });
    return cuts;
}

// For each loose polygon, the changed circuit sharing most border with it (its own when none).
std::vector<std::size_t> receivers(const unit_layer& circuits, const std::set<std::size_t>& changed,
                                   const std::vector<std::pair<geos::geom_ptr, std::size_t>>& loose, unsigned threads) {
    std::vector<std::size_t> candidates(changed.begin(), changed.end());
    std::vector<geos::envelope> cand_env;
    for (std::size_t i : candidates) cand_env.push_back(box_of(circuits.units[i].geometry.get()));
    std::vector<std::size_t> receiver(loose.size());
    parallel_for(loose.size(), threads, [&](std::size_t li) {
        auto hh = geos::thread_context().handle();
        const auto& [part, owner] = loose[li];
        geos::geom_ptr border = geos::own(GEOSBoundary_r(hh, part.get()));
        geos::envelope pe = geos::envelope_of(part.get());
        std::size_t best = owner;
        double best_len = 0;
        for (std::size_t ci = 0; ci < candidates.size(); ++ci) {
            const GEOSGeometry* cg = circuits.units[candidates[ci]].geometry.get();
            if (!envelopes_meet(pe, cand_env[ci])) continue;
            // Only the candidate's part around this polygon matters (official
            // polygons have many vertices): clip it to the polygon's box first.
            const double pad = 1e-6;
            geos::geom_ptr near_part =
                geos::own(GEOSClipByRect_r(hh, cg, pe.minx - pad, pe.miny - pad, pe.maxx + pad, pe.maxy + pad));
            if (!near_part || geos::is_empty(near_part.get())) continue;
            geos::geom_ptr shared = geos::intersection(border.get(), near_part.get());
            double len = shared ? geos::length(shared.get()) : 0;
            if (len > best_len) best_len = len, best = candidates[ci];
        }
        receiver[li] = best;
    });
    return receiver;
}

}  // namespace

// Official polygons replace the designed circuits of their codes; what the designed
// circuits held outside them goes to the circuit sharing most border with it, so the
// level keeps no gap; changed circuits are recounted.
precedence_result apply_official(precedence_input in) {
    precedence_result out;
    const official_list& off = in.comparison.known;
    for (const auto& [code, g] : off) out.official_codes.insert(code);
    if (!off.empty()) {
        std::vector<cut> cuts = cut_designed(in, out.official_codes);
        const std::vector<std::size_t>& near = in.comparison.near;
        std::set<std::size_t> changed_set;
        std::vector<std::pair<geos::geom_ptr, std::size_t>> loose;  // polygon, its designed circuit
        for (std::size_t ni = 0; ni < near.size(); ++ni) {
            if (!cuts[ni].touched) continue;
            changed_set.insert(near[ni]);
            in.circuits.units[near[ni]].geometry = std::move(cuts[ni].keep);
            for (auto& l : cuts[ni].loose) loose.emplace_back(std::move(l), near[ni]);
        }
        for (const auto& [code, g] : off) {
            std::size_t i = in.design.index.at(code);
            in.circuits.units[i].geometry = geos::clone(g);
            changed_set.insert(i);
        }
        std::vector<std::size_t> receiver = receivers(in.circuits, changed_set, loose, in.threads);
        std::map<std::size_t, std::vector<geos::geom_ptr>> gained;
        std::size_t moved = 0;
        for (std::size_t li = 0; li < loose.size(); ++li) {
            moved += receiver[li] != loose[li].second;
            gained[receiver[li]].push_back(std::move(loose[li].first));
        }
        for (auto& [i, parts] : gained) {
            std::vector<const GEOSGeometry*> gp{in.circuits.units[i].geometry.get()};
            for (auto& p : parts) gp.push_back(p.get());
            in.circuits.units[i].geometry = geos::polygonal_parts_as_multipolygon(geos::unary_union(gp).get());
        }
        std::vector<std::size_t> changed(changed_set.begin(), changed_set.end());
        out.report.add(note(severity::info, "design.official_remainder", level::circuit, {},
                            std::to_string(loose.size()) +
                                " polygons of designed circuits left outside the official ones "
                                "(and slivers under 0.5 km²) went to the circuit sharing most "
                                "border with them (" +
                                std::to_string(moved) + " changed hands)"));
        std::vector<const GEOSGeometry*> geoms;
        for (std::size_t i : changed) geoms.push_back(in.circuits.units[i].geometry.get());
        const population_grid* raster = in.rasters.grids.empty() ? nullptr : &in.rasters.grids.front();
        std::vector<double> people = detail::census_by_raster(geoms, in.parishes, in.people, raster, in.threads);
        for (std::size_t k = 0; k < changed.size(); ++k) in.population[changed[k]] = std::round(people[k]);
        out.report.add(note(severity::info, "design.official_circuits", level::circuit, {},
                            std::to_string(off.size()) + " official circuit polygons (" + in.official_source +
                                ") replace the designed ones; " + std::to_string(changed.size()) +
                                " circuits changed, their people recounted from census parishes spread by the raster"));
    }
    out.circuits = std::move(in.circuits);
    out.population = std::move(in.population);
    return out;
}

}  // namespace microplan::geo::design
