#include "microplan/geo/usecases/plan_evaluation.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "microplan/geo/access/unit_travel.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/design/units.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/point_sources.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/territory/locate.hpp"
#include "plan_sources.hpp"

namespace microplan::geo::usecases {

namespace {

using namespace detail;

struct sources {
    unit_layer plan, parents, finer;
    std::vector<double> people, finer_people;
    bool have_parents = false, have_finer = false;
};

// A plan file's people from the store's finest planning level that has people, each unit's
// spread evenly over it (in cities, circuits of ~11,000 people are far finer than parishes).
void people_from_finest_level(const plan_evaluation_options& o, store::planning_store& db, const std::string& crs,
                              sources& s, plan_evaluation_summary& out) {
    for (level l : {level::circuit, level::district, level::zone}) {
        unit_layer source = meeting(db.read_level(l, crs), s.plan);
        std::vector<double> people = people_from_store(db, source, o.year);
        if (source.units.empty() || people.empty()) continue;
        s.people = people_by_area(source, people, s.plan, o.criteria.validation.threads);
        out.population_label = "the store's " + std::string(level_name(l)) + " people, shared by area";
        return;
    }
}

void read_plan(const plan_evaluation_options& o, store::planning_store* db, const std::string& crs, sources& s,
               plan_evaluation_summary& out) {
    unsigned threads = o.criteria.validation.threads;
    if (!o.plan.path.empty()) {
        s.plan = read_polygons(o.plan, o.lvl, crs, threads, out.reading);
        out.plan_label = file_name(o.plan.path);
        if (o.plan.dissolve_prefix > 0)
            out.plan_label += " (dissolved by the first " + std::to_string(o.plan.dissolve_prefix) + " characters)";
        if (!o.plan_population_field.empty()) {
            if (o.plan.dissolve_prefix > 0)
                throw format_error({o.plan.path, {}, {}, o.plan_population_field, {}}, "people of dissolved units",
                                   "--population-field cannot be read from units dissolved by --dissolve-prefix: "
                                   "give the finer units' people instead");
            s.people =
                people_from_table(o.plan.path, o.plan.code_field, o.plan_population_field, s.plan, o.lvl, out.reading);
            out.population_label = o.plan_population_field + " of " + file_name(o.plan.path);
        } else if (db) {
            people_from_finest_level(o, *db, crs, s, out);
        }
    } else {
        if (!db) throw format_error({}, "no plan", "give a planning store or a plan file (--plan)");
        s.plan = db->read_level(o.lvl, crs);
        if (s.plan.units.empty())
            throw format_error({db->location(), std::string(level_table(o.lvl)), {}, {}, {}}, "empty level",
                               "the store has no " + std::string(level_table(o.lvl)));
        s.people = people_from_store(*db, s.plan, o.year);
        out.plan_label = std::string(level_table(o.lvl)) + " of " + file_name(o.store);
        if (!s.people.empty()) out.population_label = "the store's " + std::string(level_name(o.lvl)) + " people";
    }
}

void read_parents(const plan_evaluation_options& o, store::planning_store* db, const std::string& crs, sources& s,
                  plan_evaluation_summary& out) {
    auto pl = parent_level(o.lvl);
    if (!pl) return;
    if (!o.parents.path.empty()) {
        s.parents = read_polygons(o.parents, *pl, crs, o.criteria.validation.threads, out.reading);
        out.parents_label = file_name(o.parents.path);
    } else if (db) {
        s.parents = db->read_level(*pl, crs);
        out.parents_label = std::string(level_table(*pl)) + " of " + file_name(o.store);
    }
    if (!s.parents.units.empty()) assign_parents(s.plan, s.parents);
    // A plan of part of the territory is judged against its own parents only: the parent
    // field, else the code's prefix, else the parent holding most of the unit.
    if (!o.plan.path.empty() && o.parents.path.empty()) {
        std::set<std::string> named;
        for (const unit& u : s.plan.units)
            named.insert(!u.parent_code.empty() ? u.parent_code : parent_code_from_code(o.lvl, u.code).value_or(""));
        std::erase_if(s.parents.units, [&](const unit& p) { return !named.count(p.code); });
    }
    s.have_parents = !s.parents.units.empty();
}

void read_finer(const plan_evaluation_options& o, store::planning_store* db, const std::string& crs, sources& s,
                plan_evaluation_summary& out) {
    if (!o.finer.path.empty()) {
        s.finer = read_polygons(o.finer, level::parish, crs, o.criteria.validation.threads, out.reading);
        out.finer_label = file_name(o.finer.path);
        std::string table = !o.finer_population.empty() ? o.finer_population : o.finer.path;
        std::string code = !o.finer_population.empty() ? o.finer_population_code : o.finer.code_field;
        if (!o.finer_population.empty() || !o.finer_population_field.empty()) {
            s.finer_people =
                people_from_table(table, code, o.finer_population_field, s.finer, level::parish, out.reading);
            if (out.population_label.empty()) out.population_label = "summed from " + file_name(table);
        }
    } else if (db && o.lvl != level::parish) {
        s.finer = db->read_level(level::parish, crs);
        if (!o.plan.path.empty()) s.finer = meeting(std::move(s.finer), s.plan);
        if (!s.finer.units.empty()) out.finer_label = "parishes of " + file_name(o.store);
        s.finer_people = people_from_store(*db, s.finer, o.year);
        if (out.population_label.empty() && !s.finer_people.empty())
            out.population_label = "summed from the store's parish people";
    }
    s.have_finer = !s.finer.units.empty();
}

// The seats given, by unit code, as cells of the surface's grid.
void seats_on_grid(const plan_evaluation_options& o, const unit_layer& plan, const grid& g,
                   const proj::transformer& to_grid, std::vector<access::unit_people_cells>& units, findings& report) {
    point_source_fields fields;
    fields.x = o.seats_x, fields.y = o.seats_y, fields.id = "", fields.name = o.seats_code_field;
    std::unordered_map<std::string, std::size_t> unit_of;
    for (std::size_t u = 0; u < plan.units.size(); ++u) unit_of.emplace(plan.units[u].code, u);
    for (const point_source& p : read_point_sources(o.seats, fields, "EPSG:4326")) {
        auto it = unit_of.find(normalise_code(plan.lvl, p.name));
        double x = p.x, y = p.y;
        std::optional<std::size_t> cell;
        if (it != unit_of.end() && to_grid.forward(x, y)) cell = g.cell_of(x, y);
        if (!cell) {
            report.add({severity::warning, "evaluate.seat_unused", plan.lvl, p.name, std::nullopt,
                        it == unit_of.end() ? "a seat whose code is no unit of the plan: not used"
                                            : "a seat off the friction surface: the best-placed cell is used",
                        p.x, p.y, std::nullopt});
            continue;
        }
        units[it->second].seat = static_cast<std::int64_t>(*cell);
    }
}

// People-weighted minutes from each unit's people to its best-placed seat over the friction
// surface: the people raster's inhabited cells located in the units (WGS 84), then put on the
// surface's grid.
void travel_times(const plan_evaluation_options& o, const unit_layer& plan, design::plan_input& in, findings& report) {
    if (o.friction.empty() && o.people_raster.empty()) return;
    if (o.friction.empty() || o.people_raster.empty())
        throw format_error({o.friction.empty() ? o.people_raster : o.friction, {}, {}, {}, {}}, "travel time",
                           "travel-time compactness needs both --friction (minutes per cell) and --raster (people)");
    const unsigned threads = o.criteria.validation.threads;
    cost_surface surface = read_cost_raster(o.friction);
    population_grid pop = read_population_grid(o.people_raster, "EPSG:4326");
    std::vector<lonlat> points(pop.occupied.size());
    for (std::size_t k = 0; k < points.size(); ++k) points[k] = {pop.cx[k], pop.cy[k]};
    std::vector<int> unit_of = point_locator(plan).locate_all(points, threads);
    proj::transformer to_grid("EPSG:4326", surface.g.crs_wkt);
    std::vector<std::map<std::uint32_t, float>> cells(plan.units.size());
    for (std::size_t k = 0; k < points.size(); ++k) {
        double x = points[k].x, y = points[k].y;
        if (unit_of[k] < 0 || !to_grid.forward(x, y)) continue;
        if (auto c = surface.g.cell_of(x, y))
            cells[static_cast<std::size_t>(unit_of[k])][static_cast<std::uint32_t>(*c)] += pop.people[pop.occupied[k]];
    }
    std::vector<access::unit_people_cells> units(plan.units.size());
    for (std::size_t u = 0; u < units.size(); ++u)
        for (const auto& [c, p] : cells[u]) units[u].cells.push_back(c), units[u].people.push_back(p);
    if (!o.seats.empty()) seats_on_grid(o, plan, surface.g, to_grid, units, report);
    access::cost_distance_options co;
    co.moves = o.knight ? access::neighbourhood::knight : access::neighbourhood::queen;
    co.threads = threads;
    for (const access::unit_travel& t : access::travel_within_units(surface, units, co)) {
        in.mean_minutes.push_back(t.mean_minutes);
        in.max_minutes.push_back(t.max_minutes);
        in.unreached.push_back(t.people - t.reached);
    }
}

}  // namespace

plan_evaluation_summary evaluate_plan(const plan_evaluation_options& options) {
    auto t0 = std::chrono::steady_clock::now();
    plan_evaluation_options o = options;
    if (o.store.empty() && !o.plan.path.empty() && is_planning_store(o.plan.path)) {
        o.store = o.plan.path;
        o.plan.path.clear();
    }
    plan_evaluation_summary out;
    out.lvl = o.lvl;
    std::unique_ptr<store::planning_store> db;
    if (!o.store.empty()) db = store::open_store(o.store, store::open_mode::read_only);
    design::evaluation_criteria criteria = o.criteria;
    if (db) criteria.validation.analysis_crs = db->analysis_crs();
    const std::string& crs = criteria.validation.analysis_crs;
    sources s;
    read_plan(o, db.get(), crs, s, out);
    read_parents(o, db.get(), crs, s, out);
    read_finer(o, db.get(), crs, s, out);
    design::plan_input in;
    in.plan = &s.plan;
    in.population = std::move(s.people);
    in.parents = s.have_parents ? &s.parents : nullptr;
    in.finer = s.have_finer ? &s.finer : nullptr;
    in.finer_population = std::move(s.finer_people);
    travel_times(o, s.plan, in, out.reading);
    out.evaluation = design::evaluate_plan(in, criteria);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

namespace {

nlohmann::json number_or_null(double x) { return std::isnan(x) ? nlohmann::json() : nlohmann::json(x); }

nlohmann::json unit_json(const design::unit_evaluation& u) {
    return {{"code", u.code},
            {"name", u.name},
            {"parent", u.parent},
            {"population", number_or_null(std::isnan(u.population) ? u.population : std::round(u.population))},
            {"deviation_pct", number_or_null(u.deviation * 100)},
            {"area_km2", u.area_km2},
            {"polsby_popper", u.polsby_popper},
            {"reock", u.reock},
            {"convex_hull", u.convex_hull},
            {"parts", u.parts},
            {"contiguous", u.contiguous},
            {"joined_across_water", u.joined_across_water},
            {"in_parent_pct", number_or_null(u.in_parent_share * 100)},
            {"finer_units", u.finer_units},
            {"mean_minutes", number_or_null(u.mean_minutes)},
            {"max_minutes", number_or_null(u.max_minutes)},
            {"unreached_people", number_or_null(u.unreached)},
            {"failed", u.failed}};
}

nlohmann::json split_json(const design::finer_split& s) {
    nlohmann::json pieces = nlohmann::json::array();
    for (const auto& p : s.pieces)
        pieces.push_back(
            {{"unit", p.unit}, {"area_km2", p.area_km2}, {"people", number_or_null(std::round(p.people))}});
    return {{"code", s.code},           {"name", s.name},         {"population", number_or_null(s.population)},
            {"units", s.pieces.size()}, {"needless", s.needless}, {"pieces", pieces}};
}

}  // namespace

nlohmann::json plan_evaluation_json(const plan_evaluation_summary& s, const design::evaluation_criteria& c) {
    const design::plan_evaluation& e = s.evaluation;
    nlohmann::json criteria = nlohmann::json::array(), units = nlohmann::json::array(),
                   splits = nlohmann::json::array(), problems = nlohmann::json::array();
    for (const auto& r : e.criteria)
        criteria.push_back(
            {{"name", r.name}, {"result", design::verdict_name(r.result)}, {"reason", r.reason}, {"units", r.units}});
    for (const auto& u : e.units) units.push_back(unit_json(u));
    for (const auto& sp : e.splits) splits.push_back(split_json(sp));
    for (const auto& f : e.problems.items) problems.push_back(f);
    return {{"plan", s.plan_label},
            {"level", level_name(s.lvl)},
            {"parents", s.parents_label},
            {"finer_units", s.finer_label},
            {"population_source", s.population_label},
            {"target", c.target},
            {"tolerance", c.tolerance},
            {"passes", e.passes()},
            {"criteria", criteria},
            {"summary",
             {{"units", e.units.size()},
              {"population", std::round(e.population)},
              {"mean_abs_deviation_pct", number_or_null(e.mean_abs_deviation * 100)},
              {"max_abs_deviation_pct", number_or_null(e.max_abs_deviation * 100)},
              {"split_finer_units", e.splits.size()},
              {"uncovered_finer_units", e.uncovered}}},
            {"units", units},
            {"splits", splits},
            {"problems", problems}};
}

std::string plan_evaluation_csv(const design::plan_evaluation& e) {
    std::string csv =
        "code,name,parent,population,deviation_pct,area_km2,polsby_popper,reock,convex_hull,parts,contiguous,"
        "in_parent_pct,finer_units,mean_minutes,failed\n";
    auto num = [](double x, const char* fmt) {
        if (std::isnan(x)) return std::string();
        char buf[48];
        std::snprintf(buf, sizeof buf, fmt, x);
        return std::string(buf);
    };
    for (const auto& u : e.units) {
        std::string failed;
        for (const auto& f : u.failed) failed += (failed.empty() ? "" : " ") + f;
        csv += csv_field(u.code) + "," + csv_field(u.name) + "," + csv_field(u.parent) + "," +
               num(u.population, "%.0f") + "," + num(u.deviation * 100, "%.2f") + "," + num(u.area_km2, "%.3f") + "," +
               num(u.polsby_popper, "%.4f") + "," + num(u.reock, "%.4f") + "," + num(u.convex_hull, "%.4f") + "," +
               std::to_string(u.parts) + "," + (u.contiguous ? "yes" : "no") + "," +
               num(u.in_parent_share * 100, "%.1f") + "," + std::to_string(u.finer_units) + "," +
               num(u.mean_minutes, "%.1f") + "," + failed + "\n";
    }
    return csv;
}

}  // namespace microplan::geo::usecases
