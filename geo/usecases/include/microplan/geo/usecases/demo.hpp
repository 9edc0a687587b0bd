#pragma once
// The demo planning store: a synthetic country (9 zones, 140 districts, 1,134 circuits) with
// its population raster, establishments, population projections, a poverty index, a standards
// catalogue and the accessibility of every sector over a synthetic friction surface, written
// to one store in one atomic update. Deterministic for a seed (docs/demo.md).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "microplan/geo/demo/demo_country.hpp"
#include "microplan/geo/model/level.hpp"
#include "microplan/geo/planning/observations.hpp"

namespace microplan::geo::usecases {

struct demo_options {
    std::string out;     // the store (replaced atomically)
    std::string raster;  // population raster; "" = <store>_population.tif
    demo::country_options country;
    std::string standards;         // catalogue put in force; "" = none
    std::string data_dir;          // the repository's data/ (speed tables of the synthetic land cover and roads)
    std::string budget_scenarios;  // budget scenarios put in force with the catalogue; "" = none
    std::string sectors;           // sectors table put in force before the catalogue; "" = none
};

// The demo's ILLUSTRATIVE investment portfolio (issue 20): projects from the first four years of
// the greedy plan of the store's moderate scenario (new establishments, rehabilitations,
// expansions, network extensions; in execution, funded or planned by their start), about 40
// recent openings of the registry as finished projects that name the establishment they built,
// and monthly budget execution over the plan's first two years, whose last month is the demo's
// "today". Replaces the store's portfolio and adds its execution in one atomic update.
struct demo_portfolio_summary {
    std::size_t projects = 0, finished = 0, execution_rows = 0;
};
demo_portfolio_summary build_demo_portfolio(const std::string& store, const demo::country& c, std::uint64_t seed);

// The demo's ILLUSTRATIVE observed values (docs/demo.md, "Observed values"): chronic child
// malnutrition (% of children under two, `chronic_malnutrition_pct`) per zone and district and
// year from 2022 to `last_year`, higher where poverty (`poverty`, NBI % by level and code) is,
// falling about 0.7 points a year.
std::vector<observation> demo_observations(const std::map<level, std::map<std::string, double>>& poverty, int last_year,
                                           std::uint64_t seed);

struct demo_summary {
    std::string raster, inputs_prefix;
    std::size_t zones = 0, districts = 0, circuits = 0, establishments = 0, access_runs = 0;
    double area_km2 = 0, people = 0;
    int first_year = 0, last_year = 0;
    demo_portfolio_summary portfolio;  // when a catalogue is put in force
    std::size_t observations = 0;      // observed values (demo_observations)
};

demo_summary build_demo_store(const demo_options& options);

}  // namespace microplan::geo::usecases
