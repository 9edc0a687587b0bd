#include "microplan/service/snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "microplan/geo/error.hpp"
#include "microplan/geo/planning/projects.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/establishment_edits.hpp"
#include "microplan/geo/usecases/planning.hpp"
#include "microplan/geo/usecases/projects.hpp"
#include "microplan/geo/usecases/refusal.hpp"

namespace microplan::service {

namespace {

std::uint64_t fnv(std::uint64_t h, const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

tiles::multipolygon multipolygon_of(const geo::unit& u) {
    tiles::multipolygon out;
    for (const auto& poly : geo::lonlat_polygons(u)) {
        tiles::polygon p;
        for (const auto& ring : poly) {
            tiles::ring r;
            r.reserve(ring.size());
            for (const auto& [x, y] : ring) r.push_back({x, y});
            p.rings.push_back(std::move(r));
        }
        out.push_back(std::move(p));
    }
    return out;
}

tiles::multipolygon to_mercator(const tiles::multipolygon& lonlat) {
    tiles::multipolygon out = lonlat;
    for (auto& poly : out)
        for (auto& ring : poly.rings)
            for (auto& p : ring) p = tiles::lonlat_to_mercator(p.x, p.y);
    return out;
}

void finish_feature(feature_record& f) {
    f.properties_json = f.properties.dump();
    std::uint64_t h = fnv(1469598103934665603ull, f.properties_json.data(), f.properties_json.size());
    for (const auto& poly : f.lonlat)
        for (const auto& ring : poly.rings) {
            h = fnv(h, ring.data(), ring.size() * sizeof(tiles::point));
            for (const auto& p : ring) f.bbox.extend(p);
        }
    if (f.location) {
        h = fnv(h, &*f.location, sizeof(tiles::point));
        f.bbox.extend(*f.location);
    }
    f.digest = h;
}

tiles::value tile_value(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number()) return v.get<double>();
    if (v.is_boolean()) return v.get<bool>();
    return std::monostate{};
}

void finish_collection(collection& c, const std::vector<std::string>& tile_keys) {
    tiles::layer_source source, labels;
    source.name = c.id;
    source.keys = tile_keys;
    labels.name = c.id + "_labels";
    labels.keys = tile_keys;
    for (std::size_t i = 0; i < c.features.size(); ++i) {
        feature_record& f = c.features[i];
        finish_feature(f);
        c.by_fid.emplace(f.fid, i);
        if (!c.is_points()) c.fid_by_code.emplace(f.properties["code"].get<std::string>(), f.fid);
        if (!f.bbox.empty()) c.extent.extend(f.bbox);
        std::vector<tiles::value> row;
        for (const auto& k : tile_keys) {
            auto it = f.properties.find(k);
            row.push_back(it == f.properties.end() ? tiles::value{} : tile_value(*it));
        }
        if (c.is_points()) {
            if (!f.location) continue;  // establishments without coordinates are not drawn
            source.points.push_back(tiles::lonlat_to_mercator(f.location->x, f.location->y));
        } else {
            source.polygons.push_back(to_mercator(f.lonlat));
            if (auto at = label_point(source.polygons.back())) {
                labels.points.push_back(*at);
                labels.ids.push_back(static_cast<std::uint64_t>(f.fid));
                labels.properties.push_back(row);
            }
        }
        source.ids.push_back(static_cast<std::uint64_t>(f.fid));
        source.properties.push_back(std::move(row));
    }
    c.layer = std::make_unique<tiles::vector_layer>(std::move(source));
    if (!c.is_points()) c.labels = std::make_unique<tiles::vector_layer>(std::move(labels));
}

double round_to(double v, double step) { return std::round(v / step) * step; }

// `message` with every mention of the store's path replaced by its file name.
std::string without_folders(std::string message, const std::string& store_path) {
    const std::string name = std::filesystem::path(store_path).filename().string();
    if (store_path.empty() || name == store_path) return message;
    for (std::size_t at = message.find(store_path); at != std::string::npos;
         at = message.find(store_path, at + name.size()))
        message.replace(at, store_path.size(), name);
    return message;
}

}  // namespace

std::string collection_title(std::string_view id) {
    if (id.ends_with("_labels")) return collection_title(id.substr(0, id.size() - 7)) + " (etiquetas)";
    if (id == "zones") return "Zonas de planificación";
    if (id == "districts") return "Distritos";
    if (id == "circuits") return "Circuitos";
    if (id == "provinces") return "Provincias";
    if (id == "cantons") return "Cantones";
    if (id == "parishes") return "Parroquias";
    if (id == "establishments") return "Establecimientos de servicios";
    if (id == "projects") return "Proyectos de inversión";
    if (id == "proposals") return "Establecimientos propuestos en los escenarios";
    return std::string(id);
}

const queryable* collection::find_queryable(std::string_view name) const {
    for (const auto& q : queryables)
        if (q.name == name) return &q;
    return nullptr;
}

std::string snapshot::store_name() const { return std::filesystem::path(store_path_).filename().string(); }

const collection* snapshot::find(std::string_view id) const {
    for (const auto& c : collections_)
        if (c.id == id) return &c;
    return nullptr;
}

tiles::box snapshot::extent() const {
    tiles::box b;
    for (const auto& c : collections_)
        if (!c.extent.empty()) b.extend(c.extent);
    return b;
}

// The views from the coarsest level of units, outlying groups named by provinces when the
// store has them, else by that level's units.
void snapshot::find_views() {
    const collection* coarsest = nullptr;
    for (const auto& c : collections_)
        if (!c.is_points() && !c.features.empty() && (!coarsest || c.features.size() < coarsest->features.size()))
            coarsest = &c;
    if (!coarsest) return;
    const collection* naming = find("provinces");
    if (!naming || naming->features.empty()) naming = coarsest;
    std::vector<tiles::multipolygon> parts;
    for (const auto& f : coarsest->features) parts.push_back(f.lonlat);
    std::vector<std::pair<std::string, tiles::box>> named;
    for (const auto& f : naming->features) named.emplace_back(f.properties.value("name", std::string()), f.bbox);
    views_ = map_views(parts, named);
}

const geo::closing_plan* snapshot::baseline_plan() const {
    if (!model_) return nullptr;
    std::call_once(plan_once_,
                   [this] { plan_ = std::make_unique<geo::closing_plan>(geo::usecases::plan_for(*model_, *inputs_)); });
    return plan_.get();
}

std::shared_ptr<const std::string> snapshot::memo(const std::string& key,
                                                  const std::function<std::string()>& make) const {
    {
        std::lock_guard lock(memo_mutex_);
        for (auto it = memo_.begin(); it != memo_.end(); ++it)
            if (it->first == key) {
                memo_.splice(memo_.begin(), memo_, it);
                return memo_.front().second;
            }
    }
    auto made = std::make_shared<const std::string>(make());
    std::lock_guard lock(memo_mutex_);
    for (const auto& [k, v] : memo_)
        if (k == key) return v;
    memo_.emplace_front(key, made);
    if (memo_.size() > 32) memo_.pop_back();
    return made;
}

std::shared_ptr<const snapshot::dated_model> snapshot::model_as_of(const std::string& date) const {
    if (!model_) return nullptr;
    {
        std::lock_guard lock(dated_mutex_);
        for (auto it = dated_.begin(); it != dated_.end(); ++it)
            if (it->first == date) {
                dated_.splice(dated_.begin(), dated_, it);
                return dated_.front().second;
            }
    }
    auto made = std::make_shared<dated_model>();
    {
        auto store = geo::store::open_store(store_path_, geo::store::open_mode::read_only);
        made->inputs = std::make_unique<geo::store::planning_inputs>(
            geo::store::read_planning_inputs(*store, {}, std::nullopt, date));
    }
    made->model = std::make_unique<geo::coverage_model>(geo::usecases::make_model(*made->inputs));
    std::lock_guard lock(dated_mutex_);
    for (const auto& [k, v] : dated_)
        if (k == date) return v;
    dated_.emplace_front(date, made);
    if (dated_.size() > 16) dated_.pop_back();
    return made;
}

const geo::coverage_model* snapshot::model_with_private() const {
    if (!model_) return nullptr;
    std::call_once(private_once_, [this] {
        geo::coverage_options o;
        o.include_private = true;
        private_model_ = std::make_unique<geo::coverage_model>(geo::usecases::make_model(*inputs_, o));
    });
    return private_model_.get();
}

std::optional<std::vector<int>> snapshot::locate(double lon, double lat) const {
    if (!model_ || !finest_locator_) return std::nullopt;
    int at = finest_locator_->locate(lon, lat);
    if (at < 0 || finest_unit_of_[static_cast<std::size_t>(at)] < 0) return std::nullopt;
    const geo::territory& t = model_->where();
    std::vector<int> units(t.tier_count(), -1);
    std::size_t tier = t.tier_count() - 1;
    units[tier] = finest_unit_of_[static_cast<std::size_t>(at)];
    for (; tier > 0 && units[tier] >= 0; --tier)
        units[tier - 1] = t.parent(tier, static_cast<std::size_t>(units[tier]));
    return units;
}

std::optional<geo::usecases::baseline_establishment> snapshot::establishment(std::int64_t fid) const {
    auto it = handle_of_fid_.find(fid);
    if (!model_ || it == handle_of_fid_.end()) return std::nullopt;
    const geo::placed_establishment& row = inputs_->establishments[it->second];
    geo::usecases::baseline_establishment out{fid, it->second, row.id, row.sector, row.typology, {}, {}};
    if (const collection* c = find("establishments"))
        if (const feature_record* f = c->find(fid)) {
            out.name = f->properties.value("name", "");
            if (f->location) out.lonlat = std::pair{f->location->x, f->location->y};
        }
    return out;
}

std::optional<geo::usecases::baseline_establishment> snapshot::establishment_by_code(const std::string& sector,
                                                                                     const std::string& code) const {
    if (!model_ || code.empty()) return std::nullopt;
    std::optional<std::int64_t> found;
    for (std::size_t h = 0; h < inputs_->establishments.size(); ++h) {
        const geo::placed_establishment& row = inputs_->establishments[h];
        if (row.sector != sector || row.id != code) continue;
        if (found) return std::nullopt;  // two with that code: neither is certain
        found = inputs_->establishment_fids[h];
    }
    return found ? establishment(*found) : std::nullopt;
}

std::shared_ptr<const snapshot> snapshot::from_parts(std::vector<collection> collections, std::string label,
                                                     std::uint64_t generation) {
    auto snap = std::shared_ptr<snapshot>(new snapshot());
    snap->store_path_ = std::move(label);
    snap->generation_ = generation;
    snap->planning_message_ = "an in-memory snapshot has no planning model";
    // The tile attributes load() gives units and establishments.
    const std::vector<std::string> unit_keys = {"code", "name", "parent"};
    const std::vector<std::string> point_keys = {"id", "name", "sector", "typology", "scale", "status", "circuit_code"};
    for (auto& c : collections) {
        c.by_fid.clear();
        c.fid_by_code.clear();
        c.extent = {};
        finish_collection(c, c.is_points() ? point_keys : unit_keys);
    }
    snap->collections_ = std::move(collections);
    snap->find_views();
    return snap;
}

const std::vector<queryable>& proposals_queryables() {
    static const std::vector<queryable> list = {
        {"scenario", "integer", "Escenario"}, {"scenario_name", "string", "Nombre del escenario"},
        {"sector", "string", "Sector"},       {"typology", "string", "Tipología"},
        {"name", "string", "Nombre"},         {"circuit_code", "string", "Circuito"}};
    return list;
}

collection proposals_collection(const geo::usecases::scenario_book& book) {
    collection c;
    c.id = "proposals";
    c.title = collection_title(c.id);
    c.description =
        "Establishments proposed in the workshop's scenarios, one collection for all (the property 'scenario' says "
        "whose); OGC API - Features Part 4 edits them";
    c.queryables = proposals_queryables();
    for (const auto& s : book.list()) {
        std::vector<geo::usecases::proposed_establishment> proposals;
        try {
            proposals = book.establishments(s.id);
        } catch (const geo::usecases::refusal&) {  // a book without a planning model keeps none
            continue;
        }
        for (const auto& p : proposals) {
            feature_record f;
            f.fid = p.id;
            f.version = geo::usecases::proposal_version(p);
            f.properties = {{"scenario", p.scenario_id}, {"scenario_name", s.name}, {"sector", p.sector},
                            {"typology", p.typology},    {"name", p.name},          {"circuit_code", p.circuit_code}};
            f.location = tiles::point{p.lon, p.lat};
            c.features.push_back(std::move(f));
        }
    }
    std::sort(c.features.begin(), c.features.end(), [](const auto& a, const auto& b) { return a.fid < b.fid; });
    finish_collection(c, {"scenario", "sector", "typology", "name"});
    return c;
}

nlohmann::json establishment_properties(const geo::store::stored_establishment& row) {
    const geo::establishment& e = row.attributes;
    nlohmann::json p = {{"id", e.id},
                        {"name", e.name},
                        {"sector", e.sector},
                        {"typology", e.typology},
                        {"condition", e.condition},
                        {"status", e.status},
                        {"zone_code", row.code(geo::level::zone)},
                        {"district_code", row.code(geo::level::district)},
                        {"circuit_code", row.code(geo::level::circuit)}};
    if (e.capacity) p["capacity"] = *e.capacity;
    if (e.staff) p["staff"] = *e.staff;
    // Its history, where the registry gives it (docs/results.md, "History").
    for (auto [key, value] :
         {std::pair{"opened", &e.opened}, {"closed", &e.closed}, {"rehabilitated", &e.rehabilitated}})
        if (!value->empty()) p[key] = *value;
    return p;
}

namespace {
// The establishments as a collection, with the level each one's standard serves.
collection establishments_collection(geo::store::planning_store& db, const geo::coverage_model* model) {
    const auto establishments = db.read_establishments();
    collection c;
    c.id = "establishments";
    c.title = collection_title(c.id);
    c.description =
        "Service establishments (health, education, security, child development, ...) with the units they lie in";
    c.queryables = {{"id", "string", "Código del establecimiento"},
                    {"name", "string", "Nombre"},
                    {"sector", "string", "Sector"},
                    {"typology", "string", "Tipología"},
                    {"capacity", "number", "Capacidad"},
                    {"condition", "string", "Estado de la infraestructura"},
                    {"status", "string", "Situación (existing / proposed)"},
                    {"zone_code", "string", "Zona"},
                    {"district_code", "string", "Distrito"},
                    {"circuit_code", "string", "Circuito"}};
    for (const geo::store::stored_establishment& row : establishments) {
        const geo::establishment& e = row.attributes;
        feature_record f;
        f.fid = e.row;
        f.version = geo::usecases::establishment_version(row);
        f.properties = establishment_properties(row);
        // The level its standard serves (a hospital serves a district, a health post a
        // circuit): viewers draw establishments bigger as their level rises.
        if (model)
            if (const geo::standard* st = model->catalogue().governing(e.sector, e.typology))
                f.properties["scale"] = std::string(geo::level_name(st->lvl));
        if (std::isfinite(e.lon) && std::isfinite(e.lat)) f.location = tiles::point{e.lon, e.lat};
        c.features.push_back(std::move(f));
    }
    finish_collection(c, {"id", "name", "sector", "typology", "scale", "status", "circuit_code"});
    return c;
}
}  // namespace

namespace {
// The investment portfolio (issue 20): a point where the project has one (else no geometry),
// the units it works in, its costs, financing, dates and progress.
collection projects_collection(const std::vector<geo::store::stored_project>& rows,
                               const std::vector<geo::unit_project>& tracked) {
    collection c;
    c.id = "projects";
    c.title = collection_title(c.id);
    c.description = "Investment projects tied to the gaps they close (microplan projects import)";
    c.queryables = {{"code", "string", "Código del proyecto"},
                    {"name", "string", "Nombre"},
                    {"sector", "string", "Sector"},
                    {"kind", "string", "Tipo (new_establishment, rehabilitation, expansion, network_extension, other)"},
                    {"status", "string", "Estado (planned, funded, in_execution, finished, suspended)"},
                    {"investment", "number", "Inversión (USD)"},
                    {"financial_progress", "number", "Avance financiero del año (devengado / codificado, %)"},
                    {"variance_pct", "number", "Desvío frente al cronograma (puntos porcentuales)"},
                    {"zone_code", "string", "Zona"},
                    {"district_code", "string", "Distrito"},
                    {"circuit_code", "string", "Circuito"}};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const geo::store::stored_project& row = rows[i];
        const geo::project& p = row.attributes;
        feature_record f;
        f.fid = row.fid;
        // Budget execution as of the latest period reported (docs/results.md).
        f.properties = geo::project_json(p, tracked[i].progress);
        f.properties["zone_code"] = row.zone_code;
        f.properties["district_code"] = row.district_code;
        f.properties["circuit_code"] = row.circuit_code;
        if (p.lon && p.lat) f.location = tiles::point{*p.lon, *p.lat};
        c.features.push_back(std::move(f));
    }
    finish_collection(c, {"code", "name", "sector", "kind", "status", "circuit_code"});
    return c;
}
}  // namespace

