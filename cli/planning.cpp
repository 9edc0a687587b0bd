// Microplanning sub-commands: standards, attributes, coverage, report, ranking, plan, indicators.
#include <cmath>
#include <fstream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/planning.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/store/planning_inputs.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::cli {

namespace {

inline const CLI::Validator format_names = CLI::IsMember({"json", "csv"}, CLI::ignore_case);

// Writes to --output FILE or stdout.
void emit(const std::string& text, const std::string& output) {
    if (output.empty() || output == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return;
    }
    std::ofstream f(output, std::ios::binary);
    f << text;
    if (!f) throw geo::format_error({output, {}, {}, {}, {}}, "cannot write", "the output file cannot be written");
    std::fprintf(stderr, "written %s\n", output.c_str());
}

std::string dump(const nlohmann::json& j) { return j.dump(2) + "\n"; }

// Options every planning command shares: the store, a catalogue instead of the stored one,
// the population year.
struct planning_args {
    std::string store;
    std::string standards;
    int year = 0;
    std::string format = "json";
    std::string output;
    bool include_proposed = false;

    void add(CLI::App& app, bool with_format = true) {
        app.add_option("store", store, "Planning store (SpatiaLite)")->required()->check(CLI::ExistingFile);
        app.add_option("--standards", standards,
                       "Standards catalogue (CSV) to use instead of the one in the store (data/standards/)");
        app.add_option("--year", year, "Population year (default: the latest that is not a projection)");
        if (with_format) {
            app.add_option("--format,-f", format, "json or csv")->check(format_names)->default_val("json");
            app.add_option("--output,-o", output, "Write to this file instead of stdout");
        }
        app.add_flag("--include-proposed", include_proposed, "Count proposed establishments as if they existed");
    }

    [[nodiscard]] std::unique_ptr<geo::store::planning_inputs> load() const {
        auto db_store = geo::store::open_store(store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
        std::optional<geo::standards_catalogue> c;
        if (!standards.empty()) c = geo::read_standards(standards);
        return std::make_unique<geo::store::planning_inputs>(
            geo::store::read_planning_inputs(db, c, year ? std::optional<int>(year) : std::nullopt));
    }
};

struct plan_args {
    std::string scenario = "moderate";
    double budget = 0;
    double growth = 0.05;
    int last_year = 2035;

    void add(CLI::App& app) {
        app.add_option("--scenario", scenario, "optimistic, moderate or pessimistic")
            ->check(CLI::IsMember({"optimistic", "moderate", "pessimistic"}))
            ->default_val("moderate");
        app.add_option("--budget", budget,
                       "Moderate base budget in the first year, USD (default: 20 % of the first year's total "
                       "investment gap)");
        app.add_option("--growth", growth, "Moderate yearly budget growth")->default_val(0.05);
        app.add_option("--until", last_year, "Last year of the horizon")->default_val(2035);
    }

    [[nodiscard]] geo::closing_plan run(const geo::coverage_model& model, const geo::store::planning_inputs& in) const {
        return geo::usecases::plan_for(model, in, scenario, budget, growth, last_year);
    }
};

}  // namespace

command add_standards_import(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite)")->required()->check(CLI::ExistingFile);
    app.add_option("file", *file, "Standards catalogue (CSV; columns in README.md)")->required()->check(CLI::ExistingFile);
    return [store, file] {
        geo::standards_catalogue c = geo::read_standards(*file);
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) { db.write_standards(c); });
        std::printf("%zu standards of %zu sectors from %s are now in force in %s\n", c.items.size(), c.sectors().size(),
                    file->c_str(), store->c_str());
        return 0;
    };
}

command add_standards_check(CLI::App& app) {
    auto file = std::make_shared<std::string>();
    app.add_option("file", *file, "Standards catalogue (CSV)")->required()->check(CLI::ExistingFile);
    return [file] {
        geo::standards_catalogue c = geo::read_standards(*file);
        std::printf("%s: %zu standards, sectors:", file->c_str(), c.items.size());
        for (const auto& [sector, priority] : c.sectors()) std::printf(" %s (priority %g)", sector.c_str(), priority);
        std::printf("\n");
        return 0;
    };
}

command add_attributes(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto opt = std::make_shared<geo::population_table_options>();
    auto lvl = std::make_shared<std::string>("circuit");
    auto name = std::make_shared<std::string>();
    app.add_option("store", *store, "Planning store (SpatiaLite)")->required()->check(CLI::ExistingFile);
    app.add_option("file", opt->path, "Table of values by unit code (CSV or any GDAL table)")->required();
    app.add_option("--level,-l", *lvl, "Level of the codes")->check(level_names)->default_val("circuit");
    app.add_option("--name", *name, "Attribute name used by standards' factors (e.g. poverty)")->required();
    app.add_option("--code-field", opt->code_field, "Field with unit codes (default: detected by shape)");
    app.add_option("--field", opt->value_field, "Field with the values")->required();
    app.add_option("--layer", opt->layer, "Layer in a multi-layer source");
    return [store, opt, lvl, name] {
        opt->lvl = level_option(*lvl);
        geo::unit_layer units;
        {
            auto db_store = geo::store::open_store(*store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
            units = db.read_level(opt->lvl);
        }
        if (units.units.empty())
            throw geo::store_error({*store, {}, {}, {}, {}}, "level absent",
                                   "the store holds no " + std::string(geo::level_table(opt->lvl)));
        geo::population_table_result r = geo::read_population_table(*opt, units);
        print_findings(r.report, 5);
        const auto& values = r.values.at(geo::total_band);
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) {
            db.write_attributes(opt->lvl, *name, values, opt->path);
        });
        std::printf("attribute %s: %zu of %zu %s have a value (field %s)\n", name->c_str(), values.size(),
                    units.units.size(), std::string(geo::level_table(opt->lvl)).c_str(), r.value_field.c_str());
        return 0;
    };
}

