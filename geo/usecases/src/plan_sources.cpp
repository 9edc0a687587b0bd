#include "plan_sources.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/design/units.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/population/population.hpp"

namespace microplan::geo::usecases::detail {

namespace {

// Units of `src` with the same code prefix merged into one.
unit_layer dissolve(unit_layer in, int prefix, const std::string& analysis_crs) {
    std::map<std::string, std::vector<unit>> groups;
    for (unit& u : in.units) {
        std::string code = u.code.substr(0, static_cast<std::size_t>(prefix));
        groups[normalise_code(in.lvl, code)].push_back(std::move(u));
    }
    unit_layer out{in.lvl, {}};
    for (auto& [code, members] : groups) {
        std::vector<const GEOSGeometry*> parts;
        for (const unit& m : members) parts.push_back(m.geometry.get());
        unit u;
        u.lvl = in.lvl;
        u.code = code;
        u.parent_code = members.front().parent_code;
        u.source_fid = members.front().source_fid;
        u.geometry = geos::polygonal_parts_as_multipolygon(geos::unary_union(parts).get());
        design::measure_unit(u, analysis_crs);
        out.units.push_back(std::move(u));
    }
    return out;
}

}  // namespace

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

unit_layer read_polygons(const polygon_source& src, level lvl, const std::string& analysis_crs, unsigned threads,
                         findings& report) {
    import_options io;
    io.path = src.path;
    io.layer = src.layer;
    io.lvl = lvl;
    io.fields = {src.code_field, src.name_field, src.parent_field};
    io.analysis_crs = analysis_crs;
    io.threads = threads;
    import_result r = read_units(io);
    // Code shapes are the store's rule, not a plan's: a proposal may number its units freely.
    for (finding& f : r.report.items)
        if (f.rule.rfind("code.", 0) != 0) report.add(std::move(f));
    if (src.dissolve_prefix > 0) return dissolve(std::move(r.layer), src.dissolve_prefix, analysis_crs);
    return std::move(r.layer);
}

unit_layer meeting(unit_layer layer, const unit_layer& plan, double min_shared_km2) {
    std::vector<geos::envelope> env;
    for (const unit& u : plan.units) env.push_back(geos::envelope_of(u.projected.get()));
    unit_layer out{layer.lvl, {}};
    for (unit& c : layer.units) {
        if (!c.projected) continue;
        geos::envelope ce = geos::envelope_of(c.projected.get());
        // More than a sliver, or more than half of a unit smaller than a sliver (a city block).
        const double needed = std::min(min_shared_km2 * 1e6, 0.5 * geos::area(c.projected.get()));
        double shared = 0;
        for (std::size_t i = 0; i < plan.units.size() && shared <= needed; ++i) {
            const geos::envelope& e = env[i];
            if (ce.minx > e.maxx || e.minx > ce.maxx || ce.miny > e.maxy || e.miny > ce.maxy) continue;
            shared += geos::area(geos::intersection(c.projected.get(), plan.units[i].projected.get()).get());
        }
        if (shared > needed) out.units.push_back(std::move(c));
    }
    return out;
}

// Gives a parent code to the plan's units that have none (no field, and a code that does not
// carry it): the parent holding most of the unit.
void assign_parents(unit_layer& plan, const unit_layer& parents) {
    for (unit& u : plan.units) {
        if (!u.parent_code.empty() || parent_code_from_code(plan.lvl, u.code) || !u.projected) continue;
        double best = 0;
        for (const unit& p : parents.units) {
            double a = geos::area(geos::intersection(u.projected.get(), p.projected.get()).get());
            if (a > best) best = a, u.parent_code = p.code;
        }
    }
}

std::vector<double> people_from_table(const std::string& path, const std::string& code_field,
                                      const std::string& value_field, const unit_layer& units, level lvl,
                                      findings& report) {
    population_table_options po;
    po.path = path;
    po.lvl = lvl;
    po.code_field = code_field;
    po.value_field = value_field;
    po.code_flag = "--code-field";
    po.value_flag = "--population-field";
    population_table_result t = read_population_table(po, units);
    report.append(t.report);
    std::vector<double> people(units.units.size(), 0);
    const auto& totals = t.values[total_band];
    for (std::size_t i = 0; i < units.units.size(); ++i)
        if (auto it = totals.find(units.units[i].code); it != totals.end()) people[i] = it->second;
    return people;
}

std::vector<double> people_from_store(store::planning_store& db, const unit_layer& units, std::optional<int> year) {
    // The base year (the latest that is not a projection) unless a year is asked for.
    population_values v = db.read_population(units.lvl, year ? year : db.base_population_year());
    if (!v.count(total_band)) return {};
    std::vector<double> people(units.units.size(), 0);
    for (std::size_t i = 0; i < units.units.size(); ++i)
        if (auto it = v[total_band].find(units.units[i].code); it != v[total_band].end()) people[i] = it->second;
    return people;
}

// True when `path` is a planning store (not any other file, SQLite-based GeoPackages included).
bool is_planning_store(const std::string& path) {
    if (!std::filesystem::is_regular_file(path)) return false;
    try {
        return store::open_store(path, store::open_mode::read_only)->is_planning_store();
    } catch (const std::exception&) {  // not SQLite, or SQLite without microplan's tables
        return false;
    }
}

}  // namespace microplan::geo::usecases::detail

