// Cost distance against the memory bandwidth of this machine: a plain pass over the grid (read
// the friction, write a float per cell, on every core) beside access::cost_distance on the same
// grid and sources, best of a few runs each. Called by bench/cost_distance.sh.
//
//   microplan_bench_cost_bandwidth cost.tif starts.csv [--knight] [--nearest] [--runs N]
//
// Prints, for the engine: cells per second, the bytes it must move at the least (as the plain
// pass: 4 B of friction read and 4 B of cost written per cell, plus 16 B per queue entry: written
// by a thread, gathered into the bucket being settled, read back), its effective bandwidth
// (those bytes over its time) and how far that is from the plain pass's.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/io/point_sources.hpp"
#include "microplan/geo/io/raster.hpp"

using namespace microplan::geo;

namespace {

double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// One pass over the grid on `threads` threads: out[i] = in[i] * 1.5 (NaN stays NaN), the
// memory traffic of reading the friction and writing a cost. Best of `runs`, in seconds.
double plain_pass(const std::vector<float>& in, std::vector<float>& out, unsigned threads, int runs) {
    double best = 1e300;
    for (int r = 0; r < runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::thread> pool;
        const std::size_t chunk = (in.size() + threads - 1) / threads;
        for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                const std::size_t lo = t * chunk, hi = std::min(in.size(), lo + chunk);
                for (std::size_t i = lo; i < hi; ++i) out[i] = in[i] * 1.5f;
            });
        for (auto& th : pool) th.join();
        best = std::min(best, seconds_since(t0));
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s cost.tif starts.csv [--knight] [--nearest] [--runs N]\n", argv[0]);
        return 2;
    }
    access::cost_distance_options o;
    o.nearest = false;  // as `microplan access cost` without --nearest
    int runs = 3;
    for (int i = 3; i < argc; ++i) {
        if (std::strcmp(argv[i], "--knight") == 0) o.moves = access::neighbourhood::knight;
        if (std::strcmp(argv[i], "--nearest") == 0) o.nearest = true;  // the 16-byte records
        if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    }
    const cost_surface surface = read_cost_raster(argv[1]);
    std::vector<access::source> sources;
    for (const point_source& p : read_point_sources(argv[2], {}, surface.g.crs_wkt))
        sources.push_back({p.x, p.y, p.id});
    const std::size_t cells = surface.g.cells();
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());

    std::vector<float> out(cells, 0.0f);  // faulted in: the pass measures memory, not page faults
    const double plain = plain_pass(surface.cost, out, threads, std::max(runs, 5));
    const double plain_gbs = 8.0 * static_cast<double>(cells) / plain / 1e9;

    double best = 1e300, best_cpu = 1e300;
    access::cost_distance_result r;
    for (int k = 0; k < runs; ++k) {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_seconds();
        r = access::cost_distance(surface, sources, o);
        best = std::min(best, seconds_since(t0));
        best_cpu = std::min(best_cpu, cpu_seconds() - c0);
    }
    const double bytes = 8.0 * static_cast<double>(cells) + 16.0 * static_cast<double>(r.queued);
    const double engine_gbs = bytes / best / 1e9;
    std::printf("plain pass over the grid (%zu cells, 8 B each, %u threads): %.3f s, %.2f GB/s, %.0f M cells/s\n",
                cells, threads, plain, plain_gbs, static_cast<double>(cells) / plain / 1e6);
    std::printf(
        "cost distance (%d neighbours, best of %d): %.3f s (%.2f s of CPU), %zu cells reached, %zu queue entries; "
        "%.1f M cells reached/s; %.1f B per cell at the least, %.2f GB/s effective = %.1f %% of the plain "
        "pass (%.1fx its time for the same bytes)\n",
        o.moves == access::neighbourhood::knight ? 16 : 8, runs, best, best_cpu, r.reached, r.queued,
        static_cast<double>(r.reached) / best / 1e6, bytes / static_cast<double>(cells), engine_gbs,
        100.0 * engine_gbs / plain_gbs, plain_gbs / engine_gbs);
    return 0;
}
