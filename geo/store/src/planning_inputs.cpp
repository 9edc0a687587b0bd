#include "microplan/geo/store/planning_inputs.hpp"

#include <map>
#include <set>

#include "microplan/geo/error.hpp"
#include "microplan/geo/model/dates.hpp"

namespace microplan::geo::store {

territory read_territory(planning_store& store) {
    std::vector<level> levels;
    std::vector<std::vector<territory_unit>> tiers;
    for (level l : {level::zone, level::district, level::circuit}) {
        std::vector<territory_unit> units = store.read_unit_records(l);
        if (units.empty()) continue;
        levels.push_back(l);
        tiers.push_back(std::move(units));
    }
    if (levels.empty())
        throw store_error({store.location(), {}, {}, {}, {}}, "no planning levels",
                          "the store holds no zones, districts or circuits; import or build them first "
                          "(`microplan import`, `microplan build`, or `microplan demo`)");
    return territory(std::move(levels), std::move(tiers));
}

population_by_year read_population_years(const territory& where, planning_store& store) {
    population_by_year out;
    std::vector<std::set<int>> tier_years;
    std::set<int> years;
    for (std::size_t t = 0; t < where.tier_count(); ++t) {
        auto ys = store.population_years(where.level_of(t));
        tier_years.emplace_back(ys.begin(), ys.end());
        years.insert(ys.begin(), ys.end());
    }
    for (int y : years) {
        std::vector<population_values> tiers(where.tier_count());
        for (std::size_t t = 0; t < where.tier_count(); ++t)
            if (tier_years[t].count(y)) tiers[t] = store.read_population(where.level_of(t), y);
        out.emplace(y, std::move(tiers));
    }
    return out;
}

namespace {

// Whether an establishment is offer on `as_of` ("" = as the registry stands: not once closed).
bool in_force(const establishment& e, const std::string& as_of) {
    if (as_of.empty()) return e.closed.empty();
    if (!e.opened.empty() && !on_or_before(e.opened, as_of)) return false;
    return !on_or_before(e.closed, as_of);
}

placed_establishment placed(const territory& where, const stored_establishment& s, const establishment& e) {
    placed_establishment p;
    p.id = e.id;
    p.sector = e.sector;
    p.typology = e.typology;
    p.capacity = e.capacity;
    p.condition = e.condition;
    p.status = e.status;
    p.provider = e.provider;
    p.units.assign(where.tier_count(), -1);
    for (std::size_t t = 0; t < where.tier_count(); ++t) {
        const std::string& code = s.code(where.level_of(t));
        if (code.empty()) continue;
        if (auto i = where.find(t, code)) p.units[t] = static_cast<int>(*i);
    }
    return p;
}

bool builds_establishment(const project& p) {
    return p.status == project_status::finished && p.kind == project_kind::new_establishment;
}

}  // namespace

std::vector<placed_establishment> read_placed_establishments(const territory& where, planning_store& store,
                                                             std::vector<std::int64_t>& fids,
                                                             const std::vector<stored_project>& projects,
                                                             const std::string& as_of) {
    std::vector<placed_establishment> out;
    fids.clear();
    // A finished project names the establishment it built: the registry's has opened by its end.
    std::map<std::pair<std::string, std::string>, std::string> built;  // (sector, id) -> end
    for (const stored_project& row : projects)
        if (builds_establishment(row.attributes) && !row.attributes.establishment.empty())
            built[{row.attributes.sector, row.attributes.establishment}] = row.attributes.end;
    std::set<std::pair<std::string, std::string>> registered;
    for (const stored_establishment& s : store.read_establishments()) {
        establishment e = s.attributes;
        registered.insert({e.sector, e.id});
        if (auto b = built.find({e.sector, e.id}); b != built.end() && e.opened.empty()) e.opened = b->second;
        if (!in_force(e, as_of)) continue;
        // Before its rehabilitation it was in poor condition.
        if (!as_of.empty() && !e.rehabilitated.empty() && !on_or_before(e.rehabilitated, as_of)) e.condition = "poor";
        out.push_back(placed(where, s, e));
        fids.push_back(e.row);
    }
    // A finished project that built a new establishment the registry does not hold yet is an
    // existing establishment from its end (issue 20): counted in the offer of its unit, in good
    // condition, under its project code; its fid is the project's, negated (no establishment of
    // the store has it). As of a date it counts once it ended by then.
    for (const stored_project& row : projects) {
        const project& p = row.attributes;
        if (!builds_establishment(p)) continue;
        if (!p.establishment.empty() && registered.count({p.sector, p.establishment})) continue;
        if (!as_of.empty() && !on_or_before(p.end, as_of)) continue;
        establishment e;
        e.id = p.code;
        e.name = p.name;
        e.sector = p.sector;
        e.typology = p.typology;
        e.condition = "good";
        e.status = "existing";
        if (p.lon && p.lat) e.lon = *p.lon, e.lat = *p.lat;
        out.push_back(place_by_codes(
            where, e,
            {{level::zone, row.zone_code}, {level::district, row.district_code}, {level::circuit, row.circuit_code}}));
        fids.push_back(-row.fid);
    }
    return out;
}

planning_inputs read_planning_inputs(planning_store& store, const std::optional<standards_catalogue>& catalogue,
                                     std::optional<int> year, const std::string& as_of) {
    error_location where{store.location(), {}, {}, {}, {}};
    std::optional<standards_catalogue> c = catalogue ? catalogue : store.read_standards();
    sectors_catalogue sectors = store.read_sectors().value_or(builtin_sectors());
    if (!c)
        throw store_error(where, "no standards",
                          "the store holds no standards catalogue; import one with `microplan standards import STORE "
                          "FILE` (data/standards/ has examples) or pass --standards FILE");
    // A catalogue stored before the bounds of bounds.hpp existed may hold values they refuse (a
    // people_per_unit of 0.0001 makes plans endless): checked again on the way out.
    if (!catalogue) {
        findings problems = check_standards(*c, sectors);
        if (problems.has_errors()) {
            std::string detail =
                "the store's standards catalogue breaks the rules (import a corrected one with "
                "`microplan standards import`):";
            for (const auto& f : problems.items) detail += "\n  " + f.message + " [" + f.rule + "]";
            throw store_error(where, "invalid standards catalogue", detail);
        }
    }
    planning_inputs in{std::move(*c), read_territory(store), {}, 0, {}, {}, {}, {}, {}, std::move(sectors), {}, {}, {}};
    in.people = read_population_years(in.where, store);
    if (in.people.empty())
        throw store_error(where, "no population",
                          "the store holds no population for its planning levels; add it with `microplan population "
                          "table|raster|allocate`");
    in.year = year ? *year : store.base_population_year().value_or(in.people.begin()->first);
    // As of a date: that year's population when the store has it.
    if (!year && !as_of.empty() && in.people.count(date_year(as_of))) in.year = date_year(as_of);
    in.as_of = as_of;
    for (std::size_t t = 0; t < in.where.tier_count(); ++t)
        in.attributes.push_back(store.read_attributes(in.where.level_of(t), as_of));
    in.projects = store.read_projects();
    in.establishments = read_placed_establishments(in.where, store, in.establishment_fids, in.projects, as_of);
    in.accessibility = accessibility_index(store.read_accessibility());
    std::vector<observation> observed;
    for (auto& o : store.read_observations()) observed.push_back(std::move(o.attributes));
    in.observed = known_on(observed, as_of);
    in.budget = store.read_budget_scenarios();
    if (in.budget) {
        auto problems = check_budget_scenarios(*in.budget);
        if (!problems.empty()) {
            std::string detail =
                "the store's budget scenarios break the rules (import corrected ones with `microplan budget import`):";
            for (const auto& p : problems) detail += "\n  " + p;
            throw store_error(where, "invalid budget scenarios", detail);
        }
    }
    return in;
}

}  // namespace microplan::geo::store
