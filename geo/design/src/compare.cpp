#include "microplan/geo/design/compare.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "microplan/geo/core/parallel.hpp"
#include "transforms.hpp"

namespace microplan::geo::design {

namespace {

constexpr double km2 = 1e6;

bool boxes_meet(const geos::envelope& a, const geos::envelope& b) {
    return a.minx <= b.maxx && b.minx <= a.maxx && a.miny <= b.maxy && b.miny <= a.maxy;
}

std::vector<geos::envelope> envelopes(const unit_layer& l) {
    std::vector<geos::envelope> out(l.units.size());
    for (std::size_t i = 0; i < l.units.size(); ++i)
        if (l.units[i].projected) out[i] = geos::envelope_of(l.units[i].projected.get());
    return out;
}

struct cell {
    std::size_t a = 0, b = 0;
    double area_m2 = 0, people = 0;
    geos::geom_ptr geometry;  // projected
};

// Every non-empty intersection of an A unit with a B unit, in (a, b) order.
std::vector<cell> intersect(const unit_layer& a, const unit_layer& b, unsigned threads) {
    const auto ea = envelopes(a), eb = envelopes(b);
    std::vector<std::vector<cell>> per_a(a.units.size());
    parallel_for(a.units.size(), threads, [&](std::size_t i) {
        if (!a.units[i].projected) return;
        for (std::size_t j = 0; j < b.units.size(); ++j) {
            if (!b.units[j].projected || !boxes_meet(ea[i], eb[j])) continue;
            geos::geom_ptr g = geos::intersection(a.units[i].projected.get(), b.units[j].projected.get());
            double area = geos::area(g.get());
            if (area > 0) per_a[i].push_back({i, j, area, 0, std::move(g)});
        }
    });
    std::vector<cell> out;
    for (auto& v : per_a)
        for (auto& c : v) out.push_back(std::move(c));
    return out;
}

// (finer unit, cell, shared area): the finer units' pieces in each cell.
struct finer_piece {
    std::size_t finer = 0, cell = 0;
    double area_m2 = 0;
};

std::vector<finer_piece> people_from_finer(std::vector<cell>& cells, const comparison_input& in) {
    const unit_layer& f = *in.finer;
    const auto ef = envelopes(f);
    std::vector<double> area(f.units.size(), 0);
    for (std::size_t i = 0; i < f.units.size(); ++i)
        if (f.units[i].projected) area[i] = geos::area(f.units[i].projected.get());
    std::vector<std::vector<finer_piece>> found(cells.size());
    parallel_for(cells.size(), in.threads, [&](std::size_t c) {
        const geos::envelope ce = geos::envelope_of(cells[c].geometry.get());
        for (std::size_t i = 0; i < f.units.size(); ++i) {
            if (area[i] <= 0 || !boxes_meet(ce, ef[i])) continue;
            double shared = geos::area(geos::intersection(cells[c].geometry.get(), f.units[i].projected.get()).get());
            if (shared <= 0) continue;
            cells[c].people += in.finer_population[i] * shared / area[i];
            found[c].push_back({i, c, shared});
        }
    });
    std::vector<finer_piece> out;
    for (auto& v : found) out.insert(out.end(), v.begin(), v.end());
    return out;
}

// One-to-one matching, greedy by shared people: match_of_a[i] = B index or npos.
std::vector<std::size_t> match(const std::vector<cell>& cells, const unit_layer& a, const unit_layer& b,
                               std::vector<std::size_t>& match_of_b, std::vector<std::size_t>& matched_cell) {
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> order(cells.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        const cell &p = cells[x], &q = cells[y];
        return std::tuple(-p.people, -p.area_m2, a.units[p.a].code, b.units[p.b].code) <
               std::tuple(-q.people, -q.area_m2, a.units[q.a].code, b.units[q.b].code);
    });
    std::vector<std::size_t> match_of_a(a.units.size(), none);
    match_of_b.assign(b.units.size(), none);
    matched_cell.assign(a.units.size(), none);
    for (std::size_t k : order) {
        const cell& c = cells[k];
        if (match_of_a[c.a] != none || match_of_b[c.b] != none) continue;
        match_of_a[c.a] = c.b, match_of_b[c.b] = c.a, matched_cell[c.a] = k;
    }
    return match_of_a;
}

double variation_of_information(const std::vector<cell>& cells, std::size_t na, std::size_t nb, double total) {
    if (total <= 0) return 0;
    std::vector<double> pa(na, 0), pb(nb, 0);
    for (const cell& c : cells) pa[c.a] += c.people / total, pb[c.b] += c.people / total;
    double vi = 0;
    for (const cell& c : cells) {
        double p = c.people / total;
        if (p <= 0) continue;
        vi -= p * (std::log2(p / pa[c.a]) + std::log2(p / pb[c.b]));
    }
    return std::max(0.0, vi);
}

// The finer units whose largest piece in B is not the match of their largest piece in A.
std::vector<finer_change> finer_changes(const std::vector<finer_piece>& pieces, const std::vector<cell>& cells,
                                        const comparison_input& in, const std::vector<std::size_t>& match_of_a) {
    std::vector<std::map<std::size_t, double>> by_a(in.finer->units.size()), by_b(in.finer->units.size());
    for (const finer_piece& p : pieces) {
        by_a[p.finer][cells[p.cell].a] += p.area_m2;
        by_b[p.finer][cells[p.cell].b] += p.area_m2;
    }
    auto largest = [](const std::map<std::size_t, double>& m) {
        return std::max_element(m.begin(), m.end(), [](const auto& x, const auto& y) { return x.second < y.second; })
            ->first;
    };
    std::vector<finer_change> out;
    for (std::size_t f = 0; f < by_a.size(); ++f) {
        if (by_a[f].empty()) continue;
        std::size_t ua = largest(by_a[f]), ub = largest(by_b[f]);
        if (match_of_a[ua] == ub) continue;
        const unit& fu = in.finer->units[f];
        out.push_back({fu.code, fu.name, in.a->units[ua].code, in.b->units[ub].code, in.finer_population[f]});
    }
    return out;
}

void fill_matches(plan_comparison& r, const comparison_input& in, const std::vector<cell>& cells,
                  const std::vector<std::size_t>& match_of_b, const std::vector<std::size_t>& matched_cell) {
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    for (std::size_t i = 0; i < in.a->units.size(); ++i) {
        unit_match m{in.a->units[i].code, {}, 0, 0, 0};
        if (matched_cell[i] != none) {
            const cell& c = cells[matched_cell[i]];
            const unit& ub = in.b->units[c.b];
            m.b = ub.code;
            m.shared_people = c.people;
            m.shared_km2 = c.area_m2 / km2;
            double area_a = geos::area(in.a->units[i].projected.get()), area_b = geos::area(ub.projected.get());
            m.iou = c.area_m2 / (area_a + area_b - c.area_m2);
            r.people_moved -= c.people;
            r.identical_units += m.iou > 0.99;
        }
        r.matches.push_back(std::move(m));
    }
    for (std::size_t j = 0; j < in.b->units.size(); ++j)
        if (match_of_b[j] == none) r.matches.push_back({{}, in.b->units[j].code, 0, 0, 0});
}

}  // namespace

