#pragma once
// Progress of a long use case (what it reads, how far it got, what it skipped), one line at a
// time without a trailing newline, for a caller that shows it: the command line prints each
// line on stderr. An empty sink keeps the use case silent. Called on the use case's thread.
#include <functional>
#include <string>

namespace microplan::geo::usecases {

using progress = std::function<void(const std::string& line)>;

}  // namespace microplan::geo::usecases
