#include "microplan/geo/io/establishment_import.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
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
    };
    return table.at(what);
}

}  // namespace

establishment_import_result read_establishments(const establishment_import_options& opt) {
    GDALDatasetUniquePtr ds = gdal::open_vector(opt.path);
    CPLErrorReset();
    OGRLayer& layer = gdal::pick_layer(*ds, opt.path, opt.layer);
    establishment_import_result out;
    out.driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "";
    out.layer_name = layer.GetName();
    auto where = [&](std::string field = {}, std::optional<long long> fid = std::nullopt) {
        return error_location{opt.path, out.layer_name, fid, std::move(field), {}};
    };

    OGRFeatureDefn* defn = layer.GetLayerDefn();
    std::vector<std::string> fields;
    for (int i = 0; i < defn->GetFieldCount(); ++i) fields.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    std::string available;
    for (const auto& f : fields) available += (available.empty() ? "" : ", ") + f;

    // Field mapping: an explicit name must exist; "-" means none; "" auto-detects.
    std::vector<bool> taken(fields.size(), false);
    auto resolve = [&](const std::string& what, const std::string& given) -> std::optional<std::size_t> {
        if (given == "-") return std::nullopt;
        if (!given.empty()) {
            if (auto i = names::find_field(fields, given)) {
                taken[*i] = true;
                return i;
            }
            throw format_error(
                where(given), "field not found",
                "the " + what + " field '" + given + "' is not in the layer; its fields are: " + available);
        }
        for (const auto& key : keys_for(what))
            for (std::size_t i = 0; i < fields.size(); ++i)
                if (!taken[i] && names::field_key(fields[i]) == key) {
                    taken[i] = true;
                    return i;
                }
        return std::nullopt;
    };
    const establishment_fields& want = opt.fields;
    // Coordinates first, so that "x"/"y" are not taken by other fields.
    auto lon_i = resolve("lon", want.lon);
    auto lat_i = resolve("lat", want.lat);
    auto id_i = resolve("id", want.id);
    auto name_i = resolve("name", want.name);
    auto sector_i = resolve("sector", want.sector);
    auto typology_i = resolve("typology", want.typology);
    auto capacity_i = resolve("capacity", want.capacity);
    auto condition_i = resolve("condition", want.condition);
    auto staff_i = resolve("staff", want.staff);
    auto status_i = resolve("status", want.status);
    auto name_of = [&](std::optional<std::size_t> i) { return i ? fields[*i] : std::string(); };
    out.used_fields = {name_of(id_i),       name_of(name_i),      name_of(sector_i), name_of(typology_i),
                       name_of(capacity_i), name_of(condition_i), name_of(staff_i),  name_of(status_i),
                       name_of(lon_i),      name_of(lat_i)};

    if (!sector_i && opt.sector.empty())
        throw format_error(
            where(), "no sector",
            "the layer has no sector field (looked for sector, sectorial, ministerio); name it with "
            "--sector-field or give every row one with --sector health|education|security|child_development|...");

    bool has_geometry = defn->GetGeomFieldCount() > 0;
    OGRwkbGeometryType gtype = has_geometry ? wkbFlatten(defn->GetGeomType()) : wkbNone;
    if (has_geometry && gtype != wkbPoint && gtype != wkbMultiPoint && gtype != wkbUnknown)
        throw geometry_error(
            where(), "not a point layer",
            std::string("establishments are points; the layer holds ") + OGRGeometryTypeToName(gtype) + " geometries");
    out.from_columns = !has_geometry || (lon_i && lat_i && !want.lon.empty());
    if (out.from_columns && !(lon_i && lat_i))
        throw format_error(where(), "no coordinates",
                           "the layer has no point geometry and no longitude/latitude columns (looked for lon, lng, "
                           "longitud, x / lat, latitud, y); name them with --lon-field and --lat-field. Fields: " +
                               available);

    // CRS: the layer's, the user's override, or WGS 84 for bare lon/lat columns.
    std::string crs = opt.source_crs;
    if (crs.empty() && has_geometry && !out.from_columns)
        if (const OGRSpatialReference* srs = layer.GetSpatialRef()) {
            char* wkt = nullptr;
            srs->exportToWkt(&wkt);
            crs = wkt ? wkt : "";
            CPLFree(wkt);
        }
    if (crs.empty()) {
        crs = "EPSG:4326";
        if (!out.from_columns)
            out.report.add(finding{severity::warning,
                                   "crs.assumed",
                                   {},
                                   {},
                                   {},
                                   "the layer has no CRS; coordinates read as WGS 84 lon/lat (use --s-srs otherwise)",
                                   {},
                                   {},
                                   {}});
    }
    std::optional<proj::transformer> to_wgs84;
    try {
        to_wgs84.emplace(crs, "EPSG:4326", opt.swap_xy);
        out.source_crs = proj::crs_name(crs);
    } catch (const std::exception& e) {
        throw crs_error(where(), "unknown CRS", e.what());
    }

    auto text = [&](OGRFeature& f, std::optional<std::size_t> i) -> std::string {
        if (!i || !f.IsFieldSetAndNotNull(static_cast<int>(*i))) return {};
        std::string s = gdal::to_utf8(f.GetFieldAsString(static_cast<int>(*i)), opt.source_encoding);
        auto b = s.find_first_not_of(" \t\r\n");
        if (b == std::string::npos) return {};
        return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
    };
    auto warn = [&](long long row, const std::string& id, std::string rule, std::string message) {
        finding f;
        f.rule = std::move(rule);
        f.feature = row;
        f.code = id;
        f.message = "row " + std::to_string(row) + (id.empty() ? "" : " (id " + id + ")") + ": " + std::move(message);
        out.report.add(std::move(f));
    };

    long long row = 0;
    layer.ResetReading();
    for (auto& feature : layer) {
        ++row;
        establishment e;
        e.row = out.driver == "CSV" ? row : feature->GetFID();
        e.id = text(*feature, id_i);
        e.name = text(*feature, name_i);
        std::string sector_text = text(*feature, sector_i);
        e.sector = canonical_sector(sector_text.empty() ? opt.sector : sector_text);
        if (e.sector.empty()) {
            e.sector = "unspecified";
            warn(e.row, e.id, "establishment.no_sector",
                 "empty sector; stored as 'unspecified' (give --sector for such rows)");
        }
        e.typology = text(*feature, typology_i);
        if (e.typology.empty()) e.typology = opt.typology;
        if (std::string c = text(*feature, capacity_i); !c.empty()) {
            if (auto v = parse_number(c); v && *v >= 0)
                e.capacity = v;
            else
                warn(e.row, e.id, "establishment.bad_capacity",
                     "capacity '" + c + "' is not a non-negative number; left empty");
        }
        if (std::string c = text(*feature, staff_i); !c.empty()) {
            if (auto v = parse_number(c); v && *v >= 0 && std::floor(*v) == *v)
                e.staff = static_cast<long long>(*v);
            else
                warn(e.row, e.id, "establishment.bad_staff",
                     "staff '" + c + "' is not a whole non-negative number; left empty");
        }
        if (std::string c = text(*feature, condition_i); !c.empty()) {
            if (auto v = canonical_condition(c))
                e.condition = *v;
            else
                warn(e.row, e.id, "establishment.unknown_condition",
                     "condition '" + c + "' is not good/fair/poor (bueno/regular/malo); left empty");
        }
        std::string st = text(*feature, status_i);
        if (st.empty()) st = opt.status;
        if (!st.empty()) {
            if (auto v = canonical_status(st))
                e.status = *v;
            else
                warn(e.row, e.id, "establishment.unknown_status",
                     "status '" + st + "' is not existing/proposed (existente/propuesto); read as existing");
        }

        double x = std::numeric_limits<double>::quiet_NaN(), y = x;
        if (out.from_columns) {
            std::string xs = text(*feature, lon_i), ys = text(*feature, lat_i);
            auto xv = parse_number(xs), yv = parse_number(ys);
            if (xv && yv) {
                x = *xv;
                y = *yv;
            } else if (!xs.empty() || !ys.empty()) {
                warn(e.row, e.id, "point.not_a_number",
                     "coordinates '" + xs + "', '" + ys + "' in " + fields[*lon_i] + "/" + fields[*lat_i] +
                         " are not numbers");
            }
        } else if (const OGRGeometry* g = feature->GetGeometryRef(); g && !g->IsEmpty()) {
            auto flat = wkbFlatten(g->getGeometryType());
            const OGRPoint* p = nullptr;
            if (flat == wkbPoint)
                p = g->toPoint();
            else if (flat == wkbMultiPoint && g->toMultiPoint()->getNumGeometries() == 1)
                p = g->toMultiPoint()->getGeometryRef(0);
            if (!p)
                throw geometry_error(where({}, feature->GetFID()), "not a point",
                                     std::string("an establishment must be one point; this feature is a ") +
                                         OGRGeometryTypeToName(g->getGeometryType()));
            x = p->getX();
            y = p->getY();
        }
        // Out-of-range lon/lat are reported by assignment; only transform real coordinates.
        if (std::isfinite(x) && std::isfinite(y) && !to_wgs84->forward(x, y)) {
            warn(e.row, e.id, "point.not_transformable", "coordinates cannot be transformed from " + out.source_crs);
            x = y = std::numeric_limits<double>::quiet_NaN();
        }
        e.lon = x;
        e.lat = y;
        out.rows.push_back(std::move(e));
    }
    if (out.rows.empty()) throw format_error(where(), "empty layer", "the layer has no rows" + gdal::read_problem());
    return out;
}

}  // namespace microplan::geo
