// Live travel time for workshop edits: one establishment added to (and removed from) a
// many-source travel-time result kept by access::incremental_cost, beside the full
// cost_distance it replaces. Google Benchmark; see bench/RESULTS.md.
//
//   microplan access friction ... --out friction.tif     (bench/run_all.sh builds the demo's)
//   MICROPLAN_FRICTION=friction.tif [MICROPLAN_SOURCES=1000] microplan_bench_incremental_travel
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/io/raster.hpp"

using namespace microplan::geo;

namespace {

struct fixture {
    cost_surface surface;
    std::vector<access::source> sources;

    static fixture& get() {
        static fixture f = [] {
            const char* path = std::getenv("MICROPLAN_FRICTION");
            if (!path) {
                std::fprintf(stderr, "set MICROPLAN_FRICTION to a friction raster (microplan access friction)\n");
                std::exit(2);
            }
            fixture x;
            x.surface = read_cost_raster(path);
            const char* n = std::getenv("MICROPLAN_SOURCES");
            x.sources = random_sources(x.surface, n ? std::atoi(n) : 1000, 1);
            return x;
        }();
        return f;
    }

    // `n` sources on passable cells, the same for a seed.
    static std::vector<access::source> random_sources(const cost_surface& s, int n, unsigned seed) {
        std::mt19937 rng(seed);
        std::uniform_int_distribution<std::size_t> cell(0, s.g.cells() - 1);
        std::vector<access::source> out;
        while (static_cast<int>(out.size()) < n) {
            std::size_t c = cell(rng);
            if (std::isnan(s.cost[c])) continue;
            auto [x, y] = s.g.centre(c);
            out.push_back({x, y, static_cast<std::int32_t>(out.size())});
        }
        return out;
    }
};

void full_recompute(benchmark::State& state) {
    auto& f = fixture::get();
    access::cost_distance_options o;
    o.threads = static_cast<unsigned>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(access::cost_distance(f.surface, f.sources, o).reached);
    state.counters["cells"] = static_cast<double>(f.surface.g.cells());
}

// One edit as a workshop makes it: a new establishment somewhere, then taken away again.
void add_then_remove(benchmark::State& state) {
    auto& f = fixture::get();
    access::incremental_cost inc(f.surface, f.sources);
    auto extra = fixture::random_sources(f.surface, 64, 2);
    std::size_t i = 0, changed = 0, edits = 0;
    for (auto _ : state) {
        access::source s = extra[i++ % extra.size()];
        s.id = 1'000'000;
        inc.add(s);
        changed += inc.changed().size();
        inc.remove(s.id);
        changed += inc.changed().size();
        edits += 2;
    }
    state.counters["cells_changed_per_edit"] = static_cast<double>(changed) / static_cast<double>(edits);
}

}  // namespace

BENCHMARK(full_recompute)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(add_then_remove)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
