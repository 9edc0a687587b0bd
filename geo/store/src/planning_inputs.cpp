#include "microplan/geo/store/planning_inputs.hpp"

#include <set>

#include "microplan/geo/error.hpp"

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

std::vector<placed_establishment> read_placed_establishments(const territory& where, planning_store& store,
                                                             std::vector<std::int64_t>& fids) {
    std::vector<placed_establishment> out;
    fids.clear();
    for (const stored_establishment& s : store.read_establishments()) {
        const establishment& e = s.attributes;
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
        out.push_back(std::move(p));
        fids.push_back(e.row);
    }
    return out;
}

namespace {

// A finished project that built a new establishment is an existing establishment from then on
// (issue 20): counted in the offer of its unit, in good condition, under its project code; its
// fid is the project's, negated (no establishment of the store has it).
void add_finished_projects(planning_inputs& in, planning_store& store) {
    for (const stored_project& row : store.read_projects()) {
        const project& p = row.attributes;
        if (p.status != project_status::finished || p.kind != project_kind::new_establishment) continue;
        establishment e;
        e.id = p.code;
        e.name = p.name;
        e.sector = p.sector;
        e.typology = p.typology;
        e.condition = "good";
        e.status = "existing";
        if (p.lon && p.lat) e.lon = *p.lon, e.lat = *p.lat;
        in.establishments.push_back(place_by_codes(
            in.where, e,
            {{level::zone, row.zone_code}, {level::district, row.district_code}, {level::circuit, row.circuit_code}}));
        in.establishment_fids.push_back(-row.fid);
    }
}

}  // namespace

planning_inputs read_planning_inputs(planning_store& store, const std::optional<standards_catalogue>& catalogue,
                                     std::optional<int> year) {
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
    planning_inputs in{std::move(*c), read_territory(store), {}, 0, {}, {}, {}, {}, {}, std::move(sectors)};
    in.people = read_population_years(in.where, store);
    if (in.people.empty())
        throw store_error(where, "no population",
                          "the store holds no population for its planning levels; add it with `microplan population "
                          "table|raster|allocate`");
    in.year = year ? *year : store.base_population_year().value_or(in.people.begin()->first);
    for (std::size_t t = 0; t < in.where.tier_count(); ++t)
        in.attributes.push_back(store.read_attributes(in.where.level_of(t)));
    in.establishments = read_placed_establishments(in.where, store, in.establishment_fids);
    add_finished_projects(in, store);
    in.accessibility = accessibility_index(store.read_accessibility());
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