std::shared_ptr<const snapshot> snapshot::load(const std::string& store_path, std::uint64_t generation) {
    auto started = std::chrono::steady_clock::now();
    auto snap = std::shared_ptr<snapshot>(new snapshot());
    snap->store_path_ = store_path;
    snap->generation_ = generation;
    auto store = geo::store::open_store(store_path, geo::store::open_mode::read_only);
    geo::store::planning_store& db = *store;
    if (!db.is_planning_store())
        throw geo::store_error(
            geo::error_location{store_path, {}, {}, {}, {}}, "not a microplan planning store",
            "it has no microplan_meta table; create one with 'microplan import' or 'microplan demo'");

    // Planning first: its model gives the units their population and indicators.
    try {
        snap->inputs_ = std::make_unique<geo::store::planning_inputs>(geo::store::read_planning_inputs(db));
        snap->model_ = std::make_unique<geo::coverage_model>(geo::usecases::make_model(*snap->inputs_));
        snap->population_year_ = snap->inputs_->year;
        for (std::size_t h = 0; h < snap->inputs_->establishment_fids.size(); ++h)
            snap->handle_of_fid_.emplace(snap->inputs_->establishment_fids[h], h);
    } catch (const geo::error& e) {
        snap->planning_message_ = without_folders(e.what(), store_path);
        snap->population_year_ = db.base_population_year();
    }
    snap->accessibility_ =
        snap->inputs_ ? snap->inputs_->accessibility : geo::accessibility_index(db.read_accessibility());
    snap->travel_ = std::make_unique<geo::usecases::scenario_travel>(store_path, snap->accessibility_.runs());
    const geo::coverage_model* model = snap->model_.get();
    std::vector<std::string> sectors;
    if (model)
        for (const auto& [sector, priority] : model->catalogue().sectors()) sectors.push_back(sector);

    std::vector<geo::level> levels = db.levels_present();
    std::vector<geo::unit_layer> layers;
    std::vector<geo::population_values> people;
    for (geo::level l : levels) {
        layers.push_back(db.read_level(l));
        people.push_back(snap->population_year_ ? db.read_population(l, snap->population_year_)
                                                : geo::population_values{});
    }

    snap->collections_.resize(levels.size());
    // Each level is converted and cut into arcs on its own thread.
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < levels.size(); ++i) {
        workers.emplace_back([&, i] {
            geo::level l = levels[i];
            collection& c = snap->collections_[i];
            c.id = std::string(geo::level_table(l));
            c.lvl = l;
            c.title = collection_title(c.id);
            c.description = c.title + " (" + std::string(geo::level_name(l)) + " level) of the planning store";
            c.queryables = {{"code", "string", "Código"},
                            {"name", "string", "Nombre"},
                            {"parent", "string", "Código del nivel superior"},
                            {"area_km2", "number", "Área (km²)"},
                            {"population", "number", "Población"}};
            std::optional<std::size_t> tier;
            if (model) tier = model->where().tier_of(l);
            if (tier && *tier + 1 == model->where().tier_count()) {
                // Establishments proposed on the map are placed in this tier's units.
                snap->finest_locator_ = std::make_unique<geo::point_locator>(layers[i]);
                for (const geo::unit& u : layers[i].units) {
                    auto at = model->where().find(*tier, u.code);
                    snap->finest_unit_of_.push_back(at ? static_cast<int>(*at) : -1);
                }
            }
            if (tier)
                for (const auto& s : sectors) {
                    std::string label = geo::sector_label(s);
                    c.queryables.push_back({s + "_coverage_pct", "number", label + ": cobertura (%)"});
                    c.queryables.push_back({s + "_deficit", "number", label + ": brecha (establecimientos)"});
                    c.queryables.push_back(
                        {s + "_investment", "number", label + ": inversión para cerrar la brecha (USD)"});
                }
            const auto total = people[i].find(geo::total_band);
            for (geo::unit& u : layers[i].units) {
                feature_record f;
                f.fid = u.source_fid.value_or(0);
                f.properties = {{"code", u.code},
                                {"name", u.name},
                                {"parent", u.parent_code},
                                {"level", std::string(geo::level_name(l))},
                                {"area_km2", round_to(u.area_km2, 0.001)}};
                std::optional<std::size_t> unit_index;
                if (tier) unit_index = model->where().find(*tier, u.code);
                if (unit_index) {
                    f.properties["population"] = std::round(model->population(*tier, *unit_index));
                    for (const auto& s : sectors) {
                        geo::offer o = model->sector_offer(s, *tier, *unit_index);
                        f.properties[s + "_coverage_pct"] = round_to(o.coverage_pct(), 0.01);
                        f.properties[s + "_deficit"] = round_to(o.deficit, 0.01);
                        f.properties[s + "_investment"] = std::round(o.investment);
                    }
                } else if (total != people[i].end()) {
                    if (auto it = total->second.find(u.code); it != total->second.end())
                        f.properties["population"] = std::round(it->second);
                }
                f.lonlat = multipolygon_of(u);
                u.geometry.reset();
                c.features.push_back(std::move(f));
            }
            std::sort(c.features.begin(), c.features.end(),
                      [](const feature_record& a, const feature_record& b) { return a.fid < b.fid; });
            finish_collection(c, {"code", "name", "parent"});
        });
    }
    for (auto& w : workers) w.join();

    if (db.has_establishment_layer()) snap->collections_.push_back(establishments_collection(db, model));
    // The portfolio as the planning inputs read it (or on its own when planning is not possible),
    // each project's progress computed once.
    snap->portfolio_ = snap->inputs_ ? snap->inputs_->projects : db.read_projects();
    snap->execution_ = db.read_execution();
    snap->tracked_ = geo::usecases::track_projects(snap->portfolio_, snap->execution_);
    if (!snap->portfolio_.empty()) snap->collections_.push_back(projects_collection(snap->portfolio_, snap->tracked_));
    snap->scorecards_ = db.read_scorecards();
    snap->find_views();
    snap->load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return snap;
}

}  // namespace microplan::service
