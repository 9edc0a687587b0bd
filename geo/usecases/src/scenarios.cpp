#include "microplan/geo/usecases/scenarios.hpp"

#include <algorithm>

#include "microplan/geo/core/utf8_text.hpp"
#include "version_digest.hpp"

namespace microplan::geo::usecases {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw refusal(refusal::reason::invalid, message); }

std::string circuit_code_of(const coverage_model& m, const std::vector<int>& units) {
    std::size_t tier = m.where().tier_count() - 1;
    return units[tier] >= 0 ? m.where().units(tier)[static_cast<std::size_t>(units[tier])].code : std::string();
}

// Names are limited in characters, not bytes ("Ñuñoa" is 5), and never cut.
constexpr std::size_t max_name_chars = 200;

// Control characters (NUL, line breaks, ESC...) would travel into exports and terminals.
bool has_control_character(const std::string& text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
    return false;
}

void check_name(const std::string& name) {
    if (name.empty() || utf8::length(name) > max_name_chars)
        invalid("a scenario needs a name of 1 to " + std::to_string(max_name_chars) + " characters, not " +
                std::to_string(utf8::length(name)));
    if (has_control_character(name)) invalid("a scenario's name may not contain control characters");
}

void check_establishment_name(const std::string& name) {
    if (utf8::length(name) > max_name_chars)
        invalid("a proposed establishment's name has at most " + std::to_string(max_name_chars) + " characters, not " +
                std::to_string(utf8::length(name)));
    if (has_control_character(name)) invalid("a proposed establishment's name may not contain control characters");
}

}  // namespace

scenario_book::scenario_book(std::string store_location, std::function<void()> on_written,
                             std::function<void()> before_write)
    : store_location_(std::move(store_location)),
      editor_(store_location_),
      on_written_(std::move(on_written)),
      before_write_(std::move(before_write)) {}

std::shared_ptr<const scenario_baseline> scenario_book::baseline() const {
    std::lock_guard lock(mutex_);
    return baseline_;
}

scenario_book::scenario& scenario_book::find(std::int64_t id) {
    auto it = scenarios_.find(id);
    if (it == scenarios_.end()) throw refusal(refusal::reason::not_found, "no scenario " + std::to_string(id));
    if (!it->second.model)
        throw refusal(refusal::reason::not_available,
                      "scenarios need the planning model: " + (baseline_ ? baseline_->planning_unavailable() : ""));
    return it->second;
}
const scenario_book::scenario& scenario_book::find(std::int64_t id) const {
    return const_cast<scenario_book*>(this)->find(id);
}

std::unique_ptr<store::planning_store> scenario_book::open_for_edit() const {
    auto db = editor_.open();  // under mutex_: one edit at a time
    if (before_write_) before_write_();
    return db;
}

std::string proposal_version(const proposed_establishment& p) {
    return detail::version_digest()
        .add(std::to_string(p.id))
        .add(std::to_string(p.scenario_id))
        .add(p.sector)
        .add(p.typology)
        .add(p.name)
        .add(p.lon)
        .add(p.lat)
        .add(p.circuit_code)
        .hex();
}

std::unique_ptr<store::planning_store> scenario_book::open_expecting(
    std::int64_t establishment, const std::optional<std::vector<std::string>>& expected) const {
    auto db = open_for_edit();
    if (!expected) return db;
    for (const auto& stored : db->read_proposals()) {  // under the write lock: what every replica wrote
        if (stored.id != establishment) continue;
        const std::string now = proposal_version(stored);
        if (std::find(expected->begin(), expected->end(), now) == expected->end())
            throw refusal(refusal::reason::stale, "proposal " + std::to_string(establishment) +
                                                      " changed since it was read (now \"" + now +
                                                      "\"): read it again and repeat the edit on what it is now");
        return db;
    }
    throw refusal(refusal::reason::not_found, "no proposed establishment " + std::to_string(establishment));
}

