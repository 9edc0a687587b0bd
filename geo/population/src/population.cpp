#include "microplan/geo/population/population.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/names.hpp"
#include "microplan/geo/population/zonal.hpp"

namespace microplan::geo {

namespace {

bool is_population_field(const std::string& key) {
    for (const char* p : {"pob", "poblacion", "population", "habitantes", "total", "pop"})
        if (key.starts_with(p)) return true;
    return false;
}

}  // namespace

namespace {

// A table read once with every value as text, and where it came from (for messages).
struct text_table {
    std::string path, layer;
    std::vector<std::string> fields;
    std::string available;  // "a, b, c", for messages
    std::vector<std::vector<std::string>> rows;
    std::vector<long long> fids;  // CSV: the data line; else the feature id

    [[nodiscard]] error_location where(std::string field = {}) const {
        return error_location{path, layer, {}, std::move(field), {}};
    }
    // The index of field `name` (exact, else loosely compared); format_error naming `what` when absent.
    [[nodiscard]] int find(const std::string& name, const char* what) const {
        if (auto i = names::find_field(fields, name)) return static_cast<int>(*i);
        throw format_error(
            where(name), "field not found",
            std::string("the ") + what + " field '" + name + "' is not in the table; its fields are: " + available);
    }
};

text_table read_text_table(const population_table_options& opt) {
    GDALDatasetUniquePtr ds = gdal::open_vector(opt.path);
    OGRLayer& layer = gdal::pick_layer(*ds, opt.path, opt.layer);
    text_table t;
    t.path = opt.path;
    t.layer = layer.GetName();
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) t.fields.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    for (const auto& f : t.fields) t.available += (t.available.empty() ? "" : ", ") + f;
    const bool csv = ds->GetDriver() && std::string(ds->GetDriver()->GetDescription()) == "CSV";
    for (auto& f : layer) {
        std::vector<std::string> r(t.fields.size());
        for (std::size_t i = 0; i < t.fields.size(); ++i)
            if (f->IsFieldSetAndNotNull(static_cast<int>(i))) r[i] = f->GetFieldAsString(static_cast<int>(i));
        t.rows.push_back(std::move(r));
        t.fids.push_back(csv ? static_cast<long long>(t.rows.size()) : f->GetFID());
    }
    if (t.rows.empty()) throw format_error(t.where(), "empty table", "the table has no rows");
    return t;
}

// The code field: given, or the field whose values best have the level's code shape.
int code_field(const text_table& t, const population_table_options& opt) {
    if (!opt.code_field.empty()) return t.find(opt.code_field, "code");
    int code_i = -1;
    double best = 0.8;
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        std::size_t seen = 0, good = 0;
        for (const auto& r : t.rows) {
            if (r[i].empty()) continue;
            ++seen;
            if (code_is_well_formed(opt.lvl, normalise_code(opt.lvl, r[i]))) ++good;
        }
        double score = seen ? static_cast<double>(good) / static_cast<double>(seen) : 0;
        if (score > best) {
            best = score;
            code_i = static_cast<int>(i);
        }
    }
    if (code_i < 0)
        throw format_error(t.where(), "no code field",
                           "no field holds " + std::string(level_name(opt.lvl)) + " codes (" +
                               std::string(code_shape(opt.lvl)) + "); name it with " + opt.code_flag +
                               ". Fields: " + t.available);
    return code_i;
}

