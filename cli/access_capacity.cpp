// `microplan access capacity`: capacity-limited catchments (AccessMod), covered and residual
// population, and a per-establishment table.
#include <memory>

#include "access_options.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/sites.hpp"

namespace microplan::cli {

command add_access_capacity(CLI::App& app) {
    auto a = std::make_shared<run_args>();
    auto request = std::make_shared<geo::usecases::capacity_request>();
    auto order = std::make_shared<std::string>("largest");
    add_run_options(app, *a, "60", "minutes");
    add_surface_options(app, request->surface);
    app.add_option("--max-minutes", request->max_minutes, "Catchments stop at this travel time")
        ->check(within(geo::bounds::travel_minutes))
        ->capture_default_str();
    app.add_option("--order", *order, "Processing order: largest (capacity, ties by fid) or store (fid order)")
        ->check(CLI::IsMember({"largest", "store"}))
        ->capture_default_str();
    app.add_option("--table", request->table, "Per-establishment table (CSV) to write");
    return [a, request, order] {
        auto t0 = clock_type::now();
        request->base = a->parsed(false);
        request->order =
            *order == "store" ? geo::access::capacity_order::store_order : geo::access::capacity_order::largest_first;
        geo::usecases::capacity_summary r = geo::usecases::run_capacity(*request);
        std::printf(
            "%.0f of %.0f people covered (%.1f %%) within %.0f min by %zu establishments; %zu at full capacity; "
            "%.0f people uncovered; %.2f s\n",
            r.covered, r.total, r.total > 0 ? 100.0 * r.covered / r.total : 0.0, request->max_minutes, r.establishments,
            r.full, r.total - r.covered, seconds_since(t0));
        return 0;
    };
}

}  // namespace microplan::cli
