#include "microplan/geo/demo/demo_country.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <queue>
#include <stdexcept>
#include <unordered_map>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "random_stream.hpp"

namespace microplan::geo::demo {

namespace {

struct point {
    double x, y;
};

// The country's outline in the analysis CRS: a wobbly closed curve around a centre.
struct outline {
    double cx, cy, radius;
    double amp[8], phase[8];
    double r(double theta) const {
        double f = 1.0;
        for (int k = 2; k < 8; ++k) f += amp[k] * std::sin(k * theta + phase[k]);
        return radius * f;
    }
    bool contains(point p) const {
        double dx = p.x - cx, dy = p.y - cy;
        return std::hypot(dx, dy) < r(std::atan2(dy, dx));
    }
};

// Region growing on a graph: `k` contiguous regions grown from spread seeds, the
// smallest region growing first, each taking its nearest free neighbour.
std::vector<std::size_t> grow_regions(const std::vector<point>& at, const std::vector<std::vector<std::size_t>>& adj,
                                      std::size_t k, random_stream& rng) {
    const std::size_t n = at.size();
    if (k > n) throw std::invalid_argument("more regions than items to build them from");
    // D² seeding spreads seeds over the area.
    std::vector<std::size_t> seeds{rng.below(n)};
    std::vector<double> d2(n, std::numeric_limits<double>::infinity());
    while (seeds.size() < k) {
        point s = at[seeds.back()];
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            d2[i] = std::min(d2[i], (at[i].x - s.x) * (at[i].x - s.x) + (at[i].y - s.y) * (at[i].y - s.y));
            total += d2[i];
        }
        double pick = rng.uniform() * total;
        std::size_t chosen = n - 1;
        for (std::size_t i = 0; i < n; ++i) {
            pick -= d2[i];
            if (pick <= 0 && d2[i] > 0) {
                chosen = i;
                break;
            }
        }
        if (d2[chosen] == 0) {  // all mass used: take any free item
            for (std::size_t i = 0; i < n; ++i)
                if (d2[i] > 0) {
                    chosen = i;
                    break;
                }
        }
        seeds.push_back(chosen);
    }
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> region(n, none);
    using cand = std::pair<double, std::size_t>;
    std::vector<std::priority_queue<cand, std::vector<cand>, std::greater<>>> frontier(k);
    std::vector<std::size_t> size(k, 0);
    using reg = std::pair<std::size_t, std::size_t>;  // (size, region)
    std::priority_queue<reg, std::vector<reg>, std::greater<>> growing;
    auto take = [&](std::size_t r, std::size_t i) {
        region[i] = r;
        ++size[r];
        point s = at[seeds[r]];
        for (std::size_t j : adj[i])
            if (region[j] == none) frontier[r].push({std::hypot(at[j].x - s.x, at[j].y - s.y), j});
    };
    for (std::size_t r = 0; r < k; ++r) {
        take(r, seeds[r]);
        growing.push({1, r});
    }
    while (!growing.empty()) {
        auto [sz, r] = growing.top();
        growing.pop();
        auto& f = frontier[r];
        while (!f.empty() && region[f.top().second] != none) f.pop();
        if (f.empty()) continue;  // enclosed: done growing
        std::size_t i = f.top().second;
        f.pop();
        take(r, i);
        growing.push({size[r], r});
    }
    // Items unreachable from any seed (none on a connected graph): nearest region.
    for (std::size_t i = 0; i < n; ++i) {
        if (region[i] != none) continue;
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t r = 0; r < k; ++r) {
            double d = std::hypot(at[i].x - at[seeds[r]].x, at[i].y - at[seeds[r]].y);
            if (d < best) {
                best = d;
                region[i] = r;
            }
        }
    }
    return region;
}

// Adjacency of groups from the adjacency of their members.
std::vector<std::vector<std::size_t>> group_adjacency(const std::vector<std::vector<std::size_t>>& adj,
                                                      const std::vector<std::size_t>& group, std::size_t k) {
    std::vector<std::vector<std::size_t>> out(k);
    for (std::size_t i = 0; i < adj.size(); ++i)
        for (std::size_t j : adj[i])
            if (group[i] != group[j]) out[group[i]].push_back(group[j]);
    for (auto& v : out) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    return out;
}

