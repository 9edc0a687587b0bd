#include "microplan/geo/design/partition.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <numbers>
#include <numeric>
#include <queue>
#include <random>
#include <set>
#include <tuple>
#include <unordered_map>

#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/population/zonal.hpp"

namespace microplan::geo::design {

weight_rasters read_weight_rasters(const std::vector<std::string>& paths, const std::string& analysis_crs) {
    weight_rasters w;
    for (const auto& p : paths) w.grids.push_back(read_population_grid(p, analysis_crs));
    return w;
}

namespace {

constexpr double sub_cells_per_part = 160;
constexpr int max_sub_factor = 16;

// A transformer per thread and CRS pair (PROJ objects are not shared between threads).
const proj::transformer& thread_transformer(const std::string& from, const std::string& to) {
    thread_local std::map<std::pair<std::string, std::string>, std::unique_ptr<proj::transformer>> cache;
    auto& t = cache[{from, to}];
    if (!t) t = std::make_unique<proj::transformer>(from, to);
    return *t;
}

geos::geom_ptr make_box(double minx, double miny, double maxx, double maxy) {
    auto h = geos::thread_context().handle();
    return geos::own(GEOSGeom_createRectangle_r(h, minx, miny, maxx, maxy));
}

// The grid an atom is split on: a raster's grid (with its people) or a uniform lon/lat grid.
struct split_grid {
    double x0 = 0, y0 = 0, ew = 1, ns = 1;  // top-left corner, cell size
    std::size_t cols = 0, rows = 0;
    const std::vector<float>* people = nullptr;  // null: uniform weights
    std::string crs = "EPSG:4326";
};

struct split_result {
    std::vector<sub_cell> subs;
    std::vector<double> weights;
    std::vector<double> cx, cy;
    std::string crs;
    bool uniform = false;
};

split_result split_atom(const unit& atom, int parts, const weight_rasters& rasters, const std::string& analysis_crs) {
    auto h = geos::thread_context().handle();
    // The raster holding the atom's interior point.
    geos::geom_ptr inside = geos::own(GEOSPointOnSurface_r(h, atom.geometry.get()));
    double px = 0, py = 0;
    GEOSGeomGetX_r(h, inside.get(), &px);
    GEOSGeomGetY_r(h, inside.get(), &py);
    split_grid sg;
    for (const auto& r : rasters.grids) {
        double x = px, y = py;
        if (!thread_transformer("EPSG:4326", r.g.crs_wkt).forward(x, y)) continue;
        if (!r.g.cell_of(x, y)) continue;
        sg = {r.g.x0, r.g.y0, r.g.ew_res, r.g.ns_res, r.g.cols, r.g.rows, &r.people, r.g.crs_wkt};
        break;
    }
    geos::geom_ptr g = sg.people ? thread_transformer("EPSG:4326", sg.crs).forward(atom.geometry.get())
                                 : geos::clone(atom.geometry.get());
    geos::envelope e = geos::envelope_of(g.get());
    if (!sg.people) {
        // No raster: a lon/lat grid sized for the parts wanted.
        double side = std::sqrt(std::max((e.maxx - e.minx) * (e.maxy - e.miny), 1e-12) / (sub_cells_per_part * parts));
        sg.x0 = e.minx - side * 0.5, sg.y0 = e.maxy + side * 0.5, sg.ew = sg.ns = side;
        sg.cols = static_cast<std::size_t>(std::ceil((e.maxx - sg.x0) / side)) + 1;
        sg.rows = static_cast<std::size_t>(std::ceil((sg.y0 - e.miny) / side)) + 1;
    }
    // The window of whole cells covering the atom.
    auto clampi = [](double v, std::size_t n) {
        return static_cast<long>(std::clamp(v, 0.0, static_cast<double>(n) - 1));
    };
    long c0 = clampi(std::floor((e.minx - sg.x0) / sg.ew), sg.cols),
         c1 = clampi(std::floor((e.maxx - sg.x0) / sg.ew), sg.cols);
    long r0 = clampi(std::floor((sg.y0 - e.maxy) / sg.ns), sg.rows),
         r1 = clampi(std::floor((sg.y0 - e.miny) / sg.ns), sg.rows);
    const double wx0 = sg.x0 + static_cast<double>(c0) * sg.ew, wy0 = sg.y0 - static_cast<double>(r0) * sg.ns;
    auto coverage = [&](int s, const std::function<void(int, int, double)>& visit) {
        const double dx = sg.ew / s, dy = sg.ns / s;
        geos::geom_ptr gg = geos::transform_xy(g.get(), [&](double& x, double& y) {
            x = (x - wx0) / dx;
            y = (wy0 - y) / dy;
            return true;
        });
        cell_coverage(gg.get(), static_cast<int>((c1 - c0 + 1) * s), static_cast<int>((r1 - r0 + 1) * s), visit);
    };
    // How many whole cells it covers sets the sub-factor.
    std::size_t covered = 0;
    coverage(1, [&](int, int, double) { ++covered; });
    int s = sg.people ? static_cast<int>(std::ceil(
                            std::sqrt(sub_cells_per_part * parts / std::max(static_cast<double>(covered), 1.0))))
                      : 1;
    s = std::clamp(s, 1, max_sub_factor);
    split_result out;
    out.crs = sg.crs;
    const double dx = sg.ew / s, dy = sg.ns / s;
    coverage(s, [&](int c, int r, double f) {
        sub_cell sc{c, r, f, wx0 + c * dx, wy0 - (r + 1) * dy, wx0 + (c + 1) * dx, wy0 - r * dy};
        double w = f;
        if (sg.people) {
            std::size_t cell = static_cast<std::size_t>(r0 + r / s) * sg.cols + static_cast<std::size_t>(c0 + c / s);
            w = (*sg.people)[cell] * f / (static_cast<double>(s) * s);
        }
        out.subs.push_back(sc);
        out.weights.push_back(w);
    });
    double total = 0;
    for (double w : out.weights) total += w;
    out.uniform = !sg.people;
    if (!(total > 0)) {
        out.uniform = true;
        for (std::size_t i = 0; i < out.subs.size(); ++i) out.weights[i] = out.subs[i].fraction;
    }
    const auto& to_analysis = thread_transformer(sg.crs, analysis_crs);
    for (const auto& sc : out.subs) {
        double x = (sc.minx + sc.maxx) / 2, y = (sc.miny + sc.maxy) / 2;
        to_analysis.forward(x, y);
        out.cx.push_back(x);
        out.cy.push_back(y);
    }
    return out;
}

std::pair<double, double> centre_of(const unit& u) {
    auto h = geos::thread_context().handle();
    geos::geom_ptr c = geos::own(GEOSPointOnSurface_r(h, u.projected.get()));
    double x = 0, y = 0;
    GEOSGeomGetX_r(h, c.get(), &x);
    GEOSGeomGetY_r(h, c.get(), &y);
    return {x, y};
}

bool boxes_meet(const sub_cell& a, const sub_cell& b, double eps) {
    return a.minx <= b.maxx + eps && b.minx <= a.maxx + eps && a.miny <= b.maxy + eps && b.miny <= a.maxy + eps;
}

}  // namespace

std::vector<std::vector<std::uint32_t>> atom_adjacency(const unit_layer& atoms, unsigned threads) {
    const std::size_t n = atoms.units.size();
    std::vector<geos::envelope> env(n);
    for (std::size_t i = 0; i < n; ++i) env[i] = geos::envelope_of(atoms.units[i].geometry.get());
    std::vector<std::uint32_t> order(n);
    for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return env[a].minx < env[b].minx; });
    std::vector<std::vector<std::uint32_t>> found(n);
    parallel_for(n, threads, [&](std::size_t oi) {
        auto h = geos::thread_context().handle();
        const std::uint32_t a = order[oi];
        geos::prepared_ptr prep(GEOSPrepare_r(h, atoms.units[a].geometry.get()), geos::prepared_deleter{h});
        for (std::size_t oj = oi + 1; oj < n && env[order[oj]].minx <= env[a].maxx; ++oj) {
            const std::uint32_t b = order[oj];
            if (env[b].miny > env[a].maxy || env[b].maxy < env[a].miny) continue;
            if (GEOSPreparedIntersects_r(h, prep.get(), atoms.units[b].geometry.get()) == 1) found[oi].push_back(b);
        }
    });
    std::vector<std::vector<std::uint32_t>> adj(n);
    for (std::size_t oi = 0; oi < n; ++oi)
        for (std::uint32_t b : found[oi]) {
            adj[order[oi]].push_back(b);
            adj[b].push_back(order[oi]);
        }
    for (auto& l : adj) std::sort(l.begin(), l.end());
    return adj;
}

