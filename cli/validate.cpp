// `microplan validate`: the hierarchy of a store, as text or JSON (exit 1 when it has errors).
#include "microplan/geo/usecases/validate.hpp"

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

command add_validate(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto opt = std::make_shared<geo::validation_options>();
    app.add_option("store", *store, "Planning store")->required();
    app.add_flag("--json", *json, "Print the report as JSON");
    app.add_option("--sliver-km2", opt->sliver_km2, "Ignore gaps and overlaps smaller than this (km²)")
        ->default_val(0.05);
    app.add_option("--nesting-share", opt->nesting_share, "Share of a child's area that must lie in its parent")
        ->default_val(0.98);
    app.add_option("--threads", opt->threads, "Worker threads (default: all cores)");
    return [store, json, opt] {
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
