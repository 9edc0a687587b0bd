#include "microplan/geo/access/cost_distance.hpp"

#include <gdal_priv.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <memory>
#include <queue>
#include <thread>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/huge_pages.hpp"
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

// The surface's cells as the moves read them: the surface's own arrays (one search from one
// cell), ...
struct split_cells {
    const float* cost;
    const float* z;               // null without an elevation
    const std::uint8_t* walking;  // null: every cell walks
    [[nodiscard]] double c(std::size_t i) const { return cost[i]; }
    [[nodiscard]] bool walks(std::size_t i) const { return walking == nullptr || walking[i] != 0; }
    [[nodiscard]] bool all_walk() const { return walking == nullptr; }
    [[nodiscard]] float elevation(std::size_t i) const { return z[i]; }
};

// ... or one 16-byte record per cell holding its cost, elevation and label (the search's
// cost so far and source, updated together by compare-and-swap), so that a move reads one
// cache line per cell it touches instead of four: the many-source search is bound by them.
struct alignas(16) packed_cell {
    float cost;  // its sign bit: a walking cell (slowed by slope)
    float z;
    std::uint64_t label;
};
struct packed_cells {
    const packed_cell* p;
    bool every_cell_walks;  // the surface has no walking mask
    [[nodiscard]] double c(std::size_t i) const { return std::fabs(p[i].cost); }
    [[nodiscard]] bool walks(std::size_t i) const { return std::signbit(p[i].cost); }
    [[nodiscard]] bool all_walk() const { return every_cell_walks; }
    [[nodiscard]] float elevation(std::size_t i) const { return p[i].z; }
};

// Memory for the records in 2 MB pages where the system offers them (Linux's transparent huge
// pages on request): a search touches cells all over the grid, and with 4 kB pages nearly every
// read would also miss the address translation cache.
struct free_deleter {
    void operator()(packed_cell* p) const { std::free(p); }
};
using packed_cells_buffer = std::unique_ptr<packed_cell[], free_deleter>;

packed_cells_buffer pack_cells(const cost_surface& s, std::uint64_t unreached) {
    const bool sloped = !s.elevation.empty();
    constexpr std::size_t huge = std::size_t{2} << 20;
    const std::size_t bytes = (s.cost.size() * sizeof(packed_cell) + huge - 1) / huge * huge;
    packed_cells_buffer out(static_cast<packed_cell*>(std::aligned_alloc(huge, std::max(bytes, huge))));
    if (!out) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(out.get(), std::max(bytes, huge), MADV_HUGEPAGE);
#endif
    for (std::size_t i = 0; i < s.cost.size(); ++i) {
        const bool walks = sloped && (s.walking.empty() || s.walking[i] != 0);
        out[i] = {walks ? -std::fabs(s.cost[i]) : std::fabs(s.cost[i]), sloped ? s.elevation[i] : 0.0f, unreached};
    }
    return out;
}

// The moves out of a cell and their costs (the cost model above), as index offsets.
template <typename Cells>
class move_table {
public:
    move_table(const cost_surface& surface, Cells cells, const cost_distance_options& options)
        : g_(surface.g),
          cells_(cells),
          sloped_(!surface.elevation.empty()),
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
        const std::size_t cols = g_.cols, rows = g_.rows, r = cell / cols, c = cell % cols;
        const double here = cells_.c(cell);
        const bool interior = r >= 2 && c >= 2 && r + 2 < rows && c + 2 < cols;
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
                return cells_.c(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cell) + offset));
            };
            double sum = here + at(st.offset);
            if (st.knight) sum += at(st.beside1) + at(st.beside2);
            if (std::isnan(sum)) continue;  // impassable, or a knight's move beside an impassable cell
            if (sloped_) sum = sloped_sum(cell, k, sum);
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
        const double za = cells_.elevation(cell), zb = cells_.elevation(next);
        double rise = std::isnan(za) || std::isnan(zb) ? 0.0 : (zb - za) / (moves_[k].factor * g_.ew_res);
        if (towards_) rise = -rise;  // people walk from `next` to `cell`
        const double f = tobler_factor(rise);
        if (cells_.all_walk()) return flat_sum / f;
        auto part = [&](std::size_t i) { return cells_.walks(i) ? cells_.c(i) / f : cells_.c(i); };
        double sum = part(cell) + part(next);
        if (steps_[k].knight)
            sum += part(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cell) + steps_[k].beside1)) +
                   part(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cell) + steps_[k].beside2));
        return sum;
    }

    const grid& g_;
    Cells cells_;
    bool sloped_;
    bool towards_;
    std::vector<move> moves_;
    std::vector<step> steps_;
};

