#include "microplan/geo/io/establishment_import.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/crs.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/io/source.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

std::optional<double> parse_number(std::string_view text) {
    std::string s;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) s += c;
    if (s.empty()) return std::nullopt;
    auto comma = s.rfind(','), dot = s.rfind('.');
    if (comma != std::string::npos && dot != std::string::npos) {
        // "1.234,5" or "1,234.5": the last separator is the decimal one.
        char thousands = comma > dot ? '.' : ',';
        s.erase(std::remove(s.begin(), s.end(), thousands), s.end());
        std::replace(s.begin(), s.end(), ',', '.');
    } else if (comma != std::string::npos) {
        if (std::count(s.begin(), s.end(), ',') > 1) return std::nullopt;
        s[comma] = '.';
    }
    double v = 0;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    if (*b == '+') ++b;
    auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || ptr != e || !std::isfinite(v)) return std::nullopt;
    return v;
}

namespace {

// Recognised field names, in order of preference, compared with names::field_key.
const std::vector<std::string>& keys_for(const std::string& what) {
    static const std::map<std::string, std::vector<std::string>> table{
        {"id", {"id", "amie", "unicodigo", "codigo", "code", "codigoestablecimiento", "cod", "fid"}},
        {"name",
         {"name", "nombre", "nominstitucioneducativa", "nominstit", "nomestablecimiento", "nombreestablecimiento",
          "nombreunidad", "establecimiento", "nom"}},
        {"sector", {"sector", "sectorial", "ministerio"}},
        {"typology", {"typology", "tipologia", "tipo", "type", "tipoestablecimiento", "nivelatencion"}},
        {"capacity", {"capacity", "capacidad", "cupos", "aforo", "camas"}},
        {"condition", {"condition", "condicion", "estado", "estadoinfraestructura", "estadofisico"}},
        {"staff", {"staff", "personal", "funcionarios", "numpersonal", "docentes", "profesionales"}},
        {"status", {"status", "estatus", "situacion", "existente"}},
        {"lon", {"lon", "lng", "long", "longitud", "longitude", "x", "coordx", "este", "easting"}},
        {"lat", {"lat", "latitud", "latitude", "y", "coordy", "norte", "northing"}},
        {"opened", {"opened", "fechaapertura", "apertura", "fechacreacion", "opening", "opendate"}},
        {"closed", {"closed", "fechacierre", "cierre", "closing", "closedate"}},
        {"rehabilitated", {"rehabilitated", "fecharehabilitacion", "rehabilitacion", "rehabilitation"}},
    };
    return table.at(what);
}

// ---- steps of read_establishments -------------------------------------------------------------

// Indices of the source fields feeding microplan's establishment fields.
struct establishment_columns {
    std::optional<std::size_t> id, name, sector, typology, capacity, condition, staff, status, lon, lat;
    std::optional<std::size_t> opened, closed, rehabilitated;  // dates, auto-detected only
};

// The fields: an explicit name must exist; "-" means none; "" auto-detects.
establishment_columns resolve_establishment_fields(field_resolver& fields, const establishment_fields& want) {
    establishment_columns c;
    // Coordinates first, so that "x"/"y" are not taken by other fields.
    c.lon = fields.resolve(want.lon, "lon", keys_for("lon"));
    c.lat = fields.resolve(want.lat, "lat", keys_for("lat"));
    c.id = fields.resolve(want.id, "id", keys_for("id"));
    c.name = fields.resolve(want.name, "name", keys_for("name"));
    c.sector = fields.resolve(want.sector, "sector", keys_for("sector"));
    c.typology = fields.resolve(want.typology, "typology", keys_for("typology"));
    c.capacity = fields.resolve(want.capacity, "capacity", keys_for("capacity"));
    c.condition = fields.resolve(want.condition, "condition", keys_for("condition"));
    c.staff = fields.resolve(want.staff, "staff", keys_for("staff"));
    c.status = fields.resolve(want.status, "status", keys_for("status"));
    c.opened = fields.resolve("", "opened", keys_for("opened"));
    c.closed = fields.resolve("", "closed", keys_for("closed"));
    c.rehabilitated = fields.resolve("", "rehabilitated", keys_for("rehabilitated"));
    return c;
}

// Whether the coordinates come from longitude/latitude columns rather than the layer's point
// geometry; throws when the layer has neither, holds other geometries, or rows have no sector.
bool check_point_source(const vector_layer& src, const establishment_columns& c, const field_resolver& fields,
                        const establishment_import_options& opt) {
    if (!c.sector && opt.sector.empty())
        throw format_error(
            src.where(), "no sector",
            "the layer has no sector field (looked for sector, sectorial, ministerio); name it with "
            "--sector-field or give every row one with --sector health|education|security|child_development|...");
    OGRFeatureDefn* defn = src.layer->GetLayerDefn();
    const bool has_geometry = defn->GetGeomFieldCount() > 0;
    OGRwkbGeometryType gtype = has_geometry ? wkbFlatten(defn->GetGeomType()) : wkbNone;
    if (has_geometry && gtype != wkbPoint && gtype != wkbMultiPoint && gtype != wkbUnknown)
        throw geometry_error(
            src.where(), "not a point layer",
            std::string("establishments are points; the layer holds ") + OGRGeometryTypeToName(gtype) + " geometries");
    const bool from_columns = !has_geometry || (c.lon && c.lat && !opt.fields.lon.empty());
    if (from_columns && !(c.lon && c.lat))
        throw format_error(src.where(), "no coordinates",
                           "the layer has no point geometry and no longitude/latitude columns (looked for lon, lng, "
                           "longitud, x / lat, latitud, y); name them with --lon-field and --lat-field. Fields: " +
                               fields.listing());
    return from_columns;
}

// The CRS of the points: the user's, the layer's (axis order resolved), or WGS 84 lon/lat for
// bare columns and, with a warning, for a point layer without one.
resolved_crs resolve_point_crs(const vector_layer& src, bool from_columns, const establishment_import_options& opt,
                               findings& report) {
    const OGRSpatialReference* srs = from_columns ? nullptr : src.layer->GetSpatialRef();
    resolved_crs crs = resolve_layer_crs(srs, opt.source_crs, opt.swap_xy, src.where(), "EPSG:4326");
    if (crs.assumed && !from_columns)
        report.add(finding{severity::warning,
                           "crs.assumed",
                           {},
                           {},
                           {},
                           "the layer has no CRS; coordinates read as WGS 84 lon/lat (use --s-srs otherwise)",
                           {},
                           {},
                           {}});
    return crs;
}

// Reads the rows of one layer into establishments, reporting unusable values as findings.
class row_reader {
public:
    row_reader(const vector_layer& src, const establishment_columns& c, const establishment_import_options& opt,
               const resolved_crs& crs, establishment_import_result& out)
        : src_(src), c_(c), opt_(opt), out_(out), to_wgs84_(at_location(src.where(), [&] {
              return proj::transformer(crs.definition, "EPSG:4326", crs.swap_xy);
          })) {}

