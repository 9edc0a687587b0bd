// Incremental recompute of coverage on the national demo (1,134 circuits, ~7,700
// establishments, 13 standards): one establishment added, moved or removed, beside the full
// recompute it replaces. Google Benchmark; see bench/RESULTS.md.
//
//   microplan demo --out /tmp/demo.sqlite
//   MICROPLAN_STORE=/tmp/demo.sqlite microplan_bench_incremental
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>

#include "microplan/geo/store/planning_inputs.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/territory/locate.hpp"
#include "microplan/geo/usecases/planning.hpp"

using namespace microplan::geo;

namespace {

struct fixture {
    std::unique_ptr<store::planning_inputs> inputs;
    std::unique_ptr<coverage_model> model;
    std::vector<unit_layer> layers;  // zone, district, circuit polygons (lon/lat)
    std::vector<std::unique_ptr<point_locator>> locators;
    std::string store_copy;

    static fixture& get() {
        static fixture f = [] {
            const char* path = std::getenv("MICROPLAN_STORE");
            if (!path) {
                std::fprintf(stderr, "set MICROPLAN_STORE to a planning store (microplan demo --out FILE)\n");
                std::exit(2);
            }
            fixture x;
            auto db = store::open_store(path, store::open_mode::read_only);
            x.inputs = std::make_unique<store::planning_inputs>(store::read_planning_inputs(*db));
            x.model = std::make_unique<coverage_model>(usecases::make_model(*x.inputs));
            for (level l : {level::zone, level::district, level::circuit}) {
                x.layers.push_back(db->read_level(l));
                x.locators.push_back(std::make_unique<point_locator>(x.layers.back()));
            }
            x.store_copy = std::string(path) + ".bench-copy";
            std::filesystem::copy_file(path, x.store_copy, std::filesystem::copy_options::overwrite_existing);
            return x;
        }();
        return f;
    }

    // A health centre at (lon, lat): located in every tier, as an edit from the map does.
    placed_establishment at(double lon, double lat) const {
        placed_establishment e;
        e.id = "BENCH";
        e.sector = "health";
        e.typology = "Centro de Salud Tipo A";
        e.condition = "good";
        e.units.assign(locators.size(), -1);
        for (std::size_t t = 0; t < locators.size(); ++t) e.units[t] = locators[t]->locate(lon, lat);
        return e;
    }

    std::pair<double, double> random_point(std::mt19937& rng) const {
        const auto& ext = locators.back()->extent();
        for (;;) {
            double lon = std::uniform_real_distribution<>(ext.minx, ext.maxx)(rng);
            double lat = std::uniform_real_distribution<>(ext.miny, ext.maxy)(rng);
            if (locators.back()->locate(lon, lat) >= 0) return {lon, lat};
        }
    }
};

void full_recompute(benchmark::State& state) {
    fixture& f = fixture::get();
    for (auto _ : state) {
        f.model->set_establishments(f.inputs->establishments);
        benchmark::DoNotOptimize(f.model->sector_national("").deficit);
    }
    state.counters["establishments"] = static_cast<double>(f.inputs->establishments.size());
}

// Locate a clicked point in the three levels, add the establishment, move it elsewhere,
// remove it: three edits per iteration.
void add_move_remove(benchmark::State& state) {
    fixture& f = fixture::get();
    std::mt19937 rng(11);
    for (auto _ : state) {
        auto [lon, lat] = f.random_point(rng);
        std::size_t h = f.model->add(f.at(lon, lat));
        auto [lon2, lat2] = f.random_point(rng);
        f.model->move(h, f.at(lon2, lat2).units);
        f.model->remove(h);
        benchmark::DoNotOptimize(f.model->sector_national("health").deficit);
    }
    state.counters["edits_per_iteration"] = 3;
}

// The same add as a scenario edit committed to the store (one transaction with its undo-log
// row, fsync), as the server does for a proposal placed on the map.
void add_and_commit(benchmark::State& state) {
    fixture& f = fixture::get();
    auto db = store::open_store(f.store_copy, store::open_mode::read_write);
    const std::int64_t scenario = db->create_scenario("bench").id;
    std::mt19937 rng(13);
    for (auto _ : state) {
        auto [lon, lat] = f.random_point(rng);
        placed_establishment e = f.at(lon, lat);
        store::proposal_record p{
            0,           scenario, "health", "Centro de Salud Tipo A",
            "propuesto", lon,      lat,      f.layers[2].units[static_cast<std::size_t>(e.units[2])].code};
        db->add_proposal(p);
        std::size_t h = f.model->add(std::move(e));
        benchmark::DoNotOptimize(f.model->sector_national("health").deficit);
        f.model->remove(h);
    }
}

}  // namespace

BENCHMARK(full_recompute)->Unit(benchmark::kMillisecond);
BENCHMARK(add_move_remove)->Unit(benchmark::kMicrosecond);
BENCHMARK(add_and_commit)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
