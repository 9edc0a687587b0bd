#pragma once
// The store a server serves, kept current: the snapshot state, the workshop's scenario book and
// the watcher that reloads both when another program changes the store, wired once here (the
// CLI's `serve` and the tests build the same thing): the one owner of the reload / edit
// sequence. Its lock order (store_watcher's comment): the watcher's reload lock, then the
// scenario book's mutex, then the watcher's stamp lock, a leaf; edits take the last two only.
//
// Thread safety: the members it hands out are synchronised (each says how); construct and
// destroy from one thread, while no request is being served.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "microplan/service/request_handler.hpp"
#include "microplan/service/store_watcher.hpp"

namespace microplan::service {

class served_store {
public:
    // Loads the store (geo::store_error when it cannot be read) and starts watching it every
    // `watch_interval` (0: never; check() still works). `log` gets the watcher's lines. With
    // `warm_travel`, a thread builds the live travel-time baselines of the loaded snapshot
    // (usecases/scenario_travel.hpp) so the workshop's first question does not wait for them;
    // the destructor joins it (a search in flight is finished first: seconds nationally).
    served_store(const std::string& store_path, std::size_t tile_cache_bytes, std::chrono::milliseconds watch_interval,
                 std::function<void(const std::string&)> log,
                 std::size_t page_cache_bytes = store_state::default_page_cache_bytes, bool warm_travel = false);
    ~served_store();
    served_store(const served_store&) = delete;
    served_store& operator=(const served_store&) = delete;

    [[nodiscard]] store_state& state() noexcept { return state_; }
    [[nodiscard]] scenario_book& scenarios() noexcept { return book_; }
    [[nodiscard]] store_watcher& watcher() noexcept { return *watcher_; }

private:
    store_state state_;
    scenario_book book_;
    std::unique_ptr<store_watcher> watcher_;  // stopped before the book and state
    std::thread warm_;                        // builds the travel baselines; joined first
};

}  // namespace microplan::service
