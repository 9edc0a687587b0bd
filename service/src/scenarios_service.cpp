#include "microplan/service/scenarios_service.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "microplan/geo/core/utf8_text.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/usecases/scenario_export.hpp"
#include "microplan/service/error_response.hpp"
#include "microplan/service/routes.hpp"
#include "microplan/service/scenarios.hpp"
#include "microplan/tiles/tile_id.hpp"

namespace microplan::service {

using nlohmann::json;

namespace {

std::int64_t parse_id(const std::string& text, const char* what) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v <= 0)
        throw request_error(404, "NotFound", std::string("no ") + what + " '" + geo::utf8::excerpt(text, 30) + "'");
    return v;
}

json summary_json(const scenario_summary& s) {
    return {{"id", s.id},
            {"name", s.name},
            {"created_at", s.created_at},
            {"updated_at", s.updated_at},
            {"establishments", s.establishments},
            {"closed", s.closed}};
}

// A closed establishment as a GeoJSON Feature: its id is the fid it has now (the one to reopen it
// by), or the one it was closed with when the store no longer has it (found false); `counted`
// false when the baseline does not count it, so that closing it changes nothing.
json closure_json(const request_context& ctx, const geo::usecases::closed_establishment& c) {
    const auto& r = c.record;
    json geometry;
    if (c.found && c.now.lonlat)
        geometry = {{"type", "Point"}, {"coordinates", {c.now.lonlat->first, c.now.lonlat->second}}};
    return {{"type", "Feature"},
            {"id", c.found ? c.now.fid : r.fid},
            {"geometry", geometry},
            {"properties",
             {{"code", r.code},
              {"sector", r.sector},
              {"typology", r.typology},
              {"name", c.found ? c.now.name : r.name},
              {"found", c.found},
              // Whether the baseline counts it (a private one, or one with no standard, is not
              // counted: closing it changes no figure).
              {"counted", c.found && ctx.data->model() && ctx.data->model()->counts(c.now.handle)}}}};
}

json proposal_json(const proposed_establishment& p) {
    return {{"type", "Feature"},
            {"id", p.id},
            {"geometry", {{"type", "Point"}, {"coordinates", {p.lon, p.lat}}}},
            {"properties",
             {{"sector", p.sector}, {"typology", p.typology}, {"name", p.name}, {"circuit_code", p.circuit_code}}}};
}

std::string text_field(const json& body, const char* name, bool required) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        if (required) throw request_error(400, "InvalidParameterValue", std::string("the body needs '") + name + "'");
        return {};
    }
    if (!it->is_string()) throw request_error(400, "InvalidParameterValue", std::string("'") + name + "' must be text");
    return it->get<std::string>();
}

// A number of the body within [min, max] (a longitude, a latitude): 400 naming the field otherwise.
double number_field(const json& body, const char* name, double min, double max) {
    auto it = body.find(name);
    if (it == body.end() || !it->is_number() || !std::isfinite(it->get<double>()))
        throw request_error(400, "InvalidParameterValue", std::string("the body needs a finite number '") + name + "'");
    const double v = it->get<double>();
    if (v < min || v > max) {
        char range[96];
        std::snprintf(range, sizeof range, "'%s' must lie in [%g, %g], not %.6g", name, min, max, v);
        throw request_error(400, "InvalidParameterValue", range);
    }
    return v;
}
double longitude_field(const json& body) { return number_field(body, "lon", -180, 180); }
double latitude_field(const json& body) { return number_field(body, "lat", -90, 90); }

http_response created(const json& body) {
    http_response r = json_response(body);
    r.status = 201;
    return r;
}

http_response no_content() {
    http_response r;
    r.status = 204;
    return r;
}

struct unit_change {
    std::int64_t fid = 0;
    std::string code, name;
    geo::offer before, after;
    double newly_covered = 0;
};

// People newly covered: the standard's target population (demand) times the gain in the
// share of the ideal offer that is in place.
double covered_people(const geo::offer& o) {
    return o.ideal > 0 ? o.demand * std::min(1.0, o.covered / o.ideal) : o.demand;
}

}  // namespace

