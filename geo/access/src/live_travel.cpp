#include "microplan/geo/access/live_travel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "microplan/geo/access/population_access.hpp"

namespace microplan::geo::access {

namespace {

constexpr float unreached = std::numeric_limits<float>::infinity();

// Moves an occupied cell's people in their units from `before` to `after` minutes.
template <class Entries>
void shift(const Entries& entries, std::span<const double> thresholds, std::vector<std::vector<unit_reach>>& figures,
           float before, float after) {
    const bool was = std::isfinite(before), is = std::isfinite(after);
    for (const auto& e : entries) {
        unit_reach& u = figures[e.level][e.unit];
        for (std::size_t t = 0; t < thresholds.size(); ++t) {
            const int d = int(after <= thresholds[t]) - int(before <= thresholds[t]);
            if (d) u.within[t] += d * e.people;
        }
        if (was != is) u.reached += (is ? 1 : -1) * e.people;
        u.person_minutes += e.people * ((is ? double(after) : 0.0) - (was ? double(before) : 0.0));
    }
}

}  // namespace

travel_base::travel_base(cost_surface surface, const population_grid& pop, std::vector<level_cells> levels,
                         std::vector<double> thresholds, std::span<const source> sources,
                         const cost_distance_options& options)
    : surface_(std::move(surface)), levels_(std::move(levels)), thresholds_(std::move(thresholds)) {
    if (!std::is_sorted(thresholds_.begin(), thresholds_.end()))
        throw std::logic_error("travel_base: thresholds must be ascending");
    const std::size_t occupied = pop.occupied.size();
    for (std::size_t k = 0; k < occupied; ++k)
        if (auto cell = surface_.g.cell_of(pop.cx[k], pop.cy[k]))
            on_cell_.emplace_back(static_cast<std::uint32_t>(*cell), static_cast<std::uint32_t>(k));
    std::sort(on_cell_.begin(), on_cell_.end());
    // Entries by occupied cell (counting sort), and each unit's population.
    figures_.resize(levels_.size());
    start_.assign(occupied + 1, 0);
    for (std::size_t l = 0; l < levels_.size(); ++l) {
        figures_[l].resize(levels_[l].cells.size());
        for (std::size_t u = 0; u < levels_[l].cells.size(); ++u) {
            unit_reach& r = figures_[l][u];
            r.within.assign(thresholds_.size(), 0.0);
            for (const auto& [k, people] : levels_[l].cells[u]) {
                r.population += people;
                if (k != not_occupied) ++start_[k + 1];
            }
        }
    }
    for (std::size_t k = 0; k < occupied; ++k) start_[k + 1] += start_[k];
    entries_.resize(start_[occupied]);
    std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
    for (std::size_t l = 0; l < levels_.size(); ++l)
        for (std::size_t u = 0; u < levels_[l].cells.size(); ++u)
            for (const auto& [k, people] : levels_[l].cells[u])
                if (k != not_occupied)
                    entries_[fill[k]++] = {static_cast<std::uint32_t>(l), static_cast<std::uint32_t>(u), people};
    search_ = std::make_unique<incremental_cost>(surface_, sources, options);
    minutes_.assign(occupied, unreached);
    const auto& cost = search_->cost();
    for (const auto& [cell, k] : on_cell_)
        if (std::isfinite(cost[cell])) minutes_[k] = cost[cell];
    for (std::size_t k = 0; k < occupied; ++k)
        if (std::isfinite(minutes_[k]))
            shift(std::span(entries_).subspan(start_[k], start_[k + 1] - start_[k]), thresholds_, figures_, unreached,
                  minutes_[k]);
}

std::vector<std::vector<double>> travel_base::per_unit(std::span<const double> cell_weight) const {
    std::vector<std::vector<double>> out(levels_.size());
    for (std::size_t l = 0; l < levels_.size(); ++l) out[l].assign(levels_[l].cells.size(), 0.0);
    for (const auto& [cell, k] : on_cell_) {
        const double w = cell_weight[cell];
        if (w == 0) continue;
        for (std::uint32_t i = start_[k]; i < start_[k + 1]; ++i)
            out[entries_[i].level][entries_[i].unit] += w * entries_[i].people;
    }
    return out;
}

travel_state::travel_state(std::shared_ptr<const travel_base> base)
    : base_(std::move(base)), search_(*base_->search_), minutes_(base_->minutes_), figures_(base_->figures_) {}

bool travel_state::add(const source& s) {
    if (!search_.add(s)) return false;
    follow_changes();
    return true;
}

bool travel_state::remove(std::int32_t id) {
    if (!search_.remove(id)) return false;
    follow_changes();
    return true;
}

void travel_state::follow_changes() {
    changed_people_ = 0;
    const auto& on_cell = base_->on_cell_;
    const auto& cost = search_.cost();
    for (std::uint32_t cell : search_.changed()) {
        auto it = std::lower_bound(on_cell.begin(), on_cell.end(), std::pair<std::uint32_t, std::uint32_t>{cell, 0});
        for (; it != on_cell.end() && it->first == cell; ++it) {
            const std::uint32_t k = it->second;
            const float after = std::isfinite(cost[cell]) ? cost[cell] : unreached;
            const float before = minutes_[k];
            if (before == after) continue;  // a cell listed twice, or changed only in its source
            minutes_[k] = after;
            ++changed_people_;
            shift(std::span(base_->entries_).subspan(base_->start_[k], base_->start_[k + 1] - base_->start_[k]),
                  base_->thresholds_, figures_, before, after);
        }
    }
}

}  // namespace microplan::geo::access
