// `microplan report district | ranking | absent`: intersectoral reports.
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
    auto plan = std::make_shared<plan_args>();
    auto lvl = std::make_shared<std::string>("district");
    auto ranking = std::make_shared<geo::usecases::ranking_request>();
    args->add(app);
    plan->add(app);
    app.add_option("--level,-l", *lvl, "Level to rank")->check(level_names)->default_val("district");
    app.add_option("--sector,-s", ranking->sector, "One sector (default: all sectors together)");
    app.add_option("--by", ranking->by,
                   "investment_per_capita, deficit_per_10k, coverage_pct, unfunded or closing_year (the last two from "
                   "the plan of --scenario)")
        ->check(CLI::IsMember(geo::ranking_indicators()))
        ->default_val("investment_per_capita");
    app.add_option("--weight", ranking->weight,
                   "Weight each unit's score by a unit attribute over its population-weighted mean (poverty)");
    return [args, plan, lvl, ranking] {
        ranking->scenario = plan->scenario;
        auto rows = geo::usecases::rank_store_units(args->request, level_option(*lvl), *ranking);
        emit(args->csv() ? geo::ranking_csv(rows) : dump(geo::ranking_json(rows, ranking->by)), args->output);
        return 0;
    };
}

command add_report_absent(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto lvl = std::make_shared<std::string>("circuit");
    auto sector = std::make_shared<std::string>();
    args->add(app);
    app.add_option("--level,-l", *lvl, "Level")->check(level_names)->default_val("circuit");
    app.add_option("--sector,-s", *sector, "One sector (default: units with no establishment of any sector)");
    return [args, lvl, sector] {
        const geo::level l = level_option(*lvl);
        geo::usecases::absence_result r = geo::usecases::absent_store_units(args->request, l, *sector);
        const auto& rows = r.rows;
        double people = 0;
        for (const auto& row : rows) people += row.population;
        emit(args->csv() ? geo::absence_csv(rows) : dump(geo::absence_json(*r.session.model, l, r.sector, rows)),
             args->output);
        std::fprintf(stderr, "%zu populated %s(s) with %.0f people have no establishment of %s\n", rows.size(),
                     lvl->c_str(), people, sector->empty() ? "any sector" : sector->c_str());
        return 0;
    };
}

}  // namespace microplan::cli
