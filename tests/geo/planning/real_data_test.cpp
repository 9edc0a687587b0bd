// The real Ecuador data through microplanning: public schools against the illustrative
// education standard per district (current vs ideal offer), and INEC's cantonal projections
// matched to the cantons and carried to the parishes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "geo/ecuador_units.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/io/codification.hpp"
#include "microplan/geo/model/names.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/population/projection.hpp"
#include "support.hpp"

using namespace microplan::geo;
using namespace microplan::test;

namespace {

// Share of people aged 5-17 per province code (census 2022 by single year of age); the
// national share for provinces whose name does not match (the table spells Cañar "Caï¿½ar").
std::map<std::string, double> school_age_share(const unit_layer& provinces, std::size_t& fell_back) {
    GDALDatasetUniquePtr ds = gdal::open_vector(ecuador("tables/poblacion_provincia_edad_sexo_2022.csv"));
    OGRLayer& layer = gdal::pick_layer(*ds, "ages", "");
    std::map<std::string, std::pair<double, double>> by_name;  // folded name -> (5-17, all)
    for (auto& f : layer) {
        std::string age = f->GetFieldAsString("edad");
        double n = f->GetFieldAsDouble("total");
        auto& s = by_name[names::fold(f->GetFieldAsString("provincia"))];
        s.second += n;
        int a = std::atoi(age.c_str());
        if (a >= 5 && a <= 17 && std::isdigit(static_cast<unsigned char>(age[0]))) s.first += n;
    }
    const auto& nation = by_name.at("TOTAL NACIONAL");
    std::map<std::string, double> out;
    fell_back = 0;
    for (const auto& p : provinces.units) {
        const std::pair<double, double>* hit = nullptr;
        for (const auto& [name, s] : by_name)
            if (names::match_quality(name, p.name) > 0) hit = &s;
        if (!hit) ++fell_back;
        out[p.code] = hit ? hit->first / hit->second : nation.first / nation.second;
    }
    return out;
}

}  // namespace

TEST(RealData, PublicSchoolsPerDistrictAgainstTheIllustrativeEducationStandard) {
    MICROPLAN_NEED_ECUADOR_DATA();
    unit_layer cantons = load_ecuador_units("cantones.geojson", level::canton);
    unit_layer parishes = load_ecuador_units("parroquias.geojson", level::parish);
    unit_layer provinces = load_ecuador_units("provincias.geojson", level::province);
    auto table = codification_table::read(ecuador("tables/senplades_zonas_distritos_circuitos.csv"));
    canton_districts cd = table.match_cantons(cantons);
    findings zone_report;
    auto zone_of_district = table.zone_of_district(zone_report);
    auto district_names = table.district_names();

    // Planning units: a canton's district, or, for the city cantons that hold several
    // districts (no polygons for them exist), one pooled unit "17D03+17D04+...".
    std::map<std::string, std::string> unit_of_district, unit_of_canton;
    for (const auto& [canton, districts] : cd.districts_of_canton) {
        std::string unit;
        for (const auto& d : districts) unit += (unit.empty() ? "" : "+") + d;
        for (const auto& d : districts) unit_of_district[d] = unit;
        unit_of_canton[canton] = unit;
    }
    std::set<std::string> unit_codes;
    for (const auto& [d, u] : unit_of_district) unit_codes.insert(u);
    // Districts no canton matched (Galápagos-like special cases) stay on their own.
    for (const auto& [d, z] : zone_of_district)
        if (!unit_of_district.count(d)) unit_codes.insert(unit_of_district[d] = d);
    std::map<std::string, std::string> zone_of_unit;
    for (const auto& [d, u] : unit_of_district)
        zone_of_unit[u] = zone_of_district.count(d) ? zone_of_district.at(d) : "";
    std::vector<territory_unit> zones, districts;
    std::set<std::string> zone_codes;
    for (const auto& [u, z] : zone_of_unit) zone_codes.insert(z);
    for (const auto& z : zone_codes) zones.push_back({z, "Zona " + z, "", 0});
    for (const auto& u : unit_codes)
        districts.push_back({u, district_names.count(u) ? district_names.at(u) : u, zone_of_unit[u], 0});
    territory where({level::zone, level::district}, {zones, districts});

    // Demand: census 2022 per parish, summed per unit through the parish's canton, times
    // the province's share of people aged 5-17.
    population_table_options po;
    po.path = ecuador("tables/poblacion_parroquias.csv");
    po.lvl = level::parish;
    po.year = 2022;
    auto census = read_population_table(po, parishes);
    EXPECT_EQ(census.value_field, "pob_cpv2022");
    std::size_t fell_back = 0;
    auto share = school_age_share(provinces, fell_back);
    EXPECT_LE(fell_back, 2u) << "province names in the age table that match no province";
    std::vector<population_values> people(2);
    double unplaced_people = 0, all_people = 0;
    for (const auto& [code, n] : census.values.at(total_band)) {
        all_people += n;
        auto u = unit_of_canton.find(code.substr(0, 4));
        if (u == unit_of_canton.end()) {
            unplaced_people += n;
            continue;
        }
        people[1][total_band][u->second] += n;
        people[1]["5-17"][u->second] += n * share.at(code.substr(0, 2));
    }
    EXPECT_LT(unplaced_people / all_people, 0.01) << "people in cantons that match no district";

    // Current offer: active public schools (fiscal, fiscomisional, municipal) by the district
    // the registry records; particular (private) schools are not public offer.
    GDALDatasetUniquePtr ds = gdal::open_vector(ecuador("establishments/escuelas_registro_2023.csv"));
    OGRLayer& layer = gdal::pick_layer(*ds, "registry", "");
    std::vector<placed_establishment> schools;
    std::size_t public_schools = 0, private_schools = 0, without_unit = 0;
    for (auto& f : layer) {
        std::string funding = f->GetFieldAsString("nom_sostenimiento");
        if (funding == "PARTICULAR") {
            ++private_schools;
            continue;
        }
        ++public_schools;
        placed_establishment e;
        e.id = f->GetFieldAsString("amie");
        e.sector = "education";
        e.typology = funding;
        e.units = {-1, -1};
        auto u = unit_of_district.find(normalise_code(level::district, f->GetFieldAsString("da_dist")));
        if (u != unit_of_district.end()) {
            e.units[1] = static_cast<int>(*where.find(1, u->second));
            e.units[0] = where.parent(1, static_cast<std::size_t>(e.units[1]));
        } else {
            ++without_unit;
        }
        schools.push_back(std::move(e));
    }
    EXPECT_EQ(public_schools + private_schools, 17947u);
    EXPECT_EQ(private_schools, 3685u);
    EXPECT_LT(without_unit, public_schools / 100);

    auto catalogue = read_standards(std::string(MICROPLAN_DATA_DIR) + "/standards/ecuador_education.csv");
    coverage_model model(catalogue, where, people);
    model.set_establishments(schools);
    offer nation = model.sector_national("education");
    EXPECT_EQ(nation.current + static_cast<double>(without_unit), static_cast<double>(public_schools));
    double children = 0;
    for (const auto& [u, n] : people[1].at("5-17")) children += n;
    EXPECT_GT(children, 3.5e6);
    EXPECT_LT(children, 4.5e6);
    // Ideal: one school per 400 children per district, rounded up.
    EXPECT_NEAR(nation.ideal, children / 400.0, static_cast<double>(districts.size()));
    EXPECT_GT(nation.deficit, 0);
    EXPECT_GT(nation.surplus, 0);  // rural districts have many small schools
    // Roll-up: the nation is the sum of its districts.
    double deficits = 0;
    for (std::size_t i = 0; i < districts.size(); ++i) deficits += model.at(0, 1, i).deficit;
    EXPECT_EQ(deficits, nation.deficit);

    // The table, for the issue note and for planners: build/ecuador_education_districts.csv.
    auto rows = coverage_rows(model, {level::district, "education", false});
    std::string out = std::filesystem::path(MICROPLAN_BINARY).parent_path() / "ecuador_education_districts.csv";
    std::ofstream(out) << coverage_csv(rows);
    auto ranking = rank_units(model, level::district, "education");
    std::printf(
        "education, %zu planning units (%zu districts): %.0f public schools counted, ideal %.0f, deficit %.0f "
        "(USD %.0f M), surplus %.0f; worst per capita: %s %s (USD %.0f per person); table: %s\n",
        districts.size(), zone_of_district.size(), nation.current, nation.ideal, nation.deficit,
        nation.investment / 1e6, nation.surplus, ranking[0].code.c_str(), ranking[0].name.c_str(),
        ranking[0].investment_per_capita, out.c_str());
}

