#pragma once
// Everything the server serves, read once from a planning store: one collection per level
// present (zones, districts, circuits, provinces, cantons, parishes) and the establishments,
// each with its features (lon/lat geometry, properties, bbox), its tile layer (Web
// Mercator, shared-border topology) and, when the store holds standards and population, the
// coverage model the indicators and reports come from.
//
// Thread safety: immutable once loaded; shared by every request through shared_ptr. A store
// change produces a new snapshot (see store_watcher), never an edit of this one.
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "microplan/geo/model/level.hpp"
#include "microplan/geo/planning/coverage.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/planning/scorecards.hpp"
#include "microplan/geo/store/planning_inputs.hpp"
#include "microplan/geo/territory/locate.hpp"
#include "microplan/geo/usecases/scenario_travel.hpp"
#include "microplan/geo/usecases/scenarios.hpp"
#include "microplan/service/cartography.hpp"
#include "microplan/tiles/geometry.hpp"
#include "microplan/tiles/tileset.hpp"

namespace microplan::service {

struct feature_record {
    std::int64_t fid = 0;
    nlohmann::json properties;             // an object
    std::string properties_json;           // the same, serialised once
    tiles::multipolygon lonlat;            // polygons in lon/lat (empty for establishments)
    std::optional<tiles::point> location;  // establishments with usable coordinates
    tiles::box bbox;                       // lon/lat; empty without geometry
    std::uint64_t digest = 0;              // of geometry and properties, to tell what changed
    std::string version;                   // establishments: the stored row's (its ETag; edits' If-Match)
};

// The properties an establishment is served with (its attributes and the units it lies in),
// from the stored row: the establishments collection's and the answers of Part 4 edits.
nlohmann::json establishment_properties(const geo::store::stored_establishment& row);

struct queryable {
    std::string name, type, title;  // type: "string", "number", "integer"
};

struct collection {
    std::string id, title, description;
    std::optional<geo::level> lvl;         // nullopt: establishments
    std::vector<feature_record> features;  // in fid order
    std::unordered_map<std::int64_t, std::size_t> by_fid;
    std::unordered_map<std::string, std::int64_t> fid_by_code;  // units: code -> fid
    std::vector<queryable> queryables;
    tiles::box extent;                           // lon/lat
    std::unique_ptr<tiles::vector_layer> layer;  // for tiles
    // Units: one point per unit inside it (cartography.hpp), tile layer "<id>_labels".
    std::unique_ptr<tiles::vector_layer> labels;

    [[nodiscard]] bool is_points() const noexcept { return !lvl; }
    [[nodiscard]] const feature_record* find(std::int64_t fid) const {
        auto it = by_fid.find(fid);
        return it == by_fid.end() ? nullptr : &features[it->second];
    }
    [[nodiscard]] const queryable* find_queryable(std::string_view name) const;
    // The fid of the unit with `code`; 0 when there is none.
    [[nodiscard]] std::int64_t fid_of(const std::string& code) const {
        auto it = fid_by_code.find(code);
        return it == fid_by_code.end() ? 0 : it->second;
    }
};

// The scenarios' proposed establishments as one collection ("proposals"; fid = the proposal's
// id, property `scenario` its scenario), built from the book when asked: it changes with every
// scenario edit, which makes no new snapshot.
collection proposals_collection(const geo::usecases::scenario_book& book);
// Its queryables (what proposals_collection sets; the items route's filters without building it).
const std::vector<queryable>& proposals_queryables();

class snapshot final : public geo::usecases::scenario_baseline {
public:
    void find_views();

public:
    // Reads the store (read-only). Throws geo::store_error when it cannot be opened or read.
    static std::shared_ptr<const snapshot> load(const std::string& store_path, std::uint64_t generation = 1);
    // A snapshot of collections built in code, with no store and no planning model (tests of
    // the HTTP layer against a stub domain, tools). Give each collection its id, title, lvl
    // (nullopt: points), queryables and features in fid order (fid, properties - a "code"
    // string for units -, lonlat polygons or a location); the rest (serialised properties,
    // digests, bboxes, extents, indexes and the tile layer) is derived as load() derives it.
    // `label` stands where the store path would (/health).
    static std::shared_ptr<const snapshot> from_parts(std::vector<collection> collections,
                                                      std::string label = "(in memory)", std::uint64_t generation = 1);

    [[nodiscard]] const std::string& store_path() const noexcept { return store_path_; }
    // The store's file name without its folders: what clients are shown (/health, messages),
    // so that answers do not reveal the server's file system.
    [[nodiscard]] std::string store_name() const;
    [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }
    [[nodiscard]] const std::vector<collection>& collections() const noexcept { return collections_; }
    [[nodiscard]] const collection* find(std::string_view id) const;
    [[nodiscard]] tiles::box extent() const;  // lon/lat over every collection
    // Where a viewer opens (the mainland) and the outlying groups of units (cartography.hpp).
    [[nodiscard]] const std::vector<map_view>& views() const noexcept { return views_; }

