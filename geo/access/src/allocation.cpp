#include "microplan/geo/access/allocation.hpp"

#include <coin/Cbc_C_Interface.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <queue>

#include "microplan/geo/core/parallel.hpp"

namespace microplan::geo::access {

std::vector<double> people_on_grid(const population_grid& pop, const grid& g) {
    std::vector<double> out(g.cells(), 0.0);
    for (std::size_t k = 0; k < pop.occupied.size(); ++k)
        if (auto cell = g.cell_of(pop.cx[k], pop.cy[k])) out[*cell] += pop.people[pop.occupied[k]];
    return out;
}

capacity_result capacity_catchments(const cost_surface& surface, std::vector<double> people,
                                    const establishment_points& sources, double max_minutes, capacity_order order,
                                    neighbourhood moves, bool count_reach) {
    capacity_result r;
    r.total = std::accumulate(people.begin(), people.end(), 0.0);
    std::vector<std::size_t> idx(sources.size());
    std::iota(idx.begin(), idx.end(), 0);
    if (order == capacity_order::largest_first)
        std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
            if (sources.capacity[a] != sources.capacity[b]) return sources.capacity[a] > sources.capacity[b];
            return sources.fid[a] < sources.fid[b];
        });
    r.catchment.assign(surface.g.cells(), -1);
    cost_distance_options o;
    o.moves = moves;
    o.max_cost = max_minutes > 0 ? max_minutes : std::numeric_limits<double>::infinity();
    search_workspace ws;
    for (std::size_t i : idx) {
        capacity_row row;
        row.source = i;
        row.capacity = sources.capacity[i];
        auto cell = surface.g.cell_of(sources.x[i], sources.y[i]);
        if (!cell || std::isnan(surface.cost[*cell])) {
            row.placed = false;
            r.rows.push_back(row);
            continue;
        }
        double left = row.capacity;
        cost_distance_from(surface, *cell, o, ws, [&](std::size_t c, float minutes) {
            double& here = people[c];
            if (here <= 0) return true;
            row.reachable += here;
            if (left <= 0) return count_reach;  // keep counting the demand within reach, when asked
            double take = std::min(here, left);
            here -= take, left -= take, row.covered += take;
            row.minutes = minutes;
            if (r.catchment[c] < 0) r.catchment[c] = static_cast<std::int32_t>(i);
            return true;
        });
        r.covered += row.covered;
        r.rows.push_back(row);
    }
    r.residual = std::move(people);
    return r;
}

namespace {

struct instance {
    std::vector<std::uint32_t> candidates;           // surface cells
    std::vector<std::vector<std::uint32_t>> covers;  // per candidate: demand indexes
    std::vector<double> weight;                      // per demand index: uncovered people
};

std::vector<std::size_t> greedy(const instance& in, std::size_t k, double total, double covered_before,
                                std::optional<double> target_pct, std::vector<double>* added) {
    std::vector<std::uint8_t> taken(in.weight.size(), 0);
    using entry = std::pair<double, std::size_t>;  // (gain upper bound, candidate)
    std::priority_queue<entry> queue;
    for (std::size_t j = 0; j < in.candidates.size(); ++j) {
        double g = 0;
        for (auto d : in.covers[j]) g += in.weight[d];
        queue.emplace(g, j);
    }
    auto gain = [&](std::size_t j) {
        double g = 0;
        for (auto d : in.covers[j])
            if (!taken[d]) g += in.weight[d];
        return g;
    };
    std::vector<std::size_t> chosen;
    double covered = covered_before;
    // Terminates: a pop either takes a candidate (at most candidates of them), drops the queue's
    // last entries, or re-queues a stale one with a strictly smaller gain, which can happen only as
    // often as that candidate's covered cells get taken (the sum of covers.size() in all).
    while (chosen.size() < k && !queue.empty()) {
        if (target_pct && total > 0 && 100.0 * covered / total >= *target_pct) break;
        auto [bound, j] = queue.top();
        queue.pop();
        double g = gain(j);
        if (!queue.empty() && g < queue.top().first) {  // stale: re-queue with its true gain
            queue.emplace(g, j);
            continue;
        }
        if (g <= 0) break;
        for (auto d : in.covers[j]) taken[d] = 1;
        covered += g;
        chosen.push_back(j);
        if (added) added->push_back(g);
    }
    return chosen;
}

}  // namespace

