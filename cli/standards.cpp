// `microplan standards import | check`: the standards catalogue (the ideal offer).
#include "microplan/geo/usecases/standards.hpp"

#include <memory>

#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

command add_standards_import(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("file", *file, "Standards catalogue (CSV; columns in docs/planning.md)")
        ->required()
        ->check(CLI::ExistingFile);
    return [store, file] {
        geo::standards_catalogue c = geo::usecases::put_standards_in_force(*store, *file);
        std::printf("%zu standards of %zu sectors from %s are now in force in %s\n", c.items.size(), c.sectors().size(),
                    file->c_str(), store->c_str());
        return 0;
    };
}

command add_standards_check(CLI::App& app) {
    auto file = std::make_shared<std::string>();
    app.add_option("file", *file, "Standards catalogue (CSV)")->required()->check(CLI::ExistingFile);
    return [file] {
        geo::standards_catalogue c = geo::usecases::check_standards(*file);
        std::printf("%s: %zu standards, sectors:", file->c_str(), c.items.size());
        for (const auto& [sector, priority] : c.sectors()) std::printf(" %s (priority %g)", sector.c_str(), priority);
        std::printf("\n");
        return 0;
    };
}

command add_budget_import(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("file", *file, "Budget scenarios (CSV; columns in docs/planning.md, data/budget_scenarios/)")
        ->required()
        ->check(CLI::ExistingFile);
    return [store, file] {
        geo::budget_scenarios t = geo::usecases::put_budget_scenarios_in_force(*store, *file);
        std::printf("%zu budget scenarios from %s are now in force in %s\n", t.rows.size(), file->c_str(),
                    store->c_str());
        return 0;
    };
}

command add_sectors_import(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("file", *file, "Sectors table (CSV; columns in docs/planning.md, data/sectors/)")
        ->required()
        ->check(CLI::ExistingFile);
    return [store, file] {
        geo::sectors_catalogue t = geo::usecases::put_sectors_in_force(*store, *file);
        std::printf("%zu sectors from %s are now in force in %s\n", t.items.size(), file->c_str(), store->c_str());
        return 0;
    };
}

command add_sectors_check(CLI::App& app) {
    auto file = std::make_shared<std::string>();
    app.add_option("file", *file, "Sectors table (CSV)")->required()->check(CLI::ExistingFile);
    return [file] {
        geo::sectors_catalogue t = geo::read_sectors(*file);
        std::printf("%s: %zu sectors:", file->c_str(), t.items.size());
        for (const auto& s : t.items) {
            std::string levels;
            for (geo::level l : s.levels) levels += (levels.empty() ? "" : "/") + std::string(geo::level_name(l));
            std::printf(" %s (%s, %s, %s)", s.id.c_str(), s.label_es.c_str(),
                        std::string(geo::kind_name(s.kind)).c_str(), levels.c_str());
        }
        std::printf("\n");
        for (const auto& f : geo::check_sectors(t).items) std::fprintf(stderr, "%s\n", f.to_text().c_str());
        return 0;
    };
}

command add_budget_check(CLI::App& app) {
    auto file = std::make_shared<std::string>();
    app.add_option("file", *file, "Budget scenarios (CSV)")->required()->check(CLI::ExistingFile);
    return [file] {
        geo::budget_scenarios t = geo::read_budget_scenarios(*file);
        std::printf("%s: %zu budget scenarios:", file->c_str(), t.rows.size());
        for (const auto& r : t.rows)
            std::printf(" %s (GDP %.4g USD in %d growing %g %%, %g %% of it a year)", r.scenario.name.c_str(),
                        r.scenario.gdp, r.scenario.gdp_year, r.scenario.gdp_growth * 100, r.budget_pct_gdp);
        std::printf("\n");
        return 0;
    };
}

}  // namespace microplan::cli