// The total's field when none is named: the only population-like field; else the one naming
// the year, preferring census ("cpv", "censo") over modelled series.
int detected_population_field(const text_table& t, const population_table_options& opt, int code_i) {
    std::vector<int> cand;
    for (std::size_t i = 0; i < t.fields.size(); ++i)
        if (static_cast<int>(i) != code_i && is_population_field(names::field_key(t.fields[i])))
            cand.push_back(static_cast<int>(i));
    auto narrow = [&](auto pred) {
        std::vector<int> keep;
        for (int i : cand)
            if (pred(names::field_key(t.fields[static_cast<std::size_t>(i)]))) keep.push_back(i);
        if (!keep.empty()) cand = keep;
    };
    if (cand.size() > 1 && opt.year > 0)
        narrow([&](const std::string& k) { return k.find(std::to_string(opt.year)) != std::string::npos; });
    if (cand.size() > 1)
        narrow([](const std::string& k) {
            return k.find("cpv") != std::string::npos || k.find("censo") != std::string::npos ||
                   k.find("census") != std::string::npos;
        });
    if (cand.size() != 1) {
        std::string names_found;
        for (int i : cand) names_found += (names_found.empty() ? "" : ", ") + t.fields[static_cast<std::size_t>(i)];
        throw format_error(t.where(), cand.empty() ? "no population field" : "ambiguous population field",
                           cand.empty() ? "no field looks like a population count (pob*, poblacion*, population*, "
                                          "total*); name it with " +
                                              opt.value_flag + ". Fields: " + t.available
                                        : "several fields could hold the population (" + names_found +
                                              "); choose one with " + opt.value_flag);
    }
    return cand.front();
}

// Band label -> field: the total first (given or detected), then the age bands asked for.
std::vector<std::pair<std::string, int>> band_fields(const text_table& t, const population_table_options& opt,
                                                     int code_i) {
    std::vector<std::pair<std::string, int>> out;
    if (!opt.value_field.empty())
        out.emplace_back(total_band, t.find(opt.value_field, "population"));
    else if (opt.bands.empty() ||
             std::none_of(opt.bands.begin(), opt.bands.end(), [](const auto& b) { return b.first == total_band; }))
        out.emplace_back(total_band, detected_population_field(t, opt, code_i));
    for (const auto& [label, field] : opt.bands) out.emplace_back(label, t.find(field, "age band"));
    return out;
}

// Joins each row to its unit by code; every row that cannot be used is reported.
void join_rows(const text_table& t, const population_table_options& opt, const unit_layer& units, int code_i,
               const std::vector<std::pair<std::string, int>>& bands, std::set<std::string>& seen_units,
               population_table_result& out) {
    std::map<std::string, const unit*> by_code;
    for (const auto& u : units.units) by_code.emplace(u.code, &u);
    std::set<std::string> seen_codes;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        const std::vector<std::string>& row = t.rows[r];
        std::string code = normalise_code(opt.lvl, row[static_cast<std::size_t>(code_i)]);
        auto report = [&](severity sev, std::string rule, std::string message, std::string field = {}) {
            finding f;
            f.sev = sev;
            f.rule = std::move(rule);
            f.lvl = opt.lvl;
            f.code = code;
            f.feature = t.fids[r];
            f.message = "row " + std::to_string(t.fids[r]) + (field.empty() ? "" : ", field " + field) + ": " +
                        std::move(message);
            out.report.add(std::move(f));
        };
        if (auto problem = code_text_problem(row[static_cast<std::size_t>(code_i)])) {
            report(severity::error, "population.code_not_text",
                   "'" + row[static_cast<std::size_t>(code_i)] + "' is not a code: " + *problem + "; row skipped",
                   out.code_field);
            continue;
        }
        if (code.empty()) {
            report(severity::warning, "population.no_code",
                   "no " + std::string(level_name(opt.lvl)) + " code; row skipped", out.code_field);
            continue;
        }
        if (!seen_codes.insert(code).second) {
            report(severity::error, "population.duplicate_code",
                   "code " + code + " appears again; the first row is kept", out.code_field);
            continue;
        }
        if (by_code.find(code) == by_code.end()) {
            out.unmatched_codes.push_back(code);
            report(severity::warning, "population.code_unmatched",
                   "code " + code + " (as written: '" + row[static_cast<std::size_t>(code_i)] + "') matches no " +
                       std::string(level_name(opt.lvl)) + " in the store; its population is not used");
            continue;
        }
        if (!bands.empty() && row[static_cast<std::size_t>(bands.front().second)].empty()) {
            report(severity::warning, "population.no_value",
                   "no value for " + std::string(level_name(opt.lvl)) + " " + code +
                       "; it counts as a unit without population",
                   t.fields[static_cast<std::size_t>(bands.front().second)]);
            continue;
        }
        seen_units.insert(code);
        ++out.matched;
        for (const auto& [label, fi] : bands) {
            const std::string& raw = row[static_cast<std::size_t>(fi)];
            auto v = parse_number(raw);
            if (!v || *v < 0) {
                report(severity::error, "population.bad_value",
                       "'" + raw + "' is not a non-negative number; " + std::string(level_name(opt.lvl)) + " " + code +
                           " gets no " + label + " population",
                       t.fields[static_cast<std::size_t>(fi)]);
                continue;
            }
            if (!bounds::within(*v, bounds::people))
                throw format_error({t.path, t.layer, t.fids[r], t.fields[static_cast<std::size_t>(fi)], code},
                                   "population out of range",
                                   "row " + std::to_string(t.fids[r]) + ": the " + label + " population of " +
                                       std::string(level_name(opt.lvl)) + " " + code + ": " +
                                       bounds::violation(raw, bounds::people));
            out.values[label][code] = *v;
        }
    }
}

}  // namespace

