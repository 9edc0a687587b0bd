// Tile rendering in process, without HTTP: every tile of a layer over its extent at z0–10,
// one thread, the per-zoom arcs already built (after the first pass) — what the server does
// for an uncached tile minus the request. Google Benchmark; see bench/RESULTS.md.
//
//   MICROPLAN_STORE=store.sqlite microplan_bench_tiles        (layers: every collection, and "all")
//   MICROPLAN_TILE_LIST=tiles.txt ...                          (lines "z x y" instead of the extent's tiles)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "microplan/service/snapshot.hpp"
#include "microplan/service/tiles_service.hpp"
#include "microplan/tiles/tileset.hpp"

using namespace microplan;

namespace {

std::shared_ptr<const service::snapshot>& data() {
    static std::shared_ptr<const service::snapshot> d = [] {
        const char* path = std::getenv("MICROPLAN_STORE");
        if (!path) {
            std::fprintf(stderr, "set MICROPLAN_STORE to a planning store\n");
            std::exit(2);
        }
        return service::snapshot::load(path);
    }();
    return d;
}

std::vector<tiles::tile_id> tiles_over(const tiles::box& lonlat) {
    std::vector<tiles::tile_id> out;
    if (const char* list = std::getenv("MICROPLAN_TILE_LIST")) {
        std::FILE* f = std::fopen(list, "r");
        if (!f) {
            std::fprintf(stderr, "cannot read %s\n", list);
            std::exit(2);
        }
        unsigned z = 0, x = 0, y = 0;
        while (std::fscanf(f, "%u %u %u", &z, &x, &y) == 3) out.push_back({z, x, y});
        std::fclose(f);
        return out;
    }
    for (std::uint32_t z = 0; z <= 10; ++z) {
        auto a = tiles::tile_for_lonlat(lonlat.minx, lonlat.maxy, z),
             b = tiles::tile_for_lonlat(lonlat.maxx, lonlat.miny, z);
        for (auto x = a.x; x <= b.x; ++x)
            for (auto y = a.y; y <= b.y; ++y) out.push_back({z, x, y});
    }
    return out;
}

void render_layer(benchmark::State& state, const std::string& layer) {
    auto layers = service::tiles_service::layers_of(*data(), layer);
    tiles::box extent = layer == "all" ? data()->extent() : data()->find(layer)->extent;
    auto list = tiles_over(extent);
    std::size_t bytes = 0, count = 0;
    for (auto _ : state) {
        for (const auto& t : list) {
            auto r = tiles::render_tile(layers, t);
            bytes += r.data.size();
            benchmark::DoNotOptimize(r.data.data());
        }
        count += list.size();
    }
    state.counters["tiles"] = static_cast<double>(list.size());
    state.counters["tiles_per_s"] = benchmark::Counter(static_cast<double>(count), benchmark::Counter::kIsRate);
    state.counters["mean_bytes"] = count ? static_cast<double>(bytes) / static_cast<double>(count) : 0;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    for (const auto& c : data()->collections())
        benchmark::RegisterBenchmark(("render_z0_10/" + c.id).c_str(), render_layer, c.id)
            ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("render_z0_10/all", render_layer, std::string("all"))->Unit(benchmark::kMillisecond);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
