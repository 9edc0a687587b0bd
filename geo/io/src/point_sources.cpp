#include "microplan/geo/io/point_sources.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::geo {

std::vector<point_source> read_point_sources(const std::string& path, const point_source_fields& fields,
                                             const std::string& target_wkt) {
    gdal::ensure_registered();
    error_location where{path, {}, {}, {}, {}};
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds || ds->GetLayerCount() < 1) throw format_error(where, "cannot open the sources", CPLGetLastErrorMsg());
    OGRLayer* layer = ds->GetLayer(0);
    where.layer = layer->GetName();
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    int xi = defn->GetFieldIndex(fields.x.c_str()), yi = defn->GetFieldIndex(fields.y.c_str());
    int idi = defn->GetFieldIndex(fields.id.c_str());
    auto to_target = gdal::transformation_to(layer->GetSpatialRef(), target_wkt);
    std::vector<point_source> out;
    std::int32_t n = 0;
    for (auto& f : *layer) {
        ++n;
        point_source s;
        s.id = idi >= 0 ? f->GetFieldAsInteger(idi) : n;
        const OGRGeometry* g = f->GetGeometryRef();
        if (g && wkbFlatten(g->getGeometryType()) == wkbPoint) {
            s.x = g->toPoint()->getX(), s.y = g->toPoint()->getY();
            if (to_target && !to_target->Transform(1, &s.x, &s.y)) continue;
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
