#include "microplan/geo/core/gdal.hpp"

#include <cpl_error.h>
#include <cpl_vsi.h>

#include <cctype>
#include <mutex>
#include <utility>

#include "microplan/geo/error.hpp"

namespace microplan::geo::gdal {

void ensure_registered() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        // /vsigzip/ saves a `.properties` index beside a large .gz it had to seek in; the data
        // we read may be on a read-only share, and the index only saves time on a second read.
        CPLSetConfigOption("CPL_VSIL_GZIP_WRITE_PROPERTIES", "NO");
        // GDAL's messages are turned into our exceptions; keep stderr for our own reports.
        CPLSetErrorHandler(CPLQuietErrorHandler);
    });
}

namespace {

// A Shapefile is three files or more: GDAL opens a .shp without its .dbf as a layer with no
// fields (which then reads as "no code field"), so a missing sidecar is named before opening.
void check_shapefile_sidecars(const std::string& path, const error_location& where) {
    const std::string ext = path.size() > 4 ? path.substr(path.size() - 4) : std::string{};
    if (path.starts_with("/vsi") || (ext != ".shp" && ext != ".SHP")) return;
    const std::string stem = path.substr(0, path.size() - 4);
    auto exists = [](const std::string& p) {
        VSIStatBufL st;
        return VSIStatL(p.c_str(), &st) == 0;
    };
    const std::pair<const char*, const char*> sidecars[] = {
        {"dbf", "the attributes (codes, names): without it every field is missing"},
        {"shx", "the index of the shapes: without it GDAL cannot read them"}};
    for (auto [sidecar, holds] : sidecars) {
        std::string lower = stem + "." + sidecar, upper = lower;
        for (std::size_t i = stem.size() + 1; i < upper.size(); ++i)
            upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
        if (!exists(lower) && !exists(upper))
            throw format_error(where, "missing sidecar file",
                               lower + " is missing; a Shapefile's ." + sidecar + " holds " + holds +
                                   " (copy every file of the Shapefile, or a zip of them)");
    }
}

}  // namespace

GDALDatasetUniquePtr open_vector(const std::string& path) {
    ensure_registered();
    error_location where{path, {}, {}, {}, {}};
    VSIStatBufL st;
    if (VSIStatL(path.c_str(), &st) != 0) throw format_error(where, "file not found", "no such file or directory");
    check_shapefile_sidecars(path, where);
    if (VSI_ISDIR(st.st_mode) == 0) {
        VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
        if (!f) throw format_error(where, "file not readable", "permission denied or I/O error");
        VSIFCloseL(f);
    }
    CPLErrorReset();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) {
        std::string why = CPLGetLastErrorMsg();
        // A driver recognises the file but cannot read it: corrupt, truncated or over a limit.
        if (GDALDriverH driver = GDALIdentifyDriver(path.c_str(), nullptr))
            throw format_error(where, "unreadable file",
                               std::string("GDAL's ") + GDALGetDriverShortName(driver) +
                                   " driver recognises the file but cannot read it" +
                                   (why.empty() ? std::string{} : ": " + why) +
                                   " (truncated or corrupt? re-export it from the source)");
        throw format_error(where, "unsupported format",
                           "no GDAL vector driver can read it" + (why.empty() ? std::string{} : " (" + why + ")") +
                               "; supported: GeoPackage, Shapefile, GeoJSON, FlatGeobuf, CSV, and any other "
                               "GDAL vector format; compressed files via /vsigzip/ or /vsizip/");
    }
    if (ds->GetLayerCount() == 0) throw format_error(where, "no vector layer", "the source holds no vector layer");
    return ds;
}

std::string read_problem() {
    std::string why = CPLGetLastErrorMsg();
    return why.empty() ? std::string{} : " (GDAL: " + why + ")";
}

GDALDatasetUniquePtr open_table(const std::string& path) {
    ensure_registered();
    const char* open_opts[] = {"AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=NO", "HEADERS=YES", nullptr};
    GDALDatasetUniquePtr ds(
        GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, open_opts, nullptr));
    if (!ds || ds->GetLayerCount() == 0) return open_vector(path);  // throws the precise reason, or opens
    return ds;
}

namespace {

// The type of the first geometry among the first features (wkbUnknown when none has one): what
// a layer declared as of any type holds, told without reading it all.
OGRwkbGeometryType first_geometry_type(OGRLayer& layer) {
    OGRwkbGeometryType t = wkbUnknown;
    layer.ResetReading();
    for (int i = 0; i < 16; ++i) {
        OGRFeatureUniquePtr f(layer.GetNextFeature());
        if (!f) break;
        if (const OGRGeometry* g = f->GetGeometryRef()) {
            t = wkbFlatten(g->getGeometryType());
            break;
        }
    }
    layer.ResetReading();
    return t;
}

}  // namespace

