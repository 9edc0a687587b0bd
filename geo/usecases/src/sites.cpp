#include "microplan/geo/usecases/sites.hpp"

#include <cmath>
#include <iomanip>
#include <memory>
#include <sstream>

#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/catchments.hpp"
#include "microplan/geo/io/point_sources.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/territory/locate.hpp"
#include "output.hpp"
#include "text.hpp"

namespace microplan::geo::usecases {

namespace {

access::neighbourhood moves_of(const surface_request& s) {
    return s.knight ? access::neighbourhood::knight : access::neighbourhood::queen;
}

std::string capacity_csv(const access::capacity_result& r, const establishment_points& points) {
    std::ostringstream csv;
    csv << "order,establishment_fid,code,name,typology,capacity,population_in_reach,covered,capacity_left,"
           "pct_capacity_used,pct_reach_covered,last_minutes,placed\n";
    std::size_t k = 0;
    for (const auto& row : r.rows) {
        const std::size_t i = row.source;
        csv << ++k << "," << points.fid[i] << "," << csv_field(points.code[i]) << "," << csv_field(points.name[i])
            << "," << csv_field(points.typology[i]) << "," << csv_number(row.capacity) << ","
            << csv_number(std::round(row.reachable)) << "," << csv_number(std::round(row.covered)) << ","
            << csv_number(std::round(row.capacity_left())) << ","
            << csv_number(row.capacity > 0 ? 100.0 * row.covered / row.capacity : 0) << ","
            << csv_number(row.reachable > 0 ? 100.0 * row.covered / row.reachable : 0) << "," << csv_number(row.minutes)
            << "," << (row.placed ? "yes" : "no") << "\n";
    }
    return csv.str();
}

// Where sites lie: the zone, district and circuit of a lon/lat point.
class site_locator {
public:
    explicit site_locator(store::planning_store& db) {
        for (level lvl : {level::zone, level::district, level::circuit}) layers_.push_back(db.read_level(lvl));
        for (const auto& l : layers_) locators_.push_back(std::make_unique<point_locator>(l));
    }
    // ",zone,district,circuit" ("" where the point lies in no unit).
    [[nodiscard]] std::string codes(double lon, double lat) const {
        std::string out;
        for (std::size_t k = 0; k < layers_.size(); ++k) {
            int u = locators_[k]->locate(lon, lat);
            out += "," + (u >= 0 ? layers_[k].units[static_cast<std::size_t>(u)].code : std::string());
        }
        return out;
    }

private:
    std::vector<unit_layer> layers_;
    std::vector<std::unique_ptr<point_locator>> locators_;
};

std::string sites_csv(const access::site_result& r, const site_locator& where, const std::string& crs_wkt,
                      const std::vector<access::candidate_point>& points) {
    proj::transformer to_lonlat(crs_wkt, "EPSG:4326");
    std::ostringstream csv;
    csv << "method,rank,x,y,lon,lat,added_population,covered_pct_after,zone,district,circuit"
        << (points.empty() ? "" : ",candidate_id,candidate_name") << "\n";
    auto write = [&](const char* method, const std::vector<access::site>& sites) {
        std::size_t rank = 0;
        for (const auto& st : sites) {
            double lon = st.x, lat = st.y;
            to_lonlat.forward(lon, lat);
            csv << method << "," << ++rank << "," << std::llround(st.x) << "," << std::llround(st.y) << ","
                << std::fixed << std::setprecision(6) << lon << "," << lat << std::defaultfloat << ","
                << csv_number(std::round(st.added)) << "," << csv_number(st.covered_after) << where.codes(lon, lat);
            if (st.point >= 0) {
                const auto& p = points[static_cast<std::size_t>(st.point)];
                csv << "," << csv_field(p.id) << "," << csv_field(p.name);
            }
            csv << "\n";
        }
    };
    write("greedy", r.greedy);
    write("exact", r.exact_sites);
    return csv.str();
}

}  // namespace

capacity_summary run_capacity(const capacity_request& request) {
    const accessibility_request& base = request.base;
    auto surface = load_surface(request.surface, base.on_progress);
    auto pop = read_population_grid(base.population, surface.g.crs_wkt);
    auto db = store::open_store(base.store, store::open_mode::read_only);
    auto points = read_establishment_points(*db, canonical_sector(base.sector), base.typology, surface.g.crs_wkt);
    if (points.size() == 0)
        throw format_error({base.store, "establishments", {}, "sector", {}}, "no establishments",
                           "the store has no existing establishments of sector '" + base.sector + "'");
    std::size_t no_capacity = 0;
    for (double c : points.capacity) no_capacity += c > 0 ? 0 : 1;
    if (no_capacity)
        detail::tell(base.on_progress,
                     detail::text("warning: %zu establishments have no capacity and serve no one", no_capacity));
    detail::tell(base.on_progress, detail::text("capacity-limited catchments of %zu establishments (max %.0f min) ...",
                                                points.size(), request.max_minutes));
    auto r = access::capacity_catchments(surface, access::people_on_grid(pop, surface.g), points, request.max_minutes,
                                         request.order, moves_of(request.surface));
    if (!base.out_dir.empty()) {
        std::vector<float> residual(r.residual.begin(), r.residual.end());
        write_float_raster(detail::output_path(base.out_dir, "residual_population.tif"), surface.g, residual);
        write_catchments(detail::output_path(base.out_dir, "capacity_catchments.gpkg"), surface.g, r.catchment, points,
                         nullptr);
    }
    if (!request.table.empty())
        detail::write_text_file(request.table, capacity_csv(r, points), "the table could not be written");
    capacity_summary out{r.total, r.covered, r.rows.size(), 0};
    for (const auto& row : r.rows) out.full += (row.capacity > 0 && row.capacity_left() <= 0.5) ? 1 : 0;
    return out;
}

sites_result propose_sites(const sites_request& request) {
    const accessibility_request& base = request.base;
    auto surface = load_surface(request.surface, base.on_progress);
    auto pop = read_population_grid(base.population, surface.g.crs_wkt);
    auto db = store::open_store(base.store, store::open_mode::read_only);
    sites_result out;
    out.sector = canonical_sector(base.sector);
    auto existing = read_establishment_points(*db, out.sector, base.typology, surface.g.crs_wkt);
    std::vector<std::uint8_t> excluded;
    if (!request.exclude.empty()) excluded = cells_covered(surface.g, request.exclude);
    access::site_options o = request.options;
    o.moves = moves_of(request.surface);
    if (!request.candidates.empty()) {
        for (const point_source& p :
             read_point_sources(request.candidates, {}, surface.g.crs_wkt, request.candidates_layer))
            o.points.push_back({p.x, p.y, std::to_string(p.id), p.name});
        out.candidate_points = o.points.size();
        if (o.points.empty())
            throw format_error({request.candidates, request.candidates_layer, {}, {}, {}}, "no candidates",
                               "the candidate source holds no point that can be placed in the surface's CRS");
    }
    detail::tell(base.on_progress,
                 detail::text("choosing sites for %s: %zu existing establishments, threshold %.0f min ...",
                              out.sector.c_str(), existing.size(), o.minutes));
    out.sites = access::propose_sites(surface, access::people_on_grid(pop, surface.g), existing, excluded, o);
    out.csv = sites_csv(out.sites, site_locator(*db), surface.g.crs_wkt, o.points);
    if (!request.out.empty()) detail::write_text_file(request.out, out.csv, "the sites could not be written");
    return out;
}

}  // namespace microplan::geo::usecases
