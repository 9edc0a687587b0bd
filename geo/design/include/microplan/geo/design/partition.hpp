#pragma once
// Designing planning units from finer units: population-balanced, contiguous, compact
// parts of a parent, made of whole finer units wherever possible and of population-raster
// cells where a finer unit must be split (a city parish holding many circuits).
//
// Method (README "Designing circuits and districts"):
//   - Pieces: every finer unit ("atom") is one piece, except the atoms marked for splitting,
//     which become the cells of a sub-grid of the population raster (each raster cell cut
//     into s x s sub-cells, s chosen so the atom gets ~160 sub-cells per part it must make)
//     with their exact covered fraction. A split atom's people (its census count) are spread
//     over its sub-cells in proportion to the raster (uniformly when the raster has none).
//   - Adjacency: atoms that touch (queen); sub-cells of one atom through their sides
//     (so every designed polygon is one piece, not squares touching at corners);
//     a border sub-cell and a neighbouring atom (or its border sub-cells) when they meet.
//   - Growth: each output starts from its fixed pieces or from a seed (k-means++ on people,
//     from the run's seed), then the least-filled output (people / target) takes the
//     nearest free piece it may take on its frontier, until every piece is taken; Lloyd
//     rounds move seeds to the population centroid and grow again, keeping the most
//     balanced result. Contiguous by construction; a piece no allowed output can reach is
//     given to the nearest one and counted in `parts`.
//   - Refinement: boundary pieces move to a neighbouring output when both get closer to
//     their targets and the giving output stays connected (GerryChain's flip, greedy).
//   - Deterministic: no dependence on threads or timing, only on the input order and seed.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/model/raster.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::design {

// Population rasters used to weight the split of atoms; the first whose grid holds an
// atom's centre is used for it.
struct weight_rasters {
    std::vector<population_grid> grids;
};
weight_rasters read_weight_rasters(const std::vector<std::string>& paths, const std::string& analysis_crs);

// One piece: a whole atom (sub == -1) or one sub-cell of a split atom.
struct piece {
    std::uint32_t atom = 0;
    std::int32_t sub = -1;  // index into the atom's sub-cells
    double population = 0;  // people
    double x = 0, y = 0;    // centre in the analysis CRS (metres)
};

struct sub_cell {
    std::int32_t col = 0, row = 0;                  // in the atom's sub-grid
    double fraction = 0;                            // of the sub-cell inside the atom
    double minx = 0, miny = 0, maxx = 0, maxy = 0;  // the sub-cell, in the raster's CRS
};

// The pieces of a set of atoms and their adjacency. Immutable after build: safe to read from
// many threads (the regions of a level are grown in parallel on one graph).
class piece_graph {
public:
    // `atoms`: the finer units (geometry in WGS 84 and projected); `population`: people per
    // atom; `split_parts[a]`: 0 or 1 keeps atom a whole, k >= 2 splits it for k parts.
    static piece_graph build(const unit_layer& atoms, std::span<const double> population,
                             std::span<const int> split_parts, const weight_rasters& rasters,
                             const std::string& analysis_crs, unsigned threads = 0);

    [[nodiscard]] const std::vector<piece>& pieces() const noexcept { return pieces_; }
    [[nodiscard]] std::span<const std::uint32_t> neighbours(std::size_t p) const {
        return {adj_.data() + adj_start_[p], adj_.data() + adj_start_[p + 1]};
    }
    // The pieces of an atom (one when whole).
    [[nodiscard]] std::span<const std::uint32_t> pieces_of(std::size_t atom) const {
        return {by_atom_.data() + atom_start_[atom], by_atom_.data() + atom_start_[atom + 1]};
    }
    [[nodiscard]] bool is_split(std::size_t atom) const { return !subs_[atom].empty(); }
    [[nodiscard]] const std::vector<sub_cell>& subs(std::size_t atom) const { return subs_[atom]; }
    // The CRS of an atom's sub-cell boxes (WKT of its raster; "EPSG:4326" for uniform grids).
    [[nodiscard]] const std::string& sub_crs(std::size_t atom) const { return sub_crs_[atom]; }
    // Atoms whose split found no raster people and fell back to area (reported by callers).
    [[nodiscard]] const std::vector<std::uint32_t>& uniform_splits() const noexcept { return uniform_; }

private:
    std::vector<piece> pieces_;
    std::vector<std::uint32_t> adj_start_, adj_;
    std::vector<std::uint32_t> atom_start_, by_atom_;
    std::vector<std::vector<sub_cell>> subs_;
    std::vector<std::string> sub_crs_;
    std::vector<std::uint32_t> uniform_;
};

