#pragma once
// The version of a stored record, as edits compare it (If-Match): FNV-1a over its fields, each
// closed by a separator no field holds, as 16 hexadecimal digits. Private to the use cases
// (establishment_version, proposal_version).
#include <cstdint>
#include <cstdio>
#include <string>

namespace microplan::geo::usecases::detail {

class version_digest {
public:
    version_digest& add(const std::string& field) {
        for (unsigned char c : field) h_ = (h_ ^ c) * 1099511628211ull;
        h_ = (h_ ^ 0x1f) * 1099511628211ull;
        return *this;
    }
    version_digest& add(double v) {  // every bit of it
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        return add(std::string(buf));
    }
    [[nodiscard]] std::string hex() const {
        char out[17];
        std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h_));
        return out;
    }

private:
    std::uint64_t h_ = 1469598103934665603ull;
};

}  // namespace microplan::geo::usecases::detail
