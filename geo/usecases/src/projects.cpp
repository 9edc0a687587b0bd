#include "microplan/geo/usecases/projects.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "microplan/geo/error.hpp"
#include "microplan/geo/planning/projects.hpp"
#include "microplan/geo/territory/assign.hpp"

namespace microplan::geo::usecases {

namespace {

struct placer {
    // code -> parent code, per level, from the store's units.
    std::map<level, std::map<std::string, std::string>> parent;
    std::vector<unit_layer> layers;

    void fill(store::stored_project& row, level lvl, const std::string& code) const {
        std::string c = code;
        for (level l = lvl;;) {
            if (l == level::circuit) row.circuit_code = c;
            if (l == level::district) row.district_code = c;
            if (l == level::zone) row.zone_code = c;
            auto up = parent_level(l);
            if (!up) break;
            auto p = parent.find(l);
            if (p == parent.end() || !p->second.count(c)) break;
            c = p->second.at(c);
            l = *up;
        }
    }
};

void error(findings& report, const project& p, const std::string& path, const std::string& column,
           const std::string& rule, const std::string& message) {
    finding f =
        cell_finding(severity::error, "projects." + rule, path, p.line, column, "project " + p.code + ": " + message);
    f.code = p.code;
    report.add(std::move(f));
}

}  // namespace

projects_result import_projects(const std::string& store_path, const std::string& file) {
    store::write_lock lock(store_path);  // the units placed in are the units written beside
    projects_result out;
    placer where;
    projects_table table;
    std::string crs;
    {
        auto db = store::open_store(store_path, store::open_mode::read_only);
        // The table first: a wrong row is reported before any geometry is read.
        table = read_projects(file, db->read_sectors().value_or(builtin_sectors()), &out.report);
        crs = db->analysis_crs();
        const bool points =
            std::any_of(table.items.begin(), table.items.end(), [](const project& p) { return p.lon && p.lat; });
        for (level l : {level::zone, level::district, level::circuit}) {
            for (const auto& u : db->read_unit_records(l)) where.parent[l][u.code] = u.parent_code;
            if (!points || !where.parent.count(l)) continue;
            where.layers.push_back(db->read_level(l, crs));  // geometry only to place points
        }
    }
    if (where.parent.empty())
        throw store_error({store_path, {}, {}, {}, {}}, "no units",
                          "the store holds no zones, districts or circuits to place projects in");
    // Points placed in every level at once.
    std::vector<establishment> points;
    std::vector<std::size_t> point_of;  // index in table.items
    for (std::size_t i = 0; i < table.items.size(); ++i) {
        const project& p = table.items[i];
        if (!p.lon || !p.lat) continue;
        establishment e;
        e.row = p.line;
        e.id = p.code;
        e.sector = p.sector;
        e.lon = *p.lon;
        e.lat = *p.lat;
        points.push_back(std::move(e));
        point_of.push_back(i);
    }
    std::vector<const unit_layer*> layers;
    for (const auto& l : where.layers) layers.push_back(&l);
    assign_result placed;
    if (!points.empty()) placed = assign_points(points, layers, {0, crs, 0});
    std::vector<const point_assignment*> assignment(table.items.size(), nullptr);
    for (std::size_t k = 0; k < point_of.size(); ++k) assignment[point_of[k]] = &placed.rows[k];
    findings problems;
    for (std::size_t i = 0; i < table.items.size(); ++i) {
        const project& p = table.items[i];
        store::stored_project row;
        row.attributes = p;
        if (const point_assignment* a = assignment[i]) {
            if (a->where != placement::inside) {
                error(problems, p, file, "lon", "outside",
                      "its point (" + std::to_string(*p.lon) + ", " + std::to_string(*p.lat) +
                          ") lies in no unit of the store" +
                          (a->nearest_code.empty() ? "" : " (the nearest is " + a->nearest_code + ")"));
            } else {
                row.zone_code = a->code(level::zone);
                row.district_code = a->code(level::district);
                row.circuit_code = a->code(level::circuit);
                if (p.unit_level && a->code(*p.unit_level) != p.unit_code)
                    error(problems, p, file, "unit_code", "unit_mismatch",
                          "its point lies in " + std::string(level_name(*p.unit_level)) + " " + a->code(*p.unit_level) +
                              ", not in " + p.unit_code);
                ++out.by_point;
            }
        } else if (p.unit_level) {
            if (!where.parent.count(*p.unit_level) || !where.parent.at(*p.unit_level).count(p.unit_code)) {
                error(problems, p, file, "unit_code", "unit_unknown",
                      "no " + std::string(level_name(*p.unit_level)) + " of the store has code " + p.unit_code);
            } else {
                where.fill(row, *p.unit_level, p.unit_code);
                ++out.by_unit;
            }
        }
        out.rows.push_back(std::move(row));
    }
    if (problems.has_errors())
        throw format_error(
            {file, {}, {}, {}, {}}, "projects not placed",
            std::to_string(problems.items.size()) + " problem(s), nothing written:" + problems.error_lines());
    store::import_record record{level::circuit, file, "", "projects", "EPSG:4326", "", 0};
    store::update_atomically(lock, [&](store::planning_store& db) { db.write_projects(out.rows, record, out.report); });
    return out;
}

std::vector<store::stored_project> read_projects(const std::string& store_path) {
    return store::open_store(store_path, store::open_mode::read_only)->read_projects();
}

execution_result import_execution(const std::string& store_path, const std::string& file) {
    store::write_lock lock(store_path);  // the portfolio checked against is the one written beside
    std::vector<std::string> codes;
    for (const auto& p : store::open_store(store_path, store::open_mode::read_only)->read_projects())
        codes.push_back(p.attributes.code);
    if (codes.empty())
        throw store_error({store_path, {}, {}, {}, {}}, "no projects",
                          "the store has no investment portfolio; import it first with `microplan projects import`");
    execution_result out;
    out.table = read_execution(file, codes, &out.report);
    store::import_record record{level::circuit, file, "", "execution", "", "", 0};
    store::update_atomically(
        lock, [&](store::planning_store& db) { db.write_execution(out.table.rows, record, out.report); });
    return out;
}

observations_result import_observations(const std::string& store_path, const std::string& file) {
    store::write_lock lock(store_path);  // the units checked against are the units written beside
    observations_result out;
    findings problems;
    {
        auto db = store::open_store(store_path, store::open_mode::read_only);
        out.table = geo::read_observations(file, db->read_sectors().value_or(builtin_sectors()), &out.report);
        std::map<level, std::set<std::string>> codes;
        for (level l : {level::zone, level::district, level::circuit})
            for (const auto& u : db->read_unit_records(l)) codes[l].insert(u.code);
        for (const observation& o : out.table.rows)
            if (o.lvl != level::nation && !codes[o.lvl].count(o.code))
                problems.add(cell_finding(severity::error, "observations.unit_unknown", file, o.line, "code",
                                          "no " + std::string(level_name(o.lvl)) + " of the store has code " + o.code));
    }
    if (problems.has_errors())
        throw format_error(
            {file, {}, {}, {}, {}}, "observations not placed",
            std::to_string(problems.items.size()) + " problem(s), nothing written:" + problems.error_lines());
    store::import_record record{level::circuit, file, "", "observations", "", "", 0};
    store::update_atomically(
        lock, [&](store::planning_store& db) { db.write_observations(out.table.rows, record, out.report); });
    return out;
}

std::vector<store::stored_observation> read_observations(const std::string& store_path, bool every_revision) {
    return store::open_store(store_path, store::open_mode::read_only)->read_observations(every_revision);
}

std::vector<unit_project> track_projects(const std::vector<store::stored_project>& portfolio,
                                         const std::vector<execution_row>& execution) {
    std::map<std::string, std::vector<execution_row>> by_project;
    for (const auto& r : execution) by_project[r.project_code].push_back(r);
    static const std::vector<execution_row> none;
    std::vector<unit_project> out;
    out.reserve(portfolio.size());
    for (const auto& row : portfolio) {
        auto it = by_project.find(row.attributes.code);
        out.push_back({row.attributes, progress_of(row.attributes, it == by_project.end() ? none : it->second)});
    }
    return out;
}

std::vector<unit_project> projects_of_unit(const std::vector<store::stored_project>& portfolio,
                                           const std::vector<unit_project>& tracked, level lvl,
                                           const std::string& code) {
    std::vector<unit_project> out;
    for (std::size_t i = 0; i < portfolio.size() && i < tracked.size(); ++i) {
        const auto& row = portfolio[i];
        const std::string& at = lvl == level::zone       ? row.zone_code
                                : lvl == level::district ? row.district_code
                                                         : row.circuit_code;
        if (at == code && !code.empty()) out.push_back(tracked[i]);
    }
    return out;
}

}  // namespace microplan::geo::usecases
