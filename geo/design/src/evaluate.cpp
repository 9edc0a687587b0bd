#include "microplan/geo/design/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <set>
#include <tuple>
#include <unordered_map>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/design/units.hpp"
#include "microplan/geo/territory/contiguity.hpp"

namespace microplan::geo::design {

namespace {

constexpr double km2 = 1e6;

std::string percent(double share) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", share * 100);
    return buf;
}

std::string number(double x, int decimals = 0) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return buf;
}

// "17D06C01, 17D06C02, … (12 in all)": the first few of a list.
std::string first_of(const std::vector<std::string>& codes, std::size_t shown = 5) {
    std::string out;
    for (std::size_t i = 0; i < codes.size() && i < shown; ++i) out += (i ? ", " : "") + codes[i];
    if (codes.size() > shown) out += ", … (" + std::to_string(codes.size()) + " in all)";
    return out;
}

bool boxes_meet(const geos::envelope& a, const geos::envelope& b) {
    return a.minx <= b.maxx && b.minx <= a.maxx && a.miny <= b.maxy && b.miny <= a.maxy;
}

// ---- measures per unit ----

void measure(const unit& u, unit_evaluation& e) {
    e.code = u.code;
    e.name = u.name;
    e.parent = u.parent_code;
    e.area_km2 = u.projected ? geos::area(u.projected.get()) / km2 : 0;
    double perimeter_km = u.projected ? geos::length(u.projected.get()) / 1e3 : 0;
    e.polsby_popper = polsby_popper(e.area_km2, perimeter_km);
    e.reock = u.projected ? reock(u.projected.get()) : 0;
    e.convex_hull = u.projected ? convex_hull_ratio(u.projected.get()) : 0;
    e.parts = u.projected ? static_cast<int>(geos::polygons_of(u.projected.get()).size()) : 0;
}

// ---- finer units cut by the plan ----

struct piece {
    std::size_t unit = 0;
    double area_m2 = 0;
};

struct finer_cut {
    std::vector<piece> pieces;  // every non-empty intersection with a unit
    double area_m2 = 0;         // the finer unit's area
};

std::vector<finer_cut> cut_finer(const unit_layer& plan, const unit_layer& finer, unsigned threads) {
    std::vector<geos::envelope> env(plan.units.size());
    for (std::size_t u = 0; u < plan.units.size(); ++u)
        if (plan.units[u].projected) env[u] = geos::envelope_of(plan.units[u].projected.get());
    std::vector<finer_cut> cuts(finer.units.size());
    parallel_for(finer.units.size(), threads, [&](std::size_t f) {
        const GEOSGeometry* g = finer.units[f].projected.get();
        if (!g) return;
        cuts[f].area_m2 = geos::area(g);
        const geos::envelope fe = geos::envelope_of(g);
        for (std::size_t u = 0; u < plan.units.size(); ++u) {
            if (!plan.units[u].projected || !boxes_meet(fe, env[u])) continue;
            double a = geos::area(geos::intersection(g, plan.units[u].projected.get()).get());
            if (a > 0) cuts[f].pieces.push_back({u, a});
        }
    });
    return cuts;
}

// People of each piece: the finer unit's people shared by area × the density of the unit
// holding the piece (uniform when the plan's people are not given).
std::vector<std::vector<double>> share_people(const std::vector<finer_cut>& cuts, std::span<const double> finer_people,
                                              std::span<const double> density) {
    std::vector<std::vector<double>> people(cuts.size());
    for (std::size_t f = 0; f < cuts.size(); ++f) {
        double total_weight = 0;
        for (const piece& p : cuts[f].pieces) total_weight += p.area_m2 * (density.empty() ? 1.0 : density[p.unit]);
        for (const piece& p : cuts[f].pieces) {
            double w = p.area_m2 * (density.empty() ? 1.0 : density[p.unit]);
            people[f].push_back(total_weight > 0 && f < finer_people.size() ? finer_people[f] * w / total_weight : 0);
        }
    }
    return people;
}

// ---- criteria ----

