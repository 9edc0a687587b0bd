#include "ecuador_services.hpp"

#include <cmath>
#include <filesystem>
#include <set>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/io/ecuador_registries.hpp"
#include "microplan/geo/model/names.hpp"
#include "microplan/geo/population/age_structure.hpp"
#include "microplan/geo/population/projection.hpp"
#include "microplan/geo/territory/locate.hpp"
#include "microplan/geo/territory/place_by_code.hpp"

namespace microplan::geo::usecases::detail {

ecuador_service_sources ecuador_service_sources::from_data_dir(const std::string& dir) {
    return {
        dir + "/tables/poblacion_provincia_edad_sexo_2022.csv", dir + "/boundaries/provincias.geojson",
        dir + "/establishments/escuelas_coordenadas.geojson",   dir + "/establishments/escuelas_registro_2023.csv",
        dir + "/establishments/msp_unidades_2017.csv",          dir + "/tables/proyecciones_cantonales_2010_2035.csv"};
}

namespace {

constexpr std::size_t at(level l) { return static_cast<std::size_t>(l); }

// The province of a unit: DPA codes (parish, canton) and SENPLADES codes (district 17D04,
// circuit 17D04C02) both begin with the province's two digits.
std::string province_of_code(const std::string& code) {
    if (code.size() < 2 || !std::isdigit(static_cast<unsigned char>(code[0])) ||
        !std::isdigit(static_cast<unsigned char>(code[1])))
        return {};
    return code.substr(0, 2);
}

// Every band the catalogue's standards count, with the usual planning bands.
std::vector<std::string> wanted_bands(const std::optional<standards_catalogue>& c) {
    std::set<std::string> bands(planning_age_bands().begin(), planning_age_bands().end());
    if (c)
        for (const auto& st : c->items)
            for (const auto& b : st.target_bands)
                if (parse_age_band(b)) bands.insert(b);
    return {bands.begin(), bands.end()};
}

// Zone bands from their districts' (a zone spans provinces): the districts' band shares,
// scaled to the zone's total so that the bands still add up to it.
population_values zone_bands(const population_values& district_bands, const std::map<std::string, double>& districts,
                             const std::map<std::string, double>& zones, const unit_layer& district_units) {
    population_values out;
    std::map<std::string, double> district_sum;
    for (const auto& d : district_units.units) {
        auto t = districts.find(d.code);
        if (t != districts.end()) district_sum[d.parent_code] += t->second;
    }
    for (const auto& [band, values] : district_bands) {
        std::map<std::string, double> sum;
        for (const auto& d : district_units.units)
            if (auto v = values.find(d.code); v != values.end()) sum[d.parent_code] += v->second;
        for (const auto& [zone, total] : zones) {
            double s = district_sum[zone];
            out[band][zone] = s > 0 ? total * sum[zone] / s : 0;
        }
    }
    return out;
}

void estimate_age_bands(ecuador_services& s, const design::national_result& r) {
    if (s.sources.age_structure.empty() || s.sources.provinces.empty()) return;
    area_age_structure structure =
        match_age_structure(read_age_structure(s.sources.age_structure), read_unit_names(s.sources.provinces));
    s.report.append(structure.report);
    std::vector<std::string> bands = wanted_bands(s.catalogue);
    population_values district_bands;
    for (const auto& [lvl, totals] : r.population) {
        if (lvl == level::zone) continue;
        std::map<std::string, std::string> area;
        for (const auto& [code, people] : totals) area[code] = province_of_code(code);
        band_estimate e = estimate_bands(totals, area, structure, bands, lvl);
        s.report.append(e.report);
        if (lvl == level::district) district_bands = e.values;
        s.bands.emplace_back(lvl, std::move(e.values));
    }
    if (auto z = r.population.find(level::zone); z != r.population.end() && r.population.count(level::district))
        s.bands.emplace_back(level::zone,
                             zone_bands(district_bands, r.population.at(level::district), z->second, r.districts));
    s.summary["age_bands"] = {{"method", s.bands_method},
                              {"estimate", true},
                              {"bands", bands},
                              {"source", s.sources.age_structure},
                              {"year", s.year},
                              {"note",
                               "ESTIMATE: each unit's people by age band = its census 2022 total x the share of the "
                               "band in its province's census 2022 age structure (province x single year of age); "
                               "zones from their districts. Parish-level ages are not published."}};
}

// The canton of each unit of `layer`: the one holding its interior point.
std::map<std::string, std::string> cantons_by_point(const unit_layer& layer, const unit_layer& cantons) {
    point_locator in_canton(cantons);
    std::map<std::string, std::string> out;
    auto h = geos::thread_context().handle();
    for (const auto& u : layer.units) {
        if (!u.geometry) continue;
        geos::geom_ptr pt = geos::own(GEOSPointOnSurface_r(h, u.geometry.get()));
        double x = 0, y = 0;
        if (!pt || GEOSGeomGetX_r(h, pt.get(), &x) != 1 || GEOSGeomGetY_r(h, pt.get(), &y) != 1) continue;
        if (int c = in_canton.locate(x, y); c >= 0) out[u.code] = cantons.units[static_cast<std::size_t>(c)].code;
    }
    return out;
}

// Later years: parishes and cantons by their own canton, circuits by the canton holding them
// (INEC projects cantons only), districts and zones as the sums of their circuits and districts
// so that the levels still nest.
void project_years(ecuador_services& s, const design::national_inputs& in, const design::national_result& r) {
    if (s.sources.projections.empty() || s.sources.provinces.empty()) return;
    unit_layer provinces{level::province, {}};
    for (const auto& [code, name] : read_unit_names(s.sources.provinces)) {
        unit u;
        u.lvl = level::province;
        u.code = code;
        u.name = name;
        provinces.units.push_back(std::move(u));
    }
    canton_projection proj = match_projections(read_projections(s.sources.projections), in.cantons, provinces);
    s.report.append(proj.report);
    std::map<level, population_values> base;
    for (const auto& [lvl, totals] : r.population) base[lvl][total_band] = totals;
    for (const auto& [lvl, bands] : s.bands)
        for (const auto& [band, values] : bands) base[lvl][band] = values;
    const int last = 2035;
    for (level lvl : {level::parish, level::canton, level::circuit}) {
        if (!base.count(lvl)) continue;
        std::map<std::string, std::string> canton_of;
        if (lvl == level::circuit)
            canton_of = cantons_by_point(r.circuits, in.cantons);
        else
            for (const auto& [code, people] : base[lvl][total_band]) canton_of[code] = code.substr(0, 4);
        for (auto& [year, values] : project_values(base[lvl], s.year, canton_of, proj, s.year + 1, last, s.report))
            s.projected[year][lvl] = std::move(values);
    }
    for (auto& [year, levels] : s.projected) {
        for (auto [child, layer] : {std::pair{level::circuit, &r.circuits}, std::pair{level::district, &r.districts}}) {
            level parent = child == level::circuit ? level::district : level::zone;
            if (!levels.count(child)) continue;
            population_values sums;
            for (const auto& u : layer->units)
                for (const auto& [band, values] : levels[child])
                    if (auto v = values.find(u.code); v != values.end()) sums[band][u.parent_code] += v->second;
            levels[parent] = std::move(sums);
        }
    }
    s.summary["projection"] = {{"source", s.sources.projections},
                               {"years", std::to_string(s.year + 1) + "-" + std::to_string(last)},
                               {"method",
                                "every band of a unit scaled by its canton's INEC projection (circuits: the canton "
                                "holding them); districts and zones summed from their circuits and districts"}};
}

// Parishes lying wholly (99.5 % of their area) in one circuit: a parish recorded for a
// school places it in that circuit.
std::map<std::string, std::string> circuits_of_whole_parishes(const unit_layer& parishes, const unit_layer& circuits,
                                                              unsigned threads) {
    point_locator in_circuit(circuits);
    std::vector<std::string> found(parishes.units.size());
    parallel_for(parishes.units.size(), threads, [&](std::size_t i) {
        const unit& p = parishes.units[i];
        if (!p.geometry) return;
        auto h = geos::thread_context().handle();
        geos::geom_ptr pt = geos::own(GEOSPointOnSurface_r(h, p.geometry.get()));
        double x = 0, y = 0;
        if (!pt || GEOSGeomGetX_r(h, pt.get(), &x) != 1 || GEOSGeomGetY_r(h, pt.get(), &y) != 1) return;
        int c = in_circuit.locate(x, y);
        if (c < 0) return;
        const unit& circuit = circuits.units[static_cast<std::size_t>(c)];
        double whole = geos::area(p.geometry.get());
        geos::geom_ptr inter = geos::intersection(p.geometry.get(), circuit.geometry.get());
        if (whole > 0 && geos::area(inter.get()) >= 0.995 * whole) found[i] = circuit.code;
    });
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i < found.size(); ++i)
        if (!found[i].empty()) out[parishes.units[i].code] = found[i];
    return out;
}

code_hierarchy base_hierarchy(const design::national_inputs& in, const design::national_result& r, unsigned threads) {
    code_hierarchy h;
    for (const auto& p : in.parishes.units) h.parent[at(level::parish)][p.code] = p.code.substr(0, 4);
    for (const auto& c : in.cantons.units) {
        h.parent[at(level::canton)][c.code] = "";
        auto [it, fresh] = h.code_of_name[at(level::canton)].emplace(names::fold(c.name), c.code);
        if (!fresh) it->second.clear();  // a name two cantons share tells nothing
    }
    for (const auto& z : r.zones.units) h.parent[at(level::zone)][z.code] = "";
    for (const auto& d : r.districts.units) h.parent[at(level::district)][d.code] = d.parent_code;
    for (const auto& c : r.circuits.units) h.parent[at(level::circuit)][c.code] = c.parent_code;
    canton_districts cd = in.codification.match_cantons(in.cantons);
    for (const auto& [canton, districts] : cd.districts_of_canton)
        for (const auto& d : districts)
            if (h.has(level::district, d)) h.districts_of_canton[canton].push_back(d);
    for (const auto& row : in.codification.rows()) {
        auto& names_here = h.names_of_district[row.district];
        for (const std::string* n : {&row.canton, &row.parish})
            if (auto f = names::fold(*n); !f.empty()) names_here.insert(f);
    }
    h.circuit_of_parish = circuits_of_whole_parishes(in.parishes, r.circuits, threads);
    return h;
}

// Places one registry's rows: by coordinates in every level of the base, then by recorded
// codes those without coordinates and those whose point lies in no unit (sea, abroad).
establishment_batch place_registry(registry_establishments reg, const std::string& source, const code_hierarchy& h,
                                   const std::vector<const unit_layer*>& layers, const build_ecuador_options& o,
                                   ecuador_services& s, nlohmann::json& figures) {
    establishment_batch b{source, std::move(reg.rows), {}};
    s.report.append(reg.report);
    assign_options ao;
    ao.analysis_crs = o.national.analysis_crs;
    ao.threads = o.national.threads;
    std::vector<std::size_t> with_point, by_code;
    for (std::size_t i = 0; i < b.rows.size(); ++i) (std::isfinite(b.rows[i].lon) ? with_point : by_code).push_back(i);
    b.placed.resize(b.rows.size());
    std::size_t outside = 0, disagree = 0;
    if (!with_point.empty()) {
        std::vector<establishment> pts;
        for (auto i : with_point) pts.push_back(b.rows[i]);
        assign_result a = assign_points(pts, layers, ao);
        s.report.append(a.report);
        for (std::size_t k = 0; k < with_point.size(); ++k) {
            std::size_t i = with_point[k];
            b.placed[i] = a.rows[k];
            bool placed = a.rows[k].where == placement::inside || a.rows[k].where == placement::snapped;
            if (!placed) {
                ++outside;
                by_code.push_back(i);
            }
            auto d = reg.where[i].codes.find(level::district);
            if (placed && d != reg.where[i].codes.end() && d->second != a.rows[k].code(level::district)) ++disagree;
        }
    }
    std::sort(by_code.begin(), by_code.end());
    std::vector<establishment> rows;
    std::vector<recorded_place> where;
    for (auto i : by_code) {
        rows.push_back(b.rows[i]);
        where.push_back(reg.where[i]);
    }
    code_placement_result c = place_by_recorded_codes(rows, where, h);
    s.report.append(c.report);
    for (std::size_t k = 0; k < by_code.size(); ++k) b.placed[by_code[k]] = c.rows[k];
    figures = reg.counts;
    figures["placed_by_coordinates"] = with_point.size() - outside;
    figures["points_in_no_unit_placed_by_code"] = outside;
    figures["points_whose_recorded_district_differs"] = disagree;
    figures["by_code"] = by_code.size() - c.unplaced;
    figures["by_code_district_chosen_by_names"] = c.district_by_names;
    figures["not_placed"] = c.unplaced;
    for (const auto& [lvl, n] : c.reached) figures["by_code_reached"][std::string(level_name(lvl))] = n;
    return b;
}

void read_catalogues(ecuador_services& s, const build_ecuador_options& o) {
    for (const auto& path : o.standards) {
        standards_catalogue c = read_standards(path);
        if (!s.catalogue) {
            s.catalogue = std::move(c);
            continue;
        }
        s.catalogue->source += " + " + c.source;
        for (auto& st : c.items) s.catalogue->items.push_back(std::move(st));
    }
    if (s.catalogue) s.summary["standards"] = s.catalogue->source;
    if (s.catalogue && !o.budget_scenarios.empty()) {
        s.budget = read_budget_scenarios(o.budget_scenarios);
        s.summary["budget_scenarios"] = o.budget_scenarios;
    }
}

}  // namespace

