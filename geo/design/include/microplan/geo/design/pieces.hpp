#pragma once
// The pieces a level is designed from: every finer unit ("atom") whole, or, when it must be
// split, the cells of a sub-grid of a population raster with their exact covered fraction
// (partition.hpp gives the method). Immutable once built.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/model/raster.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::design {

// Population rasters used to weight the split of atoms; the first whose grid holds an
// atom's centre is used for it. Filled by the caller (io/raster.hpp read_population_grid,
// centres in the analysis CRS): design reads no files.
struct weight_rasters {
    std::vector<population_grid> grids;
};

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
    // The pieces of every atom (whole or split), then the edges between them.
    void add_pieces(const unit_layer& atoms, std::span<const double> population, std::span<const int> split_parts,
                    const weight_rasters& rasters, const std::string& analysis_crs, unsigned threads);
    void add_edges(const unit_layer& atoms, unsigned threads);

    std::vector<piece> pieces_;
    std::vector<std::uint32_t> adj_start_, adj_;
    std::vector<std::uint32_t> atom_start_, by_atom_;
    std::vector<std::vector<sub_cell>> subs_;
    std::vector<std::string> sub_crs_;
    std::vector<std::uint32_t> uniform_;
};

// Which atoms touch (share a border or a corner), from the atoms' WGS 84 geometry.
std::vector<std::vector<std::uint32_t>> atom_adjacency(const unit_layer& atoms, unsigned threads = 0);

}  // namespace microplan::geo::design