bool geometry_among(OGRLayer& layer, std::initializer_list<OGRwkbGeometryType> types) {
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    if (defn->GetGeomFieldCount() == 0) return false;
    OGRwkbGeometryType t = wkbFlatten(defn->GetGeomFieldDefn(0)->GetType());
    if (t == wkbUnknown) t = first_geometry_type(layer);
    if (t == wkbUnknown || t == wkbGeometryCollection) return true;
    for (OGRwkbGeometryType want : types)
        if (t == want) return true;
    return false;
}

layer_need polygon_layers() {
    return {"polygons", [](OGRLayer& l) {
                return geometry_among(l, {wkbPolygon, wkbMultiPolygon, wkbCurvePolygon, wkbMultiSurface});
            }};
}

layer_need line_layers() {
    return {"lines", [](OGRLayer& l) {
                return geometry_among(l, {wkbLineString, wkbMultiLineString, wkbCompoundCurve, wkbMultiCurve});
            }};
}

std::string describe_layer(OGRLayer& layer) {
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    const bool geometry = defn->GetGeomFieldCount() > 0;
    const GIntBig n = layer.GetFeatureCount(TRUE);
    std::string count = n < 0 ? std::string("unknown count") : std::to_string(n) + (geometry ? " feature" : " row");
    if (n != 1 && n >= 0) count += "s";
    OGRwkbGeometryType t = geometry ? wkbFlatten(defn->GetGeomFieldDefn(0)->GetType()) : wkbNone;
    if (geometry && t == wkbUnknown) t = first_geometry_type(layer);  // what it holds, not "any"
    const std::string type = geometry ? OGRGeometryTypeToName(t) : "no geometry";
    return "'" + std::string(layer.GetName()) + "' (" + type + ", " + count + ")";
}

namespace {

// Tables that desktop GIS store beside the data (QGIS styles and projects): never data.
bool is_styling_table(OGRLayer& layer) {
    const std::string name = CPLString(layer.GetName()).tolower();
    return name == "layer_styles" || name == "qgis_projects";
}

std::string describe_layers(const std::vector<OGRLayer*>& layers) {
    std::string out;
    for (OGRLayer* l : layers) out += (out.empty() ? "" : ", ") + describe_layer(*l);
    return out;
}

}  // namespace

OGRLayer& pick_layer(GDALDataset& ds, const std::string& path, const std::string& name, const layer_need& need) {
    std::vector<OGRLayer*> all;
    for (OGRLayer* l : ds.GetLayers()) all.push_back(l);
    if (!name.empty()) {
        OGRLayer* layer = ds.GetLayerByName(name.c_str());
        if (!layer)
            throw format_error(error_location{path, name, {}, {}, {}}, "layer not found",
                               "layers present: " + describe_layers(all));
        return *layer;
    }
    if (all.size() == 1) return *all.front();
    std::vector<OGRLayer*> fitting;
    for (OGRLayer* l : all)
        if (need.fits ? need.fits(*l) : !is_styling_table(*l)) fitting.push_back(l);
    if (fitting.size() == 1) return *fitting.front();
    const error_location where{path, {}, {}, {}, {}};
    if (fitting.empty())
        throw format_error(where, "no suitable layer",
                           "none of its " + std::to_string(all.size()) + " layers holds " + need.what + ": " +
                               describe_layers(all) + "; name the one to read with " + need.flag);
    throw format_error(where, "several layers",
                       std::to_string(fitting.size()) + " layers hold " + need.what + ": " + describe_layers(fitting) +
                           "; choose the one to read with " + need.flag + " NAME");
}

bool transformation::apply(OGRGeometry& g) const { return identity || g.transform(op.get()) == OGRERR_NONE; }

bool transformation::apply(double& x, double& y) const { return identity || op->Transform(1, &x, &y) != 0; }

transformation transformation_to(const OGRSpatialReference* source, const std::string& target,
                                 const error_location& where) {
    transformation out;
    if (!source || target.empty()) return out;
    OGRSpatialReference from(*source), to;
    if (to.SetFromUserInput(target.c_str()) != OGRERR_NONE)
        throw crs_error(where, "unknown CRS", "GDAL does not know the target CRS '" + target + "'" + read_problem());
    from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (from.IsSame(&to)) return out;
    CPLErrorReset();
    out.op.reset(OGRCreateCoordinateTransformation(&from, &to));
    if (!out.op) {
        const char* name = from.GetName();
        throw crs_error(where, "no transformation",
                        std::string("GDAL cannot transform from '") + (name ? name : "the layer's CRS") + "' to '" +
                            target + "'" + read_problem());
    }
    out.identity = false;
    return out;
}

std::string to_utf8(const char* text, const std::string& encoding, bool* recoded) {
    if (CPLIsUTF8(text, -1)) return text;
    if (recoded) *recoded = true;
    char* r = CPLRecode(text, encoding.c_str(), CPL_ENC_UTF8);
    std::string out = r ? r : text;
    CPLFree(r);
    return out;
}

}  // namespace microplan::geo::gdal
