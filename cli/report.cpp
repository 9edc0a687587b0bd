// `microplan report district | ranking | absent | management`: intersectoral reports and the
// monthly management report.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/usecases/monitoring.hpp"
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

namespace {

// A path quoted for the shell.
std::string quoted(const std::string& path) {
    std::string out = "'";
    for (char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// The page printed to `pdf` by headless Chromium (CHROMIUM, else /usr/bin/chromium).
void print_pdf(const std::string& html, const std::string& pdf) {
    const std::filesystem::path page =
        std::filesystem::temp_directory_path() / ("microplan-report-" + std::to_string(::getpid()) + ".html");
    {
        std::ofstream out(page);
        out << html;
    }
    const char* env = std::getenv("CHROMIUM");
    const std::string chromium = env && *env ? env : "/usr/bin/chromium";
    std::filesystem::remove(pdf);
    const std::string cmd =
        quoted(chromium) + " --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf=" +
        quoted(std::filesystem::absolute(pdf).string()) + " " + quoted("file://" + page.string()) + " > /dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    std::filesystem::remove(page);
    if (rc != 0 || !std::filesystem::exists(pdf) || std::filesystem::file_size(pdf) == 0)
        throw geo::format_error({pdf, {}, {}, {}, {}}, "no PDF",
                                "headless Chromium (" + chromium +
                                    ", or the CHROMIUM environment variable) could not print the report; write it "
                                    "with --format html and print it from a browser");
}

}  // namespace

command add_report_management(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto lvl = std::make_shared<std::string>("zone");
    auto code = std::make_shared<std::string>();
    auto period = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("html");
    auto output = std::make_shared<std::string>();
    auto lang = std::make_shared<std::string>("es");
    args->add(app, false);
    app.add_option("code", *code, "The unit's code (Z1, 17D06, ...)")->required();
    app.add_option("--level,-l", *lvl, "Its level: zone, district or circuit")
        ->check(level_names)
        ->capture_default_str();
    app.add_option("--period", *period, "The month (YYYY-MM; default the latest of budget execution)");
    app.add_option("--format,-f", *format, "html, pdf (headless Chromium prints the page) or csv")
        ->check(CLI::IsMember({"html", "pdf", "csv"}, CLI::ignore_case))
        ->capture_default_str();
    app.add_option("--output,-o", *output, "Write to this file (required for pdf)");
    app.add_option("--lang", *lang, "es or en")->check(CLI::IsMember({"es", "en"}))->capture_default_str();
    return [args, lvl, code, period, format, output, lang] {
        std::optional<std::pair<int, int>> month;
        if (!period->empty()) {
            month = geo::parse_month(*period);
            if (!month)
                throw geo::format_error({}, "not a month", "--period '" + *period + "' is not a month (YYYY-MM)");
        }
        geo::usecases::management_documents d =
            geo::usecases::store_management_report(args->request, level_option(*lvl), *code, month);
        if (*format == "csv") {
            emit(geo::usecases::management_report_csv(d.monitoring, d.scorecard), *output);
        } else if (*format == "html") {
            emit(geo::usecases::management_report_html(d.monitoring, d.scorecard, *lang == "es"), *output);
        } else {
            if (output->empty()) throw geo::format_error({}, "no output", "--format pdf needs --output FILE.pdf");
            print_pdf(geo::usecases::management_report_html(d.monitoring, d.scorecard, *lang == "es"), *output);
            std::fprintf(stderr, "wrote %s\n", output->c_str());
        }
        return 0;
    };
}

}  // namespace microplan::cli
