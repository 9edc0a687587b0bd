// `microplan access cost`: accumulated cost / travel time over a friction raster.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <chrono>
#include <cmath>

#include "commands.hpp"
#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/raster.hpp"

namespace microplan::cli {

namespace {

// Points of any GDAL layer (a point layer, or a table with x / y columns in the raster's CRS),
// transformed to the raster's CRS when both are known.
std::vector<geo::access::source> read_sources(const std::string& path, const std::string& x_field,
                                              const std::string& y_field, const std::string& id_field,
                                              const std::string& target_wkt) {
    geo::gdal::ensure_registered();
    geo::error_location where{path, {}, {}, {}, {}};
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds || ds->GetLayerCount() < 1) throw geo::format_error(where, "cannot open the sources", CPLGetLastErrorMsg());
    OGRLayer* layer = ds->GetLayer(0);
    where.layer = layer->GetName();
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    int xi = defn->GetFieldIndex(x_field.c_str()), yi = defn->GetFieldIndex(y_field.c_str());
    int idi = defn->GetFieldIndex(id_field.c_str());
    geo::gdal::transformation to_raster = geo::gdal::transformation_to(layer->GetSpatialRef(), target_wkt, where);
    std::vector<geo::access::source> out;
    std::int32_t n = 0;
    for (auto& f : *layer) {
        ++n;
        geo::access::source s;
        s.id = idi >= 0 ? f->GetFieldAsInteger(idi) : n;
        const OGRGeometry* g = f->GetGeometryRef();
        if (g && wkbFlatten(g->getGeometryType()) == wkbPoint) {
            s.x = g->toPoint()->getX(), s.y = g->toPoint()->getY();
            if (!to_raster.apply(s.x, s.y)) continue;
        } else if (xi >= 0 && yi >= 0 && f->IsFieldSetAndNotNull(xi) && f->IsFieldSetAndNotNull(yi)) {
            s.x = f->GetFieldAsDouble(xi), s.y = f->GetFieldAsDouble(yi);
        } else {
            where.feature = f->GetFID();
            throw geo::format_error(
                where, "source without a location",
                "a source needs a point geometry or the fields '" + x_field + "' and '" + y_field + "'");
        }
        out.push_back(s);
    }
    return out;
}

}  // namespace

command add_access_cost(CLI::App& app) {
    struct args {
        std::string cost, sources, out, nearest, x_field = "x", y_field = "y", id_field = "id";
        bool knight = false;
        double max_cost = 0;
    };
    auto a = std::make_shared<args>();
    app.add_option("--cost", a->cost, "Friction raster (cost of crossing a cell east-west; no-data = impassable)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--sources", a->sources, "Sources: a point layer or a table with x, y in the raster's CRS")
        ->required();
    app.add_option("--out,-o", a->out, "Accumulated cost GeoTIFF (Float32)")->required();
    app.add_option("--nearest", a->nearest, "GeoTIFF of the source each cell is reached from (catchments, Int32)");
    app.add_flag("--knight", a->knight, "16 neighbours (knight's moves) instead of 8");
    app.add_option("--max-cost", a->max_cost, "Stop at this accumulated cost (0: no limit)");
    app.add_option("--x-field", a->x_field, "Field with the x of table sources")->capture_default_str();
    app.add_option("--y-field", a->y_field, "Field with the y of table sources")->capture_default_str();
    app.add_option("--id-field", a->id_field, "Field with the source id (default: feature number)")
        ->capture_default_str();
    return [a] {
        using clock = std::chrono::steady_clock;
        auto t0 = clock::now();
        std::fprintf(stderr, "reading %s ...\n", a->cost.c_str());
        auto surface = geo::read_cost_raster(a->cost);
        auto sources = read_sources(a->sources, a->x_field, a->y_field, a->id_field, surface.g.crs_wkt);
        auto t1 = clock::now();
        geo::access::cost_distance_options o;
        o.moves = a->knight ? geo::access::neighbourhood::knight : geo::access::neighbourhood::queen;
        if (a->max_cost > 0) o.max_cost = a->max_cost;
        std::fprintf(stderr, "%zu x %zu cells, %zu sources, %d neighbours ...\n", surface.g.cols, surface.g.rows,
                     sources.size(), a->knight ? 16 : 8);
        auto r = geo::access::cost_distance(surface, sources, o);
        auto t2 = clock::now();
        double peak = 0;
        for (double v : r.cost)
            if (std::isfinite(v)) peak = std::max(peak, v);
        geo::write_float_raster(a->out, surface.g, r.cost);
        if (!a->nearest.empty()) geo::write_int_raster(a->nearest, surface.g, r.nearest);
        auto t3 = clock::now();
        auto s = [](auto d) { return std::chrono::duration<double>(d).count(); };
        std::fprintf(stderr, "read %.2f s, cost distance %.2f s, write %.2f s\n", s(t1 - t0), s(t2 - t1), s(t3 - t2));
        std::printf("%zu cells reached of %zu, peak cost %.3f; %zu sources outside the grid or on impassable cells\n",
                    r.reached, surface.g.cells(), peak, r.unplaced.size());
        return 0;
    };
}

}  // namespace microplan::cli
