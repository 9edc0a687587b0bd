#include "microplan/geo/usecases/validate.hpp"

#include <vector>

#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::usecases {

validation_report validate_store(const std::string& store, validation_options options) {
    auto db = store::open_store(store, store::open_mode::read_only);
    options.analysis_crs = db->analysis_crs();
    std::vector<unit_layer> layers;
    for (level l : db->levels_present()) layers.push_back(db->read_level(l, options.analysis_crs));
    if (layers.empty()) throw store_error({store, {}, {}, {}, {}}, "empty store", "no territorial units to validate");
    std::vector<const unit_layer*> pointers;
    for (auto& l : layers) pointers.push_back(&l);
    validation_report r = validate(pointers, options);
    // What the imports repaired belongs in the report too.
    findings recorded = db->recorded_findings();
    recorded.append(r.report);
    r.report = std::move(recorded);
    return r;
}

}  // namespace microplan::geo::usecases
