#include "microplan/geo/demo/demo_services.hpp"

#include <gdal_priv.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "microplan/geo/territory/locate.hpp"
#include "random_stream.hpp"

namespace microplan::geo::demo {

namespace {

struct grid_spec {
    double x0, y1;  // top-left corner
    int width, height;
    double cell;
};

grid_spec grid_of(const country& c, double cell) {
    geos::envelope e;
    bool first = true;
    for (const auto& u : c.zones.units) {
        auto ue = geos::envelope_of(u.projected.get());
        if (first)
            e = ue;
        else
            e.expand(ue);
        first = false;
    }
    double x0 = std::floor(e.minx / cell) * cell, y0 = std::floor(e.miny / cell) * cell;
    double x1 = std::ceil(e.maxx / cell) * cell, y1 = std::ceil(e.maxy / cell) * cell;
    return {x0, y1, static_cast<int>(std::lround((x1 - x0) / cell)), static_cast<int>(std::lround((y1 - y0) / cell)),
            cell};
}

// Age structure: urban circuits are older, rural ones younger (shares sum to 1).
std::vector<double> age_shares(double urbanity) {
    const double rural[] = {0.080, 0.045, 0.250, 0.540, 0.085};
    const double urban[] = {0.060, 0.035, 0.200, 0.630, 0.075};
    std::vector<double> s;
    for (int i = 0; i < 5; ++i) s.push_back(rural[i] + (urban[i] - rural[i]) * urbanity);
    return s;
}

struct typology_spec {
    const char* name;
    double people_per_unit;  // one establishment per this many people (before provision)
    double capacity_lo, capacity_hi;
    int staff_lo, staff_hi;
    double min_density;  // people per km² of the circuit where it appears (0 = anywhere)
};

struct sector_spec {
    const char* sector;
    const char* prefix;
    std::vector<typology_spec> typologies;
};

const std::vector<sector_spec>& sectors() {
    static const std::vector<sector_spec> s = {
        {"health",
         "SAL",
         {{"Puesto de Salud", 60000, 2000, 4000, 2, 4, 0},
          {"Centro de Salud Tipo A", 14000, 5000, 10000, 6, 15, 0},
          {"Centro de Salud Tipo B", 60000, 10000, 25000, 15, 35, 150},
          {"Centro de Salud Tipo C", 150000, 25000, 50000, 35, 70, 400},
          {"Hospital Básico", 250000, 50000, 100000, 60, 150, 150},
          {"Hospital General", 900000, 100000, 300000, 200, 600, 800}}},
        {"education",
         "EDU",
         {{"Escuela de Educación Básica", 5000, 120, 600, 6, 25, 0},
          {"Unidad Educativa", 9000, 600, 2000, 25, 80, 0},
          {"Colegio de Bachillerato", 40000, 400, 1200, 20, 50, 100}}},
        {"security", "SEG", {{"UPC", 16000, 8, 20, 8, 20, 0}, {"UVC", 250000, 30, 60, 30, 60, 200}}},
        {"child_development",
         "CDI",
         {{"Centro de Desarrollo Infantil (CDI)", 12000, 40, 100, 5, 12, 60},
          {"Creciendo con Nuestros Hijos (CNH)", 15000, 60, 90, 1, 3, 0}}},
    };
    return s;
}

}  // namespace

void write_population_raster(const country& c, const std::string& raster_path, const services_options& opt) {
    gdal::ensure_registered();
    random_stream rng(opt.seed ^ 0x5eed0f9e0b1eull);
    grid_spec g = grid_of(c, opt.cell_m);
    // People per circuit: circuits are drawn smaller where people are dense (cities), so
    // equal-ish circuit populations give urban clustering; a log-normal spread on top.
    std::size_t n = c.circuits.units.size();
    std::vector<double> weight(n);
    double wsum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        weight[i] = std::exp(0.45 * rng.normal());
        wsum += weight[i];
    }
    std::vector<double> cells(static_cast<std::size_t>(g.width) * static_cast<std::size_t>(g.height), 0.0);
    // Smooth within-circuit variation: a few random waves.
    double ax[4], ay[4], ph[4];
    for (int k = 0; k < 4; ++k) {
        ax[k] = rng.uniform(-1, 1) * 2 * std::numbers::pi / 40000.0;
        ay[k] = rng.uniform(-1, 1) * 2 * std::numbers::pi / 40000.0;
        ph[k] = rng.uniform(0, 2 * std::numbers::pi);
    }
    auto wave = [&](int col, int row) {
        double x = g.x0 + (col + 0.5) * g.cell, y = g.y1 - (row + 0.5) * g.cell, f = 1;
        for (int k = 0; k < 4; ++k) f += 0.15 * std::sin(ax[k] * x + ay[k] * y + ph[k]);
        return f;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const unit& u = c.circuits.units[i];
        geos::geom_ptr grid = geos::transform_xy(u.projected.get(), [&](double& x, double& y) {
            x = (x - g.x0) / g.cell;
            y = (g.y1 - y) / g.cell;
            return true;
        });
        double people = opt.population * weight[i] / wsum;
        std::vector<std::pair<std::size_t, double>> touched;
        double mass = 0;
        cell_coverage(grid.get(), g.width, g.height, [&](int col, int row, double f) {
            double w = f * wave(col, row);
            touched.emplace_back(
                static_cast<std::size_t>(row) * static_cast<std::size_t>(g.width) + static_cast<std::size_t>(col), w);
            mass += w;
        });
        for (const auto& [k, w] : touched) cells[k] += people * w / mass;
    }
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    if (!drv) throw format_error({raster_path, {}, {}, {}, {}}, "cannot create the raster", "GDAL has no GTiff driver");
    char** co = nullptr;
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "TILED", "YES");
    GDALDatasetUniquePtr ds(drv->Create(raster_path.c_str(), g.width, g.height, 1, GDT_Float32, co));
    CSLDestroy(co);
    if (!ds) throw format_error({raster_path, {}, {}, {}, {}}, "cannot create the raster", CPLGetLastErrorMsg());
    double gt[6] = {g.x0, g.cell, 0, g.y1, 0, -g.cell};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.SetFromUserInput(opt.analysis_crs.c_str());
    ds->SetSpatialRef(&srs);
    GDALRasterBand* band = ds->GetRasterBand(1);
    band->SetNoDataValue(-1);
    band->SetDescription("population");
    if (band->RasterIO(GF_Write, 0, 0, g.width, g.height, cells.data(), g.width, g.height, GDT_Float64, 0, 0) !=
        CE_None)
        throw format_error({raster_path, {}, {}, {}, {}}, "cannot write the raster", CPLGetLastErrorMsg());
    ds->SetMetadataItem("SOURCE", "microplan demo (synthetic)");
}