std::vector<int> scenario_book::locate_or_refuse(double lon, double lat) const {
    auto units = baseline_->locate(lon, lat);
    if (!units)
        invalid("the point (" + std::to_string(lon) + ", " + std::to_string(lat) + ") lies in no circuit of the store");
    return *units;
}

placed_establishment scenario_book::place(const proposed_establishment& p) const {
    placed_establishment e;
    e.id = "P" + std::to_string(p.id);
    e.sector = p.sector;
    e.typology = p.typology;
    e.condition = "good";
    e.status = "existing";  // counted as if built: the scenario asks "what if it existed"
    auto units = baseline_->locate(p.lon, p.lat);
    if (units) e.units = *units;
    return e;
}

void scenario_book::count(scenario& s, const proposed_establishment& p) {
    placed_establishment e = place(p);
    if (e.units.empty()) return;  // outside every circuit (the boundaries changed): not counted
    s.handles[p.id] = s.model->add(std::move(e));
}

void scenario_book::drop(scenario& s, std::int64_t proposal) {
    if (auto h = s.handles.find(proposal); h != s.handles.end()) {
        s.model->remove(h->second);
        s.handles.erase(h);
    }
}

closed_establishment scenario_book::resolve(const store::closure_record& r) const {
    closed_establishment c{r, false, {}};
    std::optional<baseline_establishment> e = baseline_->establishment(r.fid);
    if (!e || e->code != r.code || e->sector != r.sector) e = baseline_->establishment_by_code(r.sector, r.code);
    if (e) c.found = true, c.now = *e;
    return c;
}

void scenario_book::shut(scenario& s, const store::closure_record& r) {
    closed_establishment c = resolve(r);
    if (c.found) s.model->remove(c.now.handle);
    s.closures.push_back(std::move(c));
    ++s.info.closed;
}

void scenario_book::unshut(scenario& s, std::int64_t stored_fid) {
    auto it = std::find_if(s.closures.begin(), s.closures.end(),
                           [&](const closed_establishment& c) { return c.record.fid == stored_fid; });
    if (it == s.closures.end()) return;
    // Another closure may reach the same establishment (closed by an old fid and by its new one).
    const bool shared = it->found && std::any_of(s.closures.begin(), s.closures.end(), [&](const auto& o) {
                            return &o != &*it && o.found && o.now.handle == it->now.handle;
                        });
    if (it->found && !shared) s.model->restore(it->now.handle);
    s.closures.erase(it);
    --s.info.closed;
}

void scenario_book::rebase(std::shared_ptr<const scenario_baseline> next) {
    std::lock_guard lock(mutex_);
    // Built aside and swapped in, so a store that cannot be read leaves the book as it was.
    // The store is read under the mutex: an edit cannot commit between the read and the swap.
    std::map<std::int64_t, scenario> loaded;
    auto db = store::open_store(store_location_, store::open_mode::read_only);
    for (const store::scenario_record& r : db->read_scenarios()) {
        scenario s;
        s.info = {r.id, r.name, r.created_at, r.updated_at, 0};
        if (next->model()) s.model = std::make_unique<coverage_model>(*next->model());
        loaded.emplace(s.info.id, std::move(s));
    }
    const std::vector<store::proposal_record> proposals = db->read_proposals();
    const std::vector<store::closure_record> closures = db->read_closures();
    std::swap(baseline_, next);  // count() places proposals on the new baseline
    try {
        for (const store::proposal_record& p : proposals) {
            auto it = loaded.find(p.scenario_id);
            if (it == loaded.end()) continue;
            it->second.proposals[p.id] = p;
            ++it->second.info.establishments;
            if (it->second.model) count(it->second, p);
        }
        for (const store::closure_record& c : closures) {
            auto it = loaded.find(c.scenario_id);
            if (it != loaded.end() && it->second.model) shut(it->second, c);
        }
    } catch (...) {
        std::swap(baseline_, next);
        throw;
    }
    scenarios_ = std::move(loaded);
}

