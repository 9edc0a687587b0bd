#include "microplan/geo/usecases/national.hpp"

#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/codification.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/model/names.hpp"
#include "microplan/geo/population/population.hpp"

namespace microplan::geo::usecases {

namespace {

// Census 2022 per parish code, and the rows (with a value) no parish polygon has.
design::census_table read_census(const std::string& path, const unit_layer& parishes, findings& report) {
    population_table_options po;
    po.path = path;
    po.lvl = level::parish;
    po.code_field = "DPA_PARROQ";
    po.value_field = "pob_cpv2022";
    po.year = 2022;
    population_table_result t = read_population_table(po, parishes);
    report.append(t.report);
    design::census_table out;
    out.people = std::move(t.values[total_band]);
    if (t.unmatched_codes.empty()) return out;
    std::set<std::string> wanted(t.unmatched_codes.begin(), t.unmatched_codes.end());
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    auto fc = find_column(defn, {"dpaparroq"});
    auto fn = find_column(defn, {"dpadespar"});
    auto fk = find_column(defn, {"dpadescan"});
    auto fv = find_column(defn, {"pobcpv2022"});
    if (!fc || !fn || !fk || !fv) return out;
    for (auto& f : layer) {
        std::string code = normalise_code(level::parish, f->GetFieldAsString(*fc));
        if (wanted.count(code) && f->IsFieldSetAndNotNull(*fv))
            out.orphans.push_back({code, f->GetFieldAsString(*fn), f->GetFieldAsString(*fk), f->GetFieldAsDouble(*fv)});
    }
    return out;
}

// The legal zoning: a zone per province, or per canton where the law splits a province.
std::vector<design::legal_zone> read_legal_zones_csv(const std::string& path) {
    std::vector<design::legal_zone> out;
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    auto fl = find_column(defn, {"level"});
    auto fc = find_column(defn, {"code"});
    auto fz = find_column(defn, {"zone"});
    auto fn = find_column(defn, {"name"});
    auto fs = find_column(defn, {"source"});
    if (!fl || !fc || !fz)
        throw format_error({path, layer.GetName(), {}, {}, {}}, "missing column",
                           "the legal zoning needs the columns level, code and zone");
    for (auto& f : layer) {
        std::string what = f->GetFieldAsString(*fl);
        auto lvl = parse_level(what);
        if (!lvl || (*lvl != level::province && *lvl != level::canton))
            throw format_error({path, layer.GetName(), f->GetFID(), "level", what}, "unknown level",
                               "a legal zoning row is for a province or a canton");
        std::string code = normalise_code(*lvl, f->GetFieldAsString(*fc));
        if (!code_is_well_formed(*lvl, code))
            throw format_error({path, layer.GetName(), f->GetFID(), "code", code}, "malformed code",
                               std::string("the code does not have the shape of a ") + std::string(level_name(*lvl)) +
                                   " code (" + std::string(code_shape(*lvl)) + ")");
        out.push_back({*lvl, code, fn ? f->GetFieldAsString(*fn) : "",
                       normalise_code(level::zone, f->GetFieldAsString(*fz)), fs ? f->GetFieldAsString(*fs) : path,
                       f->GetFID()});
    }
    return out;
}

// The zone a register records for each district (the school registry's da_dist, da_zona),
// counted; rows without both are skipped.
design::recorded_zone_counts read_recorded_zones(const std::string& path) {
    design::recorded_zone_counts out;
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    auto fd = find_column(layer.GetLayerDefn(), {"dadist"});
    auto fz = find_column(layer.GetLayerDefn(), {"dazona"});
    if (!fd || !fz)
        throw format_error({path, layer.GetName(), {}, {}, {}}, "missing column",
                           "a register of recorded zones needs the columns da_dist and da_zona");
    for (auto& f : layer) {
        std::string d = normalise_code(level::district, f->GetFieldAsString(*fd));
        std::string z = normalise_code(level::zone, f->GetFieldAsString(*fz));
        if (code_is_well_formed(level::district, d) && code_is_well_formed(level::zone, z)) ++out[d][z];
    }
    return out;
}

// District offices: where each district is and the zone this table gives it.
std::map<std::string, design::district_office> read_offices(const std::string& path) {
    std::map<std::string, design::district_office> out;
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    auto fcode = find_column(defn, {"coddistri", "coddistrito"});
    auto fzone = find_column(defn, {"zona", "zone"});
    auto flat = find_column(defn, {"latitud", "lat"});
    auto flon = find_column(defn, {"longitud", "lon"});
    if (!fcode || !fzone)
        throw format_error({path, layer.GetName(), {}, {}, {}}, "missing column",
                           "the district offices table needs cod_distri and zona");
    for (auto& f : layer) {
        design::district_office o;
        o.zone = normalise_code(level::zone, f->GetFieldAsString(*fzone));
        o.fid = f->GetFID();
        if (flat && flon && f->IsFieldSetAndNotNull(*flat) && f->IsFieldSetAndNotNull(*flon))
            o.lonlat = std::pair{f->GetFieldAsDouble(*flon), f->GetFieldAsDouble(*flat)};
        out[normalise_code(level::district, f->GetFieldAsString(*fcode))] = o;
    }
    return out;
}

// Official circuit polygons: subcircuits (code like 09D03C03S01) dissolved by circuit.
std::map<std::string, geos::geom_ptr> read_official_circuits(const std::string& path) {
    GDALDatasetUniquePtr ds = gdal::open_vector(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "", gdal::polygon_layers());
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

unit_layer read_level(const std::string& path, level lvl, const std::string& analysis_crs, unsigned threads,
                      findings& report) {
    import_options io;
    io.analysis_crs = analysis_crs;
    io.threads = threads;
    io.path = path;
    io.lvl = lvl;
    import_result r = read_units(io);
    report.append(r.report);
    return std::move(r.layer);
}

}  // namespace

design::national_inputs read_national_inputs(const design::national_sources& sources, const std::string& analysis_crs,
                                             unsigned threads) {
    design::national_inputs in;
    in.sources = sources;
    in.parishes = read_level(sources.parishes, level::parish, analysis_crs, threads, in.report);
    in.cantons = read_level(sources.cantons, level::canton, analysis_crs, threads, in.report);
    if (!sources.provinces.empty())
        in.provinces = read_level(sources.provinces, level::province, analysis_crs, threads, in.report);
    in.codification = codification_table::read(sources.codification);
    if (!sources.urban_parishes.empty()) in.urban_parishes = read_urban_parishes(sources.urban_parishes);
    in.census = read_census(sources.census, in.parishes, in.report);
    if (!sources.legal_zones.empty()) in.legal_zones = read_legal_zones_csv(sources.legal_zones);
    if (!sources.recorded_zones.empty()) in.recorded_zones = read_recorded_zones(sources.recorded_zones);
    if (!sources.offices.empty()) in.offices = read_offices(sources.offices);
    for (const auto& path : sources.rasters) in.rasters.grids.push_back(read_population_grid(path, analysis_crs));
    if (!sources.official_circuits.empty()) in.official_circuits = read_official_circuits(sources.official_circuits);
    return in;
}

std::vector<design::legal_zone> read_legal_zones(const std::string& path) { return read_legal_zones_csv(path); }

}  // namespace microplan::geo::usecases
