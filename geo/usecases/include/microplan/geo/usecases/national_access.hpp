#pragma once
// Travel time to the real schools on a national base (build-ecuador's accessibility step):
// a friction surface WITHOUT land cover (a grid over the mainland, every off-road cell walked
// at one speed with Tobler's slope from the DEM, cells without elevation, the sea, impassable)
// with the roads burnt in at a speed per class, in two scenarios (every road open, and the
// rainy season with the dry-season roads closed), the schools' travel time over each, and the
// people within each threshold per unit of every level stored as one accessibility run per
// scenario (measure travel_time and travel_time_rainy). The schools are imported first when
// the store holds no education establishments. Islands off the DEM (Galápagos) are left out
// and said so. Deterministic for the same inputs; one call at a time per store.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "microplan/geo/usecases/progress.hpp"

namespace microplan::geo::usecases {

// One friction scenario: the road speed table and the measure its run is stored under.
struct road_scenario {
    std::string measure;      // travel_time, travel_time_rainy
    std::string description;  // for the report
    std::string road_speeds;  // table: class, speed_kmh (0 = closed)
};

struct national_access_options {
    std::string store;    // the national store (its levels are read, the runs written)
    std::string schools;  // point source imported as education when the store has none
    std::string dem, roads, population;
    // Polygons of the territory (the parishes): cells they do not touch are impassable, so
    // neighbouring countries are not searched (their people belong to no unit).
    std::string territory;
    std::string road_field = "tipo,transitabl";
    std::vector<road_scenario> scenarios;
    double walk_kmh = 5;      // off-road on flat ground (Tobler's function gives ~5 km/h)
    double resolution = 100;  // metres
    std::string crs = "EPSG:32717";
    std::vector<double> thresholds = {15, 30, 60};
    // Parishes whose code starts with this lie off the grid (Galápagos: no SRTM in the data).
    std::string off_grid_prefix = "20";
    // When given, each scenario's friction surface is written to <friction_out>_<measure>.tif
    // (minutes per cell; slope is applied at travel time, so the file is flat-ground minutes),
    // for `design --friction` and `design evaluate --friction`.
    std::string friction_out;
    progress on_progress;
};

// The options for `data_dir` laid out as ../shared/data/ecuador, with the road speed tables
// in `speeds_dir` (data/access); empty when a source is missing (the caller skips the step).
national_access_options national_access_sources(const std::string& data_dir, const std::string& speeds_dir);

// What build_national_travel_times did: the report's "accessibility" block (surface, what it
// lacks, schools, national figures per scenario, seconds).
struct national_access_summary {
    nlohmann::json report;
    double seconds = 0;
};

// Throws format_error / crs_error naming the source when one cannot be read, and format_error
// when no school can be placed on the surface.
national_access_summary build_national_travel_times(const national_access_options& options);

}  // namespace microplan::geo::usecases
