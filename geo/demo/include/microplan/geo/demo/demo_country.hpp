#pragma once
// A synthetic country for demos and tests: exactly 9 zones, 140 districts and 1,134
// circuits (Ecuador's counts) that nest perfectly and tile without gaps, with irregular
// shapes, denser (smaller) units around cities and Ecuador-style codes.
#include <cstdint>

#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::demo {

struct country_options {
    std::uint64_t seed = 2012;  // same seed, same country, on every machine
    std::size_t zones = 9;
    std::size_t districts = 140;
    std::size_t circuits = 1134;
    std::size_t cells_per_circuit = 12;  // Voronoi cells grown into one circuit
    std::string analysis_crs = "EPSG:32717";
};

struct country {
    unit_layer zones, districts, circuits;
};

// Deterministic: only integer arithmetic and correctly rounded operations feed the
// geometry, and the random stream is our own (std distributions differ between
// standard libraries). Throws std::invalid_argument for impossible counts.
country generate_country(const country_options& options = {});

}  // namespace microplan::geo::demo