json read_json_body(const http_request& request) {
    // Edits are flat objects: refuse deep nesting before parsing (a 1 MB body of '[' would
    // otherwise build a million nested values).
    constexpr int max_depth = 16;
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : request.body) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                throw request_error(400, "InvalidParameterValue",
                                    "the request body nests deeper than " + std::to_string(max_depth) + " levels");
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    json body;
    try {
        body = json::parse(request.body);
    } catch (const json::parse_error& e) {
        // nlohmann names the byte and the reason (invalid UTF-8, unexpected end...).
        throw request_error(400, "InvalidParameterValue",
                            std::string("the request body is not valid JSON: ") + e.what());
    } catch (const json::exception& e) {
        // A number beyond a double's range (1e400) is out_of_range, not a parse error.
        throw request_error(400, "InvalidParameterValue",
                            std::string("the request body holds a value out of range: ") + e.what());
    }
    if (!body.is_object()) throw request_error(400, "InvalidParameterValue", "the request body must be a JSON object");
    return body;
}

namespace {

scenario_book& book_of(const request_context& ctx) {
    if (!ctx.scenarios) throw request_error(404, "NotAvailable", "this server keeps no scenarios");
    return *ctx.scenarios;
}

// The book, then the scenario id of the path (the order in which a client learns what is wrong).
std::pair<scenario_book&, std::int64_t> scenario_of(const request_context& ctx, const path_params& p) {
    scenario_book& book = book_of(ctx);
    return {book, parse_id(p["scenarioId"], "scenario")};
}

}  // namespace

http_response scenarios_service::list(const request_context& ctx, const path_params&) const {
    json list = json::array();
    for (const auto& x : book_of(ctx).list()) list.push_back(summary_json(x));
    return json_response({{"scenarios", list}});
}

http_response scenarios_service::create(const request_context& ctx, const path_params&) const {
    scenario_book& book = book_of(ctx);
    return created(summary_json(book.create(text_field(read_json_body(ctx.http), "name", true))));
}

http_response scenarios_service::show(const request_context& ctx, const path_params& p) const {
    auto [book, id] = scenario_of(ctx, p);
    json features = json::array();
    for (const auto& e : book.establishments(id)) features.push_back(proposal_json(e));
    json closed = json::array();
    for (const auto& c : book.closures(id)) closed.push_back(closure_json(ctx, c));
    json out = summary_json(book.summary(id));
    out["establishments"] = {{"type", "FeatureCollection"}, {"features", features}};
    out["closures"] = {{"type", "FeatureCollection"}, {"features", closed}};
    return json_response(out);
}

http_response scenarios_service::rename(const request_context& ctx, const path_params& p) const {
    auto [book, id] = scenario_of(ctx, p);
    return json_response(summary_json(book.rename(id, text_field(read_json_body(ctx.http), "name", true))));
}

http_response scenarios_service::remove(const request_context& ctx, const path_params& p) const {
    auto [book, id] = scenario_of(ctx, p);
    book.remove(id);
    if (auto* travel = ctx.data->travel()) travel->forget(id);
    return no_content();
}

http_response scenarios_service::add_establishment(const request_context& ctx, const path_params& p) const {
    auto [book, id] = scenario_of(ctx, p);
    json body = read_json_body(ctx.http);
    // One field at a time, in the order a client reads them (arguments have no order).
    const std::string sector = text_field(body, "sector", true), typology = text_field(body, "typology", true),
                      name = text_field(body, "name", false);
    const double lon = longitude_field(body), lat = latitude_field(body);
    auto e = book.add(id, sector, typology, name, lon, lat);
    return created(proposal_json(e));
}

http_response scenarios_service::move_establishment(const request_context& ctx, const path_params& p) const {
    auto [book, id] = scenario_of(ctx, p);
    std::int64_t eid = parse_id(p["establishmentId"], "establishment");
    json body = read_json_body(ctx.http);
    const double lon = longitude_field(body), lat = latitude_field(body);
    return json_response(proposal_json(book.move(id, eid, lon, lat)));
}

http_response scenarios_service::remove_establishment(const request_context& ctx, const path_params& p) const {
    auto [book, id] = scenario_of(ctx, p);
    book.remove_establishment(id, parse_id(p["establishmentId"], "establishment"));
    return no_content();
}

http_response scenarios_service::close_establishment(const request_context& ctx, const path_params& p) const {
    auto [book, id] = scenario_of(ctx, p);
    auto [closure, closed_now] = book.close(id, parse_id(p["fid"], "establishment"));
    return closed_now ? created(closure_json(ctx, closure)) : json_response(closure_json(ctx, closure));
}

http_response scenarios_service::reopen_establishment(const request_context& ctx, const path_params& p) const {
    auto [book, id] = scenario_of(ctx, p);
    book.reopen(id, parse_id(p["fid"], "establishment"));
    return no_content();
}

http_response scenarios_service::undo(const request_context& ctx, const path_params& p) const {
    auto [book, id] = scenario_of(ctx, p);
    return json_response({{"undone", book.undo(id)}});
}

