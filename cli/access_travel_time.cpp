// `microplan access travel-time`: travel time to the nearest establishment of a sector, its
// catchments, and the population within thresholds per unit (stored).
#include <memory>

#include "access_options.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

command add_access_travel_time(CLI::App& app) {
    auto a = std::make_shared<run_args>();
    auto s = std::make_shared<geo::usecases::surface_request>();
    auto max_minutes = std::make_shared<double>(0);
    add_run_options(app, *a, "15,30,60,120", "minutes");
    add_surface_options(app, *s);
    app.add_option("--max-minutes", *max_minutes, "Stop at this travel time (0: no limit)")
        ->check(within(geo::bounds::travel_minutes));
    return [a, s, max_minutes] {
        auto t0 = clock_type::now();
        geo::usecases::run_summary r = geo::usecases::run_travel_time(a->parsed(), *s, *max_minutes);
        print_run(r.run);
        std::printf("  %zu cells reached; %.2f s%s\n", r.cells, seconds_since(t0),
                    a->no_store ? "" : "; statistics stored");
        return 0;
    };
}

}  // namespace microplan::cli
