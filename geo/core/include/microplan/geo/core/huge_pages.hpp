#pragma once
// Large grids in 2 MB pages: a search that touches cells all over a grid of tens of millions
// misses the address translation cache on nearly every read with 4 kB pages.
#include <sys/mman.h>

#include <cstdint>
#include <vector>

namespace microplan::geo {

// Sizes the empty vector `v` to `n` copies of `value`, asking Linux (transparent huge pages on
// request) for 2 MB pages before the memory is first touched. Elsewhere, a plain assign.
template <typename T>
void assign_in_huge_pages(std::vector<T>& v, std::size_t n, const T& value) {
    v.clear();
    v.reserve(n);  // allocated, not yet touched
#ifdef MADV_HUGEPAGE
    constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
    const auto lo = (reinterpret_cast<std::uintptr_t>(v.data()) + huge - 1) & ~(huge - 1);
    const auto hi = (reinterpret_cast<std::uintptr_t>(v.data() + n)) & ~(huge - 1);
    if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#endif
    v.assign(n, value);
}

}  // namespace microplan::geo
