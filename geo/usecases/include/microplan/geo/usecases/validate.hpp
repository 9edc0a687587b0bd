#pragma once
// Validation of a store's hierarchy: every level it holds read in its analysis CRS and checked
// (territory/validate.hpp), with what the imports repaired first. Reads only: the store is
// never changed. Deterministic.
#include <string>

#include "microplan/geo/territory/validate.hpp"

namespace microplan::geo::usecases {

// options.analysis_crs is replaced by the store's. Throws store_error when the store holds no units.
validation_report validate_store(const std::string& store, validation_options options);

}  // namespace microplan::geo::usecases
