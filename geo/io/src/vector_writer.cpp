#include "microplan/geo/io/vector_writer.hpp"

#include <cpl_string.h>
#include <cpl_vsi.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cctype>
#include <utility>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/geos.hpp"

namespace microplan::geo {

namespace {

// GDAL's options as the NULL-terminated list it takes; owns the strings it points into.
struct option_list {
    std::vector<const char*> ptrs;
    explicit option_list(const std::vector<std::string>& options) {
        for (const auto& o : options) ptrs.push_back(o.c_str());
        ptrs.push_back(nullptr);
    }
    char** get() { return const_cast<char**>(ptrs.data()); }
};

std::string last_gdal_error(const char* fallback) {
    std::string why = CPLGetLastErrorMsg();
    return why.empty() ? fallback : why;
}

OGRFieldType ogr_type(field_type t) {
    switch (t) {
        case field_type::integer:
            return OFTInteger;
        case field_type::integer64:
            return OFTInteger64;
        case field_type::real:
            return OFTReal;
        case field_type::text:
            break;
    }
    return OFTString;
}

// The folder of a path, with its trailing '/', and the file name.
std::pair<std::string, std::string> split_path(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return {std::string{}, path};
    return {path.substr(0, slash + 1), path.substr(slash + 1)};
}

// "<folder>/.tmp-<pid>-<n>-": the prefix of the temporary files beside the final one (a rename
// stays on one file system), hidden, the name and extension kept after it.
std::string temporary_prefix(const std::string& folder) {
    static std::atomic<unsigned> counter{0};
    return folder + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-";
}

}  // namespace

std::string vector_writer::driver_for(const std::string& path) {
    auto dot = path.find_last_of('.');
    if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return {};
    std::string ext = path.substr(dot + 1);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == "gpkg") return "GPKG";
    if (ext == "geojson" || ext == "json") return "GeoJSON";
    if (ext == "csv") return "CSV";
    if (ext == "fgb") return "FlatGeobuf";
    if (ext == "shp") return "ESRI Shapefile";
    if (ext == "sqlite") return "SQLite";
    if (ext == "gml") return "GML";
    if (ext == "kml") return "KML";
    return {};
}

vector_writer::vector_writer(std::string path, std::string driver, const std::vector<std::string>& dataset_options)
    : path_(std::move(path)), driver_name_(std::move(driver)) {
    gdal::ensure_registered();
    if (driver_name_.empty()) driver_name_ = driver_for(path_);
    if (driver_name_.empty())
        throw format_error(where(), "unsupported output format",
                           "cannot tell the format from the extension; use .gpkg, .geojson, .csv, .fgb or .shp");
    driver_ = GetGDALDriverManager()->GetDriverByName(driver_name_.c_str());
    if (!driver_ || !driver_->GetMetadataItem(GDAL_DCAP_VECTOR) || !driver_->GetMetadataItem(GDAL_DCAP_CREATE))
        throw format_error(where(), "unsupported output format",
                           "GDAL has no driver '" + driver_name_ + "' that can create vector files");
    auto [folder, name] = split_path(path_);
    folder_ = folder;
    temp_prefix_ = temporary_prefix(folder_);
    temp_path_ = temp_prefix_ + name;
    option_list opts(dataset_options);
    CPLErrorReset();
    ds_.reset(driver_->Create(temp_path_.c_str(), 0, 0, 0, GDT_Unknown, opts.get()));
    if (!ds_) {
        std::string why = last_gdal_error("GDAL cannot create it");
        for (const auto& f : temporary_files()) VSIUnlink(f.c_str());
        throw format_error(where(), "cannot create the file", why);
    }
}

vector_writer::~vector_writer() {
    if (!committed_) discard();
}

vector_writer::vector_writer(vector_writer&& o) noexcept
    : path_(std::move(o.path_)),
      folder_(std::move(o.folder_)),
      temp_prefix_(std::move(o.temp_prefix_)),
      temp_path_(std::move(o.temp_path_)),
      driver_name_(std::move(o.driver_name_)),
      driver_(o.driver_),
      ds_(std::move(o.ds_)),
      layers_(std::move(o.layers_)),
      in_transaction_(o.in_transaction_),
      committed_(o.committed_) {
    o.committed_ = true;  // the moved-from writer owns nothing to discard
}

