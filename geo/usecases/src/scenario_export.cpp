#include "microplan/geo/usecases/scenario_export.hpp"

#include <cpl_vsi.h>

#include <atomic>
#include <cmath>

#include "microplan/geo/io/vector_writer.hpp"

namespace microplan::geo::usecases {

namespace {

std::unique_ptr<OGRGeometry> multipolygon_of(const std::vector<polygon_coordinates>& outline) {
    auto mp = std::make_unique<OGRMultiPolygon>();
    for (const auto& poly : outline) {
        OGRPolygon op;
        for (const auto& ring : poly) {
            OGRLinearRing lr;
            for (const auto& [x, y] : ring) lr.addPoint(x, y);
            if (!ring.empty()) lr.addPoint(ring.front()[0], ring.front()[1]);
            op.addRing(&lr);
        }
        mp->addGeometry(&op);
    }
    return mp;
}

}  // namespace

std::string scenario_geopackage(std::int64_t scenario, const std::vector<store::proposal_record>& proposals,
                                const std::vector<closed_establishment>& closures,
                                const std::vector<circuit_change>& circuits) {
    static std::atomic<unsigned> counter{0};
    const std::string path = "/vsimem/scenario_" + std::to_string(scenario) + "_" + std::to_string(counter++) + ".gpkg";
    {
        vector_writer out(path, "GPKG");
        auto points = out.add_layer("propuestas", wkbPoint, "EPSG:4326",
                                    {{"sector", field_type::text},
                                     {"typology", field_type::text},
                                     {"name", field_type::text},
                                     {"circuit_code", field_type::text}});
        for (const auto& p : proposals) {
            OGRPoint pt(p.lon, p.lat);
            out.write(points, &pt, {p.sector, p.typology, p.name, p.circuit_code}, p.id);
        }
        auto closed = out.add_layer("cerrados", wkbPoint, "EPSG:4326",
                                    {{"establishment_fid", field_type::integer64},
                                     {"code", field_type::text},
                                     {"sector", field_type::text},
                                     {"typology", field_type::text},
                                     {"name", field_type::text},
                                     {"found", field_type::integer}});
        for (const auto& c : closures) {
            const bool located = c.found && c.now.lonlat;
            OGRPoint pt(located ? c.now.lonlat->first : 0, located ? c.now.lonlat->second : 0);
            out.write(closed, located ? &pt : nullptr,
                      {static_cast<std::int64_t>(c.found ? c.now.fid : c.record.fid), c.record.code, c.record.sector,
                       c.record.typology, c.found ? c.now.name : c.record.name, std::int64_t{c.found ? 1 : 0}});
        }
        auto units = out.add_layer("circuitos_comparacion", wkbMultiPolygon, "EPSG:4326",
                                   {{"code", field_type::text},
                                    {"name", field_type::text},
                                    {"deficit_before", field_type::real},
                                    {"deficit_after", field_type::real},
                                    {"investment_before", field_type::real},
                                    {"investment_after", field_type::real},
                                    {"newly_covered", field_type::real}});
        for (const auto& c : circuits)
            out.write(units, c.outline.empty() ? nullptr : multipolygon_of(c.outline),
                      {c.code, c.name, c.deficit_before, c.deficit_after, c.investment_before, c.investment_after,
                       std::round(c.newly_covered)});
        out.commit();
    }
    vsi_l_offset size = 0;
    GByte* bytes = VSIGetMemFileBuffer(path.c_str(), &size, TRUE);
    if (!bytes) throw format_error({path, {}, {}, {}, {}}, "cannot write the GeoPackage", "GDAL kept no bytes");
    std::string out(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
    CPLFree(bytes);
    return out;
}

}  // namespace microplan::geo::usecases