TEST(RealData, CantonalProjectionsMatchTheCantonsAndCarryParishesForward) {
    MICROPLAN_NEED_ECUADOR_DATA();
    unit_layer cantons = load_ecuador_units("cantones.geojson", level::canton);
    unit_layer provinces = load_ecuador_units("provincias.geojson", level::province);
    unit_layer parishes = load_ecuador_units("parroquias.geojson", level::parish);
    projection_table table = read_projections(ecuador("tables/proyecciones_cantonales_2010_2035.csv"));
    ASSERT_EQ(table.rows.size(), 221u);
    EXPECT_EQ(table.years.front(), 2010);
    EXPECT_EQ(table.years.back(), 2035);
    canton_projection p = match_projections(table, cantons, provinces);
    std::size_t unmatched_rows = 0;
    for (const auto& f : p.report.items) {
        unmatched_rows += f.rule == "projection.row_unmatched";
        std::printf("  %s\n", f.to_text().c_str());
    }
    // Every row finds its canton (Quito's "Distrito Metropolitano", La Concordia across
    // provinces); only the three undelimited zones (90xx) have no projection.
    EXPECT_EQ(p.by_canton.size(), 221u);
    EXPECT_EQ(unmatched_rows, 0u);

    population_table_options po;
    po.path = ecuador("tables/poblacion_parroquias.csv");
    po.lvl = level::parish;
    po.year = 2022;
    auto census = read_population_table(po, parishes);
    std::map<std::string, std::string> canton_of;
    for (const auto& [code, n] : census.values.at(total_band)) canton_of[code] = code.substr(0, 4);
    findings report;
    auto years = project_values(census.values, 2022, canton_of, p, 2023, 2035, report);
    ASSERT_EQ(years.size(), 13u);
    // Each matched canton's parishes grow exactly as the canton does.
    double base = 0, projected = 0, proj_base = 0, proj_2035 = 0;
    for (const auto& [code, n] : census.values.at(total_band)) {
        auto c = p.by_canton.find(code.substr(0, 4));
        if (c == p.by_canton.end()) continue;
        base += n;
        projected += years.at(2035).at(total_band).at(code);
    }
    for (const auto& [canton, values] : p.by_canton) {
        bool has_parish = false;
        for (const auto& [code, n] : census.values.at(total_band)) has_parish |= code.starts_with(canton);
        if (!has_parish) continue;
        proj_base += values.at(2022);
        proj_2035 += values.at(2035);
    }
    // Growth of the parishes' total is a weighted mean of the cantons' growth: close to the
    // table's national growth (census and projection weights differ slightly).
    EXPECT_NEAR(projected / base, proj_2035 / proj_base, 0.02);
    EXPECT_GT(projected, base);
}
