// `microplan coverage`: current vs ideal offer, deficit and its cost per unit and sector.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "planning_options.hpp"

namespace microplan::cli {

command add_coverage(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto lvl = std::make_shared<std::string>("district");
    auto sector = std::make_shared<std::string>();
    auto by_typology = std::make_shared<bool>(false);
    auto save = std::make_shared<bool>(false);
    auto plan = std::make_shared<plan_args>();
    args->add(app);
    plan->add(app);
    app.add_option("--level,-l", *lvl, "nation, zone, district or circuit")
        ->check(level_names | CLI::IsMember({"nation", "nacional"}, CLI::ignore_case))
        ->default_val("district");
    app.add_option("--sector,-s", *sector, "One sector (health, education, ...; default: all)");
    app.add_flag("--by-typology", *by_typology, "One row per standard (typology) instead of per sector");
    app.add_flag("--save", *save,
                 "Also store the results of every level in the store's coverage table, with the closing years of "
                 "the plan of --scenario (the table's key holds the year and the scenario)");
    return [args, lvl, sector, by_typology, save, plan] {
        geo::usecases::coverage_result r = geo::usecases::compute_coverage(
            {args->request,
             {geo::parse_level(*lvl) == geo::level::nation ? geo::level::nation : level_option(*lvl), *sector,
              *by_typology},
             *save,
             plan->scenario});
        print_findings(r.report, 5);
        emit(args->csv() ? geo::coverage_csv(r.rows) : dump(geo::coverage_json(r.rows)), args->output);
        if (*save)
            std::fprintf(stderr, "coverage of %d stored in %s (table coverage, scenario %s)\n", r.year,
                         args->request.store.c_str(), plan->scenario.scenario.c_str());
        return 0;
    };
}

}  // namespace microplan::cli
