#include "microplan/geo/io/vector_import.hpp"

#include <cpl_string.h>
#include <ogr_geometry.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <exception>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

std::string normalise_code(level l, std::string_view raw) {
    std::string c;
    for (char ch : raw)
        if (!std::isspace(static_cast<unsigned char>(ch)))
            c += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    // Spreadsheets and numeric fields drop leading zeros of DPA codes; "17.0" from real fields.
    if (c.size() > 2 && c.ends_with(".0")) c.resize(c.size() - 2);
    std::size_t width = l == level::province ? 2 : l == level::canton ? 4 : l == level::parish ? 6 : 0;
    bool numeric =
        !c.empty() && std::all_of(c.begin(), c.end(), [](unsigned char ch) { return std::isdigit(ch) != 0; });
    if (width && numeric && c.size() == width - 1) c.insert(0, "0");
    // District and circuit codes lose their leading zero too ("9D01" -> "09D01").
    if ((l == level::district || l == level::circuit) && !c.empty() && std::isdigit(static_cast<unsigned char>(c[0])) &&
        c.size() > 1 && c[1] == 'D')
        c.insert(0, "0");
    if (l == level::zone && numeric && c.size() == 1) c.insert(0, "Z");
    return c;
}

namespace {

struct raw_feature {
    long long fid = 0;
    std::vector<std::string> values;  // one per layer field, as read (UTF-8 after recoding)
    std::vector<unsigned char> wkb;   // 2D, linear, polygonal or collection
    bool had_zm = false;
    bool had_collection = false;
    int dropped_parts = 0;
};

// Field names we recognise, in order of preference, compared with names::field_key.
std::vector<std::string> code_field_names(level l) {
    std::vector<std::string> names;
    switch (l) {
        case level::zone:
            names = {"codzona", "zonecode", "zona", "zone"};
            break;
        case level::district:
            names = {"coddistrito", "coddistri", "coddist", "districtcode", "distrito", "district"};
            break;
        case level::circuit:
            names = {"codcircuito", "codcircui", "codcirc", "circuitcode", "circuito", "circuit"};
            break;
        case level::province:
            names = {"dpaprovin", "codprovincia", "codprov", "provincecode", "provincia"};
            break;
        case level::canton:
            names = {"dpacanton", "codcanton", "cantoncode", "canton"};
            break;
        case level::parish:
            names = {"dpaparroq", "codparroquia", "codparroq", "parishcode", "parroquia"};
            break;
    }
    for (const char* g : {"code", "codigo", "cod", "id", "dpa"}) names.emplace_back(g);
    return names;
}

std::vector<std::string> name_field_names(level l) {
    std::vector<std::string> names;
    switch (l) {
        case level::zone:
            names = {"nombrezona", "nomzona"};
            break;
        case level::district:
            names = {"nombredistrito", "nomdistrito", "nomdistri", "nombredistri"};
            break;
        case level::circuit:
            names = {"nombrecircuito", "nomcircuito", "nomcircui"};
            break;
        case level::province:
            names = {"dpadespro", "nombreprovincia", "nomprovincia", "provincia"};
            break;
        case level::canton:
            names = {"dpadescan", "nombrecanton", "nomcanton", "canton"};
            break;
        case level::parish:
            names = {"dpadespar", "nombreparroquia", "nomparroquia", "parroquia"};
            break;
    }
    for (const char* g : {"name", "nombre", "nom", "label", "nam"}) names.emplace_back(g);
    return names;
}

std::vector<std::string> parent_field_names(level l) {
    std::vector<std::string> names = {"parentcode", "parent", "codpadre", "padre"};
    if (auto p = parent_level(l)) {
        auto more = code_field_names(*p);
        more.resize(more.size() - 5);  // without the generic names (code, id, ...)
        names.insert(names.end(), more.begin(), more.end());
    }
    return names;
}

// Fraction of non-empty sampled values that are well-formed codes of `l`.
double code_shape_score(const std::vector<raw_feature>& feats, std::size_t field, level l) {
    std::size_t seen = 0, good = 0;
    for (std::size_t i = 0; i < feats.size() && seen < 1000; ++i) {
        const std::string& v = feats[i].values[field];
        if (v.empty()) continue;
        ++seen;
        if (code_is_well_formed(l, normalise_code(l, v))) ++good;
    }
    return seen ? static_cast<double>(good) / static_cast<double>(seen) : 0.0;
}

std::optional<std::size_t> detect_by_name(const std::vector<std::string>& fields, const std::vector<std::string>& keys,
                                          std::optional<std::size_t> exclude) {
    for (const auto& k : keys)
        for (std::size_t i = 0; i < fields.size(); ++i)
            if (names::field_key(fields[i]) == k && i != exclude) return i;
    return std::nullopt;
}

// The code field: the one whose values best fit the level's code shape; else by name.
std::optional<std::size_t> detect_code_field(const std::vector<std::string>& fields,
                                             const std::vector<raw_feature>& feats, level l) {
    std::optional<std::size_t> best;
    double best_score = 0.8;  // below this, shapes say nothing
    auto keys = code_field_names(l);
    auto rank = [&](std::size_t i) {
        auto it = std::find(keys.begin(), keys.end(), names::field_key(fields[i]));
        return it == keys.end() ? keys.size() : static_cast<std::size_t>(it - keys.begin());
    };
    for (std::size_t i = 0; i < fields.size(); ++i) {
        double s = code_shape_score(feats, i, l);
        if (s > best_score || (best && s == best_score && rank(i) < rank(*best))) {
            best = i;
            best_score = s;
        }
    }
    return best ? best : detect_by_name(fields, keys, std::nullopt);
}

struct processed {
    geos::geom_ptr geometry;
    geos::geom_ptr projected;
    std::optional<finding> repair;
    std::size_t vertices = 0;
    std::exception_ptr failure;
};

}  // namespace