namespace {

std::vector<unit_change> changes(const request_context& ctx, std::int64_t id, geo::level lvl,
                                 const std::string& sector) {
    const geo::coverage_model* base = ctx.data->model();
    std::vector<unit_change> out;
    auto tier = base->where().tier_of(lvl);
    if (!tier) throw request_error(400, "InvalidParameterValue", "parameter 'level': not a planning level");
    const collection* units_layer = ctx.data->find(geo::level_table(lvl));
    ctx.scenarios->with_model(id, [&](const geo::coverage_model& m) {
        const auto& units = base->where().units(*tier);
        for (std::size_t u = 0; u < units.size(); ++u) {
            unit_change c;
            c.code = units[u].code;
            c.name = units[u].name;
            c.fid = units_layer ? units_layer->fid_of(c.code) : 0;
            c.before = base->sector_offer(sector, *tier, u);
            c.after = m.sector_offer(sector, *tier, u);
            double gain = 0;
            for (const auto& [s, priority] : base->catalogue().sectors()) {
                if (!sector.empty() && s != sector) continue;
                gain += covered_people(m.sector_offer(s, *tier, u)) - covered_people(base->sector_offer(s, *tier, u));
            }
            c.newly_covered = std::max(0.0, gain);
            out.push_back(std::move(c));
        }
        return 0;
    });
    return out;
}

// The live figures as JSON: per threshold, the people within before and after, with the
// standard's time singled out; units listed only where something changed.
json travel_json(const request_context& ctx, const geo::usecases::scenario_travel_figures& f, geo::level lvl,
                 std::optional<double> standard_minutes) {
    const collection* units_layer = ctx.data->find(geo::level_table(lvl));
    const std::size_t n = f.thresholds.size();
    std::vector<double> before(n, 0.0), after(n, 0.0);
    double population = 0;
    json units = json::array();
    auto rounded = [](const std::vector<double>& v) {
        json a = json::array();
        for (double x : v) a.push_back(std::round(x));
        return a;
    };
    auto mean = [](const geo::access::unit_reach& r) {
        return r.reached > 0 ? json(std::round(r.person_minutes / r.reached * 10) / 10) : json();
    };
    for (const auto& u : f.units) {
        population += u.before.population;
        bool changed = false;
        for (std::size_t t = 0; t < n; ++t) {
            before[t] += u.before.within[t], after[t] += u.after.within[t];
            changed = changed || std::round(u.before.within[t]) != std::round(u.after.within[t]);
        }
        if (!changed) continue;
        units.push_back({{"id", units_layer ? units_layer->fid_of(u.code) : 0},
                         {"code", u.code},
                         {"population", std::round(u.before.population)},
                         {"within_before", rounded(u.before.within)},
                         {"within_after", rounded(u.after.within)},
                         {"mean_minutes_before", mean(u.before)},
                         {"mean_minutes_after", mean(u.after)}});
    }
    json out = {{"sector", f.sector},
                {"thresholds", f.thresholds},
                {"population", std::round(population)},
                {"within_before", rounded(before)},
                {"within_after", rounded(after)},
                {"proposals", f.proposals},
                {"closed", f.closed},
                {"proposals_off_the_surface", f.unplaced},
                {"update_ms", std::round(f.seconds * 100000) / 100},
                {"units", units}};
    if (standard_minutes)
        for (std::size_t t = 0; t < n; ++t)
            if (f.thresholds[t] == *standard_minutes) {
                out["minutes"] = *standard_minutes;
                out["newly_within_minutes"] = std::round(after[t] - before[t]);
            }
    return out;
}

// Capacity-limited coverage as JSON: totals, and the units whose covered people change.
json capacity_json(const request_context& ctx, const geo::usecases::capacity_figures& c, geo::level lvl) {
    const collection* units_layer = ctx.data->find(geo::level_table(lvl));
    json units = json::array();
    for (const auto& u : c.units) {
        if (std::round(u.covered_before) == std::round(u.covered_after)) continue;
        units.push_back({{"id", units_layer ? units_layer->fid_of(u.code) : 0},
                         {"code", u.code},
                         {"population", std::round(u.population)},
                         {"covered_before", std::round(u.covered_before)},
                         {"covered_after", std::round(u.covered_after)}});
    }
    return {{"minutes", c.minutes},
            {"population", std::round(c.total)},
            {"covered_before", std::round(c.covered_before)},
            {"covered_after", std::round(c.covered_after)},
            {"without_capacity", c.without_capacity},
            {"update_ms", std::round(c.seconds * 100000) / 100},
            {"units", units}};
}

// fn() over the sector's live travel time; a surface or population raster that cannot be read
// any more (moved, deleted) is the server's state, not the client's mistake: 503 naming the file
// by its name only.
template <class Fn>
auto over_surface(const std::string& sector, Fn&& fn) {
    try {
        return fn();
    } catch (const geo::error& e) {
        throw request_error(503, "NotAvailable",
                            "live travel time for '" + sector +
                                "' needs the surface and population raster its stored run names, and they cannot "
                                "be read any more (run microplan access travel-time again): " +
                                std::filesystem::path(e.where().file).filename().string() + " (" + e.rule() + ")");
    }
}

}  // namespace

