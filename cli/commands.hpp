#pragma once
// The microplan sub-commands. Each registers its flags on the CLI11 app and returns the
// process exit code: 0 success (warnings allowed), 1 data errors found, 2 bad input.
#include <CLI/CLI.hpp>
#include <functional>

namespace microplan::cli {

using command = std::function<int()>;

command add_import(CLI::App& app);
command add_store_copy(CLI::App& app);
command add_build(CLI::App& app);
command add_validate(CLI::App& app);
command add_demo(CLI::App& app);
command add_import_establishments(CLI::App& app);
command add_assign(CLI::App& app);
command add_population_table(CLI::App& app);
command add_population_raster(CLI::App& app);
command add_population_allocate(CLI::App& app);
command add_population_project(CLI::App& app);
command add_standards_import(CLI::App& app);
command add_standards_check(CLI::App& app);
command add_budget_import(CLI::App& app);
command add_budget_check(CLI::App& app);
command add_sectors_import(CLI::App& app);
command add_projects_import(CLI::App& app);
command add_execution_import(CLI::App& app);
command add_observations_import(CLI::App& app);
command add_observations_list(CLI::App& app);
command add_scorecards_import(CLI::App& app);
command add_scorecard(CLI::App& app);
command add_report_management(CLI::App& app);
command add_sectors_check(CLI::App& app);
command add_attributes(CLI::App& app);
command add_coverage(CLI::App& app);
command add_report_district(CLI::App& app);
command add_report_ranking(CLI::App& app);
command add_report_absent(CLI::App& app);
command add_plan(CLI::App& app);
command add_indicators(CLI::App& app);
command add_serve(CLI::App& app);
command add_access_cost(CLI::App& app);
command add_access_friction(CLI::App& app);
command add_access_travel_time(CLI::App& app);
command add_access_distance(CLI::App& app);
command add_access_network(CLI::App& app);
command add_access_capacity(CLI::App& app);
command add_access_sites(CLI::App& app);
command add_design(CLI::App& app);
command add_design_evaluate(CLI::App& app);
command add_design_compare(CLI::App& app);
command add_design_assignment_export(CLI::App& app);
command add_design_assignment_build(CLI::App& app);
command add_build_ecuador(CLI::App& app);
command add_export_kit(CLI::App& app);

}  // namespace microplan::cli
