#include "microplan/geo/io/ecuador_registries.hpp"

#include <ogr_geometry.h>

#include <cmath>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

namespace {

// One row of a registry as read, before codes repeated across rows are resolved.
struct school_row {
    long long fid = 0;
    std::string id, name, premises, condition_text, provider_text, district, parish, canton;
    double lon = std::nan(""), lat = std::nan("");
};

int column(OGRLayer& layer, const std::string& path, std::initializer_list<const char*> keys, const char* what) {
    auto c = find_column(layer.GetLayerDefn(), keys);
    if (!c)
        throw format_error({path, layer.GetName(), {}, *keys.begin(), {}}, "missing column",
                           std::string("the file has no ") + what + " column (" + *keys.begin() + ")");
    return *c;
}

std::optional<int> optional_column(OGRLayer& layer, std::initializer_list<const char*> keys) {
    return find_column(layer.GetLayerDefn(), keys);
}

std::string text_of(OGRFeature& f, std::optional<int> c) { return c ? std::string(f.GetFieldAsString(*c)) : ""; }

// Rows of one file grouped by code, in code order; within a code the MATRIZ row first.
using grouped = std::map<std::string, std::vector<school_row>>;

void keep_head_first(grouped& g) {
    for (auto& [code, rows] : g)
        std::stable_sort(rows.begin(), rows.end(), [](const school_row& a, const school_row& b) {
            return (names::fold(a.premises) == "MATRIZ") > (names::fold(b.premises) == "MATRIZ");
        });
}

grouped read_school_points(const std::string& path) {
    GDALDatasetUniquePtr ds = gdal::open_vector(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    int id = column(layer, path, {"amie"}, "AMIE code");
    auto name = optional_column(layer, {"nominstit", "nombre", "name"});
    auto premises = optional_column(layer, {"tefin"});
    auto condition = optional_column(layer, {"estadoie", "estado"});
    grouped out;
    for (auto& f : layer) {
        school_row r;
        r.fid = f->GetFID();
        r.id = f->GetFieldAsString(id);
        r.name = text_of(*f, name);
        r.premises = text_of(*f, premises);
        r.condition_text = text_of(*f, condition);
        if (auto* g = f->GetGeometryRef(); g && wkbFlatten(g->getGeometryType()) == wkbPoint && !g->IsEmpty()) {
            r.lon = g->toPoint()->getX();
            r.lat = g->toPoint()->getY();
        }
        if (!r.id.empty()) out[r.id].push_back(std::move(r));
    }
    keep_head_first(out);
    return out;
}

grouped read_school_registry(const std::string& path) {
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    int id = column(layer, path, {"amie"}, "AMIE code");
    int provider = column(layer, path, {"nomsostenimiento", "sostenimiento"}, "sustainment (nom_sostenimiento)");
    auto name = optional_column(layer, {"nominstitucioneducativa", "nombre"});
    auto premises = optional_column(layer, {"tefin"});
    auto district = optional_column(layer, {"dadist"});
    // dpa6_cabecera: the parish polygon holding the school (an urban parish's city seat);
    // dpa_parroq_6 may name an urban parish, which has no polygon of its own.
    auto parish = optional_column(layer, {"dpa6cabecera", "dpaparroq6", "dpaparroq"});
    auto canton = optional_column(layer, {"dpacanton"});
    auto lon = optional_column(layer, {"lon", "longitud"});
    auto lat = optional_column(layer, {"lat", "latitud"});
    grouped out;
    long long line = 1;
    for (auto& f : layer) {
        school_row r;
        r.fid = ++line;
        r.id = f->GetFieldAsString(id);
        r.name = text_of(*f, name);
        r.premises = text_of(*f, premises);
        r.provider_text = f->GetFieldAsString(provider);
        r.district = text_of(*f, district);
        if (std::string p = text_of(*f, parish); !p.empty()) r.parish = normalise_code(level::parish, p);
        if (std::string c = text_of(*f, canton); !c.empty()) r.canton = normalise_code(level::canton, c);
        auto x = parse_number(text_of(*f, lon));
        auto y = parse_number(text_of(*f, lat));
        if (x && y) {
            r.lon = *x;
            r.lat = *y;
        }
        if (!r.id.empty()) out[r.id].push_back(std::move(r));
    }
    keep_head_first(out);
    return out;
}

// Reports a code given by several rows of one file and the one kept.
void report_repeats(const std::string& path, const std::string& code, const std::vector<school_row>& rows,
                    findings& report) {
    const school_row& kept = rows.front();
    bool moved = false, other_condition = false, other_district = false;
    for (const auto& r : rows) {
        moved |= std::isfinite(r.lon) && std::isfinite(kept.lon) &&
                 (std::abs(r.lon - kept.lon) > 1e-6 || std::abs(r.lat - kept.lat) > 1e-6);
        other_condition |= r.condition_text != kept.condition_text;
        other_district |= r.district != kept.district;
    }
    std::string how = moved || other_district ? "some lie elsewhere" : "all at the same place";
    if (other_condition) how += ", with another condition";
    report.add({severity::info, "establishment.duplicate_id", std::nullopt, code, kept.fid,
                path + ": AMIE " + code + " is given by " + std::to_string(rows.size()) +
                    " rows (premises of one institution: " + how + "); one school is kept, the row of its " +
                    (kept.premises.empty() ? std::string("first premises") : kept.premises) + " (feature " +
                    std::to_string(kept.fid) + ")",
                std::nullopt, std::nullopt, std::nullopt});
}

void set_provider(establishment& e, const std::string& text, const std::string& path, findings& report) {
    e.provider_source = text;
    if (auto p = canonical_provider(text))
        e.provider = *p;
    else if (!text.empty())
        report.add({severity::warning, "establishment.unknown_provider", std::nullopt, e.id, e.row,
                    path + ": AMIE " + e.id + ": provider '" + text + "' is neither public nor private; left unknown",
                    std::nullopt, std::nullopt, std::nullopt});
}

}  // namespace

registry_establishments read_mineduc_schools(const std::string& points_path, const std::string& registry_path) {
    grouped points = read_school_points(points_path);
    grouped registry = read_school_registry(registry_path);
    registry_establishments out;
    auto& n = out.counts;
    for (const auto& [code, rows] : points) {
        n["points_rows"] += rows.size();
        if (rows.size() > 1) {
            n["points_repeated_codes"] += 1;
            n["points_repeated_rows"] += rows.size() - 1;
            report_repeats(points_path, code, rows, out.report);
        }
    }
    for (const auto& [code, rows] : registry) {
        n["registry_rows"] += rows.size();
        if (rows.size() > 1) {
            n["registry_repeated_codes"] += 1;
            n["registry_repeated_rows"] += rows.size() - 1;
            report_repeats(registry_path, code, rows, out.report);
        }
    }
    std::set<std::string> codes;
    for (const auto& [code, rows] : points) codes.insert(code);
    for (const auto& [code, rows] : registry) codes.insert(code);
    for (const auto& code : codes) {
        auto p = points.find(code);
        auto r = registry.find(code);
        const school_row* point = p == points.end() ? nullptr : &p->second.front();
        const school_row* reg = r == registry.end() ? nullptr : &r->second.front();
        establishment e;
        e.id = code;
        e.sector = "education";
        e.row = point ? point->fid : reg->fid;
        e.name = point && !point->name.empty() ? point->name : reg ? reg->name : "";
        if (point) {
            e.condition = canonical_condition(point->condition_text).value_or("");
            n["condition_" + (point->condition_text.empty() ? std::string("none") : point->condition_text)] += 1;
        }
        recorded_place where;
        if (reg) {
            set_provider(e, reg->provider_text, registry_path, out.report);
            n["provider_" + (reg->provider_text.empty() ? std::string("none") : reg->provider_text)] += 1;
            if (!reg->district.empty()) where.codes[level::district] = normalise_code(level::district, reg->district);
            if (!reg->parish.empty()) where.codes[level::parish] = reg->parish;
            if (!reg->canton.empty()) where.codes[level::canton] = reg->canton;
        } else {
            n["points_without_registry_row"] += 1;
            out.report.add({severity::warning, "establishment.unmatched", std::nullopt, code, e.row,
                            points_path + ": AMIE " + code + " has no row in " + registry_path +
                                ": its provider is unknown (counted as public offer)",
                            std::nullopt, std::nullopt, std::nullopt});
        }
        if (point && std::isfinite(point->lon)) {
            e.lon = point->lon;
            e.lat = point->lat;
            n["coordinates_from_points"] += 1;
        } else if (reg && std::isfinite(reg->lon)) {
            e.lon = reg->lon;
            e.lat = reg->lat;
            n["coordinates_from_registry"] += 1;
        } else {
            n["without_coordinates"] += 1;
        }
        out.rows.push_back(std::move(e));
        out.where.push_back(std::move(where));
    }
    n["schools"] = out.rows.size();
    return out;
}

namespace {

// MSP's typology abbreviations as the catalogues name them.
std::string msp_typology(const std::string& text) {
    std::string f = names::fold(text);
    static const std::map<std::string, std::string> known{
        {"HB", "Hospital Básico"},          {"BASICO", "Hospital Básico"},      {"HG", "Hospital General"},
        {"HE", "Hospital Especializado"},   {"CS", "Centro de Salud"},          {"CS A", "Centro de Salud Tipo A"},
        {"CS B", "Centro de Salud Tipo B"}, {"CS C", "Centro de Salud Tipo C"},
    };
    auto it = known.find(f);
    return it == known.end() ? text : it->second;
}

std::vector<std::string> split_names(const std::string& list) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : list + ",") {
        if (c == ',') {
            if (!names::fold(cur).empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return out;
}

}  // namespace

registry_establishments read_msp_establishments(const std::string& path) {
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    int id = column(layer, path, {"unicodigo"}, "establishment code");
    int canton = column(layer, path, {"cantondpa"}, "canton code");
    auto name = optional_column(layer, {"nombre"});
    auto district = optional_column(layer, {"distritomsp"});
    auto typology = optional_column(layer, {"tipologia"});
    auto canton_name = optional_column(layer, {"canton"});
    registry_establishments out;
    std::map<std::string, long long> seen;
    long long line = 1;
    for (auto& f : layer) {
        ++line;
        establishment e;
        e.row = line;
        e.id = f->GetFieldAsString(id);
        e.name = text_of(*f, name);
        e.sector = "health";
        e.typology = msp_typology(text_of(*f, typology));
        e.provider = "public";
        e.provider_source = "MSP";
        out.counts["rows"] += 1;
        if (auto [it, fresh] = seen.emplace(e.id, line); !fresh) {
            out.counts["repeated_codes"] += 1;
            out.report.add({severity::warning, "establishment.duplicate_id", std::nullopt, e.id, line,
                            path + ": unicodigo " + e.id + " repeats line " + std::to_string(it->second) +
                                "; the first row is kept",
                            std::nullopt, std::nullopt, std::nullopt});
            continue;
        }
        if (!e.typology.empty()) out.counts["with_typology"] += 1;
        recorded_place where;
        if (std::string c = f->GetFieldAsString(canton); !c.empty())
            where.codes[level::canton] = normalise_code(level::canton, c);
        where.names = split_names(text_of(*f, district));
        if (std::string cn = text_of(*f, canton_name); !cn.empty()) where.unit_names[level::canton] = cn;
        out.rows.push_back(std::move(e));
        out.where.push_back(std::move(where));
    }
    out.counts["establishments"] = out.rows.size();
    return out;
}

std::map<std::string, std::string> read_unit_names(const std::string& path) {
    GDALDatasetUniquePtr ds = gdal::open_vector(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    int code = column(layer, path, {"id", "code", "codigo"}, "code");
    int name = column(layer, path, {"name", "nombre"}, "name");
    layer.SetIgnoredFields(std::vector<const char*>{"OGR_GEOMETRY", nullptr}.data());
    std::map<std::string, std::string> out;
    for (auto& f : layer) out[f->GetFieldAsString(code)] = f->GetFieldAsString(name);
    return out;
}

}  // namespace microplan::geo
