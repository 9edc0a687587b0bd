#include "microplan/service/served_store.hpp"

namespace microplan::service {

served_store::served_store(const std::string& store_path, std::size_t tile_cache_bytes,
                           std::chrono::milliseconds watch_interval, std::function<void(const std::string&)> log,
                           std::size_t page_cache_bytes, bool warm_travel)
    : state_(snapshot::load(store_path), tile_cache_bytes, page_cache_bytes),
      book_(
          store_path,
          [this] {
              if (watcher_) watcher_->acknowledge();
          },
          [this] {
              if (watcher_) watcher_->about_to_write();
          }) {
    book_.rebase(state_.current());
    state_.on_replace([this](std::shared_ptr<const snapshot> next) { book_.rebase(std::move(next)); });
    state_.on_reload([this] {
        if (watcher_) watcher_->reload_now();
    });
    if (warm_travel && state_.current()->travel())
        warm_ = std::thread([snap = state_.current(), log] { snap->travel()->prepare(log); });
    watcher_ = std::make_unique<store_watcher>(state_, watch_interval, std::move(log),
                                               [this] { return book_.edit_session(); });
}

served_store::~served_store() {
    if (warm_.joinable()) warm_.join();
}

}  // namespace microplan::service
