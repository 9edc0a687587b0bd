#include "microplan/geo/demo/demo_access.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/io/vector_writer.hpp"
#include "random_stream.hpp"

namespace microplan::geo::demo {

namespace {

struct seat {
    double x = 0, y = 0;  // analysis CRS
    std::string code;
};

seat seat_of(const unit& u) {
    GEOSContextHandle_t ctx = geos::thread_context().handle();
    geos::geom_ptr p = geos::own(GEOSPointOnSurface_r(ctx, u.projected.get()));
    seat s;
    s.code = u.code;
    GEOSGeomGetX_r(ctx, p.get(), &s.x);
    GEOSGeomGetY_r(ctx, p.get(), &s.y);
    return s;
}

GDALDatasetUniquePtr tiff(const std::string& path, const access::grid& g, GDALDataType type) {
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    char** co = nullptr;
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "TILED", "YES");
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), static_cast<int>(g.cols), static_cast<int>(g.rows), 1, type, co));
    CSLDestroy(co);
    if (!ds) throw format_error({path, {}, {}, {}, {}}, "cannot create the raster", CPLGetLastErrorMsg());
    double gt[6] = {g.x0, g.ew_res, 0, g.y0, 0, -g.ns_res};
    ds->SetGeoTransform(gt);
    ds->SetProjection(g.crs_wkt.c_str());
    ds->SetMetadataItem("SOURCE", "microplan demo (synthetic, illustrative)");
    return ds;
}

// A road from a to b bent at a jittered midpoint, so roads are not ruler-straight.
OGRLineString road(const seat& a, const seat& b, random_stream& rng) {
    OGRLineString l;
    const double mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2, len = std::hypot(b.x - a.x, b.y - a.y);
    const double nx = -(b.y - a.y) / std::max(len, 1.0), ny = (b.x - a.x) / std::max(len, 1.0);
    const double off = rng.uniform(-0.15, 0.15) * len;
    l.addPoint(a.x, a.y);
    l.addPoint(mx + nx * off, my + ny * off);
    l.addPoint(b.x, b.y);
    return l;
}

}  // namespace

