#pragma once
// What-if scenarios of a workshop: named sets of proposed establishments (sector, typology,
// location) and of stored establishments closed, on top of the baseline. Each lives in the store (planning_store's
// scenario tables and undo log) and in memory as a copy of the baseline coverage model with its proposals counted, so
// an edit recomputes only the unit it touches and its ancestors. Every edit is one store transaction: a crash leaves
// the last committed state, and the model is changed only after the commit. Refusals (unknown scenario, point outside
// every circuit, no standard for the sector) are usecases::refusal.
//
// Thread safety: every member locks the book's mutex; models are read under it (with_model).
// Lock order: a caller may hold its own locks when it calls in (the server's store watcher
// holds its reload lock while it calls rebase), so the book calls out under its mutex only to
// `on_written`, which must take nothing but leaf locks (locks held for no call out: the
// watcher's acknowledge takes its stamp lock only) and never call back into the book; `fn` of
// with_model must not call the book either.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/planning/coverage.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/refusal.hpp"

namespace microplan::geo::usecases {

// A stored establishment as a scenario may close it.
struct baseline_establishment {
    std::int64_t fid = 0;
    std::size_t handle = 0;  // its row in the baseline model's establishments()
    std::string code, sector, typology, name;
    std::optional<std::pair<double, double>> lonlat;
};

// What a scenario book needs of the data it builds on: the baseline coverage model (null when
// the store has none, with the reason), where a point lies at every planning tier, and the
// stored establishments.
class scenario_baseline {
public:
    virtual ~scenario_baseline() = default;
    [[nodiscard]] virtual const coverage_model* model() const noexcept = 0;
    [[nodiscard]] virtual const std::string& planning_unavailable() const noexcept = 0;
    // The unit at every planning tier (top-down) that a lon/lat point lies in; nullopt outside.
    [[nodiscard]] virtual std::optional<std::vector<int>> locate(double lon, double lat) const = 0;
    // The stored establishment with `fid`; nullopt when there is none (or no model).
    [[nodiscard]] virtual std::optional<baseline_establishment> establishment(std::int64_t fid) const = 0;
    // The stored establishment of `sector` whose code is `code`, when exactly one has it.
    [[nodiscard]] virtual std::optional<baseline_establishment> establishment_by_code(
        const std::string& sector, const std::string& code) const = 0;
};

using proposed_establishment = store::proposal_record;

struct scenario_summary {
    std::int64_t id = 0;
    std::string name, created_at, updated_at;
    std::size_t establishments = 0;  // proposed
    std::size_t closed = 0;          // stored establishments closed
};

// A stored establishment a scenario closes, as the baseline has it now: found by the fid it was
// closed with, else (the establishments were imported anew) by its sector and code; `found`
// false when neither finds it (then it closes nothing).
struct closed_establishment {
    store::closure_record record;  // as stored (record.fid: the fid it was closed with)
    bool found = false;
    baseline_establishment now;  // when found
};

// The version of a proposal: 16 hexadecimal digits changing with any of its fields (its ETag in
// the OGC API proposals collection).
std::string proposal_version(const proposed_establishment& p);

class scenario_book {
public:
    // `on_written` runs after each commit, under the book's mutex (the server tells its store
    // watcher the change is its own): leaf locks only, see above. `before_write` runs before each
    // edit writes, once the store's write lock is held (the watcher notes the store as it was,
    // so that another program's change just before is not taken for the edit's own).
    scenario_book(std::string store_location, std::function<void()> on_written,
                  std::function<void()> before_write = {});

    // Loads every stored scenario on `baseline` (after start and whenever the store changes).
    // All or nothing: when the store cannot be read the book keeps what it had.
    void rebase(std::shared_ptr<const scenario_baseline> baseline);

    [[nodiscard]] std::vector<scenario_summary> list() const;
    [[nodiscard]] scenario_summary summary(std::int64_t id) const;
    [[nodiscard]] std::vector<proposed_establishment> establishments(std::int64_t id) const;
    scenario_summary create(const std::string& name);
    scenario_summary rename(std::int64_t id, const std::string& name);
    void remove(std::int64_t id);

