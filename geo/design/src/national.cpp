#include "microplan/geo/design/national.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/design/partition.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/codification.hpp"
#include "microplan/geo/model/names.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "microplan/geo/territory/build.hpp"

namespace microplan::geo::design {

national_sources national_sources::from_data_dir(const std::string& dir) {
    national_sources s;
    s.parishes = dir + "/boundaries/parroquias.geojson";
    s.cantons = dir + "/boundaries/cantones.geojson";
    s.official_circuits = dir + "/boundaries/guayaquil_subcircuitos_policia.geojson";
    s.codification = dir + "/tables/senplades_zonas_distritos_circuitos.csv";
    s.census = dir + "/tables/poblacion_parroquias.csv";
    s.urban_parishes = dir + "/tables/parroquias_urbanas_dpa2019.csv";
    s.offices = dir + "/tables/distritos_oficinas.csv";
    s.rasters = {dir + "/rasters/landscan_2023_continental.tif", dir + "/rasters/landscan_2023_galapagos.tif"};
    return s;
}

namespace {

using clock_type = std::chrono::steady_clock;

finding note(severity sev, std::string rule, std::optional<level> lvl, std::string code, std::string message,
             std::optional<long long> feature = std::nullopt) {
    return {sev,          std::move(rule), lvl,         std::move(code), feature, std::move(message),
            std::nullopt, std::nullopt,    std::nullopt};
}

std::string fmt_people(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.0f", v);
    return b;
}

// The envelope of `g`; for an empty geometry (a circuit left without territory) one that meets
// nothing.
geos::envelope box_of(const GEOSGeometry* g) {
    if (GEOSisEmpty_r(geos::thread_context().handle(), g) != 0) {
        constexpr double inf = std::numeric_limits<double>::infinity();
        return {inf, inf, -inf, -inf};
    }
    return geos::envelope_of(g);
}

bool envelopes_meet(const geos::envelope& a, const geos::envelope& b) {
    return !(a.minx > b.maxx || a.maxx < b.minx || a.miny > b.maxy || a.maxy < b.miny);
}

// Intersection over union of two polygonal geometries (same CRS).
double intersection_over_union(const GEOSGeometry* a, const GEOSGeometry* b) {
    geos::geom_ptr inter = geos::intersection(a, b);
    double ia = inter ? geos::area(inter.get()) : 0;
    double u = geos::area(a) + geos::area(b) - ia;
    return u > 0 ? ia / u : 0;
}

struct disjoint_sets {
    std::vector<std::size_t> parent;
    explicit disjoint_sets(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::size_t find(std::size_t x) { return parent[x] == x ? x : parent[x] = find(parent[x]); }
    void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

// Official circuit polygons: subcircuits (code like 09D03C03S01) dissolved by circuit.
std::map<std::string, geos::geom_ptr> read_official_circuits(const std::string& path) {
    GDALDatasetUniquePtr ds = gdal::open_vector(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    error_location where{path, layer.GetName(), {}, {}, {}};
    auto field = find_column(layer.GetLayerDefn(), {"codsubci", "codsubcircuito", "codcircuito", "circuito"});
    if (!field)
        throw format_error(where, "missing column", "the official circuits have no Cod_Subci (subcircuit code) column");
    auto to_wgs84 = gdal::transformation_to(layer.GetSpatialRef(), "EPSG:4326");
    std::map<std::string, std::vector<geos::geom_ptr>> parts;
    for (auto& f : layer) {
        std::string code = f->GetFieldAsString(*field);
        OGRGeometry* g = f->GetGeometryRef();
        if (code.size() < 8 || !g) continue;
        if (to_wgs84) g->transform(to_wgs84.get());
        std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
        g->exportToWkb(wkbNDR, wkb.data());
        geos::geom_ptr gg = geos::from_wkb(wkb);
        parts[normalise_code(level::circuit, code.substr(0, 8))].push_back(geos::valid_polygonal(std::move(gg)));
    }
    std::map<std::string, geos::geom_ptr> out;
    for (auto& [code, list] : parts) {
        std::vector<const GEOSGeometry*> ptrs;
        for (auto& p : list) ptrs.push_back(p.get());
        out[code] = geos::polygonal_parts_as_multipolygon(geos::unary_union(ptrs).get());
    }
    return out;
}

// People in `geometries` from census parishes spread by the raster: Σ_P census_P × W(g ∩ P) / W(P).
std::vector<double> census_by_raster(const std::vector<const GEOSGeometry*>& geometries, const unit_layer& parishes,
                                     const std::vector<double>& census, const std::string& raster, unsigned threads) {
    std::vector<geos::geom_ptr> cut;
    std::vector<std::pair<std::size_t, std::size_t>> owner;  // (geometry, parish)
    std::set<std::size_t> used;
    for (std::size_t g = 0; g < geometries.size(); ++g) {
        geos::envelope e = box_of(geometries[g]);
        for (std::size_t p = 0; p < parishes.units.size(); ++p) {
            geos::envelope pe = geos::envelope_of(parishes.units[p].geometry.get());
            if (!envelopes_meet(pe, e)) continue;
            geos::geom_ptr i = geos::intersection(geometries[g], parishes.units[p].geometry.get());
            if (!i || geos::area(i.get()) <= 0) continue;
            cut.push_back(std::move(i));
            owner.emplace_back(g, p);
            used.insert(p);
        }
    }
    std::vector<const GEOSGeometry*> all;
    for (auto& c : cut) all.push_back(c.get());
    std::vector<std::size_t> parish_list(used.begin(), used.end());
    for (std::size_t p : parish_list) all.push_back(parishes.units[p].geometry.get());
    // Without a raster, shares of area.
    std::vector<double> sums(all.size(), 0);
    if (!raster.empty()) sums = zonal_sums(raster, all, "EPSG:4326", {1, threads}).sums;
    std::map<std::size_t, double> whole;
    for (std::size_t i = 0; i < parish_list.size(); ++i) whole[parish_list[i]] = sums[cut.size() + i];
    std::vector<double> out(geometries.size(), 0);
    for (std::size_t i = 0; i < cut.size(); ++i) {
        auto [g, p] = owner[i];
        double w = whole[p];
        double share = w > 0 ? sums[i] / w
                             : geos::area(cut[i].get()) / std::max(geos::area(parishes.units[p].geometry.get()), 1e-30);
        out[g] += census[p] * std::min(share, 1.0);
    }
    return out;
}

// The build, stage by stage; one per call of build_national (not shared between threads,
// though stages run parallel loops inside).
class national_builder {
public:
    national_builder(const national_sources& sources, const national_options& options, national_result& result)
        : src(sources),
          opt(options),
          res(result),
          rep(result.report),
          threads(options.threads),
          parishes(result.parishes),
          cl(result.circuits) {}

    void run() {
        auto stage_start = clock_type::now();
        auto stage = [&](const char* name) {
            auto now = clock_type::now();
            res.stages.emplace_back(name, std::chrono::duration<double>(now - stage_start).count());
            stage_start = now;
        };
        read_sources();
        read_census();
        match_codification();
        resolve_unmatched();
        read_offices();
        stage("read and match the sources");
        auto t0 = clock_type::now();
        build_pieces();
        design_districts();
        design_circuits();
        circuit_geometry();
        res.design_seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
        stage("design (pieces, districts, circuits, geometry)");
        apply_official();
        stage("official circuits (compare, take precedence, recount)");
        dissolve_levels();
        stage("dissolve districts and zones");
        unit_reports();
        check_offices();
        stage("report and office checks");
    }

private:
    struct office {
        std::string zone;
        std::optional<std::pair<double, double>> lonlat;
        long long fid = 0;
    };

    const national_sources& src;
    const national_options& opt;
    national_result& res;
    findings& rep;
    const unsigned threads;
    unit_layer& parishes;  // res.parishes, once read
    unit_layer& cl;        // res.circuits, once designed
    std::size_t np = 0;
    std::map<std::string, std::size_t> parish_index;
    codification_table table;
    std::vector<urban_parish> urban;
    std::vector<double> census;       // people per parish
    std::vector<double> raster_sums;  // people per parish on the rasters, once needed
    canton_districts cd;
    std::map<std::string, std::string> zone_of, district_name, circuit_name;
    std::map<std::string, std::set<std::string>> circuits_of_district;
    std::map<std::string, std::vector<std::string>> rows_parishes_of_circuit;
    std::vector<std::set<std::string>> listed_districts, listed_circuits;  // per parish
    std::set<std::string> circuits_placed_by_fallback;
    std::map<std::string, office> offices;
    piece_graph graph;
    std::vector<std::string> districts;
    std::map<std::string, std::size_t> district_index;
    std::vector<std::vector<std::uint32_t>> pieces_of_district;
    std::vector<double> district_target;
    std::vector<bool> district_designed;
    std::vector<std::string> circuits, circuit_district;
    std::map<std::string, std::size_t> circuit_index;
    std::vector<double> circuit_target, circuit_pop;
    std::vector<std::vector<std::uint32_t>> pieces_of_circuit;
    std::set<std::string> official_codes;
    std::map<std::string, double> district_pop, zone_pop;

    [[nodiscard]] std::string canton_of(std::size_t a) const { return parishes.units[a].code.substr(0, 4); }

    // The parishes, cantons, codification table and urban parish classifier.
    void read_sources() {
        import_options io;
        io.analysis_crs = opt.analysis_crs;
        io.threads = threads;
        io.path = src.parishes;
        io.lvl = level::parish;
        import_result pr = read_units(io);
        rep.append(pr.report);
        res.parishes = std::move(pr.layer);
        io.path = src.cantons;
        io.lvl = level::canton;
        import_result cr = read_units(io);
        rep.append(cr.report);
        res.cantons = std::move(cr.layer);
        np = parishes.units.size();
        for (std::size_t i = 0; i < np; ++i) parish_index[parishes.units[i].code] = i;

        table = codification_table::read(src.codification);
        if (!src.urban_parishes.empty()) urban = read_urban_parishes(src.urban_parishes);
    }

    // Census 2022 per parish. Polygons without a census row are looked for by name among the
    // census rows without a polygon (codes that changed); census parishes created after the
    // 2012 cartography join the parish they were carved from; what is still missing is
    // counted on the raster. Each step is reported.
    void read_census() {
        census.assign(np, 0);
        population_table_options po;
        po.path = src.census;
        po.lvl = level::parish;
        po.code_field = "DPA_PARROQ";
        po.value_field = "pob_cpv2022";
        po.year = 2022;
        population_table_result t = read_population_table(po, parishes);
        rep.append(t.report);
        const auto& total = t.values[total_band];
        std::vector<std::size_t> missing;
        for (std::size_t i = 0; i < np; ++i) {
            auto it = total.find(parishes.units[i].code);
            if (it != total.end())
                census[i] = it->second;
            else
                missing.push_back(i);
        }
        std::vector<census_row> orphans = census_rows(t.unmatched_codes);
        if (!missing.empty()) missing = match_census_by_name(missing, orphans);
        if (!src.rasters.empty()) {
            add_to_carved_from(orphans, missing);
            count_on_raster(missing);
        }
    }

    struct census_row {
        std::string code, name, canton;
        double people = 0;
    };

    // The census rows (with a value) of `codes`, which no polygon has.
    std::vector<census_row> census_rows(const std::vector<std::string>& codes) const {
        std::vector<census_row> rows;
        if (codes.empty()) return rows;
        std::set<std::string> wanted(codes.begin(), codes.end());
        GDALDatasetUniquePtr ds = gdal::open_table(src.census);
        OGRLayer& layer = gdal::pick_layer(*ds, src.census, "");
        OGRFeatureDefn* defn = layer.GetLayerDefn();
        auto fc = find_column(defn, {"dpaparroq"});
        auto fn = find_column(defn, {"dpadespar"});
        auto fk = find_column(defn, {"dpadescan"});
        auto fv = find_column(defn, {"pobcpv2022"});
        if (!fc || !fn || !fk || !fv) return rows;
        for (auto& f : layer) {
            std::string code = normalise_code(level::parish, f->GetFieldAsString(*fc));
            if (wanted.count(code) && f->IsFieldSetAndNotNull(*fv))
                rows.push_back({code, f->GetFieldAsString(*fn), f->GetFieldAsString(*fk), f->GetFieldAsDouble(*fv)});
        }
        return rows;
    }

    // The same parish under a code that changed (La Concordia moved from Esmeraldas, 0808, to
    // Santo Domingo, 2302): parish and canton names match. Matched rows leave `rows`; returns
    // the parishes still without people.
    std::vector<std::size_t> match_census_by_name(const std::vector<std::size_t>& missing,
                                                  std::vector<census_row>& rows) {
        std::map<std::string, std::string> canton_name;
        for (const unit& c : res.cantons.units) canton_name[c.code] = c.name;
        std::vector<std::size_t> still;
        for (std::size_t i : missing) {
            const unit& p = parishes.units[i];
            std::vector<const census_row*> hits;
            for (const auto& r : rows)
                if (names::match_quality(r.name, p.name) >= 2 &&
                    names::match_quality(r.canton, canton_name[p.code.substr(0, 4)]) >= 2)
                    hits.push_back(&r);
            if (hits.size() != 1) {
                still.push_back(i);
                continue;
            }
            const census_row& r = *hits.front();
            census[i] = r.people;
            rep.add(note(severity::warning, "design.population_by_name", level::parish, p.code,
                         "parish " + p.code + " '" + p.name + "' has no census row under its code; census row " +
                             r.code + " '" + r.name + "' (canton " + r.canton + ", " + fmt_people(r.people) +
                             " people) is the same parish under a changed code",
                         p.source_fid));
            std::erase_if(rows, [&](const census_row& x) { return &x == &r; });
        }
        return still;
    }

    // Parishes created after the 2012 cartography have no polygon: their people live inside
    // the parish of their canton they were carved from, taken as the one whose raster count
    // exceeds its census count most.
    void add_to_carved_from(const std::vector<census_row>& rows, const std::vector<std::size_t>& missing) {
        if (rows.empty()) return;
        const std::vector<double>& raster = raster_people();
        std::vector<double> excess(np);
        for (std::size_t i = 0; i < np; ++i) excess[i] = raster[i] - census[i];
        for (const auto& r : rows) {
            std::ptrdiff_t best = -1;
            for (std::size_t i = 0; i < np; ++i)
                if (parishes.units[i].code.starts_with(r.code.substr(0, 4)) &&
                    std::find(missing.begin(), missing.end(), i) == missing.end() &&
                    (best < 0 || excess[i] > excess[static_cast<std::size_t>(best)]))
                    best = static_cast<std::ptrdiff_t>(i);
            if (best < 0) {
                rep.add(note(severity::warning, "design.population_without_polygon", level::parish, r.code,
                             "census parish " + r.code + " '" + r.name + "' has no polygon nor canton polygon: its " +
                                 fmt_people(r.people) + " people are not in the base"));
                continue;
            }
            auto b = static_cast<std::size_t>(best);
            census[b] += r.people;
            excess[b] -= r.people;
            rep.add(note(severity::warning, "design.population_without_polygon", level::parish, r.code,
                         "census parish " + r.code + " '" + r.name + "' (" + fmt_people(r.people) +
                             " people) was created after the 2012 cartography and has no polygon: its people are "
                             "added to parish " +
                             parishes.units[b].code + " '" + parishes.units[b].name + "', the one of canton " +
                             r.code.substr(0, 4) +
                             " whose raster count exceeds its census count most (it was carved from it)"));
        }
    }

    // Parishes without any census count take the raster's.
    void count_on_raster(const std::vector<std::size_t>& missing) {
        if (missing.empty()) return;
        const std::vector<double>& raster = raster_people();
        for (std::size_t i : missing) {
            const unit& p = parishes.units[i];
            census[i] = std::round(raster[i]);
            rep.add(note(severity::warning, "design.population_from_raster", level::parish, p.code,
                         "parish '" + p.name + "' has no census 2022 row (DPA codes changed since 2012): " +
                             fmt_people(raster[i]) + " people taken from the raster",
                         p.source_fid));
        }
    }

    // People per parish on the rasters (fractional cells), computed once.
    const std::vector<double>& raster_people() {
        if (raster_sums.empty()) {
            std::vector<const GEOSGeometry*> geoms;
            for (const unit& p : parishes.units) geoms.push_back(p.geometry.get());
            raster_sums.assign(np, 0);
            for (const auto& r : src.rasters) {
                zonal_result z = zonal_sums(r, geoms, "EPSG:4326", {1, threads});
                for (std::size_t i = 0; i < np; ++i) raster_sums[i] += z.sums[i];
            }
        }
        return raster_sums;
    }

    // The codification matched to cantons and parishes, with its reviewed zone corrections.
    void match_codification() {
        cd = table.match_cantons(res.cantons);
        rep.append(cd.report);
        std::map<std::size_t, std::string> row_parish =
            table.match_parishes(parishes, cd, rep, urban.empty() ? nullptr : &urban);
        zone_of = table.zone_of_district(rep);
        district_name = table.district_names();
        // Reviewed zone corrections, each reported with the table's zone and the reason.
        if (!src.zone_corrections.empty()) {
            GDALDatasetUniquePtr ds = gdal::open_table(src.zone_corrections);
            OGRLayer& layer = gdal::pick_layer(*ds, src.zone_corrections, "");
            auto fd = find_column(layer.GetLayerDefn(), {"district"});
            auto fz = find_column(layer.GetLayerDefn(), {"zone"});
            auto fr = find_column(layer.GetLayerDefn(), {"reason"});
            if (!fd || !fz)
                throw format_error({src.zone_corrections, layer.GetName(), {}, {}, {}}, "missing column",
                                   "zone corrections need the columns district and zone");
            for (auto& f : layer) {
                std::string d = normalise_code(level::district, f->GetFieldAsString(*fd));
                std::string z = normalise_code(level::zone, f->GetFieldAsString(*fz));
                auto it = zone_of.find(d);
                if (it == zone_of.end() || it->second == z) continue;
                rep.add(note(severity::warning, "sources.zone_disagreement", level::district, d,
                             "the codification table puts district " + d + " in zone " + it->second +
                                 "; corrected to " + z + " (" + src.zone_corrections +
                                 "): " + (fr ? f->GetFieldAsString(*fr) : ""),
                             f->GetFID()));
                it->second = z;
            }
        }
        for (const auto& r : table.rows()) {
            if (r.circuit.empty()) continue;
            circuits_of_district[r.district].insert(r.circuit);
            circuit_name.emplace(r.circuit, r.circuit_name);
            rows_parishes_of_circuit[r.circuit].push_back(r.parish);
        }
        auto district_has_canton = [&](const std::string& d, const std::string& c) {
            auto it = cd.cantons_of_district.find(d);
            return it != cd.cantons_of_district.end() &&
                   std::find(it->second.begin(), it->second.end(), c) != it->second.end();
        };
        listed_districts.assign(np, {});
        listed_circuits.assign(np, {});
        std::set<std::pair<std::string, std::string>> reported_outside;
        for (const auto& [row, code] : row_parish) {
            const auto& r = table.rows()[row];
            std::size_t a = parish_index.at(code);
            if (!district_has_canton(r.district, canton_of(a))) {
                if (reported_outside.emplace(r.district, code).second)
                    rep.add(note(severity::warning, "codification.parish_outside_district", level::parish, code,
                                 "row " + std::to_string(r.line) + " puts parish '" + r.parish + "' in district " +
                                     r.district + ", whose cantons do not hold it: the row is not used",
                                 r.line));
                continue;
            }
            listed_districts[a].insert(r.district);
            if (!r.circuit.empty()) listed_circuits[a].insert(r.circuit);
        }
    }

    // A circuit none of whose parishes matched becomes a part of its district's most populous
    // listed parish; how each unmatched row was resolved; cantons in no district.
    void resolve_unmatched() {
        for (const auto& [d, codes] : circuits_of_district) {
            for (const auto& c : codes) {
                bool has = false;
                for (std::size_t a = 0; a < np && !has; ++a) has = listed_circuits[a].count(c) > 0;
                if (has) continue;
                std::ptrdiff_t best = -1;
                for (std::size_t a = 0; a < np; ++a)
                    if (listed_districts[a].count(d) &&
                        (best < 0 || census[a] > census[static_cast<std::size_t>(best)]))
                        best = static_cast<std::ptrdiff_t>(a);
                std::string names;
                for (const auto& n : rows_parishes_of_circuit[c]) names += (names.empty() ? "'" : ", '") + n + "'";
                if (best < 0) {
                    rep.add(
                        note(severity::error, "design.circuit_unplaced", level::circuit, c,
                             "no parish of circuit " + c + " (" + names + ") nor of its district matched: not built"));
                    continue;
                }
                auto b = static_cast<std::size_t>(best);
                listed_circuits[b].insert(c);
                circuits_placed_by_fallback.insert(c);
                rep.add(note(severity::warning, "design.circuit_without_parish", level::circuit, c,
                             "none of the parishes of circuit " + c + " (" + names +
                                 ") matched a parish polygon: designed as a part of parish " + parishes.units[b].code +
                                 " '" + parishes.units[b].name + "', the most populous of district " + d));
            }
        }
        // How each unmatched row was resolved.
        for (auto& f : rep.items) {
            if (f.rule != "codification.parish_unmatched" || !f.feature || *f.feature < 1 ||
                static_cast<std::size_t>(*f.feature) > table.rows().size())
                continue;
            const auto& r = table.rows()[static_cast<std::size_t>(*f.feature - 1)];
            for (const unit& p : parishes.units)
                if (p.code.starts_with(r.district.substr(0, 2)) && names::match_quality(r.parish, p.name) >= 2) {
                    std::string d;
                    auto it = cd.districts_of_canton.find(p.code.substr(0, 4));
                    if (it != cd.districts_of_canton.end())
                        for (const auto& x : it->second) d += (d.empty() ? "" : ", ") + x;
                    f.message += "; the cartography has it as parish " + p.code + " of canton " + p.code.substr(0, 4) +
                                 (d.empty() ? "" : " (district " + d + ")") + ", where it stays";
                    break;
                }
            bool other = !circuits_placed_by_fallback.count(r.circuit);
            if (!r.circuit.empty())
                f.message += other ? "; circuit " + r.circuit + " is built from its other parishes"
                                   : "; circuit " + r.circuit + ": see design.circuit_without_parish";
        }
        // Which parishes lie in no district.
        {
            std::map<std::string, std::pair<double, int>> outside;
            for (std::size_t a = 0; a < np; ++a)
                if (!cd.districts_of_canton.count(canton_of(a))) {
                    auto& o = outside[canton_of(a)];
                    o.first += census[a], ++o.second;
                }
            for (const auto& [c, o] : outside)
                rep.add(note(severity::warning, "design.canton_outside", level::canton, c,
                             "canton " + c + " is in no row of the codification table: its " +
                                 std::to_string(o.second) + " parish(es) and " + fmt_people(o.first) +
                                 " people are left outside every district"));
        }
    }

    // District offices: where each district is (seeds for splitting city cantons) and the zone
    // another source gives it.
    void read_offices() {
        if (!src.offices.empty()) {
            GDALDatasetUniquePtr ds = gdal::open_table(src.offices);
            OGRLayer& layer = gdal::pick_layer(*ds, src.offices, "");
            OGRFeatureDefn* defn = layer.GetLayerDefn();
            auto fcode = find_column(defn, {"coddistri", "coddistrito"});
            auto fzone = find_column(defn, {"zona", "zone"});
            auto flat = find_column(defn, {"latitud", "lat"});
            auto flon = find_column(defn, {"longitud", "lon"});
            if (!fcode || !fzone)
                throw format_error({src.offices, layer.GetName(), {}, {}, {}}, "missing column",
                                   "the district offices table needs cod_distri and zona");
            for (auto& f : layer) {
                office o;
                o.zone = normalise_code(level::zone, f->GetFieldAsString(*fzone));
                o.fid = f->GetFID();
                if (flat && flon && f->IsFieldSetAndNotNull(*flat) && f->IsFieldSetAndNotNull(*flon))
                    o.lonlat = std::pair{f->GetFieldAsDouble(*flon), f->GetFieldAsDouble(*flat)};
                offices[normalise_code(level::district, f->GetFieldAsString(*fcode))] = o;
            }
        }
    }

    // Pieces: parishes listed under several districts or circuits are split.
    void build_pieces() {
        std::vector<int> split(np, 0);
        for (std::size_t a = 0; a < np; ++a) {
            int k = static_cast<int>(std::max(listed_circuits[a].size(), listed_districts[a].size()));
            if (k >= 2) split[a] = k, ++res.split_parishes;
        }
        weight_rasters rasters = read_weight_rasters(src.rasters, opt.analysis_crs);
        graph = piece_graph::build(parishes, census, split, rasters, opt.analysis_crs, threads);
        res.pieces = graph.pieces().size();
        for (std::uint32_t a : graph.uniform_splits())
            rep.add(note(severity::warning, "design.split_without_raster", level::parish, parishes.units[a].code,
                         "the raster has no people in parish '" + parishes.units[a].name + "': it is split by area"));
    }

    // Level 1: districts. City cantons join the districts they hold into one region.
    void design_districts() {
        for (const auto& [d, cs] : cd.cantons_of_district) districts.push_back(d);
        for (std::size_t i = 0; i < districts.size(); ++i) district_index[districts[i]] = i;
        disjoint_sets regions(districts.size());
        for (const auto& [c, ds] : cd.districts_of_canton)
            for (const auto& d : ds) regions.join(district_index.at(ds.front()), district_index.at(d));
        std::map<std::size_t, std::vector<std::size_t>> region_districts;
        for (std::size_t i = 0; i < districts.size(); ++i) region_districts[regions.find(i)].push_back(i);
        std::vector<std::vector<std::size_t>> region_list;
        for (auto& [root, list] : region_districts) region_list.push_back(list);
        pieces_of_district.assign(districts.size(), {});
        district_target.assign(districts.size(), 0);
        district_designed.assign(districts.size(), false);
        {
            std::vector<std::vector<std::pair<std::uint32_t, int>>> assigned(region_list.size());
            std::vector<std::vector<double>> targets(region_list.size());
            std::vector<std::vector<bool>> shaped(region_list.size());
            parallel_for(region_list.size(), threads, [&](std::size_t ri) {
                const auto& list = region_list[ri];
                region_problem prob;
                prob.seed = opt.seed * 0x9E3779B97F4A7C15ULL + ri;
                prob.settle_free = true;
                std::set<std::string> cantons;
                for (std::size_t d : list)
                    for (const auto& c : cd.cantons_of_district.at(districts[d])) cantons.insert(c);
                for (std::size_t a = 0; a < np; ++a) {
                    if (!cantons.count(canton_of(a))) continue;
                    const auto& ds = cd.districts_of_canton.at(canton_of(a));
                    std::vector<int> allowed;
                    for (std::size_t k = 0; k < list.size(); ++k) {
                        const std::string& d = districts[list[k]];
                        if (std::find(ds.begin(), ds.end(), d) == ds.end()) continue;
                        if (ds.size() == 1 || listed_districts[a].count(d)) allowed.push_back(static_cast<int>(k));
                    }
                    // An unlisted parish of a city canton (allowed empty): the district that grows into it.
                    prob.allowed.emplace_back(static_cast<std::uint32_t>(a), allowed);
                    for (std::uint32_t p : graph.pieces_of(a)) prob.pieces.push_back(p);
                }
                // A split parish is shared in proportion to the circuits each district has in it.
                shaped[ri] = balanced_targets(graph, prob, list.size(), [&](std::uint32_t atom, int k) {
                    double n = 0;
                    for (const auto& c : listed_circuits[atom])
                        n += c.starts_with(districts[list[static_cast<std::size_t>(k)]]);
                    return std::max(n, 0.5);
                });
                // Districts start from their offices.
                proj::transformer to_analysis("EPSG:4326", opt.analysis_crs);
                for (std::size_t d : list) {
                    auto it = offices.find(districts[d]);
                    std::optional<std::pair<double, double>> pt;
                    if (it != offices.end() && it->second.lonlat) {
                        auto [x, y] = *it->second.lonlat;
                        if (to_analysis.forward(x, y)) pt = std::pair{x, y};
                    }
                    prob.seed_points.push_back(pt);
                }
                region_result rr = grow_region(graph, prob);
                for (std::size_t i = 0; i < prob.pieces.size(); ++i)
                    assigned[ri].emplace_back(prob.pieces[i], rr.output_of[i]);
                targets[ri] = rr.targets;
            });
            for (std::size_t ri = 0; ri < region_list.size(); ++ri) {
                for (auto [p, k] : assigned[ri])
                    pieces_of_district[region_list[ri][static_cast<std::size_t>(k)]].push_back(p);
                for (std::size_t k = 0; k < region_list[ri].size(); ++k) {
                    district_target[region_list[ri][k]] = targets[ri][k];
                    district_designed[region_list[ri][k]] = shaped[ri][k];
                }
            }
        }
    }

    // Level 2: circuits inside each district.
    void design_circuits() {
        {
            std::vector<std::vector<std::vector<std::uint32_t>>> per(districts.size());
            std::vector<std::vector<double>> target(districts.size());
            parallel_for(districts.size(), threads, [&](std::size_t di) {
                const std::string& d = districts[di];
                std::vector<std::string> cs(circuits_of_district[d].begin(), circuits_of_district[d].end());
                region_problem prob;
                prob.seed = opt.seed * 0xD1B54A32D192ED03ULL + di;
                prob.settle_free = true;
                prob.pieces = pieces_of_district[di];
                std::set<std::uint32_t> atoms;
                for (std::uint32_t p : prob.pieces) atoms.insert(graph.pieces()[p].atom);
                for (std::uint32_t a : atoms) {
                    std::vector<int> allowed;
                    for (std::size_t k = 0; k < cs.size(); ++k)
                        if (listed_circuits[a].count(cs[k])) allowed.push_back(static_cast<int>(k));
                    prob.allowed.emplace_back(a, allowed);
                }
                std::vector<bool> shaped =
                    balanced_targets(graph, prob, cs.size(), [](std::uint32_t, int) { return 1.0; });
                region_result rr = grow_region(graph, prob);
                per[di].resize(cs.size());
                for (std::size_t i = 0; i < prob.pieces.size(); ++i)
                    if (rr.output_of[i] >= 0)
                        per[di][static_cast<std::size_t>(rr.output_of[i])].push_back(prob.pieces[i]);
                for (std::size_t k = 0; k < cs.size(); ++k) target[di].push_back(shaped[k] ? rr.targets[k] : 0);
            });
            for (std::size_t di = 0; di < districts.size(); ++di) {
                std::size_t k = 0;
                for (const auto& c : circuits_of_district[districts[di]]) {
                    circuit_index[c] = circuits.size();
                    circuits.push_back(c);
                    circuit_district.push_back(districts[di]);
                    circuit_target.push_back(target[di][k]);
                    pieces_of_circuit.push_back(std::move(per[di][k++]));
                }
            }
        }
    }

    // Circuit geometry from the pieces.
    void circuit_geometry() {
        cl.lvl = level::circuit;
        cl.units.resize(circuits.size());
        circuit_pop.assign(circuits.size(), 0);
        parallel_for(circuits.size(), threads, [&](std::size_t i) {
            unit& u = cl.units[i];
            u.lvl = level::circuit;
            u.code = circuits[i];
            u.name = circuit_name[circuits[i]];
            u.parent_code = circuit_district[i];
            u.geometry = pieces_geometry(graph, parishes, pieces_of_circuit[i]);
            for (std::uint32_t p : pieces_of_circuit[i]) circuit_pop[i] += graph.pieces()[p].population;
        });
        for (std::size_t i = 0; i < circuits.size(); ++i)
            if (pieces_of_circuit[i].empty())
                rep.add(note(severity::error, "design.circuit_empty", level::circuit, circuits[i],
                             "circuit " + circuits[i] +
                                 " got no territory (its parishes are shared by more circuits than the "
                                 "district can give a part to)"));
    }

    using official_list = std::vector<std::pair<std::string, geos::geom_ptr>>;

    // Official circuits: the designed ones measured against them, then replaced by them.
    void apply_official() {
        if (!src.official_circuits.empty()) {
            official_list off = read_official();
            std::vector<std::size_t> near = circuits_near(off);
            compare_official(off, near);
            if (!off.empty()) official_precedence(off, near);
        }
        parallel_for(circuits.size(), threads, [&](std::size_t i) { measure_unit(cl.units[i], opt.analysis_crs); });
    }

    // The official circuit polygons of codes the codification has.
    official_list read_official() {
        auto official = read_official_circuits(src.official_circuits);
        official_list off;
        for (auto& [code, g] : official) {
            if (!circuit_index.count(code)) {
                rep.add(note(severity::warning, "design.official_unknown", level::circuit, code,
                             "official circuit " + code + " is not in the codification table: not used"));
                continue;
            }
            off.emplace_back(code, std::move(g));
        }
        return off;
    }

    // The designed circuits whose box meets the official polygons' box.
    std::vector<std::size_t> circuits_near(const official_list& off) const {
        geos::envelope area;
        bool first = true;
        for (auto& [code, g] : off) {
            geos::envelope e = geos::envelope_of(g.get());
            if (first)
                area = e, first = false;
            else
                area.expand(e);
        }
        std::vector<std::size_t> near;
        for (std::size_t i = 0; i < circuits.size(); ++i) {
            if (!envelopes_meet(box_of(cl.units[i].geometry.get()), area)) continue;
            near.push_back(i);
        }
        return near;
    }

    // Best-match IoU of every official circuit; IoU of the designed districts with the
    // official circuits dissolved by district.
    void compare_official(const official_list& off, const std::vector<std::size_t>& near) {
        proj::transformer to_analysis("EPSG:4326", opt.analysis_crs);
        std::vector<geos::geom_ptr> designed_projected(circuits.size());
        for (std::size_t i : near) designed_projected[i] = to_analysis.forward(cl.units[i].geometry.get());
        res.official.resize(off.size());
        parallel_for(off.size(), threads, [&](std::size_t k) {
            thread_local std::unique_ptr<proj::transformer> t;
            if (!t) t = std::make_unique<proj::transformer>("EPSG:4326", opt.analysis_crs);
            geos::geom_ptr o = t->forward(off[k].second.get());
            official_match& m = res.official[k];
            m.code = off[k].first;
            m.official_km2 = geos::area(o.get()) / 1e6;
            geos::envelope oe = geos::envelope_of(o.get());
            for (std::size_t i : near) {
                const GEOSGeometry* d = designed_projected[i].get();
                if (!d) continue;
                if (!envelopes_meet(geos::envelope_of(d), oe)) continue;
                double iou = intersection_over_union(o.get(), d);
                if (circuits[i] == m.code) m.iou_same_code = iou;
                if (iou > m.best_iou) m.best_iou = iou, m.best_code = circuits[i];
            }
        });
        // Districts: the designed ones (started from their offices) against the official circuits dissolved.
        {
            std::map<std::string, std::vector<const GEOSGeometry*>> by_district;
            for (auto& [code, g] : off) by_district[code.substr(0, 5)].push_back(g.get());
            for (auto& [d, parts] : by_district) {
                auto it = district_index.find(d);
                if (it == district_index.end()) continue;
                geos::geom_ptr o = to_analysis.forward(geos::unary_union(parts).get());
                geos::geom_ptr des =
                    to_analysis.forward(pieces_geometry(graph, parishes, pieces_of_district[it->second]).get());
                if (!o || !des) continue;
                official_match m;
                m.code = d;
                m.official_km2 = geos::area(o.get()) / 1e6;
                m.iou_same_code = intersection_over_union(o.get(), des.get());
                m.best_code = d;
                m.best_iou = m.iou_same_code;
                res.official_districts.push_back(m);
            }
        }
    }

    // Official polygons replace the designed circuits of their codes; what the designed
    // circuits held outside them goes to the circuit sharing most border with it, so the
    // level keeps no gap; changed circuits are recounted.
    void official_precedence(const official_list& off, const std::vector<std::size_t>& near) {
        for (auto& [code, g] : off) official_codes.insert(code);
        std::vector<geos::envelope> off_env;
        for (auto& [code, g] : off) off_env.push_back(geos::envelope_of(g.get()));
        struct cut {
            bool touched = false;
            geos::geom_ptr keep;
            std::vector<geos::geom_ptr> loose;
        };
        std::vector<cut> cuts(near.size());
        parallel_for(near.size(), threads, [&](std::size_t ni) {
            auto hh = geos::thread_context().handle();
            const unit& u = cl.units[near[ni]];
            geos::envelope e = geos::envelope_of(u.geometry.get());
            std::vector<const GEOSGeometry*> local;
            for (std::size_t k = 0; k < off.size(); ++k)
                if (envelopes_meet(e, off_env[k]) && GEOSIntersects_r(hh, u.geometry.get(), off[k].second.get()) == 1)
                    local.push_back(off[k].second.get());
            if (local.empty()) return;
            cut& c = cuts[ni];
            c.touched = true;
            geos::geom_ptr over = local.size() == 1 ? geos::clone(local.front()) : geos::unary_union(local);
            geos::geom_ptr rest =
                geos::polygonal_parts_as_multipolygon(geos::difference(u.geometry.get(), over.get()).get());
            thread_local std::unique_ptr<proj::transformer> t;
            if (!t) t = std::make_unique<proj::transformer>("EPSG:4326", opt.analysis_crs);
            std::vector<std::pair<geos::geom_ptr, double>> parts;
            double largest = 0;
            for (const GEOSGeometry* part : geos::polygons_of(rest.get())) {
                geos::geom_ptr pp = t->forward(part);
                double a = pp ? geos::area(pp.get()) / 1e6 : 0;
                largest = std::max(largest, a);
                parts.emplace_back(geos::clone(part), a);
            }
            std::vector<geos::geom_ptr> keep;
            for (auto& [part, a] : parts) {
                // What is left of an official code's designed circuit, and slivers of the
                // others, go to the neighbour they share most border with.
                if (official_codes.count(circuits[near[ni]]) || (a < 0.5 && a < largest))
                    c.loose.push_back(std::move(part));
                else
                    keep.push_back(std::move(part));
            }
            std::vector<const GEOSGeometry*> kp;
            for (auto& k : keep) kp.push_back(k.get());
            c.keep = kp.empty() ? geos::own(GEOSGeom_createEmptyPolygon_r(hh))
                                : geos::polygonal_parts_as_multipolygon(geos::unary_union(kp).get());
        });
        std::set<std::size_t> changed_set;
        std::vector<std::pair<geos::geom_ptr, std::size_t>> loose;  // polygon, its designed circuit
        for (std::size_t ni = 0; ni < near.size(); ++ni) {
            if (!cuts[ni].touched) continue;
            changed_set.insert(near[ni]);
            cl.units[near[ni]].geometry = std::move(cuts[ni].keep);
            for (auto& l : cuts[ni].loose) loose.emplace_back(std::move(l), near[ni]);
        }
        for (auto& [code, g] : off) {
            std::size_t i = circuit_index.at(code);
            cl.units[i].geometry = geos::clone(g.get());
            changed_set.insert(i);
        }
        std::vector<std::size_t> candidates(changed_set.begin(), changed_set.end());
        std::vector<geos::envelope> cand_env;
        for (std::size_t i : candidates) cand_env.push_back(box_of(cl.units[i].geometry.get()));
        std::vector<std::size_t> receiver(loose.size());
        parallel_for(loose.size(), threads, [&](std::size_t li) {
            auto hh = geos::thread_context().handle();
            const auto& [part, owner] = loose[li];
            geos::geom_ptr border = geos::own(GEOSBoundary_r(hh, part.get()));
            geos::envelope pe = geos::envelope_of(part.get());
            std::size_t best = owner;
            double best_len = 0;
            for (std::size_t ci = 0; ci < candidates.size(); ++ci) {
                const GEOSGeometry* cg = cl.units[candidates[ci]].geometry.get();
                if (!envelopes_meet(pe, cand_env[ci])) continue;
                // Only the candidate's part around this polygon matters (official
                // polygons have many vertices): clip it to the polygon's box first.
                const double pad = 1e-6;
                geos::geom_ptr near_part =
                    geos::own(GEOSClipByRect_r(hh, cg, pe.minx - pad, pe.miny - pad, pe.maxx + pad, pe.maxy + pad));
                if (!near_part || GEOSisEmpty_r(hh, near_part.get()) == 1) continue;
                geos::geom_ptr shared = geos::intersection(border.get(), near_part.get());
                double len = shared ? geos::length(shared.get()) : 0;
                if (len > best_len) best_len = len, best = candidates[ci];
            }
            receiver[li] = best;
        });
        std::map<std::size_t, std::vector<geos::geom_ptr>> gained;
        std::size_t moved = 0;
        for (std::size_t li = 0; li < loose.size(); ++li) {
            moved += receiver[li] != loose[li].second;
            gained[receiver[li]].push_back(std::move(loose[li].first));
        }
        for (auto& [i, parts] : gained) {
            std::vector<const GEOSGeometry*> gp{cl.units[i].geometry.get()};
            for (auto& p : parts) gp.push_back(p.get());
            cl.units[i].geometry = geos::polygonal_parts_as_multipolygon(geos::unary_union(gp).get());
        }
        std::vector<std::size_t> changed(changed_set.begin(), changed_set.end());
        rep.add(note(severity::info, "design.official_remainder", level::circuit, {},
                     std::to_string(loose.size()) +
                         " polygons of designed circuits left outside the official ones "
                         "(and slivers under 0.5 km²) went to the circuit sharing most "
                         "border with them (" +
                         std::to_string(moved) + " changed hands)"));
        std::vector<const GEOSGeometry*> geoms;
        for (std::size_t i : changed) geoms.push_back(cl.units[i].geometry.get());
        std::vector<double> people =
            census_by_raster(geoms, parishes, census, src.rasters.empty() ? "" : src.rasters.front(), threads);
        for (std::size_t k = 0; k < changed.size(); ++k) circuit_pop[changed[k]] = std::round(people[k]);
        rep.add(note(severity::info, "design.official_circuits", level::circuit, {},
                     std::to_string(off.size()) + " official circuit polygons (" + src.official_circuits +
                         ") replace the designed ones; " + std::to_string(changed.size()) +
                         " circuits changed, their people recounted from census parishes spread by the raster"));
    }

    // Districts and zones dissolved from circuits (so they nest exactly).
    void dissolve_levels() {
        std::vector<dissolve_group> dg;
        for (std::size_t di = 0; di < districts.size(); ++di) {
            dissolve_group g{districts[di], district_name[districts[di]], zone_of[districts[di]], {}};
            for (std::size_t i = 0; i < circuits.size(); ++i)
                if (circuit_district[i] == districts[di] && !pieces_of_circuit[i].empty()) {
                    g.members.push_back(i);
                    district_pop[districts[di]] += circuit_pop[i];
                }
            if (!g.members.empty()) dg.push_back(std::move(g));
        }
        res.districts = dissolve(cl, level::district, dg, opt.analysis_crs, threads);
        std::map<std::string, dissolve_group> zg;
        for (std::size_t i = 0; i < res.districts.units.size(); ++i) {
            const unit& d = res.districts.units[i];
            auto& g = zg[d.parent_code];
            g.code = d.parent_code;
            g.name = "Zona " + d.parent_code.substr(1);
            g.members.push_back(i);
            zone_pop[d.parent_code] += district_pop[d.code];
        }
        std::vector<dissolve_group> zgl;
        for (auto& [z, g] : zg) zgl.push_back(std::move(g));
        res.zones = dissolve(res.districts, level::zone, zgl, opt.analysis_crs, threads);
    }

    // Populations and the per-unit report.
    void unit_reports() {
        for (std::size_t i = 0; i < np; ++i) res.population[level::parish][parishes.units[i].code] = census[i];
        for (const unit& c : res.cantons.units) {
            double s = 0;
            for (std::size_t i = 0; i < np; ++i)
                if (parishes.units[i].code.starts_with(c.code)) s += census[i];
            res.population[level::canton][c.code] = s;
        }
        std::vector<std::set<std::string>> split_members(np);
        for (std::size_t i = 0; i < circuits.size(); ++i)
            for (std::uint32_t p : pieces_of_circuit[i])
                if (graph.pieces()[p].sub >= 0) split_members[graph.pieces()[p].atom].insert(circuits[i]);
        for (std::size_t i = 0; i < circuits.size(); ++i) {
            const unit& u = cl.units[i];
            res.population[level::circuit][u.code] = circuit_pop[i];
            unit_report r = report_of(u, circuit_pop[i], official_codes.count(u.code) ? 0.0 : circuit_target[i]);
            r.official = official_codes.count(u.code) > 0;
            r.split_units = split_codes(graph, parishes, pieces_of_circuit[i],
                                        [&](std::uint32_t a) { return split_members[a].size() > 1; });
            res.units.push_back(std::move(r));
        }
        std::set<std::string> official_districts;
        for (const auto& m : res.official_districts) official_districts.insert(m.code);
        for (const unit& u : res.districts.units) {
            std::size_t di = district_index.at(u.code);
            res.population[level::district][u.code] = district_pop[u.code];
            bool designed = district_designed[di] && !official_districts.count(u.code);
            unit_report r = report_of(u, district_pop[u.code], designed ? district_target[di] : 0);
            r.split_units = split_codes(graph, parishes, pieces_of_district[di],
                                        [&](std::uint32_t a) { return listed_districts[a].size() > 1; });
            res.units.push_back(std::move(r));
        }
        for (const unit& u : res.zones.units) {
            res.population[level::zone][u.code] = zone_pop[u.code];
            res.units.push_back(report_of(u, zone_pop[u.code], 0));
        }
    }

    // Sources that disagree: the district offices' zones, and where each office lies.
    void check_offices() {
        if (!offices.empty()) {
            std::map<std::string, std::size_t> dindex;
            for (std::size_t i = 0; i < res.districts.units.size(); ++i) dindex[res.districts.units[i].code] = i;
            int inside = 0, elsewhere = 0;
            auto h = geos::thread_context().handle();
            for (const auto& [d, o] : offices) {
                auto it = zone_of.find(d);
                if (it != zone_of.end() && it->second != o.zone)
                    rep.add(note(severity::warning, "sources.zone_disagreement", level::district, d,
                                 "the codification table puts district " + d + " in zone " + it->second +
                                     ", the district offices table (" + src.offices + ") in zone " + o.zone +
                                     ": kept " + it->second +
                                     " (the codification, with its reviewed corrections, defines the hierarchy)",
                                 o.fid));
                if (!o.lonlat || !dindex.count(d)) continue;
                geos::geom_ptr pt = geos::own(GEOSGeom_createPointFromXY_r(h, o.lonlat->first, o.lonlat->second));
                if (GEOSIntersects_r(h, res.districts.units[dindex[d]].geometry.get(), pt.get()) == 1) {
                    ++inside;
                    continue;
                }
                ++elsewhere;
                std::string where = "no district";
                for (const unit& u : res.districts.units)
                    if (GEOSIntersects_r(h, u.geometry.get(), pt.get()) == 1) where = "district " + u.code;
                finding fd = note(severity::info, "design.office_elsewhere", level::district, d,
                                  "the office of district " + d + " lies in " + where, o.fid);
                fd.lon = o.lonlat->first, fd.lat = o.lonlat->second;
                rep.add(std::move(fd));
            }
            rep.add(note(severity::info, "design.offices_inside", level::district, {},
                         std::to_string(inside) + " of " + std::to_string(inside + elsewhere) +
                             " district offices lie in their own district"));
        }
    }
};

}  // namespace

national_result build_national(const national_sources& src, const national_options& opt) {
    national_result res;
    national_builder(src, opt, res).run();
    return res;
}

}  // namespace microplan::geo::design
