#pragma once
// A vector layer opened for reading, with the names every message about it needs. The first
// step of each import reader. One per reader call: GDAL datasets and layer cursors belong to
// the thread that opened them.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <optional>
#include <string>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::geo {

struct vector_layer {
    GDALDatasetUniquePtr dataset;  // owns `layer`
    OGRLayer* layer = nullptr;
    std::string path;
    std::string driver;  // GDAL's short name: "GPKG", "CSV", ...
    std::string name;    // the layer's name

    // Where a problem sits: this file and layer, and optionally a feature and a field.
    [[nodiscard]] error_location where(std::optional<long long> feature = std::nullopt, std::string field = {}) const;
};

// Opens `path` read-only and picks `layer_name`, or when empty the only layer, or the only one
// that fits `need` (gdal::pick_layer). Throws format_error (gdal::open_vector,
// gdal::pick_layer) naming the file and the layer, or listing the layers to choose from.
vector_layer open_layer(const std::string& path, const std::string& layer_name, const gdal::layer_need& need);

}  // namespace microplan::geo
