#pragma once
// A use case refusing what it was asked: not bad data in a file (geo::error) and not a failure,
// but a request for something that does not exist, is not available in this store, or is not
// valid, or an edit of something that changed since the client read it (optimistic locking).
// Callers map it once (the server: 404 / 404 / 422 / 412; the command line: exit 2).
#include <stdexcept>
#include <string>

namespace microplan::geo::usecases {

class refusal : public std::runtime_error {
public:
    enum class reason { not_found, not_available, invalid, stale };
    refusal(reason why, const std::string& message) : std::runtime_error(message), why_(why) {}
    [[nodiscard]] reason why() const noexcept { return why_; }

private:
    reason why_;
};

}  // namespace microplan::geo::usecases
