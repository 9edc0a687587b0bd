#pragma once
// Units written to a GDAL vector file (GeoPackage, GeoJSON, FlatGeobuf or Shapefile, chosen by
// the extension): one layer of MultiPolygons in WGS 84 (lon/lat) with the given attribute
// fields. Written beside the target and renamed over it, so a failed write leaves no half
// file. Every OGR call is checked; a failure is a format_error naming the file and layer.
// Each call opens and closes its own dataset: safe from several threads on different files.
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

enum class field_type { text, real, integer };

struct field_definition {
    std::string name;
    field_type type = field_type::text;
};

using field_value = std::variant<std::string, double, int>;

// Writes one feature per unit of `units` with `values[i]` (one value per field, in the order
// of `fields`, of the field's type) as its attributes.
void write_units(const std::string& path, const std::string& layer_name, const unit_layer& units,
                 std::span<const field_definition> fields, const std::vector<std::vector<field_value>>& values);

}  // namespace microplan::geo
