// `microplan attributes`: a unit attribute (a poverty index, ...) for standards' factors.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/standards.hpp"

namespace microplan::cli {

command add_attributes(CLI::App& app) {
    auto request = std::make_shared<geo::usecases::attribute_request>();
    auto lvl = std::make_shared<std::string>("circuit");
    geo::population_table_options& table = request->table;
    app.add_option("store", request->store, "Planning store (SpatiaLite file or postgresql:// URI)")
        ->required()
        ->check(existing_store);
    app.add_option("file", table.path, "Table of values by unit code (CSV or any GDAL table)")->required();
    app.add_option("--level,-l", *lvl, "Level of the codes")->check(level_names)->default_val("circuit");
    app.add_option("--name", request->name, "Attribute name used by standards' factors (e.g. poverty)")->required();
    app.add_option("--code-field", table.code_field, "Field with unit codes (default: detected by shape)");
    app.add_option("--field", table.value_field, "Field with the values")->required();
    app.add_option("--layer", table.layer, "Layer in a multi-layer source");
    app.add_option("--period", request->period,
                   "From when the values hold: a year (2022), a month (2024-06) or a date; other periods are kept "
                   "and --as-of picks among them");
    return [request, lvl] {
        request->table.lvl = level_option(*lvl);
        geo::usecases::attribute_result r = geo::usecases::import_attribute(*request);
        print_findings(r.report, 5);
        std::printf("attribute %s%s: %zu of %zu %s have a value (field %s)\n", request->name.c_str(),
                    r.period.empty() ? "" : (" of " + r.period).c_str(), r.values.size(), r.units,
                    std::string(geo::level_table(request->table.lvl)).c_str(), r.value_field.c_str());
        return 0;
    };
}

}  // namespace microplan::cli
