// `microplan assign`: the store's establishments placed again in every level.
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/establishments.hpp"

namespace microplan::cli {

command add_assign(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto snap = std::make_shared<double>(0);
    auto json = std::make_shared<bool>(false);
    auto threads = std::make_shared<unsigned>(0);
    app.add_option("store", *store, "Planning store")->required();
    app.add_option("--snap-m", *snap, "Place points this close to a unit (metres) in the nearest unit")
        ->check(within(snap_metres))
        ->default_val(0);
    app.add_option("--threads", *threads, "Worker threads (default: all cores)")->check(within(thread_count));
    app.add_flag("--json", *json, "Print the report as JSON on stdout");
    return [=] {
        auto t0 = clock_type::now();
        geo::usecases::placement_report r = geo::usecases::assign_establishments(*store, *snap, *threads);
        if (*json) {
            nlohmann::json j{{"store", *store}, {"summary", placement_json(r)}, {"findings", r.report.items}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            print_findings(r.report, 20);
            print_placement(r);
            std::printf("assigned in %.2f s\n", seconds_since(t0));
        }
        return 0;
    };
}

}  // namespace microplan::cli
