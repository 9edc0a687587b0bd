// Plans as assignment files (plan_comparison.hpp): export_assignment and build_from_assignment.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/design/units.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/io/vector_writer.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/usecases/plan_comparison.hpp"
#include "plan_sources.hpp"
#include "text_files.hpp"

namespace microplan::geo::usecases {

namespace {

using namespace detail;

std::string percent(double share) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", share * 100);
    return buf;
}

void write_assignment_csv(const std::string& path, const std::vector<assignment_row>& rows) {
    std::string csv = "finer_code,unit_code,share_pct,units\n";
    char buf[64];
    for (const auto& r : rows) {
        std::snprintf(buf, sizeof buf, "%.2f,%zu", r.share * 100, r.units);
        csv += csv_field(r.finer) + "," + csv_field(r.unit) + "," + buf + "\n";
    }
    write_text(path, csv);
}

// The pairs of the assignment table: finer code -> unit code (normalised codes).
std::map<std::string, std::string> read_assignment(const assignment_build_options& o, level finer_level,
                                                   findings& report) {
    GDALDatasetUniquePtr ds = gdal::open_table(o.assignment);
    OGRLayer& layer = gdal::pick_layer(*ds, o.assignment, "");
    error_location where{o.assignment, layer.GetName(), {}, {}, {}};
    field_resolver fields(*layer.GetLayerDefn(), where);
    if (fields.fields().size() < 2 && (o.finer_column.empty() || o.unit_column.empty()))
        throw format_error(where, "missing column",
                           "an assignment table has two columns: the finer unit's code and its unit's code (found " +
                               fields.listing() + ")");
    std::size_t fc = o.finer_column.empty() ? 0 : *fields.named(o.finer_column, "finer unit code");
    std::size_t uc = o.unit_column.empty() ? 1 : *fields.named(o.unit_column, "unit code");
    std::map<std::string, std::string> out;
    for (auto& f : layer) {
        std::string finer = normalise_code(finer_level, f->GetFieldAsString(static_cast<int>(fc)));
        std::string unit = normalise_code(o.lvl, f->GetFieldAsString(static_cast<int>(uc)));
        if (finer.empty() || unit.empty()) continue;
        auto [it, fresh] = out.emplace(finer, unit);
        if (!fresh && it->second != unit)
            throw format_error({o.assignment, layer.GetName(), f->GetFID(), fields.name_of(fc), finer},
                               "finer unit assigned twice",
                               "finer unit " + finer + " is given to " + it->second + " and to " + unit +
                                   ": an assignment gives each finer unit one unit");
    }
    if (out.empty())
        throw format_error(where, "empty assignment", "the table has no row with both codes" + gdal::read_problem());
    report.add({severity::info,
                "assignment.read",
                std::nullopt,
                {},
                std::nullopt,
                std::to_string(out.size()) + " finer units assigned, read from columns " + fields.name_of(fc) +
                    " and " + fields.name_of(uc),
                std::nullopt,
                std::nullopt,
                std::nullopt});
    return out;
}

// The assignment of the old finer units carried to the new ones by overlap: each new unit
// takes the unit of the old one holding most of it; shares below `ambiguous_share` reported.
std::map<std::string, std::string> remap(const std::map<std::string, std::string>& old_assignment,
                                         const unit_layer& old_finer, const unit_layer& finer,
                                         const assignment_build_options& o, findings& report) {
    auto overlap = overlap_areas(finer, old_finer, o.threads);
    std::map<std::string, std::string> out;
    for (std::size_t f = 0; f < finer.units.size(); ++f) {
        const unit& n = finer.units[f];
        if (overlap[f].empty()) continue;
        double area = geos::area(n.projected.get());
        const auto& [best, shared] = overlap[f].front();
        auto it = old_assignment.find(old_finer.units[best].code);
        if (it == old_assignment.end()) continue;
        out[n.code] = it->second;
        std::set<std::string> units;
        for (const auto& [old, a] : overlap[f])
            if (auto u = old_assignment.find(old_finer.units[old].code); u != old_assignment.end() && a > 0.01 * area)
                units.insert(u->second);
        if (shared / area >= o.ambiguous_share && units.size() < 2) continue;
        std::string list;
        for (const auto& [old, a] : overlap[f])
            if (a > 0.01 * area)
                list += (list.empty() ? "" : ", ") + old_finer.units[old].code + " " + percent(a / area);
        report.add({severity::warning, "assignment.ambiguous", finer.lvl, n.code, n.source_fid,
                    "overlaps old units " + list + " (" + std::to_string(units.size()) + " unit(s)); given to " +
                        it->second + ", the unit of " + old_finer.units[best].code,
                    std::nullopt, std::nullopt, area / 1e6});
    }
    return out;
}

}  // namespace

