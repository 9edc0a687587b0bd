// Travel time to the real schools over a national friction surface without land cover, in
// two road scenarios, stored as accessibility runs (national_access.hpp).
#include "microplan/geo/usecases/national_access.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>

#include "microplan/geo/access/friction.hpp"
#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/friction_sources.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/accessibility.hpp"
#include "microplan/geo/usecases/establishments.hpp"
#include "text.hpp"

namespace microplan::geo::usecases {

namespace {

namespace fs = std::filesystem;

// What every run over this surface lacks, as codes the viewer translates and as sentences.
const std::vector<std::string> limitation_codes = {"no_land_cover", "small_scale_roads"};

nlohmann::json lacks_text(double walk_kmh) {
    return nlohmann::json::array(
        {"no land cover: every off-road cell is walked at " + detail::text("%g", walk_kmh) +
             " km/h on flat ground (Tobler's slope from the DEM); forests, wetlands and crops are not slower and "
             "rivers are no barrier except where the DEM has no data",
         "IGM 1:1,000,000 roads: main roads only; streets and rural tracks are missing, so travel times are "
         "over-stated and access under-stated, most in rural areas"});
}

// The schools: imported from `schools` when the store holds no education establishments.
std::size_t ensure_schools(const national_access_options& o, nlohmann::json& report) {
    std::size_t stored = 0;
    {
        auto db = store::open_store(o.store, store::open_mode::read_only);
        for (const auto& e : db->read_establishments()) stored += e.attributes.sector == "education" ? 1 : 0;
    }
    report["schools"] = {{"source", o.schools}, {"already_stored", stored}};
    if (stored > 0 || o.schools.empty()) return stored;
    establishment_import_request r;
    r.store = o.store;
    r.source.path = o.schools;
    r.source.sector = "education";
    r.source.analysis_crs = o.crs;
    placement_report p = import_establishments(r);
    report["schools"]["imported"] = p.rows;
    report["schools"]["findings"] = p.report.items;
    detail::tell(o.on_progress, detail::text("imported %zu schools from %s", p.rows, o.schools.c_str()));
    return p.rows;
}

// The envelope, in the grid's CRS, of the parishes on the grid (not starting with the prefix).
std::array<double, 4> mainland_extent(const std::vector<unit_layer>& levels, const national_access_options& o) {
    proj::transformer to(std::string("EPSG:4326"), o.crs);
    bool any = false;
    geos::envelope all;
    for (const auto& l : levels) {
        if (l.lvl != level::parish) continue;
        for (const auto& u : l.units) {
            if (!u.geometry || (!o.off_grid_prefix.empty() && u.code.rfind(o.off_grid_prefix, 0) == 0)) continue;
            auto g = to.forward(u.geometry.get());
            if (!g) continue;
            geos::envelope e = geos::envelope_of(g.get());
            if (any)
                all.expand(e);
            else
                all = e, any = true;
        }
    }
    if (!any)
        throw format_error({o.store, "parish", {}, {}, {}}, "no parishes",
                           "the store holds no parish on the grid to set the surface's extent");
    return {all.minx, all.miny, all.maxx, all.maxy};
}

// The thresholds plus the education standard's travel times (so indicators find theirs).
std::vector<double> thresholds_of(store::planning_store& db, std::vector<double> t) {
    if (auto cat = db.read_standards())
        for (const auto& st : cat->items)
            if (st.sector == "education" && st.max_travel_min) t.push_back(*st.max_travel_min);
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    return t;
}

// People within each threshold over every zone (the zones share out the raster's people).
nlohmann::json national_figures(const accessibility_run& run) {
    nlohmann::json out = nlohmann::json::object();
    auto zones = run.units_by_level.find("zone");
    if (zones == run.units_by_level.end()) return out;
    double people = 0;
    std::vector<double> within(run.thresholds.size(), 0.0);
    for (const auto& [code, u] : zones->second) {
        people += u.population;
        for (std::size_t t = 0; t < within.size(); ++t) within[t] += u.within[t];
    }
    out["population"] = std::round(people);
    for (std::size_t t = 0; t < within.size(); ++t)
        out["pct_within_" + detail::text("%g", run.thresholds[t])] =
            people > 0 ? std::round(1000.0 * within[t] / people) / 10 : 0.0;
    return out;
}

struct surface_base {
    friction_layers layers;            // without roads
    std::vector<std::uint8_t> known;   // where the DEM has data, inside the territory
    std::vector<std::uint8_t> inside;  // inside the territory (every cell without one)
};

// One scenario: the roads burnt with its speeds, the travel time and its statistics, stored.
nlohmann::json run_scenario(const national_access_options& o, const road_scenario& sc, surface_base& base,
                            const std::vector<unit_layer>& levels, const population_grid& pop,
                            const establishment_points& schools, const std::vector<double>& thresholds) {
    detail::stopwatch clock;
    friction_layers& layers = base.layers;
    road_set roads = read_roads(o.roads, "", o.road_field, read_speed_table(sc.road_speeds, false), layers.g.crs_wkt);
    const std::size_t used = roads.roads.size(), closed = roads.skipped;
    layers.road_kmh = road_speeds_on_grid(layers.g, std::move(roads));
    layers.roads_used = used, layers.roads_skipped = closed;
    for (std::size_t i = 0; i < layers.known.size(); ++i)  // a road off the DEM is a bridge or causeway
        layers.known[i] = base.known[i] || (layers.road_kmh[i] > 0 && base.inside[i]);
    access::friction_summary sum;
    cost_surface surface = access::build_friction(layers, &sum);
    const double friction_seconds = clock.seconds();
    // The friction alone (minutes per cell, as design --friction reads it) and the whole surface
    // with its elevation and walking cells, which the run keeps for live scenario edits.
    std::string kept;
    if (!o.friction_out.empty()) {
        write_float_raster(o.friction_out + "_" + sc.measure + ".tif", surface.g, surface.cost);
        kept = std::filesystem::absolute(o.friction_out + "_" + sc.measure + "_surface.tif").string();
        write_cost_surface(kept, surface);
    }
    access::accessibility_options ao;
    ao.sector = "education";
    ao.thresholds = thresholds;
    auto r = access::travel_time_accessibility(levels, surface, pop, schools, ao);
    r.run.measure = sc.measure;
    r.run.population_source = std::filesystem::absolute(o.population).string();
    r.run.surface_source = kept;
    r.run.limitations = limitation_codes;
    r.run.method = "cost distance (8 neighbours) over a " + detail::text("%g", o.resolution) +
                   " m friction surface WITHOUT land cover: off-road walking at " + detail::text("%g", o.walk_kmh) +
                   " km/h with Tobler's slope (" + o.dem + "), roads " + o.roads + " at the speeds of " +
                   sc.road_speeds + " (" + sc.description + "); 1:1M roads under-state access";
    store::update_atomically(o.store, [&](store::planning_store& db) { db.write_accessibility(r.run); });
    nlohmann::json j = {{"measure", sc.measure},
                        {"scenario", sc.description},
                        {"road_speeds", sc.road_speeds},
                        {"roads_used", used},
                        {"roads_closed_or_without_speed", closed},
                        {"road_cells", sum.road_cells},
                        {"impassable_cells", sum.impassable},
                        {"cells_reached", r.times.reached},
                        {"schools_unplaced", r.times.unplaced.size()},
                        {"national", national_figures(r.run)},
                        {"friction_seconds", friction_seconds},
                        {"seconds", clock.seconds()}};
    detail::tell(o.on_progress, detail::text("%s (%s): %zu roads, %zu closed, %zu road cells; %zu cells reached in "
                                             "%.2f s",
                                             sc.measure.c_str(), sc.description.c_str(), used, closed, sum.road_cells,
                                             r.times.reached, clock.seconds()));
    return j;
}

}  // namespace

national_access_options national_access_sources(const std::string& data_dir, const std::string& speeds_dir) {
    national_access_options o;
    const fs::path d(data_dir), s(speeds_dir);
    auto have = [](const fs::path& p) { return fs::exists(p) ? p.string() : std::string(); };
    o.schools = have(d / "establishments" / "escuelas_coordenadas.geojson");
    o.dem = have(d / "rasters" / "srtm3_ecuador.tif");
    o.roads = have(d / "networks" / "vias_igm_1m.shp");
    o.population = have(d / "rasters" / "landscan_2023_continental.tif");
    o.territory = have(d / "boundaries" / "parroquias.geojson");
    o.scenarios = {
        {"travel_time", "dry season: every road open", have(s / "ecuador_igm_road_speeds_dry.csv")},
        {"travel_time_rainy", "rainy season: dry-season roads closed", have(s / "ecuador_igm_road_speeds_rainy.csv")}};
    return o;
}

national_access_summary build_national_travel_times(const national_access_options& o) {
    detail::stopwatch clock;
    national_access_summary out;
    nlohmann::json& j = out.report;
    j["lacks"] = lacks_text(o.walk_kmh);
    j["limitations"] = limitation_codes;
    j["left_out"] = "parishes whose code starts with '" + o.off_grid_prefix +
                    "' (Galápagos): the SRTM DEM and the continental LandScan raster do not cover them, so their "
                    "units have no travel-time figure and zone figures count mainland people only";
    ensure_schools(o, j);
    auto db = store::open_store(o.store, store::open_mode::read_only);
    const std::vector<unit_layer> levels = read_unit_levels(*db);
    const std::vector<double> thresholds = thresholds_of(*db, o.thresholds);
    friction_inputs in;
    in.walk_kmh = o.walk_kmh;
    in.elevation = o.dem;
    in.grid = {o.crs, o.resolution, mainland_extent(levels, o)};
    surface_base base;
    base.layers = read_friction_layers(in);
    base.known = base.layers.known;
    base.inside = o.territory.empty() ? std::vector<std::uint8_t>(base.known.size(), 1)
                                      : cells_covered(base.layers.g, {o.territory}, true);
    for (std::size_t i = 0; i < base.known.size(); ++i) base.known[i] = base.known[i] && base.inside[i];
    const auto outside = static_cast<std::size_t>(std::count(base.known.begin(), base.known.end(), std::uint8_t{0}));
    const grid& g = base.layers.g;
    j["surface"] = {
        {"crs", o.crs},
        {"cell_m", g.ew_res},
        {"cols", g.cols},
        {"rows", g.rows},
        {"extent",
         {g.x0, g.y0 - g.ns_res * static_cast<double>(g.rows), g.x0 + g.ew_res * static_cast<double>(g.cols), g.y0}},
        {"walk_kmh", o.walk_kmh},
        {"dem", o.dem},
        {"roads", o.roads},
        {"road_field", o.road_field},
        {"territory", o.territory},
        {"cells_impassable_before_roads", outside},
        {"cells_outside_territory", std::count(base.inside.begin(), base.inside.end(), std::uint8_t{0})},
        {"seconds", clock.seconds()}};
    detail::tell(o.on_progress, detail::text("friction grid %zu x %zu cells of %g m (no land cover) in %.2f s", g.cols,
                                             g.rows, g.ew_res, clock.seconds()));
    auto pop = read_population_grid(o.population, g.crs_wkt);
    auto schools = read_establishment_points(*db, "education", "", g.crs_wkt);
    db.reset();
    if (schools.size() == 0)
        throw format_error({o.store, "establishments", {}, "sector", {}}, "no schools",
                           "travel times need the schools: the store has no education establishments");
    j["schools"]["used"] = schools.size();
    j["population"] = o.population;
    j["scenarios"] = nlohmann::json::array();
    for (const auto& sc : o.scenarios)
        j["scenarios"].push_back(run_scenario(o, sc, base, levels, pop, schools, thresholds));
    out.seconds = clock.seconds();
    j["seconds"] = out.seconds;
    return out;
}

}  // namespace microplan::geo::usecases
