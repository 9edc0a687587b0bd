#include "microplan/geo/territory/assign.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/territory/locate.hpp"

namespace microplan::geo {

namespace {

std::string fmt(const char* pattern, double a, double b) {
    char buf[96];
    std::snprintf(buf, sizeof buf, pattern, a, b);
    return buf;
}

std::string who(const establishment& e) {
    return "row " + std::to_string(e.row) + (e.id.empty() ? std::string() : " (id " + e.id + ")");
}

// A finding about one establishment, naming its row and id; `at` adds its location.
finding about(const establishment& e, std::string rule, severity sev = severity::warning, bool at = false) {
    finding f;
    f.sev = sev;
    f.rule = std::move(rule);
    f.code = e.id;
    f.feature = e.row;
    if (at) {
        f.lon = e.lon;
        f.lat = e.lat;
    }
    return f;
}

// The units of one layer in the analysis CRS, for distances to points outside them.
class nearest_finder {
public:
    nearest_finder(const unit_layer& layer, const std::string& analysis_crs)
        : layer_(layer), to_analysis_("EPSG:4326", analysis_crs) {
        for (const auto& u : layer.units) {
            const GEOSGeometry* g = u.projected.get();
            if (!g) {
                owned_.push_back(to_analysis_.forward(u.geometry.get()));
                g = owned_.back().get();
            }
            geoms_.push_back(g);
            envs_.push_back(g ? geos::envelope_of(g) : geos::envelope{});
        }
    }

    // (unit index, distance in metres) of the nearest unit; nullopt when none or the point
    // cannot be projected.
    std::optional<std::pair<std::size_t, double>> nearest(double lon, double lat) const {
        double x = lon, y = lat;
        if (!to_analysis_.forward(x, y)) return std::nullopt;
        GEOSContextHandle_t ctx = geos::thread_context().handle();
        geos::geom_ptr pt = geos::own(GEOSGeom_createPointFromXY_r(ctx, x, y));
        std::vector<std::pair<double, std::size_t>> order;
        for (std::size_t i = 0; i < geoms_.size(); ++i) {
            if (!geoms_[i]) continue;
            const auto& e = envs_[i];
            double dx = std::max({e.minx - x, 0.0, x - e.maxx});
            double dy = std::max({e.miny - y, 0.0, y - e.maxy});
            order.emplace_back(std::hypot(dx, dy), i);
        }
        std::sort(order.begin(), order.end());
        std::optional<std::pair<std::size_t, double>> best;
        for (const auto& [lower_bound, i] : order) {
            if (best && lower_bound > best->second) break;
            double d = 0;
            if (GEOSDistance_r(ctx, pt.get(), geoms_[i], &d) != 1) continue;
            if (!best || d < best->second) best = std::make_pair(i, d);
        }
        return best;
    }