plan_comparison compare_plans(const comparison_input& in) {
    if (!in.a || !in.b) throw std::logic_error("compare_plans: two plans needed");
    plan_comparison r;
    r.a_units = in.a->units.size();
    r.b_units = in.b->units.size();
    std::vector<cell> cells = intersect(*in.a, *in.b, in.threads);
    std::vector<finer_piece> pieces;
    const bool finer_people = in.finer && in.finer_population.size() == in.finer->units.size();
    if (finer_people) {
        pieces = people_from_finer(cells, in);
    } else if (in.a_population.size() == in.a->units.size()) {
        for (cell& c : cells)
            c.people = in.a_population[c.a] * c.area_m2 / geos::area(in.a->units[c.a].projected.get());
    } else {
        r.by_area = true;
        for (cell& c : cells) c.people = c.area_m2 / km2;
    }
    for (const cell& c : cells) r.people += c.people;
    std::vector<std::size_t> match_of_b, matched_cell;
    std::vector<std::size_t> match_of_a = match(cells, *in.a, *in.b, match_of_b, matched_cell);
    r.people_moved = r.people;
    fill_matches(r, in, cells, match_of_b, matched_cell);
    r.people_moved = std::max(0.0, r.people_moved);
    r.variation_of_information = variation_of_information(cells, in.a->units.size(), in.b->units.size(), r.people);
    if (finer_people) r.changed = finer_changes(pieces, cells, in, match_of_a);
    const auto& to_wgs84 = detail::thread_transformer(in.analysis_crs, "EPSG:4326");
    for (cell& c : cells) {
        if (match_of_a[c.a] == c.b || c.area_m2 < in.sliver_km2 * km2) continue;
        r.changed_cells.push_back({in.a->units[c.a].code, in.b->units[c.b].code, c.people, c.area_m2 / km2,
                                   to_wgs84.forward(c.geometry.get())});
    }
    return r;
}

}  // namespace microplan::geo::design
