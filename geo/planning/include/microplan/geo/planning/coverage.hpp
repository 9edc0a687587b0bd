#pragma once
// Current offer, ideal offer, deficit (brecha) and its cost, per unit and standard, rolled
// up from the standard's level to every level above and the nation. The method (docs/planning.md,
// "Coverage and deficit"):
//   demand    people of the standard's target group in the unit × endogenisation factors
//   ideal     round(demand / people_per_unit) (rule population) or units_per_territory in every
//             populated unit (rule per_unit), rounded by the standard's rounding rule
//   current   existing establishments governed by the standard, placed in the unit; by
//             condition; their capacity (a missing capacity counts as the standard's)
//   deficit   max(0, ideal − current) in the unit: a surplus in one unit never fills another's
//             gap, so a parent's deficit is the sum of its children's
//   covered   min(current, ideal); coverage % = 100 × covered / ideal (100 when ideal is 0)
//   cost      deficit × investment cost, deficit × yearly recurrent cost
// Every additive quantity of a parent is the sum of its children, in child order, so that
// roll-ups are exact and incremental updates give the same numbers as a full recompute.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/population/population.hpp"

namespace microplan::geo {

// The planning hierarchy without geometry: tiers from the top (zone) down (circuit).
struct territory_unit {
    std::string code;
    std::string name;
    std::string parent_code;
    double area_km2 = 0;
};

class territory {
public:
    // `tiers` top-down, each with the units of one level; parents are resolved by code in
    // the tier above. Units whose parent is missing are reported and roll up to the nation only.
    territory(std::vector<level> levels, std::vector<std::vector<territory_unit>> tiers);

