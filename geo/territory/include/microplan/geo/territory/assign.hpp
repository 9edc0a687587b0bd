#pragma once
// Assignment of points (establishments) to the units of every level in the store, and the
// report of every point that could not be placed or looks wrong. Nothing is dropped: a
// point outside every unit keeps its row with no codes and a finding saying why.
#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

inline constexpr std::size_t level_count = std::size(all_levels);

// How a point was placed in the primary level (the finest planning level present:
// circuit, else district, else zone; else the finest source level).
enum class placement {
    inside,   // inside a unit (border rule: see locate.hpp)
    snapped,  // outside every unit but within the snap tolerance of one: given to the nearest
    outside,  // outside every unit (sea, neighbouring country, a gap), left without codes
    invalid,  // no usable coordinates: missing, non-numeric, out of range, or (0, 0)
    by_code,  // no coordinates; placed by the administrative codes and names its source records,
              // down to `reached` (territory/place_by_code.hpp): no code below that level
};
std::string_view placement_name(placement p);

struct point_assignment {
    placement where = placement::outside;
    std::array<std::string, level_count> codes;  // indexed by level; "" when not placed
    std::optional<double> distance_m;            // to the nearest primary unit, when outside or snapped
    std::string nearest_code;                    // that unit
    std::optional<level> reached;                // by_code: the finest planning level placed

    [[nodiscard]] const std::string& code(level l) const { return codes[static_cast<std::size_t>(l)]; }
};

struct assign_options {
    double snap_m = 0;                        // snap outside points this close to a unit (coastal points)
    std::string analysis_crs = "EPSG:32717";  // for distances
    unsigned threads = 0;                     // 0 = all cores
};

struct assign_summary {
    std::size_t inside = 0, snapped = 0, outside = 0, invalid = 0;
    std::size_t swapped = 0, duplicate_ids = 0, duplicate_locations = 0;
    std::optional<level> primary;
};

struct assign_result {
    std::vector<point_assignment> rows;  // one per input point, same order
    findings report;
    assign_summary summary;
};

// The primary level among `layers` (see placement).
std::optional<level> primary_level(std::span<const unit_layer* const> layers);

// Places every establishment in each of `layers` (units in WGS 84; `projected` copies in
// the analysis CRS are used for distances when present, else made here). Reports, as
// findings with the establishment's row and id: invalid coordinates (point.out_of_range,
// point.null_island), points outside every unit (point.outside, with the distance to and
// the code of the nearest unit), points that fall inside only with lon/lat swapped
// (point.swapped), snapped points (point.snapped), duplicate ids (establishment.duplicate_id)
// and establishments of one sector at the very same location
// (establishment.duplicate_location; different sectors sharing a building are normal).
assign_result assign_points(std::span<const establishment> points, std::span<const unit_layer* const> layers,
                            const assign_options& options);

}  // namespace microplan::geo