namespace microplan::geo::usecases::detail {

std::vector<std::vector<std::pair<std::size_t, double>>> overlap_areas(const unit_layer& a, const unit_layer& b,
                                                                       unsigned threads) {
    std::vector<geos::envelope> env(b.units.size());
    for (std::size_t u = 0; u < b.units.size(); ++u)
        if (b.units[u].projected) env[u] = geos::envelope_of(b.units[u].projected.get());
    std::vector<std::vector<std::pair<std::size_t, double>>> out(a.units.size());
    parallel_for(a.units.size(), threads, [&](std::size_t f) {
        const GEOSGeometry* g = a.units[f].projected.get();
        if (!g) return;
        const geos::envelope fe = geos::envelope_of(g);
        for (std::size_t u = 0; u < b.units.size(); ++u) {
            const geos::envelope& e = env[u];
            if (!b.units[u].projected || fe.minx > e.maxx || e.minx > fe.maxx || fe.miny > e.maxy || e.miny > fe.maxy)
                continue;
            double shared = geos::area(geos::intersection(g, b.units[u].projected.get()).get());
            if (shared > 0) out[f].emplace_back(u, shared);
        }
        std::stable_sort(out[f].begin(), out[f].end(),
                         [](const auto& x, const auto& y) { return x.second > y.second; });
    });
    return out;
}

std::vector<double> people_by_area(const unit_layer& source, std::span<const double> people, const unit_layer& target,
                                   unsigned threads) {
    std::vector<double> out(target.units.size(), 0);
    const auto overlap = overlap_areas(target, source, threads);
    for (std::size_t t = 0; t < target.units.size(); ++t)
        for (const auto& [s, shared] : overlap[t])
            if (const double area = geos::area(source.units[s].projected.get()); area > 0)
                out[t] += people[s] * shared / area;
    return out;
}

unit_layer read_plan_units(const polygon_source& src, level lvl, const std::string& crs, unsigned threads,
                           findings& report, std::string& label) {
    if (src.path.empty()) throw format_error({}, "no plan", "two plans are needed: a store or a polygon source each");
    if (is_planning_store(src.path)) {
        auto db = store::open_store(src.path, store::open_mode::read_only);
        unit_layer l = db->read_level(lvl, crs);
        if (l.units.empty())
            throw format_error({src.path, std::string(level_table(lvl)), {}, {}, {}}, "empty level",
                               "the store has no " + std::string(level_table(lvl)));
        label = std::string(level_table(lvl)) + " of " + file_name(src.path);
        return l;
    }
    label = file_name(src.path);
    if (src.dissolve_prefix > 0)
        label += " (dissolved by the first " + std::to_string(src.dissolve_prefix) + " characters)";
    return read_polygons(src, lvl, crs, threads, report);
}

}  // namespace microplan::geo::usecases::detail
