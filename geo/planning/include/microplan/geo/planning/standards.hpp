#pragma once
// Service standards: the *ideal offer* of microplanning. Each standard says, for one
// sector and typology, at which territorial level it applies, how many people (of a target
// age group) one establishment serves or how many each unit must have, its capacity, its
// maximum travel time, what one more establishment costs to build and to run each year, and
// the political priority of its sector. Planners edit catalogues as CSV (docs/planning.md,
// "Standards catalogue"); reading one validates every row and reports every problem at once.
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/level.hpp"
#include "microplan/geo/planning/sectors.hpp"

namespace microplan::geo {

enum class standard_rule {
    population,  // one establishment per `people_per_unit` people of the target group
    per_unit,    // `units_per_territory` establishments in every populated unit ("one per circuit")
    // A household network (water, sewerage, electricity): the ideal is `target_pct` % of the unit's
    // households (unit attribute <sector>_households), the current offer the households connected
    // (<sector>_connected); costs are per connection and a project connects `capacity` households.
    households,
};

// How a fractional ideal becomes a count of establishments. `ceil` (the default) serves
// every person: 2.01 -> 3; `round` rounds half up: 2.5 -> 3, 2.49 -> 2; `floor` only
// counts full populations: 2.99 -> 2. A tolerance of 1e-9 absorbs binary noise.
enum class rounding_rule { ceil, round, floor };

// An endogenisation factor: demand is multiplied by 1 + weight × (x(u)/x̄ − 1), clamped to
// [0.5, 2], where x(u) is the unit's value of `attribute` and x̄ its population-weighted
// national mean. "poverty" reads the unit attribute of that name (e.g. NBI %);
// "dispersion" is computed as km² per 1,000 people.
struct endogenous_factor {
    std::string attribute;
    double weight = 0;
};

struct standard {
    long long line = 0;    // data line in the catalogue, for messages
    std::string sector;    // canonical sector (health, education, ...)
    std::string typology;  // "Centro de Salud Tipo A"; "*" = the sector's other typologies
    level lvl = level::circuit;
    standard_rule rule = standard_rule::population;
    double people_per_unit = 0;                      // rule population
    double units_per_territory = 1;                  // rule per_unit
    std::vector<std::string> target_bands{"total"};  // age bands summed: "6-17", "4-5+6-17"
    double capacity = 0;                             // places (patients, pupils, officers) per establishment; 0 = none
    std::optional<double> max_travel_min;
    std::optional<double> max_distance_km;
    double investment_cost = 0;  // building and equipping one establishment (USD)
    double recurrent_cost = 0;   // running one establishment for a year (USD), its staff included
    // Rehabilitating one establishment in poor condition (USD); nullopt = replacing it
    // (investment_cost).
    std::optional<double> rehabilitation_cost;
    double staff = 0;     // staff one establishment needs (all roles); 0 = staff not planned
    double salary = 0;    // USD a year per member of staff
    double priority = 1;  // sector priority index (> 0, the same on every row of a sector)
    rounding_rule rounding = rounding_rule::ceil;
    std::vector<endogenous_factor> factors;
    std::string note;
    // Expansion: an existing establishment may gain up to `expansion_limit` places at
    // `expansion_cost` USD a place (0 / 0: no expansion). It closes a capacity gap only where it is
    // cheaper a place than a new establishment (expands()).
    double expansion_cost = 0;
    double expansion_limit = 0;
    // The minimum operable offer (the method's "mínimos operables"): one establishment per this
    // many people of the target group, at least people_per_unit; plans reach it in every unit
    // before the ideal. 0 = no minimum tier (population rule only).
    double minimum_people_per_unit = 0;

    // Households rule: the share of the unit's households the network should serve (0-100).
    double target_pct = 100;

    // What rehabilitating one establishment costs: its rehabilitation_cost, else its replacement.
    [[nodiscard]] double rehabilitation_usd() const { return rehabilitation_cost.value_or(investment_cost); }
    // Whether the gap is counted in places and may be closed by expanding what exists.
    [[nodiscard]] bool expands() const {
        return expansion_limit > 0 && capacity > 0 && expansion_cost * capacity < investment_cost;
    }
};

struct standards_catalogue {
    std::string source;  // file path
    std::vector<standard> items;
    // Sectors in catalogue order, each with its priority.
    [[nodiscard]] std::vector<std::pair<std::string, double>> sectors() const;
    // The standard that governs an establishment of (sector, typology): its own typology's
    // standard, else the sector's "*" standard; nullptr when the catalogue has neither.
    [[nodiscard]] const standard* governing(const std::string& sector, const std::string& typology) const;
    // Whether `sector` is a household network here (a standard of it counts households).
    [[nodiscard]] bool is_network(const std::string& sector) const;
};

// The sectors microplan knows, canonical identifiers with their Spanish labels.
const std::vector<std::pair<std::string, std::string>>& known_sectors();
// "Salud" for "health"; the identifier itself when unknown.
std::string sector_label(const std::string& sector);

// Reads and validates a catalogue (CSV or any table GDAL reads). Every bad row is reported
// (file, line, column, rule: unknown sector, negative population, missing cost, ...);
// throws format_error listing them all when any is an error.
// `sectors` names the sectors allowed and the levels each may use (the store's sectors table, or
// the built-in ones at every level).
standards_catalogue read_standards(const std::string& path, const sectors_catalogue& sectors = builtin_sectors());

// The same validation for a catalogue built in memory (e.g. read back from the store):
// returns the findings instead of throwing.
findings check_standards(const standards_catalogue& catalogue, const sectors_catalogue& sectors = builtin_sectors());

std::string_view rule_name(standard_rule r);
std::string_view rounding_name(rounding_rule r);
// Applies the rounding rule to a fractional ideal (never negative).
double round_ideal(double value, rounding_rule r);

}  // namespace microplan::geo