vector_writer& vector_writer::operator=(vector_writer&& o) noexcept {
    if (this != &o) {
        if (!committed_) discard();
        path_ = std::move(o.path_);
        folder_ = std::move(o.folder_);
        temp_prefix_ = std::move(o.temp_prefix_);
        temp_path_ = std::move(o.temp_path_);
        driver_name_ = std::move(o.driver_name_);
        driver_ = o.driver_;
        ds_ = std::move(o.ds_);
        layers_ = std::move(o.layers_);
        in_transaction_ = o.in_transaction_;
        committed_ = o.committed_;
        o.committed_ = true;
    }
    return *this;
}

error_location vector_writer::where(const layer_state* l) const {
    error_location at{path_, {}, {}, {}, {}};
    if (l) {
        at.layer = l->name;
        at.feature = l->written;
    }
    return at;
}

vector_writer::layer_handle vector_writer::add_layer(const std::string& name, OGRwkbGeometryType geometry_type,
                                                     const std::string& crs_wkt, const std::vector<field_spec>& fields,
                                                     const std::vector<std::string>& options) {
    assert(ds_ && !committed_);
    end_transaction();  // GDAL creates layers outside a transaction
    error_location at = where();
    at.layer = name;
    std::unique_ptr<OGRSpatialReference> srs;
    if (!crs_wkt.empty()) {
        srs = std::make_unique<OGRSpatialReference>();
        if (srs->SetFromUserInput(crs_wkt.c_str()) != OGRERR_NONE)
            throw crs_error(at, "unknown CRS", "GDAL cannot read the layer's CRS" + gdal::read_problem());
        srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    }
    option_list opts(options);
    CPLErrorReset();
    OGRLayer* layer = ds_->CreateLayer(name.c_str(), srs.get(), geometry_type, opts.get());
    if (!layer) throw format_error(at, "cannot create the layer", last_gdal_error("GDAL cannot create it"));
    layer_state state;
    state.layer = layer;
    state.name = name;
    for (const auto& f : fields) {
        OGRFieldDefn defn(f.name.c_str(), ogr_type(f.type));
        if (layer->CreateField(&defn) != OGRERR_NONE) {
            at.field = f.name;
            throw format_error(at, "cannot create the field", last_gdal_error("GDAL cannot create it"));
        }
        state.types.push_back(f.type);
    }
    layers_.push_back(std::move(state));
    return layer_handle{layers_.size() - 1};
}

void vector_writer::begin_transaction() {
    if (in_transaction_ || !ds_->TestCapability(ODsCTransactions)) return;
    if (ds_->StartTransaction() != OGRERR_NONE)
        throw format_error(where(), "cannot start a transaction", last_gdal_error("GDAL refused it"));
    in_transaction_ = true;
}

void vector_writer::end_transaction() {
    if (!in_transaction_) return;
    in_transaction_ = false;
    if (ds_->CommitTransaction() != OGRERR_NONE)
        throw format_error(where(), "cannot commit the transaction", last_gdal_error("GDAL refused it"));
}

void vector_writer::set_values(OGRFeature& f, const layer_state& l, std::span<const field_value> values) const {
    assert(values.size() == l.types.size() && "one value per field, in the layer's order");
    const std::size_t n = std::min(values.size(), l.types.size());
    for (std::size_t i = 0; i < n; ++i) {
        const int fi = static_cast<int>(i);
        const field_value& v = values[i];
        if (std::holds_alternative<std::monostate>(v)) {
            f.SetFieldNull(fi);
        } else if (const auto* n64 = std::get_if<std::int64_t>(&v)) {
            assert(l.types[i] != field_type::text && "an integer for a text field");
            f.SetField(fi, static_cast<GIntBig>(*n64));
        } else if (const auto* d = std::get_if<double>(&v)) {
            assert(l.types[i] == field_type::real && "a real for a non-real field");
            f.SetField(fi, *d);
        } else {
            f.SetField(fi, std::get<std::string>(v).c_str());
        }
    }
}

void vector_writer::create(OGRFeature& f, layer_state& l) {
    begin_transaction();
    CPLErrorReset();
    if (l.layer->CreateFeature(&f) != OGRERR_NONE)
        throw format_error(where(&l), "cannot write the feature", last_gdal_error("GDAL refused it"));
    ++l.written;
}

