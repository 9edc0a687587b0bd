#include "microplan/geo/io/vector_writer.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cctype>
#include <filesystem>
#include <system_error>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::geo {

namespace {

const char* driver_for(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".gpkg"                        ? "GPKG"
           : ext == ".geojson" || ext == ".json" ? "GeoJSON"
           : ext == ".fgb"                       ? "FlatGeobuf"
           : ext == ".shp"                       ? "ESRI Shapefile"
                                                 : nullptr;
}

OGRFieldType ogr_type(field_type t) {
    switch (t) {
        case field_type::real:
            return OFTReal;
        case field_type::integer:
            return OFTInteger;
        case field_type::text:
            break;
    }
    return OFTString;
}

std::string last_gdal_error() {
    const char* m = CPLGetLastErrorMsg();
    return m && *m ? m : "no message from GDAL";
}

// One feature: the unit's attributes and geometry.
void write_feature(OGRLayer& layer, const OGRSpatialReference& srs, const unit& u,
                   std::span<const field_definition> fields, const std::vector<field_value>& row,
                   const error_location& where) {
    error_location at = where;
    at.code = u.code;
    if (row.size() != fields.size())
        throw format_error(
            at, "cannot write",
            "a feature has " + std::to_string(row.size()) + " values for " + std::to_string(fields.size()) + " fields");
    OGRFeature f(layer.GetLayerDefn());
    for (std::size_t k = 0; k < fields.size(); ++k) {
        const int index = static_cast<int>(k);
        if (const auto* s = std::get_if<std::string>(&row[k]))
            f.SetField(index, s->c_str());
        else if (const auto* d = std::get_if<double>(&row[k]))
            f.SetField(index, *d);
        else
            f.SetField(index, std::get<int>(row[k]));
    }
    std::vector<unsigned char> wkb = geos::to_wkb(u.geometry.get());
    OGRGeometry* g = nullptr;
    if (OGRGeometryFactory::createFromWkb(wkb.data(), const_cast<OGRSpatialReference*>(&srs), &g, wkb.size()) !=
            OGRERR_NONE ||
        !g)
        throw geometry_error(at, "cannot write", "the unit's geometry cannot be converted for GDAL");
    if (f.SetGeometryDirectly(g) != OGRERR_NONE)
        throw format_error(at, "cannot write", "the layer refuses the geometry: " + last_gdal_error());
    if (layer.CreateFeature(&f) != OGRERR_NONE) throw format_error(at, "cannot write", last_gdal_error());
}

}  // namespace

void write_units(const std::string& path, const std::string& layer_name, const unit_layer& units,
                 std::span<const field_definition> fields, const std::vector<std::vector<field_value>>& values) {
    gdal::ensure_registered();
    error_location where{path, layer_name, {}, {}, {}};
    const char* driver_name = driver_for(path);
    if (!driver_name) throw format_error(where, "unsupported output format", "use .gpkg, .geojson, .fgb or .shp");
    if (values.size() != units.units.size())
        throw format_error(
            where, "cannot write",
            "values for " + std::to_string(values.size()) + " of " + std::to_string(units.units.size()) + " units");
    const std::filesystem::path target(path);
    const std::string tmp = (target.parent_path() / (".tmp-" + target.filename().string())).string();
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
    if (!driver) throw format_error(where, "cannot write", std::string("GDAL has no ") + driver_name + " driver");
    CPLErrorReset();
    GDALDatasetUniquePtr ds(driver->Create(tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw format_error(where, "cannot write", last_gdal_error());
    OGRSpatialReference srs;
    if (srs.importFromEPSG(4326) != OGRERR_NONE) throw format_error(where, "cannot write", "EPSG:4326 unknown to GDAL");
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayer* layer = ds->CreateLayer(layer_name.c_str(), &srs, wkbMultiPolygon, nullptr);
    if (!layer) throw format_error(where, "cannot write", "cannot create the layer: " + last_gdal_error());
    for (const field_definition& fd : fields) {
        OGRFieldDefn f(fd.name.c_str(), ogr_type(fd.type));
        if (layer->CreateField(&f) != OGRERR_NONE)
            throw format_error({path, layer_name, {}, fd.name, {}}, "cannot write",
                               "cannot create the field: " + last_gdal_error());
    }
    for (std::size_t i = 0; i < units.units.size(); ++i)
        write_feature(*layer, srs, units.units[i], fields, values[i], where);
    CPLErrorReset();
    ds.reset();  // closes and flushes: GDAL reports a failure here only through its error state
    if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal)
        throw format_error(where, "cannot write", "closing the file failed: " + last_gdal_error());
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw format_error(where, "cannot write", "cannot rename " + tmp + " over it: " + ec.message());
}

}  // namespace microplan::geo
