#pragma once
// A workshop scenario as a GeoPackage for QGIS: its proposals (layer `propuestas`, points), the
// existing establishments it closes (layer `cerrados`, points; no geometry when the store no
// longer has the establishment or its coordinates) and the circuits it changes with their deficit and investment before
// and after (layer `circuitos_comparacion`), written through io's checked vector writer into memory.
#include <cstdint>
#include <string>
#include <vector>

#include "microplan/geo/model/unit.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/scenarios.hpp"

namespace microplan::geo::usecases {

struct circuit_change {
    std::string code, name;
    double deficit_before = 0, deficit_after = 0, investment_before = 0, investment_after = 0, newly_covered = 0;
    std::vector<polygon_coordinates> outline;  // lon/lat; empty when unknown
};

// The GeoPackage's bytes. Throws format_error when GDAL cannot write it.
std::string scenario_geopackage(std::int64_t scenario, const std::vector<store::proposal_record>& proposals,
                                const std::vector<closed_establishment>& closures,
                                const std::vector<circuit_change>& circuits);

}  // namespace microplan::geo::usecases
