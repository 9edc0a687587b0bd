// build-ecuador as a use case: the sources checked and read, the national base built, written
// to the store in one atomic update, the report and unit figures written beside it.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "ecuador_services.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/design.hpp"
#include "microplan/geo/usecases/national.hpp"
#include "microplan/geo/usecases/national_access.hpp"
#include "text_files.hpp"

namespace microplan::geo::usecases {

namespace {

using detail::join;
using detail::write_text;

// The data folder's sources; required ones must exist, optional ones missing are dropped
// (and told).
design::national_sources sources_of(const build_ecuador_options& o) {
    design::national_sources src = design::national_sources::from_data_dir(o.data_dir);
    src.legal_zones = o.legal_zones;
    for (const auto* p : {&src.parishes, &src.cantons, &src.codification, &src.census})
        if (!std::filesystem::exists(*p))
            throw format_error({*p, {}, {}, {}, {}}, "missing file", "the data folder lacks this file");
    auto optional = [&](std::string& p, const char* what) {
        if (std::filesystem::exists(p)) return;
        if (o.missing_optional) o.missing_optional(p, what);
        p.clear();
    };
    optional(src.urban_parishes, "the urban parish classifier");
    optional(src.provinces, "the provinces (no check of provinces split across zones)");
    optional(src.offices, "the district offices (no seeds for city districts, one zone witness less)");
    optional(src.recorded_zones, "the school registry (one zone witness less)");
    optional(src.official_circuits, "official circuit polygons");
    std::vector<std::string> rasters;
    for (auto r : src.rasters) {
        optional(r, "this population raster");
        if (!r.empty()) rasters.push_back(r);
    }
    src.rasters = rasters;
    return src;
}

// The provinces as read, when given: the reference level zones are checked against.
void write_provinces(store::planning_store& db, const design::national_inputs& in) {
    if (in.provinces.units.empty()) return;
    db.write_level(in.provinces, {level::province, in.sources.provinces, "", "GeoJSON", "EPSG:4326", "", 0}, {});
}

// The store: parishes, cantons and provinces as read, the designed levels, people per level.
void write_store(const build_ecuador_options& o, const design::national_inputs& in, const design::national_result& r,
                 const detail::ecuador_services& services) {
    const design::national_sources& src = in.sources;
    store::update_atomically(o.out, [&](store::planning_store& db) {
        db.ensure_schema(o.national.analysis_crs);
        store::import_record rec{level::parish, src.parishes, "", "GeoJSON", "EPSG:4326", "", 0};
        db.write_level(in.parishes, rec, {});
        rec = {level::canton, src.cantons, "", "GeoJSON", "EPSG:4326", "", 0};
        db.write_level(in.cantons, rec, {});
        write_provinces(db, in);
        for (const unit_layer* l : {&r.zones, &r.districts, &r.circuits}) {
            rec = {l->lvl, o.command_line, "", "design", "EPSG:4326", "", 0};
            db.write_level(*l, rec, l->lvl == level::circuit ? r.report : findings{});
        }
        for (const auto& [lvl, values] : r.population) {
            population_values v;
            v[total_band] = values;
            rec = {lvl, src.census, "", "design", "", "", 0};
            std::string method = lvl == level::parish ? "table" : "dasymetric";
            db.write_population({lvl, 2022, method, src.census + " + " + join(src.rasters, " + ")}, v, rec, {});
        }
        detail::write_ecuador_services(db, services);
    });
}

nlohmann::json units_json(const std::vector<design::unit_report>& units) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& u : units)
        a.push_back({{"level", level_name(u.lvl)},
                     {"code", u.code},
                     {"name", u.name},
                     {"parent", u.parent},
                     {"population", std::round(u.population)},
                     {"target", std::round(u.target)},
                     {"deviation", u.deviation},
                     {"polsby_popper", u.polsby_popper},
                     {"area_km2", u.area_km2},
                     {"polygons", u.parts},
                     {"split_units", u.split_units},
                     {"official", u.official}});
    return a;
}

double mean_best_iou(const std::vector<design::official_match>& m) {
    double mean = 0;
    for (const auto& x : m) mean += x.best_iou / static_cast<double>(m.size());
    return mean;
}

double mean_same_iou(const std::vector<design::official_match>& m) {
    double mean = 0;
    for (const auto& x : m) mean += x.iou_same_code / static_cast<double>(m.size());
    return mean;
}

