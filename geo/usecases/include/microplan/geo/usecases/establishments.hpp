#pragma once
// Establishments in a store: imported from a point layer or a lon/lat table
// (io/establishment_import.hpp) and placed in every level the store holds
// (territory/assign.hpp), or placed again after the boundaries changed. Each call is one
// atomic update of the store. Deterministic for the same inputs and store.
#include <string>
#include <vector>

#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/territory/assign.hpp"
#include "microplan/geo/usecases/progress.hpp"
#include "microplan/geo/usecases/replacement.hpp"

namespace microplan::geo::usecases {

struct establishment_import_request {
    std::string store;  // holding the boundaries
    establishment_import_options source;
    double snap_m = 0;    // place points this close to a unit in the nearest unit
    bool append = false;  // keep existing establishments of the same sectors (default: replace them)
    // Replacing a sector with far fewer establishments (or far fewer placed) is refused unless allowed.
    shrink_policy policy = shrink_policy::refuse;
    unsigned threads = 0;
    progress on_progress;
};

// What a placement did: rows placed, how, and every finding (reading and placing).
struct placement_report {
    std::size_t rows = 0;
    assign_summary summary;
    findings report;
    // Of the source read (imports only).
    std::string layer_name, driver, source_crs;
    // Imports that replace: one per sector of the source, in sector order.
    std::vector<replacement> replaced;
};

// Reads the source, places every row and writes them: the rows of each sector of the source
// replace the stored rows of that sector (unless request.append). Throws store_error when the
// store holds no units to place them in, and format_error ("replacement refused",
// replacement.hpp) when a sector would be replaced by fewer than half as many rows, or fewer
// than half as many placed in a unit, unless request.policy allows it.
placement_report import_establishments(const establishment_import_request& request);

// Places the stored establishments again in every level. Throws store_error when the store
// holds no units or no establishments.
placement_report assign_establishments(const std::string& store, double snap_m = 0, unsigned threads = 0);

}  // namespace microplan::geo::usecases
