#include "microplan/geo/usecases/design.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "microplan/geo/access/unit_travel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/io/vector_writer.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/national.hpp"
#include "text_files.hpp"

namespace microplan::geo::usecases {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

using detail::join;
using detail::write_text;

// ---- design: finer units, their people and parents ----

struct finer_units {
    unit_layer atoms;
    std::vector<double> people;
    std::vector<std::string> parent;
    findings report;
};

import_options atom_import(const design_units_options& o) {
    import_options io;
    io.path = o.units;
    io.layer = o.layer;
    io.lvl = level::parish;
    io.fields.code = o.code_field;
    io.fields.name = o.name_field;
    io.analysis_crs = o.design.analysis_crs;
    io.threads = o.design.threads;
    return io;
}

// People per finer unit: the table's, or the rasters summed.
std::vector<double> people_of(const design_units_options& o, const unit_layer& atoms, findings& report) {
    std::vector<double> people(atoms.units.size(), 0);
    if (!o.population.empty()) {
        population_table_options po;
        po.path = o.population;
        po.lvl = level::parish;
        po.code_field = o.population_code;
        po.value_field = o.population_field;
        po.code_flag = "--population-code-field";
        po.value_flag = "--population-field";
        population_table_result t = read_population_table(po, atoms);
        report.append(t.report);
        for (std::size_t i = 0; i < atoms.units.size(); ++i) {
            auto it = t.values[total_band].find(atoms.units[i].code);
            if (it != t.values[total_band].end()) people[i] = it->second;
        }
        return people;
    }
    if (o.rasters.empty()) throw format_error({}, "no population", "give --population TABLE or --raster FILE");
    std::vector<const GEOSGeometry*> geoms;
    for (const auto& u : atoms.units) geoms.push_back(u.geometry.get());
    for (const auto& r : o.rasters) {
        zonal_result z = zonal_sums(r, geoms, "EPSG:4326", {1, o.design.threads});
        check_population_raster(r, z);
        for (std::size_t i = 0; i < people.size(); ++i) people[i] += z.sums[i];
    }
    return people;
}

// The parent of each finer unit: the first characters of its code, or the parent polygon
// holding its interior point (none: left out, reported).
std::vector<std::string> parents_of(const design_units_options& o, const unit_layer& atoms, findings& report) {
    std::vector<std::string> parent(atoms.units.size());
    if (o.parent_digits > 0) {
        for (std::size_t i = 0; i < atoms.units.size(); ++i)
            parent[i] = atoms.units[i].code.substr(0, static_cast<std::size_t>(o.parent_digits));
        return parent;
    }
    import_options po = atom_import(o);
    po.path = o.parents;
    po.layer.clear();
    po.lvl = o.design.lvl == level::circuit ? level::canton : level::province;
    po.fields = {o.parents_code, "", ""};
    import_result pr = read_units(po);
    auto h = geos::thread_context().handle();
    for (std::size_t i = 0; i < atoms.units.size(); ++i) {
        geos::geom_ptr pt = geos::own(GEOSPointOnSurface_r(h, atoms.units[i].geometry.get()));
        for (const auto& p : pr.layer.units)
            if (geos::intersects(p.geometry.get(), pt.get())) {
                parent[i] = p.code;
                break;
            }
        if (parent[i].empty())
            report.add({severity::warning, "design.no_parent", level::parish, atoms.units[i].code,
                        atoms.units[i].source_fid, "lies in no parent polygon of " + o.parents + ": left out",
                        std::nullopt, std::nullopt, std::nullopt});
    }
    return parent;
}

// Designed units to a vector file: code, name, parent and their figures.
void write_designed_units(const std::string& path, const design::design_result& d) {
    static const std::vector<field_spec> fields{
        {"code", field_type::text},          {"name", field_type::text},     {"parent", field_type::text},
        {"population", field_type::real},    {"target", field_type::real},   {"deviation_pct", field_type::real},
        {"polsby_popper", field_type::real}, {"area_km2", field_type::real}, {"polygons", field_type::integer},
        {"split_units", field_type::text}};
    std::vector<std::vector<field_value>> values;
    for (std::size_t i = 0; i < d.units.units.size(); ++i) {
        const unit& u = d.units.units[i];
        const design::unit_report& r = d.report[i];
        values.push_back({u.code, u.name, u.parent_code, std::round(r.population), std::round(r.target),
                          std::round(r.deviation * 10000) / 100, r.polsby_popper, r.area_km2,
                          static_cast<std::int64_t>(r.parts), join(r.split_units, " ")});
    }
    write_units(path, std::string(level_table(d.units.lvl)), d.units, fields, values);
}

}  // namespace