std::vector<point> group_centres(const std::vector<point>& at, const std::vector<std::size_t>& group, std::size_t k) {
    std::vector<point> c(k, {0, 0});
    std::vector<double> n(k, 0);
    for (std::size_t i = 0; i < at.size(); ++i) {
        c[group[i]].x += at[i].x;
        c[group[i]].y += at[i].y;
        n[group[i]] += 1;
    }
    for (std::size_t g = 0; g < k; ++g) c[g] = {c[g].x / n[g], c[g].y / n[g]};
    return c;
}

// Reading order: north to south in bands, then west to east; gives codes a geography.
std::vector<std::size_t> reading_order(const std::vector<point>& centres, const std::vector<std::size_t>& members,
                                       double band) {
    std::vector<std::size_t> order = members;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        auto ba = std::floor(-centres[a].y / band), bb = std::floor(-centres[b].y / band);
        if (ba != bb) return ba < bb;
        return centres[a].x < centres[b].x;
    });
    return order;
}

std::string two_digits(std::size_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }

std::string place_name(random_stream& rng) {
    static const char* first[] = {"San",   "Santa",  "El",    "La",   "Los",  "Las",
                                  "Nuevo", "Puerto", "Villa", "Alto", "Bajo", ""};
    static const char* second[] = {"Rosario",  "Esperanza", "Palmar",   "Vega",    "Colina", "Laguna",     "Cumbre",
                                   "Pedro",    "Isidro",    "Lucía",    "Carmen",  "Ceibos", "Guayacanes", "Naranjo",
                                   "Pinar",    "Quebrada",  "Sauces",   "Tola",    "Valle",  "Yaguachi",   "Chimbo",
                                   "Pilalo",   "Tambo",     "Olmedo",   "Quinche", "Arenal", "Cocha",      "Tigre",
                                   "Progreso", "Porvenir",  "Victoria", "Unión"};
    static const char* third[] = {"",      "",    "",         "del Valle",  "del Río", "de la Sierra", "del Mar",
                                  "Norte", "Sur", "Oriental", "Occidental", "Alto",    "Bajo"};
    std::string name = first[rng.below(std::size(first))];
    if (!name.empty()) name += " ";
    name += second[rng.below(std::size(second))];
    std::string t = third[rng.below(std::size(third))];
    if (!t.empty()) name += " " + t;
    return name;
}

// The square that holds the outline with a margin: background sites are drawn in it.
struct frame {
    double x0, x1, y0, y1;
};

// Centred near Ecuador's centre in UTM 17S; ~250,000 km², like Ecuador.
outline country_outline(random_stream& rng) {
    outline shape{750000.0, 9830000.0, 280000.0, {}, {}};
    for (int k = 2; k < 8; ++k) {
        shape.amp[k] = rng.uniform(0.02, 0.16) / (k * 0.6);
        shape.phase[k] = rng.uniform(0, 2 * std::numbers::pi);
    }
    return shape;
}

struct sites {
    std::vector<point> inside, outside;
};

// Uniform background plus cities (Gaussian clusters); only sites inside the outline become
// cells; background sites outside bound the outer cells.
sites scatter_sites(const outline& shape, const frame& f, std::size_t inside_target, random_stream& rng) {
    struct city {
        point c;
        double sigma;
    };
    std::vector<city> cities;
    for (int i = 0; i < 14; ++i) {
        point c;
        do c = {rng.uniform(f.x0, f.x1), rng.uniform(f.y0, f.y1)};
        while (!shape.contains(c) || std::hypot(c.x - shape.cx, c.y - shape.cy) > shape.radius * 0.8);
        cities.push_back({c, i < 2 ? 14000.0 : rng.uniform(4000, 9000)});
    }
    sites out;
    while (out.inside.size() < inside_target) {
        point p;
        if (rng.uniform() < 0.35) {
            const city& c = cities[rng.uniform() < 0.5 ? rng.below(2) : rng.below(cities.size())];
            p = {c.c.x + rng.normal() * c.sigma, c.c.y + rng.normal() * c.sigma};
            if (!shape.contains(p)) continue;
        } else {
            p = {rng.uniform(f.x0, f.x1), rng.uniform(f.y0, f.y1)};
            if (!shape.contains(p)) {
                if (out.outside.size() < inside_target / 2) out.outside.push_back(p);
                continue;
            }
        }
        out.inside.push_back(p);
    }
    // Round to centimetres: identical input coordinates on every machine.
    auto cm = [](double v) { return std::round(v * 100.0) / 100.0; };
    for (auto* set : {&out.inside, &out.outside})
        for (auto& p : *set) p = {cm(p.x), cm(p.y)};
    return out;
}

