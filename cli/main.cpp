// microplan: one binary, one sub-command per task.
#include <cstdio>
#include <exception>
#include <map>

#include "commands.hpp"
#include "microplan/geo/error.hpp"

int main(int argc, char** argv) {
    CLI::App app{"microplan: territorial planning of public services (zones, districts, circuits)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "microplan 0.1.0");
    std::map<CLI::App*, microplan::cli::command> commands;
    auto add = [&](const char* name, const char* help, auto adder) {
        CLI::App* sub = app.add_subcommand(name, help);
        commands[sub] = adder(*sub);
    };
    add("import", "Import territorial units from any GDAL vector source into the planning store",
        microplan::cli::add_import);
    add("build", "Build missing upper levels (districts, zones) by dissolving children", microplan::cli::add_build);
    add("validate", "Validate the hierarchy in a planning store (text or JSON report)", microplan::cli::add_validate);
    add("demo", "Generate the demo country (9 zones, 140 districts, 1,134 circuits) as a planning store",
        microplan::cli::add_demo);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        for (auto& [sub, run] : commands)
            if (sub->parsed()) return run();
    } catch (const microplan::geo::error& e) {
        std::fprintf(stderr, "microplan: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "microplan: %s\n", e.what());
        return 2;
    }
    return 2;
}
