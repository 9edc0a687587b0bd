#pragma once
// GDAL datasets and features through GDAL's own unique_ptr owners. A dataset (and
// the cursor of each of its layers) belongs to one thread.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/error.hpp"

namespace microplan::geo::gdal {

// Registers GDAL's drivers once per process; safe to call from any thread. Also keeps GDAL
// from writing beside the sources it reads (they may sit on a read-only share): no
// `.properties` index next to a /vsigzip/ file.
void ensure_registered();

// Opens a vector source read-only. Throws format_error naming the path when it does not
// exist, cannot be read, or no GDAL driver recognises it as vector data.
GDALDatasetUniquePtr open_vector(const std::string& path);
// " (GDAL: <last error>)" when GDAL reported a problem while reading (a line over its limit, a
// truncated file), else "": appended to messages such as "the layer has no rows".
std::string read_problem();

// A table (CSV or any GDAL vector source) with every CSV column read as text, so codes keep
// their leading zeros and numbers are parsed by us (decimal commas); a first line of
// numbers (year columns) is still a header. Throws format_error as open_vector does.
GDALDatasetUniquePtr open_table(const std::string& path);
// What a reader needs of a layer, to choose one when a source holds several (a GeoPackage with
// a styles table, a zip of shapefiles, a workbook of sheets).
struct layer_need {
    std::string what = "a table";  // for messages: "polygons", "points or a table with coordinates"
    // Whether a layer can feed the reader; null: any layer but styling tables (layer_styles,
    // qgis_projects), which no reader wants.
    std::function<bool(OGRLayer&)> fits;
    std::string flag = "--layer";  // the option naming the layer, for messages
};
// Layers of polygons (or of any geometry type: GDAL cannot tell without reading them).
layer_need polygon_layers();
// Layers of lines (or of any geometry type).
layer_need line_layers();
// True when the layer's geometry is one of `types` (flattened); a layer of any type (mixed GeoJSON,
// GPKG GEOMETRY) is judged by its first geometry, true without one. Rewinds the layer's cursor.
bool geometry_among(OGRLayer& layer, std::initializer_list<OGRwkbGeometryType> types);
// "'name' (Multi Polygon, 12 features)" / "'name' (no geometry, 3 rows)", for messages.
std::string describe_layer(OGRLayer& layer);

// The layer to read: `name` when given; else the only layer; else the only one that fits
// `need`. Throws format_error naming the file when the named layer is absent, and when several
// layers fit or none does, listing the layers (geometry type and feature count) and the option
// to pass: a source read from its first layer without a word is how the wrong data gets in.
OGRLayer& pick_layer(GDALDataset& ds, const std::string& path, const std::string& name, const layer_need& need = {});

// The transformation from a layer's CRS to a target CRS, or the statement that none is needed.
// `identity` tells "nothing to do" (the same CRS, or a side without a CRS: coordinates are
// taken as they are) from a transformation to apply; a transformation that cannot be made is
// never returned: transformation_to throws crs_error instead. Bound to the thread that made it.
struct transformation {
    std::unique_ptr<OGRCoordinateTransformation> op;  // null exactly when identity
    bool identity = true;

    // True when there is a transformation to apply (as the unique_ptr this replaces).
    explicit operator bool() const noexcept { return !identity; }
    [[nodiscard]] OGRCoordinateTransformation* get() const noexcept { return op.get(); }
    // Transforms `g` in place (nothing when identity); false when a coordinate cannot be.
    bool apply(OGRGeometry& g) const;
    bool apply(double& x, double& y) const;
};

// The transformation from a layer's CRS to `target` (anything OGRSpatialReference accepts: WKT,
// "EPSG:32717"), both in (x = east, y = north) order. Identity when `source` is null or `target`
// empty, or both are the same CRS. Throws crs_error, at `where`, naming the CRS GDAL does not
// know or the pair it cannot transform between.
transformation transformation_to(const OGRSpatialReference* source, const std::string& target,
                                 const error_location& where = {});

// Attribute text as UTF-8: kept when it already is, else recoded from `encoding` (sources
// without a declared encoding, e.g. Latin-1 DBFs); sets *recoded when it recoded.
std::string to_utf8(const char* text, const std::string& encoding, bool* recoded = nullptr);

}  // namespace microplan::geo::gdal