demo_population population_by_unit(const country& c, const std::string& raster_path) {
    std::vector<const GEOSGeometry*> geoms;
    for (const auto& u : c.circuits.units) geoms.push_back(u.geometry.get());
    zonal_result z = zonal_sums(raster_path, geoms, "EPSG:4326");
    // Urbanity from density rank.
    std::vector<double> density(c.circuits.units.size());
    for (std::size_t i = 0; i < density.size(); ++i)
        density[i] = z.sums[i] / std::max(c.circuits.units[i].area_km2, 1e-9);
    std::vector<double> sorted = density;
    std::sort(sorted.begin(), sorted.end());
    demo_population out;
    for (std::size_t i = 0; i < density.size(); ++i) {
        const unit& u = c.circuits.units[i];
        double rank = static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), density[i]) - sorted.begin()) /
                      static_cast<double>(std::max<std::size_t>(sorted.size() - 1, 1));
        out.circuits[total_band][u.code] = z.sums[i];
        auto shares = age_shares(rank);
        for (std::size_t b = 0; b < demo_age_bands.size(); ++b)
            out.circuits[demo_age_bands[b]][u.code] = z.sums[i] * shares[b];
    }
    // Upper levels: sums of their children, so that roll-ups are exact.
    auto roll_up = [](const unit_layer& children, const population_values& from, population_values& to,
                      const unit_layer& parents) {
        for (const auto& [band, by_code] : from) {
            for (const auto& p : parents.units) to[band][p.code] = 0;
            for (const auto& ch : children.units) to[band][ch.parent_code] += by_code.at(ch.code);
        }
    };
    roll_up(c.circuits, out.circuits, out.districts, c.districts);
    roll_up(c.districts, out.districts, out.zones, c.zones);
    return out;
}

