#include "microplan/geo/usecases/demo.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>

#include "microplan/geo/access/friction.hpp"
#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/demo/demo_access.hpp"
#include "microplan/geo/demo/demo_services.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/planning/budget.hpp"
#include "microplan/geo/planning/scorecards.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/store/write_lock.hpp"
#include "microplan/geo/territory/assign.hpp"
#include "microplan/geo/usecases/accessibility.hpp"

namespace microplan::geo::usecases {

namespace {

std::string raster_path(const demo_options& o) {
    if (!o.raster.empty()) return o.raster;
    std::string tif = o.out;
    if (auto dot = tif.rfind(".sqlite"); dot != std::string::npos && dot + 7 == tif.size()) tif.resize(dot);
    return tif + "_population.tif";
}

// Every sector's travel-time thresholds: the usual ones and each standard's maximum time.
access::accessibility_options sector_options(const standards_catalogue& catalogue, const std::string& sector) {
    access::accessibility_options o;
    o.sector = sector;
    for (const auto& st : catalogue.items)
        if (st.sector == sector && st.max_travel_min) o.thresholds.push_back(*st.max_travel_min);
    std::sort(o.thresholds.begin(), o.thresholds.end());
    o.thresholds.erase(std::unique(o.thresholds.begin(), o.thresholds.end()), o.thresholds.end());
    return o;
}

}  // namespace

demo_summary build_demo_store(const demo_options& options) {
    const std::string& crs = options.country.analysis_crs;
    demo::country c = demo::generate_country(options.country);
    demo::services_options so;
    so.seed = options.country.seed;
    so.analysis_crs = crs;
    demo_summary sum;
    const std::string tif = sum.raster = raster_path(options);
    demo::write_population_raster(c, tif, so);
    demo::demo_population people = demo::population_by_unit(c, tif);
    // Synthetic land cover, elevation, roads and rivers beside the raster, and the friction
    // surface they make (speed tables in data/access/).
    std::string prefix = tif.substr(0, tif.size() - std::string("_population.tif").size());
    if (tif.size() <= std::string("_population.tif").size() || !tif.ends_with("_population.tif")) prefix = tif;
    sum.inputs_prefix = prefix;
    auto inputs = demo::write_access_inputs(c, people, tif, prefix, options.country.seed);
    friction_inputs fi;
    fi.landcover = inputs.landcover;
    fi.speeds = options.data_dir + "/access/demo_landcover_speeds.csv";
    fi.roads = inputs.roads;
    fi.road_speeds = options.data_dir + "/access/demo_road_speeds.csv";
    fi.barriers = {inputs.rivers};
    fi.elevation = inputs.elevation;
    const cost_surface surface = access::build_friction(read_friction_layers(fi));
    // Kept whole beside the raster: the server recomputes travel time over it for scenarios.
    const std::string surface_file = std::filesystem::absolute(prefix + "_travel_surface.tif").string();
    write_cost_surface(surface_file, surface);
    std::vector<establishment> services = demo::generate_establishments(c, people, so);
    auto years = demo::project_population(c, people, so.year, so.year + 10, so);
    auto poverty = demo::poverty_index(c, people, so);
    auto networks = demo::household_networks(c, people, poverty[level::circuit], so);
    std::optional<standards_catalogue> catalogue;
    std::optional<sectors_catalogue> sectors;
    if (!options.sectors.empty()) sectors = read_sectors(options.sectors);
    if (!options.standards.empty()) catalogue = read_standards(options.standards, sectors.value_or(builtin_sectors()));
    std::optional<budget_scenarios> budget;
    if (catalogue && !options.budget_scenarios.empty()) budget = read_budget_scenarios(options.budget_scenarios);
    const unit_layer* layers[] = {&c.zones, &c.districts, &c.circuits};
    assign_result placed = assign_points(services, layers, {0, crs, 0});
    const std::string source = "microplan demo --seed " + std::to_string(options.country.seed);
    // Generated whole into a fresh file beside the store, which then replaces it in one rename:
    // nothing of an earlier store at that path (its portfolio, execution, saved coverage) survives.
    const std::string fresh = options.out + ".demo-new";
    std::filesystem::remove(fresh);
    store::update_atomically(fresh, [&](store::planning_store& db) {
        db.ensure_schema(crs);
        for (const unit_layer* l : layers) {
            store::import_record rec{l->lvl, source, "", "demo", "EPSG:4326", "", 0};
            db.write_level(*l, rec, {});
        }
        for (auto [lvl, values] : {std::pair{level::circuit, &people.circuits},
                                   {level::district, &people.districts},
                                   {level::zone, &people.zones}}) {
            store::import_record rec{lvl, tif, "", "demo", "", "", 0};
            db.write_population({lvl, so.year, lvl == level::circuit ? "raster" : "sum of children", tif}, *values, rec,
                                {});
        }
        for (const auto& [year, projected] : years) {
            if (year == so.year) continue;
            for (auto [lvl, values] : {std::pair{level::circuit, &projected.circuits},
                                       {level::district, &projected.districts},
                                       {level::zone, &projected.zones}}) {
                store::import_record rec{lvl, source, "", "demo", "", "", 0};
                db.write_population({lvl, year, "projection", source}, *values, rec, {});
            }
        }
        for (const auto& [lvl, values] : poverty) db.write_attributes(lvl, "poverty", values, source + " (NBI %)");
        // Households and connections dated (history): the demo's year, and a census three years
        // before with 5 % fewer households and 10 % fewer connected (--as-of 2024 sees those).
        for (const auto& [name, values] : networks) {
            db.write_attributes(level::circuit, name, values, source + " (households, synthetic)",
                                std::to_string(so.year));
            std::map<std::string, double> census = values;
            const double kept = name.ends_with("_households") ? 0.95 : 0.90;
            for (auto& [code, v] : census) v = std::round(v * kept);
            db.write_attributes(level::circuit, name, census, source + " (households, synthetic census)",
                                std::to_string(so.year - 3));
        }
        store::import_record rec{level::circuit, source, "", "demo", "EPSG:4326", "", 0};
        db.write_establishments(services, placed.rows, rec, placed.report,
                                store::establishment_write_mode::replace_sectors);
        if (sectors) db.write_sectors(*sectors);
        if (!catalogue) return;
        db.write_standards(*catalogue);
        if (budget) db.write_budget_scenarios(*budget);
        // Accessibility of every sector over the demo's synthetic friction surface.
        auto pop = read_population_grid(tif, surface.g.crs_wkt);
        const auto levels = read_unit_levels(db);  // once for every sector
        for (const auto& [sector, priority] : catalogue->sectors()) {
            if (catalogue->is_network(sector)) continue;  // households connected: nobody travels to a network
            auto r = travel_time_accessibility(db, levels, surface, pop, sector_options(*catalogue, sector));
            r.run.population_source = tif;
            r.run.surface_source = surface_file;
            db.write_accessibility(r.run);
            ++sum.access_runs;
        }
    });
    for (const auto& u : c.zones.units) sum.area_km2 += u.area_km2;
    for (const auto& [code, v] : people.zones.at(total_band)) sum.people += v;
    sum.zones = c.zones.units.size();
    sum.districts = c.districts.units.size();
    sum.circuits = c.circuits.units.size();
    sum.establishments = services.size();
    if (catalogue) {
        sum.portfolio = build_demo_portfolio(fresh, c, options.country.seed);
        // A scorecard for the nation and every zone (ILLUSTRATIVE, data/scorecards/demo.csv).
        const scorecards_table cards =
            read_scorecards(options.data_dir + "/scorecards/demo.csv", sectors.value_or(builtin_sectors()));
        // Observed values up to the portfolio's last year (the year after the demo's).
        const std::vector<observation> observed = demo_observations(poverty, so.year + 1, options.country.seed);
        sum.observations = observed.size();
        store::update_atomically(fresh, [&](store::planning_store& db) {
            db.write_scorecards(cards, {level::zone, cards.source, "", "scorecards", "", "", 0}, {});
            db.write_observations(observed, {level::zone, source, "", "observations", "", "", 0}, {});
        });
    }
    {
        store::write_lock lock(options.out);  // no other writer of the store while it is replaced
        std::filesystem::rename(fresh, options.out);
    }
    std::filesystem::remove(fresh + ".lock");
    sum.first_year = years.begin()->first;
    sum.last_year = years.rbegin()->first;
    return sum;
}

}  // namespace microplan::geo::usecases
