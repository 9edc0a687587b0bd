// `microplan access network`: travel time on a road graph with walking off it, and the
// population within thresholds per unit (stored).
#include <memory>

#include "access_options.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

command add_access_network(CLI::App& app) {
    auto a = std::make_shared<run_args>();
    auto n = std::make_shared<geo::usecases::road_network>();
    add_run_options(app, *a, "15,30,60,120", "minutes");
    app.add_option("--roads", n->roads, "Road lines (any GDAL source; OSM files use the layer 'lines')")->required();
    app.add_option("--roads-layer", n->roads_layer, "Layer of --roads");
    app.add_option("--road-field", n->road_field, "Field holding the road class")->capture_default_str();
    app.add_option("--road-speeds", n->road_speeds, "Road speed table: class, speed_kmh")->required();
    app.add_option("--walk-kmh", n->walk_kmh, "Walking speed to, from and instead of the network")
        ->check(within(0.1, 20, "a walking speed in km/h"))
        ->capture_default_str();
    app.add_option("--snap-m", n->snap_m, "Vertices closer than this are one node")
        ->check(within(snap_metres))
        ->capture_default_str();
    return [a, n] {
        auto t0 = clock_type::now();
        geo::usecases::run_summary r = geo::usecases::run_network(a->parsed(), *n);
        print_run(r.run);
        std::printf("  %.2f s%s\n", seconds_since(t0), a->no_store ? "" : "; statistics stored");
        return 0;
    };
}

}  // namespace microplan::cli
