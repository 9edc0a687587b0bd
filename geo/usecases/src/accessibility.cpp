#include "microplan/geo/usecases/accessibility.hpp"


#include <cmath>

#include "microplan/geo/core/proj.hpp"

namespace microplan::geo::usecases {


establishment_points read_establishment_points(store::planning_store& db, const std::string& sector,
                                               const std::string& typology, const std::string& crs) {
    establishment_points out;
    proj::transformer to(std::string("EPSG:4326"), crs);
    for (const store::stored_establishment& s : db.read_establishments()) {
        const establishment& e = s.attributes;
        if (e.sector != sector || (!typology.empty() && e.typology != typology) || e.status != "existing") continue;
        double x = e.lon, y = e.lat;
        if (!std::isfinite(x) || !std::isfinite(y) || !to.forward(x, y)) continue;
        out.fid.push_back(e.row);
        out.code.push_back(e.id);
        out.name.push_back(e.name);
        out.typology.push_back(e.typology);
        out.x.push_back(x);
        out.y.push_back(y);
        out.capacity.push_back(e.capacity.value_or(0));
    }
    return out;
}

std::vector<unit_layer> read_unit_levels(store::planning_store& db) {
    std::vector<unit_layer> out;
    for (level lvl : db.levels_present()) out.push_back(db.read_level(lvl));
    return out;
}

access::travel_time_result travel_time_accessibility(store::planning_store& db, std::span<const unit_layer> levels,
                                                     const cost_surface& surface, const population_grid& pop,
                                                     const access::accessibility_options& options) {
    return access::travel_time_accessibility(
        levels, surface, pop, read_establishment_points(db, options.sector, options.typology, surface.g.crs_wkt),
        options);
}

accessibility_run distance_accessibility(store::planning_store& db, std::span<const unit_layer> levels,
                                         const population_grid& pop, const access::accessibility_options& options,
                                         std::vector<float>* km_out) {
    return access::distance_accessibility(
        levels, pop, read_establishment_points(db, options.sector, options.typology, pop.centres_crs), options,
        km_out);
}

}  // namespace microplan::geo::usecases
