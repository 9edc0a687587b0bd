// `microplan access friction`: the friction surface (minutes per cell) written as a GeoTIFF.
#include <memory>

#include "access_options.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

command add_access_friction(CLI::App& app) {
    auto a = std::make_shared<geo::usecases::surface_request>();
    auto out = std::make_shared<std::string>();
    add_surface_options(app, *a, false);
    app.add_option("--out,-o", *out, "Friction GeoTIFF to write (minutes to cross each cell, Float32)")->required();
    return [a, out] {
        auto t0 = clock_type::now();
        geo::usecases::friction_written w = geo::usecases::write_friction_surface(*a, *out, progress_on_stderr());
        std::printf("friction surface written to %s (%zu x %zu cells, minutes per cell) in %.2f s%s\n", out->c_str(),
                    w.cols, w.rows, seconds_since(t0),
                    w.with_elevation ? "; slope is applied at travel time (give --dem to travel-time)" : "");
        return 0;
    };
}

}  // namespace microplan::cli