std::optional<geo::usecases::scenario_travel_figures> live_travel(const request_context& ctx, std::int64_t id,
                                                                  const std::string& sector, geo::level lvl) {
    geo::usecases::scenario_travel* travel = ctx.data->travel();
    if (!travel || sector.empty() || !travel->live_run(sector)) return std::nullopt;
    geo::store::scenario_changes changes;
    if (id != 0) changes = book_of(ctx).changes(id);  // the book's lock, released
    return over_surface(sector, [&] { return travel->figures(sector, lvl, id, changes); });
}

http_response scenarios_service::suggest(const request_context& ctx, std::int64_t id) const {
    if (!ctx.data->model()) throw request_error(404, "NotAvailable", ctx.data->planning_unavailable());
    std::string sector = ctx.target.get("sector").value_or("");
    geo::usecases::scenario_travel* travel = ctx.data->travel();
    if (sector.empty() && travel)  // the first sector of the catalogue that is live
        for (const auto& [s, priority] : ctx.data->model()->catalogue().sectors())
            if (sector.empty() && travel->live_run(s)) sector = s;
    if (sector.empty() || !travel || !travel->live_run(sector))
        throw request_error(404, "NotAvailable",
                            "suggesting sites needs a sector whose travel-time run kept its surface (parameter "
                            "'sector'; /catalogue marks them live_travel)");
    // The standard's time at the finest level that has one, unless asked.
    double minutes = 0;
    if (auto m = ctx.target.get("minutes")) {
        minutes = parse_number("minutes", *m);
        if (!(minutes > 0) || minutes > 1440)
            throw request_error(400, "InvalidParameterValue",
                                "parameter 'minutes' must be more than 0 and at most 1440");
    } else {
        for (geo::level l : {geo::level::zone, geo::level::district, geo::level::circuit})
            if (auto s = geo::standard_minutes(ctx.data->model()->catalogue(), sector, l)) minutes = *s;
        if (minutes == 0) minutes = 30;
    }
    double count = 3;
    if (auto c = ctx.target.get("count")) {
        count = parse_number("count", *c);
        if (!(count >= 1 && count <= 20 && count == std::floor(count)))
            throw request_error(400, "InvalidParameterValue", "parameter 'count' must be a whole number from 1 to 20");
    }
    const geo::store::scenario_changes changes = book_of(ctx).changes(id);  // the book's lock, released
    const auto s = over_surface(
        sector, [&] { return travel->suggest(sector, id, changes, minutes, static_cast<std::size_t>(count)); });
    json features = json::array();
    for (std::size_t i = 0; i < s->sites.size(); ++i) {
        const auto& site = s->sites[i];
        features.push_back({{"type", "Feature"},
                            {"id", i + 1},
                            {"geometry", {{"type", "Point"}, {"coordinates", {site.lon, site.lat}}}},
                            {"properties",
                             {{"rank", i + 1},
                              {"added_people", std::round(site.added)},
                              {"covered_pct_after", std::round(site.covered_after * 100) / 100}}}});
    }
    return json_response({{"type", "FeatureCollection"},
                          {"sector", s->sector},
                          {"minutes", minutes},
                          {"population", std::round(s->total)},
                          {"covered_before", std::round(s->covered_before)},
                          {"candidates", s->candidates},
                          {"seconds", std::round(s->seconds * 1000) / 1000},
                          {"features", features}});
}