namespace {

// Candidate cells: passable, not excluded, holding uncovered people; most people first.
std::vector<std::uint32_t> candidate_cells(const cost_surface& surface, const std::vector<double>& people,
                                           const std::vector<std::int32_t>& demand_of,
                                           const std::vector<std::uint8_t>& excluded, const site_options& options) {
    std::vector<std::uint32_t> cand;
    for (std::size_t c = 0; c < demand_of.size(); ++c)
        if (demand_of[c] >= 0 && !std::isnan(surface.cost[c]) && (excluded.empty() || !excluded[c]))
            cand.push_back(static_cast<std::uint32_t>(c));
    std::stable_sort(cand.begin(), cand.end(), [&](auto a, auto b) { return people[a] > people[b]; });
    const std::size_t limit =
        options.exact ? std::min(options.max_candidates, options.exact_max_candidates) : options.max_candidates;
    if (cand.size() > limit) cand.resize(limit);
    return cand;
}

// Given candidates: the cell of each point, passable and not excluded, the first point of a
// cell winning (in the order given); the exact MIP keeps the first exact_max_candidates.
std::vector<std::uint32_t> candidate_points(const cost_surface& surface, const std::vector<std::uint8_t>& excluded,
                                            const site_options& options, std::vector<std::ptrdiff_t>& point_of,
                                            std::size_t& unusable) {
    std::vector<std::uint32_t> cand;
    std::vector<std::uint8_t> taken(surface.g.cells(), 0);
    for (std::size_t p = 0; p < options.points.size(); ++p) {
        auto c = surface.g.cell_of(options.points[p].x, options.points[p].y);
        if (!c || std::isnan(surface.cost[*c]) || (!excluded.empty() && excluded[*c]) || taken[*c]) {
            ++unusable;
            continue;
        }
        taken[*c] = 1;
        cand.push_back(static_cast<std::uint32_t>(*c));
        point_of.push_back(static_cast<std::ptrdiff_t>(p));
    }
    if (options.exact && cand.size() > options.exact_max_candidates) {
        cand.resize(options.exact_max_candidates);
        point_of.resize(options.exact_max_candidates);
    }
    return cand;
}

}  // namespace

site_result propose_sites(const cost_surface& surface, const std::vector<double>& people,
                          const establishment_points& existing, const std::vector<std::uint8_t>& excluded,
                          const site_options& options) {
    // Who existing establishments already cover.
    std::vector<source> src;
    for (std::size_t i = 0; i < existing.size(); ++i)
        src.push_back({existing.x[i], existing.y[i], static_cast<std::int32_t>(i)});
    cost_distance_options o;
    o.moves = options.moves;
    o.max_cost = options.minutes;
    return propose_sites(surface, people, cost_distance(surface, src, o).cost, excluded, options);
}