std::map<std::int64_t, proposed_establishment>::iterator scenario_book::proposal(scenario& s,
                                                                                 std::int64_t establishment) {
    auto it = s.proposals.find(establishment);
    if (it == s.proposals.end())
        throw refusal(refusal::reason::not_found, "scenario " + std::to_string(s.info.id) + " has no establishment " +
                                                      std::to_string(establishment));
    return it;
}

void scenario_book::touch(std::int64_t id) {
    auto it = scenarios_.find(id);
    if (it != scenarios_.end()) it->second.info.updated_at = store::now_utc();
}

std::vector<scenario_summary> scenario_book::list() const {
    std::lock_guard lock(mutex_);
    std::vector<scenario_summary> out;
    for (const auto& [id, s] : scenarios_) out.push_back(s.info);
    return out;
}

scenario_summary scenario_book::summary(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    return find(id).info;
}

std::vector<proposed_establishment> scenario_book::establishments(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    std::vector<proposed_establishment> out;
    for (const auto& [pid, p] : find(id).proposals) out.push_back(p);
    return out;
}

scenario_summary scenario_book::create(const std::string& name) {
    std::lock_guard lock(mutex_);
    if (!baseline_ || !baseline_->model())
        throw refusal(refusal::reason::not_available,
                      "scenarios need the planning model: " + (baseline_ ? baseline_->planning_unavailable() : ""));
    check_name(name);
    store::scenario_record r = open_for_edit()->create_scenario(name);
    if (on_written_) on_written_();
    scenario s;
    s.info = {r.id, r.name, r.created_at, r.updated_at, 0};
    s.model = std::make_unique<coverage_model>(*baseline_->model());
    scenario_summary out = s.info;
    scenarios_.emplace(out.id, std::move(s));
    return out;
}

scenario_summary scenario_book::rename(std::int64_t id, const std::string& name) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    check_name(name);
    open_for_edit()->rename_scenario(id, name);
    if (on_written_) on_written_();
    s.info.name = name;
    touch(id);
    return s.info;
}

void scenario_book::remove(std::int64_t id) {
    std::lock_guard lock(mutex_);
    if (scenarios_.find(id) == scenarios_.end())
        throw refusal(refusal::reason::not_found, "no scenario " + std::to_string(id));
    open_for_edit()->delete_scenario(id);
    if (on_written_) on_written_();
    scenarios_.erase(id);
}

proposed_establishment scenario_book::add(std::int64_t id, const std::string& sector, const std::string& typology,
                                          const std::string& name, double lon, double lat) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    const auto& catalogue = s.model->catalogue();
    if (!catalogue.governing(sector, typology)) {
        std::string known;
        for (const auto& st : catalogue.items)
            if (st.sector == sector && st.typology != "*") known += (known.empty() ? "" : ", ") + st.typology;
        invalid("no standard in force for sector '" + utf8::excerpt(sector, 60) + "', typology '" +
                utf8::excerpt(typology, 80) + "'" +
                (known.empty() ? std::string(" (unknown sector)") : "; typologies of the sector: " + known));
    }
    check_establishment_name(name);
    std::vector<int> units = locate_or_refuse(lon, lat);
    proposed_establishment p{0, id, sector, typology, name, lon, lat, circuit_code_of(*s.model, units)};
    p = open_for_edit()->add_proposal(p);
    if (on_written_) on_written_();
    s.proposals[p.id] = p;
    ++s.info.establishments;
    count(s, p);
    touch(id);
    return p;
}

proposed_establishment scenario_book::move(std::int64_t id, std::int64_t establishment, double lon, double lat,
                                           const std::optional<std::vector<std::string>>& expected) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    auto it = proposal(s, establishment);
    std::vector<int> units = locate_or_refuse(lon, lat);
    proposed_establishment before = it->second;
    proposed_establishment after = before;
    after.lon = lon, after.lat = lat, after.circuit_code = circuit_code_of(*s.model, units);
    open_expecting(establishment, expected)->move_proposal(before, after);
    if (on_written_) on_written_();
    it->second = after;
    if (auto h = s.handles.find(establishment); h != s.handles.end())
        s.model->move(h->second, units);
    else
        count(s, after);
    touch(id);
    return after;
}

