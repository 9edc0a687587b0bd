#pragma once
// GDAL datasets and features through GDAL's own unique_ptr owners. A dataset (and
// the cursor of each of its layers) belongs to one thread.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

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
// The layer to read: `name` when given, else the only (or first) layer; throws format_error.
OGRLayer& pick_layer(GDALDataset& ds, const std::string& path, const std::string& name);

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