split_cells cells_of(const cost_surface& s) {
    return {s.cost.data(), s.elevation.empty() ? nullptr : s.elevation.data(),
            s.walking.empty() ? nullptr : s.walking.data()};
}

}  // namespace

void cost_distance_from(const cost_surface& surface, std::size_t start, const cost_distance_options& options,
                        search_workspace& ws, const std::function<bool(std::size_t, float)>& visit) {
    const std::size_t n = surface.g.cells();
    if (start >= n || std::isnan(surface.cost[start])) return;
    if (ws.best.size() != n) ws.best.assign(n, std::numeric_limits<float>::infinity()), ws.touched.clear();
    for (auto c : ws.touched) ws.best[c] = std::numeric_limits<float>::infinity();
    ws.touched.clear();
    const move_table table(surface, cells_of(surface), options);
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

namespace {

// The labels of a many-source search and the moves over its surface. Offers are made by
// compare-and-swap, so cells of one bucket may be expanded by several threads at once.
class search {
public:
    search(const cost_surface& surface, const cost_distance_options& options)
        : cells_(pack_cells(surface, pack({std::numeric_limits<float>::infinity(), -1}))),
          table_(surface, packed_cells{cells_.get(), surface.walking.empty()}, options),
          max_cost_(static_cast<float>(std::min(options.max_cost, 3.0e38))),
          cols_(surface.g.cols),
          rows_(surface.g.rows),
          knight_(options.moves == neighbourhood::knight) {}

    [[nodiscard]] label at(std::size_t cell) { return unpack(word(cell).load(std::memory_order_relaxed)); }
    void set_source(std::size_t cell, std::int32_t id) { cells_[cell].label = pack({0.0f, id}); }
    [[nodiscard]] float cost(std::uint32_t cell) { return at(cell).cost; }
    [[nodiscard]] std::size_t cells() const { return rows_ * cols_; }

    // Asks the memory for the records a cell's expansion will read (its row and the rows
    // beside), so that the cells of a bucket wait for memory together rather than in turn.
    void prefetch(std::uint32_t cell) const {
        const std::size_t rows_out = knight_ ? 2 : 1;
        const std::size_t r = cell / cols_, lo = r >= rows_out ? r - rows_out : 0,
                          hi = std::min(rows_ - 1, r + rows_out), c = cell % cols_;
        const std::size_t c0 = c >= rows_out ? c - rows_out : 0, c1 = std::min(cols_ - 1, c + rows_out);
        for (std::size_t row = lo; row <= hi; ++row) {
            __builtin_prefetch(&cells_[row * cols_ + c0]);
            __builtin_prefetch(&cells_[row * cols_ + c1]);
        }
    }

    // Relaxes the moves out of `cell`; push(next, cost, its cost before) queues an improvement.
    template <typename Push>
    void expand(std::uint32_t cell, Push&& push) {
        const label me = at(cell);
        const double base = me.cost;
        table_.for_each_move(cell, [&](std::size_t next, double step_cost) {
            const auto nd = static_cast<float>(base + step_cost);
            if (nd > max_cost_) return;
            std::atomic_ref<std::uint64_t> w = word(next);
            std::uint64_t old = w.load(std::memory_order_relaxed);
            while (nd < unpack(old).cost) {
                if (w.compare_exchange_weak(old, pack({nd, me.from}), std::memory_order_relaxed)) {
                    push(static_cast<std::uint32_t>(next), nd, unpack(old).cost);
                    return;
                }
            }
        });
    }

private:
    std::atomic_ref<std::uint64_t> word(std::size_t cell) { return std::atomic_ref<std::uint64_t>(cells_[cell].label); }

    packed_cells_buffer cells_;
    move_table<packed_cells> table_;
    float max_cost_;
    std::size_t cols_, rows_;
    bool knight_;
};

// The search without elevation when only costs are wanted: the moves read the surface's own
// cost array and the search keeps one float per cell, the accumulated cost (offers by
// compare-and-swap on it), which becomes the result as it is. Half the memory of the records
// above, none of it copied in or out.
class flat_search {
public:
    flat_search(const cost_surface& surface, const cost_distance_options& options)
        : friction_(surface.cost.data()),
          table_(surface, split_cells{surface.cost.data(), nullptr, nullptr}, options),
          max_cost_(static_cast<float>(std::min(options.max_cost, 3.0e38))),
          cols_(surface.g.cols),
          rows_(surface.g.rows),
          knight_(options.moves == neighbourhood::knight) {
        assign_in_huge_pages(cost_, surface.g.cells(), std::numeric_limits<float>::infinity());
    }

    [[nodiscard]] float cost(std::uint32_t cell) { return word(cell).load(std::memory_order_relaxed); }
    [[nodiscard]] std::size_t cells() const { return cost_.size(); }
    void set_source(std::size_t cell, std::int32_t) { cost_[cell] = 0.0f; }
    [[nodiscard]] std::vector<float> take_costs() { return std::move(cost_); }

    void prefetch(std::uint32_t cell) const {
        const std::size_t rows_out = knight_ ? 2 : 1;
        const std::size_t r = cell / cols_, lo = r >= rows_out ? r - rows_out : 0,
                          hi = std::min(rows_ - 1, r + rows_out), c = cell % cols_;
        const std::size_t c0 = c >= rows_out ? c - rows_out : 0, c1 = std::min(cols_ - 1, c + rows_out);
        for (std::size_t row = lo; row <= hi; ++row) {
            __builtin_prefetch(&cost_[row * cols_ + c0]);
            __builtin_prefetch(&cost_[row * cols_ + c1]);
            __builtin_prefetch(&friction_[row * cols_ + c0]);
            __builtin_prefetch(&friction_[row * cols_ + c1]);
        }
    }

    template <typename Push>
    void expand(std::uint32_t cell, Push&& push) {
        const double base = cost(cell);
        table_.for_each_move(cell, [&](std::size_t next, double step_cost) {
            const auto nd = static_cast<float>(base + step_cost);
            if (nd > max_cost_) return;
            std::atomic_ref<float> w = word(next);
            float old = w.load(std::memory_order_relaxed);
            while (nd < old) {
                if (w.compare_exchange_weak(old, nd, std::memory_order_relaxed)) {
                    push(static_cast<std::uint32_t>(next), nd, old);
                    return;
                }
            }
        });
    }

private:
    std::atomic_ref<float> word(std::size_t cell) { return std::atomic_ref<float>(cost_[cell]); }

    std::vector<float> cost_;
    const float* friction_;
    move_table<split_cells> table_;
    float max_cost_;
    std::size_t cols_, rows_;
    bool knight_;
};

// Sorts cell indices below 2^(2 * `half_bits`) in increasing order: a radix sort in two passes
// of `half_bits` bits, with `count` (2^half_bits entries) and `scratch` reused from call to call.
void sort_cells(std::vector<std::uint32_t>& cells, std::vector<std::uint32_t>& scratch,
                std::vector<std::uint32_t>& count, unsigned half_bits) {
    scratch.resize(cells.size());
    const std::uint32_t mask = (std::uint32_t{1} << half_bits) - 1;
    for (unsigned shift : {0u, half_bits}) {
        std::fill(count.begin(), count.end(), 0);
        for (auto c : cells) ++count[(c >> shift) & mask];
        std::uint32_t sum = 0;
        for (auto& k : count) {
            const std::uint32_t here = k;
            k = sum, sum += here;
        }
        for (auto c : cells) scratch[count[(c >> shift) & mask]++] = c;
        cells.swap(scratch);
    }
}

// Dial's algorithm with buckets as wide as the cheapest move (`delta`): cells of one bucket
// cannot improve one another, so each bucket is expanded in any order, by several threads when
// large. A cell is queued once per bucket it enters (not when an offer keeps it in the bucket
// it is queued in) and expanded when its bucket comes if its cost still belongs there.
// Returns the cells expanded.
template <typename Search>
std::size_t settle_by_buckets(Search& s, const std::vector<std::uint32_t>& seeds, double delta, std::size_t span,
                              unsigned threads, std::size_t& queued) {
    const double inv_delta = 1.0 / delta;
    const auto bucket_of = [inv_delta](float d) {
        return static_cast<std::size_t>(static_cast<double>(d) * inv_delta);
    };
    std::vector<std::vector<std::vector<std::uint32_t>>> buckets(threads,
                                                                 std::vector<std::vector<std::uint32_t>>(span));
    std::vector<std::size_t> pushed(threads, 0), settled_by(threads, 0);
    for (auto seed : seeds) buckets[0][0].push_back(seed);
    std::size_t pending = seeds.size();
    std::vector<std::uint32_t> current, scratch;
    const unsigned half_bits = std::max(1u, (static_cast<unsigned>(std::bit_width(s.cells())) + 1) / 2);
    std::vector<std::uint32_t> count(std::size_t{1} << half_bits);
    for (std::size_t b = 0; pending > 0; ++b) {
        const std::size_t slot = b % span;
        current.clear();
        for (auto& t : buckets) {
            current.insert(current.end(), t[slot].begin(), t[slot].end());
            t[slot].clear();
        }
        if (current.empty()) continue;
        sort_cells(current, scratch, count, half_bits);  // in memory order: neighbours share lines and pages
        pending -= current.size();
        queued += current.size();
        const std::size_t chunk = (current.size() + threads - 1) / threads;
        auto work = [&](unsigned t) {
            auto& mine = buckets[t];
            std::size_t pushes = 0, done = 0;
            auto push = [&](std::uint32_t cell, float d, float before) {
                const std::size_t to = bucket_of(d);
                if (!std::isinf(before) && bucket_of(before) == to) return;  // queued there already
                mine[to % span].push_back(cell);
                ++pushes;
            };
            const std::size_t lo = t * chunk, hi = std::min(current.size(), lo + chunk);
            constexpr std::size_t ahead = 8;  // cells whose records are on their way from memory
            for (std::size_t i = lo; i < std::min(hi, lo + ahead); ++i) s.prefetch(current[i]);
            for (std::size_t i = lo; i < hi; ++i) {
                if (i + ahead < hi) s.prefetch(current[i + ahead]);
                const std::uint32_t cell = current[i];
                if (bucket_of(s.cost(cell)) != b) continue;  // it has moved to an earlier bucket since
                ++done;
                s.expand(cell, push);
            }
            pushed[t] += pushes;
            settled_by[t] += done;
        };
        if (threads == 1 || current.size() < 2048) {
            for (unsigned t = 0; t < threads; ++t) work(t);
        } else {
            std::vector<std::thread> pool;
            for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
            work(0);
            for (auto& th : pool) th.join();
        }
        for (unsigned t = 0; t < threads; ++t) pending += pushed[t], pushed[t] = 0;
    }
    std::size_t reached = 0;
    for (auto n : settled_by) reached += n;
    return reached;
}

// Dijkstra with a binary heap, for surfaces where some move costs nothing.
template <typename Search>
std::size_t settle_by_heap(Search& s, const std::vector<std::uint32_t>& seeds, std::size_t cells) {
    using entry = std::pair<float, std::uint32_t>;
    std::priority_queue<entry, std::vector<entry>, std::greater<>> heap;
    std::vector<std::uint8_t> settled(cells, 0);
    auto push = [&](std::uint32_t cell, float d, float) { heap.emplace(d, cell); };
    for (auto seed : seeds) heap.emplace(0.0f, seed);
    std::size_t reached = 0;
    while (!heap.empty()) {
        auto [d, cell] = heap.top();
        heap.pop();
        if (settled[cell] || d > s.cost(cell)) continue;
        settled[cell] = 1;
        ++reached;
        s.expand(cell, push);
    }
    return reached;
}

}  // namespace

namespace {

// The bucket width and count of a surface (0 width: some move may cost nothing, a heap then).
struct bucket_plan {
    double delta = 0;
    std::size_t span = 0;
};

bucket_plan plan_buckets(const cost_surface& surface, const cost_distance_options& options) {
    // The cheapest possible move sets the bucket width (with a margin for single-precision sums).
    const auto moves = moves_for(options.moves, surface.g.ns_res / surface.g.ew_res);
    float cmin = std::numeric_limits<float>::infinity(), cmax = 0;
    for (float c : surface.cost)
        if (!std::isnan(c)) cmin = std::min(cmin, c), cmax = std::max(cmax, c);
    double fmin = std::numeric_limits<double>::infinity(), fmax = 0;
    for (const auto& m : moves) fmin = std::min(fmin, m.factor), fmax = std::max(fmax, m.factor);
    // Slope can make a move up to 1/tobler_factor(-0.05) cheaper and 100 times dearer.
    const bool sloped = !surface.elevation.empty();
    const double fastest = sloped ? tobler_factor(-0.05) : 1.0, slowest = sloped ? 100.0 : 1.0;
    const double delta = static_cast<double>(cmin) * fmin * 0.999 / fastest;
    if (!(delta > 0) || !std::isfinite(delta)) return {};
    // Circular buckets per thread: a move reaches at most `span` - 2 buckets ahead.
    return {delta, static_cast<std::size_t>(std::ceil(2.0 * cmax * fmax * slowest / delta)) + 2};
}

// Places the sources (the first source of a cell wins) and settles every cell they reach.
template <typename Search>
void run_search(Search& s, const cost_surface& surface, std::span<const source> sources,
                const cost_distance_options& options, const bucket_plan& plan, cost_distance_result& out) {
    std::vector<std::uint32_t> seeds;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        auto cell = surface.g.cell_of(sources[i].x, sources[i].y);
        if (!cell || std::isnan(surface.cost[*cell])) {
            out.unplaced.push_back(i);
            continue;
        }
        if (s.cost(static_cast<std::uint32_t>(*cell)) == 0.0f) continue;  // a source holds it already
        s.set_source(*cell, sources[i].id);
        seeds.push_back(static_cast<std::uint32_t>(*cell));
    }
    if (plan.delta > 0) {
        const unsigned threads = std::max(1u, options.threads ? options.threads : std::thread::hardware_concurrency());
        out.reached = settle_by_buckets(s, seeds, plan.delta, plan.span, threads, out.queued);
    } else {
        out.reached = settle_by_heap(s, seeds, surface.g.cells());
    }
}

}  // namespace

