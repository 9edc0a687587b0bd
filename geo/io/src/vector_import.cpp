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
#include "microplan/geo/io/crs.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/io/source.hpp"
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
        case level::nation:
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
        case level::nation:
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

// The code field by its values: the one that best fits the level's code shape (ties go to the
// preferred name); nullopt when no field fits, and the caller looks by name.
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
    return best;
}

// ---- steps of read_units ----------------------------------------------------------------------

// What the feature loop gathered: attribute text and polygonal WKB per feature.
struct raw_layer {
    std::vector<std::string> fields;
    std::vector<raw_feature> feats;
    bool recoded_any = false;
    std::size_t zm = 0;
};

// The polygonal part of a feature's geometry, 2D and linear, as WKB; throws geometry_error for
// a feature that is not a polygon.
void keep_polygonal(OGRGeometry* g, raw_feature& rf, const vector_layer& src, std::size_t& zm) {
    if (!g || g->IsEmpty())
        throw geometry_error(src.where(rf.fid), "missing geometry", "the feature has no geometry or an empty one");
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
        auto polys = std::make_unique<OGRMultiPolygon>();
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
            throw geometry_error(src.where(rf.fid), "not a polygon",
                                 "the GeometryCollection holds no polygon; territorial units must be polygons");
        lin.reset(polys.release());
        g = lin.get();
    } else if (t != wkbPolygon && t != wkbMultiPolygon) {
        throw geometry_error(src.where(rf.fid), "not a polygon",
                             std::string("the geometry is a ") + OGRGeometryTypeToName(t) +
                                 "; territorial units must be Polygon or MultiPolygon");
    }
    rf.wkb.resize(static_cast<std::size_t>(g->WkbSize()));
    g->exportToWkb(wkbNDR, rf.wkb.data(), wkbVariantIso);
}

// Every feature's attributes (as UTF-8 text) and polygonal geometry; throws on an empty layer
// or a read error.
raw_layer read_features(const vector_layer& src, const std::string& encoding) {
    raw_layer out;
    OGRFeatureDefn* defn = src.layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) out.fields.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    src.layer->ResetReading();
    CPLErrorReset();
    for (auto& feature : *src.layer) {
        raw_feature rf;
        rf.fid = feature->GetFID();
        rf.values.reserve(out.fields.size());
        for (int i = 0; i < static_cast<int>(out.fields.size()); ++i)
            rf.values.push_back(feature->IsFieldSetAndNotNull(i)
                                    ? gdal::to_utf8(feature->GetFieldAsString(i), encoding, &out.recoded_any)
                                    : std::string{});
        keep_polygonal(feature->GetGeometryRef(), rf, src, out.zm);
        out.feats.push_back(std::move(rf));
    }
    if (CPLGetLastErrorType() == CE_Failure)
        throw format_error(src.where(), "read error", std::string("GDAL stopped reading: ") + CPLGetLastErrorMsg());
    if (out.feats.empty())
        throw format_error(src.where(), "empty layer", "the layer has no features" + gdal::read_problem());
    return out;
}

// Indices of the code, name and parent fields among raw_layer::fields.
struct unit_columns {
    std::size_t code = 0;
    std::optional<std::size_t> name, parent;
};

// The code, name and parent fields: named by the user, else detected (the code by the shape of
// its values, the others by name; a parent field must hold parent codes).
unit_columns resolve_unit_fields(const vector_layer& src, const raw_layer& raw, const import_options& opt) {
    field_resolver fields(raw.fields, src.where());
    std::optional<std::size_t> code = fields.named(opt.fields.code, "code");
    if (!code && opt.fields.code.empty()) {
        code = detect_code_field(raw.fields, raw.feats, opt.lvl);
        if (!code) code = fields.detect(code_field_names(opt.lvl));
    }
    if (!code)
        throw format_error(src.where(), "no code field",
                           "cannot tell which field holds the " + std::string(level_name(opt.lvl)) +
                               " code (fields: " + fields.listing() + "); give it with --code-field");
    fields.take(*code);
    unit_columns out;
    out.code = *code;
    out.name = fields.resolve(opt.fields.name, "name", name_field_names(opt.lvl));
    out.parent = fields.named(opt.fields.parent, "parent");
    if (!out.parent && opt.fields.parent.empty()) {
        out.parent = fields.detect(parent_field_names(opt.lvl));
        // A name-matched parent field must hold parent codes, or it is something else.
        if (out.parent &&
            (!parent_level(opt.lvl) || code_shape_score(raw.feats, *out.parent, *parent_level(opt.lvl)) < 0.8))
            out.parent.reset();
    }
    return out;
}