criterion_result population_criterion(std::vector<unit_evaluation>& units, const evaluation_criteria& c,
                                      bool have_people) {
    criterion_result r{"population", verdict::not_checked, {}, {}};
    for (unit_evaluation& u : units) {
        u.deviation = not_measured;
        std::erase(u.failed, std::string("population"));
    }
    if (c.target <= 0) {
        r.reason = "no target population given";
        return r;
    }
    if (!have_people) {
        r.reason = "no population: give the plan's people or finer units with people";
        return r;
    }
    for (unit_evaluation& u : units) {
        u.deviation = u.population / c.target - 1;
        if (std::abs(u.deviation) > c.tolerance + 1e-12) {
            u.failed.push_back("population");
            r.units.push_back(u.code);
        }
    }
    r.result = r.units.empty() ? verdict::pass : verdict::fail;
    r.reason = r.units.empty() ? "every unit within " + percent(c.tolerance) + " of " + number(c.target) + " people"
                               : std::to_string(r.units.size()) + " unit(s) beyond " + percent(c.tolerance) + " of " +
                                     number(c.target) + " people: " + first_of(r.units);
    return r;
}

criterion_result contiguity_criterion(std::vector<unit_evaluation>& units, const findings& territory) {
    criterion_result r{"contiguity", verdict::pass, {}, {}};
    std::set<std::string> split;
    for (const finding& f : territory.items)
        if (f.rule == "territory.not_contiguous") split.insert(f.code);
    std::vector<std::string> joined;
    for (unit_evaluation& u : units) {
        u.contiguous = !split.count(u.code);
        u.joined_across_water = u.contiguous && u.parts > 1;
        if (u.joined_across_water) joined.push_back(u.code);
        if (u.contiguous) continue;
        u.failed.push_back("contiguity");
        r.units.push_back(u.code);
    }
    r.result = r.units.empty() ? verdict::pass : verdict::fail;
    r.reason = r.units.empty()
                   ? "every unit is one territory"
                   : std::to_string(r.units.size()) +
                         " unit(s) in separate pieces with other units' land between them: " + first_of(r.units);
    if (!joined.empty())
        r.reason +=
            "; " + std::to_string(joined.size()) +
            " in several parts joined across water, land outside the data or a legal exclave: " + first_of(joined);
    return r;
}

criterion_result compactness_criterion(std::vector<unit_evaluation>& units, const evaluation_criteria& c) {
    criterion_result r{"compactness", verdict::pass, {}, {}};
    std::size_t pp = 0, reock_low = 0, hull = 0;
    for (unit_evaluation& u : units) {
        bool a = u.polsby_popper < c.min_polsby_popper, b = u.reock < c.min_reock,
             h = u.convex_hull < c.min_convex_hull;
        pp += a, reock_low += b, hull += h;
        if (!(a || b || h)) continue;
        u.failed.push_back("compactness");
        r.units.push_back(u.code);
    }
    r.result = r.units.empty() ? verdict::pass : verdict::fail;
    r.reason = "minimums Polsby-Popper " + number(c.min_polsby_popper, 2) + ", Reock " + number(c.min_reock, 2) +
               ", convex hull " + number(c.min_convex_hull, 2) + ": ";
    r.reason += r.units.empty()
                    ? "every unit meets them"
                    : std::to_string(pp) + " unit(s) below Polsby-Popper, " + std::to_string(reock_low) +
                          " below Reock, " + std::to_string(hull) + " below the hull ratio: " + first_of(r.units);
    return r;
}

bool is_nesting_rule(const std::string& rule) {
    return rule == "hierarchy.crosses_parent" || rule == "hierarchy.outside_parent" ||
           rule == "hierarchy.parent_missing" || rule == "hierarchy.no_parent" || rule == "hierarchy.parent_mismatch";
}

criterion_result nesting_criterion(std::vector<unit_evaluation>& units, const plan_input& in, const findings& found,
                                   const evaluation_criteria& c) {
    criterion_result r{"nesting", verdict::not_checked, "no parent level given", {}};
    if (!in.parents) return r;
    std::set<std::string> failing;
    for (const finding& f : found.items)
        if (f.lvl == in.plan->lvl && is_nesting_rule(f.rule)) failing.insert(f.code);
    for (unit_evaluation& u : units)
        if (failing.count(u.code)) {
            u.failed.push_back("nesting");
            r.units.push_back(u.code);
        }
    r.result = r.units.empty() ? verdict::pass : verdict::fail;
    r.reason = r.units.empty() ? "every unit lies at least " + percent(c.validation.nesting_share) + " in its " +
                                     std::string(level_name(in.parents->lvl))
                               : std::to_string(r.units.size()) + " unit(s) outside or across their " +
                                     std::string(level_name(in.parents->lvl)) + ": " + first_of(r.units);
    return r;
}

