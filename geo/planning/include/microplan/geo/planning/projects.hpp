#pragma once
// The investment portfolio (issue 20, item 1): projects tied to the gap they close. A project is
// read from any table GDAL reads (one row per project; docs/results.md lists the columns), every
// bad row reported with line, column and rule before anything is written.
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/level.hpp"
#include "microplan/geo/planning/sectors.hpp"

namespace microplan::geo {

enum class project_kind { new_establishment, rehabilitation, expansion, network_extension, other };
enum class project_status { planned, funded, in_execution, finished, suspended };

std::string_view kind_name(project_kind k);
std::string_view status_name(project_status s);

struct milestone {
    std::string date;  // YYYY-MM-DD or YYYY-MM
    std::string name;
};

struct project {
    long long line = 0;  // data line in the table, for messages
    std::string code, name, sector, typology;
    project_kind kind = project_kind::new_establishment;
    project_status status = project_status::planned;
    // Where: a point (WGS 84) or the unit it works in (its code, at the level its shape says).
    std::optional<double> lon, lat;
    std::string unit_code;
    std::optional<level> unit_level;
    double investment = 0, recurrent = 0;  // USD; recurrent a year once finished
    // Financing by source (USD); their sum is the financing secured.
    double own_funds = 0, transfers = 0, debt = 0, international = 0;
    std::string start, end;  // YYYY-MM-DD (or YYYY-MM)
    std::vector<milestone> milestones;
    std::optional<double> physical_progress;  // % done, 0-100
    std::string entity;                       // responsible entity
    // The establishment it builds or works on, by its registry code (AMIE, unicódigo) once the
    // registry has it: a finished new establishment found there is not counted twice.
    std::string establishment;
    [[nodiscard]] double financing() const { return own_funds + transfers + debt + international; }
};

struct projects_table {
    std::string source;
    std::vector<project> items;
};

// Reads and checks a portfolio; `sectors` names the sectors a project may close a gap of.
// Throws format_error listing every bad row (file, line, column, rule) when one is an error;
// warnings (financing that does not add up to the investment) come back in `report`.
projects_table read_projects(const std::string& path, const sectors_catalogue& sectors, findings* report = nullptr);

}  // namespace microplan::geo

namespace microplan::geo {

// Budget execution from a financial system's export (issue 20, item 2): per project and period,
// the year's figures to date — codified (codificado: the budget allocated for the year), committed
// (comprometido), accrued (devengado), paid (pagado) — in USD.
struct execution_row {
    long long line = 0;
    std::string project_code;
    int year = 0, month = 0;
    double codified = 0, committed = 0, accrued = 0, paid = 0;
};

struct execution_table {
    std::string source;
    std::vector<execution_row> rows;
};

// Reads and checks an export; `projects` are the codes of the portfolio. Throws format_error
// listing every bad row (unknown project, month 13, a negative or non-numeric amount, a period
// twice); amounts out of the usual order (paid <= accrued <= committed <= codified) are warnings.
execution_table read_execution(const std::string& path, const std::vector<std::string>& projects,
                               findings* report = nullptr);

// A project's progress as of its latest period.
struct project_progress {
    int year = 0, month = 0;                                    // the latest period reported (0: none)
    double codified = 0, committed = 0, accrued = 0, paid = 0;  // of that period (the year to date)
    std::optional<double> financial_pct;                        // accrued / codified of that year, %
    double executed = 0;                                        // accrued over every year (each year's latest period)
    std::optional<double> executed_pct;                         // executed / investment, %
    std::optional<double> expected_pct;                         // share of start..end elapsed at the period's end, %
    std::optional<double> variance_pct;                         // executed_pct - expected_pct (negative: behind)
};

// `rows` of one project (any order); `p` gives its investment and schedule.
project_progress progress_of(const project& p, const std::vector<execution_row>& rows);

// The same as of the end of month (year, month): only the rows up to it.
project_progress progress_as_of(const project& p, const std::vector<execution_row>& rows, int year, int month);

// A project's status in month (year, month), from today's status and its dates: a finished project
// that had not ended was in execution (funded before its start); one in execution or suspended
// that had not started was funded. Planned and funded stay as they are.
project_status status_as_of(const project& p, int year, int month);

}  // namespace microplan::geo
