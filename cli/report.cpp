// `microplan report district | ranking`: intersectoral reports.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "planning_options.hpp"

namespace microplan::cli {

command add_report_district(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto plan = std::make_shared<plan_args>();
    auto code = std::make_shared<std::string>();
    auto lvl = std::make_shared<std::string>("district");
    args->add(app);
    plan->add(app);
    app.add_option("code", *code, "District code (e.g. 17D06)")->required();
    app.add_option("--level,-l", *lvl, "Report another level's unit instead (zone, circuit)")
        ->check(level_names)
        ->default_val("district");
    return [args, plan, code, lvl] {
        geo::unit_report r = geo::usecases::report_unit(args->request, plan->scenario, level_option(*lvl), *code);
        emit(args->csv() ? geo::report_csv(r) : dump(geo::report_json(r)), args->output);
        return 0;
    };
}

command add_report_ranking(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto lvl = std::make_shared<std::string>("district");
    auto sector = std::make_shared<std::string>();
    args->add(app);
    app.add_option("--level,-l", *lvl, "Level to rank")->check(level_names)->default_val("district");
    app.add_option("--sector,-s", *sector, "One sector (default: all sectors together)");
    return [args, lvl, sector] {
        auto rows = geo::usecases::rank_store_units(args->request, level_option(*lvl), *sector);
        emit(args->csv() ? geo::ranking_csv(rows) : dump(geo::ranking_json(rows)), args->output);
        return 0;
    };
}

}  // namespace microplan::cli
