#include "planning_options.hpp"

#include <fstream>

#include "common.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::cli {

namespace {
const CLI::Validator format_names = CLI::IsMember({"json", "csv"}, CLI::ignore_case);
}  // namespace

void planning_args::add(CLI::App& app, bool with_format) {
    app.add_option("store", request.store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("--standards", request.standards,
                   "Standards catalogue (CSV) to use instead of the one in the store (data/standards/)");
    app.add_option("--year", request.year, "Population year (default: the latest that is not a projection)")
        ->check(within(geo::bounds::year));
    app.add_option("--as-of", request.as_of,
                   "Count the offer in force on this date (YYYY-MM-DD): establishments opened and not closed by "
                   "then, projects finished by then; that year's population when the store has it");
    if (with_format) {
        app.add_option("--format,-f", format, "json or csv")->check(format_names)->default_val("json");
        app.add_option("--output,-o", output, "Write to this file instead of stdout");
    }
    app.add_flag("--include-proposed", request.include_proposed, "Count proposed establishments as if they existed");
    app.add_flag(
        "--include-private", request.include_private,
        "Count private establishments in the current offer (default: public ones and those of unknown provider)");
    app.add_flag("--poor-out-of-offer", request.poor_out_of_offer,
                 "Establishments in poor condition do not count in the current offer until rehabilitated (default: "
                 "they count; either way their rehabilitation is costed)");
}

void plan_args::add(CLI::App& app) {
    app.add_option("--scenario", scenario.scenario,
                   "Budget scenario: a name of the store's budget scenarios (microplan budget import; the demo and "
                   "build-ecuador put data/budget_scenarios/ecuador.csv in force: optimistic, moderate, pessimistic)")
        ->default_val("moderate");
    app.add_option("--scenarios", scenario.scenarios,
                   "Budget scenarios table (CSV) to use instead of the store's (columns in docs/planning.md)")
        ->check(CLI::ExistingFile);
    app.add_option("--budget", scenario.budget,
                   "The first year's budget in USD, instead of the scenario's share of GDP")
        ->check(within(geo::bounds::budget_usd));
    app.add_option("--growth", scenario.growth, "The budget's yearly growth (0.05 = 5 %), instead of the scenario's")
        ->check(within(geo::bounds::budget_growth));
    app.add_option("--budgets", scenario.budgets,
                   "Budget path (CSV: year, budget [, sector]) that replaces the scenario's budget; rows with a sector "
                   "earmark its money (what `plan --close-by --budgets-out` writes)")
        ->check(CLI::ExistingFile);
    app.add_option("--until", scenario.last_year, "Last year of the horizon")
        ->check(within(geo::bounds::year))
        ->default_val(2035);
}

void emit(const std::string& text, const std::string& output) {
    if (output.empty() || output == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return;
    }
    std::ofstream f(output, std::ios::binary);
    f << text;
    if (!f)
        throw microplan::geo::format_error({output, {}, {}, {}, {}}, "cannot write",
                                           "the output file cannot be written");
    std::fprintf(stderr, "written %s\n", output.c_str());
}

}  // namespace microplan::cli