piece_graph piece_graph::build(const unit_layer& atoms, std::span<const double> population,
                               std::span<const int> split_parts, const weight_rasters& rasters,
                               const std::string& analysis_crs, unsigned threads) {
    const std::size_t n = atoms.units.size();
    piece_graph g;
    g.subs_.resize(n);
    g.sub_crs_.resize(n);
    std::vector<split_result> splits(n);
    std::vector<std::pair<double, double>> centres(n);
    parallel_for(n, threads, [&](std::size_t a) {
        centres[a] = centre_of(atoms.units[a]);
        if (split_parts[a] >= 2) splits[a] = split_atom(atoms.units[a], split_parts[a], rasters, analysis_crs);
    });
    // Pieces, atom by atom.
    g.atom_start_.push_back(0);
    for (std::size_t a = 0; a < n; ++a) {
        auto& sr = splits[a];
        if (sr.subs.empty()) {
            g.by_atom_.push_back(static_cast<std::uint32_t>(g.pieces_.size()));
            g.pieces_.push_back(
                {static_cast<std::uint32_t>(a), -1, population[a], centres[a].first, centres[a].second});
        } else {
            double total = 0;
            for (double w : sr.weights) total += w;
            for (std::size_t i = 0; i < sr.subs.size(); ++i) {
                g.by_atom_.push_back(static_cast<std::uint32_t>(g.pieces_.size()));
                g.pieces_.push_back({static_cast<std::uint32_t>(a), static_cast<std::int32_t>(i),
                                     total > 0 ? population[a] * sr.weights[i] / total : 0, sr.cx[i], sr.cy[i]});
            }
            if (sr.uniform) g.uniform_.push_back(static_cast<std::uint32_t>(a));
            g.subs_[a] = std::move(sr.subs);
            g.sub_crs_[a] = std::move(sr.crs);
        }
        g.atom_start_.push_back(static_cast<std::uint32_t>(g.by_atom_.size()));
    }
    // Edges: inside split atoms, then between touching atoms.
    std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> edges(n);
    auto adj = atom_adjacency(atoms, threads);
    parallel_for(n, threads, [&](std::size_t a) {
        auto h = geos::thread_context().handle();
        auto& out = edges[a];
        auto pa = g.pieces_of(a);
        if (g.is_split(a)) {
            const auto& subs = g.subs_[a];
            std::unordered_map<std::int64_t, std::uint32_t> at;
            auto key = [](std::int64_t c, std::int64_t r) { return (r << 32) | (c & 0xffffffff); };
            for (std::size_t i = 0; i < subs.size(); ++i) at[key(subs[i].col, subs[i].row)] = pa[i];
            for (std::size_t i = 0; i < subs.size(); ++i) {
                for (auto [dc, dr] : {std::pair{1, 0}, std::pair{0, 1}}) {
                    auto it = at.find(key(subs[i].col + dc, subs[i].row + dr));
                    if (it != at.end()) out.emplace_back(pa[i], it->second);
                }
            }
        }
        for (std::uint32_t b : adj[a]) {
            if (b < a) continue;
            auto pb = g.pieces_of(b);
            if (!g.is_split(a) && !g.is_split(b)) {
                out.emplace_back(pa[0], pb[0]);
                continue;
            }
            // The border sub-cells of one atom that meet the other atom.
            auto meeting = [&](std::size_t x, std::size_t y) {
                std::vector<std::size_t> idx;
                const auto& subs = g.subs_[x];
                geos::geom_ptr other =
                    thread_transformer("EPSG:4326", g.sub_crs_[x]).forward(atoms.units[y].geometry.get());
                if (!other) return idx;
                geos::prepared_ptr prep(GEOSPrepare_r(h, other.get()), geos::prepared_deleter{h});
                geos::envelope oe = geos::envelope_of(other.get());
                for (std::size_t i = 0; i < subs.size(); ++i) {
                    const auto& s = subs[i];
                    if (s.fraction >= 1 - 1e-9) continue;
                    if (s.minx > oe.maxx || s.maxx < oe.minx || s.miny > oe.maxy || s.maxy < oe.miny) continue;
                    geos::geom_ptr box = make_box(s.minx, s.miny, s.maxx, s.maxy);
                    if (GEOSPreparedIntersects_r(h, prep.get(), box.get()) == 1) idx.push_back(i);
                }
                return idx;
            };
            if (g.is_split(a) && g.is_split(b) && g.sub_crs_[a] == g.sub_crs_[b]) {
                auto ia = meeting(a, b), ib = meeting(b, a);
                for (std::size_t i : ia)
                    for (std::size_t j : ib)
                        if (boxes_meet(g.subs_[a][i], g.subs_[b][j], 1e-12)) out.emplace_back(pa[i], pb[j]);
            } else if (g.is_split(a) && g.is_split(b)) {
                // Different grids (two rasters): the nearest border sub-cells meet.
                auto ia = meeting(a, b), ib = meeting(b, a);
                for (std::size_t i : ia)
                    for (std::size_t j : ib) out.emplace_back(pa[i], pb[j]);
            } else {
                std::size_t split = g.is_split(a) ? a : b, whole = g.is_split(a) ? b : a;
                auto ps = g.pieces_of(split);
                std::uint32_t pw = g.pieces_of(whole)[0];
                for (std::size_t i : meeting(split, whole)) out.emplace_back(ps[i], pw);
            }
        }
    });
    std::vector<std::vector<std::uint32_t>> lists(g.pieces_.size());
    for (const auto& e : edges)
        for (auto [u, v] : e) {
            lists[u].push_back(v);
            lists[v].push_back(u);
        }
    g.adj_start_.push_back(0);
    for (auto& l : lists) {
        std::sort(l.begin(), l.end());
        l.erase(std::unique(l.begin(), l.end()), l.end());
        g.adj_.insert(g.adj_.end(), l.begin(), l.end());
        g.adj_start_.push_back(static_cast<std::uint32_t>(g.adj_.size()));
    }
    return g;
}

