// The bounds where planning data enters (geo/model/bounds.hpp), end to end: the first byte picks
// a standards catalogue or a population table — or, with its bit 3 set, a budget scenarios table
// (bit 4 clear) or a budget path (bit 4 set) — the rest is CSV bytes in /vsimem/. What reads
// is planned on a tiny territory (2 zones, 3 districts, 6 circuits) over a 10-year horizon,
// so an input that slips past the bounds shows up as a timeout or a sanitizer report, and bad
// data must become a microplan::geo::error, never a crash or an endless plan.
#include <gdal_priv.h>

#include <algorithm>
#include <string>
#include <vector>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/planning/budget.hpp"
#include "microplan/geo/planning/closing.hpp"
#include "microplan/geo/planning/coverage.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/population/population.hpp"

namespace geo = microplan::geo;

namespace {

const char* const circuits[] = {"01D01C01", "01D01C02", "01D02C01", "02D01C01", "02D01C02", "02D01C03"};

const geo::territory& tiny_territory() {
    static const geo::territory t({geo::level::zone, geo::level::district, geo::level::circuit},
                                  {{{"Z1", "Z1", "", 0}, {"Z2", "Z2", "", 0}},
                                   {{"01D01", "A", "Z1", 0}, {"01D02", "B", "Z1", 0}, {"02D01", "C", "Z2", 0}},
                                   {{circuits[0], "a", "01D01", 10},
                                    {circuits[1], "b", "01D01", 40},
                                    {circuits[2], "c", "01D02", 20},
                                    {circuits[3], "d", "02D01", 30},
                                    {circuits[4], "e", "02D01", 80},
                                    {circuits[5], "f", "02D01", 50}}});
    return t;
}

std::vector<geo::population_values> default_population() {
    geo::population_values values;
    double people = 5000;
    for (const char* c : circuits) {
        values[geo::total_band][c] = people;
        values["0-3"][c] = people / 10;
        people *= 1.7;
    }
    return {{}, {}, values};
}

geo::standards_catalogue default_catalogue() {
    geo::standards_catalogue c;
    c.source = "default";
    geo::standard s;
    s.sector = "health";
    s.typology = "*";
    s.people_per_unit = 10000;
    s.investment_cost = 1e6;
    s.recurrent_cost = 1e5;
    c.items.push_back(s);
    return c;
}

// Coverage and a 10-year plan at 20 % of the gap a year, as `microplan plan` does for a store
// without budget scenarios, or under the scenario given.
void plan(const geo::standards_catalogue& catalogue, std::vector<geo::population_values> people,
          const geo::budget_scenario* scenario = nullptr) {
    geo::coverage_model model(catalogue, tiny_territory(), std::move(people));
    geo::plan_options o;
    if (scenario) {
        o.scenario = *scenario;
    } else {
        o.scenario = geo::budget_scenario{};
        o.scenario.name = "moderate";
        o.scenario.base_budget = std::min(0.2 * model.sector_national("").investment, 1e14);
        o.scenario.growth = 0.05;
    }
    o.first_year = 2025;
    o.last_year = 2034;
    (void)geo::plan_closing(model, {}, o);
}

geo::unit_layer circuit_units() {
    geo::unit_layer l{geo::level::circuit, {}};
    for (const char* c : circuits) {
        geo::unit u;
        u.lvl = geo::level::circuit;
        u.code = c;
        l.units.push_back(std::move(u));
    }
    return l;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    geo::gdal::ensure_registered();
    CPLSetConfigOption("CPL_LOG", "/dev/null");
    CPLPushErrorHandler(CPLQuietErrorHandler);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool budget = (data[0] & 8) != 0;
    const bool standards = (data[0] & 1) == 0;
    const std::string path = budget      ? "/vsimem/budget.csv"
                             : standards ? "/vsimem/standards.csv"
                                         : "/vsimem/population.csv";
    VSILFILE* f = VSIFileFromMemBuffer(path.c_str(), const_cast<GByte*>(data + 1), size - 1, FALSE);
    VSIFCloseL(f);
    try {
        if (budget && (data[0] & 16) == 0) {
            // Each scenario of the table planned as `plan --scenario NAME` plans it.
            for (const auto& row : geo::read_budget_scenarios(path).rows) {
                geo::budget_scenario s = geo::scenario_of(row, 2025);
                try {
                    plan(default_catalogue(), default_population(), &s);
                } catch (const geo::error&) {
                }
            }
        } else if (budget) {
            // A budget path, as `plan --budgets FILE` reads and plans it.
            geo::budget_path p = geo::read_budget_path(path, default_catalogue());
            geo::budget_scenario s;
            s.name = "path";
            s.path = std::move(p.total);
            s.sector_paths = std::move(p.sectors);
            plan(default_catalogue(), default_population(), &s);
        } else if (standards) {
            plan(geo::read_standards(path), default_population());
        } else {
            geo::population_table_options o;
            o.path = path;
            o.lvl = geo::level::circuit;
            o.year = 2025;
            if (data[0] & 2) o.bands = {{"0-3", "pob_0_3"}};
            geo::population_table_result r = geo::read_population_table(o, circuit_units());
            plan(default_catalogue(), {{}, {}, r.values});
        }
    } catch (const geo::error&) {
    }
    VSIUnlink(path.c_str());
    return 0;
}