http_response scenarios_service::travel_tile(const request_context& ctx, const path_params& p) const {
    const std::string sector = p["sector"];
    geo::usecases::scenario_travel* travel = ctx.data->travel();
    if (!travel || !travel->live_run(sector))
        throw request_error(404, "NotFound",
                            "no live travel time for sector '" + geo::utf8::excerpt(sector, 30) +
                                "' (its stored travel-time run kept no surface)");
    const std::string_view y = p["y"];
    auto id = tiles::parse_tile(p["z"], p["x"], y);
    if (!id)
        throw request_error(400, "InvalidParameterValue",
                            "no tile " + geo::utf8::excerpt(p["z"], 12) + "/" + geo::utf8::excerpt(p["x"], 12) + "/" +
                                std::string(geo::utf8::excerpt(y, 12)) + ": z must be 0-" +
                                std::to_string(tiles::max_zoom) + " and x, y 0 to 2^z - 1");
    const std::int64_t scenario = scenario_param(ctx);
    geo::store::scenario_changes changes;
    if (scenario != 0) changes = book_of(ctx).changes(scenario);  // the book's lock, released
    const auto minutes =
        over_surface(sector, [&] { return travel->tile(sector, scenario, changes, id->z, id->x, id->y); });
    http_response r;
    r.content_type = "image/png";
    r.set_body(geo::usecases::travel_tile_png(*minutes));
    r.add_header("Cache-Control", "no-cache");  // a scenario's tiles change with its edits
    return r;
}

http_response scenarios_service::compare(const request_context& ctx, std::int64_t id) const {
    if (!ctx.data->model()) throw request_error(404, "NotAvailable", ctx.data->planning_unavailable());
    geo::level lvl = planning_level_param(ctx, geo::level::circuit);
    std::string sector = ctx.target.get("sector").value_or("");
    // Live travel time first: it reads the book's proposals, which with_model (under changes())
    // must not.
    const auto travel = live_travel(ctx, id, sector, lvl);
    json units = json::array();
    double deficit_before = 0, deficit_after = 0, cost_before = 0, cost_after = 0, covered = 0;
    for (const auto& c : changes(ctx, id, lvl, sector)) {
        deficit_before += c.before.deficit, deficit_after += c.after.deficit;
        cost_before += c.before.investment, cost_after += c.after.investment;
        covered += c.newly_covered;
        if (c.before == c.after) continue;  // only the units the scenario changes
        units.push_back({{"id", c.fid},
                         {"code", c.code},
                         {"name", c.name},
                         {"deficit_before", c.before.deficit},
                         {"deficit_after", c.after.deficit},
                         {"coverage_pct_before", c.before.coverage_pct()},
                         {"coverage_pct_after", c.after.coverage_pct()},
                         {"investment_before", c.before.investment},
                         {"investment_after", c.after.investment},
                         {"newly_covered", std::round(c.newly_covered)}});
    }
    json out = {{"scenario", ctx.scenarios->summary(id).name},
                {"level", std::string(geo::level_name(lvl))},
                {"sector", sector},
                {"totals",
                 {{"deficit_before", deficit_before},
                  {"deficit_after", deficit_after},
                  {"investment_before", cost_before},
                  {"investment_after", cost_after},
                  {"newly_covered", std::round(covered)}}},
                {"units", units}};
    if (travel) {
        const auto& catalogue = ctx.data->model()->catalogue();
        const auto minutes = geo::standard_minutes(catalogue, sector, lvl);
        out["travel_time"] = travel_json(ctx, *travel, lvl, minutes);
        // Capacity-limited coverage within the standard's time, where the sector's standards
        // give capacities (proposals serve their standard's).
        const bool capacities = std::any_of(catalogue.items.begin(), catalogue.items.end(), [&](const auto& st) {
            return st.sector == travel->sector && st.capacity > 0;
        });
        if (capacities && minutes && parse_flag("capacity", ctx.target.get("capacity"))) {
            const auto changes = book_of(ctx).changes(id);  // the book's lock, released
            auto capacity_of = [&](const std::string& typology) {
                const geo::standard* st = catalogue.governing(travel->sector, typology);
                return st ? st->capacity : 0.0;
            };
            if (auto cap = over_surface(sector, [&] {
                    return ctx.data->travel()->capacity(sector, lvl, id, changes, *minutes, capacity_of);
                }))
                out["travel_time"]["capacity"] = capacity_json(ctx, *cap, lvl);
        }
    }
    return json_response(out);
}

