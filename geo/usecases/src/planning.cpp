#include "microplan/geo/usecases/planning.hpp"

#include <algorithm>
#include <optional>

#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::usecases {

closing_plan plan_for(const coverage_model& model, const store::planning_inputs& inputs, const std::string& scenario,
                      double moderate_budget, double growth, int last_year) {
    double base = moderate_budget > 0 ? moderate_budget : 0.20 * model.sector_national("").investment;
    plan_options o;
    for (const auto& s : standard_scenarios(base, growth))
        if (s.name == scenario) o.scenario = s;
    o.first_year = inputs.year;
    o.last_year = std::max(inputs.year, last_year);
    return plan_closing(model, inputs.people, o);
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
        s.inputs = std::make_unique<store::planning_inputs>(
            store::read_planning_inputs(*db, c, request.year ? std::optional<int>(request.year) : std::nullopt));
    }
    s.model =
        std::make_unique<coverage_model>(make_model(*s.inputs, {request.include_proposed, request.include_private}));
    return s;
}

namespace {

closing_plan plan_of(const planning_session& s, const scenario_request& scenario) {
    return plan_for(*s.model, *s.inputs, scenario.scenario, scenario.budget, scenario.growth, scenario.last_year);
}

}  // namespace

coverage_result compute_coverage(const coverage_request& request) {
    // Saved results are of the inputs read: no other writer between the read and the write.
    std::optional<store::write_lock> lock;
    if (request.save) lock.emplace(request.base.store);
    planning_session s = open_planning(request.base);
    coverage_query q = request.query;
    q.sector = canonical_sector(q.sector);
    coverage_result out{coverage_rows(*s.model, q), s.model->report(), s.inputs->year};
    if (request.save)
        store::update_atomically(*lock,
                                 [&](store::planning_store& db) { db.write_coverage(*s.model, s.inputs->year); });
    return out;
}

unit_report report_unit(const planning_request& request, const scenario_request& scenario, level lvl,
                        const std::string& code) {
    planning_session s = open_planning(request);
    closing_plan p = plan_of(s, scenario);
    return make_unit_report(*s.model, lvl, code, &p, s.inputs->year);
}

std::vector<ranking_row> rank_store_units(const planning_request& request, level lvl, const std::string& sector) {
    planning_session s = open_planning(request);
    return rank_units(*s.model, lvl, canonical_sector(sector));
}

plan_result plan_store(const planning_request& request, const scenario_request& scenario) {
    plan_result out{open_planning(request), {}};
    out.plan = plan_of(out.session, scenario);
    return out;
}

indicators_result evaluate_indicators(const planning_request& request, const scenario_request& scenario,
                                      const std::string& targets) {
    indicators_result out{open_planning(request), {}, {}, {}};
    out.plan = plan_of(out.session, scenario);
    if (!targets.empty())
        out.targets = evaluate_targets(*out.session.model, out.plan, read_targets(targets), out.report,
                                       &out.session.inputs->accessibility);
    return out;
}

}  // namespace microplan::geo::usecases
