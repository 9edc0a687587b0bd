// Accessibility runs of a store's establishments: travel time, distance and network time.
#include <algorithm>
#include <filesystem>
#include <limits>

#include "microplan/geo/access/network.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/catchments.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/usecases/accessibility.hpp"
#include "output.hpp"
#include "text.hpp"

namespace microplan::geo::usecases {

namespace {

// The thresholds asked for plus the sector's standard travel times (so indicators find theirs).
std::vector<double> with_standard_times(store::planning_store& db, const std::string& sector,
                                        std::vector<double> thresholds) {
    if (auto cat = db.read_standards())
        for (const auto& st : cat->items)
            if (st.sector == sector && st.max_travel_min) thresholds.push_back(*st.max_travel_min);
    std::sort(thresholds.begin(), thresholds.end());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
    return thresholds;
}

access::accessibility_options run_options(const accessibility_request& request) {
    access::accessibility_options o;
    o.sector = canonical_sector(request.sector), o.typology = request.typology;
    o.thresholds = request.thresholds;
    return o;
}

void store_run(const accessibility_request& request, const accessibility_run& run) {
    if (request.store_run)
        store::update_atomically(request.store, [&](store::planning_store& db) { db.write_accessibility(run); });
}

// Name of the files of a run: the sector, and the typology when one was asked for.
std::string file_base(const access::accessibility_options& o) {
    return o.sector + (o.typology.empty() ? "" : "_" + canonical_sector(o.typology));
}

[[noreturn]] void no_establishments(const std::string& store, const std::string& what) {
    throw format_error({store, "establishments", {}, "sector", {}}, "no establishments",
                       "the store has no existing establishments of sector '" + what);
}

}  // namespace

run_summary run_travel_time(const accessibility_request& request, const surface_request& surface_request,
                            double max_minutes) {
    detail::stopwatch clock;
    auto surface = load_surface(surface_request, request.on_progress);
    detail::tell(request.on_progress,
                 detail::text("friction ready in %.2f s; reading the population ...", clock.seconds()));
    auto pop = read_population_grid(request.population, surface.g.crs_wkt);
    auto db = store::open_store(request.store, store::open_mode::read_only);
    access::accessibility_options o = run_options(request);
    o.thresholds = with_standard_times(*db, o.sector, o.thresholds);
    o.moves = surface_request.knight ? access::neighbourhood::knight : access::neighbourhood::queen;
    o.max_minutes = max_minutes;
    detail::tell(request.on_progress, detail::text("travel time from the %s establishments over %zu cells ...",
                                                   o.sector.c_str(), surface.g.cells()));
    auto r = travel_time_accessibility(*db, read_unit_levels(*db), surface, pop, o);
    if (r.sources.size() == 0)
        no_establishments(request.store,
                          o.sector + "'" + (o.typology.empty() ? "" : " and typology '" + o.typology + "'"));
    r.run.population_source = request.population;
    r.run.moves = surface_request.knight ? 16 : 8;
    // The surface the server recomputes scenarios over: the ready-made raster itself, or the
    // built one written to the output folder (without either, the run keeps none).
    if (!surface_request.friction.empty())
        r.run.surface_source = std::filesystem::absolute(surface_request.friction).string();
    if (!request.out_dir.empty()) {
        const std::string base = file_base(o);
        if (surface_request.friction.empty()) {
            r.run.surface_source =
                std::filesystem::absolute(detail::output_path(request.out_dir, "surface.tif")).string();
            write_cost_surface(r.run.surface_source, surface);
        }
        write_float_raster(detail::output_path(request.out_dir, "travel_time_" + base + ".tif"), surface.g,
                           r.times.cost);
        write_int_raster(detail::output_path(request.out_dir, "nearest_" + base + ".tif"), surface.g, r.times.nearest);
        write_catchments(detail::output_path(request.out_dir, "catchments_" + base + ".gpkg"), surface.g,
                         r.times.nearest, r.sources, &pop);
        detail::tell(request.on_progress,
                     detail::text("wrote travel_time_%s.tif, nearest_%s.tif, catchments_%s.gpkg in %s", base.c_str(),
                                  base.c_str(), base.c_str(), request.out_dir.c_str()));
    }
    if (!r.times.unplaced.empty())
        detail::tell(request.on_progress,
                     detail::text("warning: %zu establishments lie outside the surface or on impassable cells",
                                  r.times.unplaced.size()));
    store_run(request, r.run);
    return {std::move(r.run), r.times.reached};
}

run_summary run_distance(const accessibility_request& request) {
    auto db = store::open_store(request.store, store::open_mode::read_only);
    const std::string crs = db->analysis_crs();
    detail::tell(request.on_progress, detail::text("reading the population (centres in %s) ...", crs.c_str()));
    auto pop = read_population_grid(request.population, crs);
    access::accessibility_options o = run_options(request);
    std::vector<float> km;
    auto run = distance_accessibility(*db, read_unit_levels(*db), pop, o, &km);
    if (run.establishments == 0) no_establishments(request.store, o.sector + "'");
    run.population_source = request.population;
    if (!request.out_dir.empty()) {  // the distance of every inhabited cell, on the population's grid
        std::vector<float> cells(pop.g.cells(), std::numeric_limits<float>::quiet_NaN());
        for (std::size_t k = 0; k < km.size(); ++k) cells[pop.occupied[k]] = km[k];
        const std::string base = file_base(o);
        write_float_raster(detail::output_path(request.out_dir, "distance_" + base + ".tif"), pop.g, cells);
        detail::tell(request.on_progress,
                     detail::text("wrote distance_%s.tif (km) in %s", base.c_str(), request.out_dir.c_str()));
    }
    store_run(request, run);
    return {std::move(run), pop.occupied.size()};
}

run_summary run_network(const accessibility_request& request, const road_network& network) {
    detail::stopwatch clock;
    auto db = store::open_store(request.store, store::open_mode::read_only);
    const std::string crs = db->analysis_crs();
    auto graph = access::build_road_graph(read_roads(network.roads, network.roads_layer, network.road_field,
                                                     read_speed_table(network.road_speeds, false), crs),
                                          network.snap_m);
    detail::tell(
        request.on_progress,
        detail::text("road graph: %zu nodes, %zu edges (%zu roads, %zu without a speed) in %.2f s", graph.nodes(),
                     graph.edges() / 2, graph.roads_used, graph.roads_skipped, clock.seconds()));
    auto pop = read_population_grid(request.population, crs);
    access::accessibility_options o = run_options(request);
    o.thresholds = with_standard_times(*db, o.sector, o.thresholds);
    auto points = read_establishment_points(*db, o.sector, o.typology, crs);
    if (points.size() == 0) no_establishments(request.store, o.sector + "'");
    auto minutes = access::network_travel_time(graph, points.x, points.y, pop.cx, pop.cy, network.walk_kmh);
    accessibility_run run;
    run.sector = o.sector, run.typology = o.typology, run.measure = "network_time", run.units = "min";
    run.thresholds = o.thresholds, run.establishments = points.size(), run.population_source = request.population;
    run.method = "road network graph (" + std::to_string(graph.nodes()) + " nodes) with straight-line walking at " +
                 std::to_string(network.walk_kmh).substr(0, 4) + " km/h to and from the nearest node";
    run.units_by_level = access::statistics_by_level(read_unit_levels(*db), pop, minutes, o.thresholds);
    store_run(request, run);
    return {std::move(run), 0};
}

}  // namespace microplan::geo::usecases
