// `microplan projects import`: the investment portfolio (issue 20).
#include "microplan/geo/usecases/projects.hpp"

#include <memory>

#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

command add_projects_import(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite)")->required()->check(CLI::ExistingFile);
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
    app.add_option("store", *store, "Planning store (SpatiaLite) with a portfolio")
        ->required()
        ->check(CLI::ExistingFile);
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