ecuador_services prepare_ecuador_services(const build_ecuador_options& o, const design::national_inputs& in,
                                          const design::national_result& r) {
    ecuador_services s;
    s.sources = ecuador_service_sources::from_data_dir(o.data_dir);
    for (std::string* p : {&s.sources.age_structure, &s.sources.provinces, &s.sources.school_points,
                           &s.sources.school_registry, &s.sources.msp, &s.sources.projections})
        if (!std::filesystem::exists(*p)) {
            if (o.missing_optional) o.missing_optional(*p, "the age bands and establishments it feeds");
            p->clear();
        }
    read_catalogues(s, o);
    estimate_age_bands(s, r);
    project_years(s, in, r);
    code_hierarchy h = base_hierarchy(in, r, o.national.threads);
    std::vector<const unit_layer*> layers{&in.parishes, &in.cantons, &r.zones, &r.districts, &r.circuits};
    if (!s.sources.school_points.empty() && !s.sources.school_registry.empty())
        s.establishments.push_back(place_registry(
            read_mineduc_schools(s.sources.school_points, s.sources.school_registry),
            s.sources.school_points + " + " + s.sources.school_registry, h, layers, o, s, s.summary["schools"]));
    if (!s.sources.msp.empty())
        s.establishments.push_back(place_registry(read_msp_establishments(s.sources.msp), s.sources.msp, h, layers, o,
                                                  s, s.summary["health"]));
    s.summary["parishes_wholly_in_one_circuit"] = h.circuit_of_parish.size();
    return s;
}