http_response scenarios_service::export_geopackage(const request_context& ctx, std::int64_t id) const {
    if (!ctx.data->model()) throw request_error(404, "NotAvailable", ctx.data->planning_unavailable());
    scenario_summary info = ctx.scenarios->summary(id);
    auto proposals = ctx.scenarios->establishments(id);
    auto rows = changes(ctx, id, geo::level::circuit, "");
    const collection* circuits = ctx.data->find("circuits");
    std::vector<geo::usecases::circuit_change> out;
    for (const auto& c : rows) {
        geo::usecases::circuit_change o{
            c.code,          c.name, c.before.deficit, c.after.deficit, c.before.investment, c.after.investment,
            c.newly_covered, {}};
        if (const feature_record* rec = circuits ? circuits->find(c.fid) : nullptr)
            for (const auto& poly : rec->lonlat) {
                geo::polygon_coordinates p;
                for (const auto& ring : poly.rings) {
                    geo::ring_coordinates r;
                    for (const auto& pt : ring) r.push_back({pt.x, pt.y});
                    p.push_back(std::move(r));
                }
                o.outline.push_back(std::move(p));
            }
        out.push_back(std::move(o));
    }
    const std::string bytes = geo::usecases::scenario_geopackage(id, proposals, ctx.scenarios->closures(id), out);
    http_response r;
    r.content_type = "application/geopackage+sqlite3";
    r.set_body(bytes);
    std::string file = "escenario_" + std::to_string(info.id) + ".gpkg";
    r.add_header("Content-Disposition", "attachment; filename=\"" + file + "\"");
    return r;
}

namespace {

json scenario_id_parameter() {
    return path_parameter("scenarioId", "The scenario's id", {{"type", "integer"}, {"minimum", 1}});
}
json establishment_id_parameter() {
    return path_parameter("establishmentId", "The proposed establishment's id", {{"type", "integer"}, {"minimum", 1}});
}
json point_schema(bool full) {
    json s = {{"type", "object"},
              {"required", full ? json::array({"sector", "typology", "lon", "lat"}) : json::array({"lon", "lat"})},
              {"properties",
               {{"lon", {{"type", "number"}, {"minimum", -180}, {"maximum", 180}}},
                {"lat", {{"type", "number"}, {"minimum", -90}, {"maximum", 90}}}}}};
    if (full)
        for (const char* k : {"sector", "typology", "name"}) s["properties"][k] = {{"type", "string"}};
    return s;
}
json name_schema() {
    return {{"type", "object"}, {"required", {"name"}}, {"properties", {{"name", {{"type", "string"}}}}}};
}
api_response no_body(int status, std::string description) { return {status, std::move(description), {}}; }

}  // namespace

