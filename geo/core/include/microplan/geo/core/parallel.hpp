#pragma once
// Runs fn(i) for i in [0, n) on `threads` threads (0 = all cores). Each thread keeps its
// own GEOS/PROJ contexts (thread_local), so fn may use them freely. The first exception,
// in index order, is rethrown after all threads finished.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace microplan::geo {

template <typename Fn>
void parallel_for(std::size_t n, unsigned threads, Fn&& fn) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(n, 1)));
    std::vector<std::exception_ptr> failures(n);
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < n; i = next++) {
            try {
                fn(i);
            } catch (...) {
                failures[i] = std::current_exception();
            }
        }
    };
    {
        std::vector<std::jthread> pool;
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
        work();
    }
    for (auto& f : failures)
        if (f) std::rethrow_exception(f);
}

}  // namespace microplan::geo