void scenario_book::remove_establishment(std::int64_t id, std::int64_t establishment,
                                         const std::optional<std::vector<std::string>>& expected) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    auto it = proposal(s, establishment);
    open_expecting(establishment, expected)->delete_proposal(it->second);
    if (on_written_) on_written_();
    drop(s, establishment);
    s.proposals.erase(it);
    --s.info.establishments;
    touch(id);
}

std::pair<closed_establishment, bool> scenario_book::close(std::int64_t id, std::int64_t fid) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    for (const closed_establishment& c : s.closures)
        if (c.found && c.now.fid == fid) return {c, false};
    std::optional<baseline_establishment> e = baseline_->establishment(fid);
    if (!e) throw refusal(refusal::reason::not_found, "the store has no establishment " + std::to_string(fid));
    store::closure_record r{id, fid, e->code, e->sector, e->typology, e->name};
    // Closed in the store already by another writer: nothing was written, so nothing is told to
    // on_written (which would take that writer's change for ours and skip its reload).
    if (!open_for_edit()->close_establishment(r)) return {resolve(r), false};
    if (on_written_) on_written_();
    shut(s, r);
    touch(id);
    return {s.closures.back(), true};
}

void scenario_book::reopen(std::int64_t id, std::int64_t fid) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    // By the fid the client sees (the establishment's now), else by the fid it was closed with.
    auto it = std::find_if(s.closures.begin(), s.closures.end(),
                           [&](const closed_establishment& c) { return c.found && c.now.fid == fid; });
    if (it == s.closures.end())
        it = std::find_if(s.closures.begin(), s.closures.end(),
                          [&](const closed_establishment& c) { return c.record.fid == fid; });
    if (it == s.closures.end())
        throw refusal(refusal::reason::not_found,
                      "scenario " + std::to_string(id) + " does not close establishment " + std::to_string(fid));
    const std::int64_t stored = it->record.fid;
    // False when another writer reopened it already: nothing written, nothing to tell.
    if (open_for_edit()->reopen_establishment(id, stored) && on_written_) on_written_();
    unshut(s, stored);
    touch(id);
}

std::vector<closed_establishment> scenario_book::closures(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    return find(id).closures;
}

store::scenario_changes scenario_book::changes(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    const scenario& s = find(id);
    store::scenario_changes out;
    for (const auto& [pid, p] : s.proposals) out.proposals.push_back(p);
    for (const closed_establishment& c : s.closures)
        if (c.found) out.closed.push_back(c.now.fid);
    std::sort(out.closed.begin(), out.closed.end());
    out.closed.erase(std::unique(out.closed.begin(), out.closed.end()), out.closed.end());
    return out;
}

bool scenario_book::undo(std::int64_t id) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    std::optional<store::undone_edit> edit = open_for_edit()->undo_last_edit(id);
    if (!edit) return false;
    if (on_written_) on_written_();
    const proposed_establishment& saved = edit->proposal;
    const std::int64_t eid = saved.id;
    if (edit->action == store::edit_action::close) {
        unshut(s, edit->closure.fid);
    } else if (edit->action == store::edit_action::reopen) {
        shut(s, edit->closure);
    } else if (edit->action == store::edit_action::add) {
        drop(s, eid);
        s.proposals.erase(eid);
        --s.info.establishments;
    } else if (edit->action == store::edit_action::move) {
        proposed_establishment& p = s.proposals[eid];
        p.lon = saved.lon, p.lat = saved.lat, p.circuit_code = saved.circuit_code;
        drop(s, eid);
        count(s, p);
    } else {
        s.proposals[eid] = saved;
        ++s.info.establishments;
        count(s, saved);
    }
    touch(id);
    return true;
}

}  // namespace microplan::geo::usecases
