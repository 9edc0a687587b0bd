// `microplan build`: missing upper levels (districts, zones) dissolved from cantons or circuits.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/import.hpp"

namespace microplan::cli {

command add_build(CLI::App& app) {
    auto request = std::make_shared<geo::usecases::build_request>();
    app.add_option("store", request->store, "Planning store")->required();
    app.add_option("--from", request->from, "Level to dissolve: cantons (needs --codification) or circuits")
        ->check(CLI::IsMember({"cantons", "canton", "circuits", "circuit"}))
        ->default_val("cantons");
    app.add_option("--codification", request->codification,
                   "Codification table (CSV: zone, district, circuit, province, canton, parish)");
    app.add_option("--threads", request->threads, "Worker threads (default: all cores)")->check(within(thread_count));
    return [request] {
        auto t0 = clock_type::now();
        geo::built_levels built = geo::usecases::build_upper_levels(*request);
        print_findings(built.report);
        std::printf("built %zu districts and %zu zones from %s in %.2f s (%zu error(s), %zu warning(s))\n",
                    built.districts.units.size(), built.zones.units.size(), request->from.c_str(), seconds_since(t0),
                    built.report.count(geo::severity::error), built.report.count(geo::severity::warning));
        return built.report.has_errors() ? 1 : 0;
    };
}

}  // namespace microplan::cli