    // Planning (coverage model) when the store holds standards and population.
    [[nodiscard]] const geo::coverage_model* model() const noexcept override { return model_.get(); }
    // Why there is no model (what to run to get one), when there is none; names the store by
    // its file name only (it is sent to clients).
    [[nodiscard]] const std::string& planning_unavailable() const noexcept override { return planning_message_; }
    [[nodiscard]] const geo::store::planning_inputs* inputs() const noexcept { return inputs_.get(); }
    // The stored accessibility runs, with or without a planning model.
    [[nodiscard]] const geo::accessibility_index& accessibility() const noexcept { return accessibility_; }
    // The investment portfolio and its budget execution (empty without them).
    [[nodiscard]] const std::vector<geo::store::stored_project>& portfolio() const noexcept { return portfolio_; }
    // Each project of the portfolio with its progress, in portfolio order.
    [[nodiscard]] const std::vector<geo::unit_project>& tracked() const noexcept { return tracked_; }
    // The scorecards in force (nullopt without) and the latest observed values.
    [[nodiscard]] const std::optional<geo::scorecards_table>& scorecards() const noexcept { return scorecards_; }
    // Every budget execution row (by project, year and month).
    [[nodiscard]] const std::vector<geo::execution_row>& execution() const noexcept { return execution_; }
    // The offer counted as of `date` (YYYY-MM-DD, history: store::read_planning_inputs' as_of):
    // read from the store on first use and kept while the snapshot lives (the 16 most recent
    // dates); computed outside the lock. nullptr without a planning model.
    struct dated_model {
        std::unique_ptr<geo::store::planning_inputs> inputs;
        std::unique_ptr<geo::coverage_model> model;
    };
    [[nodiscard]] std::shared_ptr<const dated_model> model_as_of(const std::string& date) const;
    // Live travel-time coverage of the scenarios (usecases/scenario_travel.hpp): its own lock,
    // its baselines built on first use; null for a snapshot without a store.
    [[nodiscard]] geo::usecases::scenario_travel* travel() const noexcept { return travel_.get(); }
    // The moderate closing plan of the baseline, computed on first use (a fraction of a second).
    [[nodiscard]] const geo::closing_plan* baseline_plan() const;
    // A document computed from this snapshot on request (a plan of a budget scenario, seconds
    // for a required budget), kept while the snapshot lives: the 32 most recent keys. `make`
    // runs outside the lock; two requests for one new key may both compute it.
    [[nodiscard]] std::shared_ptr<const std::string> memo(const std::string& key,
                                                          const std::function<std::string()>& make) const;
    // The baseline model counting private establishments in the current offer as well
    // (coverage_options::include_private), built on first use; nullptr without a model.
    [[nodiscard]] const geo::coverage_model* model_with_private() const;
    // The unit at every planning tier (top-down) that a lon/lat point lies in; nullopt when it
    // lies in no unit of the finest tier or there is no model.
    [[nodiscard]] std::optional<std::vector<int>> locate(double lon, double lat) const override;
    // The stored establishment with `fid` (its row in model(), code, name, location); nullopt
    // when there is none or no model.
    [[nodiscard]] std::optional<geo::usecases::baseline_establishment> establishment(std::int64_t fid) const override;
    [[nodiscard]] std::optional<geo::usecases::baseline_establishment> establishment_by_code(
        const std::string& sector, const std::string& code) const override;
    [[nodiscard]] std::optional<int> population_year() const noexcept { return population_year_; }
    [[nodiscard]] double load_seconds() const noexcept { return load_seconds_; }

private:
    std::string store_path_;
    std::uint64_t generation_ = 0;
    std::vector<collection> collections_;
    std::vector<map_view> views_;
    std::unique_ptr<geo::store::planning_inputs> inputs_;
    std::unique_ptr<geo::coverage_model> model_;
    std::string planning_message_;
    geo::accessibility_index accessibility_;
    std::vector<geo::store::stored_project> portfolio_;
    std::vector<geo::unit_project> tracked_;
    std::optional<geo::scorecards_table> scorecards_;
    std::vector<geo::execution_row> execution_;
    mutable std::mutex dated_mutex_;                                                       // a leaf, as memo_mutex_
    mutable std::list<std::pair<std::string, std::shared_ptr<const dated_model>>> dated_;  // most recent first
    std::unique_ptr<geo::usecases::scenario_travel> travel_;
    std::unique_ptr<geo::point_locator> finest_locator_;           // the finest planning tier's units
    std::vector<int> finest_unit_of_;                              // locator index -> unit of that tier
    std::unordered_map<std::int64_t, std::size_t> handle_of_fid_;  // establishments: fid -> model row
    mutable std::once_flag plan_once_;
    mutable std::once_flag private_once_;
    mutable std::unique_ptr<geo::coverage_model> private_model_;
    mutable std::unique_ptr<geo::closing_plan> plan_;
    mutable std::mutex memo_mutex_;  // a leaf: nothing is called while it is held
    mutable std::list<std::pair<std::string, std::shared_ptr<const std::string>>> memo_;  // most recent first
    std::optional<int> population_year_;
    double load_seconds_ = 0;
};

// Spanish title of a collection id ("circuits" -> "Circuitos").
std::string collection_title(std::string_view id);

}  // namespace microplan::service
