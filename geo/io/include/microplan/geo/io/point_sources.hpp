#pragma once
// The sources of an accumulated-cost run read from any GDAL layer: a point layer (transformed
// to the target CRS when both CRSs are known) or a table with x / y columns already in the
// target CRS. Opens and closes its own dataset: safe to call from several threads.
#include <cstdint>
#include <string>
#include <vector>

namespace microplan::geo {

struct point_source {
    double x = 0, y = 0;  // in the target CRS
    std::int32_t id = 0;  // the id field's value, else the feature number (1-based)
    std::string name;     // the name field's value ("" when the layer has none)
};

struct point_source_fields {
    std::string x = "x", y = "y", id = "id";
    std::string name = "name";  // else a field 'nombre' when present
};

// The points of `layer_name` of `path` (when empty: the only layer, or the only one holding
// points or the coordinate fields), in `target_wkt`. Points that cannot be transformed are
// skipped. Throws format_error naming the file (and feature) when it cannot be opened, when
// several layers could be meant, or when a feature has neither a point geometry nor both
// coordinate fields.
std::vector<point_source> read_point_sources(const std::string& path, const point_source_fields& fields,
                                             const std::string& target_wkt, const std::string& layer_name = {});

}  // namespace microplan::geo
