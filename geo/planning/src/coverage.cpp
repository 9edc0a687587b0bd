#include "microplan/geo/planning/coverage.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

#include "microplan/geo/error.hpp"
#include "microplan/geo/model/bounds.hpp"

namespace microplan::geo {

territory::territory(std::vector<level> levels, std::vector<std::vector<territory_unit>> tiers)
    : levels_(std::move(levels)), tiers_(std::move(tiers)) {
    assert(levels_.size() == tiers_.size());
    index_.resize(tiers_.size());
    parents_.resize(tiers_.size());
    children_.resize(tiers_.size());
    for (std::size_t t = 0; t < tiers_.size(); ++t) {
        for (std::size_t i = 0; i < tiers_[t].size(); ++i) index_[t].emplace(tiers_[t][i].code, i);
        parents_[t].assign(tiers_[t].size(), -1);
        children_[t].resize(tiers_[t].size());
    }
    for (std::size_t t = 1; t < tiers_.size(); ++t) {
        for (std::size_t i = 0; i < tiers_[t].size(); ++i) {
            const auto& u = tiers_[t][i];
            auto p = find(t - 1, u.parent_code);
            if (!p) {
                finding f;
                f.rule = "hierarchy.parent_missing";
                f.lvl = levels_[t];
                f.code = u.code;
                f.message = std::string(level_name(levels_[t])) + " " + u.code + " has parent '" + u.parent_code +
                            "', which is not a " + std::string(level_name(levels_[t - 1])) +
                            "; it counts in the national totals only";
                report_.add(std::move(f));
                continue;
            }
            parents_[t][i] = static_cast<int>(*p);
            children_[t - 1][*p].push_back(static_cast<int>(i));
        }
    }
    for (std::size_t t = 0; t < tiers_.size(); ++t)
        for (std::size_t i = 0; i < tiers_[t].size(); ++i)
            if (parents_[t][i] < 0) roots_.emplace_back(t, i);
}

std::optional<std::size_t> territory::tier_of(level l) const {
    for (std::size_t t = 0; t < levels_.size(); ++t)
        if (levels_[t] == l) return t;
    return std::nullopt;
}

std::optional<std::size_t> territory::find(std::size_t tier, const std::string& code) const {
    auto it = index_[tier].find(code);
    if (it == index_[tier].end()) return std::nullopt;
    return it->second;
}

placed_establishment place_by_codes(const territory& t, const establishment& e,
                                    const std::map<level, std::string>& codes) {
    placed_establishment p;
    p.id = e.id;
    p.sector = e.sector;
    p.typology = e.typology;
    p.capacity = e.capacity;
    if (e.staff) p.staff = static_cast<double>(*e.staff);
    p.condition = e.condition;
    p.status = e.status;
    p.provider = e.provider;
    p.units.assign(t.tier_count(), -1);
    for (std::size_t tier = 0; tier < t.tier_count(); ++tier) {
        auto it = codes.find(t.level_of(tier));
        if (it == codes.end() || it->second.empty()) continue;
        if (auto i = t.find(tier, it->second)) p.units[tier] = static_cast<int>(*i);
    }
    return p;
}

offer& offer::operator+=(const offer& o) {
    demand += o.demand;
    ideal += o.ideal;
    current += o.current;
    deficit += o.deficit;
    surplus += o.surplus;
    covered += o.covered;
    capacity_current += o.capacity_current;
    capacity_ideal += o.capacity_ideal;
    capacity_deficit += o.capacity_deficit;
    staff_current += o.staff_current;
    staff_ideal += o.staff_ideal;
    staff_deficit += o.staff_deficit;
    staff_cost += o.staff_cost;
    rehabilitation += o.rehabilitation;
    rehabilitation_cost += o.rehabilitation_cost;
    good += o.good;
    fair += o.fair;
    poor += o.poor;
    unknown_condition += o.unknown_condition;
    investment += o.investment;
    recurrent += o.recurrent;
    expansion += o.expansion;
    expansion_cost += o.expansion_cost;
    minimum += o.minimum;
    minimum_deficit += o.minimum_deficit;
    return *this;
}

namespace {
constexpr std::size_t inactive = static_cast<std::size_t>(-1);
}

coverage_model::coverage_model(const standards_catalogue& catalogue, const territory& where,
                               std::vector<population_values> population, std::vector<unit_attributes> attributes,
                               coverage_options options)
    : catalogue_(catalogue), where_(&where), options_(options) {
    attributes.resize(where.tier_count());
    attributes_ = std::make_shared<const std::vector<unit_attributes>>(std::move(attributes));
    std::size_t n = catalogue_.items.size();
    standard_tier_.assign(n, inactive);
    for (std::size_t s = 0; s < n; ++s) {
        const standard& st = catalogue_.items[s];
        if (st.lvl == level::nation && st.rule != standard_rule::households) {
            standard_tier_[s] = nation_tier;
            continue;
        }
        if (auto t = where.tier_of(st.lvl)) {
            standard_tier_[s] = *t;
            continue;
        }
        finding f;
        f.rule = "standards.level_absent";
        f.lvl = st.lvl;
        f.feature = st.line;
        f.message =
            catalogue_.source + ", line " + std::to_string(st.line) + ": the " + st.sector + " standard for " +
            st.typology + " applies to " +
            (st.lvl == level::nation ? std::string("the nation, where a network has no households")
                                     : std::string(level_table(st.lvl)) + ", which this territory does not have") +
            "; it is left out";
        report_.add(std::move(f));
    }
    report_.append(where.report());
    people_ = count_people(std::move(population));
    work_.resize(n);
    offers_.resize(n);
    national_.assign(n, offer{});
    members_.resize(n);
    for (std::size_t s = 0; s < n; ++s) {
        if (!active(s)) continue;
        if (national_level(s)) {
            work_[s].assign(1, plan_work{});
            members_[s].assign(1, {});
            continue;
        }
        std::size_t st = standard_tier_[s];
        work_[s].assign(where.units(st).size(), plan_work{});
        members_[s].assign(where.units(st).size(), {});
        offers_[s].resize(st + 1);
        for (std::size_t t = 0; t <= st; ++t) offers_[s][t].assign(where.units(t).size(), offer{});
    }
    report_.append(people_->report);
    read_networks();
    recompute();
}

namespace {

// Population reaches the model from tables, rasters, projections and the store; whatever the
// road, a value beyond the world's population would make the ideal offer uncountable (and the
// plan endless), so it is refused here too, naming the unit and the band.
void check_population(const territory& where, const std::vector<population_values>& population) {
    for (std::size_t t = 0; t < population.size() && t < where.tier_count(); ++t)
        for (const auto& [band, values] : population[t])
            for (const auto& [code, people] : values)
                if (!bounds::within(people, bounds::people))
                    throw format_error({{}, std::string(level_table(where.level_of(t))), {}, band, code},
                                       "population out of range",
                                       "the " + band + " population of " + std::string(level_name(where.level_of(t))) +
                                           " " + code + ": " + bounds::violation(people, bounds::people) +
                                           "; import the population again from a correct source");
}

// Bottom-up: a band a tier lacks is the sum of its children's.
void fill_population(const territory& where, std::vector<population_values>& population) {
    for (std::size_t t = where.tier_count(); t-- > 1;) {
        auto& child = population[t];
        auto& parent = population[t - 1];
        for (const auto& [band, values] : child) {
            if (parent.count(band)) continue;
            auto& sums = parent[band];
            for (std::size_t i = 0; i < where.units(t).size(); ++i) {
                int p = where.parent(t, i);
                if (p < 0) continue;
                auto v = values.find(where.units(t)[i].code);
                if (v != values.end()) sums[where.units(t - 1)[static_cast<std::size_t>(p)].code] += v->second;
            }
        }
    }
}

// People of a band in the nation: the sum over the units the nation sums.
double national_band(const territory& where, const std::vector<population_values>& population,
                     const std::string& band) {
    double sum = 0;
    for (auto [t, i] : where.roots()) {
        auto b = population[t].find(band);
        if (b == population[t].end()) continue;
        if (auto v = b->second.find(where.units(t)[i].code); v != b->second.end()) sum += v->second;
    }
    return sum;
}

}  // namespace

std::shared_ptr<const coverage_model::year_people> coverage_model::count_people(
    std::vector<population_values> population) const {
    auto p = std::make_shared<year_people>();
    p->where = where_;
    p->standards = catalogue_.items.size();
    p->population = std::move(population);
    p->population.resize(where_->tier_count());
    check_population(*where_, p->population);
    fill_population(*where_, p->population);
    // Each unit's people (the total band), matched once per tier: population(), and the weights
    // of every endogenisation factor and the dispersion factor's denominator.
    p->totals.resize(where_->tier_count());
    for (std::size_t t = 0; t < where_->tier_count(); ++t) {
        auto& totals = p->totals[t];
        totals.assign(where_->units(t).size(), 0.0);
        if (auto b = p->population[t].find(total_band); b != p->population[t].end())
            where_->each_matched(t, b->second, [&](std::size_t i, double n) { totals[i] = n; });
    }
    compute_demand(*p);
    return p;
}

void coverage_model::read_networks() {
    households_.assign(catalogue_.items.size(), {});
    connected_.assign(catalogue_.items.size(), {});
    for (std::size_t s = 0; s < catalogue_.items.size(); ++s) {
        const standard& st = catalogue_.items[s];
        if (!active(s) || national_level(s) || st.rule != standard_rule::households) continue;
        const std::size_t tier = standard_tier_[s];
        const auto& units = where_->units(tier);
        const auto& attributes = (*attributes_)[tier];
        for (auto [name, out] : {std::pair{st.sector + "_households", &households_[s]},
                                 std::pair{st.sector + "_connected", &connected_[s]}}) {
            out->assign(units.size(), 0.0);
            auto a = attributes.find(name);
            if (a == attributes.end()) {
                finding f;
                f.rule = "standards.network_data_missing";
                f.lvl = st.lvl;
                f.feature = st.line;
                f.message = catalogue_.source + ", line " + std::to_string(st.line) + ": the " + st.sector +
                            " network has no '" + name + "' for the " + std::string(level_table(st.lvl)) +
                            "; import it with `microplan attributes --name " + name + "` (counted as 0)";
                report_.add(std::move(f));
                continue;
            }
            for (std::size_t i = 0; i < units.size(); ++i)
                if (auto v = a->second.find(units[i].code); v != a->second.end()) (*out)[i] = std::max(0.0, v->second);
        }
    }
}

namespace {

[[noreturn]] void band_missing(const std::string& source, const standard& st, const std::string& band,
                               const population_values& people) {
    std::string have;
    for (const auto& [b, v] : people) have += (have.empty() ? "" : ", ") + b;
    throw format_error({source, {}, st.line, "target_group", {}}, "population band missing",
                       "the " + st.sector + " standard for " + st.typology + " counts people aged " + band +
                           ", but the population of the " + std::string(level_table(st.lvl)) +
                           " has no such band (it has: " + (have.empty() ? "none" : have) +
                           "); import it with `microplan population table --band " + band + "=FIELD`");
}

}  // namespace

void coverage_model::compute_demand(year_people& p) const {
    const std::vector<population_values>& population = p.population;
    p.demand.assign(catalogue_.items.size(), {});
    for (std::size_t s = 0; s < catalogue_.items.size(); ++s) {
        if (!active(s)) continue;
        const standard& st = catalogue_.items[s];
        if (national_level(s)) {
            // The nation's people of the target group: one unit, no endogenisation (a factor of
            // the national mean against itself is 1).
            p.demand[s].assign(1, 0.0);
            for (const auto& band : st.target_bands) {
                if (where_->tier_count() > 0 && !population[0].count(band))
                    band_missing(catalogue_.source, st, band, population[0]);
                p.demand[s][0] += national_band(*where_, population, band);
            }
            continue;
        }
        std::size_t tier = standard_tier_[s];
        const auto& units = where_->units(tier);
        const auto& people = population[tier];
        auto& demand = p.demand[s];
        demand.assign(units.size(), 0.0);
        for (const auto& band : st.target_bands) {
            auto values = people.find(band);
            if (values == people.end()) band_missing(catalogue_.source, st, band, people);
            where_->each_matched(tier, values->second, [&](std::size_t i, double v) { demand[i] += v; });
        }
        // Endogenisation factors.
        for (const auto& factor : st.factors) {
            const std::vector<double>& weight = p.totals[tier];
            std::vector<std::optional<double>> x(units.size());
            if (factor.attribute == "dispersion") {
                for (std::size_t i = 0; i < units.size(); ++i)
                    if (weight[i] > 0) x[i] = units[i].area_km2 / (weight[i] / 1000.0);
            } else {
                auto a = (*attributes_)[tier].find(factor.attribute);
                if (a == (*attributes_)[tier].end()) {
                    finding f;
                    f.rule = "standards.factor_missing";
                    f.lvl = st.lvl;
                    f.feature = st.line;
                    f.message = catalogue_.source + ", line " + std::to_string(st.line) + ": factor '" +
                                factor.attribute + "' has no values for the " + std::string(level_table(st.lvl)) +
                                "; the standard is applied without it (import them with `microplan attributes`)";
                    p.report.add(std::move(f));
                    continue;
                }
                where_->each_matched(tier, a->second, [&](std::size_t i, double v) { x[i] = v; });
            }
            double wsum = 0, xsum = 0;
            std::size_t missing = 0;
            for (std::size_t i = 0; i < units.size(); ++i) {
                double w = weight[i];
                if (!x[i]) {
                    ++missing;
                    continue;
                }
                wsum += w;
                xsum += w * *x[i];
            }
            if (missing) {
                finding f;
                f.rule = "standards.factor_incomplete";
                f.lvl = st.lvl;
                f.feature = st.line;
                f.message = catalogue_.source + ", line " + std::to_string(st.line) + ": factor '" + factor.attribute +
                            "' has no value for " + std::to_string(missing) + " of " + std::to_string(units.size()) +
                            " " + std::string(level_table(st.lvl)) + "; those keep their demand unadjusted";
                p.report.add(std::move(f));
            }
            if (!(wsum > 0) || !(xsum > 0)) continue;
            double mean = xsum / wsum;
            for (std::size_t i = 0; i < units.size(); ++i)
                if (x[i]) demand[i] *= std::clamp(1.0 + factor.weight * (*x[i] / mean - 1.0), 0.5, 2.0);
        }
    }
}

std::optional<std::size_t> coverage_model::governing(const placed_establishment& e) const {
    if (e.status == "proposed" ? !options_.include_proposed : e.status != "existing" && !e.status.empty())
        return std::nullopt;
    if (e.provider == "private" && !options_.include_private) return std::nullopt;
    const standard* s = catalogue_.governing(e.sector, e.typology);
    if (!s) return std::nullopt;
    auto i = static_cast<std::size_t>(s - catalogue_.items.data());
    if (!active(i) || own_unit(i, e) < 0) return std::nullopt;
    return i;
}

int coverage_model::own_unit(std::size_t s, const placed_establishment& e) const {
    if (national_level(s))  // anywhere in the territory
        return std::any_of(e.units.begin(), e.units.end(), [](int u) { return u >= 0; }) ? 0 : -1;
    const std::size_t tier = standard_tier_[s];
    return tier < e.units.size() ? e.units[tier] : -1;
}

offer& coverage_model::slot(std::size_t s, std::size_t unit) {
    return national_level(s) ? national_[s] : offers_[s][standard_tier_[s]][unit];
}

std::size_t coverage_model::unit_count(std::size_t s) const {
    if (!active(s)) return 0;
    return national_level(s) ? 1 : where_->units(standard_tier_[s]).size();
}

const offer& coverage_model::own(std::size_t s, std::size_t unit) const {
    assert(active(s) && unit < unit_count(s));
    return national_level(s) ? national_[s] : offers_[s][standard_tier_[s]][unit];
}

const std::string& coverage_model::unit_code(std::size_t s, std::size_t unit) const {
    static const std::string nation = "nation";
    return national_level(s) ? nation : where_->units(standard_tier_[s])[unit].code;
}

namespace {

// A count that should be whole up to binary noise, rounded up: 2.0000000001 -> 2.
double whole_up(double x) { return x > 0 ? std::ceil(x - 1e-9) : 0.0; }

}  // namespace

void coverage_model::refresh_network(std::size_t s, std::size_t unit) {
    const standard& st = catalogue_.items[s];
    offer o;
    o.demand = people_->demand[s][unit];
    o.ideal = round_ideal(households_[s][unit] * st.target_pct / 100.0, st.rounding);
    o.current = connected_[s][unit] + work_[s][unit].built;  // plans connect households
    o.deficit = std::max(0.0, o.ideal - o.current);
    o.surplus = std::max(0.0, o.current - o.ideal);
    o.covered = std::min(o.current, o.ideal);
    o.investment = o.deficit * st.investment_cost;
    o.recurrent = o.deficit * st.recurrent_cost;
    slot(s, unit) = o;
}

void coverage_model::refresh(std::size_t s, std::size_t unit) {
    const standard& st = catalogue_.items[s];
    if (st.rule == standard_rule::households) return refresh_network(s, unit);
    tally t;
    for (std::size_t h : members_[s][unit]) {
        const auto& e = rows_[h];
        const double places = e.capacity.value_or(st.capacity);
        t.count += 1;
        t.capacity += places;
        t.staff += e.staff.value_or(st.staff);
        if (e.condition == "good")
            t.good += 1;
        else if (e.condition == "fair")
            t.fair += 1;
        else if (e.condition == "poor")
            t.poor += 1, t.poor_capacity += places;
        else
            t.unknown += 1;
    }
    const plan_work& w = work_[s][unit];
    // Rehabilitated by plans: good from then on (their places in proportion).
    const double rehabilitated = std::clamp(w.rehabilitated, 0.0, t.poor);
    if (t.poor > 0) t.poor_capacity *= (t.poor - rehabilitated) / t.poor;
    t.poor -= rehabilitated;
    t.good += rehabilitated;
    // Built by plans: good condition, the standard's capacity; expansions add places.
    t.count += w.built;
    t.capacity += w.built * st.capacity + w.expanded;
    t.staff += w.built * st.staff;
    t.good += w.built;

    offer o;
    o.demand = people_->demand[s][unit];
    double ideal = 0;
    if (st.rule == standard_rule::population)
        ideal = st.people_per_unit > 0 ? o.demand / st.people_per_unit : 0;
    else
        ideal = o.demand > 0 ? st.units_per_territory : 0;
    o.ideal = round_ideal(ideal, st.rounding);
    // A poor establishment out of the offer until rehabilitated, when the options say so.
    o.current = options_.poor_counts ? t.count : t.count - t.poor;
    const double places = options_.poor_counts ? t.capacity : t.capacity - t.poor_capacity;
    o.surplus = std::max(0.0, o.current - o.ideal);
    o.capacity_current = t.capacity;
    o.capacity_ideal = o.ideal * st.capacity;
    o.capacity_deficit = std::max(0.0, o.capacity_ideal - o.capacity_current);
    o.good = t.good;
    o.fair = t.fair;
    o.poor = t.poor;
    o.unknown_condition = t.unknown;
    // Every poor establishment is rehabilitated; when poor ones are out of the offer, each
    // rehabilitation fills one missing establishment (its places), built new only beyond them.
    o.rehabilitation = t.poor;
    o.rehabilitation_cost = t.poor * st.rehabilitation_usd();
    double to_build = 0;
    if (st.expands()) {
        // The gap in places: expansion of what exists (up to its limit) first, new ones beyond.
        double gap = o.capacity_ideal - places;
        if (gap < 1e-9) gap = 0;
        const double after_rehabilitation = options_.poor_counts ? gap : std::max(0.0, gap - t.poor_capacity);
        const double room = expansion_room(s, unit);
        o.expansion = std::min(after_rehabilitation, room);
        o.expansion_cost = o.expansion * st.expansion_cost;
        o.deficit = whole_up((gap - o.expansion) / st.capacity);
        o.covered = std::min(places, o.capacity_ideal) / st.capacity;
        to_build = whole_up((after_rehabilitation - o.expansion) / st.capacity);
    } else {
        o.deficit = std::max(0.0, o.ideal - o.current);
        o.covered = std::min(o.current, o.ideal);
        to_build = options_.poor_counts ? o.deficit : std::max(0.0, o.deficit - t.poor);
    }
    if (st.rule == standard_rule::population && st.minimum_people_per_unit > 0) {
        o.minimum = round_ideal(o.demand / st.minimum_people_per_unit, st.rounding);
        const double supply = st.expands() ? places / st.capacity : o.current;
        o.minimum_deficit = whole_up(o.minimum - supply);
    }
    if (st.staff > 0) {
        o.staff_current = t.staff;
        o.staff_ideal = o.ideal * st.staff;
        o.staff_deficit = std::max(0.0, o.staff_ideal - o.staff_current);
        // Missing in post where establishments stand: the ideal's staff of the establishments
        // counted (up to the ideal) less those in post.
        o.staff_cost = std::max(0.0, std::min(o.current, o.ideal) * st.staff - o.staff_current) * st.salary;
    }
    o.investment = to_build * st.investment_cost + o.rehabilitation_cost + o.expansion_cost;
    const double expansion_running = st.expands() ? o.expansion / st.capacity * st.recurrent_cost : 0.0;
    o.recurrent = o.deficit * st.recurrent_cost + o.staff_cost + expansion_running;
    slot(s, unit) = o;
}

void coverage_model::roll_up(std::size_t s, std::size_t tier, std::size_t unit) {
    offer sum;
    for (int c : where_->children(tier, unit)) sum += offers_[s][tier + 1][static_cast<std::size_t>(c)];
    offers_[s][tier][unit] = sum;
}

void coverage_model::refresh_ancestors(std::size_t s, std::size_t unit) {
    if (national_level(s)) return;  // its one unit is the nation
    std::size_t tier = standard_tier_[s];
    int p = where_->parent(tier, unit);
    while (p >= 0 && tier > 0) {
        --tier;
        roll_up(s, tier, static_cast<std::size_t>(p));
        p = where_->parent(tier, static_cast<std::size_t>(p));
    }
    sum_national(s);
}

void coverage_model::roll_up_all(std::size_t s) {
    if (national_level(s)) return refresh(s, 0);
    std::size_t st = standard_tier_[s];
    for (std::size_t i = 0; i < offers_[s][st].size(); ++i) refresh(s, i);
    for (std::size_t t = st; t-- > 0;)
        for (std::size_t i = 0; i < offers_[s][t].size(); ++i) roll_up(s, t, i);
    sum_national(s);
}

void coverage_model::sum_national(std::size_t s) {
    if (national_level(s)) return;  // refresh() writes the nation itself
    offer sum;
    for (auto [t, i] : where_->roots())
        if (t <= standard_tier_[s]) sum += offers_[s][t][i];
    national_[s] = sum;
}

void coverage_model::recompute() {
    for (std::size_t s = 0; s < catalogue_.items.size(); ++s)
        if (active(s)) roll_up_all(s);
}

void coverage_model::count(std::size_t handle, bool in) {
    auto s = governing(rows_[handle]);
    if (!s) return;
    const auto unit = static_cast<std::size_t>(own_unit(*s, rows_[handle]));
    auto& list = members_[*s][unit];
    if (in) {
        list.insert(std::lower_bound(list.begin(), list.end(), handle), handle);
    } else {
        list.erase(std::remove(list.begin(), list.end(), handle), list.end());
    }
    refresh(*s, unit);
    refresh_ancestors(*s, unit);
}

void coverage_model::set_establishments(std::span<const placed_establishment> rows) {
    rows_.assign(rows.begin(), rows.end());
    live_.assign(rows_.size(), true);
    for (auto& per_standard : members_)
        for (auto& list : per_standard) list.clear();
    // Existing establishments left out, per sector: no standard for their typology, or no
    // unit at the standard's level.
    std::map<std::string, std::pair<std::size_t, std::size_t>> left_out;
    std::erase_if(report_.items, [](const finding& f) { return f.rule == "coverage.not_counted"; });
    for (std::size_t h = 0; h < rows_.size(); ++h) {
        auto s = governing(rows_[h]);
        if (!s) {
            const auto& e = rows_[h];
            if (e.status != "existing" && !e.status.empty()) continue;
            if (catalogue_.governing(e.sector, e.typology))
                ++left_out[e.sector].second;
            else
                ++left_out[e.sector].first;
            continue;
        }
        members_[*s][static_cast<std::size_t>(own_unit(*s, rows_[h]))].push_back(h);
    }
    for (const auto& [sector, n] : left_out) {
        finding f;
        f.rule = "coverage.not_counted";
        f.sev = severity::info;
        f.message = std::to_string(n.first + n.second) + " existing " + sector +
                    " establishment(s) are not counted: " + std::to_string(n.first) +
                    " have no standard for their typology, " + std::to_string(n.second) +
                    " lie in no unit of their standard's level";
        report_.add(std::move(f));
    }
    recompute();
}

void coverage_model::set_population(std::vector<population_values> population) {
    auto p = count_people(std::move(population));
    report_.append(p->report);
    people_ = std::move(p);
    recompute();
}

void coverage_model::set_people(std::shared_ptr<const year_people> people) {
    if (!people || people->where != where_ || people->standards != catalogue_.items.size())
        throw std::invalid_argument("coverage_model::set_people: people counted for another territory or catalogue");
    people_ = std::move(people);
    recompute();
}

std::size_t coverage_model::add(placed_establishment e) {
    rows_.push_back(std::move(e));
    live_.push_back(true);
    count(rows_.size() - 1, true);
    return rows_.size() - 1;
}

void coverage_model::remove(std::size_t handle) {
    if (!is_live(handle)) return;
    count(handle, false);
    live_[handle] = false;
}

void coverage_model::restore(std::size_t handle) {
    if (handle >= rows_.size() || live_[handle]) return;
    live_[handle] = true;
    count(handle, true);
}

void coverage_model::move(std::size_t handle, std::vector<int> units) {
    if (!is_live(handle)) return;
    count(handle, false);
    rows_[handle].units = std::move(units);
    count(handle, true);
}

void coverage_model::change_work(std::size_t s, std::size_t unit, double plan_work::*what, double amount) {
    work_[s][unit].*what += amount;
    refresh(s, unit);
    refresh_ancestors(s, unit);
}

void coverage_model::add_built(std::size_t s, std::size_t unit, double n) {
    change_work(s, unit, &plan_work::built, n);
}

void coverage_model::add_rehabilitated(std::size_t s, std::size_t unit, double n) {
    change_work(s, unit, &plan_work::rehabilitated, n);
}

void coverage_model::add_expanded(std::size_t s, std::size_t unit, double places) {
    change_work(s, unit, &plan_work::expanded, places);
}

double coverage_model::expansion_room(std::size_t s, std::size_t unit) const {
    const standard& st = catalogue_.items[s];
    if (!st.expands()) return 0;
    return std::max(0.0, static_cast<double>(members_[s][unit].size()) * st.expansion_limit - work_[s][unit].expanded);
}

const offer& coverage_model::at(std::size_t s, std::size_t tier, std::size_t unit) const {
    assert(defined_at(s, tier));
    return offers_[s][tier][unit];
}

void coverage_model::add_to_sector(offer& sum, std::size_t s, const offer& o, bool every_sector) const {
    if (!every_sector || catalogue_.items[s].rule != standard_rule::households) {
        sum += o;
        return;
    }
    // Households do not add to establishments: across sectors a network counts its money only.
    sum.investment += o.investment;
    sum.recurrent += o.recurrent;
}

bool coverage_model::network_sector(const std::string& sector) const { return catalogue_.is_network(sector); }

bool coverage_model::national_only(const std::string& sector) const {
    if (sector_tier(sector)) return false;
    for (std::size_t s = 0; s < catalogue_.items.size(); ++s)
        if (catalogue_.items[s].sector == sector && national_level(s)) return true;
    return false;
}

offer coverage_model::sector_offer(const std::string& sector, std::size_t tier, std::size_t unit) const {
    offer sum;
    for (std::size_t s = 0; s < catalogue_.items.size(); ++s)
        if (defined_at(s, tier) && (sector.empty() || catalogue_.items[s].sector == sector))
            add_to_sector(sum, s, offers_[s][tier][unit], sector.empty());
    return sum;
}

std::optional<std::size_t> coverage_model::sector_tier(const std::string& sector) const {
    std::optional<std::size_t> finest;
    for (std::size_t s = 0; s < catalogue_.items.size(); ++s)
        if (active(s) && !national_level(s) && (sector.empty() || catalogue_.items[s].sector == sector))
            finest = std::max(finest.value_or(0), standard_tier_[s]);
    return finest;
}

offer coverage_model::sector_national(const std::string& sector) const {
    offer sum;
    for (std::size_t s = 0; s < catalogue_.items.size(); ++s)
        if (active(s) && (sector.empty() || catalogue_.items[s].sector == sector))
            add_to_sector(sum, s, national_[s], sector.empty());
    return sum;
}

double coverage_model::population(std::size_t tier, std::size_t unit) const { return people_->totals[tier][unit]; }

double coverage_model::national_population() const {
    double sum = 0;
    for (std::size_t i = 0; i < where_->units(0).size(); ++i) sum += population(0, i);
    return sum;
}

}  // namespace microplan::geo
