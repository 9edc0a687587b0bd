#pragma once
// Live travel-time coverage of a store's scenarios: "if we build a health centre here, how many
// more people are within 30 minutes?" answered at the projector, per unit of every level, equal
// to a full `access travel-time` run with the proposals counted as establishments and the closed
// ones left out.
//
// A sector is live when its stored travel-time run kept its surface (accessibility_run::
// surface_source: `microplan demo`, or `access travel-time --friction FILE` / `--out DIR`). On
// the first question about a sector the baseline is built from the store — the surface, the
// run's population raster, the units of every level, the sector's existing public
// establishments (those the run counts) — and shared by every scenario; each scenario then keeps
// its own access::travel_state and follows its proposals of the sector and the establishments it
// closes incrementally: a new proposal (or a reopened establishment) is a Dijkstra that relaxes
// only the cells it improves, a deleted proposal or a closed establishment resets only the cells
// it reached (access/live_travel.hpp). The changes are compared with what the state last saw on
// every call, so the scenario book needs no hook into this class.
//
// Thread safety: every member takes the one mutex (a leaf: nothing is called out under it but
// store reads and computation); the first question about a sector holds it while the baseline
// builds (a blink on the demo, seconds on a national 100 m surface). A map tile projects its
// pixels without it (kept per tile under a second leaf lock) and holds it only to read the
// minutes. Deterministic.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "microplan/geo/access/live_travel.hpp"
#include "microplan/geo/model/accessibility.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/unit.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/progress.hpp"

namespace microplan::geo::usecases {

struct unit_travel_change {
    std::string code;
    access::unit_reach before, after;
};

struct scenario_travel_figures {
    std::string sector, level;
    std::vector<double> thresholds;  // minutes, ascending
    std::vector<unit_travel_change> units;
    std::size_t proposals = 0;      // of the sector, counted
    std::size_t closed = 0;         // of the run's establishments, closed in the scenario
    std::size_t unplaced = 0;       // of them, off the surface or on an impassable cell
    double seconds = 0;             // spent bringing the scenario up to date in this call
    std::size_t changed_cells = 0;  // inhabited cells whose time that changed
};

// Where to build next for a scenario: sites (lon/lat) maximising the people newly within
// `minutes`, beyond the reach of the baseline's establishments and the scenario's proposals
// (access::propose_sites, greedy over inhabited candidate cells).
struct suggested_site {
    double lon = 0, lat = 0;
    double added = 0;          // people newly within the minutes
    double covered_after = 0;  // % of all people within them once built
};
struct site_suggestions {
    std::string sector;
    double minutes = 0, total = 0, covered_before = 0;  // people
    std::vector<suggested_site> sites;
    std::size_t candidates = 0;
    double seconds = 0;
};

// Capacity-limited coverage (access::capacity_catchments, AccessMod's): the people each
// establishment can serve within the minutes, largest capacity first; the baseline's
// establishments at their stored capacity (their standard's when they have none), a scenario's
// proposals at their standard's.
struct unit_capacity_change {
    std::string code;
    double population = 0, covered_before = 0, covered_after = 0;
};
struct capacity_figures {
    std::string sector, level;
    double minutes = 0, total = 0, covered_before = 0, covered_after = 0;  // people
    std::vector<unit_capacity_change> units;
    std::size_t without_capacity = 0;  // establishments and proposals with none: they serve no one
    std::size_t searches = 0;          // catchment runs this call made (0: both results were kept)
    double seconds = 0;                // spent in this call
};

// A 256 × 256 Web Mercator tile of travel time: the minutes at each pixel's centre, row-major
// from the north-west; +inf where unreached, NaN on impassable cells and off the surface.
inline constexpr std::size_t tile_pixels = 256;
struct travel_tile {
    std::vector<double> thresholds;
    std::vector<float> minutes;
};
// The tile as a PNG (GDAL's PNG driver, RGBA): one colour per class of the thresholds, green
// (within the first) to red (beyond the last), grey where unreached, transparent on impassable
// cells and off the surface.
std::string travel_tile_png(const travel_tile& tile);

class scenario_travel {
public:
    // `runs`: the store's accessibility runs (their metadata; the figures are not used). At most
    // `max_states` scenario states are kept (each as large as the sector's surface: 16 bytes a
    // cell, 0.75 GB on the national 100 m grid); the least recently used is dropped and rebuilt
    // from the baseline and its proposals when asked again (one add per proposal).
    scenario_travel(std::string store_location, const std::vector<accessibility_run>& runs, std::size_t max_states = 6);

    // Builds the baseline of every live sector now (what the first question would wait for:
    // a full search each), telling `on_progress` as each is ready; errors are told, not thrown.
    void prepare(const progress& on_progress);
    // The travel-time run of `sector` that kept its surface, or null (not live).
    [[nodiscard]] const accessibility_run* live_run(const std::string& sector) const;

