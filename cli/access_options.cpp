#include "access_options.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "common.hpp"

namespace microplan::cli {

void add_surface_options(CLI::App& app, geo::usecases::surface_request& s, bool friction_choice) {
    geo::friction_inputs& in = s.sources;
    if (friction_choice)
        app.add_option("--friction", s.friction,
                       "Friction raster: minutes to cross each cell (from `access friction` or AccessMod); or give "
                       "--landcover and --speeds");
    app.add_option("--landcover", in.landcover,
                   "Land-cover raster (integer classes; its grid is the surface's grid); or --walk-kmh");
    app.add_option("--speeds", in.speeds, "Land-cover speed table: class, speed_kmh[, mode walking|motorised]");
    app.add_option("--roads", in.roads, "Road lines (any GDAL source; OSM files use the layer 'lines')");
    app.add_option("--roads-layer", in.roads_layer,
                   "Layer of --roads (default: 'lines' when present, else the only line layer)");
    app.add_option("--road-field", in.road_field, "Field holding the road class")->capture_default_str();
    app.add_option("--road-speeds", in.road_speeds, "Road speed table: class, speed_kmh");
    app.add_option("--barriers", in.barriers, "Barrier layers (water, protected areas): impassable, roads bridge them");
    app.add_option("--dem", in.elevation, "Elevation raster: walking speed follows Tobler's slope function");
    app.add_option("--walk-kmh", in.walk_kmh,
                   "No land cover: every off-road cell walked at this speed on the flat (the surface lacks land "
                   "cover; cells where --dem has no data, the sea, are impassable)")
        ->check(within(geo::bounds::speed_kmh));
    app.add_option("--grid-crs", in.grid.crs, "No land cover: the grid's projected CRS")->capture_default_str();
    app.add_option("--resolution", in.grid.resolution, "No land cover: the grid's cell size (metres)")
        ->check(within(0.01, 1e6, "a cell between a centimetre and a thousand kilometres"))
        ->capture_default_str();
    app.add_option_function<std::string>(
        "--extent",
        [&in](const std::string& text) {
            std::array<double, 4> e{};
            if (std::sscanf(text.c_str(), "%lf,%lf,%lf,%lf", &e[0], &e[1], &e[2], &e[3]) != 4 || !(e[0] < e[2]) ||
                !(e[1] < e[3]))
                throw CLI::ValidationError("--extent", "xmin,ymin,xmax,ymax in --grid-crs, with min < max");
            in.grid.extent = e;
        },
        "No land cover: the grid's extent xmin,ymin,xmax,ymax in --grid-crs (default: the DEM's)");
    app.add_flag("--knight", s.knight, "16 neighbours (knight's moves) instead of 8");
}

void add_run_options(CLI::App& app, run_args& a, const char* default_thresholds, const char* units) {
    geo::usecases::accessibility_request& r = a.request;
    app.add_option("store", r.store, "Planning store (its establishments and units)")
        ->required()
        ->check(existing_store);
    app.add_option("--sector", r.sector, "Sector of the establishments (health, education, ...)")->required();
    app.add_option("--typology", r.typology, "Only this typology (default: every typology of the sector)");
    app.add_option("--population", r.population, "Population raster (any CRS): people per cell")->required();
    a.thresholds = default_thresholds;
    app.add_option("--thresholds", a.thresholds, std::string("Thresholds in ") + units + ", comma-separated")
        ->capture_default_str();
    app.add_option("--out-dir", r.out_dir, "Folder for the rasters and layers written");
    app.add_flag("--no-store", a.no_store, "Do not write the statistics into the store");
}

geo::usecases::accessibility_request run_args::parsed(bool with_thresholds) const {
    geo::usecases::accessibility_request r = request;
    if (with_thresholds) r.thresholds = parse_thresholds(thresholds);
    r.store_run = !no_store;
    r.on_progress = progress_on_stderr();
    return r;
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

}  // namespace microplan::cli