population_table_result read_population_table(const population_table_options& opt, const unit_layer& units) {
    if (opt.year != 0 && !bounds::within(opt.year, bounds::year))
        throw format_error({opt.path, opt.layer, {}, {}, {}}, "year out of range",
                           "the year of the figures " + bounds::violation(opt.year, bounds::year));
    const text_table t = read_text_table(opt);
    population_table_result out;
    out.rows = t.rows.size();
    const int code_i = code_field(t, opt);
    out.code_field = t.fields[static_cast<std::size_t>(code_i)];
    const auto bands = band_fields(t, opt, code_i);
    out.value_field = bands.empty() ? std::string() : t.fields[static_cast<std::size_t>(bands.front().second)];
    std::set<std::string> seen_units;
    join_rows(t, opt, units, code_i, bands, seen_units, out);
    for (const auto& u : units.units) {
        if (seen_units.count(u.code)) continue;
        out.units_missing.push_back(u.code);
        finding f;
        f.sev = severity::warning;
        f.rule = "population.unit_missing";
        f.lvl = opt.lvl;
        f.code = u.code;
        f.message =
            std::string(level_name(opt.lvl)) + " " + u.code + " (" + u.name + ") has no row (or no value) in the table";
        out.report.add(std::move(f));
    }
    return out;
}

void check_population_raster(const std::string& path, const zonal_result& z) {
    const error_location where{path, {}, {}, {}, {}};
    if (z.window_cells > 0 && z.window_valid == 0)
        throw format_error(where, "no population",
                           "every one of the " + std::to_string(z.window_cells) +
                               " cells under the units is NoData: the raster holds no population there (a wrong "
                               "NoData value, or a raster of another area)");
    if (z.window_valid == 0) return;
    if (z.window_min < 0)
        throw format_error(where, "negative population",
                           "a cell holds " + bounds::violation(z.window_min, bounds::people) +
                               " (people cannot be negative: set the raster's NoData value if it marks missing cells)");
    if (!bounds::within(z.window_max, bounds::people))
        throw format_error(where, "population out of range",
                           "a cell holds " + bounds::violation(z.window_max, bounds::people));
}