// Which atoms touch (share a border or a corner), from the atoms' WGS 84 geometry.
std::vector<std::vector<std::uint32_t>> atom_adjacency(const unit_layer& atoms, unsigned threads = 0);

// One design problem: the pieces of one parent shared among `targets.size()` outputs.
struct region_problem {
    std::vector<std::uint32_t> pieces;  // the region's pieces (indices into the graph)
    std::vector<double> targets;        // people per output
    // Per atom of the region (key: atom index) the outputs that may take its pieces; an
    // atom absent from the map (or with an empty list) may go to any output. One allowed
    // output fixes the atom's pieces to it.
    std::vector<std::pair<std::uint32_t, std::vector<int>>> allowed;
    // Optional starting points per output (analysis CRS), e.g. a district's office: the
    // output starts from the piece it may take nearest to it instead of a random seed.
    std::vector<std::optional<std::pair<double, double>>> seed_points;
    std::uint64_t seed = 1;
    int rounds = 8;  // Lloyd rounds after the first growth
    // Free atoms stay with the output the first growth gave them and count in its target
    // (the codification does not say where they go; the split parts balance the totals).
    bool settle_free = false;
};

struct region_result {
    std::vector<int> output_of;      // per region piece (same order as problem.pieces)
    std::vector<double> population;  // per output
    std::vector<double> targets;     // per output, with the settled free atoms
    std::size_t unreachable = 0;     // pieces given to an output they do not touch
};

region_result grow_region(const piece_graph& graph, const region_problem& problem);

// Targets for the `outputs` of `problem`: each output's fixed pieces, plus, for every atom
// split among several outputs, a share of its people in proportion to weight(atom, output)
// (e.g. how many circuits of a district lie in the city parish). Free atoms (any output may
// take them) go to whoever grows into them and count in no target. Returns, per output,
// whether the design shapes it (false: its territory is fixed).
std::vector<bool> balanced_targets(const piece_graph& graph, region_problem& problem, std::size_t outputs,
                                   const std::function<double(std::uint32_t, int)>& weight);

// The geometry (WGS 84 MultiPolygon) of a set of pieces: whole atoms as they are, each
// split atom's sub-cells merged and cut by the atom.
geos::geom_ptr pieces_geometry(const piece_graph& graph, const unit_layer& atoms,
                               std::span<const std::uint32_t> pieces);

// One designed unit, as reports list it.
struct unit_report {
    level lvl = level::circuit;
    std::string code, name, parent;
    double population = 0;
    double target = 0;     // people the design aimed at (0 when not designed)
    double deviation = 0;  // population / target - 1
    double polsby_popper = 0;
    double area_km2 = 0;
    int parts = 1;                         // polygons (1 = contiguous)
    std::vector<std::string> split_units;  // finer units it shares with other units
    bool official = false;                 // geometry from official polygons
};

// The report of unit `u` (measured) with its people and target (0: not designed).
unit_report report_of(const unit& u, double population, double target);

// The codes of the split atoms among `pieces` that `shared(atom)` says are shared with
// other units.
std::vector<std::string> split_codes(const piece_graph& graph, const unit_layer& atoms,
                                     std::span<const std::uint32_t> pieces,
                                     const std::function<bool(std::uint32_t)>& shared);

// Designing a level from finer units without a codification: each parent gets
// round(people / target) units (at least one) of equal target; a finer unit with more than
// target x (1 + tolerance) people, or a parent with fewer finer units than units to make,
// has its finer units split on the raster.
struct design_options {
    level lvl = level::circuit;  // the level designed
    double target = 11000;
    double tolerance = 0.05;       // share of the target a unit may deviate (reported beyond)
    std::string code_infix = "C";  // unit codes: parent code + infix + two digits
    std::uint64_t seed = 1;
    int rounds = 8;
    std::string analysis_crs = "EPSG:32717";
    unsigned threads = 0;
};

struct design_result {
    unit_layer units;
    std::vector<unit_report> report;
    findings problems;
    std::size_t pieces = 0, split_units = 0;
};

design_result design_units(const unit_layer& atoms, std::span<const double> population,
                           std::span<const std::string> parent_of_atom, const weight_rasters& rasters,
                           const design_options& options);

// Makes `u.geometry` valid and sets its projected copy, area and perimeter in `analysis_crs`
// (one PROJ transformer per thread).
void measure_unit(unit& u, const std::string& analysis_crs);

// Polsby-Popper compactness 4πA/P² (1 for a circle), from projected area and perimeter.
double polsby_popper(double area, double perimeter);

}  // namespace microplan::geo::design
