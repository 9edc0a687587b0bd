#include "microplan/geo/access/cost_distance.hpp"

#include <gdal_priv.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <functional>
#include <queue>
#include <thread>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::geo::access {

double tobler_factor(double rise_over_run) {
    static const double flat = std::exp(-3.5 * 0.05);
    return std::max(0.01, std::exp(-3.5 * std::abs(rise_over_run + 0.05)) / flat);
}

namespace {

// One kind of move: its offset and the weight of the mean of the cells it touches.
struct move {
    int dr, dc;
    double factor;           // length in east–west cell widths
    int br1, bc1, br2, bc2;  // the cells a knight's move passes beside (0,0 when none)
    bool knight;
};

std::vector<move> moves_for(neighbourhood n, double ns_over_ew) {
    const double ew = 1.0, ns = ns_over_ew, diag = std::sqrt(ew * ew + ns * ns);
    const double v_diag = std::sqrt(4 * ns * ns + ew * ew), h_diag = std::sqrt(ns * ns + 4 * ew * ew);
    std::vector<move> m = {
        {0, -1, ew, 0, 0, 0, 0, false},  {0, 1, ew, 0, 0, 0, 0, false},     {-1, 0, ns, 0, 0, 0, 0, false},
        {1, 0, ns, 0, 0, 0, 0, false},   {-1, -1, diag, 0, 0, 0, 0, false}, {-1, 1, diag, 0, 0, 0, 0, false},
        {1, 1, diag, 0, 0, 0, 0, false}, {1, -1, diag, 0, 0, 0, 0, false},
    };
    if (n == neighbourhood::knight) {
        // Two rows away: the cell beside (same column) and the diagonal one.
        m.push_back({-2, -1, v_diag, -1, 0, -1, -1, true});
        m.push_back({-2, 1, v_diag, -1, 0, -1, 1, true});
        m.push_back({2, 1, v_diag, 1, 0, 1, 1, true});
        m.push_back({2, -1, v_diag, 1, 0, 1, -1, true});
        // Two columns away.
        m.push_back({-1, -2, h_diag, 0, -1, -1, -1, true});
        m.push_back({-1, 2, h_diag, 0, 1, -1, 1, true});
        m.push_back({1, 2, h_diag, 0, 1, 1, 1, true});
        m.push_back({1, -2, h_diag, 0, -1, 1, -1, true});
    }
    return m;
}

}  // namespace

namespace {

// A cell's accumulated cost and the source it comes from, in one word so that both change
// together under compare-and-swap.
struct label {
    float cost;
    std::int32_t from;
};
static_assert(sizeof(label) == 8);
inline std::uint64_t pack(label l) { return std::bit_cast<std::uint64_t>(l); }
inline label unpack(std::uint64_t w) { return std::bit_cast<label>(w); }

}  // namespace

namespace {

// The moves out of a cell and their costs (the cost model above), as index offsets.
class move_table {
public:
    move_table(const cost_surface& surface, const cost_distance_options& options)
        : s_(surface),
          towards_(options.towards_sources),
          moves_(moves_for(options.moves, surface.g.ns_res / surface.g.ew_res)) {
        const auto cols = static_cast<std::ptrdiff_t>(surface.g.cols);
        for (const auto& m : moves_) {
            auto at = [&](int dr, int dc) { return static_cast<std::ptrdiff_t>(dr) * cols + dc; };
            steps_.push_back(
                {at(m.dr, m.dc), at(m.br1, m.bc1), at(m.br2, m.bc2), m.factor * (m.knight ? 0.25 : 0.5), m.knight});
        }
    }

    // Calls f(next, cost of the move) for every passable move out of `cell`; only cells near
    // the grid's edge check the bounds.
    template <typename F>
    void for_each_move(std::uint32_t cell, F&& f) const {
        const std::size_t cols = s_.g.cols, rows = s_.g.rows, r = cell / cols, c = cell % cols;
        const float* cost = s_.cost.data();
        const double here = cost[cell];
        const bool interior = r >= 2 && c >= 2 && r + 2 < rows && c + 2 < cols;
        const bool sloped = !s_.elevation.empty();
        for (std::size_t k = 0; k < steps_.size(); ++k) {
            if (!interior) {
                const auto nr = static_cast<std::ptrdiff_t>(r) + moves_[k].dr,
                           nc = static_cast<std::ptrdiff_t>(c) + moves_[k].dc;
                if (nr < 0 || nc < 0 || nr >= static_cast<std::ptrdiff_t>(rows) ||
                    nc >= static_cast<std::ptrdiff_t>(cols))
                    continue;  // a knight's move inside the grid passes beside cells inside it too
            }
            const step& st = steps_[k];
            const auto at = [&](std::ptrdiff_t offset) {
                return static_cast<double>(cost[static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cell) + offset)]);
            };
            double sum = here + at(st.offset);
            if (st.knight) sum += at(st.beside1) + at(st.beside2);
            if (std::isnan(sum)) continue;  // impassable, or a knight's move beside an impassable cell
            if (sloped) sum = sloped_sum(cell, k, sum);
            f(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cell) + st.offset), sum * st.half_or_quarter_factor);
        }
    }

