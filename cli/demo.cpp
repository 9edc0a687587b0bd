// `microplan demo`: the synthetic demo country as a planning store.
#include "microplan/geo/usecases/demo.hpp"

#include <memory>

#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

command add_demo(CLI::App& app) {
    auto out = std::make_shared<std::string>();
    auto raster = std::make_shared<std::string>();
    auto opt = std::make_shared<geo::demo::country_options>();
    app.add_option("--out,-o", *out, "Planning store to write (replaced atomically)")->required();
    app.add_option("--raster", *raster,
                   "Population raster to write (default: <store>_population.tif beside the store)");
    app.add_option("--seed", opt->seed, "Random seed; the same seed gives the same country")->default_val(2012);
    auto standards = std::make_shared<std::string>(MICROPLAN_DATA_DIR "/standards/demo.csv");
    app.add_option("--standards", *standards, "Standards catalogue put in force ('' for none)")
        ->default_str(*standards);
    auto budget = std::make_shared<std::string>(MICROPLAN_DATA_DIR "/budget_scenarios/ecuador.csv");
    app.add_option("--budget-scenarios", *budget, "Budget scenarios put in force with the standards ('' for none)")
        ->default_str(*budget);
    auto sectors = std::make_shared<std::string>(MICROPLAN_DATA_DIR "/sectors/ecuador.csv");
    app.add_option("--sectors", *sectors, "Sectors table put in force before the standards ('' for none)")
        ->default_str(*sectors);
    return [out, raster, opt, standards, budget, sectors] {
        auto t0 = clock_type::now();
        std::fprintf(stderr, "generating the demo country (seed %llu) ...\n",
                     static_cast<unsigned long long>(opt->seed));
        geo::usecases::demo_summary d =
            geo::usecases::build_demo_store({*out, *raster, *opt, *standards, MICROPLAN_DATA_DIR, *budget, *sectors});
        std::printf(
            "demo country written to %s in %.2f s: %zu zones, %zu districts, %zu circuits, %.0f km², "
            "%.0f people (raster %s), %zu establishments, population %d-%d, %s, accessibility of %zu sectors "
            "(inputs %s_*)\n",
            out->c_str(), seconds_since(t0), d.zones, d.districts, d.circuits, d.area_km2, d.people, d.raster.c_str(),
            d.establishments, d.first_year, d.last_year,
            standards->empty() ? "no standards" : ("standards " + *standards).c_str(), d.access_runs,
            d.inputs_prefix.c_str());
        if (d.portfolio.projects)
            std::printf("portfolio (ILLUSTRATIVE): %zu projects, %zu finished, %zu monthly execution rows\n",
                        d.portfolio.projects, d.portfolio.finished, d.portfolio.execution_rows);
        if (d.observations)
            std::printf(
                "observed values (ILLUSTRATIVE): %zu of chronic child malnutrition by zone, district and year\n",
                d.observations);
        return 0;
    };
}

}  // namespace microplan::cli