std::vector<establishment> generate_establishments(const country& c, const demo_population& people,
                                                   const services_options& opt) {
    random_stream rng(opt.seed ^ 0xe57ab11500ull);
    const auto& units = c.circuits.units;
    std::size_t n = units.size();
    const auto& pop = people.circuits.at(total_band);
    std::vector<double> density(n);
    for (std::size_t i = 0; i < n; ++i) density[i] = pop.at(units[i].code) / std::max(units[i].area_km2, 1e-9);
    // How well each district is provided, per sector: some districts lag far behind.
    std::map<std::string, double> provision;
    std::vector<establishment> out;
    std::vector<const GEOSGeometry*> geoms;
    for (const auto& u : units) geoms.push_back(u.projected.get());
    point_locator locator(geoms);
    proj::transformer to_wgs84(opt.analysis_crs, "EPSG:4326");
    for (const sector_spec& sector : sectors()) {
        provision.clear();
        for (const auto& d : c.districts.units) provision[d.code] = rng.uniform(0.35, 1.15);
        std::size_t serial = 0;
        for (const typology_spec& t : sector.typologies) {
            // Expected count per circuit, then integer counts by carrying the remainder.
            double carry = rng.uniform();
            for (std::size_t i = 0; i < n; ++i) {
                if (density[i] < t.min_density) continue;
                double expected = pop.at(units[i].code) / t.people_per_unit * provision[units[i].parent_code];
                carry += expected;
                auto count = static_cast<int>(std::floor(carry));
                carry -= count;
                auto env = geos::envelope_of(units[i].projected.get());
                for (int k = 0; k < count; ++k) {
                    double x = 0, y = 0;
                    for (int tries = 0; tries < 200; ++tries) {
                        x = std::round(rng.uniform(env.minx, env.maxx));
                        y = std::round(rng.uniform(env.miny, env.maxy));
                        if (locator.locate(x, y) == static_cast<int>(i)) break;
                    }
                    if (locator.locate(x, y) != static_cast<int>(i)) continue;
                    establishment e;
                    ++serial;
                    char id[32];
                    std::snprintf(id, sizeof id, "%s-%05zu", sector.prefix, serial);
                    e.row = static_cast<long long>(out.size() + 1);
                    e.id = id;
                    e.sector = sector.sector;
                    e.typology = t.name;
                    e.name = std::string(t.name) + " " + units[i].name + " " + std::to_string(k + 1);
                    e.capacity = std::round(rng.uniform(t.capacity_lo, t.capacity_hi));
                    double r = rng.uniform();
                    e.condition = r < 0.5 ? "good" : r < 0.85 ? "fair" : "poor";
                    e.staff = static_cast<long long>(t.staff_lo) +
                              static_cast<long long>(rng.below(static_cast<std::size_t>(t.staff_hi - t.staff_lo + 1)));
                    to_wgs84.forward(x, y);
                    // Seven decimals (1 cm) so that the stored text is the same everywhere.
                    e.lon = std::round(x * 1e7) / 1e7;
                    e.lat = std::round(y * 1e7) / 1e7;
                    out.push_back(std::move(e));
                }
            }
        }
    }
    return out;
}

namespace {
// Districts and zones as sums of their circuits' values, band by band.
void sum_up(const country& c, demo_population& p) {
    p.districts.clear();
    p.zones.clear();
    std::map<std::string, std::string> zone_of;
    for (const auto& d : c.districts.units) zone_of[d.code] = d.parent_code;
    for (const auto& u : c.circuits.units)
        for (const auto& [band, values] : p.circuits) {
            double v = values.at(u.code);
            p.districts[band][u.parent_code] += v;
            p.zones[band][zone_of.at(u.parent_code)] += v;
        }
}
}  // namespace

