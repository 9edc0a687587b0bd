#pragma once
// People within travel-time thresholds per territorial unit, kept up to date as establishments
// come and go (a workshop's proposals, AccessMod's question asked at the projector): an
// incremental_cost search (cost_distance.hpp) underneath, and per unit the people within each
// threshold changed only through the population cells whose time an edit changed.
//
//   travel_base   built once per surface, sector and store generation, then immutable and
//                 shared: the surface, each inhabited cell's place on it, the people of each
//                 cell in the units of every level (a cell cut by a border shared by area, as
//                 unit_statistics does), and the search and counts from the sector's sources.
//   travel_state  one per scenario: a copy of the base's search and counts, then add/remove.
//
// The figures are those of unit_statistics over a full cost_distance from the same sources
// (time ≤ T in single precision; unreached people in the population, in no threshold), up to
// the order of summation (an edit adds and subtracts its cells' people: a relative 1e-12).
// Thread safety: a travel_base is safe to share between threads; a travel_state is not (its
// owner locks it). Deterministic for the same sources in the same order.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/model/raster.hpp"

namespace microplan::geo::access {

// A level's units, each with its cells as unit_cell_people gives them (population_access.hpp).
struct level_cells {
    std::string level;
    std::vector<std::string> codes;
    std::vector<std::vector<std::pair<std::uint32_t, double>>> cells;  // per unit: (occupied index, people)
};

struct unit_reach {
    double population = 0;
    std::vector<double> within;  // people within each threshold
    double reached = 0;          // people with a finite time
    double person_minutes = 0;   // Σ people × minutes over the reached: the mean is its ratio
};

class travel_base {
public:
    // `pop` must have its centres in the surface's CRS; `sources` ids are the callers' (new ones
    // added later must not reuse them); `thresholds` ascending, in minutes.
    travel_base(cost_surface surface, const population_grid& pop, std::vector<level_cells> levels,
                std::vector<double> thresholds, std::span<const source> sources, const cost_distance_options& options);
    travel_base(const travel_base&) = delete;
    travel_base& operator=(const travel_base&) = delete;

    [[nodiscard]] const cost_surface& surface() const noexcept { return surface_; }
    [[nodiscard]] const std::vector<double>& thresholds() const noexcept { return thresholds_; }
    [[nodiscard]] const std::vector<level_cells>& levels() const noexcept { return levels_; }
    // The baseline: figures per level (in `levels` order), per unit.
    [[nodiscard]] const std::vector<std::vector<unit_reach>>& figures() const noexcept { return figures_; }
    [[nodiscard]] const incremental_cost& search() const noexcept { return *search_; }
    // Per level (in `levels` order) and unit, Σ people × weight of the surface cell under each
    // inhabited cell's centre (a share covered per cell, say): the units' part of a cell value.
    [[nodiscard]] std::vector<std::vector<double>> per_unit(std::span<const double> cell_weight) const;

private:
    friend class travel_state;
    struct entry {
        std::uint32_t level, unit;
        double people;
    };
    cost_surface surface_;
    std::vector<level_cells> levels_;
    std::vector<double> thresholds_;
    // Occupied population cells by the surface cell under their centre, sorted by that cell.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> on_cell_;  // (surface cell, occupied index)
    // Each occupied cell's people in units: entries_[start_[k] .. start_[k + 1]).
    std::vector<std::uint32_t> start_;
    std::vector<entry> entries_;
    std::unique_ptr<incremental_cost> search_;
    std::vector<float> minutes_;  // per occupied cell, at its centre (+inf unreached)
    std::vector<std::vector<unit_reach>> figures_;
};

class travel_state {
public:
    explicit travel_state(std::shared_ptr<const travel_base> base);
    // Adds a source (false: off the surface or on an impassable cell; nothing changes).
    bool add(const source& s);
    // Removes every source with `id` (false: none).
    bool remove(std::int32_t id);
    [[nodiscard]] const std::vector<std::vector<unit_reach>>& figures() const noexcept { return figures_; }
    [[nodiscard]] const std::vector<float>& cost() const noexcept { return search_.cost(); }
    [[nodiscard]] const travel_base& base() const noexcept { return *base_; }
    // Inhabited cells whose time the last add or remove changed.
    [[nodiscard]] std::size_t changed_people_cells() const noexcept { return changed_people_; }

private:
    void follow_changes();

    std::shared_ptr<const travel_base> base_;
    incremental_cost search_;
    std::vector<float> minutes_;
    std::vector<std::vector<unit_reach>> figures_;
    std::size_t changed_people_ = 0;
};

}  // namespace microplan::geo::access