    void read_all() {
        long long row = 0;
        src_.layer->ResetReading();
        for (auto& feature : *src_.layer) {
            ++row;
            establishment e;
            e.row = out_.driver == "CSV" ? row : feature->GetFID();
            read_attributes(*feature, e);
            read_location(*feature, e);
            out_.rows.push_back(std::move(e));
        }
    }

private:
    // A field's text, trimmed; "" when the field is absent or null.
    std::string text(OGRFeature& f, std::optional<std::size_t> i) const {
        if (!i || !f.IsFieldSetAndNotNull(static_cast<int>(*i))) return {};
        std::string s = gdal::to_utf8(f.GetFieldAsString(static_cast<int>(*i)), opt_.source_encoding);
        auto b = s.find_first_not_of(" \t\r\n");
        if (b == std::string::npos) return {};
        return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
    }

    void warn(const establishment& e, std::string rule, std::string message) {
        finding f;
        f.rule = std::move(rule);
        f.feature = e.row;
        f.code = e.id;
        f.message =
            "row " + std::to_string(e.row) + (e.id.empty() ? "" : " (id " + e.id + ")") + ": " + std::move(message);
        out_.report.add(std::move(f));
    }

    void read_attributes(OGRFeature& feature, establishment& e) {
        e.id = text(feature, c_.id);
        e.name = text(feature, c_.name);
        std::string sector_text = text(feature, c_.sector);
        e.sector = canonical_sector(sector_text.empty() ? opt_.sector : sector_text);
        if (e.sector.empty()) {
            e.sector = "unspecified";
            warn(e, "establishment.no_sector", "empty sector; stored as 'unspecified' (give --sector for such rows)");
        }
        e.typology = text(feature, c_.typology);
        if (e.typology.empty()) e.typology = opt_.typology;
        if (std::string v = text(feature, c_.capacity); !v.empty()) {
            if (auto n = parse_number(v); n && bounds::within(*n, bounds::capacity))
                e.capacity = n;
            else if (n && *n >= 0)
                warn(e, "establishment.bad_capacity",
                     "capacity " + bounds::violation(v, bounds::capacity) + "; left empty");
            else
                warn(e, "establishment.bad_capacity", "capacity '" + v + "' is not a non-negative number; left empty");
        }
        if (std::string v = text(feature, c_.staff); !v.empty()) {
            // Staff beyond the world's population is a typo, and would overflow the whole number kept.
            if (auto n = parse_number(v); n && bounds::within(*n, bounds::people) && std::floor(*n) == *n)
                e.staff = static_cast<long long>(*n);
            else
                warn(e, "establishment.bad_staff", "staff '" + v + "' is not a whole non-negative number; left empty");
        }
        if (std::string v = text(feature, c_.condition); !v.empty()) {
            if (auto k = canonical_condition(v))
                e.condition = *k;
            else
                warn(e, "establishment.unknown_condition",
                     "condition '" + v + "' is not good/fair/poor (bueno/regular/malo); left empty");
        }
        for (auto [column, out] : {std::pair{c_.opened, &e.opened}, std::pair{c_.closed, &e.closed},
                                   std::pair{c_.rehabilitated, &e.rehabilitated}}) {
            std::string v = text(feature, column);
            if (v.empty()) continue;
            if (auto d = parse_date(v))
                *out = *d;
            else
                warn(e, "establishment.bad_date",
                     src_fields_name(column) + " '" + v +
                         "' is not a date (YYYY-MM-DD, YYYY-MM or DD/MM/YYYY); left empty");
        }
        if (!e.opened.empty() && !e.closed.empty() && date_day(e.closed) < date_day(e.opened))
            warn(e, "establishment.closed_before_opened",
                 "closed " + e.closed + " before it opened " + e.opened + "; both kept as given");
        std::string st = text(feature, c_.status);
        if (st.empty()) st = opt_.status;
        if (!st.empty()) {
            if (auto k = canonical_status(st))
                e.status = *k;
            else
                warn(e, "establishment.unknown_status",
                     "status '" + st + "' is not existing/proposed (existente/propuesto); read as existing");
        }
    }