    const unit_layer& layer() const { return layer_; }

private:
    const unit_layer& layer_;
    proj::transformer to_analysis_;
    std::vector<geos::geom_ptr> owned_;
    std::vector<const GEOSGeometry*> geoms_;
    std::vector<geos::envelope> envs_;
};

}  // namespace

std::string_view placement_name(placement p) {
    switch (p) {
        case placement::inside:
            return "inside";
        case placement::snapped:
            return "snapped";
        case placement::outside:
            return "outside";
        case placement::invalid:
            return "invalid";
        case placement::by_code:
            return "by_code";
    }
    return "?";
}

std::optional<level> primary_level(std::span<const unit_layer* const> layers) {
    for (level l : {level::circuit, level::district, level::zone, level::parish, level::canton, level::province})
        for (const unit_layer* layer : layers)
            if (layer->lvl == l && !layer->units.empty()) return l;
    return std::nullopt;
}

namespace {

// Step 1: coordinates that cannot be placed at all are reported and set aside (NaN).
std::vector<lonlat> usable_coordinates(std::span<const establishment> points, std::vector<char>& usable,
                                       assign_result& out) {
    std::vector<lonlat> xy(points.size());
    usable.assign(points.size(), 1);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const establishment& e = points[i];
        xy[i] = {e.lon, e.lat};
        finding f = about(e, {}, severity::error);
        if (!std::isfinite(e.lon) || !std::isfinite(e.lat) || std::abs(e.lon) > 180 || std::abs(e.lat) > 90) {
            f.rule = "point.out_of_range";
            f.message = who(e) + ": coordinates " +
                        (std::isfinite(e.lon) && std::isfinite(e.lat) ? fmt("(%.9g, %.9g)", e.lon, e.lat)
                                                                      : std::string("missing or not numbers")) +
                        " are not a longitude in [-180, 180] and a latitude in [-90, 90]";
        } else if (e.lon == 0 && e.lat == 0) {
            f.rule = "point.null_island";
            f.message = who(e) + ": coordinates (0, 0) are a placeholder for a missing location";
        } else {
            continue;
        }
        usable[i] = 0;
        xy[i] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
        out.rows[i].where = placement::invalid;
        out.report.add(std::move(f));
    }
    return xy;
}

// Step 3: a usable point outside every unit of the primary level: inside when read (lat, lon)?
// how far from the nearest unit? within the snap tolerance?
void place_outside_point(const establishment& e, const unit_layer& layer, const point_locator& locator,
                         std::optional<nearest_finder>& finder, const assign_options& options, point_assignment& row,
                         assign_result& out) {
    const auto li = static_cast<std::size_t>(layer.lvl);
    finding f = about(e, {}, severity::warning, true);
    f.lvl = layer.lvl;
    if (int s = locator.locate(e.lat, e.lon); s >= 0) {
        ++out.summary.swapped;
        f.sev = severity::error;
        f.rule = "point.swapped";
        f.message = who(e) + fmt(": (%.9g, %.9g) is outside every unit but falls in ", e.lon, e.lat) +
                    std::string(level_name(layer.lvl)) + " " + layer.units[static_cast<std::size_t>(s)].code +
                    " when read as (lat, lon); the source has latitude and longitude swapped";
        row.where = placement::outside;
        out.report.add(std::move(f));
        return;
    }
    if (!finder) finder.emplace(layer, options.analysis_crs);
    auto near = finder->nearest(e.lon, e.lat);
    if (near) {
        row.distance_m = near->second;
        row.nearest_code = layer.units[near->first].code;
    }
    if (near && options.snap_m > 0 && near->second <= options.snap_m) {
        row.where = placement::snapped;
        row.codes[li] = row.nearest_code;
        f.sev = severity::info;
        f.rule = "point.snapped";
        f.message = who(e) +
                    fmt(": %.0f m outside every unit (snap tolerance %.0f m); placed in the nearest, ", near->second,
                        options.snap_m) +
                    std::string(level_name(layer.lvl)) + " " + row.nearest_code;
    } else {
        row.where = placement::outside;
        f.sev = severity::warning;
        f.rule = "point.outside";
        f.message = who(e) + fmt(": (%.9g, %.9g) is outside every ", e.lon, e.lat) + std::string(level_name(layer.lvl));
        if (near)
            f.message +=
                "; the nearest, " + row.nearest_code + ", is " + std::to_string(std::lround(near->second)) + " m away";
    }
    out.report.add(std::move(f));
}

// Step 2: point in polygon, every level; the primary level also places the points outside it.
// Returns the primary layer (null when none).
const unit_layer* locate_in_layers(std::span<const establishment> points, std::span<const unit_layer* const> layers,
                                   const std::vector<lonlat>& xy, const std::vector<char>& usable,
                                   const assign_options& options, assign_result& out) {
    const unit_layer* primary = nullptr;
    for (const unit_layer* layer : layers) {
        if (layer->units.empty()) continue;
        point_locator locator(*layer);
        std::vector<int> hits = locator.locate_all(xy, options.threads);
        auto li = static_cast<std::size_t>(layer->lvl);
        for (std::size_t i = 0; i < points.size(); ++i)
            if (hits[i] >= 0) out.rows[i].codes[li] = layer->units[static_cast<std::size_t>(hits[i])].code;
        if (layer->lvl != out.summary.primary) continue;
        primary = layer;
        std::optional<nearest_finder> finder;
        for (std::size_t i = 0; i < points.size(); ++i) {
            if (!usable[i]) continue;
            if (hits[i] >= 0)
                out.rows[i].where = placement::inside;
            else
                place_outside_point(points[i], *layer, locator, finder, options, out.rows[i], out);
        }
    }
    return primary;
}

// Snapped points take the codes of the levels above from the snapped unit's parents.
void inherit_parent_codes(const unit_layer& primary, std::span<const unit_layer* const> layers, assign_result& out) {
    std::map<std::string, const unit*> by_code;
    for (const unit_layer* layer : layers)
        for (const auto& u : layer->units) by_code.emplace(std::string(level_name(layer->lvl)) + ":" + u.code, &u);
    for (auto& row : out.rows) {
        if (row.where != placement::snapped) continue;
        level l = primary.lvl;
        std::string code = row.codes[static_cast<std::size_t>(l)];
        while (auto p = parent_level(l)) {
            auto it = by_code.find(std::string(level_name(l)) + ":" + code);
            if (it == by_code.end() || it->second->parent_code.empty()) break;
            code = it->second->parent_code;
            l = *p;
            auto& slot = row.codes[static_cast<std::size_t>(l)];
            if (slot.empty()) slot = code;
        }
    }
}

// Step 4: duplicates: ids, and one sector's establishments at the very same spot.
void report_duplicates(std::span<const establishment> points, const std::vector<char>& usable, assign_result& out) {
    std::map<std::string, std::size_t> first_id;
    std::map<std::tuple<std::string, long long, long long>, std::size_t> first_spot;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const establishment& e = points[i];
        if (!e.id.empty()) {
            auto [it, fresh] = first_id.emplace(e.sector + "\x1f" + e.id, i);
            if (!fresh) {
                ++out.summary.duplicate_ids;
                finding f = about(e, "establishment.duplicate_id");
                f.message = who(e) + ": the id " + e.id + " of sector " + e.sector + " is also on row " +
                            std::to_string(points[it->second].row);
                out.report.add(std::move(f));
            }
        }
        if (!usable[i]) continue;
        // Same location = same coordinates to 1e-7 degree (about 1 cm).
        auto key = std::make_tuple(e.sector, std::llround(e.lon * 1e7), std::llround(e.lat * 1e7));
        auto [it, fresh] = first_spot.emplace(key, i);
        if (!fresh) {
            ++out.summary.duplicate_locations;
            finding f = about(e, "establishment.duplicate_location", severity::warning, true);
            f.message = who(e) + ": same location as row " + std::to_string(points[it->second].row) +
                        (points[it->second].id.empty() ? std::string() : " (id " + points[it->second].id + ")") +
                        ", same sector " + e.sector;
            out.report.add(std::move(f));
        }
    }
}

void count_placements(assign_result& out) {
    for (const auto& row : out.rows) {
        switch (row.where) {
            case placement::inside:
                ++out.summary.inside;
                break;
            case placement::snapped:
                ++out.summary.snapped;
                break;
            case placement::outside:
                ++out.summary.outside;
                break;
            case placement::invalid:
                ++out.summary.invalid;
                break;
            case placement::by_code:
                break;  // never made here (place_by_code.hpp)
        }
    }
}

}  // namespace

assign_result assign_points(std::span<const establishment> points, std::span<const unit_layer* const> layers,
                            const assign_options& options) {
    assign_result out;
    out.rows.resize(points.size());
    out.summary.primary = primary_level(layers);
    std::vector<char> usable;
    const std::vector<lonlat> xy = usable_coordinates(points, usable, out);
    if (const unit_layer* primary = locate_in_layers(points, layers, xy, usable, options, out))
        inherit_parent_codes(*primary, layers, out);
    report_duplicates(points, usable, out);
    count_placements(out);
    return out;
}

}  // namespace microplan::geo