criterion_result splits_criterion(std::vector<finer_split>& splits, const plan_evaluation& e,
                                  const evaluation_criteria& c) {
    criterion_result r{"splits", verdict::not_checked, "no finer units given", {}};
    if (!e.finer_level) return r;
    for (finer_split& s : splits) {
        s.needless = c.target > 0 && s.population <= c.target * (1 + c.tolerance);  // NaN: unknown, not needless
        if (s.needless) r.units.push_back(s.code);
    }
    r.result = r.units.empty() ? verdict::pass : verdict::fail;
    std::string what = std::string(level_table(*e.finer_level));
    r.reason =
        std::to_string(splits.size()) + " of " + std::to_string(e.finer_count) + " " + what + " split between units";
    if (!r.units.empty())
        r.reason += "; " + std::to_string(r.units.size()) + " of them hold at most " +
                    number(c.target * (1 + c.tolerance)) + " people and fit one unit: " + first_of(r.units);
    return r;
}

criterion_result overlaps_gaps_criterion(std::vector<unit_evaluation>& units, const plan_input& in,
                                         const findings& found, const std::vector<std::string>& uncovered) {
    criterion_result r{"overlaps_gaps", verdict::pass, {}, {}};
    std::size_t overlaps = 0, gaps = 0;
    double overlap_km2 = 0, gap_km2 = 0;
    std::set<std::string> listed;
    for (const finding& f : found.items) {
        if (f.rule == "topology.overlap" && f.lvl == in.plan->lvl) {
            ++overlaps, overlap_km2 += f.area_km2.value_or(0);
            if (listed.insert(f.code).second) r.units.push_back(f.code);
        } else if (f.rule == "topology.gap") {
            ++gaps, gap_km2 += f.area_km2.value_or(0);
        }
    }
    for (unit_evaluation& u : units)
        if (listed.count(u.code)) u.failed.push_back("overlaps_gaps");
    r.result = overlaps + gaps + uncovered.size() == 0 ? verdict::pass : verdict::fail;
    r.reason = std::to_string(overlaps) + " overlap(s) (" + number(overlap_km2, 2) + " km²), " + std::to_string(gaps) +
               " gap(s) (" + number(gap_km2, 2) + " km²)";
    if (in.finer)
        r.reason += ", " + std::to_string(uncovered.size()) + " " + std::string(level_table(in.finer->lvl)) +
                    " partly outside every unit" + (uncovered.empty() ? "" : ": " + first_of(uncovered));
    return r;
}

criterion_result travel_time_criterion(std::vector<unit_evaluation>& units, const plan_input& in,
                                       const evaluation_criteria& c) {
    criterion_result r{"travel_time", verdict::not_checked, "no friction surface and people raster given", {}};
    if (in.mean_minutes.size() != units.size()) return r;
    const bool with_max = in.max_minutes.size() == units.size(), with_unreached = in.unreached.size() == units.size();
    std::size_t unreached_units = 0;
    for (std::size_t u = 0; u < units.size(); ++u) {
        units[u].mean_minutes = in.mean_minutes[u];
        if (with_max) units[u].max_minutes = in.max_minutes[u];
        if (with_unreached) units[u].unreached = in.unreached[u];
        unreached_units += with_unreached && in.unreached[u] > 0.5;
        if (std::isnan(in.mean_minutes[u]) || in.mean_minutes[u] <= c.max_mean_minutes) continue;
        units[u].failed.push_back("travel_time");
        r.units.push_back(units[u].code);
    }
    r.result = r.units.empty() ? verdict::pass : verdict::fail;
    r.reason = r.units.empty()
                   ? "every unit's people are within " + number(c.max_mean_minutes) + " minutes of its seat on average"
                   : std::to_string(r.units.size()) + " unit(s) whose people travel more than " +
                         number(c.max_mean_minutes) + " minutes to the seat on average: " + first_of(r.units);
    if (unreached_units)
        r.reason += "; " + std::to_string(unreached_units) + " unit(s) with people who cannot reach the seat";
    return r;
}

// ---- people and splits ----