    [[nodiscard]] std::size_t tier_count() const noexcept { return levels_.size(); }
    [[nodiscard]] level level_of(std::size_t tier) const { return levels_[tier]; }
    [[nodiscard]] std::optional<std::size_t> tier_of(level l) const;
    [[nodiscard]] const std::vector<territory_unit>& units(std::size_t tier) const { return tiers_[tier]; }
    [[nodiscard]] int parent(std::size_t tier, std::size_t unit) const { return parents_[tier][unit]; }
    [[nodiscard]] const std::vector<int>& children(std::size_t tier, std::size_t unit) const {
        return children_[tier][unit];
    }
    [[nodiscard]] std::optional<std::size_t> find(std::size_t tier, const std::string& code) const;
    // f(unit index, value) for every unit of `tier` whose code `values` holds, the unit find()
    // gives: one pass over the two code-sorted key sets instead of a search per unit.
    template <class Value, class F>
    void each_matched(std::size_t tier, const std::map<std::string, Value>& values, F&& f) const {
        auto u = index_[tier].begin();
        const auto units_end = index_[tier].end();
        for (auto v = values.begin(); v != values.end() && u != units_end;) {
            if (v->first < u->first)
                ++v;
            else if (u->first < v->first)
                ++u;
            else
                f(u++->second, (v++)->second);
        }
    }
    // The units the nation sums: every unit of the top tier and units below without a
    // parent, as (tier, unit), top-down.
    [[nodiscard]] const std::vector<std::pair<std::size_t, std::size_t>>& roots() const noexcept { return roots_; }
    [[nodiscard]] const findings& report() const noexcept { return report_; }

private:
    std::vector<level> levels_;
    std::vector<std::vector<territory_unit>> tiers_;
    std::vector<std::vector<int>> parents_;                // -1: no parent (nation)
    std::vector<std::vector<std::vector<int>>> children_;  // child indices in the tier below
    std::vector<std::map<std::string, std::size_t>> index_;
    std::vector<std::pair<std::size_t, std::size_t>> roots_;
    findings report_;
};

// An establishment as coverage sees it: what it is and the unit it lies in at each tier
// (index into territory::units, -1 when it lies in none).
struct placed_establishment {
    std::string id;
    std::string sector;
    std::string typology;
    std::optional<double> capacity;
    std::string condition;  // good, fair, poor or ""
    std::string status = "existing";
    std::vector<int> units;       // per tier
    std::string provider;         // public, private or "" (unknown: counted as public)
    std::optional<double> staff;  // staff in post; unknown counts the standard's
};

// Places establishments by the unit codes they carry (establishment codes per level),
// e.g. from the store's establishments table.
placed_establishment place_by_codes(const territory& t, const establishment& e,
                                    const std::map<level, std::string>& codes);

// One standard in one unit (or rolled up).
struct offer {
    double demand = 0;
    double ideal = 0, current = 0, deficit = 0, surplus = 0, covered = 0;
    double capacity_current = 0, capacity_ideal = 0, capacity_deficit = 0;
    // Staff (when the standard plans it): in post, needed by the ideal offer, missing; and the
    // yearly salaries of the staff missing in establishments already in place (those of missing
    // establishments are in their recurrent cost), part of `recurrent`.
    double staff_current = 0, staff_ideal = 0, staff_deficit = 0, staff_cost = 0;
    // Establishments in poor condition to rehabilitate (replace, without a rehabilitation cost)
    // and what that costs, part of `investment`.
    double rehabilitation = 0, rehabilitation_cost = 0;
    double good = 0, fair = 0, poor = 0, unknown_condition = 0;
    double investment = 0, recurrent = 0;
    // Places to add to existing establishments (standards that expand: the gap is counted in
    // places and `deficit` is the new establishments still needed beyond the expansion), and
    // their cost, part of `investment`; their running cost is part of `recurrent`.
    double expansion = 0, expansion_cost = 0;
    // The minimum operable offer (standards with a minimum tier) and what is missing to reach it.
    double minimum = 0, minimum_deficit = 0;
    [[nodiscard]] double coverage_pct() const { return ideal > 0 ? 100.0 * covered / ideal : 100.0; }
    // Whether some work is left: establishments to build, to rehabilitate or to expand.
    [[nodiscard]] bool open() const { return deficit > 0 || rehabilitation > 0 || expansion > 0; }
    offer& operator+=(const offer& o);
    bool operator==(const offer&) const = default;
};

// Unit attributes used by endogenisation factors: name -> code -> value, per tier.
using unit_attributes = std::map<std::string, std::map<std::string, double>>;

struct coverage_options {
    bool include_proposed = false;  // count proposed establishments as if they existed (scenarios)
    // The Executive's current offer is its public establishments: private ones (provider
    // "private") count only when asked. Establishments whose provider is unknown count.
    bool include_private = false;
    // Whether an establishment in poor condition counts in the current offer while it waits for
    // its rehabilitation (it always needs one, at the standard's rehabilitation cost).
    bool poor_counts = true;
};

class coverage_model {
public:
    // `population[t]` and `attributes[t]` belong to tier t of `where` (missing tiers or bands
    // are summed from the tier below). Throws format_error naming the standard's line when
    // a target age group is missing at every tier.
    coverage_model(const standards_catalogue& catalogue, const territory& where,
                   std::vector<population_values> population, std::vector<unit_attributes> attributes = {},
                   coverage_options options = {});

    // Replaces the establishments and recomputes everything.
    void set_establishments(std::span<const placed_establishment> rows);
    // Replaces the population (another year) and recomputes demand, ideal and deficit.
    void set_population(std::vector<population_values> population);

    // The people of one year as the model counts them: the population of every tier (a band a
    // tier lacks is summed from the tier below), each unit's total and every standard's demand,
    // with what counting them found (endogenisation factors missing or incomplete). Immutable:
    // models share it, and a plan that simulates the same years many times (the search of a
    // required budget) counts each year once and sets it again with set_people.
    struct year_people {
        const territory* where = nullptr;
        std::size_t standards = 0;
        std::vector<population_values> population;  // [tier]
        std::vector<std::vector<double>> totals;    // [tier][unit]: the total band, matched as each_matched does
        std::vector<std::vector<double>> demand;    // [s][unit of the standard's level]
        findings report;
    };
    // The people of `population` as set_population would count them; the model is not changed.
    // Throws what set_population throws (a value out of range, a target band missing).
    [[nodiscard]] std::shared_ptr<const year_people> count_people(std::vector<population_values> population) const;
    // The people counted now, and counted people set again: demand, ideal and deficit are
    // recomputed from them. set_people throws std::invalid_argument when they were counted for
    // another territory or catalogue size.
    [[nodiscard]] const std::shared_ptr<const year_people>& people() const noexcept { return people_; }
    void set_people(std::shared_ptr<const year_people> people);