command add_coverage(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto lvl = std::make_shared<std::string>("district");
    auto sector = std::make_shared<std::string>();
    auto by_typology = std::make_shared<bool>(false);
    auto save = std::make_shared<bool>(false);
    args->add(app);
    app.add_option("--level,-l", *lvl, "zone, district or circuit")->check(level_names)->default_val("district");
    app.add_option("--sector,-s", *sector, "One sector (health, education, ...; default: all)");
    app.add_flag("--by-typology", *by_typology, "One row per standard (typology) instead of per sector");
    app.add_flag("--save", *save, "Also store the results of every level in the store's coverage table");
    return [args, lvl, sector, by_typology, save] {
        auto in = args->load();
        geo::coverage_model model = geo::usecases::make_model(*in, {args->include_proposed});
        print_findings(model.report(), 5);
        geo::coverage_query q{level_option(*lvl), geo::canonical_sector(*sector), *by_typology};
        auto rows = geo::coverage_rows(model, q);
        emit(args->format == "csv" ? geo::coverage_csv(rows) : dump(geo::coverage_json(rows)), args->output);
        if (*save) {
            geo::store::update_atomically(args->store, [&](geo::store::planning_store& db) {
                db.write_coverage(model, in->year);
            });
            std::fprintf(stderr, "coverage of %d stored in %s (table coverage)\n", in->year, args->store.c_str());
        }
        return 0;
    };
}

command add_report_district(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto plan = std::make_shared<plan_args>();
    auto code = std::make_shared<std::string>();
    auto lvl = std::make_shared<std::string>("district");
    args->add(app);
    plan->add(app);
    app.add_option("code", *code, "District code (e.g. 17D06)")->required();
    app.add_option("--level,-l", *lvl, "Report another level's unit instead (zone, circuit)")
        ->check(level_names)
        ->default_val("district");
    return [args, plan, code, lvl] {
        auto in = args->load();
        geo::coverage_model model = geo::usecases::make_model(*in, {args->include_proposed});
        geo::closing_plan p = plan->run(model, *in);
        auto r = geo::make_unit_report(model, level_option(*lvl), *code, &p, in->year);
        emit(args->format == "csv" ? geo::report_csv(r) : dump(geo::report_json(r)), args->output);
        return 0;
    };
}

command add_report_ranking(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto lvl = std::make_shared<std::string>("district");
    auto sector = std::make_shared<std::string>();
    args->add(app);
    app.add_option("--level,-l", *lvl, "Level to rank")->check(level_names)->default_val("district");
    app.add_option("--sector,-s", *sector, "One sector (default: all sectors together)");
    return [args, lvl, sector] {
        auto in = args->load();
        geo::coverage_model model = geo::usecases::make_model(*in, {args->include_proposed});
        auto rows = geo::rank_units(model, level_option(*lvl), geo::canonical_sector(*sector));
        emit(args->format == "csv" ? geo::ranking_csv(rows) : dump(geo::ranking_json(rows)), args->output);
        return 0;
    };
}

command add_plan(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto plan = std::make_shared<plan_args>();
    args->add(app);
    plan->add(app);
    return [args, plan] {
        auto t0 = clock_type::now();
        auto in = args->load();
        geo::coverage_model model = geo::usecases::make_model(*in, {args->include_proposed});
        if (in->people.size() < 2)
            std::fprintf(stderr,
                         "note: the store holds population for %d only; it is held constant over the horizon "
                         "(add projected years with `microplan population project`)\n",
                         in->year);
        geo::closing_plan p = plan->run(model, *in);
        emit(args->format == "csv" ? geo::plan_csv(p) : dump(geo::plan_json(model, p)), args->output);
        std::fprintf(stderr, "plan %s %d-%d computed in %.2f s\n", p.scenario.name.c_str(), p.first_year, p.last_year,
                     seconds_since(t0));
        return 0;
    };
}

command add_indicators(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto plan = std::make_shared<plan_args>();
    auto targets = std::make_shared<std::string>();
    auto series = std::make_shared<std::string>();
    args->add(app);
    plan->add(app);
    app.add_option("--targets,-t", *targets, "Targets (metas) table (CSV; data/targets/ has an example)");
    app.add_option("--series", *series, "Instead of target status, every indicator per unit of this level and year")
        ->check(level_names);
    return [args, plan, targets, series] {
        if (targets->empty() && series->empty())
            throw geo::format_error({}, "nothing to do", "give --targets FILE, --series LEVEL or both");
        auto in = args->load();
        geo::coverage_model model = geo::usecases::make_model(*in, {args->include_proposed});
        geo::closing_plan p = plan->run(model, *in);
        if (!series->empty()) {
            geo::level l = level_option(*series);
            emit(args->format == "csv" ? geo::indicator_series_csv(model, p, l)
                                       : dump(geo::indicator_series_json(model, p, l)),
                 targets->empty() ? args->output : std::string{});
        }
        if (!targets->empty()) {
            geo::findings report;
            auto rows = geo::evaluate_targets(model, p, geo::read_targets(*targets), report, &in->accessibility);
            print_findings(report, 5);
            emit(args->format == "csv" ? geo::targets_csv(rows) : dump(geo::targets_json(rows)), args->output);
            std::size_t met = 0, risk = 0, not_met = 0;
            for (const auto& r : rows) (r.status == "met" ? met : r.status == "at_risk" ? risk : not_met) += 1;
            std::fprintf(stderr, "targets: %zu met, %zu at risk, %zu not met (scenario %s)\n", met, risk, not_met,
                         p.scenario.name.c_str());
        }
        return 0;
    };
}

}  // namespace microplan::cli