// The Voronoi cell of each inside site (cells come in no particular order from GEOS: each is
// matched to the inside site it contains, through a bucket grid of the sites).
std::vector<geos::geom_ptr> cells_of_sites(GEOSContextHandle_t h, const GEOSGeometry* cells,
                                           const std::vector<point>& inside, const frame& f) {
    std::vector<geos::geom_ptr> cell_of(inside.size());
    int n = GEOSGetNumGeometries_r(h, cells);
    double cell_size = 5000;
    std::unordered_map<long long, std::vector<std::size_t>> grid;
    auto gk = [&](double x, double y) {
        return static_cast<long long>(std::floor((x - f.x0) / cell_size)) * 1000003LL +
               static_cast<long long>(std::floor((y - f.y0) / cell_size));
    };
    for (std::size_t i = 0; i < inside.size(); ++i) grid[gk(inside[i].x, inside[i].y)].push_back(i);
    for (int c = 0; c < n; ++c) {
        const GEOSGeometry* cell = GEOSGetGeometryN_r(h, cells, c);
        geos::envelope e = geos::envelope_of(cell);
        geos::prepared_ptr prep = geos::prepare(cell);
        for (double gx = std::floor((e.minx - f.x0) / cell_size); gx <= std::floor((e.maxx - f.x0) / cell_size); ++gx)
            for (double gy = std::floor((e.miny - f.y0) / cell_size); gy <= std::floor((e.maxy - f.y0) / cell_size);
                 ++gy) {
                auto it = grid.find(static_cast<long long>(gx) * 1000003LL + static_cast<long long>(gy));
                if (it == grid.end()) continue;
                for (std::size_t i : it->second) {
                    if (cell_of[i]) continue;
                    geos::geom_ptr p = geos::own(GEOSGeom_createPointFromXY_r(h, inside[i].x, inside[i].y));
                    if (geos::contains(prep.get(), p.get())) cell_of[i] = geos::clone(cell);
                }
            }
    }
    for (std::size_t i = 0; i < inside.size(); ++i)
        if (!cell_of[i])
            throw geometry_error({}, "demo country: no Voronoi cell", "a site lies in no cell of the diagram");
    return cell_of;
}

// Cell adjacency from the Delaunay edges between two inside sites.
std::vector<std::vector<std::size_t>> site_adjacency(GEOSContextHandle_t h, const GEOSGeometry* edges,
                                                     const std::vector<point>& inside) {
    std::map<std::pair<double, double>, std::size_t> site_index;
    for (std::size_t i = 0; i < inside.size(); ++i) site_index[{inside[i].x, inside[i].y}] = i;
    std::vector<std::vector<std::size_t>> adj(inside.size());
    int n = GEOSGetNumGeometries_r(h, edges);
    for (int e = 0; e < n; ++e) {
        const GEOSGeometry* line = GEOSGetGeometryN_r(h, edges, e);
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, line);
        double ax, ay, bx, by;
        GEOSCoordSeq_getXY_r(h, seq, 0, &ax, &ay);
        GEOSCoordSeq_getXY_r(h, seq, 1, &bx, &by);
        auto a = site_index.find({ax, ay});
        auto b = site_index.find({bx, by});
        if (a == site_index.end() || b == site_index.end()) continue;
        adj[a->second].push_back(b->second);
        adj[b->second].push_back(a->second);
    }
    for (auto& v : adj) std::sort(v.begin(), v.end());
    return adj;
}

