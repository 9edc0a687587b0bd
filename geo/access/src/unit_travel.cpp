#include "microplan/geo/access/unit_travel.hpp"

#include <algorithm>
#include <cmath>

#include "microplan/geo/core/parallel.hpp"

namespace microplan::geo::access {

namespace {

// One per thread; the calling thread's is emptied after each call (a national grid's is 200 MB).
thread_local search_workspace unit_workspace;

// The seat: the given cell when passable, else the passable inhabited cell nearest the people's
// centroid (ties: the lower cell index); -1 when there is none.
std::int64_t seat_of(const cost_surface& s, const unit_people_cells& u) {
    auto passable = [&](std::uint64_t c) { return c < s.cost.size() && !std::isnan(s.cost[c]); };
    if (u.seat >= 0 && passable(static_cast<std::uint64_t>(u.seat))) return u.seat;
    double total = 0, cx = 0, cy = 0;
    for (std::size_t i = 0; i < u.cells.size(); ++i) {
        total += u.people[i];
        cx += u.people[i] * static_cast<double>(u.cells[i] % s.g.cols);
        cy += u.people[i] * static_cast<double>(u.cells[i] / s.g.cols);
    }
    if (total <= 0) return -1;
    cx /= total, cy /= total;
    std::int64_t best = -1;
    double best_d = std::numeric_limits<double>::infinity();
    for (std::uint32_t c : u.cells) {
        if (!passable(c)) continue;
        double dx = static_cast<double>(c % s.g.cols) - cx, dy = static_cast<double>(c / s.g.cols) - cy;
        double d = dx * dx + dy * dy;
        if (d < best_d) best_d = d, best = c;
    }
    return best;
}

// The part of the surface around a unit: its cells' box widened by half its size on each side
// (at least `min_margin` cells), so that a search for a unit some of whose people cannot reach
// its seat does not run over the whole country.
struct window {
    std::size_t col0 = 0, row0 = 0;
    cost_surface surface;
    [[nodiscard]] std::uint32_t inner(std::uint32_t cell, std::size_t cols) const {
        return static_cast<std::uint32_t>((cell / cols - row0) * surface.g.cols + (cell % cols - col0));
    }
};

window window_of(const cost_surface& s, std::span<const std::uint32_t> cells, std::size_t min_margin = 10) {
    std::size_t c0 = s.g.cols, c1 = 0, r0 = s.g.rows, r1 = 0;
    for (std::uint32_t c : cells) {
        c0 = std::min(c0, c % s.g.cols), c1 = std::max(c1, c % s.g.cols);
        r0 = std::min(r0, c / s.g.cols), r1 = std::max(r1, c / s.g.cols);
    }
    const std::size_t mc = std::max(min_margin, (c1 - c0) / 2), mr = std::max(min_margin, (r1 - r0) / 2);
    window w;
    w.col0 = c0 > mc ? c0 - mc : 0, w.row0 = r0 > mr ? r0 - mr : 0;
    const std::size_t cols = std::min(s.g.cols, c1 + mc + 1) - w.col0, rows = std::min(s.g.rows, r1 + mr + 1) - w.row0;
    w.surface.g = s.g;
    w.surface.g.cols = cols, w.surface.g.rows = rows;
    w.surface.g.x0 = s.g.x0 + static_cast<double>(w.col0) * s.g.ew_res;
    w.surface.g.y0 = s.g.y0 - static_cast<double>(w.row0) * s.g.ns_res;
    auto copy = [&](const auto& from, auto& to) {
        if (from.empty()) return;
        to.resize(cols * rows);
        for (std::size_t r = 0; r < rows; ++r)
            std::copy_n(from.begin() + static_cast<std::ptrdiff_t>((w.row0 + r) * s.g.cols + w.col0), cols,
                        to.begin() + static_cast<std::ptrdiff_t>(r * cols));
    };
    copy(s.cost, w.surface.cost);
    copy(s.elevation, w.surface.elevation);
    copy(s.walking, w.surface.walking);
    return w;
}

unit_travel travel_of(const cost_surface& s, const unit_people_cells& u, const cost_distance_options& options,
                      search_workspace& ws) {
    unit_travel t;
    for (float p : u.people) t.people += p;
    t.seat = seat_of(s, u);
    if (t.seat < 0) return t;
    const window w = window_of(s, u.cells);
    std::vector<std::uint32_t> inner(u.cells.size());  // ascending, as the cells
    for (std::size_t i = 0; i < u.cells.size(); ++i) inner[i] = w.inner(u.cells[i], s.g.cols);
    std::size_t left = u.cells.size();
    double weighted = 0, worst = 0;
    const std::uint32_t start = w.inner(static_cast<std::uint32_t>(t.seat), s.g.cols);
    cost_distance_from(w.surface, start, options, ws, [&](std::size_t cell, float cost) {
        auto it = std::lower_bound(inner.begin(), inner.end(), static_cast<std::uint32_t>(cell));
        if (it == inner.end() || *it != cell) return true;
        float p = u.people[static_cast<std::size_t>(it - inner.begin())];
        weighted += p * cost, t.reached += p, worst = std::max(worst, static_cast<double>(cost));
        return --left > 0;
    });
    if (t.reached > 0) t.mean_minutes = weighted / t.reached, t.max_minutes = worst;
    return t;
}

// The passable cell nearest `cell` within `radius` cells (itself when passable); -1 if none.
std::int64_t passable_near(const cost_surface& s, std::size_t cell, int radius) {
    if (!std::isnan(s.cost[cell])) return static_cast<std::int64_t>(cell);
    const auto r = static_cast<int>(cell / s.g.cols), c = static_cast<int>(cell % s.g.cols);
    std::int64_t best = -1;
    int best_d = radius * radius + 1;
    for (int dr = -radius; dr <= radius; ++dr)
        for (int dc = -radius; dc <= radius; ++dc) {
            const int nr = r + dr, nc = c + dc, d = dr * dr + dc * dc;
            if (nr < 0 || nc < 0 || nr >= static_cast<int>(s.g.rows) || nc >= static_cast<int>(s.g.cols) || d >= best_d)
                continue;
            const auto n = static_cast<std::size_t>(nr) * s.g.cols + static_cast<std::size_t>(nc);
            if (!std::isnan(s.cost[n])) best = static_cast<std::int64_t>(n), best_d = d;
        }
    return best;
}

}  // namespace

std::vector<double> minutes_between(const cost_surface& surface, std::pair<double, double> from,
                                    std::span<const std::pair<double, double>> to,
                                    const cost_distance_options& options) {
    std::vector<double> out(to.size(), std::numeric_limits<double>::infinity());
    auto start_cell = surface.g.cell_of(from.first, from.second);
    if (!start_cell) return out;
    const std::int64_t start = passable_near(surface, *start_cell, 5);
    if (start < 0) return out;
    std::vector<std::pair<std::uint32_t, std::size_t>> targets;  // (cell, index in `to`)
    std::vector<std::uint32_t> cells{static_cast<std::uint32_t>(start)};
    for (std::size_t i = 0; i < to.size(); ++i)
        if (auto c = surface.g.cell_of(to[i].first, to[i].second)) {
            targets.emplace_back(static_cast<std::uint32_t>(*c), i);
            cells.push_back(static_cast<std::uint32_t>(*c));
        }
    const window w = window_of(surface, cells);
    for (auto& [c, i] : targets) c = w.inner(c, surface.g.cols);
    std::sort(targets.begin(), targets.end());
    std::size_t left = targets.size();
    search_workspace ws;
    cost_distance_options one = options;
    one.threads = 1;
    cost_distance_from(w.surface, w.inner(static_cast<std::uint32_t>(start), surface.g.cols), one, ws,
                       [&](std::size_t cell, float cost) {
                           auto it = std::lower_bound(targets.begin(), targets.end(),
                                                      std::pair{static_cast<std::uint32_t>(cell), std::size_t{0}});
                           for (; it != targets.end() && it->first == cell; ++it, --left) out[it->second] = cost;
                           return left > 0;
                       });
    return out;
}

std::vector<unit_travel> travel_within_units(const cost_surface& surface, std::span<const unit_people_cells> units,
                                             const cost_distance_options& options) {
    std::vector<unit_travel> out(units.size());
    cost_distance_options one = options;
    one.threads = 1;  // the units are the parallel work
    parallel_for(units.size(), options.threads,
                 [&](std::size_t u) { out[u] = travel_of(surface, units[u], one, unit_workspace); });
    unit_workspace = {};
    return out;
}

}  // namespace microplan::geo::access