// Fills each unit's people (given, or summed from the finer units) and returns the splits.
std::vector<finer_split> people_and_splits(const plan_input& in, const evaluation_criteria& c,
                                           std::vector<unit_evaluation>& units, std::vector<std::string>& uncovered) {
    const bool given = !in.population.empty();
    for (std::size_t u = 0; u < units.size(); ++u)
        if (given) units[u].population = in.population[u];
    if (!in.finer) return {};
    std::vector<finer_cut> cuts = cut_finer(*in.plan, *in.finer, c.validation.threads);
    std::vector<double> density;
    if (given)
        for (const unit_evaluation& u : units) density.push_back(u.area_km2 > 0 ? u.population / u.area_km2 : 0);
    std::vector<std::vector<double>> people = share_people(cuts, in.finer_population, density);
    const bool finer_people = !in.finer_population.empty();
    if (!given && finer_people)
        for (auto& u : units) u.population = 0;
    std::vector<finer_split> splits;
    const double sliver = c.validation.sliver_km2 * km2;
    for (std::size_t f = 0; f < cuts.size(); ++f) {
        finer_split s{in.finer->units[f].code,
                      in.finer->units[f].name,
                      finer_people ? in.finer_population[f] : not_measured,
                      {},
                      false};
        double covered = 0;
        for (std::size_t k = 0; k < cuts[f].pieces.size(); ++k) {
            const piece& p = cuts[f].pieces[k];
            covered += p.area_m2;
            if (!given && finer_people) units[p.unit].population += people[f][k];
            // A piece counts when it matters to the finer unit or to the unit holding it (a
            // circuit inside a large city parish is a small share of the parish).
            const double unit_m2 = units[p.unit].area_km2 * km2;
            if (p.area_m2 > sliver && p.area_m2 > c.min_piece_share * std::min(cuts[f].area_m2, unit_m2)) {
                ++units[p.unit].finer_units;
                s.pieces.push_back({units[p.unit].code, p.area_m2 / km2, finer_people ? people[f][k] : not_measured});
            }
        }
        if (cuts[f].area_m2 - covered > std::max(sliver, c.min_piece_share * cuts[f].area_m2))
            uncovered.push_back(s.code);
        if (s.pieces.size() < 2) continue;
        std::stable_sort(s.pieces.begin(), s.pieces.end(),
                         [](const split_piece& a, const split_piece& b) { return a.area_km2 > b.area_km2; });
        splits.push_back(std::move(s));
    }
    return splits;
}

// Validation of the plan against its parents: overlaps, gaps, nesting (territory rules are
// checked separately, with the finer units as legal units).
findings validate_plan(const plan_input& in, const evaluation_criteria& c) {
    std::vector<const unit_layer*> layers{in.plan};
    if (in.parents) layers.insert(layers.begin(), in.parents);
    validation_options no_territories = c.validation;
    no_territories.territories = false;
    validation_report v = validate(layers, no_territories);
    findings out;
    for (finding& f : v.report.items)
        if (f.rule.rfind("territory.", 0) != 0 && f.rule.rfind("hierarchy.split", 0) != 0) out.add(std::move(f));
    std::vector<const unit_layer*> administrative;
    if (in.finer) administrative.push_back(in.finer);
    out.append(check_one_territory(*in.plan, administrative, c.validation));
    // One order whatever the thread count (the holes of a union come in the union's order).
    auto key = [](const finding& f) {
        return std::tuple(f.rule, f.lvl ? static_cast<int>(*f.lvl) : -1, f.code, f.lon.value_or(0), f.lat.value_or(0),
                          f.area_km2.value_or(0), f.message);
    };
    std::stable_sort(out.items.begin(), out.items.end(),
                     [&](const finding& a, const finding& b) { return key(a) < key(b); });
    return out;
}

// The share of each unit inside its parent (its parent code, else the one holding most of it).
void parent_shares(const plan_input& in, std::vector<unit_evaluation>& units, unsigned threads) {
    if (!in.parents) return;
    std::unordered_map<std::string, std::size_t> by_code;
    for (std::size_t p = 0; p < in.parents->units.size(); ++p) by_code.emplace(in.parents->units[p].code, p);
    parallel_for(units.size(), threads, [&](std::size_t i) {
        const GEOSGeometry* g = in.plan->units[i].projected.get();
        auto it = by_code.find(units[i].parent);
        if (!g || it == by_code.end() || units[i].area_km2 <= 0) return;
        const GEOSGeometry* p = in.parents->units[it->second].projected.get();
        units[i].in_parent_share = geos::area(geos::intersection(g, p).get()) / km2 / units[i].area_km2;
    });
}

}  // namespace

