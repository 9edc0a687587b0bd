#include "microplan/geo/usecases/scenario_travel.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include "microplan/geo/access/allocation.hpp"
#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/usecases/accessibility.hpp"
#include "text.hpp"

namespace microplan::geo::usecases {

namespace {

// Proposals are sources after every establishment: their ids cannot meet an index.
constexpr std::int64_t proposal_ids = std::int64_t{1} << 30;

// A file a run names: as written, else beside the store (a store moved with its inputs).
std::string input_path(const std::string& named, const std::string& store_location) {
    namespace fs = std::filesystem;
    if (named.empty() || fs::exists(named) || fs::path(named).is_absolute()) return named;
    const fs::path beside = fs::path(store_location).parent_path() / fs::path(named).filename();
    return fs::exists(beside) ? beside.string() : named;
}

// One transformer per thread and target CRS (creating one costs more than a tile's pixels).
const proj::transformer& cached_transformer(const std::string& from, const std::string& to) {
    thread_local std::map<std::pair<std::string, std::string>, std::unique_ptr<proj::transformer>> made;
    auto& t = made[{from, to}];
    if (!t) t = std::make_unique<proj::transformer>(from, to);
    return *t;
}
const proj::transformer& from_lonlat(const std::string& crs) { return cached_transformer("EPSG:4326", crs); }
const proj::transformer& from_mercator(const std::string& crs) { return cached_transformer("EPSG:3857", crs); }

}  // namespace

scenario_travel::scenario_travel(std::string store_location, const std::vector<accessibility_run>& runs,
                                 std::size_t max_states)
    : store_location_(std::move(store_location)), max_states_(std::max<std::size_t>(1, max_states)) {
    for (const auto& r : runs)
        if (r.measure == "travel_time" && !r.surface_source.empty()) {
            accessibility_run kept = r;
            kept.units_by_level.clear();
            runs_.push_back(std::move(kept));
        }
}

void scenario_travel::prepare(const progress& on_progress) {
    std::vector<std::string> sectors;
    for (const auto& r : runs_)
        if (std::find(sectors.begin(), sectors.end(), r.sector) == sectors.end()) sectors.push_back(r.sector);
    for (const auto& sector : sectors) {
        const auto started = std::chrono::steady_clock::now();
        try {
            std::lock_guard lock(mutex_);
            base_of(*live_run(sector));
        } catch (const std::exception& e) {
            detail::tell(on_progress, "live travel time of " + sector + " not available: " + e.what());
            continue;
        }
        detail::tell(on_progress,
                     detail::text("live travel time of %s ready for scenarios (%.1f s)", sector.c_str(),
                                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()));
    }
}

const accessibility_run* scenario_travel::live_run(const std::string& sector) const {
    const accessibility_run* found = nullptr;
    for (const auto& r : runs_)
        if (r.sector == sector && (!found || r.typology.empty())) found = &r;  // the whole sector's first
    return found;
}

scenario_travel::sector_base& scenario_travel::base_of(const accessibility_run& run) {
    if (auto it = bases_.find(run.sector); it != bases_.end()) return it->second;
    cost_surface surface = read_cost_raster(input_path(run.surface_source, store_location_));
    const population_grid pop =
        read_population_grid(input_path(run.population_source, store_location_), surface.g.crs_wkt);
    auto db = store::open_store(store_location_, store::open_mode::read_only);
    sector_base out;
    std::vector<access::level_cells> levels;
    for (const unit_layer& layer : read_unit_levels(*db)) {
        std::vector<const GEOSGeometry*> geoms;
        access::level_cells cells;
        cells.level = std::string(level_name(layer.lvl));
        for (const auto& u : layer.units) geoms.push_back(u.geometry.get()), cells.codes.push_back(u.code);
        cells.cells = access::unit_cell_people(pop, geoms, "EPSG:4326");
        out.level_index[cells.level] = levels.size();
        levels.push_back(std::move(cells));
    }
    out.points = read_establishment_points(*db, run.sector, run.typology, surface.g.crs_wkt);
    const establishment_points& points = out.points;
    for (std::size_t i = 0; i < points.size(); ++i) out.point_of_fid.emplace(points.fid[i], i);
    std::vector<access::source> sources;
    for (std::size_t i = 0; i < points.size(); ++i)
        sources.push_back({points.x[i], points.y[i], static_cast<std::int32_t>(i)});
    std::vector<double> thresholds = run.thresholds;
    std::sort(thresholds.begin(), thresholds.end());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
    for (std::size_t k = 0; k < pop.occupied.size(); ++k)
        if (auto cell = surface.g.cell_of(pop.cx[k], pop.cy[k]))
            out.people.emplace_back(static_cast<std::uint32_t>(*cell), pop.people[pop.occupied[k]]);
    access::cost_distance_options o;
    o.moves = run.moves == 16 ? access::neighbourhood::knight : access::neighbourhood::queen;
    out.base = std::make_shared<const access::travel_base>(std::move(surface), pop, std::move(levels),
                                                           std::move(thresholds), sources, o);
    return bases_.emplace(run.sector, std::move(out)).first->second;
}

scenario_travel::scenario_state& scenario_travel::sync(const accessibility_run& run, sector_base& b,
                                                       std::int64_t scenario, const store::scenario_changes& changes,
                                                       sync_counts& counts) {
    const std::pair<std::int64_t, std::string> key{scenario, run.sector};
    if (!states_.count(key) && states_.size() >= max_states_)  // the least recently used goes
        states_.erase(std::min_element(states_.begin(), states_.end(),
                                       [](const auto& l, const auto& r) { return l.second.used < r.second.used; }));
    scenario_state& s = states_[key];
    s.used = ++clock_;
    if (!s.state) s.state = std::make_unique<access::travel_state>(b.base);
    // The establishments closed now (as sources: their index in the base's points).
    std::vector<std::size_t> closed;
    for (std::int64_t fid : changes.closed)
        if (auto at = b.point_of_fid.find(fid); at != b.point_of_fid.end()) closed.push_back(at->second);
    std::sort(closed.begin(), closed.end());
    for (std::size_t i : s.closed)  // reopened
        if (!std::binary_search(closed.begin(), closed.end(), i) &&
            s.state->add({b.points.x[i], b.points.y[i], static_cast<std::int32_t>(i)}))
            counts.changed += s.state->changed_people_cells();
    for (std::size_t i : closed)  // newly closed
        if (!std::binary_search(s.closed.begin(), s.closed.end(), i) && s.state->remove(static_cast<std::int32_t>(i)))
            counts.changed += s.state->changed_people_cells();
    s.closed = closed;
    counts.closed = closed.size();
    // The proposals that count now, in the surface's CRS.
    std::map<std::int64_t, std::pair<double, double>> now;
    for (const auto& p : changes.proposals)
        if (p.sector == run.sector && (run.typology.empty() || p.typology == run.typology)) now[p.id] = {p.lon, p.lat};
    for (auto it = s.applied.begin(); it != s.applied.end();) {  // deleted or moved
        auto n = now.find(it->first);
        if (n != now.end() && n->second == it->second) {
            ++it;
            continue;
        }
        if (s.state->remove(static_cast<std::int32_t>(proposal_ids + it->first)))
            counts.changed += s.state->changed_people_cells();
        else
            --s.unplaced;
        it = s.applied.erase(it);
    }
    const proj::transformer& to_surface = from_lonlat(b.base->surface().g.crs_wkt);
    for (const auto& [id, lonlat] : now) {  // new or moved
        if (s.applied.count(id)) continue;
        double x = lonlat.first, y = lonlat.second;
        const bool placed =
            to_surface.forward(x, y) && s.state->add({x, y, static_cast<std::int32_t>(proposal_ids + id)});
        if (placed)
            counts.changed += s.state->changed_people_cells();
        else
            ++s.unplaced;
        s.applied[id] = lonlat;
    }
    counts.proposals = now.size();
    return s;
}

std::optional<scenario_travel_figures> scenario_travel::figures(const std::string& sector, level lvl,
                                                                std::int64_t scenario,
                                                                const store::scenario_changes& changes) {
    const accessibility_run* run = live_run(sector);
    if (!run) return std::nullopt;
    std::lock_guard lock(mutex_);
    sector_base& b = base_of(*run);
    const auto at = b.level_index.find(std::string(level_name(lvl)));
    if (at == b.level_index.end()) return std::nullopt;
    const auto started = std::chrono::steady_clock::now();
    scenario_travel_figures out;
    out.sector = run->sector;
    out.level = at->first;
    out.thresholds = b.base->thresholds();
    const auto& cells = b.base->levels()[at->second];
    const auto& before = b.base->figures()[at->second];
    if (scenario == 0) {  // the baseline: no state of its own
        for (std::size_t u = 0; u < cells.codes.size(); ++u)
            out.units.push_back({cells.codes[u], before[u], before[u]});
        return out;
    }
    sync_counts counts;
    const scenario_state& s = sync(*run, b, scenario, changes, counts);
    out.proposals = counts.proposals;
    out.closed = counts.closed;
    out.unplaced = s.unplaced;
    out.changed_cells = counts.changed;
    const auto& after = s.state->figures()[at->second];
    for (std::size_t u = 0; u < cells.codes.size(); ++u) out.units.push_back({cells.codes[u], before[u], after[u]});
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

std::shared_ptr<const std::vector<std::uint32_t>> scenario_travel::pixel_cells(const std::string& sector,
                                                                               const access::travel_base& base,
                                                                               std::uint32_t z, std::uint32_t x,
                                                                               std::uint32_t y) {
    const std::tuple<std::string, std::uint32_t, std::uint32_t, std::uint32_t> key{sector, z, x, y};
    {
        std::lock_guard lock(tiles_mutex_);
        if (auto it = pixel_cells_.find(key); it != pixel_cells_.end()) {
            it->second.used = ++tile_clock_;
            return it->second.cells;
        }
    }
    // Pixel centres in Web Mercator, to the surface's CRS, to its cell (no lock held: the
    // surface is immutable).
    const grid& g = base.surface().g;
    auto cells = std::make_shared<std::vector<std::uint32_t>>(tile_pixels * tile_pixels, no_cell);
    constexpr double half_world = 20037508.342789244;
    const double size = 2 * half_world / static_cast<double>(std::uint64_t{1} << z) / tile_pixels;
    const proj::transformer& to_surface = from_mercator(g.crs_wkt);
    for (std::size_t row = 0; row < tile_pixels; ++row)
        for (std::size_t col = 0; col < tile_pixels; ++col) {
            double mx = -half_world + (static_cast<double>(x) * tile_pixels + static_cast<double>(col) + 0.5) * size;
            double my = half_world - (static_cast<double>(y) * tile_pixels + static_cast<double>(row) + 0.5) * size;
            if (!to_surface.forward(mx, my)) continue;
            if (auto cell = g.cell_of(mx, my); cell && !std::isnan(base.surface().cost[*cell]))
                (*cells)[row * tile_pixels + col] = static_cast<std::uint32_t>(*cell);  // impassable: none
        }
    std::lock_guard lock(tiles_mutex_);
    if (pixel_cells_.size() >= max_pixel_tiles)  // the least recently used goes
        pixel_cells_.erase(std::min_element(pixel_cells_.begin(), pixel_cells_.end(), [](const auto& a, const auto& b) {
            return a.second.used < b.second.used;
        }));
    pixel_cells_[key] = {cells, ++tile_clock_};
    return cells;
}

std::optional<travel_tile> scenario_travel::tile(const std::string& sector, std::int64_t scenario,
                                                 const store::scenario_changes& changes, std::uint32_t z,
                                                 std::uint32_t x, std::uint32_t y) {
    const accessibility_run* run = live_run(sector);
    if (!run) return std::nullopt;
    std::shared_ptr<const access::travel_base> base;
    {
        std::lock_guard lock(mutex_);
        base = base_of(*run).base;
    }
    const std::shared_ptr<const std::vector<std::uint32_t>> cells = pixel_cells(run->sector, *base, z, x, y);
    travel_tile out;
    out.thresholds = base->thresholds();
    out.minutes.assign(tile_pixels * tile_pixels, std::numeric_limits<float>::quiet_NaN());
    std::lock_guard lock(mutex_);
    sector_base& b = base_of(*run);
    sync_counts counts;
    const std::vector<float>& cost =
        scenario == 0 ? b.base->search().cost() : sync(*run, b, scenario, changes, counts).state->cost();
    for (std::size_t i = 0; i < cells->size(); ++i)
        if ((*cells)[i] != no_cell) out.minutes[i] = cost[(*cells)[i]];
    return out;
}

std::optional<site_suggestions> scenario_travel::suggest(const std::string& sector, std::int64_t scenario,
                                                         const store::scenario_changes& changes, double minutes,
                                                         std::size_t count) {
    const accessibility_run* run = live_run(sector);
    if (!run) return std::nullopt;
    std::lock_guard lock(mutex_);
    const auto started = std::chrono::steady_clock::now();
    sector_base& b = base_of(*run);
    sync_counts counts;
    const std::vector<float>& cost =
        scenario == 0 ? b.base->search().cost() : sync(*run, b, scenario, changes, counts).state->cost();
    const cost_surface& surface = b.base->surface();
    std::vector<double> people(surface.g.cells(), 0.0);
    for (const auto& [cell, n] : b.people) people[cell] += n;
    access::site_options o;
    o.minutes = minutes;
    o.k = count;
    o.moves = run->moves == 16 ? access::neighbourhood::knight : access::neighbourhood::queen;
    const access::site_result r = access::propose_sites(surface, people, cost, {}, o);
    site_suggestions out;
    out.sector = run->sector;
    out.minutes = minutes;
    out.total = r.total;
    out.covered_before = r.covered_before;
    out.candidates = r.candidates;
    const proj::transformer& to_lonlat = cached_transformer(surface.g.crs_wkt, "EPSG:4326");
    for (const access::site& s : r.greedy) {
        double lon = s.x, lat = s.y;
        if (!to_lonlat.forward(lon, lat)) continue;
        out.sites.push_back({lon, lat, s.added, s.covered_after});
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

scenario_travel::capacity_result scenario_travel::compute_capacity(const accessibility_run& run, sector_base& b,
                                                                   const establishment_points& points,
                                                                   double minutes) const {
    const cost_surface& surface = b.base->surface();
    std::vector<double> people(surface.g.cells(), 0.0);
    for (const auto& [cell, n] : b.people) people[cell] += n;
    const auto moves = run.moves == 16 ? access::neighbourhood::knight : access::neighbourhood::queen;
    const access::capacity_result r =
        access::capacity_catchments(surface, people, points, minutes, access::capacity_order::largest_first, moves,
                                    /*count_reach=*/false);
    std::vector<double> share(people.size(), 0.0);  // of each cell's people, the part covered
    for (std::size_t c = 0; c < people.size(); ++c)
        if (people[c] > 0) share[c] = std::clamp(1.0 - r.residual[c] / people[c], 0.0, 1.0);
    capacity_result out;
    out.total = r.total;
    out.covered = r.covered;
    for (double cap : points.capacity) out.without_capacity += cap > 0 ? 0 : 1;
    out.covered_per_unit = b.base->per_unit(share);
    return out;
}

std::optional<capacity_figures> scenario_travel::capacity(
    const std::string& sector, level lvl, std::int64_t scenario, const store::scenario_changes& changes, double minutes,
    const std::function<double(const std::string&)>& capacity_of) {
    const accessibility_run* run = live_run(sector);
    if (!run) return std::nullopt;
    std::lock_guard lock(mutex_);
    const auto started = std::chrono::steady_clock::now();
    sector_base& b = base_of(*run);
    const auto at = b.level_index.find(std::string(level_name(lvl)));
    if (at == b.level_index.end()) return std::nullopt;
    // The establishments at their stored capacity, or their standard's when they have none (as
    // the national schools) but those the scenario closes; the proposals that count at their
    // standard's; the signature of both.
    establishment_points existing = b.points;
    for (std::size_t i = 0; i < existing.size(); ++i)
        if (!(existing.capacity[i] > 0)) existing.capacity[i] = capacity_of(existing.typology[i]);
    establishment_points points;
    std::string signature;
    for (std::size_t i = 0; i < existing.size(); ++i) {  // the scenario's closures left out
        if (std::binary_search(changes.closed.begin(), changes.closed.end(), existing.fid[i])) {
            signature += "closed:" + std::to_string(existing.fid[i]) + ";";
            continue;
        }
        points.fid.push_back(existing.fid[i]), points.code.push_back(existing.code[i]);
        points.name.push_back(existing.name[i]), points.typology.push_back(existing.typology[i]);
        points.x.push_back(existing.x[i]), points.y.push_back(existing.y[i]);
        points.capacity.push_back(existing.capacity[i]);
    }
    const proj::transformer& to_surface = from_lonlat(b.base->surface().g.crs_wkt);
    for (const auto& p : changes.proposals) {
        if (p.sector != run->sector || (!run->typology.empty() && p.typology != run->typology)) continue;
        double x = p.lon, y = p.lat;
        if (!to_surface.forward(x, y)) continue;
        points.fid.push_back(0), points.code.push_back(""), points.name.push_back(p.name);
        points.typology.push_back(p.typology), points.x.push_back(x), points.y.push_back(y);
        points.capacity.push_back(capacity_of(p.typology));
        signature += std::to_string(p.id) + ":" + p.typology + ":" + detail::text("%.9f,%.9f;", p.lon, p.lat);
    }
    std::size_t searches = 0;
    const capacity_result* before = nullptr;
    {
        auto& kept = capacities_[{0, run->sector, minutes}];
        if (kept.covered_per_unit.empty()) {
            kept = compute_capacity(*run, b, existing, minutes);
            ++searches;
        }
        before = &kept;
    }
    const capacity_result* after = before;
    if (scenario != 0) {
        auto& kept = capacities_[{scenario, run->sector, minutes}];
        if (kept.covered_per_unit.empty() || kept.signature != signature) {
            if (signature.empty()) {
                kept = *before;
            } else {
                kept = compute_capacity(*run, b, points, minutes);
                ++searches;
            }
            kept.signature = signature;
        }
        after = &kept;
    }
    capacity_figures out;
    out.sector = run->sector;
    out.level = at->first;
    out.minutes = minutes;
    out.total = before->total;
    out.covered_before = before->covered;
    out.covered_after = after->covered;
    out.without_capacity = after->without_capacity;
    out.searches = searches;
    const auto& cells = b.base->levels()[at->second];
    const auto& figures = b.base->figures()[at->second];
    for (std::size_t u = 0; u < cells.codes.size(); ++u)
        out.units.push_back({cells.codes[u], figures[u].population, before->covered_per_unit[at->second][u],
                             after->covered_per_unit[at->second][u]});
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

void scenario_travel::forget(std::int64_t scenario) {
    std::lock_guard lock(mutex_);
    std::erase_if(states_, [&](const auto& kv) { return kv.first.first == scenario; });
    std::erase_if(capacities_, [&](const auto& kv) { return std::get<0>(kv.first) == scenario; });
}

}  // namespace microplan::geo::usecases