std::map<int, demo_population> project_population(const country& c, const demo_population& base, int first_year,
                                                  int last_year, const services_options& opt) {
    random_stream rng(opt.seed ^ 0x9a0e7e57ull);
    // Zone density decides the zone's growth: cities grow, the sparse countryside shrinks.
    std::map<std::string, double> people, area, growth;
    std::map<std::string, std::string> zone_of;
    for (const auto& d : c.districts.units) zone_of[d.code] = d.parent_code;
    for (const auto& u : c.circuits.units) {
        people[zone_of.at(u.parent_code)] += base.circuits.at(total_band).at(u.code);
        area[zone_of.at(u.parent_code)] += u.area_km2;
    }
    for (const auto& z : c.zones.units) {
        double density = people[z.code] / std::max(area[z.code], 1e-9);
        double g = -0.003 + 0.025 * std::clamp(std::log10(std::max(density, 1.0)) / 3.0, 0.0, 1.0);
        growth[z.code] = std::clamp(g + rng.uniform(-0.002, 0.002), -0.003, 0.022);
    }
    std::map<int, demo_population> out;
    for (int year = first_year; year <= last_year; ++year) {
        demo_population p;
        for (const auto& [band, values] : base.circuits)
            for (const auto& u : c.circuits.units)
                p.circuits[band][u.code] =
                    values.at(u.code) * std::pow(1.0 + growth[zone_of.at(u.parent_code)], year - first_year);
        sum_up(c, p);
        out.emplace(year, std::move(p));
    }
    return out;
}

std::map<level, std::map<std::string, double>> poverty_index(const country& c, const demo_population& people,
                                                             const services_options& opt) {
    random_stream rng(opt.seed ^ 0x90e27bull);
    std::map<level, std::map<std::string, double>> out;
    const auto& pop = people.circuits.at(total_band);
    std::map<std::string, std::pair<double, double>> district, zone;  // code -> (Σ people × nbi, Σ people)
    std::map<std::string, std::string> zone_of;
    for (const auto& d : c.districts.units) zone_of[d.code] = d.parent_code;
    for (const auto& u : c.circuits.units) {
        double p = pop.at(u.code);
        double density = p / std::max(u.area_km2, 1e-9);
        double nbi = std::clamp(85.0 - 22.0 * std::log10(density + 1.0) + 8.0 * rng.normal(), 5.0, 95.0);
        nbi = std::round(nbi * 10.0) / 10.0;
        out[level::circuit][u.code] = nbi;
        district[u.parent_code].first += p * nbi;
        district[u.parent_code].second += p;
        zone[zone_of.at(u.parent_code)].first += p * nbi;
        zone[zone_of.at(u.parent_code)].second += p;
    }
    for (const auto& [code, s] : district) out[level::district][code] = s.second > 0 ? s.first / s.second : 0;
    for (const auto& [code, s] : zone) out[level::zone][code] = s.second > 0 ? s.first / s.second : 0;
    return out;
}

std::map<std::string, std::map<std::string, double>> household_networks(const country& c, const demo_population& people,
                                                                        const std::map<std::string, double>& nbi,
                                                                        const services_options& opt) {
    random_stream rng(opt.seed ^ 0x4e7a0cull);
    // Served share = base - slope x NBI + noise, clamped (a poorer circuit is less connected).
    struct network {
        const char* sector;
        double base, slope, noise, low;
    };
    const network networks[] = {{"water", 0.96, 0.60, 0.05, 0.15},
                                {"sewerage", 0.91, 0.95, 0.06, 0.02},
                                {"electricity", 1.01, 0.18, 0.02, 0.5}};
    std::map<std::string, std::map<std::string, double>> out;
    const auto& pop = people.circuits.at(total_band);
    for (const auto& u : c.circuits.units) {
        const double households = std::round(pop.at(u.code) / 3.78);
        const double poverty = nbi.count(u.code) ? nbi.at(u.code) / 100.0 : 0.5;
        for (const auto& n : networks) {
            const double share = std::clamp(n.base - n.slope * poverty + n.noise * rng.normal(), n.low, 1.0);
            out[std::string(n.sector) + "_households"][u.code] = households;
            out[std::string(n.sector) + "_connected"][u.code] = std::round(households * share);
        }
    }
    return out;
}

}  // namespace microplan::geo::demo
