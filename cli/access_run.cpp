// `microplan access friction | travel-time | distance | network | capacity | sites`:
// accessibility of a store's establishments (README "Accessibility").
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/access/allocation.hpp"
#include "microplan/geo/usecases/accessibility.hpp"
#include "microplan/geo/access/friction.hpp"
#include "microplan/geo/access/network.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/io/catchments.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/store/planning_inputs.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/territory/locate.hpp"

namespace microplan::cli {

namespace {

namespace access = geo::access;

// The friction surface: a ready-made cost raster (minutes per cell) or its inputs.
struct surface_args {
    std::string friction, dem;
    geo::friction_inputs in;
    bool knight = false;
};

void add_surface_options(CLI::App& app, surface_args& a, bool friction_choice = true) {
    if (friction_choice)
        app.add_option("--friction", a.friction,
                       "Friction raster: minutes to cross each cell (from `access friction` or AccessMod); or give "
                       "--landcover and --speeds");
    app.add_option("--landcover", a.in.landcover,
                   "Land-cover raster (integer classes; its grid is the surface's grid)");
    app.add_option("--speeds", a.in.speeds, "Land-cover speed table: class, speed_kmh[, mode walking|motorised]");
    app.add_option("--roads", a.in.roads, "Road lines (any GDAL source; OSM files use the layer 'lines')");
    app.add_option("--roads-layer", a.in.roads_layer,
                   "Layer of --roads (default: 'lines' when present, else the first)");
    app.add_option("--road-field", a.in.road_field, "Field holding the road class")->capture_default_str();
    app.add_option("--road-speeds", a.in.road_speeds, "Road speed table: class, speed_kmh");
    app.add_option("--barriers", a.in.barriers,
                   "Barrier layers (water, protected areas): impassable, roads bridge them");
    app.add_option("--dem", a.in.elevation, "Elevation raster: walking speed follows Tobler's slope function");
    app.add_flag("--knight", a.knight, "16 neighbours (knight's moves) instead of 8");
}

access::cost_surface load_surface(const surface_args& a) {
    if (!a.friction.empty()) {
        auto s = geo::read_cost_raster(a.friction);
        if (!a.in.elevation.empty())
            throw geo::format_error({a.in.elevation, {}, {}, {}, {}}, "--dem needs the land cover",
                                    "slope applies to walking cells, which only the land-cover speed table tells; "
                                    "give --landcover and --speeds instead of --friction");
        return s;
    }
    if (a.in.landcover.empty() || a.in.speeds.empty())
        throw geo::format_error({}, "no friction surface", "give --friction, or --landcover with --speeds");
    access::friction_summary sum;
    auto s = access::build_friction(geo::read_friction_layers(a.in), &sum);
    std::fprintf(stderr,
                 "friction surface: %zu x %zu cells of %.0f m, %zu impassable, %zu barrier cells, %zu road cells "
                 "(%zu roads used, %zu skipped%s)%s\n",
                 s.g.cols, s.g.rows, s.g.ew_res, sum.impassable, sum.barrier_cells, sum.road_cells, sum.roads_used,
                 sum.roads_skipped, sum.skipped_classes.empty() ? "" : ": classes without a speed",
                 s.elevation.empty() ? "" : ", slope from the DEM");
    if (!sum.skipped_classes.empty()) {
        std::string list;
        for (const auto& c : sum.skipped_classes) list += (list.empty() ? "" : ", ") + c;
        std::fprintf(stderr, "  road classes without a speed (not used): %s\n", list.c_str());
    }
    return s;
}

std::vector<double> parse_thresholds(const std::string& text) {
    std::vector<double> out;
    std::stringstream s(text);
    std::string part;
    while (std::getline(s, part, ',')) {
        char* end = nullptr;
        double v = std::strtod(part.c_str(), &end);
        if (part.empty() || *end != '\0' || !(v > 0) || !std::isfinite(v))
            throw geo::format_error({}, "bad threshold", "'" + part + "' in '" + text + "' is not a positive number");
        out.push_back(v);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// The thresholds asked for plus the sector's standard travel times (so indicators find theirs).
std::vector<double> with_standard_times(geo::store::planning_store& db, const std::string& sector,
                                        std::vector<double> thresholds) {
    if (auto cat = db.read_standards())
        for (const auto& st : cat->items)
            if (st.sector == sector && st.max_travel_min) thresholds.push_back(*st.max_travel_min);
    std::sort(thresholds.begin(), thresholds.end());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
    return thresholds;
}

// National figures: the units of the top level present summed.
void print_run(const geo::accessibility_run& run) {
    const std::map<std::string, geo::unit_access>* top = nullptr;
    for (const char* lvl : {"zone", "province", "district", "canton", "circuit", "parish"})
        if (auto it = run.units_by_level.find(lvl); it != run.units_by_level.end() && !it->second.empty()) {
            top = &it->second;
            break;
        }
    std::printf("%s%s%s, %s: %zu establishments\n", run.sector.c_str(), run.typology.empty() ? "" : " / ",
                run.typology.c_str(), run.measure.c_str(), run.establishments);
    if (!top) return;
    double people = 0;
    std::vector<double> within(run.thresholds.size(), 0.0);
    for (const auto& [code, u] : *top) {
        people += u.population;
        for (std::size_t t = 0; t < within.size(); ++t) within[t] += u.within[t];
    }
    for (std::size_t t = 0; t < within.size(); ++t)
        std::printf("  within %g %s: %.0f people (%.1f %%)\n", run.thresholds[t], run.units.c_str(), within[t],
                    people > 0 ? 100.0 * within[t] / people : 0.0);
    std::string levels;
    for (const auto& [lvl, units] : run.units_by_level) levels += " " + lvl + " (" + std::to_string(units.size()) + ")";
    std::printf("  statistics per unit:%s\n", levels.c_str());
}

void store_run(const std::string& store, const geo::accessibility_run& run) {
    geo::store::update_atomically(store,
                                  [&](geo::store::planning_store& db) { db.write_accessibility(run); });
}

std::string out_path(const std::string& dir, const std::string& name) {
    if (dir.empty()) return {};
    std::filesystem::create_directories(dir);
    return (std::filesystem::path(dir) / name).string();
}

struct common_args {
    std::string store, sector, typology, population, thresholds, out_dir;
    bool no_store = false;
};

void add_common(CLI::App& app, common_args& a, const char* default_thresholds, const char* units) {
    app.add_option("store", a.store, "Planning store (its establishments and units)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--sector", a.sector, "Sector of the establishments (health, education, ...)")->required();
    app.add_option("--typology", a.typology, "Only this typology (default: every typology of the sector)");
    app.add_option("--population", a.population, "Population raster (any CRS): people per cell")->required();
    a.thresholds = default_thresholds;
    app.add_option("--thresholds", a.thresholds, std::string("Thresholds in ") + units + ", comma-separated")
        ->capture_default_str();
    app.add_option("--out-dir", a.out_dir, "Folder for the rasters and layers written");
    app.add_flag("--no-store", a.no_store, "Do not write the statistics into the store");
}

}  // namespace

command add_access_friction(CLI::App& app) {
    auto a = std::make_shared<surface_args>();
    auto out = std::make_shared<std::string>();
    add_surface_options(app, *a, false);
    app.add_option("--out,-o", *out, "Friction GeoTIFF to write (minutes to cross each cell, Float32)")->required();
    return [a, out] {
        auto t0 = clock_type::now();
        auto s = load_surface(*a);
        geo::write_float_raster(*out, s.g, s.cost);
        std::printf("friction surface written to %s (%zu x %zu cells, minutes per cell) in %.2f s%s\n", out->c_str(),
                    s.g.cols, s.g.rows, seconds_since(t0),
                    s.elevation.empty() ? "" : "; slope is applied at travel time (give --dem to travel-time)");
        return 0;
    };
}

command add_access_travel_time(CLI::App& app) {
    auto a = std::make_shared<common_args>();
    auto s = std::make_shared<surface_args>();
    auto max_minutes = std::make_shared<double>(0);
    add_common(app, *a, "15,30,60,120", "minutes");
    add_surface_options(app, *s);
    app.add_option("--max-minutes", *max_minutes, "Stop at this travel time (0: no limit)");
    return [a, s, max_minutes] {
        auto t0 = clock_type::now();
        auto surface = load_surface(*s);
        std::fprintf(stderr, "friction ready in %.2f s; reading the population ...\n", seconds_since(t0));
        auto pop = geo::read_population_grid(a->population, surface.g.crs_wkt);
        auto db_store = geo::store::open_store(a->store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
        access::accessibility_options o;
        o.sector = geo::canonical_sector(a->sector), o.typology = a->typology;
        o.thresholds = with_standard_times(db, o.sector, parse_thresholds(a->thresholds));
        o.moves = s->knight ? access::neighbourhood::knight : access::neighbourhood::queen;
        o.max_minutes = *max_minutes;
        std::fprintf(stderr, "travel time from the %s establishments over %zu cells ...\n", o.sector.c_str(),
                     surface.g.cells());
        auto r = geo::usecases::travel_time_accessibility(db, geo::usecases::read_unit_levels(db), surface, pop, o);
        if (r.sources.size() == 0)
            throw geo::format_error({a->store, "establishments", {}, "sector", {}}, "no establishments",
                                    "the store has no existing establishments of sector '" + o.sector + "'" +
                                        (o.typology.empty() ? "" : " and typology '" + o.typology + "'"));
        r.run.population_source = a->population;
        if (!a->out_dir.empty()) {
            std::string base = o.sector + (o.typology.empty() ? "" : "_" + geo::canonical_sector(o.typology));
            geo::write_float_raster(out_path(a->out_dir, "travel_time_" + base + ".tif"), surface.g,
                                            r.times.cost);
            geo::write_int_raster(out_path(a->out_dir, "nearest_" + base + ".tif"), surface.g, r.times.nearest);
            geo::write_catchments(out_path(a->out_dir, "catchments_" + base + ".gpkg"), surface.g,
                                          r.times.nearest, r.sources, &pop);
            std::fprintf(stderr, "wrote travel_time_%s.tif, nearest_%s.tif, catchments_%s.gpkg in %s\n", base.c_str(),
                         base.c_str(), base.c_str(), a->out_dir.c_str());
        }
        if (!r.times.unplaced.empty())
            std::fprintf(stderr, "warning: %zu establishments lie outside the surface or on impassable cells\n",
                         r.times.unplaced.size());
        if (!a->no_store) store_run(a->store, r.run);
        print_run(r.run);
        std::printf("  %zu cells reached; %.2f s%s\n", r.times.reached, seconds_since(t0),
                    a->no_store ? "" : "; statistics stored");
        return 0;
    };
}

command add_access_distance(CLI::App& app) {
    auto a = std::make_shared<common_args>();
    add_common(app, *a, "2,5,10", "km");
    return [a] {
        auto t0 = clock_type::now();
        auto db_store = geo::store::open_store(a->store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
        const std::string crs = db.analysis_crs();
        std::fprintf(stderr, "reading the population (centres in %s) ...\n", crs.c_str());
        auto pop = geo::read_population_grid(a->population, crs);
        access::accessibility_options o;
        o.sector = geo::canonical_sector(a->sector), o.typology = a->typology;
        o.thresholds = parse_thresholds(a->thresholds);
        std::vector<float> km;
        auto run = geo::usecases::distance_accessibility(db, geo::usecases::read_unit_levels(db), pop, o, &km);
        if (run.establishments == 0)
            throw geo::format_error({a->store, "establishments", {}, "sector", {}}, "no establishments",
                                    "the store has no existing establishments of sector '" + o.sector + "'");
        run.population_source = a->population;
        if (!a->out_dir.empty()) {  // the distance of every inhabited cell, on the population's grid
            std::vector<float> cells(pop.g.cells(), std::numeric_limits<float>::quiet_NaN());
            for (std::size_t k = 0; k < km.size(); ++k) cells[pop.occupied[k]] = km[k];
            std::string base = o.sector + (o.typology.empty() ? "" : "_" + geo::canonical_sector(o.typology));
            geo::write_float_raster(out_path(a->out_dir, "distance_" + base + ".tif"), pop.g, cells);
            std::fprintf(stderr, "wrote distance_%s.tif (km) in %s\n", base.c_str(), a->out_dir.c_str());
        }
        if (!a->no_store) store_run(a->store, run);
        print_run(run);
        std::printf("  %zu inhabited cells; %.2f s%s\n", pop.occupied.size(), seconds_since(t0),
                    a->no_store ? "" : "; statistics stored");
        return 0;
    };
}

command add_access_network(CLI::App& app) {
    auto a = std::make_shared<common_args>();
    auto roads = std::make_shared<std::string>(), layer = std::make_shared<std::string>();
    auto field = std::make_shared<std::string>("highway"), speeds = std::make_shared<std::string>();
    auto walk = std::make_shared<double>(5.0), snap = std::make_shared<double>(1.0);
    add_common(app, *a, "15,30,60,120", "minutes");
    app.add_option("--roads", *roads, "Road lines (any GDAL source; OSM files use the layer 'lines')")->required();
    app.add_option("--roads-layer", *layer, "Layer of --roads");
    app.add_option("--road-field", *field, "Field holding the road class")->capture_default_str();
    app.add_option("--road-speeds", *speeds, "Road speed table: class, speed_kmh")->required();
    app.add_option("--walk-kmh", *walk, "Walking speed to, from and instead of the network")->capture_default_str();
    app.add_option("--snap-m", *snap, "Vertices closer than this are one node")->capture_default_str();
    return [=] {
        auto t0 = clock_type::now();
        auto db_store = geo::store::open_store(a->store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
        const std::string crs = db.analysis_crs();
        auto graph =
            access::build_road_graph(geo::read_roads(*roads, *layer, *field, geo::read_speed_table(*speeds, false), crs), *snap);
        std::fprintf(stderr, "road graph: %zu nodes, %zu edges (%zu roads, %zu without a speed) in %.2f s\n",
                     graph.nodes(), graph.edges() / 2, graph.roads_used, graph.roads_skipped, seconds_since(t0));
        auto pop = geo::read_population_grid(a->population, crs);
        access::accessibility_options o;
        o.sector = geo::canonical_sector(a->sector), o.typology = a->typology;
        o.thresholds = with_standard_times(db, o.sector, parse_thresholds(a->thresholds));
        auto points = geo::usecases::read_establishment_points(db, o.sector, o.typology, crs);
        if (points.size() == 0)
            throw geo::format_error({a->store, "establishments", {}, "sector", {}}, "no establishments",
                                    "the store has no existing establishments of sector '" + o.sector + "'");
        auto minutes = access::network_travel_time(graph, points.x, points.y, pop.cx, pop.cy, *walk);
        geo::accessibility_run run;
        run.sector = o.sector, run.typology = o.typology, run.measure = "network_time", run.units = "min";
        run.thresholds = o.thresholds, run.establishments = points.size(), run.population_source = a->population;
        run.method = "road network graph (" + std::to_string(graph.nodes()) + " nodes) with straight-line walking at " +
                     std::to_string(*walk).substr(0, 4) + " km/h to and from the nearest node";
        run.units_by_level = access::statistics_by_level(geo::usecases::read_unit_levels(db), pop, minutes, o.thresholds);
        if (!a->no_store) store_run(a->store, run);
        print_run(run);
        std::printf("  %.2f s%s\n", seconds_since(t0), a->no_store ? "" : "; statistics stored");
        return 0;
    };
}

command add_access_capacity(CLI::App& app) {
    auto a = std::make_shared<common_args>();
    auto s = std::make_shared<surface_args>();
    auto max_minutes = std::make_shared<double>(60);
    auto order = std::make_shared<std::string>("largest");
    auto table = std::make_shared<std::string>();
    add_common(app, *a, "60", "minutes");
    add_surface_options(app, *s);
    app.add_option("--max-minutes", *max_minutes, "Catchments stop at this travel time")->capture_default_str();
    app.add_option("--order", *order, "Processing order: largest (capacity, ties by fid) or store (fid order)")
        ->check(CLI::IsMember({"largest", "store"}))
        ->capture_default_str();
    app.add_option("--table", *table, "Per-establishment table (CSV) to write");
    return [=] {
        auto t0 = clock_type::now();
        auto surface = load_surface(*s);
        auto pop = geo::read_population_grid(a->population, surface.g.crs_wkt);
        auto db_store = geo::store::open_store(a->store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
        auto points =
            geo::usecases::read_establishment_points(db, geo::canonical_sector(a->sector), a->typology, surface.g.crs_wkt);
        if (points.size() == 0)
            throw geo::format_error({a->store, "establishments", {}, "sector", {}}, "no establishments",
                                    "the store has no existing establishments of sector '" + a->sector + "'");
        std::size_t no_capacity = 0;
        for (double c : points.capacity) no_capacity += c > 0 ? 0 : 1;
        if (no_capacity)
            std::fprintf(stderr, "warning: %zu establishments have no capacity and serve no one\n", no_capacity);
        std::fprintf(stderr, "capacity-limited catchments of %zu establishments (max %.0f min) ...\n", points.size(),
                     *max_minutes);
        auto r = access::capacity_catchments(
            surface, access::people_on_grid(pop, surface.g), points, *max_minutes,
            *order == "store" ? access::capacity_order::store_order : access::capacity_order::largest_first,
            s->knight ? access::neighbourhood::knight : access::neighbourhood::queen);
        if (!a->out_dir.empty()) {
            std::vector<float> residual(r.residual.begin(), r.residual.end());
            geo::write_float_raster(out_path(a->out_dir, "residual_population.tif"), surface.g, residual);
            geo::write_catchments(out_path(a->out_dir, "capacity_catchments.gpkg"), surface.g, r.catchment,
                                          points, nullptr);
        }
        if (!table->empty()) {
            std::ofstream csv(*table);
            csv << "order,establishment_fid,code,name,typology,capacity,population_in_reach,covered,capacity_left,"
                   "pct_capacity_used,pct_reach_covered,last_minutes,placed\n";
            std::size_t k = 0;
            for (const auto& row : r.rows) {
                const std::size_t i = row.source;
                csv << ++k << "," << points.fid[i] << "," << geo::csv_field(points.code[i]) << ","
                    << geo::csv_field(points.name[i]) << "," << geo::csv_field(points.typology[i]) << ","
                    << geo::csv_number(row.capacity) << "," << geo::csv_number(std::round(row.reachable)) << ","
                    << geo::csv_number(std::round(row.covered)) << ","
                    << geo::csv_number(std::round(row.capacity_left())) << ","
                    << geo::csv_number(row.capacity > 0 ? 100.0 * row.covered / row.capacity : 0) << ","
                    << geo::csv_number(row.reachable > 0 ? 100.0 * row.covered / row.reachable : 0) << ","
                    << geo::csv_number(row.minutes) << "," << (row.placed ? "yes" : "no") << "\n";
            }
            if (!csv)
                throw geo::format_error({*table, {}, {}, {}, {}}, "cannot write", "the table could not be written");
        }
        std::size_t full = 0;
        for (const auto& row : r.rows) full += (row.capacity > 0 && row.capacity_left() <= 0.5) ? 1 : 0;
        std::printf(
            "%.0f of %.0f people covered (%.1f %%) within %.0f min by %zu establishments; %zu at full capacity; "
            "%.0f people uncovered; %.2f s\n",
            r.covered, r.total, r.total > 0 ? 100.0 * r.covered / r.total : 0.0, *max_minutes, r.rows.size(), full,
            r.total - r.covered, seconds_since(t0));
        return 0;
    };
}

command add_access_sites(CLI::App& app) {
    auto a = std::make_shared<common_args>();
    auto s = std::make_shared<surface_args>();
    auto o = std::make_shared<access::site_options>();
    auto target = std::make_shared<double>(0);
    auto exclude = std::make_shared<std::vector<std::string>>();
    auto out = std::make_shared<std::string>();
    add_common(app, *a, "30", "minutes");
    add_surface_options(app, *s);
    app.add_option("--minutes", o->minutes, "Coverage threshold (minutes)")->capture_default_str();
    CLI::Option* count =
        app.add_option("-k,--count", o->k, "Sites to propose (with --target-pct: the most; default no limit)")
            ->capture_default_str();
    app.add_option("--target-pct", *target, "Stop once this % of the people is covered");
    app.add_option("--candidates", o->max_candidates, "Candidate cells (most uncovered people first)")
        ->capture_default_str();
    app.add_option("--exclude", *exclude, "Polygon layers where no site may go (protected areas, risk zones)");
    app.add_flag("--exact", o->exact, "Also solve the exact MIP with CBC and report the greedy's gap");
    app.add_option("--exact-candidates", o->exact_max_candidates, "Candidates kept when --exact is given")
        ->capture_default_str();
    app.add_option("--out,-o", *out, "Sites to write (CSV)");
    return [=] {
        auto t0 = clock_type::now();
        if (*target > 0 && count->count() == 0) o->k = std::numeric_limits<std::size_t>::max();  // as many as needed
        auto surface = load_surface(*s);
        auto pop = geo::read_population_grid(a->population, surface.g.crs_wkt);
        auto db_store = geo::store::open_store(a->store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
        const std::string sector = geo::canonical_sector(a->sector);
        auto existing = geo::usecases::read_establishment_points(db, sector, a->typology, surface.g.crs_wkt);
        std::vector<std::uint8_t> excluded;
        if (!exclude->empty()) excluded = geo::cells_covered(surface.g, *exclude);
        if (*target > 0) o->target_pct = *target;
        o->moves = s->knight ? access::neighbourhood::knight : access::neighbourhood::queen;
        std::fprintf(stderr, "choosing sites for %s: %zu existing establishments, threshold %.0f min ...\n",
                     sector.c_str(), existing.size(), o->minutes);
        auto r = access::propose_sites(surface, access::people_on_grid(pop, surface.g), existing, excluded, *o);
        // Where each site lies: its circuit, district and zone.
        std::vector<geo::unit_layer> layers;
        for (geo::level lvl : {geo::level::zone, geo::level::district, geo::level::circuit})
            layers.push_back(db.read_level(lvl));
        std::vector<std::unique_ptr<geo::point_locator>> locators;
        for (const auto& l : layers) locators.push_back(std::make_unique<geo::point_locator>(l));
        geo::proj::transformer to_lonlat(surface.g.crs_wkt, "EPSG:4326");
        std::ostringstream csv;
        csv << "method,rank,x,y,lon,lat,added_population,covered_pct_after,zone,district,circuit\n";
        auto write = [&](const char* method, const std::vector<access::site>& sites) {
            std::size_t rank = 0;
            for (const auto& st : sites) {
                double lon = st.x, lat = st.y;
                to_lonlat.forward(lon, lat);
                csv << method << "," << ++rank << "," << std::llround(st.x) << "," << std::llround(st.y) << ","
                    << std::fixed << std::setprecision(6) << lon << "," << lat << std::defaultfloat << ","
                    << geo::csv_number(std::round(st.added)) << "," << geo::csv_number(st.covered_after);
                for (std::size_t k = 0; k < layers.size(); ++k) {
                    int u = locators[k]->locate(lon, lat);
                    csv << "," << (u >= 0 ? layers[k].units[static_cast<std::size_t>(u)].code : "");
                }
                csv << "\n";
            }
        };
        write("greedy", r.greedy);
        write("exact", r.exact_sites);
        if (!out->empty()) {
            std::ofstream f(*out);
            f << csv.str();
            if (!f) throw geo::format_error({*out, {}, {}, {}, {}}, "cannot write", "the sites could not be written");
        } else {
            std::printf("%s", csv.str().c_str());
        }
        double added = 0;
        for (const auto& st : r.greedy) added += st.added;
        std::printf(
            "%zu sites add %.0f people within %.0f min: coverage %.1f %% -> %.1f %% (%zu candidates, %zu "
            "uncovered cells)\n",
            r.greedy.size(), added, o->minutes, r.total > 0 ? 100.0 * r.covered_before / r.total : 0.0,
            r.total > 0 ? 100.0 * (r.covered_before + added) / r.total : 0.0, r.candidates, r.demand_cells);
        if (o->exact)
            std::printf("exact MIP (CBC, %zu candidates, %zu demand groups): %s%s\n", r.candidates, r.exact_groups,
                        r.exact_status.c_str(),
                        r.exact_added ? (", optimum " + std::to_string(std::llround(*r.exact_added)) +
                                         " people; greedy gap " + std::to_string(*r.gap * 100).substr(0, 5) + " %")
                                            .c_str()
                                      : "");
        std::printf("%.2f s\n", seconds_since(t0));
        return 0;
    };
}

}  // namespace microplan::cli