private:
    struct step {
        std::ptrdiff_t offset, beside1, beside2;
        double half_or_quarter_factor;
        bool knight;
    };

    // The touched cells' costs with each walking cell slowed by the move's slope.
    double sloped_sum(std::uint32_t cell, std::size_t k, double flat_sum) const {
        const auto next = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cell) + steps_[k].offset);
        const double za = s_.elevation[cell], zb = s_.elevation[next];
        double rise = std::isnan(za) || std::isnan(zb) ? 0.0 : (zb - za) / (moves_[k].factor * s_.g.ew_res);
        if (towards_) rise = -rise;  // people walk from `next` to `cell`
        const double f = tobler_factor(rise);
        if (s_.walking.empty()) return flat_sum / f;
        auto part = [&](std::size_t i) {
            return s_.walking[i] ? static_cast<double>(s_.cost[i]) / f : static_cast<double>(s_.cost[i]);
        };
        double sum = part(cell) + part(next);
        if (steps_[k].knight)
            sum += part(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cell) + steps_[k].beside1)) +
                   part(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cell) + steps_[k].beside2));
        return sum;
    }

    const cost_surface& s_;
    bool towards_;
    std::vector<move> moves_;
    std::vector<step> steps_;
};

}  // namespace

void cost_distance_from(const cost_surface& surface, std::size_t start, const cost_distance_options& options,
                        search_workspace& ws, const std::function<bool(std::size_t, float)>& visit) {
    const std::size_t n = surface.g.cells();
    if (start >= n || std::isnan(surface.cost[start])) return;
    if (ws.best.size() != n) ws.best.assign(n, std::numeric_limits<float>::infinity()), ws.touched.clear();
    for (auto c : ws.touched) ws.best[c] = std::numeric_limits<float>::infinity();
    ws.touched.clear();
    const move_table table(surface, options);
    const float max_cost = static_cast<float>(std::min(options.max_cost, 3.0e38));
    using entry = std::pair<float, std::uint32_t>;
    std::priority_queue<entry, std::vector<entry>, std::greater<>> heap;
    ws.best[start] = 0;
    ws.touched.push_back(static_cast<std::uint32_t>(start));
    heap.emplace(0.0f, static_cast<std::uint32_t>(start));
    while (!heap.empty()) {
        const auto [d_top, cell_top] = heap.top();
        const float d = d_top;  // a plain variable: lambdas may not capture structured bindings
        const std::uint32_t cell = cell_top;
        heap.pop();
        if (d > ws.best[cell]) continue;
        if (!visit(cell, d)) return;
        ws.best[cell] = -1;  // settled
        table.for_each_move(cell, [&](std::size_t next, double step_cost) {
            const auto nd = static_cast<float>(static_cast<double>(d) + step_cost);
            float& b = ws.best[next];
            if (nd > max_cost || !(nd < b)) return;  // settled cells hold -1
            if (std::isinf(b)) ws.touched.push_back(static_cast<std::uint32_t>(next));
            b = nd;
            heap.emplace(nd, static_cast<std::uint32_t>(next));
        });
    }
}

