#pragma once
// Budget scenarios and budget paths as data (docs/planning.md, "Budget scenarios"):
//  - a scenarios table: one row per scenario with the GDP of a base year, its yearly real
//    growth and the share of GDP the budget for closing the gap gets each year;
//  - a budget path: the money of each year, for all sectors or earmarked to one
//    (`microplan plan --budgets`, and what `--close-by` writes back).
// Every bad row is reported (file, line, column, rule) and nothing is returned.
#include <map>
#include <string>
#include <vector>

#include "microplan/geo/planning/closing.hpp"
#include "microplan/geo/planning/standards.hpp"

namespace microplan::geo {

struct budget_scenario_row {
    budget_scenario scenario;   // name, gdp_year, gdp, gdp_growth; path empty
    std::string label_es;       // "moderado"
    double budget_pct_gdp = 0;  // % of each year's GDP given to closing the gap
    std::string note;
};
struct budget_scenarios {
    std::string source;
    std::vector<budget_scenario_row> rows;
    [[nodiscard]] const budget_scenario_row* find(const std::string& name) const;
};

// Columns: scenario (escenario), label_es (etiqueta), gdp_year (anio_pib), gdp_usd (pib_usd),
// gdp_growth_pct (crecimiento_pib_pct), budget_pct_gdp (presupuesto_pct_pib), note (nota).
budget_scenarios read_budget_scenarios(const std::string& path);
// The same rules for rows built in memory or read back from a store (empty when valid).
std::vector<std::string> check_budget_scenarios(const budget_scenarios& table);

// The plan options' scenario of a row for a plan starting in `first_year`: the budget is
// budget_pct_gdp % of each year's GDP.
budget_scenario scenario_of(const budget_scenario_row& row, int first_year);

// Columns: year (anio), budget (presupuesto, USD) and, optionally, sector: rows without a sector
// fund every sector not earmarked; a sector's rows are its own. `catalogue` names the sectors
// allowed; a (year, sector) given twice is an error.
struct budget_path {
    std::map<int, double> total;
    std::map<std::string, std::map<int, double>> sectors;
};
budget_path read_budget_path(const std::string& path, const standards_catalogue& catalogue);
// year,sector,budget rows of every sector's required path (readable by read_budget_path).
std::string budget_path_csv(const required_budget& required);

}  // namespace microplan::geo