    // The point in WGS 84 lon/lat; NaN when the row has none or it cannot be read.
    void read_location(OGRFeature& feature, establishment& e) {
        double x = std::numeric_limits<double>::quiet_NaN(), y = x;
        if (out_.from_columns) {
            std::string xs = text(feature, c_.lon), ys = text(feature, c_.lat);
            auto xv = parse_number(xs), yv = parse_number(ys);
            if (xv && yv) {
                x = *xv;
                y = *yv;
            } else if (!xs.empty() || !ys.empty()) {
                warn(e, "point.not_a_number",
                     "coordinates '" + xs + "', '" + ys + "' in " + src_fields_name(c_.lon) + "/" +
                         src_fields_name(c_.lat) + " are not numbers");
            }
        } else if (const OGRGeometry* g = feature.GetGeometryRef(); g && !g->IsEmpty()) {
            auto flat = wkbFlatten(g->getGeometryType());
            const OGRPoint* p = nullptr;
            if (flat == wkbPoint)
                p = g->toPoint();
            else if (flat == wkbMultiPoint && g->toMultiPoint()->getNumGeometries() == 1)
                p = g->toMultiPoint()->getGeometryRef(0);
            if (!p)
                throw geometry_error(src_.where(feature.GetFID()), "not a point",
                                     std::string("an establishment must be one point; this feature is a ") +
                                         OGRGeometryTypeToName(g->getGeometryType()));
            x = p->getX();
            y = p->getY();
        }
        // Out-of-range lon/lat are reported by assignment; only transform real coordinates.
        if (std::isfinite(x) && std::isfinite(y) && !to_wgs84_.forward(x, y)) {
            warn(e, "point.not_transformable", "coordinates cannot be transformed from " + out_.source_crs);
            x = y = std::numeric_limits<double>::quiet_NaN();
        }
        e.lon = x;
        e.lat = y;
    }

    std::string src_fields_name(std::optional<std::size_t> i) const {
        return i ? std::string(src_.layer->GetLayerDefn()->GetFieldDefn(static_cast<int>(*i))->GetNameRef())
                 : std::string{};
    }

