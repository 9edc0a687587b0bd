#pragma once
// The memory both caches of the server are built on (tiles, feature pages): immutable entries
// shared by pointer, least recently used evicted first, bounded in bytes, in 8 shards with a
// mutex each so that concurrent requests rarely wait for one another.
//
// Generations keep stale data out: drop_if() and clear() raise the minimum generation, and an
// entry made from an older snapshot than that is not admitted by put(). The check and the
// insertion happen under the shard's lock and drop_if() raises the minimum before it visits any
// shard, so an entry built from a replaced snapshot can never outlive the invalidation.
//
// Entry needs `const std::string& key() const` and `std::size_t bytes() const`.
// Thread safety: every member is safe to call from any thread.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace microplan::service {

template <class Entry>
class sharded_lru {
public:
    explicit sharded_lru(std::size_t max_bytes) : max_bytes_per_shard_(max_bytes / shard_count) {}

    [[nodiscard]] std::shared_ptr<const Entry> get(const std::string& key) {
        if (max_bytes_per_shard_ == 0) return nullptr;
        shard& s = shard_for(key);
        std::lock_guard lock(s.mutex);
        auto it = s.index.find(key);
        if (it == s.index.end()) {
            ++s.misses;
            return nullptr;
        }
        ++s.hits;
        s.order.splice(s.order.begin(), s.order, it->second);
        return *it->second;
    }

    // Admits `entry` unless it is larger than a shard or was made from a snapshot older than the
    // last invalidation; evicts the least recently used entries beyond the budget.
    void put(std::shared_ptr<const Entry> entry, std::uint64_t generation) {
        if (max_bytes_per_shard_ == 0 || entry->bytes() > max_bytes_per_shard_) return;
        shard& s = shard_for(entry->key());
        std::lock_guard lock(s.mutex);
        if (generation < min_generation_.load()) return;
        if (auto it = s.index.find(entry->key()); it != s.index.end()) erase(s, it->second);
        s.bytes += entry->bytes();
        s.order.push_front(std::move(entry));
        s.index.emplace(s.order.front()->key(), s.order.begin());
        while (s.bytes > max_bytes_per_shard_ && !s.order.empty()) erase(s, std::prev(s.order.end()));
    }

    // Drops every entry `pred` selects; later puts need `generation` or newer. Returns how many.
    std::size_t drop_if(const std::function<bool(const Entry&)>& pred, std::uint64_t generation) {
        min_generation_.store(generation);
        std::size_t dropped = 0;
        for (shard& s : shards_) {
            std::lock_guard lock(s.mutex);
            for (auto it = s.order.begin(); it != s.order.end();) {
                if (pred(**it)) {
                    it = erase(s, it);
                    ++dropped;
                } else {
                    ++it;
                }
            }
        }
        return dropped;
    }

    void clear(std::uint64_t generation) {
        drop_if([](const Entry&) { return true; }, generation);
    }

    struct stats {
        std::size_t entries = 0, bytes = 0, hits = 0, misses = 0;
    };
    [[nodiscard]] stats statistics() const {
        stats out;
        for (const shard& s : shards_) {
            std::lock_guard lock(s.mutex);
            out.entries += s.order.size();
            out.bytes += s.bytes;
            out.hits += s.hits;
            out.misses += s.misses;
        }
        return out;
    }

private:
    static constexpr std::size_t shard_count = 8;
    using list = std::list<std::shared_ptr<const Entry>>;
    // A cache line or more each, counters under the shard's lock: threads hitting different
    // shards share no line.
    struct alignas(64) shard {
        mutable std::mutex mutex;
        list order;  // front: most recent
        std::unordered_map<std::string, typename list::iterator> index;
        std::size_t bytes = 0;
        std::size_t hits = 0, misses = 0;
    };
    shard& shard_for(const std::string& key) { return shards_[std::hash<std::string>{}(key) % shard_count]; }
    static typename list::iterator erase(shard& s, typename list::iterator it) {
        s.bytes -= (*it)->bytes();
        s.index.erase((*it)->key());
        return s.order.erase(it);
    }

    std::size_t max_bytes_per_shard_;
    std::array<shard, shard_count> shards_;
    std::atomic<std::uint64_t> min_generation_{0};
};

}  // namespace microplan::service