void scenarios_service::register_routes(route_table& table) const {
    using method = http_method;
    const char* const tag = "Scenarios";
    const api_response missing = error_response_doc(404, "No such scenario or establishment, or no scenarios kept");
    const api_response bad = error_response_doc(400, "The body is not what the operation takes");
    // Each route calls one member: fn(this, ctx, params).
    auto call = [this](http_response (scenarios_service::*fn)(const request_context&, const path_params&) const) {
        return [this, fn](const request_context& ctx, const path_params& p) { return (this->*fn)(ctx, p); };
    };
    table.add({.pattern = "/scenarios",
               .handler = call(&scenarios_service::list),
               .api = {.operation_id = "listScenarios",
                       .summary = "The scenarios",
                       .tags = {tag},
                       .responses = {ok_response("Scenarios"), missing}}});
    table.add({.method = method::post,
               .pattern = "/scenarios",
               .handler = call(&scenarios_service::create),
               .api = {.operation_id = "createScenario",
                       .summary = "Create a scenario",
                       .tags = {tag},
                       .responses = {{201, "Created", {{"application/json", {{"type", "object"}}}}}, bad, missing},
                       .request_body = json_request_body(name_schema(), {{"name", "Taller"}})},
               .edits = true});
    table.add({.pattern = "/scenarios/{scenarioId}",
               .handler = call(&scenarios_service::show),
               .api = {.operation_id = "getScenario",
                       .summary = "A scenario and its proposed establishments (GeoJSON)",
                       .tags = {tag},
                       .parameters = {scenario_id_parameter()},
                       .responses = {ok_response("The scenario"), missing}}});
    table.add({.method = method::patch,
               .pattern = "/scenarios/{scenarioId}",
               .handler = call(&scenarios_service::rename),
               .api = {.operation_id = "renameScenario",
                       .summary = "Rename a scenario",
                       .tags = {tag},
                       .parameters = {scenario_id_parameter()},
                       .responses = {ok_response("The scenario"), bad, missing},
                       .request_body = json_request_body(name_schema(), {{"name", "Taller (revisado)"}})},
               .edits = true});
    table.add({.method = method::del,
               .pattern = "/scenarios/{scenarioId}",
               .handler = call(&scenarios_service::remove),
               .api = {.operation_id = "deleteScenario",
                       .summary = "Delete a scenario",
                       .tags = {tag},
                       .parameters = {scenario_id_parameter()},
                       .responses = {no_body(204, "Deleted"), missing}},
               .edits = true});
    register_establishment_routes(table);
    register_closure_routes(table);
    table.add({.method = method::post,
               .pattern = "/scenarios/{scenarioId}/undo",
               .handler = call(&scenarios_service::undo),
               .api = {.operation_id = "undoScenarioEdit",
                       .summary = "Revert the scenario's last edit (a proposal's add, move or delete, a "
                                  "closure or a reopening)",
                       .tags = {tag},
                       .parameters = {scenario_id_parameter()},
                       .responses = {ok_response("{\"undone\": true|false}"), missing}},
               .edits = true});
    table.add(
        {.pattern = "/scenarios/{scenarioId}/compare",
         .handler = [this](const request_context& ctx,
                           const path_params& p) { return compare(ctx, scenario_of(ctx, p).second); },
         .api = {.operation_id = "compareScenario",
                 .summary = "Per unit: deficit, cost and people covered, before and after; with a sector "
                            "whose travel-time run kept its surface, people within each threshold (live)",
                 .tags = {tag},
                 .parameters = {scenario_id_parameter(),
                                query_parameter("level", "Planning level (default circuit)",
                                                {{"type", "string"}, {"enum", {"zone", "district", "circuit"}}}),
                                query_parameter("sector", "One sector; all when absent", {{"type", "string"}}),
                                query_parameter(
                                    "capacity",
                                    "true: also the people served within the establishments' capacity "
                                    "(the capacity-limited catchments, recomputed when the proposals "
                                    "changed: 4 s for the 16,000 schools on the national 100 m surface, then kept)",
                                    {{"type", "boolean"}})},
                 .responses = {ok_response("Comparison"), error_response_doc(400, "A parameter is malformed"), missing,
                               error_response_doc(503,
                                                  "The surface or population raster the sector's "
                                                  "travel-time run names cannot be read any more")}}});
    table.add({.pattern = "/scenarios/{scenarioId}/suggest",
               .handler = [this](const request_context& ctx,
                                 const path_params& p) { return suggest(ctx, scenario_of(ctx, p).second); },
               .api = {.operation_id = "suggestSites",
                       .summary = "Where to build next: sites newly reaching most people within the minutes, beyond "
                                  "the baseline's establishments and the scenario's proposals (greedy maximal "
                                  "covering over the live travel time)",
                       .tags = {tag},
                       .parameters = {scenario_id_parameter(),
                                      query_parameter("sector",
                                                      "A sector whose travel-time run kept its surface (default: the "
                                                      "catalogue's first such sector)",
                                                      {{"type", "string"}}),
                                      query_parameter("minutes", "Travel time (default: the sector's standard time)",
                                                      {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 1440}}),
                                      query_parameter("count", "Sites to suggest (default 3)",
                                                      {{"type", "integer"}, {"minimum", 1}, {"maximum", 20}})},
                       .responses = {
                           ok_response("GeoJSON points: rank, added_people, covered_pct_after", "application/geo+json"),
                           error_response_doc(400, "A parameter is malformed"), missing,
                           error_response_doc(503, "The sector's surface cannot be read any more")}}});
    table.add(
        {.pattern = "/travel/{sector}/{z}/{x}/{y}.png",
         .handler = [this](const request_context& ctx, const path_params& p) { return travel_tile(ctx, p); },
         .api = {.operation_id = "getTravelTimeTile",
                 .summary = "Travel time to the sector's establishments as a 256 px PNG map tile, green within "
                            "the first threshold to red beyond the last; with scenario=ID its proposals count, "
                            "recomputed live",
                 .tags = {tag},
                 .parameters =
                     {path_parameter("sector", "A sector whose travel-time run kept its surface", {{"type", "string"}}),
                      path_parameter("z", "Zoom level",
                                     {{"type", "integer"}, {"minimum", 0}, {"maximum", tiles::max_zoom}}),
                      path_parameter("x", "Column (0 to 2^z - 1)", {{"type", "integer"}, {"minimum", 0}}),
                      path_parameter("y", "Row from the north (0 to 2^z - 1)", {{"type", "integer"}, {"minimum", 0}}),
                      query_parameter("scenario", "A scenario's id (absent or 0: the baseline)",
                                      {{"type", "integer"}, {"minimum", 0}}),
                      query_parameter("v",
                                      "Ignored: a version a map client changes after an edit so that it "
                                      "asks for the tiles again",
                                      {{"type", "string"}})},
                 .responses = {ok_response("The tile", "image/png", {{"type", "string"}, {"format", "binary"}}),
                               error_response_doc(400, "No such tile"),
                               error_response_doc(404, "No live travel time for the sector, or no such scenario"),
                               error_response_doc(503, "The sector's surface cannot be read any more")}}});
    table.add({.pattern = "/scenarios/{scenarioId}/export.gpkg",
               .handler = [this](const request_context& ctx,
                                 const path_params& p) { return export_geopackage(ctx, scenario_of(ctx, p).second); },
               .api = {.operation_id = "exportScenario",
                       .summary = "GeoPackage: the proposals, the closed establishments and the comparison per circuit",
                       .tags = {tag},
                       .parameters = {scenario_id_parameter()},
                       .responses = {ok_response("GeoPackage", "application/geopackage+sqlite3",
                                                 {{"type", "string"}, {"format", "binary"}}),
                                     missing}}});
}

