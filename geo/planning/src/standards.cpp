#include "microplan/geo/planning/standards.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/names.hpp"
#include "microplan/geo/population/population.hpp"

namespace microplan::geo {

const std::vector<std::pair<std::string, std::string>>& known_sectors() {
    static const std::vector<std::pair<std::string, std::string>> s = [] {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& d : builtin_sectors().items) out.emplace_back(d.id, d.label_es);
        return out;
    }();
    return s;
}

std::string sector_label(const std::string& sector) {
    for (const auto& [id, label] : known_sectors())
        if (id == sector) return label;
    return sector;
}

std::string_view rule_name(standard_rule r) {
    return r == standard_rule::population ? "population" : r == standard_rule::per_unit ? "per_unit" : "households";
}

std::string_view rounding_name(rounding_rule r) {
    switch (r) {
        case rounding_rule::ceil:
            return "ceil";
        case rounding_rule::round:
            return "round";
        case rounding_rule::floor:
            return "floor";
    }
    return "ceil";
}

double round_ideal(double value, rounding_rule r) {
    constexpr double tolerance = 1e-9;
    if (!(value > 0)) return 0;
    switch (r) {
        case rounding_rule::ceil:
            return std::ceil(value - tolerance);
        case rounding_rule::round:
            return std::floor(value + 0.5 + tolerance);
        case rounding_rule::floor:
            return std::floor(value + tolerance);
    }
    return 0;
}

std::vector<std::pair<std::string, double>> standards_catalogue::sectors() const {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& s : items)
        if (std::none_of(out.begin(), out.end(), [&](const auto& p) { return p.first == s.sector; }))
            out.emplace_back(s.sector, s.priority);
    return out;
}

bool standards_catalogue::is_network(const std::string& sector) const {
    return std::any_of(items.begin(), items.end(),
                       [&](const standard& st) { return st.sector == sector && st.rule == standard_rule::households; });
}

const standard* standards_catalogue::governing(const std::string& sector, const std::string& typology) const {
    const standard* any = nullptr;
    for (const auto& s : items) {
        if (s.sector != sector) continue;
        if (s.typology == typology) return &s;
        if (s.typology == "*") any = &s;
    }
    return any;
}