// Every unit has a code, and no two the same.
void check_codes(const vector_layer& src, const raw_layer& raw, std::size_t code_field, level lvl) {
    std::unordered_map<std::string, long long> seen;
    const std::string& field = raw.fields[code_field];
    for (const auto& f : raw.feats) {
        if (auto problem = code_text_problem(f.values[code_field]))
            throw format_error(src.where(f.fid, field), "code not plain text",
                               "'" + f.values[code_field] + "': " + *problem);
        std::string code = normalise_code(lvl, f.values[code_field]);
        if (code.empty()) throw format_error(src.where(f.fid, field), "empty code", "every unit needs a code");
        auto [it, fresh] = seen.emplace(code, f.fid);
        if (!fresh)
            throw format_error(src.where(f.fid, field), "duplicate code",
                               "code '" + code + "' is also used by feature " + std::to_string(it->second));
    }
}

// One unit's geometry in WGS 84 (checked, repaired) and in the analysis CRS.
struct processed {
    geos::geom_ptr geometry;
    geos::geom_ptr projected;
    std::optional<finding> repair;
    std::size_t vertices = 0;
    std::exception_ptr failure;
};

// Makes `ll` valid with GEOS make-valid (structure method) when it is not; the finding says why
// and where it was invalid.
std::optional<finding> repair_if_invalid(geos::geom_ptr& ll, const vector_layer& src, long long fid, level lvl) {
    GEOSContextHandle_t h = geos::thread_context().handle();
    char* reason = nullptr;
    GEOSGeometry* loc = nullptr;
    char valid = GEOSisValidDetail_r(h, ll.get(), 0, &reason, &loc);
    geos::geom_ptr where_invalid = geos::own(loc);
    std::string why = reason ? reason : "?";
    GEOSFree_r(h, reason);
    if (valid == 2) throw geometry_error(src.where(fid), "validity check failed", geos::thread_context().last_error());
    if (valid == 1) return std::nullopt;
    finding f{severity::warning,
              "geometry.repaired",
              lvl,
              {},
              fid,
              "invalid geometry repaired with make-valid (" + why + ")",
              std::nullopt,
              std::nullopt,
              std::nullopt};
    if (where_invalid) {
        double x = 0, y = 0;
        GEOSGeomGetX_r(h, where_invalid.get(), &x);
        GEOSGeomGetY_r(h, where_invalid.get(), &y);
        f.lon = x;
        f.lat = y;
    }
    GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(h);
    GEOSMakeValidParams_setMethod_r(h, params, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(h, params, 0);
    geos::geom_ptr fixed = geos::own(GEOSMakeValidWithParams_r(h, ll.get(), params));
    GEOSMakeValidParams_destroy_r(h, params);
    if (!fixed) throw geometry_error(src.where(fid), "cannot repair geometry", geos::thread_context().last_error());
    ll = std::move(fixed);
    return f;
}

// Reads, transforms to WGS 84, checks and repairs, and projects one feature.
void process_feature(const raw_feature& feat, processed& p, const proj::transformer& to_wgs84,
                     const proj::transformer& to_analysis, const vector_layer& src, const resolved_crs& crs,
                     const import_options& opt) {
    geos::geom_ptr g;
    try {
        g = geos::from_wkb(feat.wkb);
    } catch (const geometry_error& e) {  // GEOS refuses it: unclosed ring, ...
        throw geometry_error(src.where(feat.fid), "unreadable geometry", e.what());
    }
    p.vertices = static_cast<std::size_t>(GEOSGetNumCoordinates_r(geos::thread_context().handle(), g.get()));
    geos::geom_ptr ll = to_wgs84.forward(g.get());
    if (!ll)
        throw crs_error(src.where(feat.fid), "cannot transform",
                        "a coordinate cannot be transformed from " + crs.name + " to WGS 84");
    p.repair = repair_if_invalid(ll, src, feat.fid, opt.lvl);
    ll = geos::polygonal_parts_as_multipolygon(ll.get());
    if (geos::is_empty(ll.get()))
        throw geometry_error(src.where(feat.fid), "empty polygon", "nothing polygonal remains after repair");
    p.projected = geos::valid_polygonal(to_analysis.forward(ll.get()));
    if (!p.projected)
        throw crs_error(src.where(feat.fid), "cannot transform", "the unit cannot be projected to " + opt.analysis_crs);
    p.geometry = std::move(ll);
}

// process_feature over every feature on `opt.threads` threads; the first failure is rethrown.
std::vector<processed> process_geometries(const raw_layer& raw, const vector_layer& src, const resolved_crs& crs,
                                          const import_options& opt) {
    const auto& feats = raw.feats;
    std::vector<processed> out(feats.size());
    std::atomic<std::size_t> next{0};
    unsigned n_threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    n_threads = static_cast<unsigned>(std::min<std::size_t>(n_threads, feats.size()));
    auto work = [&] {
        try {
            // PROJ objects belong to the thread that made them.
            proj::transformer to_wgs84(crs.definition, "EPSG:4326", crs.swap_xy);
            proj::transformer to_analysis("EPSG:4326", opt.analysis_crs);
            for (std::size_t i = next++; i < feats.size(); i = next++) {
                try {
                    process_feature(feats[i], out[i], to_wgs84, to_analysis, src, crs, opt);
                } catch (...) {
                    out[i].failure = std::current_exception();
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
    return out;
}

// Coordinates in range and not latitude first; a warning when the data lie outside the area
// of use of the analysis CRS.
void check_coordinates(const std::vector<processed>& out, const vector_layer& src, const resolved_crs& crs,
                       const import_options& opt, findings& report) {
    geos::envelope env = geos::envelope_of(out[0].geometry.get());
    for (auto& p : out) env.expand(geos::envelope_of(p.geometry.get()));
    double cx = (env.minx + env.maxx) / 2, cy = (env.miny + env.maxy) / 2;
    bool in_range = env.minx >= -180 && env.maxx <= 180 && env.miny >= -90 && env.maxy <= 90;
    check_axis_order(crs, cx, cy, in_range, opt.analysis_crs, src.where());
    if (!in_range)
        throw crs_error(src.where(), "coordinates out of range",
                        "longitudes/latitudes beyond ±180/±90 after reading as " + crs.name +
                            ": the declared CRS is wrong; give the right one with --s-srs");
    if (!inside_area_of_use(cx, cy, opt.analysis_crs, 10.0))
        report.add({severity::warning,
                    "crs.outside_analysis_area",
                    opt.lvl,
                    {},
                    std::nullopt,
                    "the data lies outside the area of use of the analysis CRS " + proj::crs_name(opt.analysis_crs) +
                        "; areas will be distorted: choose another with --analysis-crs",
                    cx,
                    cy,
                    std::nullopt});
}

// A warning that concerns the whole layer.
finding layer_warning(level lvl, std::string rule, std::string message) {
    return {severity::warning,  std::move(rule), lvl,          {},          std::nullopt,
            std::move(message), std::nullopt,    std::nullopt, std::nullopt};
}

// The units, measured, with the findings of each feature and of the layer.
void assemble_units(const raw_layer& raw, std::vector<processed>& out, const unit_columns& cols,
                    const import_options& opt, import_result& result) {
    result.layer.units.reserve(raw.feats.size());
    for (std::size_t i = 0; i < raw.feats.size(); ++i) {
        const raw_feature& f = raw.feats[i];
        unit u;
        u.lvl = opt.lvl;
        u.code = normalise_code(opt.lvl, f.values[cols.code]);
        u.name = cols.name ? f.values[*cols.name] : std::string{};
        if (cols.parent && parent_level(opt.lvl))
            u.parent_code = normalise_code(*parent_level(opt.lvl), f.values[*cols.parent]);
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
    if (raw.zm)
        result.report.add(
            layer_warning(opt.lvl, "geometry.zm_dropped",
                          std::to_string(raw.zm) + " feature(s) had Z or M coordinates; only x/y are kept"));
    if (raw.recoded_any)
        result.report.add(layer_warning(opt.lvl, "text.recoded",
                                        "some attribute text was not UTF-8 and was read as " + opt.source_encoding +
                                            " (set another with --encoding)"));
}

}  // namespace

import_result read_units(const import_options& opt) {
    check_analysis_crs(opt.analysis_crs, {opt.path, opt.layer, {}, {}, {}});
    const vector_layer src = open_layer(opt.path, opt.layer, gdal::polygon_layers());
    import_result result;
    result.driver = src.driver;
    result.layer_name = src.name;
    result.layer.lvl = opt.lvl;
    const resolved_crs crs = resolve_layer_crs(src.layer->GetSpatialRef(), opt.source_crs, opt.swap_xy, src.where());
    result.source_crs = crs.name;
    const raw_layer raw = read_features(src, opt.source_encoding);
    const unit_columns cols = resolve_unit_fields(src, raw, opt);
    result.used_fields = {raw.fields[cols.code], cols.name ? raw.fields[*cols.name] : "",
                          cols.parent ? raw.fields[*cols.parent] : ""};
    check_codes(src, raw, cols.code, opt.lvl);
    std::vector<processed> geometries = process_geometries(raw, src, crs, opt);
    check_coordinates(geometries, src, crs, opt, result.report);
    assemble_units(raw, geometries, cols, opt, result);
    return result;
}

}  // namespace microplan::geo
