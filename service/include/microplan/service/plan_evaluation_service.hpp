#pragma once
// Districting plans over the served store:
//   GET /reports/plan-evaluation   a level judged as a plan (geo/usecases/plan_evaluation.hpp):
//                                  population against target= and tolerance=, contiguity,
//                                  compactness, nesting in the level above, splits of the store's
//                                  parishes, overlaps and gaps; JSON or CSV (f=json|csv);
//   POST /reports/plan-comparison  a level compared with the plan in the body (GeoJSON): matched
//                                  units, people moved, variation of information, the finer units
//                                  that change and the changed areas as GeoJSON
//                                  (geo/usecases/plan_comparison.hpp).
//
// The evaluation reads the store file and takes about a second per thousand units, so each
// level is evaluated once per snapshot generation and every target and tolerance is answered
// from it (geo::design::retarget: no geometry); a new snapshot drops it. A flood of requests
// with ever new targets costs no more than one evaluation per level.
//
// Thread safety: any thread. Lock: `mutex_` guards the kept answers only and is a leaf (no
// call out while held; the evaluation runs outside it).
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "microplan/geo/usecases/plan_evaluation.hpp"
#include "microplan/service/context.hpp"

namespace microplan::service {

class route_table;

class plan_evaluation_service {
public:
    http_response evaluate(const request_context& ctx) const;
    http_response compare(const request_context& ctx) const;
    // Registers /reports/plan-evaluation and /reports/plan-comparison. `this` must outlive the table.
    void register_routes(route_table& table) const;

private:
    struct kept {
        std::uint64_t generation = 0;
        geo::level lvl = geo::level::circuit;
        std::shared_ptr<const geo::usecases::plan_evaluation_summary> evaluation;  // without a target
    };
    mutable std::mutex mutex_;
    mutable std::list<kept> kept_;  // this generation's levels
};

}  // namespace microplan::service