cost_distance_result cost_distance(const cost_surface& surface, std::span<const source> sources,
                                   const cost_distance_options& options) {
    const grid& g = surface.g;
    const std::size_t n = g.cells();
    if (surface.cost.size() != n) throw std::invalid_argument("cost_distance: the cost vector does not match the grid");
    const bool sloped = !surface.elevation.empty();
    if (sloped && surface.elevation.size() != n)
        throw std::invalid_argument("cost_distance: the elevation vector does not match the grid");
    if (!surface.walking.empty() && surface.walking.size() != n)
        throw std::invalid_argument("cost_distance: the walking vector does not match the grid");
    const bucket_plan plan = plan_buckets(surface, options);
    cost_distance_result out;
    if (!sloped && !options.nearest) {
        flat_search s(surface, options);
        run_search(s, surface, sources, options, plan, out);
        out.cost = s.take_costs();
        return out;
    }
    search s(surface, options);
    run_search(s, surface, sources, options, plan, out);
    out.cost.resize(n);
    out.nearest.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const label l = s.at(i);
        out.cost[i] = l.cost;
        out.nearest[i] = l.from;
    }
    return out;
}

// ---- incremental_cost

namespace {
cost_distance_options with_nearest(cost_distance_options o) {
    o.nearest = true;  // the lists of cells per source are made from it
    return o;
}
}  // namespace

