// `microplan access cost`: accumulated cost (travel time) over a friction raster, as GRASS r.cost.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/accessibility.hpp"

namespace microplan::cli {

command add_access_cost(CLI::App& app) {
    auto a = std::make_shared<geo::usecases::cost_request>();
    app.add_option("--cost", a->cost, "Friction raster (cost of crossing a cell east-west; no-data = impassable)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--sources", a->sources, "Sources: a point layer or a table with x, y in the raster's CRS")
        ->required();
    app.add_option("--sources-layer", a->sources_layer,
                   "Layer of --sources (default: the only one holding points or the x, y fields)");
    app.add_option("--out,-o", a->out, "Accumulated cost GeoTIFF (Float32)")->required();
    app.add_option("--nearest", a->nearest, "GeoTIFF of the source each cell is reached from (catchments, Int32)");
    app.add_flag("--knight", a->knight, "16 neighbours (knight's moves) instead of 8");
    app.add_option("--max-cost", a->max_cost, "Stop at this accumulated cost (0: no limit)")
        ->check(within(0, 1e30, "an accumulated cost is a finite, non-negative number"));
    app.add_option("--x-field", a->fields.x, "Field with the x of table sources")->capture_default_str();
    app.add_option("--y-field", a->fields.y, "Field with the y of table sources")->capture_default_str();
    app.add_option("--id-field", a->fields.id, "Field with the source id (default: feature number)")
        ->capture_default_str();
    return [a] {
        a->on_progress = progress_on_stderr();
        geo::usecases::cost_summary s = geo::usecases::accumulate_cost(*a);
        std::fprintf(stderr, "read %.2f s, cost distance %.2f s, write %.2f s\n", s.read_seconds, s.cost_seconds,
                     s.write_seconds);
        std::printf("%zu cells reached of %zu, peak cost %.3f; %zu sources outside the grid or on impassable cells\n",
                    s.reached, s.cells, s.peak, s.unplaced);
        return 0;
    };
}

}  // namespace microplan::cli
