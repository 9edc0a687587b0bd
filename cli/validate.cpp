// `microplan validate`: the hierarchy of a store, as text or JSON (exit 1 when it has errors).
#include "microplan/geo/usecases/validate.hpp"

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/design/national_stages.hpp"
#include "microplan/geo/usecases/national.hpp"

namespace microplan::cli {

command add_validate(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto opt = std::make_shared<geo::validation_options>();
    app.add_option("store", *store, "Planning store")->required();
    app.add_flag("--json", *json, "Print the report as JSON");
    app.add_option("--sliver-km2", opt->sliver_km2, "Ignore gaps and overlaps smaller than this (km²)")
        ->check(within(0, 1e4, "a sliver larger than 10,000 km² is a region, not a sliver"))
        ->default_val(0.05);
    app.add_option("--nesting-share", opt->nesting_share, "Share of a child's area that must lie in its parent")
        ->check(within(0, 1, "a share of an area lies between 0 and 1"))
        ->default_val(0.98);
    auto legal = std::make_shared<std::string>();
    app.add_option("--legal-zones", *legal,
                   "The legal zoning (CSV: level, code, name, zone, source): provinces it splits across zones "
                   "(canton rows) are declared exceptions, not warned about")
        ->check(CLI::ExistingFile);
    app.add_option("--split-allowed", opt->split_allowed,
                   "Codes of provinces or cantons the law splits across zones (no warning for them)");
    app.add_option("--threads", opt->threads, "Worker threads (default: all cores)")->check(within(thread_count));
    return [store, json, opt, legal] {
        if (!legal->empty())
            for (const auto& code : geo::design::legally_split(geo::usecases::read_legal_zones(*legal)))
                opt->split_allowed.insert(code);
        geo::validation_report r = geo::usecases::validate_store(*store, *opt);
        if (*json) {
            nlohmann::json j = r;
            j["store"] = *store;
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::printf("%s", r.to_text().c_str());
        }
        return r.ok() ? 0 : 1;
    };
}

}  // namespace microplan::cli