namespace {

bool band_is_valid(const std::string& band) {
    if (band == total_band) return true;
    // "6-17" or "65+"
    std::size_t i = 0;
    auto digits = [&] {
        std::size_t start = i;
        while (i < band.size() && std::isdigit(static_cast<unsigned char>(band[i]))) ++i;
        return i > start;
    };
    if (!digits()) return false;
    if (i < band.size() && band[i] == '+') return i + 1 == band.size();
    if (i >= band.size() || band[i] != '-') return false;
    ++i;
    return digits() && i == band.size();
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else if (c != ' ') {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

// One catalogue row as read, before validation.
struct raw_row {
    long long line = 0;
    std::map<std::string, std::string> cells;  // canonical column -> text
};

// Canonical column names and the spellings planners use for them.
const std::vector<std::pair<std::string, std::vector<std::string>>>& columns() {
    static const std::vector<std::pair<std::string, std::vector<std::string>>> c = {
        {"sector", {"sector"}},
        {"typology", {"typology", "tipologia", "tipo"}},
        {"level", {"level", "nivel", "niveldecobertura"}},
        {"rule", {"rule", "regla", "criterio"}},
        {"people_per_unit", {"peopleperunit", "poblacionporunidad", "habitantesporunidad"}},
        {"units_per_territory", {"unitsperterritory", "unidadesporterritorio"}},
        {"target_group", {"targetgroup", "grupoobjetivo", "grupoetario"}},
        {"capacity", {"capacity", "capacidad"}},
        {"max_travel_min", {"maxtravelmin", "tiempomaxmin", "tiempomaximomin"}},
        {"max_distance_km", {"maxdistancekm", "distanciamaxkm", "distanciamaximakm"}},
        {"investment_cost", {"investmentcost", "costoinversion", "inversion"}},
        {"recurrent_cost", {"recurrentcost", "costorecurrente", "recurrente"}},
        {"priority", {"priority", "prioridad", "indiceprioridad"}},
        {"staff", {"staff", "personal", "talentohumano"}},
        {"rehabilitation_cost", {"rehabilitationcost", "costorehabilitacion", "rehabilitacion"}},
        {"salary", {"salary", "salario", "remuneracion", "sueldo"}},
        {"expansion_cost", {"expansioncost", "costoampliacion", "ampliacionporplaza"}},
        {"expansion_limit", {"expansionlimit", "limiteampliacion", "ampliacionmaxima"}},
        {"target_pct", {"targetpct", "metapct", "porcentajeobjetivo", "coberturaobjetivo"}},
        {"minimum_people_per_unit",
         {"minimumpeopleperunit", "minimooperable", "poblacionporunidadminima", "habitantesporunidadminimo"}},
        {"rounding", {"rounding", "redondeo"}},
        {"factors", {"factors", "factores", "endogenizacion"}},
        {"note", {"note", "nota", "notes", "notas", "fuente"}},
    };
    return c;
}

struct row_checker {
    const std::string& file;
    findings& report;
    long long line;

    void fail(const std::string& column, const std::string& rule, const std::string& message) {
        report.add(cell_finding(severity::error, "standards." + rule, file, line, column, message));
    }

    // A number in a cell: nullopt when empty; reports text that is not a number.
    std::optional<double> number(const raw_row& r, const std::string& column) {
        auto it = r.cells.find(column);
        if (it == r.cells.end() || it->second.empty()) return std::nullopt;
        auto v = parse_number(it->second);
        if (!v || !std::isfinite(*v)) {
            fail(column, "not_a_number", "'" + it->second + "' is not a number");
            return std::nullopt;
        }
        return v;
    }

    // A number that must lie inside `range` (bounds.hpp): reports the value and the bound.
    void within(const raw_row& r, const std::string& column, double value, const bounds::interval& range) {
        if (bounds::within(value, range)) return;
        std::string written = cell(r, column);
        fail(column, "out_of_range",
             written.empty() ? bounds::violation(value, range) : bounds::violation(written, range));
    }
    void within(const std::string& column, double value, const bounds::interval& range) {
        if (!bounds::within(value, range)) fail(column, "out_of_range", bounds::violation(value, range));
    }

    static std::string cell(const raw_row& r, const std::string& column) {
        auto it = r.cells.find(column);
        return it == r.cells.end() ? std::string{} : it->second;
    }
};

std::string cell(const raw_row& r, const std::string& column) {
    auto it = r.cells.find(column);
    return it == r.cells.end() ? std::string{} : it->second;
}

// The numbers that size the ideal offer: people per establishment, establishments per unit.
void parse_ideal(const raw_row& r, row_checker& check, standard& s) {
    auto people = check.number(r, "people_per_unit");
    if (people && *people < 0)
        check.fail("people_per_unit", "population_negative",
                   "people per establishment is negative (" + cell(r, "people_per_unit") + ")");
    else if (s.rule == standard_rule::population && (!people || *people == 0) && cell(r, "people_per_unit").empty())
        check.fail("people_per_unit", "population_missing",
                   "a population rule needs the people one establishment serves");
    else if (s.rule == standard_rule::population && people && *people == 0)
        check.fail("people_per_unit", "population_zero", "one establishment cannot serve 0 people");
    else if (s.rule == standard_rule::population && people)
        check.within(r, "people_per_unit", *people, bounds::people_per_establishment);
    if (people) s.people_per_unit = *people;

    if (auto k = check.number(r, "units_per_territory")) {
        if (*k < 0)
            check.fail("units_per_territory", "units_negative", "establishments per unit is negative");
        else
            check.within(r, "units_per_territory", *k, bounds::establishments_per_unit);
        s.units_per_territory = *k;
    }
}

// Capacity, travel limits, costs and priority: each a number inside its physical bounds.
void parse_capacity_and_costs(const raw_row& r, row_checker& check, standard& s) {
    if (auto c = check.number(r, "capacity")) {
        if (*c < 0)
            check.fail("capacity", "capacity_negative", "capacity is negative");
        else
            check.within(r, "capacity", *c, bounds::capacity);
        s.capacity = *c;
    }
    if (auto t = check.number(r, "max_travel_min")) {
        if (*t <= 0)
            check.fail("max_travel_min", "time_invalid", "the maximum travel time must be positive");
        else
            check.within(r, "max_travel_min", *t, bounds::travel_minutes);
        s.max_travel_min = t;
    }
    if (auto d = check.number(r, "max_distance_km")) {
        if (*d <= 0)
            check.fail("max_distance_km", "distance_invalid", "the maximum distance must be positive");
        else
            check.within(r, "max_distance_km", *d, bounds::distance_km);
        s.max_distance_km = d;
    }
    for (const char* column : {"investment_cost", "recurrent_cost"}) {
        auto v = check.number(r, column);
        if (cell(r, column).empty())
            check.fail(column, "cost_missing",
                       std::string("the ") + (column[0] == 'i' ? "investment" : "yearly recurrent") +
                           " cost is missing (write 0 if it is truly nothing)");
        else if (v && *v < 0)
            check.fail(column, "cost_negative", "a cost cannot be negative");
        else if (v)
            check.within(r, column, *v, bounds::cost_usd);
        if (v) (column[0] == 'i' ? s.investment_cost : s.recurrent_cost) = *v;
    }
    if (auto n = check.number(r, "staff")) {
        if (*n < 0)
            check.fail("staff", "staff_negative", "staff per establishment is negative");
        else
            check.within(r, "staff", *n, bounds::staff);
        s.staff = *n;
    }
    if (auto v = check.number(r, "rehabilitation_cost")) {
        if (*v < 0)
            check.fail("rehabilitation_cost", "cost_negative", "a cost cannot be negative");
        else
            check.within(r, "rehabilitation_cost", *v, bounds::cost_usd);
        s.rehabilitation_cost = v;
    }
    if (auto w = check.number(r, "salary")) {
        if (*w < 0)
            check.fail("salary", "cost_negative", "a salary cannot be negative");
        else
            check.within(r, "salary", *w, bounds::cost_usd);
        s.salary = *w;
    }
    if (auto p = check.number(r, "priority")) {
        if (*p <= 0)
            check.fail("priority", "priority_invalid", "the sector priority must be positive");
        else
            check.within(r, "priority", *p, bounds::priority);
        s.priority = *p;
    }
}

// Expansion and the minimum operable tier, as read or as stored: each needs what it builds on.
void check_expansion_and_minimum(const standard& s, row_checker& check) {
    if (!(s.target_pct >= 0 && s.target_pct <= 100))
        check.fail("target_pct", "target_invalid", "the share of households to serve must be between 0 and 100 %");
    if (s.rule == standard_rule::households && s.capacity > 0 && s.capacity < 1)
        check.fail("capacity", "capacity_invalid",
                   "a network project connects whole households: its capacity is at least 1 (0 = every household "
                   "missing at once)");
    if (s.expansion_cost < 0) check.fail("expansion_cost", "cost_negative", "a cost cannot be negative");
    check.within("expansion_cost", s.expansion_cost, bounds::cost_usd);
    if (s.expansion_limit < 0) check.fail("expansion_limit", "expansion_negative", "places to add cannot be negative");
    check.within("expansion_limit", s.expansion_limit, bounds::capacity);
    if (s.expansion_limit > 0 && !(s.capacity > 0))
        check.fail("expansion_limit", "expansion_without_capacity",
                   "expanding by places needs the establishment's capacity (column capacity)");
    if (s.minimum_people_per_unit < 0)
        check.fail("minimum_people_per_unit", "population_negative", "people per establishment is negative");
    if (s.minimum_people_per_unit > 0 && s.rule != standard_rule::population)
        check.fail("minimum_people_per_unit", "minimum_needs_population_rule",
                   "a minimum operable tier is one establishment per so many people: population rule only");
    else if (s.minimum_people_per_unit > 0 && s.minimum_people_per_unit < s.people_per_unit)
        check.fail("minimum_people_per_unit", "minimum_above_ideal",
                   "the minimum operable tier cannot ask for more establishments than the ideal (its people per "
                   "establishment must be at least people_per_unit)");
    else if (s.minimum_people_per_unit > 0)
        check.within("minimum_people_per_unit", s.minimum_people_per_unit, bounds::people_per_establishment);
}

void parse_expansion_and_minimum(const raw_row& r, row_checker& check, standard& s) {
    if (auto v = check.number(r, "expansion_cost")) s.expansion_cost = *v;
    if (auto v = check.number(r, "expansion_limit")) s.expansion_limit = *v;
    if (s.expansion_limit > 0 && row_checker::cell(r, "expansion_cost").empty())
        check.fail("expansion_cost", "cost_missing", "an expansion limit needs the cost of one place (expansion_cost)");
    if (auto v = check.number(r, "minimum_people_per_unit")) s.minimum_people_per_unit = *v;
    if (auto v = check.number(r, "target_pct")) s.target_pct = *v;
    check_expansion_and_minimum(s, check);
}

standard parse_row(const raw_row& r, const std::string& file, const sectors_catalogue& sectors, findings& report) {
    row_checker check{file, report, r.line};
    standard s;
    s.line = r.line;
    s.note = cell(r, "note");

    std::string sector_text = cell(r, "sector");
    s.sector = sectors.canonical(sector_text);
    if (sector_text.empty()) check.fail("sector", "sector_missing", "the sector is empty");

    s.typology = cell(r, "typology");
    if (s.typology.empty()) check.fail("typology", "typology_missing", "the typology is empty (use * for any)");

    std::string level_text = cell(r, "level");
    auto l = parse_level(level_text);
    if (!l || (*l != level::nation && *l != level::zone && *l != level::district && *l != level::circuit))
        check.fail("level", "level_unknown",
                   "'" + level_text +
                       "' is not a planning level (nation, zone, district or circuit; nacional, zona, distrito, "
                       "circuito)");
    else
        s.lvl = *l;

    std::string rule_text = names::fold(cell(r, "rule"));
    if (rule_text.empty() || rule_text == "POPULATION" || rule_text == "POBLACION")
        s.rule = standard_rule::population;
    else if (rule_text == "PER UNIT" || rule_text == "POR UNIDAD" || rule_text == "POR TERRITORIO")
        s.rule = standard_rule::per_unit;
    else if (rule_text == "HOUSEHOLDS" || rule_text == "HOGARES" || rule_text == "VIVIENDAS")
        s.rule = standard_rule::households;
    else
        check.fail("rule", "rule_unknown",
                   "'" + cell(r, "rule") + "' is not a rule (population, per_unit or households)");

    parse_ideal(r, check, s);

    std::string target = cell(r, "target_group");
    if (!target.empty()) {
        s.target_bands = split(target, '+');
        // "65+" splits into "65" and "": put the plus back.
        std::vector<std::string> bands;
        for (std::size_t i = 0; i < s.target_bands.size(); ++i) {
            if (s.target_bands[i].empty() && !bands.empty()) {
                bands.back() += "+";
                continue;
            }
            bands.push_back(s.target_bands[i]);
        }
        s.target_bands = bands;
        for (const auto& b : s.target_bands)
            if (!band_is_valid(b))
                check.fail("target_group", "band_invalid",
                           "'" + b + "' is not an age band (total, 0-3, 6-17, 65+; several joined with +)");
    }

    parse_capacity_and_costs(r, check, s);
    parse_expansion_and_minimum(r, check, s);

    std::string rounding = names::fold(cell(r, "rounding"));
    if (rounding.empty() || rounding == "CEIL" || rounding == "TECHO" || rounding == "ARRIBA")
        s.rounding = rounding_rule::ceil;
    else if (rounding == "ROUND" || rounding == "REDONDEO" || rounding == "REDONDEAR")
        s.rounding = rounding_rule::round;
    else if (rounding == "FLOOR" || rounding == "PISO" || rounding == "ABAJO")
        s.rounding = rounding_rule::floor;
    else
        check.fail("rounding", "rounding_unknown", "'" + cell(r, "rounding") + "' is not ceil, round or floor");

    std::string factors = cell(r, "factors");
    if (!factors.empty()) {
        for (const auto& item : split(factors, ';')) {
            if (item.empty()) continue;
            auto eq = item.find('=');
            auto w = eq == std::string::npos ? std::nullopt : parse_number(item.substr(eq + 1));
            std::string name = eq == std::string::npos ? item : item.substr(0, eq);
            if (!w || name.empty() || *w < -1 || *w > 1) {
                check.fail("factors", "factor_invalid",
                           "'" + item + "' is not attribute=weight with a weight between -1 and 1 (e.g. poverty=0.5)");
                continue;
            }
            s.factors.push_back({name, *w});
        }
    }
    return s;
}

// Cross-row rules: one standard per (sector, typology), one priority per sector.
// The sector of a standard: in the sectors table, planned with establishments, at a level the
// table allows it.
void check_sector(const standard& s, const sectors_catalogue& sectors, row_checker& check) {
    if (s.rule == standard_rule::households && s.lvl == level::nation)
        check.fail("level", "households_need_units",
                   "a network is planned unit by unit (the households of each zone, district or circuit), not for "
                   "the nation as one");
    if (s.sector.empty()) return;  // reported as missing
    const sector_def* d = sectors.find(s.sector);
    if (!d)
        check.fail(
            "sector", "sector_unknown",
            "unknown sector '" + s.sector + "' (known: " + sectors.ids() + "; sectors table: " + sectors.source + ")");
    else if (d->kind == sector_kind::network && s.rule != standard_rule::households)
        check.fail("rule", "sector_is_network",
                   s.sector +
                       " is a network sector: its offer is households connected (rule households), not "
                       "establishments");
    else if (d->kind != sector_kind::network && s.rule == standard_rule::households)
        check.fail("rule", "households_need_network",
                   "the households rule is for network sectors (kind network in the sectors table); " + s.sector +
                       " is planned with establishments");
    else if (!d->allows(s.lvl)) {
        std::string allowed;
        for (level l : d->levels) allowed += (allowed.empty() ? "" : ", ") + std::string(level_name(l));
        check.fail("level", "level_not_allowed",
                   "the sectors table (" + sectors.source + ", line " + std::to_string(d->line) + ") lets " + s.sector +
                       " standards use " + allowed + ", not " + std::string(level_name(s.lvl)));
    }
}

void check_catalogue(const standards_catalogue& c, const sectors_catalogue& sectors, findings& report) {
    std::map<std::pair<std::string, std::string>, long long> seen;
    std::map<std::string, std::pair<double, long long>> priority;
    for (const auto& s : c.items) {
        row_checker check{c.source, report, s.line};
        check_sector(s, sectors, check);
        auto [it, fresh] = seen.emplace(std::pair{s.sector, s.typology}, s.line);
        if (!fresh)
            check.fail("typology", "duplicate",
                       s.sector + " / " + s.typology + " already has a standard on line " + std::to_string(it->second));
        auto [p, first] = priority.emplace(s.sector, std::pair{s.priority, s.line});
        if (!first && p->second.first != s.priority)
            check.fail("priority", "priority_inconsistent",
                       "sector " + s.sector + " has priority " + std::to_string(p->second.first) + " on line " +
                           std::to_string(p->second.second) + "; every row of a sector must have the same priority");
    }
    if (c.items.empty()) {
        finding f;
        f.sev = severity::error;
        f.rule = "standards.empty";
        f.message = c.source + ": the catalogue has no standards";
        report.add(std::move(f));
    }
}

}  // namespace

findings check_standards(const standards_catalogue& catalogue, const sectors_catalogue& sectors) {
    findings report;
    for (const auto& s : catalogue.items) {
        row_checker check{catalogue.source, report, s.line};
        if (s.rule == standard_rule::population && !(s.people_per_unit > 0))
            check.fail("people_per_unit", "population_missing",
                       "a population rule needs the people one establishment serves");
        else if (s.rule == standard_rule::population)
            check.within("people_per_unit", s.people_per_unit, bounds::people_per_establishment);
        if (s.investment_cost < 0 || s.recurrent_cost < 0)
            check.fail("cost", "cost_negative", "a cost cannot be negative");
        else
            for (double cost : {s.investment_cost, s.recurrent_cost}) check.within("cost", cost, bounds::cost_usd);
        check.within("units_per_territory", s.units_per_territory, bounds::establishments_per_unit);
        check.within("capacity", s.capacity, bounds::capacity);
        check.within("staff", s.staff, bounds::staff);
        check.within("salary", s.salary, bounds::cost_usd);
        if (s.rehabilitation_cost) check.within("rehabilitation_cost", *s.rehabilitation_cost, bounds::cost_usd);
        check_expansion_and_minimum(s, check);
        if (s.max_travel_min) check.within("max_travel_min", *s.max_travel_min, bounds::travel_minutes);
        if (s.max_distance_km) check.within("max_distance_km", *s.max_distance_km, bounds::distance_km);
        if (!(s.priority > 0))
            check.fail("priority", "priority_invalid", "the sector priority must be positive");
        else
            check.within("priority", s.priority, bounds::priority);
    }
    check_catalogue(catalogue, sectors, report);
    return report;
}

standards_catalogue read_standards(const std::string& path, const sectors_catalogue& sectors) {
    error_location where{path, {}, {}, {}, {}};
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = *ds->GetLayer(0);
    where.layer = layer.GetName();
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    std::map<std::string, int> index;
    for (const auto& [name, spellings] : columns())
        if (auto i = find_column(defn, spellings)) index.emplace(name, *i);
    for (const char* needed : {"sector", "typology", "level", "investment_cost", "recurrent_cost"})
        if (!index.count(needed))
            throw format_error(where, "missing column",
                               std::string("the catalogue has no ") + needed +
                                   " column (columns: docs/planning.md, \"Standards catalogue\")");

    standards_catalogue c;
    c.source = path;
    findings report;
    long long line = 1;  // the header is line 1
    for (auto& f : layer) {
        ++line;
        raw_row r;
        r.line = line;
        bool blank = true;
        for (const auto& [name, i] : index) {
            std::string v = f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "";
            while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
            while (!v.empty() && v.front() == ' ') v.erase(v.begin());
            if (!v.empty()) blank = false;
            r.cells[name] = v;
        }
        if (blank) continue;
        if (cell(r, "sector").starts_with("#")) continue;  // a commented-out row
        c.items.push_back(parse_row(r, path, sectors, report));
    }
    check_catalogue(c, sectors, report);
    if (report.has_errors()) {
        std::string detail = std::to_string(report.count(severity::error)) + " problem(s):";
        for (const auto& f : report.items) detail += "\n  " + f.message + " [" + f.rule + "]";
        throw format_error(where, "invalid standards catalogue", detail);
    }
    return c;
}

}  // namespace microplan::geo
