#pragma once
// The one checked GDAL vector writer every export goes through (GeoPackage, GeoJSON, CSV,
// FlatGeobuf, Shapefile, ... any GDAL vector driver that can create).
//
//     vector_writer out("catchments.gpkg");  // driver from the extension, or name it
//     auto layer = out.add_layer("catchments", wkbMultiPolygon, crs_wkt,
//                                {{"code", field_type::text}, {"people", field_type::real}});
//     out.write(layer, geometry, {std::string("17D01"), 1234.0});
//     out.commit();  // without it, nothing appears at the path
//
// Contract:
// - Every GDAL/OGR return code is checked; a failure throws format_error naming the file (the
//   final path, not the temporary one), the layer and the feature number within the layer.
// - Atomic where the file system allows: the dataset is written under a hidden temporary name
//   in the same folder (".tmp-<pid>-<n>-<name>", same extension, so the driver is happy), and
//   commit() renames each of its files (a Shapefile's .shp, .shx, .dbf, .prj ...) over the
//   final path. A writer destroyed without commit() deletes the temporary dataset, leaving any
//   earlier file at the path untouched. Paths under /vsimem/ work the same way.
// - Features are written inside a dataset transaction when the driver has them (GeoPackage,
//   SQLite): one transaction from the first write until commit() or the next add_layer().
// - Values are given in the order of the layer's fields; std::monostate writes a null.
//   A value of the wrong type or count is a programming error (assertion), not bad data.
// - Coordinates are written as given: (x = east/lon, y = north/lat), CRS84 order for WGS 84.
// - One writer per thread (it owns a GDAL dataset); not copyable, movable.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "microplan/geo/error.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

enum class field_type { integer, integer64, real, text };

struct field_spec {
    std::string name;
    field_type type = field_type::text;
};

// One attribute value: null, an integer, a real or a text.
using field_value = std::variant<std::monostate, std::int64_t, double, std::string>;

class vector_writer {
public:
    // A layer of this writer, as add_layer returned it.
    struct layer_handle {
        std::size_t index = 0;
    };

    // Starts writing `path`. `driver` is GDAL's short name ("GPKG", "GeoJSON", "CSV",
    // "FlatGeobuf", "ESRI Shapefile"); "" picks it from the extension (.gpkg, .geojson/.json,
    // .csv, .fgb, .shp, .sqlite, .gml, .kml). Throws format_error for an unknown extension or
    // driver, or when the dataset cannot be created.
    explicit vector_writer(std::string path, std::string driver = {},
                           const std::vector<std::string>& dataset_options = {});
    ~vector_writer();
    vector_writer(vector_writer&&) noexcept;
    vector_writer& operator=(vector_writer&&) noexcept;
    vector_writer(const vector_writer&) = delete;
    vector_writer& operator=(const vector_writer&) = delete;

    // A new layer with typed fields; `crs_wkt` "" for none (anything OGRSpatialReference
    // accepts: WKT, "EPSG:4326"; written in traditional GIS order). `options` are GDAL layer
    // creation options ("GEOMETRY=AS_WKT" for a CSV with geometry, ...). Throws format_error.
    layer_handle add_layer(const std::string& name, OGRwkbGeometryType geometry_type, const std::string& crs_wkt,
                           const std::vector<field_spec>& fields, const std::vector<std::string>& options = {});

    // Writes one feature; `geometry` may be null (a feature without geometry) and is copied;
    // `fid` sets the feature id where the driver keeps it. Throws format_error.
    void write(layer_handle layer, const OGRGeometry* geometry, std::span<const field_value> values,
               std::optional<std::int64_t> fid = std::nullopt);
    // The same, taking the geometry (no copy).
    void write(layer_handle layer, std::unique_ptr<OGRGeometry> geometry, std::span<const field_value> values,
               std::optional<std::int64_t> fid = std::nullopt);
    // The same from ISO or extended WKB (geos::to_wkb); throws format_error for unreadable WKB.
    void write_wkb(layer_handle layer, std::span<const unsigned char> wkb, std::span<const field_value> values,
                   std::optional<std::int64_t> fid = std::nullopt);
    // Initializer-list convenience: out.write(layer, g, {std::string("A"), 1.0}).
    void write(layer_handle layer, const OGRGeometry* geometry, std::initializer_list<field_value> values,
               std::optional<std::int64_t> fid = std::nullopt) {
        write(layer, geometry, std::span<const field_value>(values.begin(), values.size()), fid);
    }
    void write(layer_handle layer, std::unique_ptr<OGRGeometry> geometry, std::initializer_list<field_value> values,
               std::optional<std::int64_t> fid = std::nullopt) {
        write(layer, std::move(geometry), std::span<const field_value>(values.begin(), values.size()), fid);
    }
    void write_wkb(layer_handle layer, std::span<const unsigned char> wkb, std::initializer_list<field_value> values,
                   std::optional<std::int64_t> fid = std::nullopt) {
        write_wkb(layer, wkb, std::span<const field_value>(values.begin(), values.size()), fid);
    }

    // Commits the open transaction, closes the dataset and moves it to the final path.
    // Throws format_error; after a failure nothing is left at the temporary path.
    void commit();

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] const std::string& driver() const noexcept { return driver_name_; }

    // The GDAL driver `path`'s extension calls for ("" when none does).
    static std::string driver_for(const std::string& path);

private:
    struct layer_state {
        OGRLayer* layer = nullptr;
        std::string name;
        std::vector<field_type> types;
        long long written = 0;
    };
    void begin_transaction();
    void end_transaction();
    void set_values(OGRFeature& f, const layer_state& l, std::span<const field_value> values) const;
    void create(OGRFeature& f, layer_state& l);
    [[nodiscard]] error_location where(const layer_state* l = nullptr) const;
    [[nodiscard]] std::vector<std::string> temporary_files() const;
    void discard() noexcept;

    std::string path_, folder_, temp_prefix_, temp_path_, driver_name_;
    GDALDriver* driver_ = nullptr;
    GDALDatasetUniquePtr ds_;
    std::vector<layer_state> layers_;
    bool in_transaction_ = false;
    bool committed_ = false;
};

// Units to a vector file in one call (the driver from the extension: .gpkg, .geojson, .fgb,
// .shp, ...): one layer of MultiPolygons in WGS 84 (lon/lat) with `values[i]` (one per field, in
// the order of `fields`) as the attributes of unit i. Throws format_error naming the file,
// layer and unit code.
void write_units(const std::string& path, const std::string& layer_name, const unit_layer& units,
                 std::span<const field_spec> fields, const std::vector<std::vector<field_value>>& values);

}  // namespace microplan::geo
