#pragma once
// The demo country's people and services: a population raster with urban clustering
// (~17 M people, 1 km cells, GeoTIFF in the analysis CRS) and establishments of health,
// education, security and child development with typologies, capacities, conditions and
// staff, denser where people are, and unevenly provided so that deficits exist.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "microplan/geo/demo/demo_country.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/population/population.hpp"

namespace microplan::geo::demo {

struct services_options {
    std::uint64_t seed = 2012;
    double population = 17'000'000;  // people in the raster
    double cell_m = 1000;            // raster cell size (metres)
    int year = 2025;
    std::string analysis_crs = "EPSG:32717";
};

// Writes the population raster (Float32 GeoTIFF, DEFLATE) to `raster_path`. Deterministic
// for a given country and seed.
void write_population_raster(const country& c, const std::string& raster_path, const services_options& options = {});

// Population per circuit (raster sums) and age bands, with districts and zones as sums of
// their children: band -> level-prefixed code -> people, one map per level.
struct demo_population {
    population_values circuits, districts, zones;
};
demo_population population_by_unit(const country& c, const std::string& raster_path);

// Establishments placed by population (more in cities), lon/lat WGS 84.
std::vector<establishment> generate_establishments(const country& c, const demo_population& people,
                                                   const services_options& options = {});

// Population projected to each year of [first_year, last_year] (first_year = the base):
// every circuit grows at its zone's rate (−0.3 %…2.2 % a year, faster in denser zones) with
// all age bands scaled alike; districts and zones are sums of their circuits.
std::map<int, demo_population> project_population(const country& c, const demo_population& base, int first_year,
                                                  int last_year, const services_options& options = {});

// A poverty index per circuit (% of people with unmet basic needs, NBI): higher where people
// are sparse; districts and zones get population-weighted means.
std::map<level, std::map<std::string, double>> poverty_index(const country& c, const demo_population& people,
                                                             const services_options& options = {});

// Household networks per circuit, as unit attributes: for water, sewerage and electricity,
// `<sector>_households` (people / 3.78, the mean household of Ecuador's 2010 census) and
// `<sector>_connected`, a share that falls with the circuit's poverty (`nbi`, poverty_index's
// circuits): about the census's national 72 % water, 53 % sewerage and 94 % electricity.
std::map<std::string, std::map<std::string, double>> household_networks(const country& c, const demo_population& people,
                                                                        const std::map<std::string, double>& nbi,
                                                                        const services_options& options = {});

// The age bands microplan's demo and standards use.
inline const std::vector<std::string> demo_age_bands = {"0-3", "4-5", "6-17", "18-64", "65+"};

}  // namespace microplan::geo::demo
