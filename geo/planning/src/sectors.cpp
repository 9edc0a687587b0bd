#include "microplan/geo/planning/sectors.hpp"

#include <algorithm>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/names.hpp"
#include "table_reader.hpp"

namespace microplan::geo {

bool sector_def::allows(level l) const { return std::find(levels.begin(), levels.end(), l) != levels.end(); }

const sector_def* sectors_catalogue::find(const std::string& id) const {
    for (const auto& s : items)
        if (s.id == id) return &s;
    return nullptr;
}

std::string sectors_catalogue::canonical(const std::string& text) const {
    const std::string folded = names::fold(text);
    for (const auto& s : items)
        if (folded == names::fold(s.id) || folded == names::fold(s.label_es) || folded == names::fold(s.label_en))
            return s.id;
    return canonical_sector(text);
}

std::string sectors_catalogue::ids() const {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s.id;
    return out;
}

const sectors_catalogue& builtin_sectors() {
    static const sectors_catalogue c = [] {
        sectors_catalogue out;
        out.source = "built in";
        const std::vector<level> every{level::nation, level::zone, level::district, level::circuit};
        const char* const rows[][3] = {
            {"health", "Salud", "Health"},
            {"education", "Educación", "Education"},
            {"security", "Seguridad", "Security"},
            {"child_development", "Desarrollo infantil", "Child development"},
            {"justice", "Justicia", "Justice"},
            {"sport", "Deporte", "Sport"},
            {"risk_management", "Gestión de riesgos", "Risk management"},
            {"social_inclusion", "Inclusión social", "Social inclusion"},
            {"water", "Agua potable", "Drinking water"},
            {"sewerage", "Alcantarillado", "Sewerage"},
            {"electricity", "Energía eléctrica", "Electricity"},
        };
        for (const auto& r : rows) {
            sector_def s;
            s.id = r[0], s.label_es = r[1], s.label_en = r[2];
            s.levels = every;
            const std::string id = r[0];
            if (id == "water" || id == "sewerage" || id == "electricity") s.kind = sector_kind::network;
            out.items.push_back(std::move(s));
        }
        return out;
    }();
    return c;
}

std::string_view kind_name(sector_kind k) { return k == sector_kind::network ? "network" : "establishment"; }

namespace {

void add(findings& report, severity sev, const sectors_catalogue& c, long long line, const std::string& column,
         const std::string& rule, const std::string& message) {
    report.add(cell_finding(sev, "sectors." + rule, c.source, line, column, message));
}

std::optional<sector_kind> parse_kind(const std::string& text) {
    const std::string f = names::fold(text);
    if (f.empty() || f == "ESTABLISHMENT" || f == "ESTABLECIMIENTO" || f == "ESTABLECIMIENTOS")
        return sector_kind::establishment;
    if (f == "NETWORK" || f == "RED" || f == "REDES") return sector_kind::network;
    return std::nullopt;
}

}  // namespace

findings check_sectors(const sectors_catalogue& c) {
    findings report;
    std::set<std::string> ids;
    for (const auto& s : c.items) {
        if (s.id.empty())
            add(report, severity::error, c, s.line, "sector", "id_missing", "the sector has no identifier");
        else if (!ids.insert(s.id).second)
            add(report, severity::error, c, s.line, "sector", "duplicate", "'" + s.id + "' is listed twice");
        else if (s.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
            add(report, severity::error, c, s.line, "sector", "id_invalid",
                "'" + s.id + "' is not an identifier (lower-case letters, digits and _)");
        if (s.label_es.empty())
            add(report, severity::error, c, s.line, "label_es", "label_missing",
                "the Spanish name is empty: the viewer and the reports show it");
        if (s.deconcentration < 0 || s.deconcentration > 4)
            add(report, severity::error, c, s.line, "deconcentration", "type_invalid",
                std::to_string(s.deconcentration) + " is not a Tabla 1 type (1 to 4, empty when not known)");
        if (s.levels.empty())
            add(report, severity::error, c, s.line, "levels", "levels_missing",
                "no planning level (nation, zone, district, circuit; several joined with ;)");
        const bool below_zone = s.allows(level::district) || s.allows(level::circuit);
        if (s.kind == sector_kind::establishment && below_zone &&
            (s.deconcentration == 1 || s.deconcentration == 3 || s.deconcentration == 4))
            add(report, severity::warning, c, s.line, "levels", "levels_beyond_type",
                "Tabla 1 places type " + std::to_string(s.deconcentration) +
                    " sectors at the central and zonal levels; standards of this sector may plan below the zone");
    }
    if (c.items.empty()) {
        finding f;
        f.sev = severity::error;
        f.rule = "sectors.empty";
        f.message = c.source + ": the table has no sectors";
        report.add(std::move(f));
    }
    return report;
}

std::vector<level> parse_levels(const std::string& text, std::vector<std::string>* unknown) {
    std::vector<level> out;
    for (const std::string& item : planning_tables::list_items(text, ";,|")) {
        auto l = parse_level(item);
        if (!l || (*l != level::nation && *l != level::zone && *l != level::district && *l != level::circuit)) {
            if (unknown) unknown->push_back(item);
        } else if (std::find(out.begin(), out.end(), *l) == out.end()) {
            out.push_back(*l);
        }
    }
    return out;
}

sectors_catalogue read_sectors(const std::string& path) {
    planning_tables::table_reader t(path);
    OGRLayer& layer = *t.ds->GetLayer(0);
    const int c_id = t.column({"sector", "id"}), c_es = t.column({"label_es", "etiqueta_es", "nombre"}),
              c_en = t.column({"label_en", "etiqueta_en", "name"}), c_kind = t.column({"kind", "tipo", "clase"}),
              c_type = t.column({"deconcentration", "desconcentracion", "tipologia"}),
              c_levels = t.column({"levels", "niveles"}), c_note = t.column({"note", "nota", "fuente"});
    for (auto [c, name] : {std::pair{c_id, "sector"}, {c_es, "label_es"}, {c_levels, "levels"}})
        if (c < 0)
            throw format_error(
                {path, layer.GetName(), {}, name, {}}, "missing column",
                std::string("the sectors table has no ") + name + " column (columns: docs/planning.md, \"Sectors\")");
    sectors_catalogue out;
    out.source = path;
    findings report;
    long long line = 1;
    const auto text = planning_tables::trimmed_text;
    for (auto& f : layer) {
        ++line;
        sector_def s;
        s.line = line;
        const std::string written = text(*f, c_id);
        if (written.starts_with("#")) continue;  // a commented-out row
        s.id = canonical_sector(written);        // "Salud" and "MSP" are health
        s.label_es = text(*f, c_es);
        s.label_en = text(*f, c_en);
        s.note = text(*f, c_note);
        if (auto k = parse_kind(text(*f, c_kind)))
            s.kind = *k;
        else
            add(report, severity::error, out, line, "kind", "kind_unknown",
                "'" + text(*f, c_kind) + "' is not establishment or network (establecimiento, red)");
        if (std::string type = text(*f, c_type); !type.empty()) {
            auto v = parse_number(type);
            if (!v || *v != static_cast<int>(*v))
                add(report, severity::error, out, line, "deconcentration", "type_invalid",
                    "'" + type + "' is not a Tabla 1 type (1 to 4)");
            else
                s.deconcentration = static_cast<int>(*v);
        }
        std::vector<std::string> unknown;
        s.levels = parse_levels(text(*f, c_levels), &unknown);
        for (const auto& item : unknown)
            add(report, severity::error, out, line, "levels", "level_unknown",
                "'" + item +
                    "' is not a planning level (nation, zone, district, circuit; nacional, zona, distrito, circuito)");
        out.items.push_back(std::move(s));
    }
    report.append(check_sectors(out));
    if (report.has_errors())
        throw format_error({path, layer.GetName(), {}, {}, {}}, "invalid sectors table",
                           std::to_string(report.count(severity::error)) + " problem(s):" + report.error_lines());
    return out;
}

}  // namespace microplan::geo