assignment_export_summary export_assignment(const assignment_export_options& o) {
    assignment_export_summary s;
    std::string label;
    unit_layer plan = read_plan_units(o.plan, o.lvl, o.analysis_crs, o.threads, s.report, label);
    unit_layer finer;
    if (!o.finer.path.empty()) {
        finer = read_polygons(o.finer, level::parish, o.analysis_crs, o.threads, s.report);
    } else {
        std::string store = !o.store.empty() ? o.store : (is_planning_store(o.plan.path) ? o.plan.path : "");
        if (store.empty()) throw format_error({}, "no finer units", "give the finer units (--units) or a store");
        finer = meeting(
            store::open_store(store, store::open_mode::read_only)->read_level(level::parish, o.analysis_crs), plan);
        if (finer.units.empty())
            throw format_error({store, "parishes", {}, {}, {}}, "no finer units",
                               "the store has no parishes under the plan: give the finer units (--units)");
    }
    auto overlap = overlap_areas(finer, plan, o.threads);
    for (std::size_t f = 0; f < finer.units.size(); ++f) {
        const unit& fu = finer.units[f];
        double area = fu.projected ? geos::area(fu.projected.get()) : 0;
        assignment_row r{fu.code, {}, 0, 0};
        for (const auto& [u, a] : overlap[f]) r.units += a > o.min_piece_share * area;
        if (!overlap[f].empty() && area > 0) {
            r.unit = plan.units[overlap[f].front().first].code;
            r.share = overlap[f].front().second / area;
        }
        if (r.unit.empty()) {
            ++s.unassigned;
            s.report.add({severity::warning, "assignment.unassigned", finer.lvl, fu.code, fu.source_fid,
                          "lies in no unit of the plan: left out of the assignment", std::nullopt, std::nullopt,
                          area / 1e6});
            continue;
        }
        if (r.units > 1) {
            ++s.split;
            s.report.add({severity::warning, "assignment.split", finer.lvl, fu.code, fu.source_fid,
                          "is split between " + std::to_string(r.units) + " units; the file gives it whole to " +
                              r.unit + ", which holds " + percent(r.share) + " of it",
                          std::nullopt, std::nullopt, area / 1e6});
        }
        s.rows.push_back(std::move(r));
    }
    if (!o.out.empty()) write_assignment_csv(o.out, s.rows);
    return s;
}

assignment_build_summary build_from_assignment(const assignment_build_options& o) {
    assignment_build_summary s;
    unit_layer finer = read_polygons(o.finer, level::parish, o.analysis_crs, o.threads, s.report);
    s.finer_units = finer.units.size();
    std::map<std::string, std::string> assignment = read_assignment(o, finer.lvl, s.report);
    std::set<std::string> known;
    if (!o.remap_from.path.empty()) {
        unit_layer old_finer = read_polygons(o.remap_from, level::parish, o.analysis_crs, o.threads, s.report);
        for (const unit& u : old_finer.units) known.insert(u.code);
        assignment = [&] {
            auto remapped = remap(assignment, old_finer, finer, o, s.report);
            for (const auto& [code, unit] : assignment)
                if (!known.count(code)) s.unknown_codes.push_back(code);
            return remapped;
        }();
    } else {
        for (const unit& u : finer.units) known.insert(u.code);
        for (const auto& [code, unit] : assignment)
            if (!known.count(code)) s.unknown_codes.push_back(code);
    }
    for (const std::string& c : s.unknown_codes)
        s.report.add({severity::warning, "assignment.unknown_code", finer.lvl, c, std::nullopt,
                      "is in the assignment but not among the finer units: ignored", std::nullopt, std::nullopt,
                      std::nullopt});
    std::map<std::string, std::vector<const GEOSGeometry*>> parts;
    std::map<std::string, std::size_t> members;
    for (const unit& f : finer.units) {
        auto it = assignment.find(f.code);
        if (it == assignment.end()) {
            s.unassigned.push_back(f.code);
            s.report.add({severity::warning, "assignment.unassigned", finer.lvl, f.code, f.source_fid,
                          "has no unit in the assignment: left out", std::nullopt, std::nullopt, std::nullopt});
            continue;
        }
        parts[it->second].push_back(f.geometry.get());
        ++members[it->second];
        ++s.assigned;
    }
    unit_layer out{o.lvl, {}};
    std::vector<std::vector<field_value>> values;
    for (const auto& [code, geoms] : parts) {
        unit u;
        u.lvl = o.lvl;
        u.code = code;
        u.parent_code = parent_code_from_code(o.lvl, code).value_or("");
        u.geometry = geos::polygonal_parts_as_multipolygon(geos::unary_union(geoms).get());
        design::measure_unit(u, o.analysis_crs);
        values.push_back({code, u.parent_code, static_cast<std::int64_t>(members[code]), u.area_km2});
        out.units.push_back(std::move(u));
    }
    s.units = out.units.size();
    static const std::vector<field_spec> fields{{"code", field_type::text},
                                                {"parent", field_type::text},
                                                {"finer_units", field_type::integer},
                                                {"area_km2", field_type::real}};
    write_units(o.out, std::string(level_table(o.lvl)), out, fields, values);
    return s;
}

}  // namespace microplan::geo::usecases