cost_distance_result cost_distance(const cost_surface& surface, std::span<const source> sources,
                                   const cost_distance_options& options) {
    const grid& g = surface.g;
    const std::size_t n = g.cells();
    if (surface.cost.size() != n) throw std::invalid_argument("cost_distance: the cost vector does not match the grid");
    const auto moves = moves_for(options.moves, g.ns_res / g.ew_res);  // for the bucket width
    const float inf = std::numeric_limits<float>::infinity();
    std::vector<std::uint64_t> labels(n, pack({inf, -1}));

    // The cheapest possible move sets the bucket width (with a margin for single-precision sums).
    float cmin = std::numeric_limits<float>::infinity(), cmax = 0;
    for (float c : surface.cost)
        if (!std::isnan(c)) cmin = std::min(cmin, c), cmax = std::max(cmax, c);
    double fmin = std::numeric_limits<double>::infinity(), fmax = 0;
    for (const auto& m : moves) fmin = std::min(fmin, m.factor), fmax = std::max(fmax, m.factor);
    const bool sloped = !surface.elevation.empty();
    if (sloped && surface.elevation.size() != n)
        throw std::invalid_argument("cost_distance: the elevation vector does not match the grid");
    if (!surface.walking.empty() && surface.walking.size() != n)
        throw std::invalid_argument("cost_distance: the walking vector does not match the grid");
    // Slope can make a move up to 1/tobler_factor(-0.05) cheaper and 100 times dearer.
    const double fastest = sloped ? tobler_factor(-0.05) : 1.0, slowest = sloped ? 100.0 : 1.0;
    const double delta = static_cast<double>(cmin) * fmin * 0.999 / fastest;
    const double inv_delta = 1.0 / delta;

    cost_distance_result out;
    std::vector<std::uint32_t> seeds;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        auto cell = g.cell_of(sources[i].x, sources[i].y);
        if (!cell || std::isnan(surface.cost[*cell])) {
            out.unplaced.push_back(i);
            continue;
        }
        if (unpack(labels[*cell]).from >= 0) continue;  // the first source of a cell wins
        labels[*cell] = pack({0.0f, sources[i].id});
        seeds.push_back(static_cast<std::uint32_t>(*cell));
    }

    std::vector<std::uint8_t> settled(n, 0);
    const float max_cost = static_cast<float>(std::min(options.max_cost, 3.0e38));
    const move_table table(surface, options);
    // Offers cost nd from source `from` to cell `next`; push(cell, cost) queues an improvement.
    auto offer = [&](std::size_t next, float nd, std::int32_t from, auto&& push) {
        if (nd > max_cost) return;
        std::atomic_ref<std::uint64_t> word(labels[next]);
        std::uint64_t old = word.load(std::memory_order_relaxed);
        while (nd < unpack(old).cost) {
            if (word.compare_exchange_weak(old, pack({nd, from}), std::memory_order_relaxed)) {
                push(static_cast<std::uint32_t>(next), nd);
                return;
            }
        }
    };
    // Relaxes the moves out of a settled cell.
    auto expand = [&](std::uint32_t cell, auto&& push) {
        const label me = unpack(std::atomic_ref<std::uint64_t>(labels[cell]).load(std::memory_order_relaxed));
        const double base = me.cost;
        table.for_each_move(cell, [&](std::size_t next, double step_cost) {
            offer(next, static_cast<float>(base + step_cost), me.from, push);
        });
    };

    std::size_t reached = 0;
    if (delta > 0 && std::isfinite(delta)) {
        unsigned threads = std::max(1u, options.threads ? options.threads : std::thread::hardware_concurrency());
        // Circular buckets per thread: a move reaches at most `span` - 2 buckets ahead.
        const auto span = static_cast<std::size_t>(std::ceil(2.0 * cmax * fmax * slowest / delta)) + 2;
        std::vector<std::vector<std::vector<std::uint32_t>>> buckets(threads,
                                                                     std::vector<std::vector<std::uint32_t>>(span));
        std::vector<std::size_t> pushed(threads, 0), settled_by(threads, 0);
        for (auto s : seeds) buckets[0][0].push_back(s);
        std::size_t pending = seeds.size();
        std::vector<std::uint32_t> current;
        for (std::size_t b = 0; pending > 0; ++b) {
            const std::size_t slot = b % span;
            current.clear();
            for (auto& t : buckets) {
                current.insert(current.end(), t[slot].begin(), t[slot].end());
                t[slot].clear();
            }
            if (current.empty()) continue;
            pending -= current.size();
            // Cells of one bucket cannot improve one another: settle them in parallel.
            const std::size_t chunk = (current.size() + threads - 1) / threads;
            auto work = [&](unsigned t) {
                auto& mine = buckets[t];
                std::size_t pushes = 0, done = 0;
                auto push = [&](std::uint32_t cell, float d) {
                    mine[static_cast<std::size_t>(static_cast<double>(d) * inv_delta) % span].push_back(cell);
                    ++pushes;
                };
                const std::size_t lo = t * chunk, hi = std::min(current.size(), lo + chunk);
                for (std::size_t i = lo; i < hi; ++i) {
                    std::uint32_t cell = current[i];
                    if (std::atomic_ref<std::uint8_t>(settled[cell]).exchange(1, std::memory_order_relaxed)) continue;
                    ++done;
                    expand(cell, push);
                }
                pushed[t] += pushes;
                settled_by[t] += done;
            };
            if (threads == 1 || current.size() < 2048) {
                work(0);
                if (threads > 1) {  // chunks 1.. were not processed: do them here
                    for (unsigned t = 1; t < threads; ++t) work(t);
                }
            } else {
                std::vector<std::thread> pool;
                for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
                work(0);
                for (auto& th : pool) th.join();
            }
            for (unsigned t = 0; t < threads; ++t) pending += pushed[t], pushed[t] = 0;
        }
        for (auto s : settled_by) reached += s;
    } else {
        using entry = std::pair<float, std::uint32_t>;
        std::priority_queue<entry, std::vector<entry>, std::greater<>> heap;
        auto push = [&](std::uint32_t cell, float d) { heap.emplace(d, cell); };
        for (auto s : seeds) push(s, 0);
        while (!heap.empty()) {
            auto [d, cell] = heap.top();
            heap.pop();
            if (settled[cell] || d > unpack(labels[cell]).cost) continue;
            settled[cell] = 1;
            ++reached;
            expand(cell, push);
        }
    }
    out.reached = reached;
    out.cost.resize(n);
    out.nearest.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        label l = unpack(labels[i]);
        out.cost[i] = l.cost;
        out.nearest[i] = l.from;
    }
    return out;
}

}  // namespace microplan::geo::access