    // Places a proposal (refusal::invalid when the point lies in no circuit or the catalogue has
    // no standard for the sector/typology).
    proposed_establishment add(std::int64_t id, const std::string& sector, const std::string& typology,
                               const std::string& name, double lon, double lat);
    // `expected`: the versions (proposal_version) the client accepts, checked against the stored
    // proposal under the store's write lock (OGC API Part 4's If-Match); refusal::stale when the
    // stored one is none of them. Empty optional: no check.
    proposed_establishment move(std::int64_t id, std::int64_t establishment, double lon, double lat,
                                const std::optional<std::vector<std::string>>& expected = {});
    void remove_establishment(std::int64_t id, std::int64_t establishment,
                              const std::optional<std::vector<std::string>>& expected = {});
    // Closes the stored establishment `fid` (the establishments collection's) in the scenario:
    // it counts no more in the scenario's offer nor its travel time. Returns it and whether this
    // call closed it (false: the scenario already did). refusal::not_found for an unknown fid.
    std::pair<closed_establishment, bool> close(std::int64_t id, std::int64_t fid);
    // Opens it again; refusal::not_found when the scenario does not close it.
    void reopen(std::int64_t id, std::int64_t fid);
    [[nodiscard]] std::vector<closed_establishment> closures(std::int64_t id) const;
    // What the scenario changes of the baseline: its proposals and the fids it closes (found
    // ones), read under the lock and handed out (scenario_travel takes them).
    [[nodiscard]] store::scenario_changes changes(std::int64_t id) const;
    // Reverts the scenario's last edit (add, move, delete, close or reopen); false when there is none.
    bool undo(std::int64_t id);

    // Calls fn(model) under the lock; refusal::not_found for an unknown scenario.
    template <class Fn>
    auto with_model(std::int64_t id, Fn&& fn) const {
        std::lock_guard lock(mutex_);
        return fn(*find(id).model);
    }
    [[nodiscard]] std::shared_ptr<const scenario_baseline> baseline() const;
    // Runs fn(store) on the store opened for one edit in the book's edit session, under the
    // book's mutex: the server's other edits (establishments, OGC API - Features Part 4) go
    // through it too, so that all of them come from the one session the watcher knows as its own.
    template <class Fn>
    auto with_store_edit(Fn&& fn) {
        std::lock_guard lock(mutex_);
        auto db = open_for_edit();
        return fn(*db);
    }
    // The database session the book's edits are made in (store_editor::session): a server tells
    // the notifications of its own edits by it. Any thread, no lock.
    [[nodiscard]] int edit_session() const noexcept { return editor_.session(); }

private:
    struct scenario {
        scenario_summary info;
        std::unique_ptr<coverage_model> model;
        std::map<std::int64_t, proposed_establishment> proposals;
        std::map<std::int64_t, std::size_t> handles;  // proposal id -> model handle
        std::vector<closed_establishment> closures;   // by stored fid
    };
    scenario& find(std::int64_t id);
    const scenario& find(std::int64_t id) const;
    [[nodiscard]] std::unique_ptr<store::planning_store> open_for_edit() const;
    // open_for_edit, refusing (stale) when the stored proposal's version is not one `expected` names.
    [[nodiscard]] std::unique_ptr<store::planning_store> open_expecting(
        std::int64_t establishment, const std::optional<std::vector<std::string>>& expected) const;
    [[nodiscard]] std::vector<int> locate_or_refuse(double lon, double lat) const;
    placed_establishment place(const proposed_establishment& p) const;
    void count(scenario& s, const proposed_establishment& p);  // adds p to the model
    void drop(scenario& s, std::int64_t proposal);             // takes p out of the model
    closed_establishment resolve(const store::closure_record& r) const;
    void shut(scenario& s, const store::closure_record& r);  // adds the closure, out of the model
    void unshut(scenario& s, std::int64_t stored_fid);       // takes it away, back in the model
    void touch(std::int64_t id);
    static std::map<std::int64_t, proposed_establishment>::iterator proposal(scenario& s, std::int64_t establishment);

    std::string store_location_;
    mutable store::store_editor editor_;  // used under mutex_
    std::function<void()> on_written_;
    std::function<void()> before_write_;
    mutable std::mutex mutex_;
    std::shared_ptr<const scenario_baseline> baseline_;
    std::map<std::int64_t, scenario> scenarios_;
};

}  // namespace microplan::geo::usecases
