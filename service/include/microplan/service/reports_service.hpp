#pragma once
// Planning reports over a snapshot's coverage model, in JSON or CSV (f=json|csv):
//   /reports/district/{code}   the intersectoral report of a district (or any unit: level=)
//   /reports/coverage          current / ideal / deficit / cost per unit and sector
//   /reports/ranking           units ranked by the investment their gap needs per inhabitant
// 404 NotAvailable (with what to run) when the store has no standards or population.
//
// Thread safety: stateless; the model is read only.
#include "microplan/service/context.hpp"

namespace microplan::service {

class reports_service {
public:
    http_response unit_report(const request_context& ctx, const std::string& code) const;
    http_response coverage(const request_context& ctx) const;
    http_response ranking(const request_context& ctx) const;
};

}  // namespace microplan::service
