// `microplan projects import`: the investment portfolio (issue 20).
#include "microplan/geo/usecases/projects.hpp"

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/planning/report.hpp"
#include "planning_options.hpp"

namespace microplan::cli {

command add_projects_import(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("file", *file, "Projects table (CSV or any table GDAL reads; columns in docs/results.md)")
        ->required()
        ->check(CLI::ExistingFile);
    return [store, file] {
        geo::usecases::projects_result r = geo::usecases::import_projects(*store, *file);
        print_findings(r.report, 5);
        std::printf("%zu projects from %s are now the portfolio of %s (%zu placed by their point, %zu by their unit)\n",
                    r.rows.size(), file->c_str(), store->c_str(), r.by_point, r.by_unit);
        return 0;
    };
}

}  // namespace microplan::cli

namespace microplan::cli {

command add_execution_import(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite) with a portfolio")->required()->check(existing_store);
    app.add_option("file", *file,
                   "A financial system's export: project_code, year, month, codified, committed, accrued, paid "
                   "(docs/results.md)")
        ->required()
        ->check(CLI::ExistingFile);
    return [store, file] {
        geo::usecases::execution_result r = geo::usecases::import_execution(*store, *file);
        print_findings(r.report, 5);
        std::printf("%zu execution rows from %s are in %s\n", r.table.rows.size(), file->c_str(), store->c_str());
        return 0;
    };
}

}  // namespace microplan::cli

namespace microplan::cli {

command add_observations_import(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("file", *file,
                   "Observed values: indicator, sector, level, code, period, value, note (CSV or any table GDAL "
                   "reads; docs/results.md)")
        ->required()
        ->check(CLI::ExistingFile);
    return [store, file] {
        geo::usecases::observations_result r = geo::usecases::import_observations(*store, *file);
        print_findings(r.report, 5);
        std::printf("%zu observed values from %s added to %s (earlier revisions kept)\n", r.table.rows.size(),
                    file->c_str(), store->c_str());
        return 0;
    };
}

command add_observations_list(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto indicator = std::make_shared<std::string>();
    auto code = std::make_shared<std::string>();
    auto history = std::make_shared<bool>(false);
    auto format = std::make_shared<std::string>("csv");
    auto output = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("--indicator", *indicator, "Only this indicator");
    app.add_option("--code", *code, "Only this unit");
    app.add_flag("--history", *history, "Every revision, not only the latest of each period");
    app.add_option("--format,-f", *format, "csv or json")
        ->check(CLI::IsMember({"csv", "json"}, CLI::ignore_case))
        ->capture_default_str();
    app.add_option("--output,-o", *output, "Write to this file instead of stdout");
    return [store, indicator, code, history, format, output] {
        std::string csv = "indicator,sector,level,code,period,value,revision,source,note\n";
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& r : geo::usecases::read_observations(*store, *history)) {
            const geo::observation& o = r.attributes;
            if ((!indicator->empty() && o.indicator != *indicator) || (!code->empty() && o.code != *code)) continue;
            csv += geo::csv_field(o.indicator) + "," + o.sector + "," + std::string(geo::level_name(o.lvl)) + "," +
                   geo::csv_field(o.code) + "," + o.period + "," + geo::csv_number(o.value) + "," +
                   std::to_string(r.revision) + "," + geo::csv_field(r.source) + "," + geo::csv_field(o.note) + "\n";
            nlohmann::json row = geo::observation_json(o);
            row["revision"] = r.revision;
            row["source"] = r.source;
            rows.push_back(std::move(row));
        }
        emit(*format == "json" ? rows.dump(2) + "\n" : csv, *output);
        return 0;
    };
}

}  // namespace microplan::cli
