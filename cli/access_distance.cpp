// `microplan access distance`: straight-line distance to the nearest establishment and the
// population within thresholds (km) per unit (stored).
#include <memory>

#include "access_options.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

command add_access_distance(CLI::App& app) {
    auto a = std::make_shared<run_args>();
    add_run_options(app, *a, "2,5,10", "km");
    return [a] {
        auto t0 = clock_type::now();
        geo::usecases::run_summary r = geo::usecases::run_distance(a->parsed());
        print_run(r.run);
        std::printf("  %zu inhabited cells; %.2f s%s\n", r.cells, seconds_since(t0),
                    a->no_store ? "" : "; statistics stored");
        return 0;
    };
}

}  // namespace microplan::cli