    // Incremental edits: only the unit the establishment lies in (at its standard's tier)
    // and that unit's ancestors are recomputed. Returns the handle of the added one.
    std::size_t add(placed_establishment e);
    void remove(std::size_t handle);
    // Counts a removed row again (a closed establishment reopened); nothing when it is live.
    void restore(std::size_t handle);
    void move(std::size_t handle, std::vector<int> units);
    // What plans do in unit `unit` of standard s's tier (negative amounts undo it):
    // build `count` establishments (good condition, standard capacity); rehabilitate `count`
    // establishments in poor condition (they become good; at most the poor ones count);
    // add `places` to existing establishments.
    void add_built(std::size_t s, std::size_t unit, double count);
    void add_rehabilitated(std::size_t s, std::size_t unit, double count);
    void add_expanded(std::size_t s, std::size_t unit, double places);

    // Recomputes every standard from its tallies (what the constructor and setters do).
    void recompute();

    [[nodiscard]] const standards_catalogue& catalogue() const noexcept { return catalogue_; }
    [[nodiscard]] const territory& where() const noexcept { return *where_; }
    // The tier standard s is planned at: a tier of where(), nation_tier for a standard of the
    // national level, or a value >= nation_tier when it is left out (its level is not in where()).
    [[nodiscard]] std::size_t standard_tier(std::size_t s) const { return standard_tier_[s]; }
    static constexpr std::size_t nation_tier = static_cast<std::size_t>(-2);
    // Whether standard s counts (its level is the nation or one of where()'s tiers).
    [[nodiscard]] bool active(std::size_t s) const { return standard_tier_[s] <= nation_tier; }
    [[nodiscard]] bool national_level(std::size_t s) const { return standard_tier_[s] == nation_tier; }
    // The units of standard s's own level, where its offer is counted and plans work: the
    // units of its tier, or the nation as the one unit of a national standard (0 when left out).
    [[nodiscard]] std::size_t unit_count(std::size_t s) const;
    // The offer of standard s in unit u of its own level, and that unit's code ("nation").
    [[nodiscard]] const offer& own(std::size_t s, std::size_t unit) const;
    [[nodiscard]] const std::string& unit_code(std::size_t s, std::size_t unit) const;
    // The offer of standard s in unit u of tier t; t must be at or above the standard's tier.
    [[nodiscard]] const offer& at(std::size_t s, std::size_t tier, std::size_t unit) const;
    [[nodiscard]] const offer& national(std::size_t s) const { return national_[s]; }
    // Whether standard s has an offer per unit of tier t: at or above its own tier. A national
    // standard has none (only national()).
    [[nodiscard]] bool defined_at(std::size_t s, std::size_t tier) const {
        return standard_tier_[s] < nation_tier && tier <= standard_tier_[s];
    }
    // The finest tier at which some active standard of `sector` ("" = any sector) is planned;
    // none without one. A sector has no offer, ideal or coverage below that tier: its standards
    // count establishments and people per unit of their own level.
    [[nodiscard]] std::optional<std::size_t> sector_tier(const std::string& sector) const;
    [[nodiscard]] bool sector_defined_at(const std::string& sector, std::size_t tier) const {
        auto t = sector_tier(sector);
        return t && tier <= *t;
    }
    // The sum over a sector's standards defined at the tier ("" = every sector: establishments,
    // with the networks' investment and recurrent cost but not their households).
    [[nodiscard]] offer sector_offer(const std::string& sector, std::size_t tier, std::size_t unit) const;
    [[nodiscard]] offer sector_national(const std::string& sector) const;
    // Whether the sector is a household network (its standards count households, not establishments).
    [[nodiscard]] bool network_sector(const std::string& sector) const;
    // Whether the sector has a standard of the national level in force and none of a tier.
    [[nodiscard]] bool national_only(const std::string& sector) const;
    // People in the unit (total band), after filling tiers from their children.
    [[nodiscard]] double population(std::size_t tier, std::size_t unit) const;
    [[nodiscard]] double national_population() const;
    // The unit attributes of a tier (name -> code -> value); empty when none were given.
    [[nodiscard]] const unit_attributes& attributes(std::size_t tier) const {
        static const unit_attributes none;
        return tier < attributes_->size() ? (*attributes_)[tier] : none;
    }
    [[nodiscard]] const findings& report() const noexcept { return report_; }
    [[nodiscard]] const coverage_options& options() const noexcept { return options_; }
    // Places the existing establishments of standard s in `unit` (of its tier) may still gain.
    [[nodiscard]] double expansion_room(std::size_t s, std::size_t unit) const;
    // Establishments counted (existing, or proposed when included) per standard.
    [[nodiscard]] const std::vector<placed_establishment>& establishments() const noexcept { return rows_; }
    [[nodiscard]] bool is_live(std::size_t handle) const { return handle < live_.size() && live_[handle]; }
    // Whether row `handle` counts in some standard's offer when live: false for a private one
    // (unless include_private), one of no standard in force, or one in no unit of its standard's
    // tier.
    [[nodiscard]] bool counts(std::size_t handle) const {
        return handle < rows_.size() && governing(rows_[handle]).has_value();
    }

private:
    struct tally {
        double count = 0, capacity = 0, staff = 0, good = 0, fair = 0, poor = 0, unknown = 0, poor_capacity = 0;
    };
    struct plan_work {
        double built = 0, rehabilitated = 0, expanded = 0;
    };
    void change_work(std::size_t s, std::size_t unit, double plan_work::*what, double amount);
    // The demand of every standard from the people of `p` (population filled, totals matched), into p.demand.
    void compute_demand(year_people& p) const;
    void read_networks();                     // households and households connected of network standards (attributes)
    void count(std::size_t handle, bool in);  // joins or leaves its unit's members, refreshes
    void refresh(std::size_t s, std::size_t unit);                    // base row from tally and demand
    void refresh_network(std::size_t s, std::size_t unit);            // a households standard's row
    void roll_up(std::size_t s, std::size_t tier, std::size_t unit);  // one parent from its children
    void roll_up_all(std::size_t s);
    void refresh_ancestors(std::size_t s, std::size_t unit);
    void sum_national(std::size_t s);                            // the nation from the territory's roots
    [[nodiscard]] offer& slot(std::size_t s, std::size_t unit);  // own(s, unit), writable
    // The unit of standard s's own level that row e lies in (0 for a national one; -1: none).
    [[nodiscard]] int own_unit(std::size_t s, const placed_establishment& e) const;
    void add_to_sector(offer& sum, std::size_t s, const offer& o, bool every_sector) const;
    [[nodiscard]] std::optional<std::size_t> governing(const placed_establishment& e) const;

    standards_catalogue catalogue_;
    const territory* where_;
    std::shared_ptr<const year_people> people_;                       // never null
    std::shared_ptr<const std::vector<unit_attributes>> attributes_;  // [tier], never null; models share it
    coverage_options options_;
    std::vector<std::size_t> standard_tier_;
    std::vector<std::vector<double>> households_, connected_;     // [s][unit]: network standards only
    std::vector<std::vector<plan_work>> work_;                    // [s][unit]: done by plans (add_built, ...)
    std::vector<std::vector<std::vector<std::size_t>>> members_;  // [s][unit]: handles, ascending
    std::vector<std::vector<std::vector<offer>>> offers_;         // [s][tier][unit], tiers 0..standard tier
    std::vector<offer> national_;
    std::vector<placed_establishment> rows_;
    std::vector<bool> live_;
    findings report_;
};

}  // namespace microplan::geo
