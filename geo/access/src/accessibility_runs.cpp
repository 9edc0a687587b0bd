#include <cmath>
#include <sstream>

#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/core/proj.hpp"

namespace microplan::geo::access {

std::map<std::string, std::map<std::string, unit_access>> statistics_by_level(std::span<const unit_layer> levels,
                                                                              const population_grid& pop,
                                                                              std::span<const float> values,
                                                                              std::span<const double> thresholds) {
    std::map<std::string, std::map<std::string, unit_access>> out;
    for (const unit_layer& layer : levels) {
        std::vector<const GEOSGeometry*> geoms;
        for (const auto& u : layer.units) geoms.push_back(u.geometry.get());
        auto stats = unit_statistics(pop, values, geoms, "EPSG:4326", thresholds);
        auto& by_code = out[std::string(level_name(layer.lvl))];
        for (std::size_t i = 0; i < layer.units.size(); ++i) by_code[layer.units[i].code] = std::move(stats[i]);
    }
    return out;
}

namespace {
std::string describe_thresholds(std::span<const double> t, const char* units) {
    std::ostringstream s;
    for (std::size_t i = 0; i < t.size(); ++i) s << (i ? "/" : "") << t[i];
    s << " " << units;
    return s.str();
}
}  // namespace

travel_time_result travel_time_accessibility(std::span<const unit_layer> levels, const cost_surface& surface,
                                             const population_grid& pop, establishment_points points,
                                             const accessibility_options& options) {
    travel_time_result r;
    r.sources = std::move(points);
    std::vector<source> src;
    for (std::size_t i = 0; i < r.sources.size(); ++i)
        src.push_back({r.sources.x[i], r.sources.y[i], static_cast<std::int32_t>(i)});
    cost_distance_options o;
    o.moves = options.moves;
    if (options.max_minutes > 0) o.max_cost = options.max_minutes;
    r.times = cost_distance(surface, src, o);
    r.at_people = sample_at_centres(pop, surface.g, r.times.cost);
    auto& run = r.run;
    run.sector = options.sector, run.typology = options.typology;
    run.measure = "travel_time", run.units = "min";
    run.thresholds = options.thresholds;
    run.establishments = r.sources.size() - r.times.unplaced.size();
    run.method = std::string("cost distance over a friction surface (") +
                 (options.moves == neighbourhood::knight ? "16" : "8") + " neighbours, " +
                 (surface.elevation.empty() ? "no slope" : "Tobler slope") + "), " + std::to_string(surface.g.cols) +
                 "x" + std::to_string(surface.g.rows) + " cells of " +
                 std::to_string(static_cast<long long>(std::lround(surface.g.ew_res))) + " m; thresholds " +
                 describe_thresholds(options.thresholds, "min");
    run.units_by_level = statistics_by_level(levels, pop, r.at_people, options.thresholds);
    return r;
}

accessibility_run distance_accessibility(std::span<const unit_layer> levels, const population_grid& pop,
                                         const establishment_points& points, const accessibility_options& options,
                                         std::vector<float>* km_out) {
    nearest_index index(points.x, points.y);
    std::vector<float> km(pop.occupied.size(), std::numeric_limits<float>::infinity());
    for (std::size_t k = 0; k < km.size(); ++k)
        if (auto hit = index.nearest(pop.cx[k], pop.cy[k])) km[k] = static_cast<float>(hit->second / 1000.0);
    accessibility_run run;
    run.sector = options.sector, run.typology = options.typology;
    run.measure = "distance", run.units = "km";
    run.thresholds = options.thresholds;
    run.establishments = points.size();
    run.method = "straight-line distance from each population cell centre to the nearest establishment in " +
                 proj::crs_name(pop.centres_crs) + "; thresholds " + describe_thresholds(options.thresholds, "km");
    run.units_by_level = statistics_by_level(levels, pop, km, options.thresholds);
    if (km_out) *km_out = std::move(km);
    return run;
}

}  // namespace microplan::geo::access