std::string_view verdict_name(verdict v) {
    switch (v) {
        case verdict::pass:
            return "pass";
        case verdict::fail:
            return "fail";
        case verdict::not_checked:
            break;
    }
    return "not checked";
}

bool plan_evaluation::passes() const {
    return std::none_of(criteria.begin(), criteria.end(), [](const auto& c) { return c.result == verdict::fail; });
}

const criterion_result* plan_evaluation::criterion(std::string_view name) const {
    for (const auto& c : criteria)
        if (c.name == name) return &c;
    return nullptr;
}

double reock(const GEOSGeometry* projected) {
    GEOSContextHandle_t h = geos::thread_context().handle();
    double radius = 0;
    GEOSGeometry* centre = nullptr;
    geos::geom_ptr circle = geos::own(GEOSMinimumBoundingCircle_r(h, projected, &radius, &centre));
    geos::geom_ptr owned_centre = centre ? geos::own(centre) : nullptr;
    double disc = std::numbers::pi * radius * radius;
    return disc > 0 ? geos::area(projected) / disc : 0;
}

double convex_hull_ratio(const GEOSGeometry* projected) {
    geos::geom_ptr hull = geos::own(GEOSConvexHull_r(geos::thread_context().handle(), projected));
    double a = hull ? geos::area(hull.get()) : 0;
    return a > 0 ? geos::area(projected) / a : 0;
}

plan_evaluation evaluate_plan(const plan_input& in, const evaluation_criteria& c) {
    if (!in.plan) throw std::logic_error("evaluate_plan: no plan");
    if (!in.population.empty() && in.population.size() != in.plan->units.size())
        throw std::logic_error("evaluate_plan: one population per plan unit");
    plan_evaluation e;
    e.units.resize(in.plan->units.size());
    parallel_for(e.units.size(), c.validation.threads, [&](std::size_t u) { measure(in.plan->units[u], e.units[u]); });
    // Parents resolved as validate() resolves them: the parent field, else the code's prefix.
    for (std::size_t u = 0; u < e.units.size(); ++u)
        if (e.units[u].parent.empty())
            e.units[u].parent = parent_code_from_code(in.plan->lvl, e.units[u].code).value_or("");
    parent_shares(in, e.units, c.validation.threads);
    e.splits = people_and_splits(in, c, e.units, e.uncovered);
    e.have_people = !in.population.empty() || (in.finer && !in.finer_population.empty());
    if (in.finer) e.finer_level = in.finer->lvl, e.finer_count = in.finer->units.size();
    e.problems = validate_plan(in, c);
    e.criteria.push_back({"population", verdict::not_checked, {}, {}});
    e.criteria.push_back(contiguity_criterion(e.units, e.problems));
    e.criteria.push_back(compactness_criterion(e.units, c));
    e.criteria.push_back(nesting_criterion(e.units, in, e.problems, c));
    e.criteria.push_back({"splits", verdict::not_checked, {}, {}});
    e.criteria.push_back(overlaps_gaps_criterion(e.units, in, e.problems, e.uncovered));
    e.criteria.push_back(travel_time_criterion(e.units, in, c));
    if (e.have_people)
        for (const unit_evaluation& u : e.units) e.population += u.population;
    retarget(e, c);
    return e;
}

void retarget(plan_evaluation& e, const evaluation_criteria& c) {
    for (criterion_result& r : e.criteria) {
        if (r.name == "population") r = population_criterion(e.units, c, e.have_people);
        if (r.name == "splits") r = splits_criterion(e.splits, e, c);
    }
    e.mean_abs_deviation = e.max_abs_deviation = not_measured;
    if (!e.have_people || c.target <= 0 || e.units.empty()) return;
    double sum_abs = 0, worst = 0;
    for (const unit_evaluation& u : e.units)
        if (!std::isnan(u.deviation)) sum_abs += std::abs(u.deviation), worst = std::max(worst, std::abs(u.deviation));
    e.mean_abs_deviation = sum_abs / static_cast<double>(e.units.size());
    e.max_abs_deviation = worst;
}

}  // namespace microplan::geo::design