// Travel time to the schools (national_access.hpp) when the speed tables' folder is given and
// the data folder has the DEM, roads and population; otherwise told and skipped.
nlohmann::json travel_times(const build_ecuador_options& o) {
    if (o.road_speeds_dir.empty()) return nullptr;
    national_access_options a = national_access_sources(o.data_dir, o.road_speeds_dir);
    a.store = o.out;
    a.crs = o.national.analysis_crs;
    a.on_progress = o.on_progress;
    a.friction_out = o.friction_out;
    bool complete = !a.dem.empty() && !a.roads.empty() && !a.population.empty();
    for (const auto& sc : a.scenarios) complete = complete && !sc.road_speeds.empty();
    if (!complete) {
        if (o.missing_optional)
            o.missing_optional(o.data_dir,
                               "travel times (needs rasters/srtm3_ecuador.tif, networks/vias_igm_1m.shp, "
                               "rasters/landscan_2023_continental.tif and the road speed tables)");
        return {{"skipped", "a source is missing: the DEM, the roads, the population raster or a speed table"}};
    }
    return build_national_travel_times(a).report;
}

}  // namespace

nlohmann::json national_report_json(const design::national_result& r, const design::national_sources& src,
                                    const std::string& store) {
    nlohmann::json j;
    j["store"] = store;
    j["sources"] = {{"parishes", src.parishes},
                    {"cantons", src.cantons},
                    {"provinces", src.provinces},
                    {"codification", src.codification},
                    {"census", src.census},
                    {"urban_parishes", src.urban_parishes},
                    {"offices", src.offices},
                    {"legal_zones", src.legal_zones},
                    {"recorded_zones", src.recorded_zones},
                    {"official_circuits", src.official_circuits},
                    {"rasters", src.rasters}};
    j["counts"] = {{"zones", r.zones.units.size()},
                   {"districts", r.districts.units.size()},
                   {"circuits", r.circuits.units.size()},
                   {"split_parishes", r.split_parishes},
                   {"pieces", r.pieces}};
    j["design_seconds"] = r.design_seconds;
    j["stage_seconds"] = nlohmann::json::object();
    for (const auto& [name, sec] : r.stages) j["stage_seconds"][name] = sec;
    j["findings"] = r.report.items;
    j["units"] = units_json(r.units);
    nlohmann::json off = nlohmann::json::array();
    for (const auto& m : r.official)
        off.push_back({{"code", m.code},
                       {"iou_same_code", m.iou_same_code},
                       {"best_match", m.best_code},
                       {"best_iou", m.best_iou},
                       {"official_km2", m.official_km2}});
    nlohmann::json offd = nlohmann::json::array();
    for (const auto& m : r.official_districts)
        offd.push_back({{"code", m.code}, {"iou", m.iou_same_code}, {"official_km2", m.official_km2}});
    j["official_circuits"] = {{"circuits", off},
                              {"mean_iou_same_code", mean_same_iou(r.official)},
                              {"mean_best_iou", mean_best_iou(r.official)},
                              {"districts", offd},
                              {"mean_district_iou", mean_same_iou(r.official_districts)}};
    return j;
}

build_ecuador_summary build_ecuador(const build_ecuador_options& o) {
    build_ecuador_summary s;
    s.sources = sources_of(o);
    auto t0 = std::chrono::steady_clock::now();
    design::national_inputs in = read_national_inputs(s.sources, o.national.analysis_crs, o.national.threads);
    double read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.result = design::build_national(in, o.national);
    s.result.stages.insert(s.result.stages.begin(), {"read the sources", read_seconds});
    t0 = std::chrono::steady_clock::now();
    detail::ecuador_services services = detail::prepare_ecuador_services(o, in, s.result);
    s.result.stages.emplace_back("age bands, establishments, standards",
                                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    write_store(o, in, s.result, services);
    s.accessibility = travel_times(o);
    s.report_path = o.report.empty() ? o.out + "_report.json" : o.report;
    s.csv_path = o.units_csv.empty() ? o.out + "_units.csv" : o.units_csv;
    nlohmann::json report = national_report_json(s.result, s.sources, o.out);
    report["services"] = detail::ecuador_services_json(services);
    if (!s.accessibility.is_null()) report["accessibility"] = s.accessibility;
    write_text(s.report_path, report.dump(1));
    write_unit_csv(s.csv_path, s.result.units);
    s.mean_best_iou = mean_best_iou(s.result.official);
    s.mean_district_iou = mean_same_iou(s.result.official_districts);
    return s;
}

}  // namespace microplan::geo::usecases
