#pragma once
// Capacity and where to build next, for a store's establishments of one sector
// (access/allocation.hpp): capacity-limited catchments with the covered and residual
// population and a per-establishment table; new sites maximising the people newly within a
// travel time, each located in its zone, district and circuit, as a CSV. Reads the store only.
// Deterministic for the same inputs.
#include <string>
#include <vector>

#include "microplan/geo/access/allocation.hpp"
#include "microplan/geo/usecases/accessibility.hpp"

namespace microplan::geo::usecases {

struct capacity_request {
    accessibility_request base;  // thresholds and store_run unused
    surface_request surface;
    double max_minutes = 60;  // catchments stop at this travel time
    access::capacity_order order = access::capacity_order::largest_first;
    std::string table;  // per-establishment CSV to write ("" = none)
};
struct capacity_summary {
    double total = 0, covered = 0;             // people
    std::size_t establishments = 0, full = 0;  // full: at full capacity
};
// Writes residual_population.tif and capacity_catchments.gpkg into base.out_dir when given.
// Throws format_error when the store has no such establishments.
capacity_summary run_capacity(const capacity_request& request);

struct sites_request {
    accessibility_request base;  // thresholds, out_dir and store_run unused
    surface_request surface;
    access::site_options options;      // options.moves follows surface.knight
    std::vector<std::string> exclude;  // polygon layers where no site may go
    std::string out;                   // CSV to write ("" = none)
    // Candidate sites from a point source (any GDAL source: settlements, plots; a table with
    // x, y in the surface's CRS too); "" = candidate cells.
    std::string candidates;
    std::string candidates_layer;  // "" = the only point layer
};
struct sites_result {
    access::site_result sites;
    std::string sector;  // canonical
    // method,rank,x,y,lon,lat,added_population,covered_pct_after,zone,district,circuit
    // (given candidates: then candidate_id,candidate_name)
    std::string csv;
    std::size_t candidate_points = 0;  // read from request.candidates
};
sites_result propose_sites(const sites_request& request);

}  // namespace microplan::geo::usecases