incremental_cost::incremental_cost(const cost_surface& surface, std::span<const source> sources,
                                   const cost_distance_options& options)
    : surface_(surface),
      options_(options),
      result_(cost_distance(surface, sources, with_nearest(options))),
      place_(result_.cost.size(), 0) {
    for (const source& s : sources)
        if (auto cell = surface.g.cell_of(s.x, s.y); cell && !std::isnan(surface.cost[*cell]))
            sources_.emplace_back(static_cast<std::uint32_t>(*cell), s.id);
    for (std::size_t c = 0; c < result_.nearest.size(); ++c)
        if (result_.nearest[c] >= 0) {
            auto& list = cells_of_[result_.nearest[c]];
            place_[c] = static_cast<std::uint32_t>(list.size());
            list.push_back(static_cast<std::uint32_t>(c));
        }
}

void incremental_cost::assign(std::uint32_t cell, std::int32_t to) {
    const std::int32_t from = result_.nearest[cell];
    if (from == to) return;
    if (from >= 0) {
        auto& list = cells_of_[from];
        const std::uint32_t at = place_[cell], last = list.back();
        list[at] = last, place_[last] = at;
        list.pop_back();
    }
    result_.nearest[cell] = to;
    if (to >= 0) {
        auto& list = cells_of_[to];
        place_[cell] = static_cast<std::uint32_t>(list.size());
        list.push_back(cell);
    }
}