access_inputs write_access_inputs(const country& c, const demo_population& people, const std::string& population_raster,
                                  const std::string& prefix, std::uint64_t seed) {
    gdal::ensure_registered();
    random_stream rng(seed ^ 0xacce55ULL);
    access_inputs out{prefix + "_landcover.tif", prefix + "_elevation.tif", prefix + "_roads.gpkg",
                      prefix + "_rivers.gpkg"};
    auto pop = geo::read_population_grid(population_raster, "EPSG:32717");
    const access::grid& g = pop.g;
    const std::size_t n = g.cells();

    // Elevation: a cordillera along a wavy north–south line through the middle, two ranges of
    // peaks, falling to the coast in the west and the Amazon in the east.
    const double xmid = g.x0 + g.ew_res * static_cast<double>(g.cols) * 0.48;
    double ph[3] = {rng.uniform(0, 6.28), rng.uniform(0, 6.28), rng.uniform(0, 6.28)};
    std::vector<float> z(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto [x, y] = g.centre(i);
        const double axis = xmid + 40000 * std::sin(y / 150000 + ph[0]);
        const double d = (x - axis) / 60000;
        double h = 3600 * std::exp(-d * d) + 900 * std::exp(-d * d / 4);
        h += 500 * std::sin(x / 23000 + ph[1]) * std::sin(y / 31000 + ph[2]) * std::exp(-d * d / 2);
        h += (x > axis ? 250.0 : 10.0);
        z[i] = static_cast<float>(std::max(0.0, h));
    }
    // Land cover from people and height: 1 built-up, 2 cropland, 3 forest, 4 páramo, 5 water.
    std::vector<std::int32_t> lc(n, 2);
    for (std::size_t i = 0; i < n; ++i) {
        auto [x, y] = g.centre(i);
        const double density = pop.people[i] / (g.ew_res * g.ns_res / 1e6);
        if (density > 1500)
            lc[i] = 1;
        else if (z[i] > 3300)
            lc[i] = 4;
        else if (x > xmid + 90000 || std::sin(x / 17000 + ph[1]) * std::sin(y / 13000) > 0.55)
            lc[i] = 3;
    }
    // Lakes: a few round basins away from towns.
    for (int k = 0; k < 6; ++k) {
        const auto c0 = static_cast<std::size_t>(rng.uniform(0.1, 0.9) * static_cast<double>(g.cols));
        const auto r0 = static_cast<std::size_t>(rng.uniform(0.1, 0.9) * static_cast<double>(g.rows));
        const int radius = 2 + static_cast<int>(rng.uniform(0, 4));
        for (int dr = -radius; dr <= radius; ++dr)
            for (int dc = -radius; dc <= radius; ++dc) {
                if (dr * dr + dc * dc > radius * radius) continue;
                auto r = static_cast<std::ptrdiff_t>(r0) + dr, cc = static_cast<std::ptrdiff_t>(c0) + dc;
                if (r < 0 || cc < 0 || r >= static_cast<std::ptrdiff_t>(g.rows) ||
                    cc >= static_cast<std::ptrdiff_t>(g.cols))
                    continue;
                std::size_t i = static_cast<std::size_t>(r) * g.cols + static_cast<std::size_t>(cc);
                if (lc[i] != 1 && pop.people[i] < 50) lc[i] = 5;
            }
    }
    // Every cell of the country holds people in the demo raster; the rest of the box is sea
    // or abroad: no data (impassable).
    for (std::size_t i = 0; i < n; ++i)
        if (pop.people[i] <= 0) lc[i] = 0;
    {
        auto ds = tiff(out.landcover, g, GDT_Byte);
        ds->GetRasterBand(1)->SetNoDataValue(0);
        if (ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                                           lc.data(), static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Int32, 0,
                                           0) != CE_None)
            throw format_error({out.landcover, {}, {}, {}, {}}, "cannot write the raster", CPLGetLastErrorMsg());
    }
    {
        auto ds = tiff(out.elevation, g, GDT_Float32);
        if (ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows), z.data(),
                                           static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Float32, 0,
                                           0) != CE_None)
            throw format_error({out.elevation, {}, {}, {}, {}}, "cannot write the raster", CPLGetLastErrorMsg());
    }

    // Seats: the most populated circuit of each district and zone.
    const auto& pops = people.circuits.at(total_band);
    std::map<std::string, std::string> zone_of;  // district code -> zone code
    for (const auto& d : c.districts.units) zone_of[d.code] = d.parent_code;
    std::map<std::string, std::pair<double, const unit*>> best_district, best_zone;
    std::vector<seat> circuit_seats;
    std::map<std::string, seat> circuit_seat;
    for (const auto& u : c.circuits.units) {
        double p = pops.count(u.code) ? pops.at(u.code) : 0;
        auto& bd = best_district[u.parent_code];
        if (!bd.second || p > bd.first) bd = {p, &u};
        auto& bz = best_zone[zone_of[u.parent_code]];
        if (!bz.second || p > bz.first) bz = {p, &u};
        circuit_seat[u.code] = seat_of(u);
    }
    vector_writer road_file(out.roads, "GPKG");
    auto roads = road_file.add_layer("roads", wkbLineString, "EPSG:32717", {{"highway", field_type::text}});
    auto add = [&](const OGRLineString& l, const char* cls) { road_file.write(roads, &l, {std::string(cls)}); };
    // Primary: a minimum spanning tree over the zone capitals (Prim).
    std::vector<seat> capitals;
    for (const auto& [zone, b] : best_zone) capitals.push_back(circuit_seat[b.second->code]);
    {
        std::vector<bool> in(capitals.size(), false);
        std::vector<double> d(capitals.size(), 1e300);
        std::vector<std::size_t> from(capitals.size(), 0);
        d[0] = 0;
        for (std::size_t it = 0; it < capitals.size(); ++it) {
            std::size_t v = capitals.size();
            for (std::size_t i = 0; i < capitals.size(); ++i)
                if (!in[i] && (v == capitals.size() || d[i] < d[v])) v = i;
            in[v] = true;
            if (it > 0) add(road(capitals[from[v]], capitals[v], rng), "primary");
            for (std::size_t i = 0; i < capitals.size(); ++i) {
                double dd = std::hypot(capitals[i].x - capitals[v].x, capitals[i].y - capitals[v].y);
                if (!in[i] && dd < d[i]) d[i] = dd, from[i] = v;
            }
        }
    }
    // Secondary: each district seat to its zone capital; tertiary: each circuit seat to its
    // district seat; a few tracks between neighbouring circuit seats.
    for (const auto& [district, b] : best_district) {
        const seat& s = circuit_seat[b.second->code];
        const seat& cap = circuit_seat[best_zone[zone_of[district]].second->code];
        if (s.code != cap.code) add(road(s, cap, rng), "secondary");
    }
    for (const auto& u : c.circuits.units) {
        const seat& s = circuit_seat[u.code];
        const seat& ds = circuit_seat[best_district[u.parent_code].second->code];
        if (s.code != ds.code) add(road(s, ds, rng), rng.uniform() < 0.7 ? "tertiary" : "track");
    }
    road_file.commit();

    // Rivers: from the cordillera down to the west and east edges (barriers; roads bridge them).
    vector_writer river_file(out.rivers, "GPKG");
    auto rivers = river_file.add_layer("rivers", wkbLineString, "EPSG:32717", {{"name", field_type::text}});
    const double ytop = g.y0, ybot = g.y0 - g.ns_res * static_cast<double>(g.rows);
    const double xleft = g.x0, xright = g.x0 + g.ew_res * static_cast<double>(g.cols);
    for (int k = 0; k < 6; ++k) {
        OGRLineString l;
        double y = ybot + (ytop - ybot) * (0.12 + 0.15 * k);
        double x = xmid;
        const double to = (k % 2 == 0) ? xleft : xright;
        const int steps = 40;
        for (int s = 0; s <= steps; ++s) {
            double t = static_cast<double>(s) / steps;
            l.addPoint(x + (to - x) * t, y + 20000 * std::sin(t * 9 + k));
        }
        river_file.write(rivers, &l, {"Río " + std::to_string(k + 1)});
    }
    river_file.commit();
    return out;
}

}  // namespace microplan::geo::demo