site_result propose_sites(const cost_surface& surface, const std::vector<double>& people,
                          std::span<const float> existing_minutes, const std::vector<std::uint8_t>& excluded,
                          const site_options& options) {
    const grid& g = surface.g;
    const std::size_t n = g.cells();
    site_result r;
    r.total = std::accumulate(people.begin(), people.end(), 0.0);
    cost_distance_options o;
    o.moves = options.moves;
    o.max_cost = options.minutes;
    instance in;
    std::vector<std::int32_t> demand_of(n, -1);
    for (std::size_t c = 0; c < n; ++c) {
        if (!(people[c] > 0)) continue;
        if (existing_minutes[c] <= options.minutes) {
            r.covered_before += people[c];
            continue;
        }
        demand_of[c] = static_cast<std::int32_t>(in.weight.size());
        in.weight.push_back(people[c]);
    }
    r.demand_cells = in.weight.size();
    std::vector<std::ptrdiff_t> point_of;  // candidate -> given point (points mode)
    std::vector<std::uint32_t> cand = options.points.empty()
                                          ? candidate_cells(surface, people, demand_of, excluded, options)
                                          : candidate_points(surface, excluded, options, point_of, r.points_unusable);
    in.candidates = cand;
    in.covers.resize(cand.size());
    parallel_for(cand.size(), 0, [&](std::size_t j) {
        thread_local search_workspace ws;
        cost_distance_from(surface, cand[j], o, ws, [&](std::size_t c, float) {
            if (demand_of[c] >= 0) in.covers[j].push_back(static_cast<std::uint32_t>(demand_of[c]));
            return true;
        });
    });
    r.candidates = cand.size();
    auto make_site = [&](std::size_t j, double added, double covered) {
        site s;
        s.cell = in.candidates[j];
        auto [x, y] = g.centre(s.cell);
        s.x = x, s.y = y, s.added = added;
        if (!point_of.empty()) {
            s.point = point_of[j];
            s.x = options.points[static_cast<std::size_t>(s.point)].x;
            s.y = options.points[static_cast<std::size_t>(s.point)].y;
        }
        s.covered_after = r.total > 0 ? 100.0 * covered / r.total : 0;
        return s;
    };
    std::vector<double> added;
    auto chosen = greedy(in, options.k, r.total, r.covered_before, options.target_pct, &added);
    double covered = r.covered_before;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        covered += added[i];
        r.greedy.push_back(make_site(chosen[i], added[i], covered));
    }
    if (!options.exact) return r;
    const std::size_t k = chosen.size();
    if (k == 0) {
        r.exact_status = "skipped: no site adds people";
        return r;
    }
    // The MIP: x_j (candidates, binary) then y_i (continuous in [0, 1]) for each group of demand
    // cells covered by the same candidates (cells no candidate covers cannot change the answer).
    std::vector<std::vector<int>> covered_by(in.weight.size());
    for (std::size_t j = 0; j < in.candidates.size(); ++j)
        for (auto d : in.covers[j]) covered_by[d].push_back(static_cast<int>(j));
    std::map<std::vector<int>, double> groups;
    for (std::size_t d = 0; d < in.weight.size(); ++d)
        if (!covered_by[d].empty()) groups[covered_by[d]] += in.weight[d];
    Cbc_Model* m = Cbc_newModel();
    const int nc = static_cast<int>(in.candidates.size());
    for (int j = 0; j < nc; ++j) Cbc_addCol(m, "", 0, 1, 0, 1, 0, nullptr, nullptr);
    int row = nc;
    for (const auto& [by, w] : groups) Cbc_addCol(m, "", 0, 1, w, 0, 0, nullptr, nullptr);
    for (const auto& [by, w] : groups) {  // y_g - Σ x_j <= 0
        std::vector<int> cols = {row++};
        std::vector<double> coefs = {1.0};
        for (int j : by) cols.push_back(j), coefs.push_back(-1.0);
        Cbc_addRow(m, "", static_cast<int>(cols.size()), cols.data(), coefs.data(), 'L', 0.0);
    }
    {
        std::vector<int> cols(static_cast<std::size_t>(nc));
        std::iota(cols.begin(), cols.end(), 0);
        std::vector<double> ones(static_cast<std::size_t>(nc), 1.0);
        Cbc_addRow(m, "", nc, cols.data(), ones.data(), 'E', static_cast<double>(k));
    }
    r.exact_groups = groups.size();
    Cbc_setObjSense(m, -1);  // maximise
    Cbc_setLogLevel(m, 0);
    Cbc_setMaximumSeconds(m, options.exact_seconds);
    Cbc_setAllowableFractionGap(m, 1e-9);
    // The greedy's answer as a start.
    std::vector<int> start_idx;
    std::vector<double> start_val;
    for (auto j : chosen) start_idx.push_back(static_cast<int>(j)), start_val.push_back(1.0);
    Cbc_setMIPStartI(m, static_cast<int>(start_idx.size()), start_idx.data(), start_val.data());
    Cbc_solve(m);
    const double* x = Cbc_getColSolution(m);
    if (x) {
        std::vector<std::size_t> picked;
        for (int j = 0; j < nc; ++j)
            if (x[j] > 0.5) picked.push_back(static_cast<std::size_t>(j));
        // The people the chosen sites cover, counted exactly (not the LP's y).
        std::vector<std::uint8_t> taken(in.weight.size(), 0);
        double best = 0, cum = r.covered_before;
        for (auto j : picked) {
            double a = 0;
            for (auto d : in.covers[j])
                if (!taken[d]) taken[d] = 1, a += in.weight[d];
            best += a;
            cum += a;
            r.exact_sites.push_back(make_site(j, a, cum));
        }
        double greedy_added = std::accumulate(added.begin(), added.end(), 0.0);
        r.exact_added = best;
        r.gap = best > 0 ? std::max(0.0, (best - greedy_added) / best) : 0.0;
        r.exact_status =
            Cbc_isProvenOptimal(m) ? "optimal" : (Cbc_isSecondsLimitReached(m) ? "time limit" : "not proven");
    } else {
        r.exact_status = "no solution";
    }
    Cbc_deleteModel(m);
    return r;
}

}  // namespace microplan::geo::access