import_result read_units(const import_options& opt) {
    GDALDatasetUniquePtr ds = gdal::open_vector(opt.path);
    OGRLayer& layer = gdal::pick_layer(*ds, opt.path, opt.layer);
    import_result result;
    result.driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "";
    result.layer_name = layer.GetName();
    result.layer.lvl = opt.lvl;
    auto where = [&](std::optional<long long> fid = std::nullopt, std::string field = {}) {
        return error_location{opt.path, result.layer_name, fid, std::move(field), {}};
    };

    // --- CRS -------------------------------------------------------------------------
    std::string source_crs = opt.source_crs;
    bool swap = opt.swap_xy;
    if (source_crs.empty()) {
        const OGRSpatialReference* srs = layer.GetSpatialRef();
        if (!srs)
            throw crs_error(where(), "no CRS",
                            "the layer does not say which coordinate reference system it uses (e.g. a Shapefile "
                            "without .prj); give it with --s-srs, e.g. --s-srs EPSG:4326 or --s-srs EPSG:32717");
        char* wkt = nullptr;
        const char* wkt_opts[] = {"FORMAT=WKT2_2019", nullptr};
        srs->exportToWkt(&wkt, wkt_opts);
        source_crs = wkt ? wkt : "";
        CPLFree(wkt);
        // GDAL hands coordinates over in the order its axis mapping says; PROJ's normalised
        // operation expects (east, north). Data in the CRS's own order on a north-first CRS
        // arrive (lat, lon).
        const auto& mapping = srs->GetDataAxisToSRSAxisMapping();
        bool authority_order = mapping.size() >= 2 && mapping[0] == 1 && mapping[1] == 2;
        if (authority_order && (srs->EPSGTreatsAsLatLong() || srs->EPSGTreatsAsNorthingEasting())) swap = !swap;
    }
    try {
        result.source_crs = proj::crs_name(source_crs);
    } catch (const std::invalid_argument& e) {
        throw crs_error(where(), "unknown CRS", e.what());
    }

    // --- read every feature ---------------------------------------------------------------
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    std::vector<std::string> fields;
    for (int i = 0; i < defn->GetFieldCount(); ++i) fields.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    std::vector<raw_feature> feats;
    bool recoded_any = false;
    std::size_t zm = 0;
    layer.ResetReading();
    CPLErrorReset();
    for (auto& feature : layer) {
        raw_feature rf;
        rf.fid = feature->GetFID();
        rf.values.reserve(fields.size());
        for (int i = 0; i < static_cast<int>(fields.size()); ++i)
            rf.values.push_back(feature->IsFieldSetAndNotNull(i)
                                    ? gdal::to_utf8(feature->GetFieldAsString(i), opt.source_encoding, &recoded_any)
                                    : std::string{});
        OGRGeometry* g = feature->GetGeometryRef();
        if (!g || g->IsEmpty())
            throw geometry_error(where(rf.fid), "missing geometry", "the feature has no geometry or an empty one");
        std::unique_ptr<OGRGeometry> lin;
        if (g->hasCurveGeometry()) {
            lin.reset(g->getLinearGeometry());
            g = lin.get();
        }
        if (g->Is3D() || g->IsMeasured()) {
            rf.had_zm = true;
            ++zm;
            g->flattenTo2D();
            g->setMeasured(FALSE);
        }
        OGRwkbGeometryType t = wkbFlatten(g->getGeometryType());
        if (t == wkbGeometryCollection) {
            rf.had_collection = true;
            std::unique_ptr<OGRMultiPolygon> polys = std::make_unique<OGRMultiPolygon>();
            for (auto* part : *g->toGeometryCollection()) {
                auto pt = wkbFlatten(part->getGeometryType());
                if (pt == wkbPolygon)
                    polys->addGeometry(part);
                else if (pt == wkbMultiPolygon)
                    for (auto* p : *part->toMultiPolygon()) polys->addGeometry(p);
                else
                    ++rf.dropped_parts;
            }
            if (polys->IsEmpty())
                throw geometry_error(where(rf.fid), "not a polygon",
                                     "the GeometryCollection holds no polygon; territorial units must be polygons");
            lin.reset(polys.release());
            g = lin.get();
        } else if (t != wkbPolygon && t != wkbMultiPolygon) {
            throw geometry_error(where(rf.fid), "not a polygon",
                                 std::string("the geometry is a ") + OGRGeometryTypeToName(t) +
                                     "; territorial units must be Polygon or MultiPolygon");
        }
        rf.wkb.resize(static_cast<std::size_t>(g->WkbSize()));
        g->exportToWkb(wkbNDR, rf.wkb.data(), wkbVariantIso);
        feats.push_back(std::move(rf));
    }
    if (CPLGetLastErrorType() == CE_Failure)
        throw format_error(where(), "read error", std::string("GDAL stopped reading: ") + CPLGetLastErrorMsg());
    if (feats.empty()) throw format_error(where(), "empty layer", "the layer has no features" + gdal::read_problem());

    // --- fields ---------------------------------------------------------------------------
    auto resolve = [&](const std::string& given, const char* what) -> std::optional<std::size_t> {
        if (given.empty()) return std::nullopt;
        auto i = names::find_field(fields, given);
        if (!i) {
            std::string list;
            for (const auto& f : fields) list += (list.empty() ? "" : ", ") + f;
            throw format_error(where(std::nullopt, given), "field not found",
                               std::string("the ") + what + " field is not in the layer; fields present: " + list);
        }
        return i;
    };
    std::optional<std::size_t> code_i = resolve(opt.fields.code, "code");
    if (!code_i) code_i = detect_code_field(fields, feats, opt.lvl);
    if (!code_i) {
        std::string list;
        for (const auto& f : fields) list += (list.empty() ? "" : ", ") + f;
        throw format_error(where(), "no code field",
                           "cannot tell which field holds the " + std::string(level_name(opt.lvl)) +
                               " code (fields: " + (list.empty() ? "none" : list) + "); give it with --code-field");
    }
    std::optional<std::size_t> name_i = resolve(opt.fields.name, "name");
    if (!name_i && opt.fields.name.empty()) name_i = detect_by_name(fields, name_field_names(opt.lvl), code_i);
    std::optional<std::size_t> parent_i = resolve(opt.fields.parent, "parent");
    if (!parent_i && opt.fields.parent.empty()) {
        parent_i = detect_by_name(fields, parent_field_names(opt.lvl), code_i);
        // A name-matched parent field must hold parent codes, or it is something else.
        if (parent_i && (!parent_level(opt.lvl) || code_shape_score(feats, *parent_i, *parent_level(opt.lvl)) < 0.8))
            parent_i.reset();
    }
    result.used_fields = {fields[*code_i], name_i ? fields[*name_i] : "", parent_i ? fields[*parent_i] : ""};

    // --- codes: present and unique ------------------------------------------------------------
    std::unordered_map<std::string, long long> seen;
    for (const auto& f : feats) {
        std::string code = normalise_code(opt.lvl, f.values[*code_i]);
        if (code.empty()) throw format_error(where(f.fid, fields[*code_i]), "empty code", "every unit needs a code");
        auto [it, fresh] = seen.emplace(code, f.fid);
        if (!fresh)
            throw format_error(where(f.fid, fields[*code_i]), "duplicate code",
                               "code '" + code + "' is also used by feature " + std::to_string(it->second));
    }

    // --- geometry: transform, check, repair, measure; in parallel ------------------------------
    std::vector<processed> out(feats.size());
    std::atomic<std::size_t> next{0};
    unsigned n_threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    n_threads = static_cast<unsigned>(std::min<std::size_t>(n_threads, feats.size()));
    auto work = [&] {
        try {
            // PROJ objects belong to the thread that made them.
            proj::transformer to_wgs84(source_crs, "EPSG:4326", swap);
            proj::transformer to_analysis("EPSG:4326", opt.analysis_crs);
            GEOSContextHandle_t h = geos::thread_context().handle();
            for (std::size_t i = next++; i < feats.size(); i = next++) {
                processed& p = out[i];
                try {
                    geos::geom_ptr g;
                    try {
                        g = geos::from_wkb(feats[i].wkb);
                    } catch (const std::runtime_error& e) {  // GEOS refuses it: unclosed ring, ...
                        throw geometry_error(where(feats[i].fid), "unreadable geometry", e.what());
                    }
                    p.vertices = static_cast<std::size_t>(GEOSGetNumCoordinates_r(h, g.get()));
                    geos::geom_ptr ll = to_wgs84.forward(g.get());
                    if (!ll)
                        throw crs_error(where(feats[i].fid), "cannot transform",
                                        "a coordinate cannot be transformed from " + result.source_crs + " to WGS 84");
                    char* reason = nullptr;
                    GEOSGeometry* loc = nullptr;
                    char valid = GEOSisValidDetail_r(h, ll.get(), 0, &reason, &loc);
                    if (valid == 2)
                        throw geometry_error(where(feats[i].fid), "validity check failed",
                                             geos::thread_context().last_error());
                    if (valid == 0) {
                        finding f{
                            severity::warning,
                            "geometry.repaired",
                            opt.lvl,
                            {},
                            feats[i].fid,
                            std::string("invalid geometry repaired with make-valid (") + (reason ? reason : "?") + ")",
                            std::nullopt,
                            std::nullopt,
                            std::nullopt};
                        if (loc) {
                            double x = 0, y = 0;
                            GEOSGeomGetX_r(h, loc, &x);
                            GEOSGeomGetY_r(h, loc, &y);
                            f.lon = x;
                            f.lat = y;
                        }
                        GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(h);
                        GEOSMakeValidParams_setMethod_r(h, params, GEOS_MAKE_VALID_STRUCTURE);
                        GEOSMakeValidParams_setKeepCollapsed_r(h, params, 0);
                        geos::geom_ptr fixed = geos::own(GEOSMakeValidWithParams_r(h, ll.get(), params));
                        GEOSMakeValidParams_destroy_r(h, params);
                        if (!fixed)
                            throw geometry_error(where(feats[i].fid), "cannot repair geometry",
                                                 geos::thread_context().last_error());
                        ll = std::move(fixed);
                        p.repair = std::move(f);
                    }
                    GEOSFree_r(h, reason);
                    if (loc) GEOSGeom_destroy_r(h, loc);
                    ll = geos::polygonal_parts_as_multipolygon(ll.get());
                    if (GEOSisEmpty_r(h, ll.get()))
                        throw geometry_error(where(feats[i].fid), "empty polygon",
                                             "nothing polygonal remains after repair");
                    p.projected = geos::valid_polygonal(to_analysis.forward(ll.get()));
                    if (!p.projected)
                        throw crs_error(where(feats[i].fid), "cannot transform",
                                        "the unit cannot be projected to " + opt.analysis_crs);
                    p.geometry = std::move(ll);
                } catch (...) {
                    p.failure = std::current_exception();
                }
            }
        } catch (...) {
            for (std::size_t i = next++; i < feats.size(); i = next++) out[i].failure = std::current_exception();
        }
    };
    {
        std::vector<std::jthread> pool;
        for (unsigned t = 1; t < n_threads; ++t) pool.emplace_back(work);
        work();
    }
    for (auto& p : out)
        if (p.failure) std::rethrow_exception(p.failure);

    // --- coordinates: in range, and not lat/lon swapped --------------------------------------
    geos::envelope env = geos::envelope_of(out[0].geometry.get());
    for (auto& p : out) env.expand(geos::envelope_of(p.geometry.get()));
    auto inside = [](double x, double y, const proj::area_of_use& a, double margin) {
        return x >= a.west - margin && x <= a.east + margin && y >= a.south - margin && y <= a.north + margin;
    };
    double cx = (env.minx + env.maxx) / 2, cy = (env.miny + env.maxy) / 2;
    proj::area_of_use area = proj::crs_area_of_use(opt.analysis_crs);
    bool in_range = env.minx >= -180 && env.maxx <= 180 && env.miny >= -90 && env.maxy <= 90;
    bool geographic_source = proj::crs_is_geographic(source_crs);
    if (geographic_source && (!in_range || !inside(cx, cy, area, 10.0)) && inside(cy, cx, area, 10.0)) {
        throw crs_error(where(), "axes swapped",
                        "the coordinates read as (lon, lat) fall outside the area of " +
                            proj::crs_name(opt.analysis_crs) +
                            " but fit it as (lat, lon): the data has latitude first; re-run with --swap-xy");
    }
    if (!in_range)
        throw crs_error(where(), "coordinates out of range",
                        "longitudes/latitudes beyond ±180/±90 after reading as " + result.source_crs +
                            ": the declared CRS is wrong; give the right one with --s-srs");
    if (!inside(cx, cy, area, 10.0))
        result.report.add({severity::warning,
                           "crs.outside_analysis_area",
                           opt.lvl,
                           {},
                           std::nullopt,
                           "the data lies outside the area of use of the analysis CRS " +
                               proj::crs_name(opt.analysis_crs) +
                               "; areas will be distorted: choose another with --analysis-crs",
                           cx,
                           cy,
                           std::nullopt});

    // --- units ---------------------------------------------------------------------------
    result.layer.units.reserve(feats.size());
    for (std::size_t i = 0; i < feats.size(); ++i) {
        const raw_feature& f = feats[i];
        unit u;
        u.lvl = opt.lvl;
        u.code = normalise_code(opt.lvl, f.values[*code_i]);
        u.name = name_i ? f.values[*name_i] : std::string{};
        if (parent_i && parent_level(opt.lvl))
            u.parent_code = normalise_code(*parent_level(opt.lvl), f.values[*parent_i]);
        u.source_fid = f.fid;
        u.geometry = std::move(out[i].geometry);
        u.projected = std::move(out[i].projected);
        u.area_km2 = geos::area(u.projected.get()) / 1e6;
        u.perimeter_km = geos::length(u.projected.get()) / 1e3;
        result.vertices += out[i].vertices;
        if (out[i].repair) {
            out[i].repair->code = u.code;
            result.report.add(*out[i].repair);
        }
        if (f.had_collection)
            result.report.add(
                {severity::warning, "geometry.collection", opt.lvl, u.code, f.fid,
                 "GeometryCollection: kept its polygons" +
                     (f.dropped_parts ? ", dropped " + std::to_string(f.dropped_parts) + " non-polygon part(s)"
                                      : std::string{}),
                 std::nullopt, std::nullopt, std::nullopt});
        result.layer.units.push_back(std::move(u));
    }
    if (zm)
        result.report.add({severity::warning,
                           "geometry.zm_dropped",
                           opt.lvl,
                           {},
                           std::nullopt,
                           std::to_string(zm) + " feature(s) had Z or M coordinates; only x/y are kept",
                           std::nullopt,
                           std::nullopt,
                           std::nullopt});
    if (recoded_any)
        result.report.add({severity::warning,
                           "text.recoded",
                           opt.lvl,
                           {},
                           std::nullopt,
                           "some attribute text was not UTF-8 and was read as " + opt.source_encoding +
                               " (set another with --encoding)",
                           std::nullopt,
                           std::nullopt,
                           std::nullopt});
    return result;
}

}  // namespace microplan::geo