    // People within each threshold per unit of `lvl`, baseline and with `changes` (scenario
    // `scenario`'s, of any sector: the proposals of `sector` and of the run's typology count, and
    // the closed establishments among the run's; scenario 0 is the baseline, before = after, and
    // keeps no state). nullopt
    // when the sector is not live. Throws format_error when the surface or population raster
    // named by the run cannot be read.
    std::optional<scenario_travel_figures> figures(const std::string& sector, level lvl, std::int64_t scenario,
                                                   const store::scenario_changes& changes);
    // Travel time over tile z/x/y (Web Mercator), baseline (scenario 0) or with `changes` as
    // figures() counts them; nullopt when the sector is not live.
    std::optional<travel_tile> tile(const std::string& sector, std::int64_t scenario,
                                    const store::scenario_changes& changes, std::uint32_t z, std::uint32_t x,
                                    std::uint32_t y);
    // Up to `count` sites for the scenario (0: the baseline), each newly reaching most people
    // within `minutes`; nullopt when the sector is not live.
    std::optional<site_suggestions> suggest(const std::string& sector, std::int64_t scenario,
                                            const store::scenario_changes& changes, double minutes, std::size_t count);
    // Capacity-limited coverage per unit of `lvl`, baseline and with `changes` (proposals each at
    // `capacity_of(typology)` people, closed establishments left out), within `minutes`;
    // recomputed whole when the changes differ from the last call's (4 s for the national schools: bench/RESULTS.md),
    // kept otherwise. nullopt when the sector is not live.
    std::optional<capacity_figures> capacity(const std::string& sector, level lvl, std::int64_t scenario,
                                             const store::scenario_changes& changes, double minutes,
                                             const std::function<double(const std::string&)>& capacity_of);
    // Drops a deleted scenario's states.
    void forget(std::int64_t scenario);

private:
    struct sector_base {
        std::shared_ptr<const access::travel_base> base;
        std::map<std::string, std::size_t> level_index;        // level name -> index in base->levels()
        std::vector<std::pair<std::uint32_t, double>> people;  // (surface cell, people), inhabited cells
        establishment_points points;                           // the sector's, as sources
        std::map<std::int64_t, std::size_t> point_of_fid;      // store fid -> index in points
    };
    struct capacity_result {
        std::string signature;  // of the proposals and closures it counted
        double total = 0, covered = 0;
        std::size_t without_capacity = 0;
        std::vector<std::vector<double>> covered_per_unit;  // per level, unit
    };
    struct scenario_state {
        std::unique_ptr<access::travel_state> state;
        std::map<std::int64_t, std::pair<double, double>> applied;  // proposal id -> lon, lat
        std::vector<std::size_t> closed;                            // indexes in points, ascending
        std::size_t unplaced = 0;
        std::uint64_t used = 0;  // when last asked (a counter)
    };
    struct sync_counts {
        std::size_t proposals = 0, closed = 0, changed = 0;
    };
    sector_base& base_of(const accessibility_run& run);
    // The scenario's state brought up to `changes` (created, or rebuilt after eviction).
    scenario_state& sync(const accessibility_run& run, sector_base& b, std::int64_t scenario,
                         const store::scenario_changes& changes, sync_counts& counts);

    // The surface cell under each pixel of tile z/x/y (no_cell off the surface and on impassable
    // cells), kept for the last max_pixel_tiles tiles: a workshop reloads the same tiles after
    // every edit. Computed without mutex_ held; tiles_mutex_ is a leaf.
    static constexpr std::uint32_t no_cell = 0xFFFFFFFFu;
    static constexpr std::size_t max_pixel_tiles = 64;  // 256 KB each
    struct pixel_tile {
        std::shared_ptr<const std::vector<std::uint32_t>> cells;
        std::uint64_t used = 0;
    };
    std::shared_ptr<const std::vector<std::uint32_t>> pixel_cells(const std::string& sector,
                                                                  const access::travel_base& base, std::uint32_t z,
                                                                  std::uint32_t x, std::uint32_t y);

    std::string store_location_;
    std::vector<accessibility_run> runs_;  // live ones, without figures
    std::size_t max_states_;
    std::uint64_t clock_ = 0;
    std::mutex mutex_;
    std::map<std::string, sector_base> bases_;                               // by sector
    std::map<std::pair<std::int64_t, std::string>, scenario_state> states_;  // (scenario, sector)
    // (scenario, sector, minutes): the last capacity result; scenario 0 the baseline's.
    std::map<std::tuple<std::int64_t, std::string, double>, capacity_result> capacities_;
    std::mutex tiles_mutex_;
    std::uint64_t tile_clock_ = 0;
    std::map<std::tuple<std::string, std::uint32_t, std::uint32_t, std::uint32_t>, pixel_tile> pixel_cells_;
    capacity_result compute_capacity(const accessibility_run& run, sector_base& b, const establishment_points& points,
                                     double minutes) const;
};

}  // namespace microplan::geo::usecases
