#include "microplan/geo/usecases/population.hpp"

#include <cmath>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/population/projection.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/territory/locate.hpp"
#include "text.hpp"

namespace microplan::geo::usecases {

namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
    return s;
}

// Sums every raster over the units of `layer`; NoData cells inside a unit are reported.
level_population sum_rasters(const unit_layer& layer, const raster_sum_request& request, population_values& values,
                             double& window_total) {
    std::vector<const GEOSGeometry*> geoms;
    for (const auto& u : layer.units) geoms.push_back(u.geometry.get());
    auto& dest = values[total_band];
    for (const auto& u : layer.units) dest[u.code] = 0;
    level_population out{layer.lvl, layer.units.size(), 0, {}};
    window_total = 0;
    for (const auto& path : request.rasters) {
        zonal_options zo;
        zo.threads = request.threads;
        zonal_result z = zonal_sums(path, geoms, "EPSG:4326", zo);
        check_population_raster(path, z);
        window_total += z.window_total;
        for (std::size_t i = 0; i < layer.units.size(); ++i) {
            dest[layer.units[i].code] += z.sums[i];
            if (z.nodata_cells[i] <= 0.5) continue;
            finding f;
            f.sev = severity::info;
            f.rule = "population.nodata";
            f.lvl = layer.lvl;
            f.code = layer.units[i].code;
            f.message = std::string(level_name(layer.lvl)) + " " + layer.units[i].code + ": " +
                        std::to_string(std::lround(z.nodata_cells[i])) + " cell(s) of " + path +
                        " inside it are NoData (counted as 0)";
            out.report.add(std::move(f));
        }
    }
    out.total = population_total(values);
    return out;
}

// Each unit's canton: parishes and cantons by their code, other units by the canton holding a
// point inside them.
std::map<std::string, std::string> cantons_of(store::planning_store& db, level l, const population_values& values,
                                              const point_locator& in_canton, const unit_layer& cantons) {
    std::map<std::string, std::string> canton_of;
    if (l == level::parish || l == level::canton) {
        for (const auto& [code, v] : values.begin()->second) canton_of[code] = code.substr(0, 4);
        return canton_of;
    }
    unit_layer units = db.read_level(l);
    auto& ctx = geos::thread_context();
    for (const auto& u : units.units) {
        geos::geom_ptr p = geos::own(GEOSPointOnSurface_r(ctx.handle(), u.geometry.get()));
        double x = 0, y = 0;
        if (!p || !GEOSGeomGetX_r(ctx.handle(), p.get(), &x) || !GEOSGeomGetY_r(ctx.handle(), p.get(), &y)) continue;
        int c = in_canton.locate(x, y);
        if (c >= 0) canton_of[u.code] = cantons.units[static_cast<std::size_t>(c)].code;
    }
    return canton_of;
}

}  // namespace

double population_total(const population_values& values) {
    auto it = values.find(total_band);
    if (it == values.end()) return 0;
    double t = 0;
    for (const auto& [code, value] : it->second) t += value;
    return t;
}

population_table_import import_population_table(const std::string& store, const population_table_options& table,
                                                shrink_policy policy) {
    store::write_lock lock(store);  // held from reading the units to writing their values
    unit_layer units = store::open_store(store, store::open_mode::read_only)->read_level(table.lvl);
    if (units.units.empty())
        throw store_error({store, {}, {}, {}, {}}, "no units",
                          "the store holds no " + std::string(level_table(table.lvl)) + " to join the table to");
    population_table_import r{read_population_table(table, units), {}};
    r.replaced.what = std::string(level_name(table.lvl)) + " population " + std::to_string(table.year);
    r.replaced.after = r.values[total_band].size();
    store::import_record rec{table.lvl, table.path, "", "", "", "code=" + r.code_field + " value=" + r.value_field, 0};
    store::update_atomically(lock, [&](store::planning_store& db) {
        // Counted inside the update: the latest committed store is the one replaced.
        r.replaced.before = db.read_population(table.lvl, table.year)[total_band].size();
        check_replacements({&r.replaced, 1}, policy, {table.path, table.layer, {}, {}, {}}, store);
        db.write_population({table.lvl, table.year, "table", table.path}, r.values, rec, r.report);
    });
    return r;
}

