#pragma once
// The demo country's accessibility inputs, all synthetic and ILLUSTRATIVE
// (docs/accessibility.md): on the population raster's grid, a land-cover raster (built-up where people
// are dense, cropland, forest, páramo on the heights, lakes), an elevation raster (a
// north–south cordillera), rivers (barriers) and a road network (primary roads between zone
// capitals, secondary to district seats, tertiary to circuit seats) as a GeoPackage layer
// `roads` with an OSM-style `highway` field. Speed tables: data/access/demo_*.csv.
#include <string>

#include "microplan/geo/demo/demo_country.hpp"
#include "microplan/geo/demo/demo_services.hpp"

namespace microplan::geo::demo {

struct access_inputs {
    std::string landcover, elevation, roads, rivers;  // file paths
};

// Writes the four files next to `prefix` (prefix + "_landcover.tif", ...). Deterministic.
access_inputs write_access_inputs(const country& c, const demo_population& people, const std::string& population_raster,
                                  const std::string& prefix, std::uint64_t seed = 2012);

}  // namespace microplan::geo::demo
