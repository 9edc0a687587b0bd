// `microplan scorecards import` and `microplan scorecard`: objectives, indicators, targets and
// initiatives per territory (issue 20, item 5).
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/projects.hpp"
#include "planning_options.hpp"

namespace microplan::cli {

command add_scorecards_import(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("file", *file, "Scorecards table (CSV or any table GDAL reads; columns in docs/results.md)")
        ->required()
        ->check(CLI::ExistingFile);
    return [store, file] {
        geo::scorecards_table t = geo::usecases::import_scorecards(*store, *file);
        std::size_t objectives = 0, indicators = 0;
        for (const auto& r : t.rows) {
            indicators += r.goal ? 1 : 0;
            objectives += 1;
        }
        std::printf("%zu scorecard rows (%zu with an indicator) from %s are in force in %s\n", objectives, indicators,
                    file->c_str(), store->c_str());
        return 0;
    };
}

command add_scorecard(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto plan = std::make_shared<plan_args>();
    auto lvl = std::make_shared<std::string>("zone");
    auto code = std::make_shared<std::string>();
    auto organisation = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    args->add(app);
    plan->add(app);
    app.add_option("--level,-l", *lvl, "Level of the scorecard: nation, zone, district or circuit")
        ->check(CLI::IsMember({"nation", "nacional", "zone", "district", "circuit"}, CLI::ignore_case))
        ->capture_default_str();
    app.add_option("--code,-c", *code, "The unit's code (none for the nation)");
    app.add_option("--organisation", *organisation, "An organisational unit's scorecard instead of the territory's");
    app.add_option("--scorecards", *file, "Scorecards table (CSV) instead of the store's")->check(CLI::ExistingFile);
    return [args, plan, lvl, code, organisation, file] {
        auto l = geo::parse_level(*lvl);
        if (*l != geo::level::nation && code->empty())
            throw geo::format_error({}, "no code", "--code: the " + *lvl + " whose scorecard to show");
        geo::usecases::scorecard_result r =
            geo::usecases::store_scorecard(args->request, plan->scenario, *l, *code, *organisation, *file);
        print_findings(r.report, 5);
        emit(args->csv() ? geo::scorecard_csv(r.card) : dump(geo::scorecard_json(r.card)), args->output);
        std::size_t green = 0, yellow = 0, red = 0;
        for (const auto& o : r.card.objectives)
            (o.light == "green" ? green : o.light == "yellow" ? yellow : red) += o.light.empty() ? 0 : 1;
        std::fprintf(stderr, "scorecard of %s %s: %zu objectives, %zu green, %zu yellow, %zu red\n", lvl->c_str(),
                     code->c_str(), r.card.objectives.size(), green, yellow, red);
        return 0;
    };
}

}  // namespace microplan::cli
