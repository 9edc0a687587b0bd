#pragma once
// A small planning hierarchy for the microplanning tests: 2 zones, 3 districts, 6 circuits
// with populations and age bands chosen so that ideals are easy to compute by hand.
#include <functional>
#include <string>
#include <vector>

#include "microplan/geo/error.hpp"
#include "microplan/geo/planning/closing.hpp"
#include "microplan/geo/planning/coverage.hpp"
#include "support.hpp"

namespace microplan::test {

// The message of the format_error `f` throws; "" when it throws none.
inline std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const geo::format_error& e) {
        return e.what();
    }
    return "";
}

inline geo::territory small_territory() {
    using geo::level;
    return geo::territory({level::zone, level::district, level::circuit},
                          {{{"Z1", "Zona 1", "", 0}, {"Z2", "Zona 2", "", 0}},
                           {{"01D01", "Norte", "Z1", 0}, {"01D02", "Sur", "Z1", 0}, {"02D01", "Costa", "Z2", 0}},
                           {{"01D01C01", "A", "01D01", 10},
                            {"01D01C02", "B", "01D01", 400},
                            {"01D02C01", "C", "01D02", 20},
                            {"02D01C01", "D", "02D01", 30},
                            {"02D01C02", "E", "02D01", 800},
                            {"02D01C03", "F", "02D01", 50}}});
}

// Circuit population: total and the 0-3 band (10 % of the total).
inline std::vector<geo::population_values> small_population(double scale = 1.0) {
    geo::population_values circuits;
    const std::pair<const char*, double> people[] = {{"01D01C01", 25000}, {"01D01C02", 8000}, {"01D02C01", 12000},
                                                     {"02D01C01", 30000}, {"02D01C02", 4000}, {"02D01C03", 0}};
    for (auto [code, n] : people) {
        circuits[geo::total_band][code] = n * scale;
        circuits["0-3"][code] = n * scale / 10;
    }
    return {{}, {}, circuits};
}

inline geo::standard make_standard(const std::string& sector, const std::string& typology, geo::level l,
                                   geo::standard_rule rule, double people, double investment, double recurrent,
                                   double priority = 1) {
    geo::standard s;
    s.sector = sector;
    s.typology = typology;
    s.lvl = l;
    s.rule = rule;
    s.people_per_unit = people;
    s.investment_cost = investment;
    s.recurrent_cost = recurrent;
    s.priority = priority;
    s.capacity = 100;
    return s;
}

// health: Tipo A one per 10,000 people per circuit (ceil), Hospital one per district;
// security: UPC one per circuit; child development: CDI one per 1,000 children 0-3.
inline geo::standards_catalogue small_catalogue() {
    using geo::level;
    using geo::standard_rule;
    geo::standards_catalogue c;
    c.source = "test catalogue";
    c.items.push_back(
        make_standard("health", "Tipo A", level::circuit, standard_rule::population, 10000, 1000, 100, 2));
    c.items.push_back(make_standard("health", "Hospital", level::district, standard_rule::per_unit, 0, 20000, 5000, 2));
    c.items.push_back(make_standard("security", "UPC", level::circuit, standard_rule::per_unit, 0, 300, 50, 1));
    geo::standard cdi =
        make_standard("child_development", "CDI", level::circuit, standard_rule::population, 1000, 400, 40, 1);
    cdi.target_bands = {"0-3"};
    c.items.push_back(cdi);
    for (std::size_t i = 0; i < c.items.size(); ++i) c.items[i].line = static_cast<long long>(i + 2);
    return c;
}

inline geo::placed_establishment at(const geo::territory& t, const std::string& sector, const std::string& typology,
                                    const std::string& circuit, const std::string& condition = "good") {
    geo::placed_establishment e;
    e.id = sector + "-" + typology + "-" + circuit;
    e.sector = sector;
    e.typology = typology;
    e.condition = condition;
    e.units.assign(3, -1);
    auto c = t.find(2, circuit);
    e.units[2] = static_cast<int>(*c);
    e.units[1] = t.parent(2, *c);
    e.units[0] = t.parent(1, static_cast<std::size_t>(e.units[1]));
    return e;
}

// Security (UPC) and health (Puesto): one of each per populated circuit (rule per_unit), 300 to
// build; the UPC's yearly running cost and both priorities as given.
inline geo::standards_catalogue security_and_health(double upc_recurrent, double security_priority,
                                                    double health_priority) {
    geo::standards_catalogue c;
    c.source = "test";
    c.items.push_back(make_standard("security", "UPC", geo::level::circuit, geo::standard_rule::per_unit, 0, 300,
                                    upc_recurrent, security_priority));
    c.items.push_back(make_standard("health", "Puesto", geo::level::circuit, geo::standard_rule::per_unit, 0, 300, 0,
                                    health_priority));
    return c;
}

// Plan options of a budget `base` in 2025 growing by `growth`, from 2025 to `last_year`.
inline geo::plan_options budget_options(double base, double growth, int last_year) {
    geo::plan_options o;
    o.scenario.name = "moderate";
    o.scenario.base_budget = base;
    o.scenario.growth = growth;
    o.first_year = 2025;
    o.last_year = last_year;
    return o;
}

// Schools (one per 10,000 people, 100 places, 1,000 to build, 100 a year to run, 400 to
// rehabilitate, 5 a place to expand up to 30 a school): every circuit has its ideal except
// 01D01C01 (25,000 people: ideal 3), which has a good school and a poor one.
inline geo::coverage_model schools_to_repair(const geo::territory& where, geo::coverage_options how = {}) {
    geo::standards_catalogue c;
    c.source = "test";
    c.items.push_back(
        make_standard("education", "Escuela", geo::level::circuit, geo::standard_rule::population, 10000, 1000, 100));
    c.items[0].rehabilitation_cost = 400;
    c.items[0].expansion_cost = 5;
    c.items[0].expansion_limit = 30;
    std::vector<geo::placed_establishment> rows = {at(where, "education", "Escuela", "01D01C01"),
                                                   at(where, "education", "Escuela", "01D01C01", "poor")};
    for (auto [circuit, n] : {std::pair{"01D01C02", 1}, {"01D02C01", 2}, {"02D01C01", 3}, {"02D01C02", 1}})
        for (int i = 0; i < n; ++i) rows.push_back(at(where, "education", "Escuela", circuit));
    geo::coverage_model m(c, where, small_population(), {}, how);
    m.set_establishments(rows);
    return m;
}

}  // namespace microplan::test
