// microplan design / build-ecuador: population-balanced units from finer units, and the
// national base of zones, districts and circuits from the real data.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/design/national.hpp"
#include "microplan/geo/design/partition.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::cli {

namespace {

nlohmann::json units_json(const std::vector<geo::design::unit_report>& units) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& u : units)
        a.push_back({{"level", geo::level_name(u.lvl)},
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

void write_text(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        if (!out) throw geo::format_error({path, {}, {}, {}, {}}, "cannot write", "cannot create the report file");
        out << text;
    }
    std::filesystem::rename(tmp, path);
}

// The per-unit report as CSV (level, code, name, parent, population, target, deviation %,
// Polsby-Popper, km², polygons, split finer units, official).
void write_unit_csv(const std::string& path, const std::vector<geo::design::unit_report>& units) {
    std::string csv =
        "level,code,name,parent,population,target,deviation_pct,polsby_popper,area_km2,polygons,"
        "split_units,official\n";
    char buf[256];
    for (const auto& u : units) {
        std::snprintf(buf, sizeof buf, "%.0f,%.0f,%.2f,%.4f,%.3f,%d", u.population, u.target,
                      u.target > 0 ? u.deviation * 100 : 0.0, u.polsby_popper, u.area_km2, u.parts);
        csv += std::string(geo::level_name(u.lvl)) + "," + u.code + "," + geo::csv_field(u.name) + "," + u.parent +
               "," + buf + "," + join(u.split_units, " ") + "," + (u.official ? "yes" : "no") + "\n";
    }
    write_text(path, csv);
}

// Designed units to any GDAL vector format chosen by the extension (written beside, then renamed).
void write_units_file(const std::string& path, const geo::unit_layer& layer,
                      const std::vector<geo::design::unit_report>& report) {
    geo::gdal::ensure_registered();
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const char* driver = ext == ".gpkg"                        ? "GPKG"
                         : ext == ".geojson" || ext == ".json" ? "GeoJSON"
                         : ext == ".fgb"                       ? "FlatGeobuf"
                         : ext == ".shp"                       ? "ESRI Shapefile"
                                                               : nullptr;
    geo::error_location where{path, {}, {}, {}, {}};
    if (!driver) throw geo::format_error(where, "unsupported output format", "use .gpkg, .geojson, .fgb or .shp");
    std::string tmp =
        std::filesystem::path(path).parent_path() / (".tmp-" + std::filesystem::path(path).filename().string());
    std::filesystem::remove(tmp);
    GDALDriver* d = GetGDALDriverManager()->GetDriverByName(driver);
    GDALDatasetUniquePtr ds(d->Create(tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw geo::format_error(where, "cannot write", CPLGetLastErrorMsg());
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::string lname = std::string(geo::level_table(layer.lvl));
    OGRLayer* l = ds->CreateLayer(lname.c_str(), &srs, wkbMultiPolygon, nullptr);
    for (auto [name, type] : {std::pair{"code", OFTString},
                              {"name", OFTString},
                              {"parent", OFTString},
                              {"population", OFTReal},
                              {"target", OFTReal},
                              {"deviation_pct", OFTReal},
                              {"polsby_popper", OFTReal},
                              {"area_km2", OFTReal},
                              {"polygons", OFTInteger},
                              {"split_units", OFTString}}) {
        OGRFieldDefn f(name, type);
        l->CreateField(&f);
    }
    for (std::size_t i = 0; i < layer.units.size(); ++i) {
        const auto& u = layer.units[i];
        const auto& r = report[i];
        OGRFeature f(l->GetLayerDefn());
        f.SetField("code", u.code.c_str());
        f.SetField("name", u.name.c_str());
        f.SetField("parent", u.parent_code.c_str());
        f.SetField("population", std::round(r.population));
        f.SetField("target", std::round(r.target));
        f.SetField("deviation_pct", std::round(r.deviation * 10000) / 100);
        f.SetField("polsby_popper", r.polsby_popper);
        f.SetField("area_km2", r.area_km2);
        f.SetField("polygons", r.parts);
        f.SetField("split_units", join(r.split_units, " ").c_str());
        auto wkb = geo::geos::to_wkb(u.geometry.get());
        OGRGeometry* g = nullptr;
        OGRGeometryFactory::createFromWkb(wkb.data(), &srs, &g, wkb.size());
        f.SetGeometryDirectly(g);
        if (l->CreateFeature(&f) != OGRERR_NONE) throw geo::format_error(where, "cannot write", CPLGetLastErrorMsg());
    }
    ds.reset();
    std::filesystem::rename(tmp, path);
}

}  // namespace

command add_design(CLI::App& app) {
    struct args {
        std::string units, layer, code_field, name_field, population, population_code, population_field, parents,
            parents_code, out, report, crs = "EPSG:32717", level = "circuit";
        std::vector<std::string> rasters;
        int parent_digits = 0;
        geo::design::design_options opt;
    };
    auto a = std::make_shared<args>();
    app.add_option("--units", a->units, "Finer units to design from (parishes, census zones): any GDAL polygon source")
        ->required();
    app.add_option("--layer", a->layer, "Layer of --units (default: the first)");
    app.add_option("--code-field", a->code_field, "Code field of --units (default: detected)");
    app.add_option("--name-field", a->name_field, "Name field of --units (default: detected)");
    app.add_option("--population", a->population,
                   "Table of people per finer unit (CSV or any GDAL table); without it the rasters are summed");
    app.add_option("--population-code-field", a->population_code, "Code field of --population (default: detected)");
    app.add_option("--population-field", a->population_field, "People field of --population (default: detected)");
    app.add_option("--raster", a->rasters, "Population raster(s): weights for splitting finer units (repeatable)");
    auto digits = app.add_option("--parent-digits", a->parent_digits,
                                 "Parent = the first N characters of the finer unit's code (4: parish -> canton)");
    auto parents = app.add_option("--parents", a->parents,
                                  "Parent polygons (any GDAL source); finer units go to "
                                  "the parent holding their interior point");
    app.add_option("--parents-code-field", a->parents_code, "Code field of --parents (default: detected)");
    digits->excludes(parents);
    app.add_option("--level", a->level, "Level designed: circuit or district")
        ->check(CLI::IsMember({"circuit", "district"}))
        ->default_val("circuit");
    app.add_option("--target", a->opt.target, "People per designed unit (circuits ~11,000, districts ~90,000)")
        ->required()
        ->check(CLI::PositiveNumber);
    app.add_option("--tolerance", a->opt.tolerance, "Allowed deviation from the target, as a share (0.05 = 5 %)")
        ->default_val(0.05)
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--seed", a->opt.seed, "Random seed: the same seed and inputs give the same design")->default_val(1);
    app.add_option("--rounds", a->opt.rounds, "Improvement rounds (Lloyd) after the first growth")->default_val(8);
    app.add_option("--out,-o", a->out, "Designed units (.gpkg, .geojson, .fgb or .shp)")->required();
    app.add_option("--report", a->report, "Per-unit report (CSV): population, deviation, Polsby-Popper, splits");
    app.add_option("--crs", a->crs, "Analysis CRS for distances and areas")->default_val("EPSG:32717");
    app.add_option("--threads", a->opt.threads, "Worker threads (default: all cores)");
    return [a] {
        auto t0 = clock_type::now();
        if (a->parent_digits <= 0 && a->parents.empty())
            throw geo::format_error({}, "missing parent", "give --parent-digits N or --parents FILE");
        a->opt.analysis_crs = a->crs;
        a->opt.lvl = *geo::parse_level(a->level);
        a->opt.code_infix = a->opt.lvl == geo::level::circuit ? "C" : "D";
        geo::import_options io;
        io.path = a->units;
        io.layer = a->layer;
        io.lvl = geo::level::parish;
        io.fields.code = a->code_field;
        io.fields.name = a->name_field;
        io.analysis_crs = a->crs;
        io.threads = a->opt.threads;
        geo::import_result ir = geo::read_units(io);
        geo::findings report = ir.report;
        const geo::unit_layer& atoms = ir.layer;
        std::vector<double> people(atoms.units.size(), 0);
        if (!a->population.empty()) {
            geo::population_table_options po;
            po.path = a->population;
            po.lvl = geo::level::parish;
            po.code_field = a->population_code;
            po.value_field = a->population_field;
            po.code_flag = "--population-code-field";
            po.value_flag = "--population-field";
            geo::population_table_result t = geo::read_population_table(po, atoms);
            report.append(t.report);
            for (std::size_t i = 0; i < atoms.units.size(); ++i) {
                auto it = t.values[geo::total_band].find(atoms.units[i].code);
                if (it != t.values[geo::total_band].end()) people[i] = it->second;
            }
        } else {
            if (a->rasters.empty())
                throw geo::format_error({}, "no population", "give --population TABLE or --raster FILE");
            std::vector<const GEOSGeometry*> geoms;
            for (const auto& u : atoms.units) geoms.push_back(u.geometry.get());
            for (const auto& r : a->rasters) {
                geo::zonal_result z = geo::zonal_sums(r, geoms, "EPSG:4326", {1, a->opt.threads});
                for (std::size_t i = 0; i < people.size(); ++i) people[i] += z.sums[i];
            }
        }
        std::vector<std::string> parent(atoms.units.size());
        if (a->parent_digits > 0) {
            for (std::size_t i = 0; i < atoms.units.size(); ++i)
                parent[i] = atoms.units[i].code.substr(0, static_cast<std::size_t>(a->parent_digits));
        } else {
            geo::import_options po = io;
            po.path = a->parents;
            po.layer.clear();
            po.lvl = a->opt.lvl == geo::level::circuit ? geo::level::canton : geo::level::province;
            po.fields = {a->parents_code, "", ""};
            geo::import_result pr = geo::read_units(po);
            auto h = geo::geos::thread_context().handle();
            for (std::size_t i = 0; i < atoms.units.size(); ++i) {
                geo::geos::geom_ptr pt = geo::geos::own(GEOSPointOnSurface_r(h, atoms.units[i].geometry.get()));
                for (const auto& p : pr.layer.units)
                    if (GEOSIntersects_r(h, p.geometry.get(), pt.get()) == 1) {
                        parent[i] = p.code;
                        break;
                    }
                if (parent[i].empty())
                    report.add({geo::severity::warning, "design.no_parent", geo::level::parish, atoms.units[i].code,
                                atoms.units[i].source_fid, "lies in no parent polygon of " + a->parents + ": left out",
                                std::nullopt, std::nullopt, std::nullopt});
            }
        }
        geo::design::weight_rasters rasters = geo::design::read_weight_rasters(a->rasters, a->crs);
        auto t1 = clock_type::now();
        geo::design::design_result d = geo::design::design_units(atoms, people, parent, rasters, a->opt);
        double design_s = seconds_since(t1);
        report.append(d.problems);
        write_units_file(a->out, d.units, d.report);
        if (!a->report.empty()) write_unit_csv(a->report, d.report);
        print_findings(report, 10);
        double worst = 0;
        for (const auto& r : d.report) worst = std::max(worst, std::abs(r.deviation));
        std::printf(
            "designed %zu %ss from %zu finer units (%zu split into %zu pieces) in %.2f s (total %.2f s); "
            "largest deviation %.1f %%; wrote %s\n",
            d.units.units.size(), a->level.c_str(), atoms.units.size(), d.split_units, d.pieces, design_s,
            seconds_since(t0), worst * 100, a->out.c_str());
        return 0;
    };
}

command add_build_ecuador(CLI::App& app) {
    struct args {
        std::string data, out, report, units_csv, crs = "EPSG:32717",
                                                  zone_corrections = MICROPLAN_DATA_DIR "/ecuador/zone_corrections.csv";
        geo::design::national_options opt;
        geo::design::national_sources src;
    };
    auto a = std::make_shared<args>();
    app.add_option("--data", a->data, "The Ecuador data folder (../shared/data/ecuador layout, see its README)")
        ->required()
        ->check(CLI::ExistingDirectory);
    app.add_option("--out,-o", a->out, "Planning store to write (replaced atomically)")->required();
    app.add_option("--report", a->report,
                   "Validation report (JSON): every defect met and its resolution, per-unit design figures, official "
                   "circuits compared (default: <store>_report.json)");
    app.add_option("--units-csv", a->units_csv, "Per-unit figures as CSV (default: <store>_units.csv)");
    app.add_option("--zone-corrections", a->zone_corrections,
                   "Reviewed corrections of the codification's zones (CSV: district, zone, reason; '' for none)");
    app.add_option("--seed", a->opt.seed, "Random seed of the design")->default_val(1);
    app.add_option("--crs", a->crs, "Analysis CRS")->default_val("EPSG:32717");
    app.add_option("--threads", a->opt.threads, "Worker threads (default: all cores)");
    return [a] {
        auto t0 = clock_type::now();
        a->opt.analysis_crs = a->crs;
        a->src = geo::design::national_sources::from_data_dir(a->data);
        a->src.zone_corrections = a->zone_corrections;
        for (const auto* p : {&a->src.parishes, &a->src.cantons, &a->src.codification, &a->src.census})
            if (!std::filesystem::exists(*p))
                throw geo::format_error({*p, {}, {}, {}, {}}, "missing file", "the data folder lacks this file");
        // Optional sources: the build goes on without them, and says so.
        auto optional = [](std::string& p, const char* what) {
            if (std::filesystem::exists(p)) return;
            std::fprintf(stderr, "microplan: file '%s': not found: building without %s\n", p.c_str(), what);
            p.clear();
        };
        optional(a->src.urban_parishes, "the urban parish classifier");
        optional(a->src.offices, "the district offices (no seeds for city districts, no zone check)");
        optional(a->src.official_circuits, "official circuit polygons");
        std::vector<std::string> rasters;
        for (auto r : a->src.rasters) {
            optional(r, "this population raster");
            if (!r.empty()) rasters.push_back(r);
        }
        a->src.rasters = rasters;
        geo::design::national_result r = geo::design::build_national(a->src, a->opt);
        for (const auto& [name, sec] : r.stages) std::fprintf(stderr, "  %-55s %6.2f s\n", name.c_str(), sec);
        std::string source = "microplan build-ecuador --data " + a->data + " --seed " + std::to_string(a->opt.seed);
        geo::store::update_atomically(a->out, [&](geo::store::planning_store& db) {
            db.ensure_schema(a->crs);
            geo::store::import_record rec{geo::level::parish, a->src.parishes, "", "GeoJSON", "EPSG:4326", "", 0};
            db.write_level(r.parishes, rec, {});
            rec = {geo::level::canton, a->src.cantons, "", "GeoJSON", "EPSG:4326", "", 0};
            db.write_level(r.cantons, rec, {});
            for (const geo::unit_layer* l : {&r.zones, &r.districts, &r.circuits}) {
                rec = {l->lvl, source, "", "design", "EPSG:4326", "", 0};
                db.write_level(*l, rec, l->lvl == geo::level::circuit ? r.report : geo::findings{});
            }
            for (const auto& [lvl, values] : r.population) {
                geo::population_values v;
                v[geo::total_band] = values;
                rec = {lvl, a->src.census, "", "design", "", "", 0};
                std::string method = lvl == geo::level::parish ? "table" : "dasymetric";
                db.write_population(
                    {lvl, 2022, method, a->src.census + " + " + join(a->src.rasters, " + ")}, v, rec, {});
            }
        });
        std::string report_path = a->report.empty() ? a->out + "_report.json" : a->report;
        std::string csv_path = a->units_csv.empty() ? a->out + "_units.csv" : a->units_csv;
        nlohmann::json j;
        j["store"] = a->out;
        j["sources"] = {{"parishes", a->src.parishes},
                        {"cantons", a->src.cantons},
                        {"codification", a->src.codification},
                        {"census", a->src.census},
                        {"urban_parishes", a->src.urban_parishes},
                        {"offices", a->src.offices},
                        {"official_circuits", a->src.official_circuits},
                        {"rasters", a->src.rasters}};
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
        double mean_same = 0, mean_best = 0;
        for (const auto& m : r.official) {
            off.push_back({{"code", m.code},
                           {"iou_same_code", m.iou_same_code},
                           {"best_match", m.best_code},
                           {"best_iou", m.best_iou},
                           {"official_km2", m.official_km2}});
            mean_same += m.iou_same_code / static_cast<double>(r.official.size());
            mean_best += m.best_iou / static_cast<double>(r.official.size());
        }
        nlohmann::json offd = nlohmann::json::array();
        double mean_district = 0;
        for (const auto& m : r.official_districts) {
            offd.push_back({{"code", m.code}, {"iou", m.iou_same_code}, {"official_km2", m.official_km2}});
            mean_district += m.iou_same_code / static_cast<double>(r.official_districts.size());
        }
        j["official_circuits"] = {{"circuits", off},
                                  {"mean_iou_same_code", mean_same},
                                  {"mean_best_iou", mean_best},
                                  {"districts", offd},
                                  {"mean_district_iou", mean_district}};
        write_text(report_path, j.dump(1));
        write_unit_csv(csv_path, r.units);
        print_findings(r.report, 5);
        std::printf(
            "built %zu zones, %zu districts, %zu circuits (%zu parishes split into %zu pieces; design %.2f s, "
            "total %.2f s); %zu error(s), %zu warning(s); against the official circuits the designed ones "
            "overlap a best match by IoU %.2f on average, their districts by %.2f; report %s, units %s\n",
            r.zones.units.size(), r.districts.units.size(), r.circuits.units.size(), r.split_parishes, r.pieces,
            r.design_seconds, seconds_since(t0), r.report.count(geo::severity::error),
            r.report.count(geo::severity::warning), mean_best, mean_district, report_path.c_str(), csv_path.c_str());
        return r.report.has_errors() ? 1 : 0;
    };
}

}  // namespace microplan::cli