raster_sum_result import_population_rasters(const raster_sum_request& request) {
    std::vector<unit_layer> layers;
    store::write_lock lock(request.store);
    {
        auto db = store::open_store(request.store, store::open_mode::read_only);
        std::vector<level> wanted = request.levels.empty() ? db->levels_present() : request.levels;
        for (level l : wanted) layers.push_back(db->read_level(l));
    }
    raster_sum_result out;
    std::vector<population_values> values(layers.size());
    for (std::size_t i = 0; i < layers.size(); ++i) {
        out.levels.push_back(sum_rasters(layers[i], request, values[i], out.raster_window_total));
        detail::tell(request.on_progress,
                     detail::text("%s: %.0f people in %zu units", std::string(level_table(layers[i].lvl)).c_str(),
                                  out.levels[i].total, layers[i].units.size()));
    }
    const std::string sources = joined(request.rasters);
    store::update_atomically(lock, [&](store::planning_store& db) {
        for (std::size_t i = 0; i < layers.size(); ++i) {
            store::import_record rec{layers[i].lvl, sources, "", "raster", "", "", 0};
            db.write_population({layers[i].lvl, request.year, "raster", sources}, values[i], rec, out.levels[i].report);
        }
    });
    return out;
}

allocation_summary allocate_stored_population(const allocation_request& request) {
    allocation_options o = request.options;
    const bool dasymetric = o.method == allocation_method::dasymetric;
    if (dasymetric && o.rasters.empty())
        throw format_error({}, "missing raster", "--method dasymetric needs --raster POPULATION.tif");
    const std::string method = dasymetric ? "dasymetric" : "area";
    unit_layer sources, targets;
    population_values values;
    allocation_summary out;
    out.year = request.year;
    store::write_lock lock(request.store);
    {
        auto db = store::open_store(request.store, store::open_mode::read_only);
        o.analysis_crs = db->analysis_crs();
        sources = db->read_level(request.from, o.analysis_crs);
        targets = db->read_level(request.to, o.analysis_crs);
        auto years = db->population_years(request.from);
        if (out.year == 0 && !years.empty()) out.year = years.back();
        values = db->read_population(request.from, out.year);
        if (values.empty())
            throw store_error({request.store, {}, {}, {}, {}}, "no population",
                              "the store holds no population for " + std::string(level_table(request.from)) +
                                  (request.year ? " in " + std::to_string(request.year) : std::string()));
    }
    if (targets.units.empty())
        throw store_error({request.store, {}, {}, {}, {}}, "no units",
                          "the store holds no " + std::string(level_table(request.to)));
    out.target_units = targets.units.size();
    out.result = allocate_population(sources, values, targets, o);
    std::string src_text = std::string(level_table(request.from)) + " " + std::to_string(out.year) +
                           (o.rasters.empty() ? "" : " weighted by " + joined(o.rasters));
    store::update_atomically(lock, [&](store::planning_store& db) {
        store::import_record rec{request.to, src_text, "", method, "", "", 0};
        db.write_population({request.to, out.year, method, src_text}, out.result.values, rec, out.result.report);
    });
    return out;
}

projection_result project_stored_population(const projection_request& request) {
    projection_table table = read_projections(request.projections);
    projection_result out;
    out.base_year = request.from_year;
    store::write_lock lock(request.store);
    {
        auto db = store::open_store(request.store, store::open_mode::read_only);
        if (!out.base_year) out.base_year = db->base_population_year().value_or(0);
        if (!out.base_year)
            throw store_error({request.store, {}, {}, {}, {}}, "no population",
                              "the store holds no population to project");
        unit_layer cantons = db->read_level(level::canton);
        unit_layer provinces = db->read_level(level::province);
        if (cantons.units.empty() || provinces.units.empty())
            throw store_error({request.store, {}, {}, {}, {}}, "cantons needed",
                              "projections are matched to cantons by name within provinces; import both "
                              "(`microplan import cantones.geojson --level canton`, ... --level province)");
        canton_projection proj = match_projections(table, cantons, provinces);
        out.report.append(proj.report);
        point_locator in_canton(cantons);
        std::vector<level> levels;
        if (request.lvl)
            levels.push_back(*request.lvl);
        else
            for (level l : all_levels)
                if (!db->population_years(l).empty()) levels.push_back(l);
        for (level l : levels) {
            population_values values = db->read_population(l, out.base_year);
            auto canton_of = cantons_of(*db, l, values, in_canton, cantons);
            out.levels.push_back({l, project_values(values, out.base_year, canton_of, proj, out.base_year + 1,
                                                    request.until, out.report)});
        }
    }
    store::update_atomically(lock, [&](store::planning_store& db) {
        for (const auto& [l, years] : out.levels)
            for (const auto& [year, values] : years) {
                store::import_record rec{l, request.projections, "", "CSV", "", "", 0};
                db.write_population({l, year, "projection", request.projections}, values, rec, {});
            }
    });
    return out;
}

}  // namespace microplan::geo::usecases
