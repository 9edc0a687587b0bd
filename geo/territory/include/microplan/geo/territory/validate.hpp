#pragma once
// Validation of a territorial hierarchy: codes, parent links, geometric nesting,
// gaps and overlaps between siblings, parents without children, each zone and district one
// territory and groupings split across zones (contiguity.hpp).
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

struct validation_options {
    // Overlaps and gaps smaller than this are ignored (simplified borders leave slivers).
    double sliver_km2 = 0.05;
    // A child is "within" its parent when at least this share of its area lies in it.
    double nesting_share = 0.98;
    // Two parts of a unit closer than this (metres in the analysis CRS) touch.
    double touch_m = 1.0;
    // Codes of the units of a grouping level (provinces, cantons) the law itself splits across
    // zones (Ecuador: Guayas 09, Pichincha 17): no warning for them (contiguity.hpp).
    std::set<std::string> split_allowed;
    // Whether validate() checks the one-territory and split rules (contiguity.hpp); callers that
    // check them themselves, with other layers, turn it off.
    bool territories = true;
    std::string analysis_crs = "EPSG:32717";  // the CRS of the units' projected geometries
    unsigned threads = 0;                     // 0 = all cores
};

struct level_summary {
    level lvl;
    std::size_t units = 0;
    double area_km2 = 0;
};

struct validation_report {
    std::vector<level_summary> levels;
    findings report;
    [[nodiscard]] bool ok() const { return !report.has_errors(); }
    [[nodiscard]] std::string to_text() const;
};
void to_json(nlohmann::json& j, const validation_report& r);

// Validates the given layers as one hierarchy: each layer against its parent level when
// that layer is among them. Units need `projected` geometries (areas in the analysis CRS).
validation_report validate(const std::vector<const unit_layer*>& layers, const validation_options& options = {});

}  // namespace microplan::geo