void scenarios_service::register_establishment_routes(route_table& table) const {
    const char* const tag = "Scenarios";
    const api_response missing = error_response_doc(404, "No such scenario or establishment, or no scenarios kept");
    const api_response bad = error_response_doc(400, "The body is not what the operation takes");
    const api_response misplaced =
        error_response_doc(422, "The point lies in no circuit, or no standard has that sector and typology");
    table.add(
        {.method = http_method::post,
         .pattern = "/scenarios/{scenarioId}/establishments",
         .handler = [this](const request_context& ctx, const path_params& p) { return add_establishment(ctx, p); },
         .api = {.operation_id = "addProposedEstablishment",
                 .summary = "Propose an establishment",
                 .tags = {tag},
                 .parameters = {scenario_id_parameter()},
                 .responses = {{201, "Created (GeoJSON Feature)", {{"application/json", {{"type", "object"}}}}},
                               bad,
                               missing,
                               misplaced},
                 .request_body = json_request_body(
                     point_schema(true),
                     {{"sector", "health"}, {"typology", "Centro de Salud Tipo A"}, {"lon", -78.5}, {"lat", -0.2}})},
         .edits = true});
    table.add(
        {.method = http_method::patch,
         .pattern = "/scenarios/{scenarioId}/establishments/{establishmentId}",
         .handler = [this](const request_context& ctx, const path_params& p) { return move_establishment(ctx, p); },
         .api = {.operation_id = "moveProposedEstablishment",
                 .summary = "Move a proposed establishment",
                 .tags = {tag},
                 .parameters = {scenario_id_parameter(), establishment_id_parameter()},
                 .responses = {ok_response("The establishment (GeoJSON Feature)"), bad, missing, misplaced},
                 .request_body = json_request_body(point_schema(false), {{"lon", -78.5}, {"lat", -0.2}})},
         .edits = true});
    table.add(
        {.method = http_method::del,
         .pattern = "/scenarios/{scenarioId}/establishments/{establishmentId}",
         .handler = [this](const request_context& ctx, const path_params& p) { return remove_establishment(ctx, p); },
         .api = {.operation_id = "deleteProposedEstablishment",
                 .summary = "Delete a proposed establishment",
                 .tags = {tag},
                 .parameters = {scenario_id_parameter(), establishment_id_parameter()},
                 .responses = {no_body(204, "Deleted"), missing}},
         .edits = true});
}

void scenarios_service::register_closure_routes(route_table& table) const {
    const char* const tag = "Scenarios";
    const json fid = path_parameter("fid", "The establishment's id in the establishments collection",
                                    {{"type", "integer"}, {"minimum", 1}});
    table.add(
        {.method = http_method::post,
         .pattern = "/scenarios/{scenarioId}/closures/{fid}",
         .handler = [this](const request_context& ctx, const path_params& p) { return close_establishment(ctx, p); },
         .api = {.operation_id = "closeEstablishment",
                 .summary = "Close an existing establishment in the scenario: it no longer counts in the "
                            "scenario's offer nor in its travel time (no body)",
                 .tags = {tag},
                 .parameters = {scenario_id_parameter(), fid},
                 .responses = {{201, "Closed (GeoJSON Feature)", {{"application/json", {{"type", "object"}}}}},
                               ok_response("The scenario closed it already (GeoJSON Feature)"),
                               error_response_doc(404, "No such scenario or establishment, or no scenarios kept")}},
         .edits = true});
    table.add(
        {.method = http_method::del,
         .pattern = "/scenarios/{scenarioId}/closures/{fid}",
         .handler = [this](const request_context& ctx, const path_params& p) { return reopen_establishment(ctx, p); },
         .api = {.operation_id = "reopenEstablishment",
                 .summary = "Open again an establishment the scenario closes",
                 .tags = {tag},
                 .parameters = {scenario_id_parameter(), fid},
                 .responses = {no_body(204, "Open again"),
                               error_response_doc(404, "No such scenario, or it does not close the establishment")}},
         .edits = true});
}

}  // namespace microplan::service
