#include "microplan/geo/design/partition.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "microplan/geo/core/parallel.hpp"

namespace microplan::geo::design {

design_result design_units(const unit_layer& atoms, std::span<const double> population,
                           std::span<const std::string> parent_of_atom, const weight_rasters& rasters,
                           const design_options& opt) {
    design_result res;
    const std::size_t n = atoms.units.size();
    std::map<std::string, std::vector<std::size_t>> by_parent;
    for (std::size_t a = 0; a < n; ++a)
        if (!parent_of_atom[a].empty()) by_parent[parent_of_atom[a]].push_back(a);
    // How many units each parent gets, and which finer units must be split.
    std::vector<int> split(n, 0);
    std::map<std::string, int> count;
    for (const auto& [parent, list] : by_parent) {
        double total = 0;
        for (std::size_t a : list) total += population[a];
        int k = std::max(1, static_cast<int>(std::lround(total / opt.target)));
        count[parent] = k;
        for (std::size_t a : list) {
            int need = static_cast<int>(std::ceil(population[a] / opt.target));
            if (population[a] > opt.target * (1 + opt.tolerance) || (k > 1 && static_cast<int>(list.size()) < k))
                split[a] = std::max(2, need);
        }
    }
    for (int s : split) res.split_units += s > 0;
    piece_graph graph = piece_graph::build(atoms, population, split, rasters, opt.analysis_crs, opt.threads);
    res.pieces = graph.pieces().size();
    for (std::uint32_t a : graph.uniform_splits())
        res.problems.add({severity::warning, "design.split_without_raster", atoms.lvl, atoms.units[a].code,
                          std::nullopt,
                          "the raster has no people in '" + atoms.units[a].name + "': it is split by area",
                          std::nullopt, std::nullopt, std::nullopt});
    std::vector<std::string> parents;
    for (const auto& [p, l] : by_parent) parents.push_back(p);
    struct designed {
        std::vector<std::vector<std::uint32_t>> pieces;
        std::vector<double> population;
        double target = 0;
    };
    std::vector<designed> out(parents.size());
    parallel_for(parents.size(), opt.threads, [&](std::size_t pi) {
        region_problem prob;
        prob.seed = opt.seed * 0x9E3779B97F4A7C15ULL + pi;
        prob.rounds = opt.rounds;
        prob.travel = opt.travel;
        double total = 0;
        for (std::size_t a : by_parent[parents[pi]]) {
            total += population[a];
            for (std::uint32_t p : graph.pieces_of(a)) prob.pieces.push_back(p);
        }
        const int k = count[parents[pi]];
        prob.targets.assign(static_cast<std::size_t>(k), total / k);
        region_result rr = grow_region(graph, prob);
        designed& d = out[pi];
        d.pieces.resize(static_cast<std::size_t>(k));
        for (std::size_t i = 0; i < prob.pieces.size(); ++i)
            d.pieces[static_cast<std::size_t>(rr.output_of[i])].push_back(prob.pieces[i]);
        d.population = rr.population;
        d.target = total / k;
    });
    // Units, numbered within their parent.
    std::vector<std::tuple<std::size_t, std::size_t>> index;
    for (std::size_t pi = 0; pi < parents.size(); ++pi)
        for (std::size_t k = 0; k < out[pi].pieces.size(); ++k) index.emplace_back(pi, k);
    res.units.lvl = opt.lvl;
    res.units.units.resize(index.size());
    res.report.resize(index.size());
    std::vector<std::map<std::uint32_t, int>> shares(n);
    for (const auto& [pi, k] : index)
        for (std::uint32_t p : out[pi].pieces[k])
            if (graph.pieces()[p].sub >= 0) ++shares[graph.pieces()[p].atom][static_cast<std::uint32_t>(k)];
    parallel_for(index.size(), opt.threads, [&](std::size_t i) {
        auto [pi, k] = index[i];
        unit& u = res.units.units[i];
        u.lvl = opt.lvl;
        char num[16];
        std::snprintf(num, sizeof num, "%02zu", k + 1);
        u.code = parents[pi] + opt.code_infix + num;
        u.name = u.code;
        u.parent_code = parents[pi];
        u.geometry = pieces_geometry(graph, atoms, out[pi].pieces[k]);
        measure_unit(u, opt.analysis_crs);
        res.report[i] = report_of(u, out[pi].population[k], out[pi].target);
        res.report[i].split_units =
            split_codes(graph, atoms, out[pi].pieces[k], [&](std::uint32_t a) { return shares[a].size() > 1; });
    });
    for (const auto& r : res.report) {
        if (std::abs(r.deviation) > opt.tolerance)
            res.problems.add(
                {severity::warning, "design.outside_tolerance", opt.lvl, r.code, std::nullopt,
                 "population " + std::to_string(std::lround(r.population)) + " is " +
                     std::to_string(static_cast<double>(std::lround(r.deviation * 1000)) / 10.0).substr(0, 5) +
                     " % off the target (tolerance " + std::to_string(std::lround(opt.tolerance * 100)) +
                     " %): the finer units are too coarse or oddly placed",
                 std::nullopt, std::nullopt, std::nullopt});
        if (r.parts > 1)
            res.problems.add(
                {severity::warning, "design.not_contiguous", opt.lvl, r.code, std::nullopt,
                 "made of " + std::to_string(r.parts) + " polygons (islands, or finer units that do not touch)",
                 std::nullopt, std::nullopt, std::nullopt});
    }
    return res;
}

}  // namespace microplan::geo::design