// Dijkstra from `seeds` (cost, cell) at their present cost and source, changing only the cells
// it improves; every cell changed is listed in changed_.
void incremental_cost::relax_from(std::vector<std::pair<float, std::uint32_t>> seeds) {
    const move_table table(surface_, cells_of(surface_), options_);
    const float max_cost = static_cast<float>(std::min(options_.max_cost, 3.0e38));
    using entry = std::pair<float, std::uint32_t>;
    std::priority_queue<entry, std::vector<entry>, std::greater<>> heap(std::greater<>{}, std::move(seeds));
    auto& cost = result_.cost;
    auto& nearest = result_.nearest;
    while (!heap.empty()) {
        const auto [d_top, cell_top] = heap.top();
        const float d = d_top;
        const std::uint32_t cell = cell_top;
        heap.pop();
        if (d > cost[cell]) continue;
        const std::int32_t from = nearest[cell];
        table.for_each_move(cell, [&](std::size_t next, double step_cost) {
            const auto nd = static_cast<float>(static_cast<double>(d) + step_cost);
            if (nd > max_cost || !(nd < cost[next])) return;
            if (std::isinf(cost[next])) ++result_.reached;
            cost[next] = nd;
            assign(static_cast<std::uint32_t>(next), from);
            changed_.push_back(static_cast<std::uint32_t>(next));
            heap.emplace(nd, static_cast<std::uint32_t>(next));
        });
    }
}

