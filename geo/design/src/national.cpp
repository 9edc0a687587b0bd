// build_national: the stages of national_stages.hpp composed, timed and their findings
// gathered in stage order.
#include "microplan/geo/design/national.hpp"

#include <chrono>

#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/design/national_stages.hpp"

namespace microplan::geo::design {

national_sources national_sources::from_data_dir(const std::string& dir) {
    national_sources s;
    s.parishes = dir + "/boundaries/parroquias.geojson";
    s.cantons = dir + "/boundaries/cantones.geojson";
    s.provinces = dir + "/boundaries/provincias.geojson";
    s.official_circuits = dir + "/boundaries/guayaquil_subcircuitos_policia.geojson";
    s.codification = dir + "/tables/senplades_zonas_distritos_circuitos.csv";
    s.census = dir + "/tables/poblacion_parroquias.csv";
    s.urban_parishes = dir + "/tables/parroquias_urbanas_dpa2019.csv";
    s.offices = dir + "/tables/distritos_oficinas.csv";
    s.recorded_zones = dir + "/establishments/escuelas_registro_2023.csv";
    s.rasters = {dir + "/rasters/landscan_2023_continental.tif", dir + "/rasters/landscan_2023_galapagos.tif"};
    return s;
}

namespace {

using clock_type = std::chrono::steady_clock;

// Wall seconds per named stage.
class stage_clock {
public:
    explicit stage_clock(std::vector<std::pair<std::string, double>>& out) : out_(out) {}
    void lap(const char* name) {
        auto now = clock_type::now();
        out_.emplace_back(name, std::chrono::duration<double>(now - start_).count());
        start_ = now;
    }

private:
    std::vector<std::pair<std::string, double>>& out_;
    clock_type::time_point start_ = clock_type::now();
};

}  // namespace

national_result build_national(const national_inputs& in, const national_options& opt) {
    national_result res;
    stage_clock clock(res.stages);
    const unsigned threads = opt.threads;
    res.report.append(in.report);

    parish_census census = match_census({in.parishes, in.cantons, in.census, in.rasters, threads});
    res.report.append(census.report);
    codification_result cod =
        codify_parishes({in.parishes, in.cantons, in.codification, in.urban_parishes, census.people});
    res.report.append(cod.report);
    zone_resolution zones =
        resolve_zones({cod.zone_of, cod.cantons.cantons_of_district, in.legal_zones, in.offices, in.recorded_zones,
                       in.sources.codification, in.sources.legal_zones, in.sources.offices, in.sources.recorded_zones});
    res.report.append(zones.report);
    cod.zone_of = std::move(zones.zone_of);
    clock.lap("match the sources (census, codification)");

    auto t0 = clock_type::now();
    national_pieces pieces = build_pieces(
        {in.parishes, census.people, cod.listed_districts, cod.listed_circuits, in.rasters, opt.analysis_crs, threads});
    res.pieces = pieces.graph.pieces().size();
    res.split_parishes = pieces.split_parishes;
    res.report.append(pieces.report);
    district_design districts =
        design_districts({in.parishes, pieces.graph, cod.cantons, cod.listed_districts, cod.listed_circuits, in.offices,
                          opt.analysis_crs, opt.seed, threads});
    circuit_design circuits =
        design_circuits({pieces.graph, districts, cod.circuits_of_district, cod.listed_circuits, opt.seed, threads});
    circuit_units units = assemble_circuits({pieces.graph, in.parishes, circuits, cod.circuit_name, threads});
    res.report.append(units.report);
    res.design_seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    clock.lap("design (pieces, districts, circuits, geometry)");

    official_comparison comparison = compare_official(
        {in.official_circuits, units.layer, circuits, districts, pieces.graph, in.parishes, opt.analysis_crs, threads});
    res.report.append(comparison.report);
    precedence_result official =
        apply_official({std::move(units.layer), std::move(units.population), comparison, circuits, in.parishes,
                        census.people, in.rasters, in.sources.official_circuits, opt.analysis_crs, threads});
    res.report.append(official.report);
    parallel_for(official.circuits.units.size(), threads,
                 [&](std::size_t i) { measure_unit(official.circuits.units[i], opt.analysis_crs); });
    res.official = std::move(comparison.circuits);
    res.official_districts = std::move(comparison.districts);
    clock.lap("official circuits (compare, take precedence, recount)");

    dissolved_levels levels = dissolve_levels({official.circuits, official.population, circuits, districts,
                                               cod.district_name, cod.zone_of, opt.analysis_crs, threads});
    clock.lap("dissolve districts and zones");

    unit_figures figures = report_units({in.parishes, in.cantons, census.people, pieces.graph, official.circuits,
                                         official.population, circuits, districts, levels, official.official_codes,
                                         res.official_districts, cod.listed_districts});
    res.population = std::move(figures.population);
    res.units = std::move(figures.units);
    res.report.append(check_offices({in.offices, levels.districts, in.sources.offices}));
    res.report.append(check_zone_territories(
        {levels.zones, levels.districts, in.cantons, in.provinces, in.legal_zones, opt.analysis_crs, threads}));
    clock.lap("report, office and territory checks");

    res.circuits = std::move(official.circuits);
    res.districts = std::move(levels.districts);
    res.zones = std::move(levels.zones);
    return res;
}

}  // namespace microplan::geo::design
