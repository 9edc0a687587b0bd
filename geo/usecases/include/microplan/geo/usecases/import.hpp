#pragma once
// Territorial units into a store: one level read from any vector source (io/vector_import.hpp)
// and written with its provenance and findings; upper levels (districts, zones) built by
// dissolving the stored cantons or circuits (territory/build.hpp). Each call is one atomic
// update of the store: a failure leaves it as it was. Deterministic for the same inputs.
#include <string>

#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/territory/build.hpp"
#include "microplan/geo/usecases/progress.hpp"
#include "microplan/geo/usecases/replacement.hpp"

namespace microplan::geo::usecases {

// What import_units read, and what it replaced.
struct unit_import_result : import_result {
    replacement replaced;  // the level: units stored before, units written
};

// Reads `source` (its lvl set) and replaces that level of `store` (created when missing, with
// source.analysis_crs as its analysis CRS). Returns what was read, findings included. Throws
// format_error ("replacement refused", replacement.hpp) when the source holds fewer than half
// the units of the level stored, unless `policy` allows it; the store is then left as it was.
unit_import_result import_units(const std::string& store, const import_options& source,
                                const progress& on_progress = {}, shrink_policy policy = shrink_policy::refuse);

struct build_request {
    std::string store;
    std::string from = "cantons";  // cantons (needs the codification table) or circuits
    std::string codification;      // CSV path, "" = none
    unsigned threads = 0;          // 0 = all cores
};

// Builds districts and zones from the stored cantons or circuits and writes them. Throws
// format_error without a codification table for cantons, store_error when the store holds
// none of the units to build from.
built_levels build_upper_levels(const build_request& request);

}  // namespace microplan::geo::usecases