design::weight_rasters read_weight_rasters(const std::vector<std::string>& paths, const std::string& analysis_crs) {
    design::weight_rasters w;
    for (const auto& p : paths) w.grids.push_back(read_population_grid(p, analysis_crs));
    return w;
}

// Travel minutes between pieces over a friction raster, as region growth asks for them: points
// in the analysis CRS, moved to the raster's CRS (one PROJ transformer per thread).
design::travel_minutes travel_over(const std::string& friction, bool knight, const std::string& analysis_crs) {
    auto surface = std::make_shared<const cost_surface>(read_cost_raster(friction));
    access::cost_distance_options o;
    o.moves = knight ? access::neighbourhood::knight : access::neighbourhood::queen;
    return [surface, o, analysis_crs](std::pair<double, double> from, std::span<const std::pair<double, double>> to) {
        thread_local std::map<std::string, std::unique_ptr<proj::transformer>> transformers;
        auto& t = transformers[analysis_crs + "|" + surface->g.crs_wkt];
        if (!t) t = std::make_unique<proj::transformer>(analysis_crs, surface->g.crs_wkt);
        auto move = [&](std::pair<double, double> p) {
            double x = p.first, y = p.second;
            return t->forward(x, y) ? std::pair{x, y} : std::pair{std::nan(""), std::nan("")};
        };
        std::vector<std::pair<double, double>> moved;
        moved.reserve(to.size());
        for (const auto& p : to) moved.push_back(move(p));
        return access::minutes_between(*surface, move(from), moved, o);
    };
}

design_units_summary design_units_to_file(const design_units_options& o) {
    if (o.parent_digits <= 0 && o.parents.empty())
        throw format_error({}, "missing parent", "give --parent-digits N or --parents FILE");
    design_units_summary s;
    import_result ir = read_units(atom_import(o));
    s.report = ir.report;
    const unit_layer& atoms = ir.layer;
    s.finer_units = atoms.units.size();
    std::vector<double> people = people_of(o, atoms, s.report);
    std::vector<std::string> parent = parents_of(o, atoms, s.report);
    design::weight_rasters rasters = read_weight_rasters(o.rasters, o.design.analysis_crs);
    design::design_options options = o.design;
    if (!o.friction.empty()) options.travel = travel_over(o.friction, o.knight, options.analysis_crs);
    auto t1 = clock_type::now();
    s.result = design::design_units(atoms, people, parent, rasters, options);
    s.design_seconds = seconds_since(t1);
    s.report.append(s.result.problems);
    write_designed_units(o.out, s.result);
    if (!o.report.empty()) write_unit_csv(o.report, s.result.report);
    return s;
}

void write_unit_csv(const std::string& path, const std::vector<design::unit_report>& units) {
    std::string csv =
        "level,code,name,parent,population,target,deviation_pct,polsby_popper,area_km2,polygons,"
        "split_units,official\n";
    char buf[256];
    for (const auto& u : units) {
        std::snprintf(buf, sizeof buf, "%.0f,%.0f,%.2f,%.4f,%.3f,%d", u.population, u.target,
                      u.target > 0 ? u.deviation * 100 : 0.0, u.polsby_popper, u.area_km2, u.parts);
        csv += std::string(level_name(u.lvl)) + "," + u.code + "," + csv_field(u.name) + "," + u.parent + "," + buf +
               "," + join(u.split_units, " ") + "," + (u.official ? "yes" : "no") + "\n";
    }
    write_text(path, csv);
}

}  // namespace microplan::geo::usecases