struct voronoi {
    std::vector<geos::geom_ptr> cell_of;             // per inside site
    std::vector<std::vector<std::size_t>> adjacent;  // per inside site, sorted
};

// Voronoi cells of all sites; those of inside sites are kept.
voronoi voronoi_of(const sites& all, const frame& f) {
    GEOSContextHandle_t h = geos::thread_context().handle();
    std::vector<GEOSGeometry*> pts;
    for (auto* set : {&all.inside, &all.outside})
        for (auto& p : *set) pts.push_back(GEOSGeom_createPointFromXY_r(h, p.x, p.y));
    geos::geom_ptr multipoint =
        geos::own(GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts.data(), static_cast<unsigned>(pts.size())));
    geos::geom_ptr cells = geos::own(GEOSVoronoiDiagram_r(h, multipoint.get(), nullptr, 0.0, 0));
    geos::geom_ptr edges = geos::own(GEOSDelaunayTriangulation_r(h, multipoint.get(), 0.0, 1));
    if (!cells || !edges)
        throw geometry_error({}, "demo country: GEOS Voronoi failed", geos::thread_context().last_error());
    return {cells_of_sites(h, cells.get(), all.inside, f), site_adjacency(h, edges.get(), all.inside)};
}

// Which group each member of the finer level belongs to, and the groups' centres.
struct grouping {
    std::vector<std::size_t> circuit_of, district_of, zone_of;
    std::vector<point> circuit_at, district_at, zone_at;
};

// Cells -> circuits -> districts -> zones, each grown as contiguous regions of the level below.
grouping group_cells(const std::vector<point>& inside, const std::vector<std::vector<std::size_t>>& adj,
                     const country_options& opt, random_stream& rng) {
    grouping g;
    g.circuit_of = grow_regions(inside, adj, opt.circuits, rng);
    g.circuit_at = group_centres(inside, g.circuit_of, opt.circuits);
    auto circuit_adj = group_adjacency(adj, g.circuit_of, opt.circuits);
    g.district_of = grow_regions(g.circuit_at, circuit_adj, opt.districts, rng);
    g.district_at = group_centres(g.circuit_at, g.district_of, opt.districts);
    auto district_adj = group_adjacency(circuit_adj, g.district_of, opt.districts);
    g.zone_of = grow_regions(g.district_at, district_adj, opt.zones, rng);
    g.zone_at = group_centres(g.district_at, g.zone_of, opt.zones);
    return g;
}

struct codes {
    std::vector<std::string> zone, district, circuit;
};

// Zones Z1.. north to south; provinces (2-3 per zone) numbered 01..; districts PPDnn and
// circuits PPDnnCmm in reading order.
codes code_units(const grouping& g, const country_options& opt) {
    codes out{std::vector<std::string>(opt.zones), std::vector<std::string>(opt.districts),
              std::vector<std::string>(opt.circuits)};
    std::vector<std::size_t> all_zones(opt.zones);
    for (std::size_t z = 0; z < opt.zones; ++z) all_zones[z] = z;
    std::size_t province = 0;
    auto zone_order = reading_order(g.zone_at, all_zones, 150000);
    for (std::size_t zi = 0; zi < zone_order.size(); ++zi) {
        std::size_t z = zone_order[zi];
        out.zone[z] = "Z" + std::to_string(zi + 1);
        std::vector<std::size_t> members;
        for (std::size_t d = 0; d < opt.districts; ++d)
            if (g.zone_of[d] == z) members.push_back(d);
        auto order = reading_order(g.district_at, members, 60000);
        std::size_t n_prov = std::max<std::size_t>(1, std::min<std::size_t>(3, order.size() / 6));
        std::size_t per = (order.size() + n_prov - 1) / n_prov;
        for (std::size_t k = 0; k < order.size(); ++k) {
            if (k % per == 0) ++province;
            out.district[order[k]] = two_digits(province) + "D" + two_digits(k % per + 1);
        }
    }
    for (std::size_t d = 0; d < opt.districts; ++d) {
        std::vector<std::size_t> members;
        for (std::size_t c = 0; c < opt.circuits; ++c)
            if (g.district_of[c] == d) members.push_back(c);
        auto order = reading_order(g.circuit_at, members, 20000);
        for (std::size_t k = 0; k < order.size(); ++k)
            out.circuit[order[k]] = out.district[d] + "C" + two_digits(k + 1);
    }
    return out;
}

