#include "microplan/geo/usecases/plan_comparison.hpp"

#include <cpl_vsi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/design/units.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/vector_writer.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "plan_sources.hpp"
#include "text_files.hpp"

namespace microplan::geo::usecases {

namespace {

using namespace detail;

// The store that supplies finer units and people: the one given, else a plan that is a store.
std::string supplying_store(const plan_comparison_options& o) {
    if (!o.store.empty()) return o.store;
    for (const auto* p : {&o.a, &o.b})
        if (is_planning_store(p->path)) return p->path;
    return {};
}

void read_finer_units(const plan_comparison_options& o, const unit_layer& a, unit_layer& finer,
                      std::vector<double>& people, plan_comparison_summary& out) {
    if (!o.finer.path.empty()) {
        finer = read_polygons(o.finer, level::parish, o.analysis_crs, o.threads, out.reading);
        out.finer_label = file_name(o.finer.path);
        const bool table = !o.finer_population.empty();
        if (table || !o.finer_population_field.empty()) {
            people = people_from_table(table ? o.finer_population : o.finer.path,
                                       table ? o.finer_population_code : o.finer.code_field, o.finer_population_field,
                                       finer, level::parish, out.reading);
            out.population_label = "people of " + file_name(table ? o.finer_population : o.finer.path);
        }
        return;
    }
    std::string store = supplying_store(o);
    if (store.empty()) return;
    auto db = store::open_store(store, store::open_mode::read_only);
    // The finest level with people: parishes, else circuits (a store without parishes).
    for (level l : {level::parish, level::circuit}) {
        finer = meeting(db->read_level(l, o.analysis_crs), a);
        people = people_from_store(*db, finer, std::nullopt);
        if (!finer.units.empty() && !people.empty()) {
            out.finer_label = std::string(level_table(l)) + " of " + file_name(store);
            out.population_label = "the store's " + std::string(level_name(l)) + " people";
            return;
        }
    }
    finer = {};
    people.clear();
}

void write_changed(const std::string& path, const design::plan_comparison& c) {
    vector_writer out(path);
    auto layer = out.add_layer("changed", wkbMultiPolygon, "EPSG:4326",
                               {{"unit_a", field_type::text},
                                {"unit_b", field_type::text},
                                {"people", field_type::real},
                                {"area_km2", field_type::real}});
    for (const auto& cell : c.changed_cells) {
        geos::geom_ptr g = geos::polygonal_parts_as_multipolygon(cell.geometry.get());
        out.write_wkb(layer, geos::to_wkb(g.get()),
                      std::vector<field_value>{cell.a, cell.b, std::round(cell.people), cell.area_km2});
    }
    out.commit();
}

}  // namespace

plan_comparison_summary compare_plans(const plan_comparison_options& o) {
    auto t0 = std::chrono::steady_clock::now();
    plan_comparison_summary out;
    unit_layer a = read_plan_units(o.a, o.lvl, o.analysis_crs, o.threads, out.reading, out.a_label);
    unit_layer b = read_plan_units(o.b, o.lvl, o.analysis_crs, o.threads, out.reading, out.b_label);
    // One territory: the units of either plan that the other does not reach are left out (a
    // city's plan against a national level), and counted.
    const std::size_t na = a.units.size(), nb = b.units.size();
    b = meeting(std::move(b), a);
    a = meeting(std::move(a), b);
    out.a_outside = na - a.units.size();
    out.b_outside = nb - b.units.size();
    unit_layer finer;
    std::vector<double> people;
    read_finer_units(o, a, finer, people, out);
    design::comparison_input in;
    in.a = &a;
    in.b = &b;
    if (!finer.units.empty() && people.size() == finer.units.size()) {
        in.finer = &finer;
        in.finer_population = std::move(people);
    }
    in.sliver_km2 = o.sliver_km2;
    in.analysis_crs = o.analysis_crs;
    in.threads = o.threads;
    out.comparison = design::compare_plans(in);
    if (out.comparison.by_area) out.population_label = "none: areas (km²) stand for people";
    if (!o.changed_out.empty()) write_changed(o.changed_out, out.comparison);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

nlohmann::json changed_cells_geojson(const design::plan_comparison& c) {
    nlohmann::json features = nlohmann::json::array();
    for (const auto& cell : c.changed_cells)
        features.push_back({{"type", "Feature"},
                            {"properties",
                             {{"unit_a", cell.a},
                              {"unit_b", cell.b},
                              {"people", std::round(cell.people)},
                              {"area_km2", cell.area_km2}}},
                            {"geometry", nlohmann::json::parse(geos::to_geojson(cell.geometry.get()))}});
    return {{"type", "FeatureCollection"}, {"features", features}};
}

plan_comparison_summary compare_with_geojson(const std::string& store, level lvl, const std::string& geojson,
                                             const std::string& code_field, int dissolve_prefix, unsigned threads) {
    static std::atomic<std::uint64_t> counter{0};
    const std::string path = "/vsimem/plan_b_" + std::to_string(counter++) + ".geojson";
    VSILFILE* f = VSIFileFromMemBuffer(path.c_str(), reinterpret_cast<GByte*>(const_cast<char*>(geojson.data())),
                                       static_cast<vsi_l_offset>(geojson.size()), FALSE);
    if (!f) throw format_error({"plan B", {}, {}, {}, {}}, "unreadable plan", "the plan could not be read");
    VSIFCloseL(f);
    struct unlink_at_exit {
        std::string path;
        ~unlink_at_exit() { VSIUnlink(path.c_str()); }
    } cleanup{path};
    plan_comparison_options o;
    o.store = store;
    o.lvl = lvl;
    o.a.path = store;
    o.b.path = path;
    o.b.code_field = code_field;
    o.b.dissolve_prefix = dissolve_prefix;
    o.analysis_crs = store::open_store(store, store::open_mode::read_only)->analysis_crs();
    o.threads = threads;
    try {
        plan_comparison_summary s = compare_plans(o);
        s.b_label = "the plan sent";
        return s;
    } catch (const error& e) {
        // Named as the client knows it, not by the memory file it was read from.
        error_location where = e.where();
        if (where.file == path) where.file = "the plan sent";
        std::string detail = e.detail();
        for (auto at = detail.find(path); at != std::string::npos; at = detail.find(path))
            detail.replace(at, path.size(), "the plan sent");
        throw format_error(where, e.rule(), detail);
    }
}

nlohmann::json plan_comparison_json(const plan_comparison_summary& s) {
    const design::plan_comparison& c = s.comparison;
    nlohmann::json matches = nlohmann::json::array(), changed = nlohmann::json::array();
    for (const auto& m : c.matches)
        matches.push_back({{"a", m.a},
                           {"b", m.b},
                           {"shared_people", std::round(m.shared_people)},
                           {"shared_km2", m.shared_km2},
                           {"iou", m.iou}});
    for (const auto& f : c.changed)
        changed.push_back(
            {{"code", f.code}, {"name", f.name}, {"a", f.a}, {"b", f.b}, {"people", std::round(f.people)}});
    double moved_share = c.people > 0 ? c.people_moved / c.people : 0;
    return {{"a", s.a_label},
            {"b", s.b_label},
            {"finer_units", s.finer_label},
            {"population_source", s.population_label},
            {"summary",
             {{"a_units", c.a_units},
              {"a_units_outside_b", s.a_outside},
              {"b_units_outside_a", s.b_outside},
              {"b_units", c.b_units},
              {"matched", std::count_if(c.matches.begin(), c.matches.end(),
                                        [](const auto& m) { return !m.a.empty() && !m.b.empty(); })},
              {"identical_units", c.identical_units},
              {"people", std::round(c.people)},
              {"people_moved", std::round(c.people_moved)},
              {"people_moved_pct", std::round(moved_share * 10000) / 100},
              {"finer_units_changed", c.changed.size()},
              {"variation_of_information_bits", c.variation_of_information}}},
            {"matches", matches},
            {"changed_finer_units", changed}};
}

std::string plan_comparison_csv(const design::plan_comparison& c) {
    std::string csv = "unit_a,unit_b,shared_people,shared_km2,iou\n";
    char buf[96];
    for (const auto& m : c.matches) {
        std::snprintf(buf, sizeof buf, "%.0f,%.3f,%.4f", m.shared_people, m.shared_km2, m.iou);
        csv += csv_field(m.a) + "," + csv_field(m.b) + "," + buf + "\n";
    }
    return csv;
}

}  // namespace microplan::geo::usecases