void vector_writer::write(layer_handle layer, const OGRGeometry* geometry, std::span<const field_value> values,
                          std::optional<std::int64_t> fid) {
    assert(ds_ && !committed_ && layer.index < layers_.size());
    layer_state& l = layers_.at(layer.index);
    OGRFeature f(l.layer->GetLayerDefn());
    set_values(f, l, values);
    if (fid) f.SetFID(*fid);
    if (geometry && f.SetGeometry(geometry) != OGRERR_NONE)
        throw format_error(where(&l), "cannot write the geometry", last_gdal_error("GDAL refused it"));
    create(f, l);
}

void vector_writer::write(layer_handle layer, std::unique_ptr<OGRGeometry> geometry,
                          std::span<const field_value> values, std::optional<std::int64_t> fid) {
    assert(ds_ && !committed_ && layer.index < layers_.size());
    layer_state& l = layers_.at(layer.index);
    OGRFeature f(l.layer->GetLayerDefn());
    set_values(f, l, values);
    if (fid) f.SetFID(*fid);
    if (geometry && f.SetGeometryDirectly(geometry.release()) != OGRERR_NONE)
        throw format_error(where(&l), "cannot write the geometry", last_gdal_error("GDAL refused it"));
    create(f, l);
}

void vector_writer::write_wkb(layer_handle layer, std::span<const unsigned char> wkb,
                              std::span<const field_value> values, std::optional<std::int64_t> fid) {
    assert(layer.index < layers_.size());
    OGRGeometry* g = nullptr;
    if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) != OGRERR_NONE || !g)
        throw format_error(where(&layers_.at(layer.index)), "cannot write the geometry", "unreadable WKB");
    write(layer, std::unique_ptr<OGRGeometry>(g), values, fid);
}

void vector_writer::commit() {
    assert(ds_ && !committed_);
    try {
        end_transaction();
    } catch (...) {
        discard();
        throw;
    }
    CPLErrorReset();
    ds_.reset();  // closing flushes: the GeoPackage's last pages, the GeoJSON's closing bracket
    committed_ = true;
    // Every file the driver made (a Shapefile's .shp, .shx, .dbf, .prj, .cpg; a CSV's .csvt)
    // starts with the temporary prefix; GDAL's own file list misses some of them.
    const std::vector<std::string> files = temporary_files();
    if (CPLGetLastErrorType() == CE_Failure) {
        std::string why = CPLGetLastErrorMsg();
        for (const auto& f : files) VSIUnlink(f.c_str());
        throw format_error(where(), "cannot write the file", why);
    }
    for (const auto& f : files) {
        std::string final_name = folder_ + f.substr(temp_prefix_.size());
        if (VSIRename(f.c_str(), final_name.c_str()) != 0) {
            for (const auto& g : files) VSIUnlink(g.c_str());
            throw format_error(where(), "cannot move the file into place",
                               "renaming '" + f + "' to '" + final_name + "' failed");
        }
    }
}

std::vector<std::string> vector_writer::temporary_files() const {
    std::vector<std::string> out;
    const std::string name_prefix = temp_prefix_.substr(folder_.size());
    char** entries = VSIReadDir(folder_.empty() ? "." : folder_.c_str());
    for (char** e = entries; e && *e; ++e)
        if (std::string(*e).rfind(name_prefix, 0) == 0) out.push_back(folder_ + *e);
    CSLDestroy(entries);
    return out;
}

void vector_writer::discard() noexcept {
    if (committed_) return;
    committed_ = true;
    if (!ds_) return;
    if (in_transaction_) ds_->RollbackTransaction();
    ds_.reset();
    for (const auto& f : temporary_files()) VSIUnlink(f.c_str());
}

void write_units(const std::string& path, const std::string& layer_name, const unit_layer& units,
                 std::span<const field_spec> fields, const std::vector<std::vector<field_value>>& values) {
    error_location where{path, layer_name, {}, {}, {}};
    if (values.size() != units.units.size())
        throw format_error(
            where, "cannot write",
            "values for " + std::to_string(values.size()) + " of " + std::to_string(units.units.size()) + " units");
    vector_writer out(path);
    auto layer = out.add_layer(layer_name, wkbMultiPolygon, "EPSG:4326", {fields.begin(), fields.end()});
    for (std::size_t i = 0; i < units.units.size(); ++i) {
        const unit& u = units.units[i];
        at_location({path, layer_name, {}, {}, u.code},
                    [&] { out.write_wkb(layer, geos::to_wkb(u.geometry.get()), values[i]); });
    }
    out.commit();
}

}  // namespace microplan::geo
