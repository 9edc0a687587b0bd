#include "microplan/geo/io/point_sources.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/source.hpp"

namespace microplan::geo {

std::vector<point_source> read_point_sources(const std::string& path, const point_source_fields& fields,
                                             const std::string& target_wkt, const std::string& layer_name) {
    // Points, or a table with the coordinate fields.
    const gdal::layer_need need{"points or a table with the fields '" + fields.x + "' and '" + fields.y + "'",
                                [&fields](OGRLayer& l) {
                                    OGRFeatureDefn* d = l.GetLayerDefn();
                                    if (gdal::geometry_among(l, {wkbPoint, wkbMultiPoint})) return true;
                                    return d->GetGeomFieldCount() == 0 && d->GetFieldIndex(fields.x.c_str()) >= 0 &&
                                           d->GetFieldIndex(fields.y.c_str()) >= 0;
                                },
                                "--sources-layer"};
    vector_layer src = open_layer(path, layer_name, need);
    OGRLayer* layer = src.layer;
    error_location where = src.where();
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    int xi = defn->GetFieldIndex(fields.x.c_str()), yi = defn->GetFieldIndex(fields.y.c_str());
    int idi = defn->GetFieldIndex(fields.id.c_str());
    int namei = defn->GetFieldIndex(fields.name.c_str());
    if (namei < 0) namei = defn->GetFieldIndex("nombre");
    gdal::transformation to_target = gdal::transformation_to(layer->GetSpatialRef(), target_wkt, where);
    std::vector<point_source> out;
    std::int32_t n = 0;
    for (auto& f : *layer) {
        ++n;
        point_source s;
        s.id = idi >= 0 ? f->GetFieldAsInteger(idi) : n;
        if (namei >= 0) s.name = f->GetFieldAsString(namei);
        const OGRGeometry* g = f->GetGeometryRef();
        if (g && wkbFlatten(g->getGeometryType()) == wkbPoint) {
            s.x = g->toPoint()->getX(), s.y = g->toPoint()->getY();
            if (!to_target.apply(s.x, s.y)) continue;
        } else if (xi >= 0 && yi >= 0 && f->IsFieldSetAndNotNull(xi) && f->IsFieldSetAndNotNull(yi)) {
            s.x = f->GetFieldAsDouble(xi), s.y = f->GetFieldAsDouble(yi);
        } else {
            where.feature = f->GetFID();
            throw format_error(
                where, "source without a location",
                "a source needs a point geometry or the fields '" + fields.x + "' and '" + fields.y + "'");
        }
        out.push_back(s);
    }
    return out;
}

}  // namespace microplan::geo