void write_ecuador_services(store::planning_store& db, const ecuador_services& s) {
    for (const auto& [lvl, values] : s.bands) {
        store::import_record rec{lvl, s.sources.age_structure, "", "estimate", "", "", 0};
        db.write_population({lvl, s.year, s.bands_method, s.sources.age_structure}, values, rec, {});
    }
    for (const auto& [year, levels] : s.projected)
        for (const auto& [lvl, values] : levels) {
            store::import_record rec{lvl, s.sources.projections, "", "CSV", "", "", 0};
            db.write_population({lvl, year, "projection", s.sources.projections}, values, rec, {});
        }
    for (const auto& b : s.establishments) {
        store::import_record rec{level::circuit, b.source, "", "registry", "EPSG:4326", "", 0};
        db.write_establishments(b.rows, b.placed, rec, {}, store::establishment_write_mode::replace_sectors);
    }
    if (s.catalogue) db.write_standards(*s.catalogue);
    if (s.budget) db.write_budget_scenarios(*s.budget);
}

nlohmann::json ecuador_services_json(const ecuador_services& s) {
    nlohmann::json j = s.summary;
    j["sources"] = {{"age_structure", s.sources.age_structure},
                    {"provinces", s.sources.provinces},
                    {"school_points", s.sources.school_points},
                    {"school_registry", s.sources.school_registry},
                    {"msp", s.sources.msp},
                    {"projections", s.sources.projections}};
    j["providers"] = {{"public", "FISCAL, FISCOMISIONAL, MUNICIPAL (and every MSP unit)"},
                      {"private", "PARTICULAR"},
                      {"rule",
                       "the current offer counts public establishments (and those of unknown provider); private ones "
                       "count with --include-private / include-private=true"}};
    j["findings"] = s.report.items;
    return j;
}

}  // namespace microplan::geo::usecases::detail
