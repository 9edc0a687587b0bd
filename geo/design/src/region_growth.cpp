#include "microplan/geo/design/region_growth.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <random>
#include <unordered_map>

namespace microplan::geo::design {

namespace {

// A uniform double in [0, 1) from the generator's bits: std::uniform_real_distribution is
// implementation-defined, this is the same on every platform.
double unit_random(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

struct growth {
    std::vector<int> output_of;
    std::vector<double> population;
    std::size_t unreachable = 0;
    double score = 0;  // largest relative deviation from the targets
};

// One region's design: the pieces, who may take them, the outputs' centres and seeds, and
// the growth, Lloyd rounds and flips over them. One per grow_region call.
class region_grower {
public:
    region_grower(const piece_graph& graph, const region_problem& problem)
        : graph_(graph),
          problem_(problem),
          all_(graph.pieces()),
          n_(problem.pieces.size()),
          K_(static_cast<int>(problem.targets.size())),
          targets_(problem.targets),
          allowed_(n_, nullptr),
          fixed_(n_, -1),
          has_fixed_(static_cast<std::size_t>(K_), false),
          cx_(static_cast<std::size_t>(K_), 0),
          cy_(static_cast<std::size_t>(K_), 0),
          seed_(static_cast<std::size_t>(K_), -1) {
        local_.reserve(n_ * 2);
        for (std::size_t i = 0; i < n_; ++i) local_.emplace(problem_.pieces[i], static_cast<std::uint32_t>(i));
        std::unordered_map<std::uint32_t, const std::vector<int>*> allowed_of_atom;
        for (const auto& [atom, outs] : problem_.allowed)
            if (!outs.empty()) allowed_of_atom[atom] = &outs;
        for (std::size_t i = 0; i < n_; ++i) {
            auto it = allowed_of_atom.find(all_[problem_.pieces[i]].atom);
            if (it == allowed_of_atom.end()) continue;
            allowed_[i] = it->second;
            if (it->second->size() == 1) fixed_[i] = it->second->front();
        }
        for (std::size_t i = 0; i < n_; ++i)
            if (fixed_[i] >= 0) has_fixed_[static_cast<std::size_t>(fixed_[i])] = true;
    }

    region_result run() {
        centre_fixed();
        std::mt19937_64 rng(problem_.seed);
        place_seeds(rng);
        growth best = grow();
        if (problem_.settle_free && settle_free(best)) best = grow();
        for (int round = 0; round < problem_.rounds; ++round) {
            if (!lloyd_step(best)) break;
            growth next = grow();
            if (next.score < best.score - 1e-12)
                best = std::move(next);
            else
                break;
        }
        refine(best);
        region_result out;
        out.output_of = std::move(best.output_of);
        out.population = std::move(best.population);
        out.unreachable = best.unreachable;
        out.targets = std::move(targets_);
        return out;
    }

private:
    [[nodiscard]] bool may(std::size_t i, int k) const {
        return !allowed_[i] || std::find(allowed_[i]->begin(), allowed_[i]->end(), k) != allowed_[i]->end();
    }
    [[nodiscard]] double X(std::size_t i) const { return all_[problem_.pieces[i]].x; }
    [[nodiscard]] double Y(std::size_t i) const { return all_[problem_.pieces[i]].y; }
    [[nodiscard]] double P(std::size_t i) const { return all_[problem_.pieces[i]].population; }

    // Minutes from (x, y) to every region piece (problem_.travel must be set).
    [[nodiscard]] std::vector<double> minutes_from(double x, double y) const {
        std::vector<std::pair<double, double>> to(n_);
        for (std::size_t i = 0; i < n_; ++i) to[i] = {X(i), Y(i)};
        std::vector<double> m = problem_.travel({x, y}, to);
        m.resize(n_, std::numeric_limits<double>::infinity());
        return m;
    }

    // Centres of outputs with fixed pieces: their population centroid.
    void centre_fixed() {
        std::vector<double> w(static_cast<std::size_t>(K_), 0);
        for (std::size_t i = 0; i < n_; ++i) {
            if (fixed_[i] < 0) continue;
            auto k = static_cast<std::size_t>(fixed_[i]);
            double wi = P(i) + 1e-9;
            cx_[k] += X(i) * wi, cy_[k] += Y(i) * wi, w[k] += wi;
        }
        for (int k = 0; k < K_; ++k)
            if (has_fixed_[k]) cx_[k] /= w[k], cy_[k] /= w[k];
    }

    // Connected parts of what is not fixed, through pieces open to the same outputs (an atom
    // in two pieces, islands, a city part cut off by parishes split among other circuits):
    // the part of each piece (-1 for fixed pieces) and the people of each part.
    [[nodiscard]] std::pair<std::vector<int>, std::vector<double>> connected_parts() const {
        std::vector<int> part(n_, -1);
        std::vector<double> part_pop;
        for (std::size_t i = 0; i < n_; ++i) {
            if (part[i] >= 0 || fixed_[i] >= 0) continue;  // parts of what outputs still share
            const int c = static_cast<int>(part_pop.size());
            part_pop.push_back(0);
            std::vector<std::size_t> stack{i};
            part[i] = c;
            while (!stack.empty()) {
                std::size_t u = stack.back();
                stack.pop_back();
                part_pop[static_cast<std::size_t>(c)] += P(u);
                for (std::uint32_t q : graph_.neighbours(problem_.pieces[u])) {
                    auto it = local_.find(q);
                    if (it == local_.end() || part[it->second] >= 0 || fixed_[it->second] >= 0) continue;
                    if (allowed_[it->second] != allowed_[u] &&
                        !(allowed_[u] && allowed_[it->second] && *allowed_[u] == *allowed_[it->second]))
                        continue;  // another set of outputs: not a way through for these
                    part[it->second] = c;
                    stack.push_back(it->second);
                }
            }
        }
        return {std::move(part), std::move(part_pop)};
    }

    // Seeds for the outputs that need one: the given starting points, then k-means++ on people
    // within the connected part each output is given. An output needs a seed when it has no
    // fixed pieces, or when it shares a split atom none of its fixed pieces touch (a district
    // with a far rural parish and a share of the city): it could not grow there otherwise.
    void place_seeds(std::mt19937_64& rng) {
        // Seeds go in the pieces an output is named for (a split atom it shares), not in free
        // atoms that may lie away from them; free pieces only when it has nothing else.
        std::vector<bool> named(static_cast<std::size_t>(K_), false), touches(static_cast<std::size_t>(K_), false);
        for (std::size_t i = 0; i < n_; ++i) {
            if (!allowed_[i] || fixed_[i] >= 0) continue;
            for (int k : *allowed_[i]) named[static_cast<std::size_t>(k)] = true;
            for (std::uint32_t q : graph_.neighbours(problem_.pieces[i])) {
                auto it = local_.find(q);
                if (it != local_.end() && fixed_[it->second] >= 0 && may(i, fixed_[it->second]))
                    touches[static_cast<std::size_t>(fixed_[it->second])] = true;
            }
        }
        std::vector<bool> needs(static_cast<std::size_t>(K_));
        for (int k = 0; k < K_; ++k) needs[k] = !has_fixed_[k] || (named[k] && !touches[k]);
        std::vector<std::pair<double, double>> placed;
        for (int k = 0; k < K_; ++k)
            if (!needs[k]) placed.emplace_back(cx_[k], cy_[k]);
        std::vector<bool> taken(n_, false);
        // Seeds are shared among the connected parts in proportion to their people (D'Hondt),
        // so a small exclave does not take two seeds.
        // Named, not a structured binding: clang 14 (make fuzz) cannot capture bindings in lambdas.
        const auto parts = connected_parts();
        const std::vector<int>& part = parts.first;
        const std::vector<double>& part_pop = parts.second;
        std::vector<double> part_seeds(part_pop.size(), 0);
        std::vector<int> part_of_output(static_cast<std::size_t>(K_), -1);
        auto seedable_any_part = [&](std::size_t i, int k) {
            if (fixed_[i] >= 0 || taken[i] || !may(i, k)) return false;
            return !named[static_cast<std::size_t>(k)] || allowed_[i] != nullptr;
        };
        auto choose_part = [&](int k) {
            std::vector<bool> has(part_pop.size(), false);
            for (std::size_t i = 0; i < n_; ++i)
                if (seedable_any_part(i, k)) has[static_cast<std::size_t>(part[i])] = true;
            int best = -1;
            double best_q = -1;
            for (std::size_t c = 0; c < part_pop.size(); ++c) {
                if (!has[c]) continue;
                double q = part_pop[c] / (part_seeds[c] + 1);
                if (q > best_q) best_q = q, best = static_cast<int>(c);
            }
            if (best >= 0) part_seeds[static_cast<std::size_t>(best)] += 1;
            part_of_output[static_cast<std::size_t>(k)] = best;
        };
        auto seedable = [&](std::size_t i, int k) {
            return seedable_any_part(i, k) && part[i] >= 0 &&
                   (part_of_output[static_cast<std::size_t>(k)] < 0 ||
                    part[i] == part_of_output[static_cast<std::size_t>(k)]);
        };
        // Given starting points first.
        for (int k = 0; k < K_; ++k) {
            if (!needs[k] || static_cast<std::size_t>(k) >= problem_.seed_points.size() || !problem_.seed_points[k])
                continue;
            auto [sx, sy] = *problem_.seed_points[k];
            double bd = std::numeric_limits<double>::infinity();
            for (std::size_t i = 0; i < n_; ++i) {
                if (!seedable(i, k)) continue;
                double d = (X(i) - sx) * (X(i) - sx) + (Y(i) - sy) * (Y(i) - sy);
                if (d < bd) bd = d, seed_[k] = static_cast<std::ptrdiff_t>(i);
            }
            if (seed_[k] < 0) continue;
            taken[static_cast<std::size_t>(seed_[k])] = true;
            cx_[k] = X(static_cast<std::size_t>(seed_[k])), cy_[k] = Y(static_cast<std::size_t>(seed_[k]));
            placed.emplace_back(cx_[k], cy_[k]);
        }
        // With travel times, the distance to a placed seed is in minutes (one search per seed).
        std::vector<std::vector<double>> placed_minutes;
        auto distance2 = [&](std::size_t i, std::size_t p) {
            if (!problem_.travel) {
                auto [px, py] = placed[p];
                return (X(i) - px) * (X(i) - px) + (Y(i) - py) * (Y(i) - py);
            }
            while (placed_minutes.size() <= p)
                placed_minutes.push_back(minutes_from(placed[p].first, placed[p].second));
            const double m = std::min(placed_minutes[p][i], 1e12);  // unreachable: far, not infinite
            return m * m;
        };
        for (int k = 0; k < K_; ++k) {
            if (!needs[k] || seed_[k] >= 0) continue;
            choose_part(k);
            std::vector<double> weight(n_, 0);
            double total = 0;
            for (std::size_t i = 0; i < n_; ++i) {
                if (!seedable(i, k)) continue;
                double d2 = 1;
                if (!placed.empty()) {
                    d2 = std::numeric_limits<double>::infinity();
                    for (std::size_t p = 0; p < placed.size(); ++p) d2 = std::min(d2, distance2(i, p));
                }
                weight[i] = (P(i) + 1e-6) * d2;
                total += weight[i];
            }
            if (!(total > 0)) continue;  // nothing it may take: it stays empty
            double r = unit_random(rng) * total;
            std::size_t pick = n_;
            for (std::size_t i = 0; i < n_; ++i) {
                if (weight[i] <= 0) continue;
                pick = i;
                r -= weight[i];
                if (r < 0) break;
            }
            seed_[k] = static_cast<std::ptrdiff_t>(pick);
            taken[pick] = true;
            cx_[k] = X(pick), cy_[k] = Y(pick);
            placed.emplace_back(cx_[k], cy_[k]);
        }
    }

    // Every piece to an output: fixed pieces and seeds first, then the least-filled output
    // takes the nearest piece on its frontier.
    [[nodiscard]] growth grow() const {
        growth gr;
        gr.output_of.assign(n_, -1);
        gr.population.assign(static_cast<std::size_t>(K_), 0);
        using entry = std::pair<double, std::uint32_t>;
        std::vector<std::priority_queue<entry, std::vector<entry>, std::greater<>>> frontier(
            static_cast<std::size_t>(K_));
        // With travel times: minutes from each output's seed (or centre) to every piece.
        std::vector<std::vector<double>> minutes(problem_.travel ? static_cast<std::size_t>(K_) : 0);
        for (std::size_t k = 0; k < minutes.size(); ++k)
            minutes[k] = seed_[k] >= 0 ? minutes_from(X(static_cast<std::size_t>(seed_[k])),
                                                      Y(static_cast<std::size_t>(seed_[k])))
                                       : minutes_from(cx_[k], cy_[k]);
        auto take = [&](std::size_t i, int k) {
            gr.output_of[i] = k;
            gr.population[static_cast<std::size_t>(k)] += P(i);
        };
        auto push_neighbours = [&](std::size_t i, int k) {
            for (std::uint32_t nb : graph_.neighbours(problem_.pieces[i])) {
                auto it = local_.find(nb);
                if (it == local_.end()) continue;
                std::size_t j = it->second;
                if (gr.output_of[j] >= 0 || !may(j, k)) continue;
                double d = !minutes.empty() ? minutes[static_cast<std::size_t>(k)][j]
                                            : (X(j) - cx_[k]) * (X(j) - cx_[k]) + (Y(j) - cy_[k]) * (Y(j) - cy_[k]);
                frontier[static_cast<std::size_t>(k)].emplace(d, static_cast<std::uint32_t>(j));
            }
        };
        for (std::size_t i = 0; i < n_; ++i)
            if (fixed_[i] >= 0) take(i, fixed_[i]);
        for (int k = 0; k < K_; ++k)
            if (seed_[k] >= 0 && gr.output_of[static_cast<std::size_t>(seed_[k])] < 0)
                take(static_cast<std::size_t>(seed_[k]), k);
        for (std::size_t i = 0; i < n_; ++i)
            if (gr.output_of[i] >= 0) push_neighbours(i, gr.output_of[i]);
        auto ratio = [&](int k) {
            double t = targets_[static_cast<std::size_t>(k)];
            return t > 0 ? gr.population[static_cast<std::size_t>(k)] / t : std::numeric_limits<double>::infinity();
        };
        using turn = std::pair<double, int>;
        std::priority_queue<turn, std::vector<turn>, std::greater<>> order;
        for (int k = 0; k < K_; ++k) order.emplace(ratio(k), k);
        while (!order.empty()) {
            auto [rk, k] = order.top();
            order.pop();
            if (rk != ratio(k)) continue;  // stale
            auto& f = frontier[static_cast<std::size_t>(k)];
            while (!f.empty() && gr.output_of[f.top().second] >= 0) f.pop();
            if (f.empty()) continue;  // exhausted
            std::size_t i = f.top().second;
            f.pop();
            take(i, k);
            push_neighbours(i, k);
            order.emplace(ratio(k), k);
        }
        // What no allowed output reached goes to the nearest allowed centre.
        for (std::size_t i = 0; i < n_; ++i) {
            if (gr.output_of[i] >= 0) continue;
            int best = -1;
            double bd = std::numeric_limits<double>::infinity();
            for (int k = 0; k < K_; ++k) {
                if (!may(i, k)) continue;
                double d = (X(i) - cx_[k]) * (X(i) - cx_[k]) + (Y(i) - cy_[k]) * (Y(i) - cy_[k]);
                if (d < bd) bd = d, best = k;
            }
            if (best < 0) best = 0;
            take(i, best);
            ++gr.unreachable;
        }
        for (int k = 0; k < K_; ++k) {
            double t = targets_[static_cast<std::size_t>(k)];
            if (t > 0) gr.score = std::max(gr.score, std::abs(gr.population[static_cast<std::size_t>(k)] / t - 1));
        }
        return gr;
    }

    // Free pieces stay where the first growth put them and count in that output's target, so
    // the split pieces balance the totals. True when there were any.
    bool settle_free(const growth& first) {
        bool any = false;
        for (std::size_t i = 0; i < n_; ++i) {
            if (allowed_[i]) continue;
            auto k = static_cast<std::size_t>(first.output_of[i]);
            fixed_[i] = first.output_of[i];
            targets_[k] += P(i);
            has_fixed_[k] = true;
            any = true;
        }
        return any;
    }

    // One Lloyd step: centres to the population centroid of what each output got, seeds to the
    // piece nearest that centroid. False when no centre moved.
    bool lloyd_step(const growth& last) {
        std::vector<double> w(static_cast<std::size_t>(K_), 0), sx(static_cast<std::size_t>(K_), 0),
            sy(static_cast<std::size_t>(K_), 0);
        for (std::size_t i = 0; i < n_; ++i) {
            auto k = static_cast<std::size_t>(last.output_of[i]);
            double wi = P(i) + 1e-9;
            sx[k] += X(i) * wi, sy[k] += Y(i) * wi, w[k] += wi;
        }
        bool moved = false;
        for (int k = 0; k < K_; ++k) {
            if (!(w[k] > 0)) continue;
            double nx = sx[k] / w[k], ny = sy[k] / w[k];
            if (std::abs(nx - cx_[k]) + std::abs(ny - cy_[k]) > 1) moved = true;
            cx_[k] = nx, cy_[k] = ny;
            if (has_fixed_[k]) continue;
            double bd = std::numeric_limits<double>::infinity();
            for (std::size_t i = 0; i < n_; ++i) {
                if (last.output_of[i] != k || fixed_[i] >= 0) continue;
                double d = (X(i) - nx) * (X(i) - nx) + (Y(i) - ny) * (Y(i) - ny);
                if (d < bd) bd = d, seed_[k] = static_cast<std::ptrdiff_t>(i);
            }
        }
        return moved;
    }

    // Boundary moves (GerryChain's "flip"): a piece moves to a neighbouring output when that
    // lowers the two outputs' summed squared relative deviations (so surplus flows on through
    // outputs already at their target), keeps the giving output connected and does not
    // leave the piece poking into its new output (it must touch it at least as much as it
    // touched the old one, less one).
    void refine(growth& g) const {
        std::vector<std::vector<std::uint32_t>> nb(n_);
        for (std::size_t i = 0; i < n_; ++i)
            for (std::uint32_t q : graph_.neighbours(problem_.pieces[i])) {
                auto it = local_.find(q);
                if (it != local_.end()) nb[i].push_back(it->second);
            }
        auto miss = [&](std::size_t k, double pop) {
            double t = targets_[k];
            return t > 0 ? (pop - t) * (pop - t) / (t * t) : 0.0;
        };
        std::vector<std::uint32_t> mark(n_, 0);
        std::uint32_t stamp = 0;
        // Does output k stay connected without piece i? BFS from one of i's k-neighbours until
        // all of them are reached.
        auto stays_connected = [&](std::size_t i, int k) {
            std::vector<std::uint32_t> want;
            for (std::uint32_t j : nb[i])
                if (g.output_of[j] == k) want.push_back(j);
            if (want.size() <= 1) return !want.empty();
            ++stamp;
            mark[i] = stamp;
            std::vector<std::uint32_t> stack{want[0]};
            mark[want[0]] = stamp;
            std::size_t found = 1;
            std::vector<char> is_want(want.size(), 0);
            while (!stack.empty() && found < want.size()) {
                std::uint32_t u = stack.back();
                stack.pop_back();
                for (std::uint32_t v : nb[u]) {
                    if (mark[v] == stamp || g.output_of[v] != k) continue;
                    mark[v] = stamp;
                    for (std::size_t w = 1; w < want.size(); ++w)
                        if (want[w] == v && !is_want[w]) is_want[w] = 1, ++found;
                    stack.push_back(v);
                }
            }
            return found == want.size();
        };
        for (int pass = 0; pass < 400; ++pass) {
            std::size_t moves = 0;
            for (std::size_t i = 0; i < n_; ++i) {
                if (fixed_[i] >= 0) continue;
                const int from = g.output_of[i];
                const auto f = static_cast<std::size_t>(from);
                int best_to = -1;
                double best_gain = 1e-15;
                std::map<int, int> touch;
                for (std::uint32_t j : nb[i]) ++touch[g.output_of[j]];
                for (const auto& [to, count] : touch) {
                    if (to == from || !may(i, to) || count < touch[from] - 1) continue;
                    const auto t = static_cast<std::size_t>(to);
                    // An empty piece weighs a thousandth of a person, so outputs can cross
                    // uninhabited land (a park, a hillside) towards people.
                    const double w = P(i) + 1e-3;
                    double before = miss(f, g.population[f]) + miss(t, g.population[t]);
                    double after = miss(f, g.population[f] - w) + miss(t, g.population[t] + w);
                    if (before - after > best_gain) best_gain = before - after, best_to = to;
                }
                if (best_to < 0 || !stays_connected(i, from)) continue;
                g.population[f] -= P(i);
                g.population[static_cast<std::size_t>(best_to)] += P(i);
                g.output_of[i] = best_to;
                ++moves;
            }
            if (moves == 0) break;
        }
    }

    const piece_graph& graph_;
    const region_problem& problem_;
    const std::vector<piece>& all_;
    const std::size_t n_;
    const int K_;
    std::vector<double> targets_;                             // the problem's, plus settled free pieces
    std::unordered_map<std::uint32_t, std::uint32_t> local_;  // graph piece -> region index
    std::vector<const std::vector<int>*> allowed_;            // per region piece; null: any output
    std::vector<int> fixed_;                                  // per region piece; -1: not fixed
    std::vector<bool> has_fixed_;
    std::vector<double> cx_, cy_;  // output centres
    std::vector<std::ptrdiff_t> seed_;
};

}  // namespace

region_result grow_region(const piece_graph& graph, const region_problem& problem) {
    if (problem.targets.empty() || problem.pieces.empty()) {
        region_result r;
        r.output_of.assign(problem.pieces.size(), -1);
        r.population.assign(problem.targets.size(), 0);
        r.targets = problem.targets;
        return r;
    }
    return region_grower(graph, problem).run();
}

std::vector<bool> balanced_targets(const piece_graph& graph, region_problem& problem, std::size_t outputs,
                                   const std::function<double(std::uint32_t, int)>& weight) {
    std::unordered_map<std::uint32_t, const std::vector<int>*> allowed;
    for (const auto& [atom, outs] : problem.allowed) allowed[atom] = &outs;
    std::vector<double> target(outputs, 0);
    std::vector<bool> shaped(outputs, false);
    std::map<std::uint32_t, double> contested;
    for (std::uint32_t p : problem.pieces) {
        const piece& pc = graph.pieces()[p];
        auto it = allowed.find(pc.atom);
        if (it == allowed.end() || it->second->empty()) continue;  // free: whoever grows into it
        if (it->second->size() == 1)
            target[static_cast<std::size_t>(it->second->front())] += pc.population;
        else
            contested[pc.atom] += pc.population;
    }
    for (const auto& [atom, pop] : contested) {
        const auto& outs = *allowed.at(atom);
        double total = 0;
        for (int k : outs) total += weight(atom, k);
        for (int k : outs) {
            target[static_cast<std::size_t>(k)] +=
                pop * (total > 0 ? weight(atom, k) / total : 1.0 / static_cast<double>(outs.size()));
            shaped[static_cast<std::size_t>(k)] = true;
        }
    }
    problem.targets = target;
    return shaped;
}

}  // namespace microplan::geo::design