namespace {

// A uniform double in [0, 1) from the generator's bits: std::uniform_real_distribution is
// implementation-defined, this is the same on every platform.
double unit_random(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

struct growth {
    std::vector<int> output_of;
    std::vector<double> population;
    std::size_t unreachable = 0;
    double score = 0;  // largest relative deviation from the targets
};

// One region's design: the pieces, who may take them, the outputs' centres and seeds, and
// the growth, Lloyd rounds and flips over them. One per grow_region call.
class region_grower {
public:
    region_grower(const piece_graph& graph, const region_problem& problem)
        : graph_(graph),
          problem_(problem),
          all_(graph.pieces()),
          n_(problem.pieces.size()),
          K_(static_cast<int>(problem.targets.size())),
          targets_(problem.targets),
          allowed_(n_, nullptr),
          fixed_(n_, -1),
          has_fixed_(static_cast<std::size_t>(K_), false),
          cx_(static_cast<std::size_t>(K_), 0),
          cy_(static_cast<std::size_t>(K_), 0),
          seed_(static_cast<std::size_t>(K_), -1) {
        local_.reserve(n_ * 2);
        for (std::size_t i = 0; i < n_; ++i) local_.emplace(problem_.pieces[i], static_cast<std::uint32_t>(i));
        std::unordered_map<std::uint32_t, const std::vector<int>*> allowed_of_atom;
        for (const auto& [atom, outs] : problem_.allowed)
            if (!outs.empty()) allowed_of_atom[atom] = &outs;
        for (std::size_t i = 0; i < n_; ++i) {
            auto it = allowed_of_atom.find(all_[problem_.pieces[i]].atom);
            if (it == allowed_of_atom.end()) continue;
            allowed_[i] = it->second;
            if (it->second->size() == 1) fixed_[i] = it->second->front();
        }
        for (std::size_t i = 0; i < n_; ++i)
            if (fixed_[i] >= 0) has_fixed_[static_cast<std::size_t>(fixed_[i])] = true;
    }

    region_result run() {
        centre_fixed();
        std::mt19937_64 rng(problem_.seed);
        place_seeds(rng);
        growth best = grow();
        if (problem_.settle_free && settle_free(best)) best = grow();
        for (int round = 0; round < problem_.rounds; ++round) {
            if (!lloyd_step(best)) break;
            growth next = grow();
            if (next.score < best.score - 1e-12)
                best = std::move(next);
            else
                break;
        }
        refine(best);
        region_result out;
        out.output_of = std::move(best.output_of);
        out.population = std::move(best.population);
        out.unreachable = best.unreachable;
        out.targets = std::move(targets_);
        return out;
    }

private:
    [[nodiscard]] bool may(std::size_t i, int k) const {
        return !allowed_[i] || std::find(allowed_[i]->begin(), allowed_[i]->end(), k) != allowed_[i]->end();
    }
    [[nodiscard]] double X(std::size_t i) const { return all_[problem_.pieces[i]].x; }
    [[nodiscard]] double Y(std::size_t i) const { return all_[problem_.pieces[i]].y; }
    [[nodiscard]] double P(std::size_t i) const { return all_[problem_.pieces[i]].population; }

    // Centres of outputs with fixed pieces: their population centroid.
    void centre_fixed() {
        std::vector<double> w(static_cast<std::size_t>(K_), 0);
        for (std::size_t i = 0; i < n_; ++i) {
            if (fixed_[i] < 0) continue;
            auto k = static_cast<std::size_t>(fixed_[i]);
            double wi = P(i) + 1e-9;
            cx_[k] += X(i) * wi, cy_[k] += Y(i) * wi, w[k] += wi;
        }
        for (int k = 0; k < K_; ++k)
            if (has_fixed_[k]) cx_[k] /= w[k], cy_[k] /= w[k];
    }

    // Connected parts of what is not fixed, through pieces open to the same outputs (an atom
    // in two pieces, islands, a city part cut off by parishes split among other circuits):
    // the part of each piece (-1 for fixed pieces) and the people of each part.
    [[nodiscard]] std::pair<std::vector<int>, std::vector<double>> connected_parts() const {
        std::vector<int> part(n_, -1);
        std::vector<double> part_pop;
        for (std::size_t i = 0; i < n_; ++i) {
            if (part[i] >= 0 || fixed_[i] >= 0) continue;  // parts of what outputs still share
            const int c = static_cast<int>(part_pop.size());
            part_pop.push_back(0);
            std::vector<std::size_t> stack{i};
            part[i] = c;
            while (!stack.empty()) {
                std::size_t u = stack.back();
                stack.pop_back();
                part_pop[static_cast<std::size_t>(c)] += P(u);
                for (std::uint32_t q : graph_.neighbours(problem_.pieces[u])) {
                    auto it = local_.find(q);
                    if (it == local_.end() || part[it->second] >= 0 || fixed_[it->second] >= 0) continue;
                    if (allowed_[it->second] != allowed_[u] &&
                        !(allowed_[u] && allowed_[it->second] && *allowed_[u] == *allowed_[it->second]))
                        continue;  // another set of outputs: not a way through for these
                    part[it->second] = c;
                    stack.push_back(it->second);
                }
            }
        }
        return {std::move(part), std::move(part_pop)};
    }

    // Seeds for the outputs that need one: the given starting points, then k-means++ on people
    // within the connected part each output is given. An output needs a seed when it has no
    // fixed pieces, or when it shares a split atom none of its fixed pieces touch (a district
    // with a far rural parish and a share of the city): it could not grow there otherwise.
    void place_seeds(std::mt19937_64& rng) {
        // Seeds go in the pieces an output is named for (a split atom it shares), not in free
        // atoms that may lie away from them; free pieces only when it has nothing else.
        std::vector<bool> named(static_cast<std::size_t>(K_), false), touches(static_cast<std::size_t>(K_), false);
        for (std::size_t i = 0; i < n_; ++i) {
            if (!allowed_[i] || fixed_[i] >= 0) continue;
            for (int k : *allowed_[i]) named[static_cast<std::size_t>(k)] = true;
            for (std::uint32_t q : graph_.neighbours(problem_.pieces[i])) {
                auto it = local_.find(q);
                if (it != local_.end() && fixed_[it->second] >= 0 && may(i, fixed_[it->second]))
                    touches[static_cast<std::size_t>(fixed_[it->second])] = true;
            }
        }
        std::vector<bool> needs(static_cast<std::size_t>(K_));
        for (int k = 0; k < K_; ++k) needs[k] = !has_fixed_[k] || (named[k] && !touches[k]);
        std::vector<std::pair<double, double>> placed;
        for (int k = 0; k < K_; ++k)
            if (!needs[k]) placed.emplace_back(cx_[k], cy_[k]);
        std::vector<bool> taken(n_, false);
        // Seeds are shared among the connected parts in proportion to their people (D'Hondt),
        // so a small exclave does not take two seeds.
        auto [part, part_pop] = connected_parts();
        std::vector<double> part_seeds(part_pop.size(), 0);
        std::vector<int> part_of_output(static_cast<std::size_t>(K_), -1);
        auto seedable_any_part = [&](std::size_t i, int k) {
            if (fixed_[i] >= 0 || taken[i] || !may(i, k)) return false;
            return !named[static_cast<std::size_t>(k)] || allowed_[i] != nullptr;
        };
        auto choose_part = [&](int k) {
            std::vector<bool> has(part_pop.size(), false);
            for (std::size_t i = 0; i < n_; ++i)
                if (seedable_any_part(i, k)) has[static_cast<std::size_t>(part[i])] = true;
            int best = -1;
            double best_q = -1;
            for (std::size_t c = 0; c < part_pop.size(); ++c) {
                if (!has[c]) continue;
                double q = part_pop[c] / (part_seeds[c] + 1);
                if (q > best_q) best_q = q, best = static_cast<int>(c);
            }
            if (best >= 0) part_seeds[static_cast<std::size_t>(best)] += 1;
            part_of_output[static_cast<std::size_t>(k)] = best;
        };
        auto seedable = [&](std::size_t i, int k) {
            return seedable_any_part(i, k) && part[i] >= 0 &&
                   (part_of_output[static_cast<std::size_t>(k)] < 0 ||
                    part[i] == part_of_output[static_cast<std::size_t>(k)]);
        };
        // Given starting points first.
        for (int k = 0; k < K_; ++k) {
            if (!needs[k] || static_cast<std::size_t>(k) >= problem_.seed_points.size() || !problem_.seed_points[k])
                continue;
            auto [sx, sy] = *problem_.seed_points[k];
            double bd = std::numeric_limits<double>::infinity();
            for (std::size_t i = 0; i < n_; ++i) {
                if (!seedable(i, k)) continue;
                double d = (X(i) - sx) * (X(i) - sx) + (Y(i) - sy) * (Y(i) - sy);
                if (d < bd) bd = d, seed_[k] = static_cast<std::ptrdiff_t>(i);
            }
            if (seed_[k] < 0) continue;
            taken[static_cast<std::size_t>(seed_[k])] = true;
            cx_[k] = X(static_cast<std::size_t>(seed_[k])), cy_[k] = Y(static_cast<std::size_t>(seed_[k]));
            placed.emplace_back(cx_[k], cy_[k]);
        }
        for (int k = 0; k < K_; ++k) {
            if (!needs[k] || seed_[k] >= 0) continue;
            choose_part(k);
            std::vector<double> weight(n_, 0);
            double total = 0;
            for (std::size_t i = 0; i < n_; ++i) {
                if (!seedable(i, k)) continue;
                double d2 = 1;
                if (!placed.empty()) {
                    d2 = std::numeric_limits<double>::infinity();
                    for (auto [px, py] : placed)
                        d2 = std::min(d2, (X(i) - px) * (X(i) - px) + (Y(i) - py) * (Y(i) - py));
                }
                weight[i] = (P(i) + 1e-6) * d2;
                total += weight[i];
            }
            if (!(total > 0)) continue;  // nothing it may take: it stays empty
            double r = unit_random(rng) * total;
            std::size_t pick = n_;
            for (std::size_t i = 0; i < n_; ++i) {
                if (weight[i] <= 0) continue;
                pick = i;
                r -= weight[i];
                if (r < 0) break;
            }
            seed_[k] = static_cast<std::ptrdiff_t>(pick);
            taken[pick] = true;
            cx_[k] = X(pick), cy_[k] = Y(pick);
            placed.emplace_back(cx_[k], cy_[k]);
        }
    }

    // Every piece to an output: fixed pieces and seeds first, then the least-filled output
    // takes the nearest piece on its frontier.
    [[nodiscard]] growth grow() const {
        growth gr;
        gr.output_of.assign(n_, -1);
        gr.population.assign(static_cast<std::size_t>(K_), 0);
        using entry = std::pair<double, std::uint32_t>;
        std::vector<std::priority_queue<entry, std::vector<entry>, std::greater<>>> frontier(
            static_cast<std::size_t>(K_));
        auto take = [&](std::size_t i, int k) {
            gr.output_of[i] = k;
            gr.population[static_cast<std::size_t>(k)] += P(i);
        };
        auto push_neighbours = [&](std::size_t i, int k) {
            for (std::uint32_t nb : graph_.neighbours(problem_.pieces[i])) {
                auto it = local_.find(nb);
                if (it == local_.end()) continue;
                std::size_t j = it->second;
                if (gr.output_of[j] >= 0 || !may(j, k)) continue;
                double d = (X(j) - cx_[k]) * (X(j) - cx_[k]) + (Y(j) - cy_[k]) * (Y(j) - cy_[k]);
                frontier[static_cast<std::size_t>(k)].emplace(d, static_cast<std::uint32_t>(j));
            }
        };
        for (std::size_t i = 0; i < n_; ++i)
            if (fixed_[i] >= 0) take(i, fixed_[i]);
        for (int k = 0; k < K_; ++k)
            if (seed_[k] >= 0 && gr.output_of[static_cast<std::size_t>(seed_[k])] < 0)
                take(static_cast<std::size_t>(seed_[k]), k);
        for (std::size_t i = 0; i < n_; ++i)
            if (gr.output_of[i] >= 0) push_neighbours(i, gr.output_of[i]);
        auto ratio = [&](int k) {
            double t = targets_[static_cast<std::size_t>(k)];
            return t > 0 ? gr.population[static_cast<std::size_t>(k)] / t : std::numeric_limits<double>::infinity();
        };
        using turn = std::pair<double, int>;
        std::priority_queue<turn, std::vector<turn>, std::greater<>> order;
        for (int k = 0; k < K_; ++k) order.emplace(ratio(k), k);
        while (!order.empty()) {
            auto [rk, k] = order.top();
            order.pop();
            if (rk != ratio(k)) continue;  // stale
            auto& f = frontier[static_cast<std::size_t>(k)];
            while (!f.empty() && gr.output_of[f.top().second] >= 0) f.pop();
            if (f.empty()) continue;  // exhausted
            std::size_t i = f.top().second;
            f.pop();
            take(i, k);
            push_neighbours(i, k);
            order.emplace(ratio(k), k);
        }
        // What no allowed output reached goes to the nearest allowed centre.
        for (std::size_t i = 0; i < n_; ++i) {
            if (gr.output_of[i] >= 0) continue;
            int best = -1;
            double bd = std::numeric_limits<double>::infinity();
            for (int k = 0; k < K_; ++k) {
                if (!may(i, k)) continue;
                double d = (X(i) - cx_[k]) * (X(i) - cx_[k]) + (Y(i) - cy_[k]) * (Y(i) - cy_[k]);
                if (d < bd) bd = d, best = k;
            }
            if (best < 0) best = 0;
            take(i, best);
            ++gr.unreachable;
        }
        for (int k = 0; k < K_; ++k) {
            double t = targets_[static_cast<std::size_t>(k)];
            if (t > 0) gr.score = std::max(gr.score, std::abs(gr.population[static_cast<std::size_t>(k)] / t - 1));
        }
        return gr;
    }

    // Free pieces stay where the first growth put them and count in that output's target, so
    // the split pieces balance the totals. True when there were any.
    bool settle_free(const growth& first) {
        bool any = false;
        for (std::size_t i = 0; i < n_; ++i) {
            if (allowed_[i]) continue;
            auto k = static_cast<std::size_t>(first.output_of[i]);
            fixed_[i] = first.output_of[i];
            targets_[k] += P(i);
            has_fixed_[k] = true;
            any = true;
        }
        return any;
    }

    // One Lloyd step: centres to the population centroid of what each output got, seeds to the
    // piece nearest that centroid. False when no centre moved.
    bool lloyd_step(const growth& last) {
        std::vector<double> w(static_cast<std::size_t>(K_), 0), sx(static_cast<std::size_t>(K_), 0),
            sy(static_cast<std::size_t>(K_), 0);
        for (std::size_t i = 0; i < n_; ++i) {
            auto k = static_cast<std::size_t>(last.output_of[i]);
            double wi = P(i) + 1e-9;
            sx[k] += X(i) * wi, sy[k] += Y(i) * wi, w[k] += wi;
        }
        bool moved = false;
        for (int k = 0; k < K_; ++k) {
            if (!(w[k] > 0)) continue;
            double nx = sx[k] / w[k], ny = sy[k] / w[k];
            if (std::abs(nx - cx_[k]) + std::abs(ny - cy_[k]) > 1) moved = true;
            cx_[k] = nx, cy_[k] = ny;
            if (has_fixed_[k]) continue;
            double bd = std::numeric_limits<double>::infinity();
            for (std::size_t i = 0; i < n_; ++i) {
                if (last.output_of[i] != k || fixed_[i] >= 0) continue;
                double d = (X(i) - nx) * (X(i) - nx) + (Y(i) - ny) * (Y(i) - ny);
                if (d < bd) bd = d, seed_[k] = static_cast<std::ptrdiff_t>(i);
            }
        }
        return moved;
    }

    // Boundary moves (GerryChain's "flip"): a piece moves to a neighbouring output when that
    // lowers the two outputs' summed squared relative deviations (so surplus flows on through
    // outputs already at their target), keeps the giving output connected and does not
    // leave the piece poking into its new output (it must touch it at least as much as it
    // touched the old one, less one).
    void refine(growth& g) const {
        std::vector<std::vector<std::uint32_t>> nb(n_);
        for (std::size_t i = 0; i < n_; ++i)
            for (std::uint32_t q : graph_.neighbours(problem_.pieces[i])) {
                auto it = local_.find(q);
                if (it != local_.end()) nb[i].push_back(it->second);
            }
        auto miss = [&](std::size_t k, double pop) {
            double t = targets_[k];
            return t > 0 ? (pop - t) * (pop - t) / (t * t) : 0.0;
        };
        std::vector<std::uint32_t> mark(n_, 0);
        std::uint32_t stamp = 0;
        // Does output k stay connected without piece i? BFS from one of i's k-neighbours until
        // all of them are reached.
        auto stays_connected = [&](std::size_t i, int k) {
            std::vector<std::uint32_t> want;
            for (std::uint32_t j : nb[i])
                if (g.output_of[j] == k) want.push_back(j);
            if (want.size() <= 1) return !want.empty();
            ++stamp;
            mark[i] = stamp;
            std::vector<std::uint32_t> stack{want[0]};
            mark[want[0]] = stamp;
            std::size_t found = 1;
            std::vector<char> is_want(want.size(), 0);
            while (!stack.empty() && found < want.size()) {
                std::uint32_t u = stack.back();
                stack.pop_back();
                for (std::uint32_t v : nb[u]) {
                    if (mark[v] == stamp || g.output_of[v] != k) continue;
                    mark[v] = stamp;
                    for (std::size_t w = 1; w < want.size(); ++w)
                        if (want[w] == v && !is_want[w]) is_want[w] = 1, ++found;
                    stack.push_back(v);
                }
            }
            return found == want.size();
        };
        for (int pass = 0; pass < 400; ++pass) {
            std::size_t moves = 0;
            for (std::size_t i = 0; i < n_; ++i) {
                if (fixed_[i] >= 0) continue;
                const int from = g.output_of[i];
                const auto f = static_cast<std::size_t>(from);
                int best_to = -1;
                double best_gain = 1e-15;
                std::map<int, int> touch;
                for (std::uint32_t j : nb[i]) ++touch[g.output_of[j]];
                for (const auto& [to, count] : touch) {
                    if (to == from || !may(i, to) || count < touch[from] - 1) continue;
                    const auto t = static_cast<std::size_t>(to);
                    // An empty piece weighs a thousandth of a person, so outputs can cross
                    // uninhabited land (a park, a hillside) towards people.
                    const double w = P(i) + 1e-3;
                    double before = miss(f, g.population[f]) + miss(t, g.population[t]);
                    double after = miss(f, g.population[f] - w) + miss(t, g.population[t] + w);
                    if (before - after > best_gain) best_gain = before - after, best_to = to;
                }
                if (best_to < 0 || !stays_connected(i, from)) continue;
                g.population[f] -= P(i);
                g.population[static_cast<std::size_t>(best_to)] += P(i);
                g.output_of[i] = best_to;
                ++moves;
            }
            if (moves == 0) break;
        }
    }

    const piece_graph& graph_;
    const region_problem& problem_;
    const std::vector<piece>& all_;
    const std::size_t n_;
    const int K_;
    std::vector<double> targets_;                             // the problem's, plus settled free pieces
    std::unordered_map<std::uint32_t, std::uint32_t> local_;  // graph piece -> region index
    std::vector<const std::vector<int>*> allowed_;            // per region piece; null: any output
    std::vector<int> fixed_;                                  // per region piece; -1: not fixed
    std::vector<bool> has_fixed_;
    std::vector<double> cx_, cy_;  // output centres
    std::vector<std::ptrdiff_t> seed_;
};

}  // namespace

region_result grow_region(const piece_graph& graph, const region_problem& problem) {
    if (problem.targets.empty() || problem.pieces.empty()) {
        region_result r;
        r.output_of.assign(problem.pieces.size(), -1);
        r.population.assign(problem.targets.size(), 0);
        r.targets = problem.targets;
        return r;
    }
    return region_grower(graph, problem).run();
}

std::vector<bool> balanced_targets(const piece_graph& graph, region_problem& problem, std::size_t outputs,
                                   const std::function<double(std::uint32_t, int)>& weight) {
    std::unordered_map<std::uint32_t, const std::vector<int>*> allowed;
    for (const auto& [atom, outs] : problem.allowed) allowed[atom] = &outs;
    std::vector<double> target(outputs, 0);
    std::vector<bool> shaped(outputs, false);
    std::map<std::uint32_t, double> contested;
    for (std::uint32_t p : problem.pieces) {
        const piece& pc = graph.pieces()[p];
        auto it = allowed.find(pc.atom);
        if (it == allowed.end() || it->second->empty()) continue;  // free: whoever grows into it
        if (it->second->size() == 1)
            target[static_cast<std::size_t>(it->second->front())] += pc.population;
        else
            contested[pc.atom] += pc.population;
    }
    for (const auto& [atom, pop] : contested) {
        const auto& outs = *allowed.at(atom);
        double total = 0;
        for (int k : outs) total += weight(atom, k);
        for (int k : outs) {
            target[static_cast<std::size_t>(k)] +=
                pop * (total > 0 ? weight(atom, k) / total : 1.0 / static_cast<double>(outs.size()));
            shaped[static_cast<std::size_t>(k)] = true;
        }
    }
    problem.targets = target;
    return shaped;
}

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
