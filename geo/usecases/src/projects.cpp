#include "microplan/geo/usecases/projects.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

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

// Checks rows naming units by code against the store's units: each (line, level, code) of `rows`
// whose unit the store lacks is an error of rule `<what>.unit_unknown`; throws format_error
// listing them all (nothing is written then).
void check_unit_codes(store::planning_store& db, const std::string& file, const char* what,
                      const std::vector<std::tuple<long long, level, std::string>>& rows) {
    std::map<level, std::set<std::string>> codes;
    for (level l : {level::zone, level::district, level::circuit})
        for (const auto& u : db.read_unit_records(l)) codes[l].insert(u.code);
    findings problems;
    for (const auto& [line, lvl, code] : rows)
        if (lvl != level::nation && !code.empty() && !codes[lvl].count(code))
            problems.add(cell_finding(severity::error, std::string(what) + ".unit_unknown", file, line, "code",
                                      "no " + std::string(level_name(lvl)) + " of the store has code " + code));
    if (problems.has_errors())
        throw format_error(
            {file, {}, {}, {}, {}}, std::string(what) + " not placed",
            std::to_string(problems.items.size()) + " problem(s), nothing written:" + problems.error_lines());
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
    {
        auto db = store::open_store(store_path, store::open_mode::read_only);
        out.table = geo::read_observations(file, db->read_sectors().value_or(builtin_sectors()), &out.report);
        std::vector<std::tuple<long long, level, std::string>> units;
        for (const observation& o : out.table.rows) units.emplace_back(o.line, o.lvl, o.code);
        check_unit_codes(*db, file, "observations", units);
    }
    store::import_record record{level::circuit, file, "", "observations", "", "", 0};
    store::update_atomically(
        lock, [&](store::planning_store& db) { db.write_observations(out.table.rows, record, out.report); });
    return out;
}

std::vector<store::stored_observation> read_observations(const std::string& store_path, bool every_revision) {
    return store::open_store(store_path, store::open_mode::read_only)->read_observations(every_revision);
}

scorecards_table import_scorecards(const std::string& store_path, const std::string& file) {
    store::write_lock lock(store_path);  // the units checked against are the units written beside
    scorecards_table table;
    {
        auto db = store::open_store(store_path, store::open_mode::read_only);
        table = geo::read_scorecards(file, db->read_sectors().value_or(builtin_sectors()));
        std::vector<std::tuple<long long, level, std::string>> units;
        for (const scorecard_row& r : table.rows) units.emplace_back(r.line, r.lvl, r.code);
        check_unit_codes(*db, file, "scorecards", units);
    }
    store::import_record record{level::circuit, file, "", "scorecards", "", "", 0};
    store::update_atomically(lock, [&](store::planning_store& db) { db.write_scorecards(table, record, {}); });
    return table;
}

scorecard_result store_scorecard(const planning_request& request, const scenario_request& scenario, level lvl,
                                 const std::string& code, const std::string& organisation, const std::string& file,
                                 const light_thresholds& lights) {
    scorecard_result out;
    out.session = open_planning(request);
    out.plan = plan_for(*out.session.model, *out.session.inputs, scenario);
    std::vector<execution_row> execution;
    {
        auto db = store::open_store(request.store, store::open_mode::read_only);
        if (!file.empty()) {
            out.table = geo::read_scorecards(file, out.session.inputs->sectors);
        } else if (auto stored = db->read_scorecards()) {
            out.table = std::move(*stored);
        } else {
            throw store_error({request.store, {}, {}, {}, {}}, "no scorecards",
                              "the store has no scorecards; import them with `microplan scorecards import STORE "
                              "FILE` (data/scorecards/ has an example)");
        }
        execution = db->read_execution();
    }
    const auto& portfolio = out.session.inputs->projects;
    const auto tracked = track_projects(portfolio, execution);
    const std::vector<unit_project> projects =
        lvl == level::nation ? tracked : projects_of_unit(portfolio, tracked, lvl, code);
    out.card = make_scorecard(out.table, lvl, code, organisation, *out.session.model, out.plan, projects, out.report,
                              &out.session.inputs->accessibility, &out.session.inputs->observed, lights);
    return out;
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
