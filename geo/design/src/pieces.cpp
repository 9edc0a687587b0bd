#include "microplan/geo/design/pieces.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <utility>

#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "transforms.hpp"

namespace microplan::geo::design {

using detail::make_box;
using detail::thread_transformer;

namespace {

constexpr double sub_cells_per_part = 160;
constexpr int max_sub_factor = 16;

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
        const std::uint32_t a = order[oi];
        geos::prepared_ptr prep = geos::prepare(atoms.units[a].geometry.get());
        for (std::size_t oj = oi + 1; oj < n && env[order[oj]].minx <= env[a].maxx; ++oj) {
            const std::uint32_t b = order[oj];
            if (env[b].miny > env[a].maxy || env[b].maxy < env[a].miny) continue;
            if (geos::intersects(prep.get(), atoms.units[b].geometry.get())) found[oi].push_back(b);
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
    piece_graph g;
    g.add_pieces(atoms, population, split_parts, rasters, analysis_crs, threads);
    g.add_edges(atoms, threads);
    return g;
}

void piece_graph::add_pieces(const unit_layer& atoms, std::span<const double> population,
                             std::span<const int> split_parts, const weight_rasters& rasters,
                             const std::string& analysis_crs, unsigned threads) {
    const std::size_t n = atoms.units.size();
    piece_graph& g = *this;
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
}

void piece_graph::add_edges(const unit_layer& atoms, unsigned threads) {
    const std::size_t n = atoms.units.size();
    piece_graph& g = *this;
    // Edges: inside split atoms, then between touching atoms.
    std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> edges(n);
    auto adj = atom_adjacency(atoms, threads);
    parallel_for(n, threads, [&](std::size_t a) {
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
                geos::prepared_ptr prep = geos::prepare(other.get());
                geos::envelope oe = geos::envelope_of(other.get());
                for (std::size_t i = 0; i < subs.size(); ++i) {
                    const auto& s = subs[i];
                    if (s.fraction >= 1 - 1e-9) continue;
                    if (s.minx > oe.maxx || s.maxx < oe.minx || s.miny > oe.maxy || s.maxy < oe.miny) continue;
                    geos::geom_ptr box = make_box(s.minx, s.miny, s.maxx, s.maxy);
                    if (geos::intersects(prep.get(), box.get())) idx.push_back(i);
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
}

}  // namespace microplan::geo::design
