#pragma once
// Private to usecases: what build-ecuador adds to the designed base so that a planner can plan
// with it (kept apart from build_ecuador.cpp so that the design and the services change
// independently):
//   age bands        every level's bands estimated from its province's census 2022 age structure
//                    (method province_age_structure_2022: an estimate, said in the report), and
//                    total and bands projected to 2035 by their canton's INEC projection;
//   establishments   MINEDUC schools (points joined to the registry: condition, provider) and MSP
//                    health units, placed by coordinates, else by their recorded codes;
//   standards        the education and health catalogues, put in force together.
// prepare_* reads and computes (no store); write_* writes inside build-ecuador's one atomic
// update. Deterministic for the same data folder.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/design/national.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/planning/budget.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/territory/assign.hpp"
#include "microplan/geo/usecases/design.hpp"

namespace microplan::geo::usecases::detail {

// The file names of the services' sources in the data folder (../shared/data/ecuador layout).
struct ecuador_service_sources {
    std::string age_structure, provinces, school_points, school_registry, msp, projections;
    static ecuador_service_sources from_data_dir(const std::string& dir);
};

struct establishment_batch {
    std::string source;  // for the import record
    std::vector<establishment> rows;
    std::vector<point_assignment> placed;
};

struct ecuador_services {
    ecuador_service_sources sources;
    int year = 2022;
    std::string bands_method = "province_age_structure_2022";
    std::vector<std::pair<level, population_values>> bands;  // estimated bands per level (no total)
    // Total and bands of every level carried to later years by their canton's INEC projection
    // (method projection): year -> level -> values.
    std::map<int, std::map<level, population_values>> projected;
    std::vector<establishment_batch> establishments;  // schools, MSP units
    std::optional<standards_catalogue> catalogue;
    std::optional<budget_scenarios> budget;  // put in force with the catalogue
    findings report;
    nlohmann::json summary = nlohmann::json::object();  // figures for the build report
};

ecuador_services prepare_ecuador_services(const build_ecuador_options& options, const design::national_inputs& in,
                                          const design::national_result& result);

void write_ecuador_services(store::planning_store& db, const ecuador_services& services);

// The services' part of the build report ("services"): sources, figures, every finding.
nlohmann::json ecuador_services_json(const ecuador_services& services);

}  // namespace microplan::geo::usecases::detail