// One level's units: the union of their parts in the analysis CRS (shared Voronoi edges
// dissolve exactly), then transformed to WGS 84. Names are drawn in unit order.
unit_layer make_level(level lvl, std::size_t k, const std::vector<std::size_t>& group_of,
                      const std::vector<const GEOSGeometry*>& parts, const std::vector<std::string>& codes,
                      const std::vector<std::string>& parent_codes, const proj::transformer& to_wgs84,
                      random_stream& rng) {
    std::vector<std::vector<const GEOSGeometry*>> members(k);
    for (std::size_t i = 0; i < group_of.size(); ++i) members[group_of[i]].push_back(parts[i]);
    unit_layer layer;
    layer.lvl = lvl;
    layer.units.resize(k);
    std::vector<std::string> names(k);
    for (auto& n : names) n = place_name(rng);
    parallel_for(k, 0, [&](std::size_t g) {
        unit& u = layer.units[g];
        u.lvl = lvl;
        u.code = codes[g];
        u.name = lvl == level::zone ? "Zona " + codes[g].substr(1) : names[g];
        u.parent_code = parent_codes.empty() ? "" : parent_codes[g];
        u.projected = geos::polygonal_parts_as_multipolygon(geos::unary_union(members[g]).get());
        u.area_km2 = geos::area(u.projected.get()) / 1e6;
        u.perimeter_km = geos::length(u.projected.get()) / 1e3;
    });
    for (unit& u : layer.units) {
        u.geometry = to_wgs84.forward(u.projected.get());
        if (!u.geometry)
            throw crs_error({}, "demo country: cannot transform", "a unit cannot be transformed to WGS 84");
    }
    return layer;
}

std::vector<const GEOSGeometry*> projected_parts(const unit_layer& layer) {
    std::vector<const GEOSGeometry*> parts;
    for (auto& u : layer.units) parts.push_back(u.projected.get());
    return parts;
}

}  // namespace

country generate_country(const country_options& opt) {
    if (opt.zones == 0 || opt.districts < opt.zones || opt.circuits < opt.districts || opt.cells_per_circuit == 0)
        throw std::invalid_argument("demo country: need 0 < zones <= districts <= circuits");
    random_stream rng(opt.seed);
    outline shape = country_outline(rng);
    const double extent = shape.radius * 2.2;
    const frame f{shape.cx - extent, shape.cx + extent, shape.cy - extent, shape.cy + extent};
    const sites all = scatter_sites(shape, f, opt.circuits * opt.cells_per_circuit, rng);
    const voronoi cells = voronoi_of(all, f);
    const grouping g = group_cells(all.inside, cells.adjacent, opt, rng);
    const codes code = code_units(g, opt);

    proj::transformer to_wgs84(opt.analysis_crs, "EPSG:4326");
    std::vector<std::string> circuit_parent(opt.circuits), district_parent(opt.districts);
    for (std::size_t c = 0; c < opt.circuits; ++c) circuit_parent[c] = code.district[g.district_of[c]];
    for (std::size_t d = 0; d < opt.districts; ++d) district_parent[d] = code.zone[g.zone_of[d]];
    std::vector<const GEOSGeometry*> cell_parts;
    for (auto& c : cells.cell_of) cell_parts.push_back(c.get());
    country out;
    out.circuits =
        make_level(level::circuit, opt.circuits, g.circuit_of, cell_parts, code.circuit, circuit_parent, to_wgs84, rng);
    out.districts = make_level(level::district, opt.districts, g.district_of, projected_parts(out.circuits),
                               code.district, district_parent, to_wgs84, rng);
    out.zones =
        make_level(level::zone, opt.zones, g.zone_of, projected_parts(out.districts), code.zone, {}, to_wgs84, rng);
    return out;
}

}  // namespace microplan::geo::demo