bool incremental_cost::add(const source& s) {
    changed_.clear();
    auto cell = surface_.g.cell_of(s.x, s.y);
    if (!cell || std::isnan(surface_.cost[*cell])) return false;
    const auto c = static_cast<std::uint32_t>(*cell);
    sources_.emplace_back(c, s.id);
    if (!(0.0f < result_.cost[c])) return true;  // another source holds the cell: the first wins
    if (std::isinf(result_.cost[c])) ++result_.reached;
    result_.cost[c] = 0.0f;
    assign(c, s.id);
    changed_.push_back(c);
    relax_from({{0.0f, c}});
    return true;
}

bool incremental_cost::remove(std::int32_t id) {
    changed_.clear();
    const std::size_t before = sources_.size();
    std::erase_if(sources_, [&](const auto& p) { return p.second == id; });
    if (sources_.size() == before) return false;
    auto& cost = result_.cost;
    auto& nearest = result_.nearest;
    const float inf = std::numeric_limits<float>::infinity();
    if (auto it = cells_of_.find(id); it != cells_of_.end()) {
        changed_ = std::move(it->second);
        cells_of_.erase(it);
        std::sort(changed_.begin(), changed_.end());  // the order a scan would give
        for (std::uint32_t c : changed_) cost[c] = inf, nearest[c] = -1, --result_.reached;
    }
    // Seeds: the other sources in a reset cell (their cell at 0), then every reached cell next to
    // a reset one, at its cost. Moves are symmetric in which cells they join.
    std::vector<std::pair<float, std::uint32_t>> seeds;
    for (const auto& [c, other] : sources_)
        if (std::isinf(cost[c])) cost[c] = 0.0f, assign(c, other), ++result_.reached, seeds.emplace_back(0.0f, c);
    const move_table table(surface_, cells_of(surface_), options_);
    std::vector<char> seeded(cost.size(), 0);
    const std::size_t reset = changed_.size();
    for (std::size_t k = 0; k < reset; ++k)
        table.for_each_move(changed_[k], [&](std::size_t next, double) {
            if (std::isfinite(cost[next]) && !seeded[next]) {
                seeded[next] = 1;
                seeds.emplace_back(cost[next], static_cast<std::uint32_t>(next));
            }
        });
    relax_from(std::move(seeds));
    return true;
}

}  // namespace microplan::geo::access