    const vector_layer& src_;
    const establishment_columns& c_;
    const establishment_import_options& opt_;
    establishment_import_result& out_;
    proj::transformer to_wgs84_;
};

// The check read_units makes, on the median point (stray rows do not move it): points written
// latitude first are an error, not a country moved to the other side of the globe.
void check_point_axis_order(const std::vector<establishment>& rows, const resolved_crs& crs,
                            const std::string& analysis_crs, const error_location& where) {
    std::vector<double> lon, lat;
    for (const auto& e : rows)
        if (std::isfinite(e.lon) && std::isfinite(e.lat)) lon.push_back(e.lon), lat.push_back(e.lat);
    if (lon.empty()) return;
    auto median = [](std::vector<double>& v) {
        auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
        std::nth_element(v.begin(), mid, v.end());
        return *mid;
    };
    const double cx = median(lon), cy = median(lat);
    const bool in_range = cx >= -180 && cx <= 180 && cy >= -90 && cy <= 90;
    check_axis_order(crs, cx, cy, in_range, analysis_crs, where);
}

// Layers establishments can come from: points, or a table whose fields include coordinates.
gdal::layer_need establishment_layers(const establishment_import_options& opt) {
    return {"points or a table with longitude/latitude fields", [&opt](OGRLayer& layer) {
                if (gdal::geometry_among(layer, {wkbPoint, wkbMultiPoint})) return true;
                if (layer.GetLayerDefn()->GetGeomFieldCount() > 0) return false;
                field_resolver fields(*layer.GetLayerDefn(), {});
                try {
                    return fields.resolve(opt.fields.lon, "lon", keys_for("lon")).has_value() &&
                           fields.resolve(opt.fields.lat, "lat", keys_for("lat")).has_value();
                } catch (const format_error&) {  // a --lon-field this layer does not have
                    return false;
                }
            }};
}

// A point beyond ±180/±90 once in WGS 84 (1e308 in a table, a projected CRS misread for a few
// rows) would poison every extent computed from the establishments (the collection's bbox, the
// TileJSON bounds): it is kept without a location, like a row without coordinates, and reported.
void drop_locations_out_of_range(establishment_import_result& out) {
    for (auto& e : out.rows) {
        if (!std::isfinite(e.lon) || !std::isfinite(e.lat)) continue;
        if (bounds::within(e.lon, bounds::longitude) && bounds::within(e.lat, bounds::latitude)) continue;
        char where[96];
        std::snprintf(where, sizeof where, "(%.9g, %.9g)", e.lon, e.lat);
        finding f;
        f.rule = "point.out_of_range";
        f.feature = e.row;
        f.code = e.id;
        f.message = "row " + std::to_string(e.row) + (e.id.empty() ? "" : " (id " + e.id + ")") +
                    ": the point lies at " + where + " in WGS 84, outside -180..180, -90..90; kept without a location";
        out.report.add(std::move(f));
        e.lon = e.lat = std::numeric_limits<double>::quiet_NaN();
    }
}

}  // namespace

establishment_import_result read_establishments(const establishment_import_options& opt) {
    const vector_layer src = open_layer(opt.path, opt.layer, establishment_layers(opt));
    CPLErrorReset();
    establishment_import_result out;
    out.driver = src.driver;
    out.layer_name = src.name;
    field_resolver fields(*src.layer->GetLayerDefn(), src.where());
    const establishment_columns c = resolve_establishment_fields(fields, opt.fields);
    out.used_fields = {fields.name_of(c.id),       fields.name_of(c.name),     fields.name_of(c.sector),
                       fields.name_of(c.typology), fields.name_of(c.capacity), fields.name_of(c.condition),
                       fields.name_of(c.staff),    fields.name_of(c.status),   fields.name_of(c.lon),
                       fields.name_of(c.lat)};
    out.from_columns = check_point_source(src, c, fields, opt);
    const resolved_crs crs = resolve_point_crs(src, out.from_columns, opt, out.report);
    out.source_crs = crs.name;
    row_reader(src, c, opt, crs, out).read_all();
    if (out.rows.empty())
        throw format_error(src.where(), "empty layer", "the layer has no rows" + gdal::read_problem());
    check_point_axis_order(out.rows, crs, opt.analysis_crs, src.where());
    drop_locations_out_of_range(out);
    return out;
}

}  // namespace microplan::geo
