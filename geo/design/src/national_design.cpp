// Stages: pieces, districts, circuits and circuit geometry of the national build
// (national_stages.hpp).
#include <algorithm>
#include <numeric>
#include <optional>

#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/design/national_stages.hpp"
#include "national_common.hpp"

namespace microplan::geo::design {

using detail::note;

namespace {

struct disjoint_sets {
    std::vector<std::size_t> parent;
    explicit disjoint_sets(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::size_t find(std::size_t x) { return parent[x] == x ? x : parent[x] = find(parent[x]); }
    void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

std::string canton_of(const unit& parish) { return parish.code.substr(0, 4); }

// Districts that share a canton (a city's) are designed together: the regions, as lists of
// district indexes.
std::vector<std::vector<std::size_t>> district_regions(const district_design& d, const canton_districts& cd) {
    disjoint_sets regions(d.codes.size());
    for (const auto& [c, ds] : cd.districts_of_canton)
        for (const auto& x : ds) regions.join(d.index.at(ds.front()), d.index.at(x));
    std::map<std::size_t, std::vector<std::size_t>> region_districts;
    for (std::size_t i = 0; i < d.codes.size(); ++i) region_districts[regions.find(i)].push_back(i);
    std::vector<std::vector<std::size_t>> out;
    for (auto& [root, list] : region_districts) out.push_back(list);
    return out;
}

// One region's district problem: its cantons' parishes, who may take them, targets that share
// a split parish in proportion to the circuits each district has in it, offices as seeds.
// Returns, per district of the region, whether the design shapes it.
std::vector<bool> district_problem(const districts_input& in, const district_design& d,
                                   const std::vector<std::size_t>& list, region_problem& prob) {
    std::set<std::string> cantons;
    for (std::size_t x : list)
        for (const auto& c : in.cantons.cantons_of_district.at(d.codes[x])) cantons.insert(c);
    for (std::size_t a = 0; a < in.parishes.units.size(); ++a) {
        const std::string canton = canton_of(in.parishes.units[a]);
        if (!cantons.count(canton)) continue;
        const auto& ds = in.cantons.districts_of_canton.at(canton);
        std::vector<int> allowed;
        for (std::size_t k = 0; k < list.size(); ++k) {
            const std::string& code = d.codes[list[k]];
            if (std::find(ds.begin(), ds.end(), code) == ds.end()) continue;
            if (ds.size() == 1 || in.listed_districts[a].count(code)) allowed.push_back(static_cast<int>(k));
        }
        // An unlisted parish of a city canton (allowed empty): the district that grows into it.
        prob.allowed.emplace_back(static_cast<std::uint32_t>(a), allowed);
        for (std::uint32_t p : in.graph.pieces_of(a)) prob.pieces.push_back(p);
    }
    std::vector<bool> shaped = balanced_targets(in.graph, prob, list.size(), [&](std::uint32_t atom, int k) {
        double n = 0;
        for (const auto& c : in.listed_circuits[atom]) n += c.starts_with(d.codes[list[static_cast<std::size_t>(k)]]);
        return std::max(n, 0.5);
    });
    proj::transformer to_analysis("EPSG:4326", in.analysis_crs);
    for (std::size_t x : list) {
        auto it = in.offices.find(d.codes[x]);
        std::optional<std::pair<double, double>> pt;
        if (it != in.offices.end() && it->second.lonlat) {
            auto [lon, lat] = *it->second.lonlat;
            if (to_analysis.forward(lon, lat)) pt = std::pair{lon, lat};
        }
        prob.seed_points.push_back(pt);
    }
    return shaped;
}

}  // namespace

national_pieces build_pieces(const pieces_input& in) {
    national_pieces out;
    const std::size_t np = in.parishes.units.size();
    std::vector<int> split(np, 0);
    for (std::size_t a = 0; a < np; ++a) {
        int k = static_cast<int>(std::max(in.listed_circuits[a].size(), in.listed_districts[a].size()));
        if (k >= 2) split[a] = k, ++out.split_parishes;
    }
    out.graph = piece_graph::build(in.parishes, in.people, split, in.rasters, in.analysis_crs, in.threads);
    for (std::uint32_t a : out.graph.uniform_splits())
        out.report.add(
            note(severity::warning, "design.split_without_raster", level::parish, in.parishes.units[a].code,
                 "the raster has no people in parish '" + in.parishes.units[a].name + "': it is split by area"));
    return out;
}

// Level 1: districts. City cantons join the districts they hold into one region.
district_design design_districts(const districts_input& in) {
    district_design d;
    for (const auto& [code, cs] : in.cantons.cantons_of_district) d.codes.push_back(code);
    for (std::size_t i = 0; i < d.codes.size(); ++i) d.index[d.codes[i]] = i;
    std::vector<std::vector<std::size_t>> region_list = district_regions(d, in.cantons);
    d.pieces.assign(d.codes.size(), {});
    d.target.assign(d.codes.size(), 0);
    d.designed.assign(d.codes.size(), false);
    std::vector<std::vector<std::pair<std::uint32_t, int>>> assigned(region_list.size());
    std::vector<std::vector<double>> targets(region_list.size());
    std::vector<std::vector<bool>> shaped(region_list.size());
    parallel_for(region_list.size(), in.threads, [&](std::size_t ri) {
        region_problem prob;
        prob.seed = in.seed * 0x9E3779B97F4A7C15ULL + ri;
        prob.settle_free = true;
        shaped[ri] = district_problem(in, d, region_list[ri], prob);
        region_result rr = grow_region(in.graph, prob);
        for (std::size_t i = 0; i < prob.pieces.size(); ++i) assigned[ri].emplace_back(prob.pieces[i], rr.output_of[i]);
        targets[ri] = rr.targets;
    });
    for (std::size_t ri = 0; ri < region_list.size(); ++ri) {
        for (auto [p, k] : assigned[ri]) d.pieces[region_list[ri][static_cast<std::size_t>(k)]].push_back(p);
        for (std::size_t k = 0; k < region_list[ri].size(); ++k) {
            d.target[region_list[ri][k]] = targets[ri][k];
            d.designed[region_list[ri][k]] = shaped[ri][k];
        }
    }
    return d;
}

// Level 2: circuits inside each district.
circuit_design design_circuits(const circuits_input& in) {
    const district_design& ds = in.districts;
    std::vector<std::vector<std::vector<std::uint32_t>>> per(ds.codes.size());
    std::vector<std::vector<double>> target(ds.codes.size());
    static const std::set<std::string> none;
    auto circuits_of = [&](const std::string& d) -> const std::set<std::string>& {
        auto it = in.circuits_of_district.find(d);
        return it == in.circuits_of_district.end() ? none : it->second;
    };
    parallel_for(ds.codes.size(), in.threads, [&](std::size_t di) {
        const std::set<std::string>& of = circuits_of(ds.codes[di]);
        std::vector<std::string> cs(of.begin(), of.end());
        region_problem prob;
        prob.seed = in.seed * 0xD1B54A32D192ED03ULL + di;
        prob.settle_free = true;
        prob.pieces = ds.pieces[di];
        std::set<std::uint32_t> atoms;
        for (std::uint32_t p : prob.pieces) atoms.insert(in.graph.pieces()[p].atom);
        for (std::uint32_t a : atoms) {
            std::vector<int> allowed;
            for (std::size_t k = 0; k < cs.size(); ++k)
                if (in.listed_circuits[a].count(cs[k])) allowed.push_back(static_cast<int>(k));
            prob.allowed.emplace_back(a, allowed);
        }
        std::vector<bool> shaped = balanced_targets(in.graph, prob, cs.size(), [](std::uint32_t, int) { return 1.0; });
        region_result rr = grow_region(in.graph, prob);
        per[di].resize(cs.size());
        for (std::size_t i = 0; i < prob.pieces.size(); ++i)
            if (rr.output_of[i] >= 0) per[di][static_cast<std::size_t>(rr.output_of[i])].push_back(prob.pieces[i]);
        for (std::size_t k = 0; k < cs.size(); ++k) target[di].push_back(shaped[k] ? rr.targets[k] : 0);
    });
    circuit_design c;
    for (std::size_t di = 0; di < ds.codes.size(); ++di) {
        std::size_t k = 0;
        for (const auto& code : circuits_of(ds.codes[di])) {
            c.index[code] = c.codes.size();
            c.codes.push_back(code);
            c.district.push_back(ds.codes[di]);
            c.target.push_back(target[di][k]);
            c.pieces.push_back(std::move(per[di][k++]));
        }
    }
    return c;
}

// Circuit geometry from the pieces.
circuit_units assemble_circuits(const geometry_input& in) {
    const circuit_design& c = in.circuits;
    circuit_units out;
    out.layer.lvl = level::circuit;
    out.layer.units.resize(c.codes.size());
    out.population.assign(c.codes.size(), 0);
    parallel_for(c.codes.size(), in.threads, [&](std::size_t i) {
        unit& u = out.layer.units[i];
        u.lvl = level::circuit;
        u.code = c.codes[i];
        auto name = in.circuit_name.find(c.codes[i]);
        u.name = name == in.circuit_name.end() ? std::string() : name->second;
        u.parent_code = c.district[i];
        u.geometry = pieces_geometry(in.graph, in.parishes, c.pieces[i]);
        for (std::uint32_t p : c.pieces[i]) out.population[i] += in.graph.pieces()[p].population;
    });
    for (std::size_t i = 0; i < c.codes.size(); ++i)
        if (c.pieces[i].empty())
            out.report.add(note(severity::error, "design.circuit_empty", level::circuit, c.codes[i],
                                "circuit " + c.codes[i] +
                                    " got no territory (its parishes are shared by more circuits than the "
                                    "district can give a part to)"));
    return out;
}

}  // namespace microplan::geo::design