allocation_result allocate_population(const unit_layer& sources, const population_values& values,
                                      const unit_layer& targets, const allocation_options& options) {
    allocation_result out;
    proj::transformer to_analysis("EPSG:4326", options.analysis_crs);
    auto projected = [&](const unit& u) -> geos::geom_ptr {
        return u.projected ? geos::clone(u.projected.get()) : to_analysis.forward(u.geometry.get());
    };
    std::vector<geos::geom_ptr> src, tgt;
    std::vector<geos::envelope> src_env, tgt_env;
    for (const auto& u : sources.units) {
        src.push_back(projected(u));
        src_env.push_back(src.back() ? geos::envelope_of(src.back().get()) : geos::envelope{});
    }
    for (const auto& u : targets.units) {
        tgt.push_back(projected(u));
        tgt_env.push_back(tgt.back() ? geos::envelope_of(tgt.back().get()) : geos::envelope{});
    }
    // Pieces source x target, in parallel over sources (each thread its GEOS context).
    struct piece {
        std::size_t target;
        double area;
        geos::geom_ptr geom;
    };
    std::vector<std::vector<piece>> pieces(sources.units.size());
    auto overlaps = [](const geos::envelope& a, const geos::envelope& b) {
        return a.minx <= b.maxx && b.minx <= a.maxx && a.miny <= b.maxy && b.miny <= a.maxy;
    };
    parallel_for(sources.units.size(), options.threads, [&](std::size_t s) {
        if (!src[s]) return;
        for (std::size_t t = 0; t < tgt.size(); ++t) {
            if (!tgt[t] || !overlaps(src_env[s], tgt_env[t])) continue;
            geos::geom_ptr g =
                geos::polygonal_parts_as_multipolygon(geos::intersection(src[s].get(), tgt[t].get()).get());
            double a = g ? geos::area(g.get()) : 0;
            if (a > 0) pieces[s].push_back(piece{t, a, std::move(g)});
        }
    });
    // Dasymetric weights: raster population inside each piece.
    std::vector<std::vector<double>> weight(sources.units.size());
    for (std::size_t s = 0; s < pieces.size(); ++s)
        for (const auto& p : pieces[s]) weight[s].push_back(p.area);
    if (options.method == allocation_method::dasymetric) {
        std::vector<const GEOSGeometry*> all;
        for (const auto& ps : pieces)
            for (const auto& p : ps) all.push_back(p.geom.get());
        std::vector<double> pop(all.size(), 0.0);
        for (const auto& raster : options.rasters) {
            zonal_options zo;
            zo.threads = options.threads;
            auto z = zonal_sums(raster, all, options.analysis_crs, zo);
            check_population_raster(raster, z);
            for (std::size_t i = 0; i < pop.size(); ++i) pop[i] += z.sums[i];
        }
        std::size_t k = 0;
        for (std::size_t s = 0; s < pieces.size(); ++s) {
            double sum = 0;
            std::vector<double> w;
            for (std::size_t j = 0; j < pieces[s].size(); ++j, ++k) {
                w.push_back(pop[k]);
                sum += pop[k];
            }
            if (sum > 0) {
                weight[s] = std::move(w);
            } else if (!pieces[s].empty()) {
                finding f;
                f.sev = severity::info;
                f.rule = "population.area_fallback";
                f.lvl = sources.lvl;
                f.code = sources.units[s].code;
                f.message = std::string(level_name(sources.lvl)) + " " + sources.units[s].code +
                            ": the raster holds no population inside it; allocated by area";
                out.report.add(std::move(f));
            }
        }
    }
    for (const auto& p : pieces) out.pieces += p.size();
    for (const auto& [band, by_code] : values) {
        auto& dest = out.values[band];
        for (const auto& u : targets.units) dest[u.code] = 0;
        bool counts_total = band == total_band || (values.count(total_band) == 0 && band == values.begin()->first);
        for (std::size_t s = 0; s < sources.units.size(); ++s) {
            auto it = by_code.find(sources.units[s].code);
            if (it == by_code.end()) continue;
            double value = it->second;
            if (counts_total) out.source_total += value;
            double wsum = 0;
            for (double w : weight[s]) wsum += w;
            if (wsum <= 0) {
                if (counts_total && value > 0) {
                    finding f;
                    f.sev = severity::error;
                    f.rule = "population.source_uncovered";
                    f.lvl = sources.lvl;
                    f.code = sources.units[s].code;
                    f.message = std::string(level_name(sources.lvl)) + " " + sources.units[s].code + " (" +
                                sources.units[s].name + ") touches no " + std::string(level_name(targets.lvl)) +
                                "; its " + std::to_string(std::llround(value)) + " people are not allocated";
                    out.report.add(std::move(f));
                }
                continue;
            }
            for (std::size_t j = 0; j < pieces[s].size(); ++j) {
                double share = value * weight[s][j] / wsum;
                dest[targets.units[pieces[s][j].target].code] += share;
                if (counts_total) out.allocated_total += share;
            }
        }
    }
    return out;
}

}  // namespace microplan::geo
