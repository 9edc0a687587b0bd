#include "microplan/geo/usecases/standards.hpp"

#include "microplan/geo/error.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/planning/observations.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::usecases {

standards_catalogue check_standards(const std::string& file) { return read_standards(file); }

standards_catalogue put_standards_in_force(const std::string& store, const std::string& file) {
    store::write_lock lock(store);  // the sectors read are the sectors the catalogue is written beside
    const sectors_catalogue sectors =
        store::open_store(store, store::open_mode::read_only)->read_sectors().value_or(builtin_sectors());
    standards_catalogue c = read_standards(file, sectors);
    store::update_atomically(lock, [&](store::planning_store& db) { db.write_standards(c); });
    return c;
}

sectors_catalogue put_sectors_in_force(const std::string& store, const std::string& file) {
    sectors_catalogue table = read_sectors(file);
    store::update_atomically(store, [&](store::planning_store& db) {
        if (auto standards = db.read_standards()) {
            findings problems = check_standards(*standards, table);
            if (problems.has_errors()) {
                throw format_error({file, {}, {}, {}, {}}, "sectors table refused",
                                   "the standards catalogue in force (" + standards->source +
                                       ") does not fit it:" + problems.error_lines());
            }
        }
        db.write_sectors(table);
    });
    return table;
}

budget_scenarios put_budget_scenarios_in_force(const std::string& store, const std::string& file) {
    budget_scenarios table = read_budget_scenarios(file);
    store::update_atomically(store, [&](store::planning_store& db) { db.write_budget_scenarios(table); });
    return table;
}

attribute_result import_attribute(const attribute_request& request) {
    const population_table_options& table = request.table;
    std::string period;
    if (!request.period.empty()) {
        auto p = parse_period(request.period);
        if (!p) p = parse_date(request.period);
        if (!p)
            throw format_error({}, "not a period",
                               "--period '" + request.period +
                                   "' is not a year (2022), a month (2024-06) or a date (2024-06-30, 30/06/2024)");
        period = *p;
    }
    store::write_lock lock(request.store);  // the units joined are the units written beside
    unit_layer units = store::open_store(request.store, store::open_mode::read_only)->read_level(table.lvl);
    if (units.units.empty())
        throw store_error({request.store, {}, {}, {}, {}}, "level absent",
                          "the store holds no " + std::string(level_table(table.lvl)));
    population_table_result r = read_population_table(table, units);
    // A value refused (not a number, negative) or no value at all: nothing is written, every
    // refused row named (an attribute such as households connected must not be half imported).
    std::string refused;
    for (const auto& f : r.report.items)
        if (f.sev == severity::error) refused += "\n  " + f.to_text();
    const auto values = r.values.find(total_band);
    if (!refused.empty() || values == r.values.end() || values->second.empty())
        throw format_error({table.path, {}, {}, r.value_field, {}}, "attribute not imported",
                           refused.empty() ? "no row gives a value of field '" + r.value_field + "' for a " +
                                                 std::string(level_name(table.lvl)) + " of the store"
                                           : "rows refused, nothing written:" + refused);
    attribute_result out{values->second, units.units.size(), r.value_field, std::move(r.report), period};
    store::update_atomically(lock, [&](store::planning_store& db) {
        db.write_attributes(table.lvl, request.name, out.values, table.path, period);
    });
    return out;
}

}  // namespace microplan::geo::usecases
