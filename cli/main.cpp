// microplan: one binary, one sub-command per task.
#include <cstdio>
#include <exception>
#include <map>

#include "commands.hpp"
#include "microplan/geo/error.hpp"

namespace {

// The tables planning reads from a store: standards, budget scenarios, sectors, projects.
template <class AddTo>
void add_planning_tables(CLI::App& app, AddTo& add_to) {
    CLI::App* standards = app.add_subcommand("standards", "Service standards catalogues (the ideal offer)");
    standards->require_subcommand(1);
    add_to(*standards, 2, "import", "Validate a standards catalogue and put it in force in a store",
           microplan::cli::add_standards_import);
    add_to(*standards, 2, "check", "Validate a standards catalogue and list its sectors",
           microplan::cli::add_standards_check);
    CLI::App* budget =
        app.add_subcommand("budget", "Budget scenarios (GDP, its growth, the share for closing the gap)");
    budget->require_subcommand(1);
    add_to(*budget, 2, "import", "Validate a budget scenarios table and put it in force in a store",
           microplan::cli::add_budget_import);
    add_to(*budget, 2, "check", "Validate a budget scenarios table and list its scenarios",
           microplan::cli::add_budget_check);
    CLI::App* sectors = app.add_subcommand(
        "sectors", "Sectors (names, establishments or networks, Tabla 1 type, the levels their standards may use)");
    sectors->require_subcommand(1);
    add_to(*sectors, 2, "import", "Validate a sectors table and put it in force in a store",
           microplan::cli::add_sectors_import);
    add_to(*sectors, 2, "check", "Validate a sectors table and list its sectors", microplan::cli::add_sectors_check);
    CLI::App* projects = app.add_subcommand(
        "projects",
        "The investment portfolio: projects tied to the gaps they close (served as the projects collection)");
    projects->require_subcommand(1);
    add_to(*projects, 2, "import", "Validate a projects table, place its projects and make it the store's portfolio",
           microplan::cli::add_projects_import);
    CLI::App* execution =
        app.add_subcommand("execution", "Budget execution of the portfolio's projects from the financial system");
    execution->require_subcommand(1);
    add_to(*execution, 2, "import", "Read a financial system's export by project and month into the store",
           microplan::cli::add_execution_import);
    CLI::App* observations = app.add_subcommand(
        "observations", "Observed indicator values per unit and period (never overwritten: each import is a revision)");
    observations->require_subcommand(1);
    add_to(*observations, 2, "import", "Validate a table of observed values and add it to the store",
           microplan::cli::add_observations_import);
    add_to(*observations, 2, "list", "The store's observed values (the latest revision of each, or every one)",
           microplan::cli::add_observations_list);
    CLI::App* scorecards = app.add_subcommand(
        "scorecards", "Scorecards: objectives in four perspectives with indicators, targets and initiatives");
    scorecards->require_subcommand(1);
    add_to(*scorecards, 2, "import", "Validate a scorecards table and put it in force in a store",
           microplan::cli::add_scorecards_import);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"microplan: territorial planning of public services (zones, districts, circuits)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "microplan 0.1.0");
    // Sub-commands and their depth: `import establishments` runs instead of `import`.
    std::map<CLI::App*, std::pair<int, microplan::cli::command>> commands;
    auto add_to = [&](CLI::App& parent, int depth, const char* name, const char* help, auto adder) {
        CLI::App* sub = parent.add_subcommand(name, help);
        commands[sub] = {depth, adder(*sub)};
        return sub;
    };
    auto add = [&](const char* name, const char* help, auto adder) { return add_to(app, 1, name, help, adder); };
    CLI::App* import = add("import", "Import territorial units (or: import establishments) into the planning store",
                           microplan::cli::add_import);
    add_to(*import, 2, "establishments",
           "Import establishments (points, or a table with lon/lat columns) and place them in every level",
           microplan::cli::add_import_establishments);
    add("build", "Build missing upper levels (districts, zones) by dissolving children", microplan::cli::add_build);
    CLI::App* design =
        add("design",
            "Design population-balanced, contiguous, compact units (circuits, districts) from finer units and a raster "
            "(or: design evaluate)",
            microplan::cli::add_design);
    add_to(*design, 2, "evaluate",
           "Judge a plan (a store level or any polygon source): population, contiguity, compactness, nesting, splits, "
           "overlaps and gaps",
           microplan::cli::add_design_evaluate);
    add_to(*design, 2, "compare",
           "Compare two plans of one territory: matched units, finer units and people that change unit, "
           "variation of information",
           microplan::cli::add_design_compare);
    CLI::App* assignment = design->add_subcommand(
        "assignment", "Plans as assignment files (finer unit code -> unit code), as DistrictBuilder and GerryChain");
    assignment->require_subcommand(1);
    add_to(*assignment, 3, "export", "Write a plan as an assignment of its finer units",
           microplan::cli::add_design_assignment_export);
    add_to(*assignment, 3, "build", "Build units from an assignment file and the finer polygons",
           microplan::cli::add_design_assignment_build);
    add("build-ecuador",
        "Build the national base (9 zones, 140 districts, every circuit) from the Ecuador data folder, with its report",
        microplan::cli::add_build_ecuador);
    add("validate", "Validate the hierarchy in a planning store (text or JSON report)", microplan::cli::add_validate);
    add("demo", "Generate the demo country (9 zones, 140 districts, 1,134 circuits) as a planning store",
        microplan::cli::add_demo);
    add("assign", "Place the store's establishments again in every level (after boundaries change)",
        microplan::cli::add_assign);
    CLI::App* population = app.add_subcommand("population", "Population per unit: census tables, rasters, allocation");
    population->require_subcommand(1);
    add_to(*population, 2, "table", "Join a table of population by unit code (census per parish)",
           microplan::cli::add_population_table);
    add_to(*population, 2, "raster", "Sum population rasters over every unit, with fractional cell weights",
           microplan::cli::add_population_raster);
    add_to(*population, 2, "allocate", "Allocate population from one level to another (area-weighted or dasymetric)",
           microplan::cli::add_population_allocate);
    add_to(*population, 2, "project", "Project population to later years with cantonal projections (INEC)",
           microplan::cli::add_population_project);
    add_planning_tables(app, add_to);
    add("attributes", "Import a unit attribute (e.g. a poverty index) used by standards' endogenisation factors",
        microplan::cli::add_attributes);
    add("coverage", "Current vs ideal offer, deficit and its cost per unit and sector (JSON or CSV)",
        microplan::cli::add_coverage);
    CLI::App* report = app.add_subcommand("report", "Intersectoral reports");
    report->require_subcommand(1);
    add_to(*report, 2, "district", "Every sector side by side for one district, with its circuits",
           microplan::cli::add_report_district);
    add_to(*report, 2, "ranking",
           "Units ranked by an indicator (investment per capita, deficit per 10,000, coverage, unfunded gap, closing "
           "year), optionally weighted by poverty",
           microplan::cli::add_report_ranking);
    add_to(*report, 2, "absent", "Where the State is absent: populated units with no establishment of a sector",
           microplan::cli::add_report_absent);
    add_to(*report, 2, "management",
           "A unit's monthly management report: objectives, indicators, targets, projects, execution (HTML, PDF, CSV)",
           microplan::cli::add_report_management);
    add("plan", "Close the deficit over time under a budget scenario: closing year and trajectory per sector",
        microplan::cli::add_plan);
    add("indicators", "Indicators per territory and year, and the status of targets (metas)",
        microplan::cli::add_indicators);
    add("scorecard", "A territory's scorecard: objectives, indicators against targets, traffic lights, initiatives",
        microplan::cli::add_scorecard);
    CLI::App* access = app.add_subcommand(
        "access", "Accessibility: travel time, distance, coverage within thresholds, capacity, new sites");
    access->require_subcommand(1);
    add_to(*access, 2, "cost",
           "Accumulated cost (travel time) from many sources over a friction raster, as GRASS r.cost",
           microplan::cli::add_access_cost);
    add_to(*access, 2, "friction", "Friction surface (minutes per cell) from land cover, speeds, roads and barriers",
           microplan::cli::add_access_friction);
    add_to(*access, 2, "travel-time",
           "Travel time from every cell to the nearest establishment of a sector; catchments; population within "
           "thresholds per unit (stored)",
           microplan::cli::add_access_travel_time);
    add_to(*access, 2, "distance",
           "Straight-line distance to the nearest establishment; population within thresholds (km) per unit (stored)",
           microplan::cli::add_access_distance);
    add_to(*access, 2, "network",
           "Travel time on a road network graph with walking off the network; population within thresholds (stored)",
           microplan::cli::add_access_network);
    add_to(*access, 2, "capacity",
           "Capacity-limited catchments (AccessMod): covered and residual population, per-establishment table",
           microplan::cli::add_access_capacity);
    add_to(*access, 2, "sites",
           "Where to build next: K new sites maximising people newly within X minutes (greedy; exact MIP with CBC)",
           microplan::cli::add_access_sites);
    add("serve", "Serve the store over HTTP: OGC API - Features, vector tiles, MapLibre style, reports",
        microplan::cli::add_serve);
    CLI::App* store = app.add_subcommand("store", "The store itself: moving it between engines");
    store->require_subcommand(1);
    add_to(*store, 2, "copy",
           "Copy a store from its SpatiaLite file into an empty PostgreSQL/PostGIS database (one transaction)",
           microplan::cli::add_store_copy);
    CLI::App* exporting = app.add_subcommand("export", "Copies of the store for use elsewhere");
    exporting->require_subcommand(1);
    add_to(*exporting, 2, "kit",
           "Offline workshop kit: the tiles as MBTiles and PMTiles and a copy of the viewer that opens from a USB "
           "stick with no server",
           microplan::cli::add_export_kit);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        const microplan::cli::command* chosen = nullptr;
        int depth = 0;
        for (auto& [sub, entry] : commands)
            if (sub->parsed() && entry.first > depth) {
                depth = entry.first;
                chosen = &entry.second;
            }
        if (chosen) return (*chosen)();
    } catch (const microplan::geo::error& e) {
        std::fprintf(stderr, "microplan: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "microplan: %s\n", e.what());
        return 2;
    }
    return 2;
}
