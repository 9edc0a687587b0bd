// microplan's side of the peer comparison for point-in-polygon assignment (job 1) and
// raster zonal sums (job 4) of ../shared/peers, writing rows in the peers' CSV form
// (job,peer,variant,run,wall_s,peak_rss_mb,metrics) and the assignments/sums the peers'
// compare scripts read. Run by bench/pip_zonal.sh; see bench/RESULTS.md.
//
//   microplan_bench_pip_zonal DATA_DIR POINTS_CSV OUT_CSV ASSIGN_CSV SUMS_CSV [RUNS]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "microplan/geo/territory/locate.hpp"

using namespace microplan::geo;
using clock_type = std::chrono::steady_clock;

namespace {

double since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr, "usage: %s DATA_DIR POINTS_CSV OUT_CSV ASSIGN_CSV SUMS_CSV [RUNS]\n", argv[0]);
        return 2;
    }
    std::string data = argv[1], points_csv = argv[2], out_csv = argv[3], assign_csv = argv[4], sums_csv = argv[5];
    int runs = argc > 6 ? std::atoi(argv[6]) : 3;
    std::ofstream out(out_csv);
    out << "job,peer,variant,run,wall_s,peak_rss_mb,metrics\n";
    auto row = [&](const char* job, const std::string& variant, int run, double wall, const std::string& metrics) {
        std::string csv;  // CSV quoting: quotes doubled
        for (char ch : metrics) csv += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        out << job << ",microplan," << variant << "," << run << "," << wall << "," << peak_rss_mb() << ",\"" << csv
            << "\"\n";
        std::printf("%-6s %-44s run %d: %.4f s  %s\n", job, variant.c_str(), run, wall, metrics.c_str());
    };

    // Parishes as delivered (the 4 invalid ones are repaired by make-valid on import).
    auto t0 = clock_type::now();
    import_options io;
    io.path = data + "/boundaries/parroquias.geojson";
    io.lvl = level::parish;
    unit_layer parishes = std::move(read_units(io).layer);
    row("pip", "load_parishes(import+make-valid)", 0, since(t0), "{}");

    t0 = clock_type::now();
    std::vector<lonlat> pts;
    std::vector<long long> ids;
    {
        std::ifstream in(points_csv);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            const char* p = line.c_str();
            char* end = nullptr;
            long long id = std::strtoll(p, &end, 10);
            double x = std::strtod(end + 1, &end);
            double y = std::strtod(end + 1, &end);
            ids.push_back(id);
            pts.push_back({x, y});
        }
    }
    row("pip", "load_points(csv)", 0, since(t0), "{\"points\": " + std::to_string(pts.size()) + "}");

    t0 = clock_type::now();
    point_locator locator(parishes);
    double build = since(t0);
    row("pip", "prep_index(str-tree+edge bands)", 0, build, "{}");

    std::vector<int> hits;
    for (unsigned threads : {2u, 1u}) {
        std::vector<double> times;
        for (int r = 1; r <= runs; ++r) {
            t0 = clock_type::now();
            hits = locator.locate_all(pts, threads);
            double wall = since(t0);
            times.push_back(wall);
            std::size_t assigned =
                static_cast<std::size_t>(std::count_if(hits.begin(), hits.end(), [](int h) { return h >= 0; }));
            row("pip", "locate_all(" + std::to_string(threads) + " threads)/pts_1m", r, wall,
                "{\"assigned\": " + std::to_string(assigned) + ", \"pts_per_s\": " +
                    std::to_string(static_cast<long long>(static_cast<double>(pts.size()) / wall)) + "}");
        }
        std::printf("median %u thread(s): %.4f s\n", threads, median(times));
    }
    {
        std::ofstream a(assign_csv);
        a << "pt_id,parish_id\n";
        for (std::size_t i = 0; i < pts.size(); ++i)
            if (hits[i] >= 0) a << ids[i] << "," << parishes.units[static_cast<std::size_t>(hits[i])].code << "\n";
    }

    // Job 4: LandScan continental summed per parish, fractional cell weights.
    std::vector<const GEOSGeometry*> geoms;
    for (const auto& u : parishes.units) geoms.push_back(u.geometry.get());
    zonal_result z;
    for (int r = 1; r <= runs; ++r) {
        t0 = clock_type::now();
        z = zonal_sums(data + "/rasters/landscan_2023_continental.tif", geoms, "EPSG:4326");
        double wall = since(t0);
        double total = 0;
        for (double v : z.sums) total += v;
        row("zonal", "fractional cells (read window + coverage)", r, wall,
            "{\"total_in_parishes\": " + std::to_string(static_cast<long long>(total + 0.5)) + "}");
    }
    std::ofstream s(sums_csv);
    s << "parish_id,pop_sum\n";
    for (std::size_t i = 0; i < parishes.units.size(); ++i)
        s << parishes.units[i].code << "," << static_cast<long long>(z.sums[i] + 0.5) << "\n";
    return 0;
}
