#pragma once
// Cartography of the served units, derived when a snapshot is built (nothing is stored):
//  - one label point per unit, inside it: the centre of the largest circle inscribed in its
//    largest polygon (the pole of inaccessibility, GEOS MaximumInscribedCircle, to 1 % of the
//    polygon's size), in Web Mercator, so each unit is labelled once however many tiles and
//    polygon parts it spans;
//  - the views a viewer opens on: the mainland (the largest polygon of the coarsest level and
//    every part within a quarter of its size from it, step by step) first, then each group
//    of outlying parts (within a quarter of the mainland's size of one another: islands far
//    away, such as the Galápagos), named after the units wholly inside it.
// Pure functions of their inputs; deterministic; safe from any thread (GEOS context per thread).
#include <optional>
#include <string>
#include <vector>

#include "microplan/tiles/geometry.hpp"

namespace microplan::service {

// The label point of a unit given in Web Mercator; nullopt without a polygon.
std::optional<tiles::point> label_point(const tiles::multipolygon& mercator);

struct map_view {
    std::string id;                  // "main", then "outlying-1", "outlying-2", ...
    tiles::box bounds;               // lon/lat
    std::vector<std::string> names;  // units wholly inside an outlying view (empty for "main")
};

// The views of units given in lon/lat (`parts`: the units of the coarsest level), named from
// `named` (lon/lat polygons and names of the level whose units name the outlying groups, e.g.
// provinces). Empty when there is no polygon.
std::vector<map_view> map_views(const std::vector<tiles::multipolygon>& parts,
                                const std::vector<std::pair<std::string, tiles::box>>& named);

}  // namespace microplan::service
