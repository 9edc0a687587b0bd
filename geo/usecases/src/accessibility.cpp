#include "microplan/geo/usecases/accessibility.hpp"

#include <chrono>
#include <cmath>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/access/friction.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/raster.hpp"
#include "text.hpp"

namespace microplan::geo::usecases {

establishment_points read_establishment_points(store::planning_store& db, const std::string& sector,
                                               const std::string& typology, const std::string& crs) {
    establishment_points out;
    proj::transformer to(std::string("EPSG:4326"), crs);
    for (const store::stored_establishment& s : db.read_establishments()) {
        const establishment& e = s.attributes;
        if (e.sector != sector || (!typology.empty() && e.typology != typology) || e.status != "existing") continue;
        // The public offer, as coverage counts it by default: private establishments are not
        // sources of travel time (an establishment whose provider is unknown counts as public).
        if (e.provider == "private") continue;
        double x = e.lon, y = e.lat;
        if (!std::isfinite(x) || !std::isfinite(y) || !to.forward(x, y)) continue;
        out.fid.push_back(e.row);
        out.code.push_back(e.id);
        out.name.push_back(e.name);
        out.typology.push_back(e.typology);
        out.x.push_back(x);
        out.y.push_back(y);
        out.capacity.push_back(e.capacity.value_or(0));
    }
    return out;
}

std::vector<unit_layer> read_unit_levels(store::planning_store& db) {
    std::vector<unit_layer> out;
    for (level lvl : db.levels_present()) out.push_back(db.read_level(lvl));
    return out;
}

access::travel_time_result travel_time_accessibility(store::planning_store& db, std::span<const unit_layer> levels,
                                                     const cost_surface& surface, const population_grid& pop,
                                                     const access::accessibility_options& options) {
    return access::travel_time_accessibility(
        levels, surface, pop, read_establishment_points(db, options.sector, options.typology, surface.g.crs_wkt),
        options);
}

accessibility_run distance_accessibility(store::planning_store& db, std::span<const unit_layer> levels,
                                         const population_grid& pop, const access::accessibility_options& options,
                                         std::vector<float>* km_out) {
    return access::distance_accessibility(
        levels, pop, read_establishment_points(db, options.sector, options.typology, pop.centres_crs), options, km_out);
}

cost_surface load_surface(const surface_request& request, const progress& on_progress) {
    const friction_inputs& in = request.sources;
    if (!request.friction.empty()) {
        auto s = read_cost_raster(request.friction);
        if (!in.elevation.empty())
            throw format_error({in.elevation, {}, {}, {}, {}}, "--dem needs the land cover",
                               "slope applies to walking cells, which only the land-cover speed table tells; "
                               "give --landcover and --speeds instead of --friction");
        return s;
    }
    if ((in.landcover.empty() || in.speeds.empty()) && !(in.landcover.empty() && in.walk_kmh > 0))
        throw format_error({}, "no friction surface",
                           "give --friction, or --landcover with --speeds, or --walk-kmh (no land cover)");
    access::friction_summary sum;
    auto layers = read_friction_layers(in);
    auto s = access::build_friction(layers, &sum);
    detail::tell(
        on_progress,
        detail::text("friction surface: %zu x %zu cells of %.0f m, %zu impassable, %zu barrier cells, %zu "
                     "road cells (%zu roads used, %zu skipped%s)%s%s",
                     s.g.cols, s.g.rows, s.g.ew_res, sum.impassable, sum.barrier_cells, sum.road_cells, sum.roads_used,
                     sum.roads_skipped, sum.skipped_classes.empty() ? "" : ": classes without a speed",
                     s.elevation.empty() ? "" : ", slope from the DEM",
                     layers.without_landcover ? "; NO LAND COVER: every off-road cell walked at one speed" : ""));
    if (!sum.skipped_classes.empty()) {
        std::string list;
        for (const auto& c : sum.skipped_classes) list += (list.empty() ? "" : ", ") + c;
        detail::tell(on_progress, "  road classes without a speed (not used): " + list);
    }
    return s;
}

friction_written write_friction_surface(const surface_request& request, const std::string& out,
                                        const progress& on_progress) {
    surface_request built = request;
    built.friction.clear();  // always built from its sources
    auto s = load_surface(built, on_progress);
    write_float_raster(out, s.g, s.cost);
    return {s.g.cols, s.g.rows, !s.elevation.empty()};
}

cost_summary accumulate_cost(const cost_request& request) {
    using clock = std::chrono::steady_clock;
    auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
    auto t0 = clock::now();
    detail::tell(request.on_progress, detail::text("reading %s ...", request.cost.c_str()));
    auto surface = read_cost_raster(request.cost);
    std::vector<access::source> sources;
    for (const point_source& p :
         read_point_sources(request.sources, request.fields, surface.g.crs_wkt, request.sources_layer))
        sources.push_back({p.x, p.y, p.id});
    auto t1 = clock::now();
    access::cost_distance_options o;
    o.moves = request.knight ? access::neighbourhood::knight : access::neighbourhood::queen;
    if (request.max_cost > 0) o.max_cost = request.max_cost;
    o.nearest = !request.nearest.empty();
    detail::tell(request.on_progress, detail::text("%zu x %zu cells, %zu sources, %d neighbours ...", surface.g.cols,
                                                   surface.g.rows, sources.size(), request.knight ? 16 : 8));
    auto r = access::cost_distance(surface, sources, o);
    auto t2 = clock::now();
    cost_summary out;
    for (double v : r.cost)
        if (std::isfinite(v)) out.peak = std::max(out.peak, v);
    write_float_raster(request.out, surface.g, r.cost);
    if (!request.nearest.empty()) write_int_raster(request.nearest, surface.g, r.nearest);
    auto t3 = clock::now();
    out.reached = r.reached;
    out.cells = surface.g.cells();
    out.unplaced = r.unplaced.size();
    out.read_seconds = seconds(t1 - t0);
    out.cost_seconds = seconds(t2 - t1);
    out.write_seconds = seconds(t3 - t2);
    return out;
}

}  // namespace microplan::geo::usecases
