#include "microplan/geo/usecases/planning.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "microplan/geo/error.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/planning/budget.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/projects.hpp"

namespace microplan::geo::usecases {

plan_options plan_options_for(const coverage_model& model, const store::planning_inputs& inputs,
                              const scenario_request& r) {
    plan_options o;
    o.first_year = inputs.year;
    o.last_year = std::max(inputs.year, r.last_year);
    std::optional<budget_scenarios> table;
    if (!r.scenarios.empty())
        table = read_budget_scenarios(r.scenarios);
    else
        table = inputs.budget;
    if (table) {
        const budget_scenario_row* row = table->find(r.scenario);
        if (!row) {
            std::string names;
            for (const auto& x : table->rows) names += (names.empty() ? "" : ", ") + x.scenario.name;
            throw format_error({table->source, {}, {}, "scenario", {}}, "unknown scenario",
                               "no budget scenario is called '" + r.scenario + "'; the table has " + names);
        }
        o.scenario = scenario_of(*row, o.first_year);
        char pct[32];
        std::snprintf(pct, sizeof pct, "%g", row->budget_pct_gdp);
        // The table's file name only: plans are served, and a server's paths are its own.
        o.scenario.source = std::filesystem::path(table->source).filename().string() + ", " + row->scenario.name +
                            ": " + pct + " % of GDP";
    } else {
        // Stores made before budget scenarios: the three built-in ones around a first-year budget
        // of 20 % of the investment the current gap needs.
        double base = 0.20 * model.sector_national("").investment;
        bool known = false;
        for (const auto& s : standard_scenarios(base, 0.05))
            if (s.name == r.scenario) o.scenario = s, known = true;
        if (!known)
            throw format_error({}, "unknown scenario",
                               "no budget scenario is called '" + r.scenario +
                                   "'; the store has no budget scenarios (put a table in force with `microplan budget "
                                   "import STORE FILE`), so only optimistic, moderate and pessimistic exist");
        o.scenario.source =
            "built in: the store has no budget scenarios; the moderate budget is 20 % of the first year's investment "
            "gap";
    }
    if (r.budget > 0) {
        o.scenario.base_budget = r.budget;
        o.scenario.source += "; first year's budget given";
    }
    if (!std::isnan(r.growth)) {
        o.scenario.growth = r.growth;
        o.scenario.source += "; budget growth given";
    }
    if (!r.budgets.empty()) {
        budget_path path = read_budget_path(r.budgets, model.catalogue());
        o.scenario.path = std::move(path.total);
        o.scenario.sector_paths = std::move(path.sectors);
        o.scenario.source += "; budget path " + r.budgets;
    }
    return o;
}

closing_plan plan_for(const coverage_model& model, const store::planning_inputs& inputs, const scenario_request& r) {
    return plan_closing(model, inputs.people, plan_options_for(model, inputs, r));
}

coverage_model make_model(const store::planning_inputs& in, coverage_options options) {
    coverage_model m(in.catalogue, in.where, population_for_year(in.people, in.year), in.attributes, options);
    m.set_establishments(in.establishments);
    return m;
}

planning_session open_planning(const planning_request& request) {
    planning_session s;
    {
        auto db = store::open_store(request.store, store::open_mode::read_only);
        std::optional<standards_catalogue> c;
        if (!request.standards.empty()) c = read_standards(request.standards);
        std::string as_of;
        if (!request.as_of.empty()) {
            auto d = parse_date(request.as_of);
            if (!d)
                throw format_error({}, "not a date",
                                   "--as-of '" + request.as_of + "' is not a date (YYYY-MM-DD, YYYY-MM or DD/MM/YYYY)");
            as_of = *d;
        }
        s.inputs = std::make_unique<store::planning_inputs>(
            store::read_planning_inputs(*db, c, request.year ? std::optional<int>(request.year) : std::nullopt, as_of));
    }
    s.model = std::make_unique<coverage_model>(make_model(*s.inputs, [&] {
        coverage_options o;
        o.include_proposed = request.include_proposed;
        o.include_private = request.include_private;
        o.poor_counts = !request.poor_out_of_offer;
        return o;
    }()));
    return s;
}

namespace {

closing_plan plan_of(const planning_session& s, const scenario_request& scenario) {
    return plan_for(*s.model, *s.inputs, scenario);
}

}  // namespace

coverage_result compute_coverage(const coverage_request& request) {
    // Saved results are of the inputs read: no other writer between the read and the write.
    std::optional<store::write_lock> lock;
    if (request.save) lock.emplace(request.base.store);
    planning_session s = open_planning(request.base);
    coverage_query q = request.query;
    q.sector = canonical_sector(q.sector);
    std::optional<closing_plan> plan;
    if (request.save) plan = plan_of(s, request.scenario);
    coverage_result out{coverage_rows(*s.model, q, plan ? &*plan : nullptr), s.model->report(), s.inputs->year};
    if (request.save)
        store::update_atomically(
            *lock, [&](store::planning_store& db) { db.write_coverage(*s.model, s.inputs->year, &*plan); });
    return out;
}

unit_report report_unit(const planning_request& request, const scenario_request& scenario, level lvl,
                        const std::string& code) {
    planning_session s = open_planning(request);
    closing_plan p = plan_of(s, scenario);
    unit_report r = make_unit_report(*s.model, lvl, code, &p, s.inputs->year);
    auto db = store::open_store(request.store, store::open_mode::read_only);
    r.projects =
        projects_of_unit(s.inputs->projects, track_projects(s.inputs->projects, db->read_execution()), lvl, code);
    return r;
}

std::vector<ranking_row> rank_store_units(const planning_request& request, level lvl, const ranking_request& ranking) {
    planning_session s = open_planning(request);
    std::optional<closing_plan> plan;
    if (ranking.by == "unfunded" || ranking.by == "closing_year") plan = plan_of(s, ranking.scenario);
    ranking_options o{ranking.by, ranking.weight, plan ? &*plan : nullptr};
    return rank_units(*s.model, lvl, canonical_sector(ranking.sector), o);
}

absence_result absent_store_units(const planning_request& request, level lvl, const std::string& sector) {
    absence_result out{open_planning(request), canonical_sector(sector), {}};
    out.rows = absent_units(*out.session.model, lvl, out.sector);
    return out;
}

plan_result plan_store(const planning_request& request, const scenario_request& scenario) {
    plan_result out{open_planning(request), {}};
    out.plan = plan_of(out.session, scenario);
    return out;
}

required_result plan_required(const planning_request& request, const scenario_request& scenario, int close_by) {
    required_result out{open_planning(request), {}, {}};
    out.options = plan_options_for(*out.session.model, *out.session.inputs, scenario);
    out.required = plan_required_budget(*out.session.model, out.session.inputs->people, out.options, close_by);
    return out;
}

optimal_store_result plan_optimal_store(const planning_request& request, const scenario_request& scenario,
                                        const optimal_options& how) {
    optimal_store_result out{open_planning(request), {}};
    out.optimal = plan_optimal(*out.session.model, out.session.inputs->people,
                               plan_options_for(*out.session.model, *out.session.inputs, scenario), how);
    return out;
}

indicators_result evaluate_indicators(const planning_request& request, const scenario_request& scenario,
                                      const std::string& targets, const light_thresholds& lights) {
    indicators_result out{open_planning(request), {}, {}, {}};
    out.plan = plan_of(out.session, scenario);
    if (!targets.empty()) {
        out.targets = evaluate_targets(*out.session.model, out.plan, read_targets(targets), out.report,
                                       &out.session.inputs->accessibility, lights, &out.session.inputs->observed);
    }
    return out;
}

}  // namespace microplan::geo::usecases
