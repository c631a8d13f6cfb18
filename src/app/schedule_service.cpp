#include "balint/app/schedule_service.hpp"

#include "balint/app/randomization_service.hpp"
#include "balint/app/services.hpp"
#include "balint/core/json.hpp"
#include "balint/core/text.hpp"
#include "balint/scheduling/calendar.hpp"
#include "balint/scheduling/planner.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <map>
#include <set>

namespace balint::app {
namespace {

using scheduling::utc_time;

core::result<const date::time_zone*> zone_of(const trial::trial_definition& t) {
  try {
    return date::locate_zone(t.programme.time_zone);
  } catch (const std::exception&) {
    return core::invalid_input("time_zone", "time zone \"" + t.programme.time_zone +
                                                "\" is not in this computer's time zone "
                                                "database (install tzdata)");
  }
}

/// The request time as a UTC instant (seconds).
utc_time now_of(const request& req) {
  auto t = scheduling::parse_utc_iso(req.now.substr(0, 19) + "Z");
  return t ? *t : utc_time{};
}

utc_time instant(const std::string& iso) {
  auto t = scheduling::parse_utc_iso(iso);
  return t ? *t : utc_time{};
}

core::error not_enrolled(const std::string& code) {
  return core::not_found("participant", "participant \"" + code +
                                            "\" is not enrolled in this trial; see "
                                            "'balint-trial participant list'");
}

core::result<void> check_cohort(const trial::trial_definition& t, const std::string& cohort) {
  if (t.find_arm(cohort)) return {};
  std::vector<std::string> ids;
  for (const auto& a : t.arms) ids.push_back(a.id);
  return core::invalid_input("cohort", "cohort \"" + cohort +
                                           "\" is not an arm of this trial; "
                                           "allowed: " +
                                           core::one_of(ids));
}

/// Everything a schedule use case reads, loaded once inside its transaction.
struct programme_state {
  loaded_trial trial;
  const date::time_zone* zone = nullptr;
  std::vector<storage::slot_record> slots;
  std::map<std::int64_t, std::vector<std::string>> leaders;  // slot id → leader codes
  std::map<std::int64_t, std::vector<std::int64_t>> roster;  // slot id → participant ids
  std::map<std::int64_t, std::vector<storage::attendance_record>> marks;  // slot id → marks
  std::vector<storage::participant_record> participants;
  std::map<std::int64_t, std::string> arm_of;  // participant id → arm

  const storage::participant_record* participant(const std::string& code) const {
    for (const auto& p : participants) {
      if (p.participant.code == code) return &p;
    }
    return nullptr;
  }
  const storage::participant_record* participant(std::int64_t id) const {
    for (const auto& p : participants) {
      if (p.id == id) return &p;
    }
    return nullptr;
  }
  const storage::slot_record* slot(const std::string& cohort, int number) const {
    for (const auto& s : slots) {
      if (s.cohort == cohort && s.kind == "session" && s.number == number) return &s;
    }
    return nullptr;
  }
  std::string category(const storage::slot_record& s) const {
    return scheduling::availability_category(instant(s.start_utc), zone);
  }
  bool available(const storage::participant_record& p, const storage::slot_record& s) const {
    const std::string c = category(s);
    const auto& a = p.participant.available;
    return !c.empty() && std::find(a.begin(), a.end(), c) != a.end();
  }
  int present_count(std::int64_t slot_id) const {
    int n = 0;
    const auto it = marks.find(slot_id);
    if (it == marks.end()) return 0;
    for (const auto& m : it->second) n += m.status == "present" ? 1 : 0;
    return n;
  }
};

core::result<programme_state> load_programme(storage::database& db) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  auto zone = zone_of(trial->definition);
  if (!zone) return std::move(zone).error();
  programme_state s{std::move(trial.value()), zone.value(), db.slots(), {}, {}, {}, {}, {}};
  for (auto& [slot, code] : db.session_leaders()) s.leaders[slot].push_back(code);
  for (auto& [slot, participant] : db.roster()) s.roster[slot].push_back(participant);
  for (auto& m : db.attendance()) s.marks[m.slot_id].push_back(m);
  s.participants = db.participants();
  for (const auto& a : db.allocations()) s.arm_of[a.participant_id] = a.arm;
  return s;
}

session_view view_of(const programme_state& st, const storage::slot_record& s) {
  session_view v;
  v.kind = s.kind;
  v.number = s.number;
  v.cohort = s.cohort;
  v.start = scheduling::local_iso(instant(s.start_utc), st.zone);
  v.end = scheduling::local_iso(instant(s.end_utc), st.zone);
  v.start_utc = s.start_utc;
  v.end_utc = s.end_utc;
  v.status = s.cancelled_at ? "cancelled" : (st.marks.count(s.id) ? "held" : "planned");
  v.cancel_reason = s.cancel_reason;
  if (const auto it = st.leaders.find(s.id); it != st.leaders.end()) v.leaders = it->second;
  if (const auto it = st.roster.find(s.id); it != st.roster.end()) {
    for (const auto id : it->second) {
      if (const auto* p = st.participant(id)) v.participants.push_back(p->participant.code);
    }
  }
  v.availability = st.category(s);
  return v;
}

/// Session slots of a cohort that are not cancelled, in number order.
std::vector<const storage::slot_record*> open_sessions(const programme_state& st,
                                                       const std::string& cohort) {
  std::vector<const storage::slot_record*> out;
  for (const auto& s : st.slots) {
    if (s.cohort == cohort && s.kind == "session" && !s.cancelled_at) out.push_back(&s);
  }
  return out;
}

/// Randomized, not withdrawn participants of a cohort, in enrolment order.
std::vector<const storage::participant_record*> cohort_members(const programme_state& st,
                                                               const std::string& cohort) {
  std::vector<const storage::participant_record*> out;
  for (const auto& p : st.participants) {
    const auto arm = st.arm_of.find(p.id);
    if (arm != st.arm_of.end() && arm->second == cohort && !p.withdrawn()) out.push_back(&p);
  }
  return out;
}

int roster_size(const programme_state& st, std::int64_t slot_id) {
  const auto it = st.roster.find(slot_id);
  return it == st.roster.end() ? 0 : static_cast<int>(it->second.size());
}

bool in_roster(const programme_state& st, std::int64_t slot_id, std::int64_t participant_id) {
  const auto it = st.roster.find(slot_id);
  return it != st.roster.end() &&
         std::find(it->second.begin(), it->second.end(), participant_id) != it->second.end();
}

core::result<void> check_code(const std::string& field, const std::string& code) {
  const bool ok =
      !code.empty() && code.size() <= 32 && std::all_of(code.begin(), code.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
  if (ok) return {};
  return core::invalid_input(
      field, field + " \"" + code + "\" is not allowed; allowed: 1-32 letters, digits, - and _");
}

/// The session slot `number` of a cohort, or not_found in the coordinator's words.
core::result<const storage::slot_record*> session_of(const programme_state& st,
                                                     const std::string& cohort, int number) {
  if (auto ok = check_cohort(st.trial.definition, cohort); !ok) return std::move(ok).error();
  if (const auto* slot = st.slot(cohort, number)) return slot;
  return core::not_found("session", "the " + cohort + " cohort has no session " +
                                        std::to_string(number) +
                                        "; see 'balint-trial schedule list'");
}

}  // namespace

core::json to_json(const session_view& v) {
  core::json j;
  j["number"] = v.number;
  j["kind"] = v.kind;
  j["cohort"] = v.cohort;
  j["start"] = v.start;
  j["end"] = v.end;
  j["status"] = v.status;
  core::json::array leaders;
  for (const auto& l : v.leaders) leaders.emplace_back(l);
  j["leaders"] = core::json(std::move(leaders));
  core::json::array people;
  for (const auto& p : v.participants) people.emplace_back(p);
  j["participants"] = core::json(std::move(people));
  return j;
}

core::json to_json(const attendance::progress& p) {
  core::json j;
  j["participant"] = p.participant;
  j["attended"] = p.attended;
  j["required"] = p.required;
  j["remaining_possible"] = p.remaining_possible;
  j["status"] = std::string(attendance::to_string(p.status));
  return j;
}

core::result<storage::leader_record> add_leader(storage::database& db, const request& req,
                                                const std::string& code, const std::string& name) {
  // One transaction from the first read: concurrent coordinators see each other's writes.
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  if (auto ok = check_code("code", code); !ok) return std::move(ok).error();
  const auto trimmed = core::trim(name);
  if (trimmed.empty() || trimmed.size() > 100) {
    return core::invalid_input("name", "the leader's name is needed (1-100 characters)");
  }
  if (db.find_leader(code)) {
    return core::conflict("code", "group leader code \"" + code + "\" is already in use");
  }
  db.insert_leader({0, code, std::string(trimmed), req.now});
  core::json after;
  after["code"] = code;
  after["name"] = std::string(trimmed);
  append_audit(db, req, "leader.add", "leader:" + code, std::nullopt, after, std::nullopt);
  auto l = db.find_leader(code);
  tx.commit();
  return std::move(l.value());
}

core::result<std::vector<storage::leader_record>> list_leaders(storage::database& db) {
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  return db.leaders();
}

core::result<std::vector<session_view>> generate_schedule(
    storage::database& db, const request& req, const std::string& cohort,
    const std::optional<std::string>& first_session) {
  // One transaction from the first read: concurrent coordinators see each other's writes.
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  const auto& def = st->trial.definition;
  if (auto ok = check_cohort(def, cohort); !ok) return std::move(ok).error();
  for (const auto& s : st->slots) {
    if (s.cohort == cohort) {
      return core::conflict("cohort", "the " + cohort +
                                          " cohort already has its calendar; see 'balint-trial "
                                          "schedule list'");
    }
  }
  trial::programme programme = def.programme;
  const std::string first_arm = def.arms.front().id;
  if (first_session) {
    programme = scheduling::shift_programme(programme, *first_session);
  } else if (cohort != first_arm) {
    // A later cohort (the waitlist) starts one week after the first cohort's last session.
    const storage::slot_record* last = nullptr;
    for (const auto& s : st->slots) {
      if (s.cohort == first_arm && s.kind == "session") last = &s;
    }
    if (!last) {
      return core::precondition_failed(
          "cohort", "the " + cohort + " cohort starts after the " + first_arm +
                        " cohort: generate that calendar first, or give --first-session DATE");
    }
    const auto local = date::make_zoned(st->zone, instant(last->start_utc)).get_local_time();
    const auto next = date::year_month_day{date::floor<date::days>(local) + date::days{7}};
    programme = scheduling::shift_programme(programme, date::format("%F", next));
  }
  auto generated = scheduling::generate_programme(programme, cohort, st->zone);
  if (!generated) return std::move(generated).error();
  std::vector<storage::slot_record> rows;
  for (const auto& g : generated.value()) {
    rows.push_back({0, cohort, std::string(scheduling::to_string(g.kind)), g.number,
                    scheduling::utc_iso(g.start), scheduling::utc_iso(g.end),
                    def.programme.time_zone, std::nullopt, std::nullopt});
  }
  db.insert_slots(rows);
  std::size_t lectures = 0;
  for (const auto& r : rows) lectures += r.kind == "lecture" ? 1 : 0;
  core::json after;
  after["cohort"] = cohort;
  after["lectures"] = lectures;
  after["sessions"] = rows.size() - lectures;
  after["first"] = rows.empty() ? "" : rows.front().start_utc;
  after["last"] = rows.empty() ? "" : rows.back().start_utc;
  append_audit(db, req, "schedule.generate", "schedule:" + cohort, std::nullopt, after,
               std::nullopt);
  tx.commit();
  return list_schedule(db, cohort);
}

namespace {

core::result<std::vector<session_view>> schedule_of(const programme_state& st,
                                                    const std::string& cohort) {
  if (!cohort.empty()) {
    if (auto ok = check_cohort(st.trial.definition, cohort); !ok) return std::move(ok).error();
  }
  std::vector<session_view> out;
  for (const auto& s : st.slots) {
    if (cohort.empty() || s.cohort == cohort) out.push_back(view_of(st, s));
  }
  return out;
}

std::vector<session_view> leader_sessions(const programme_state& st, const std::string& leader) {
  std::vector<session_view> out;
  for (const auto& s : st.slots) {
    if (s.kind != "session") continue;
    const auto it = st.leaders.find(s.id);
    if (it != st.leaders.end() &&
        std::find(it->second.begin(), it->second.end(), leader) != it->second.end()) {
      out.push_back(view_of(st, s));
    }
  }
  return out;
}

}  // namespace

core::result<std::vector<session_view>> list_schedule(storage::database& db,
                                                      const std::string& cohort) {
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  return schedule_of(st.value(), cohort);
}

core::result<std::vector<session_view>> sessions_led_by(storage::database& db,
                                                        const std::string& leader) {
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  return leader_sessions(st.value(), leader);
}

core::result<session_roster> roster_of_session(storage::database& db, const std::string& cohort,
                                               int session) {
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  auto found = session_of(st.value(), cohort, session);
  if (!found) return std::move(found).error();
  const auto* slot = found.value();
  session_roster out{view_of(st.value(), *slot), {}};
  std::map<std::string, roster_entry> entries;
  for (const auto& code : out.session.participants) entries[code] = {code, std::nullopt, {}};
  if (const auto it = st->marks.find(slot->id); it != st->marks.end()) {
    for (const auto& m : it->second) {
      entries[m.participant_code] = {m.participant_code, m.status, m.reason};
    }
  }
  for (auto& [code, e] : entries) out.entries.push_back(std::move(e));
  return out;
}

core::result<session_view> assign_leader(storage::database& db, const request& req,
                                         const std::string& cohort, int session,
                                         const std::string& leader) {
  // One transaction from the first read: concurrent coordinators see each other's writes.
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  auto found = session_of(st.value(), cohort, session);
  if (!found) return std::move(found).error();
  const auto* slot = found.value();
  const auto l = db.find_leader(leader);
  if (!l) {
    return core::not_found(
        "leader",
        "group leader \"" + leader + "\" is not known; add them with 'balint-trial leader add'");
  }
  const auto& current = st->leaders[slot->id];
  if (std::find(current.begin(), current.end(), leader) != current.end()) {
    return core::conflict("leader", leader + " already leads session " + std::to_string(session));
  }
  const int max = st->trial.definition.programme.leaders_max;
  if (static_cast<int>(current.size()) >= max) {
    return core::invalid_input("leader", "session " + std::to_string(session) + " already has " +
                                             std::to_string(current.size()) + " group leaders (" +
                                             core::join(current, ", ") +
                                             "); a session has at most " + std::to_string(max));
  }
  db.assign_leader(slot->id, l->id);
  core::json after;
  after["leader"] = leader;
  append_audit(db, req, "schedule.assign-leader",
               "session:" + cohort + "/" + std::to_string(session), std::nullopt, after,
               std::nullopt);
  tx.commit();
  st->leaders[slot->id].push_back(leader);
  return view_of(st.value(), *slot);
}

core::result<plan_view> plan_schedule(storage::database& db, const request& req,
                                      const std::string& cohort) {
  // One transaction from the first read: concurrent coordinators see each other's writes.
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  const auto& def = st->trial.definition;
  if (auto ok = check_cohort(def, cohort); !ok) return std::move(ok).error();
  const auto sessions = open_sessions(st.value(), cohort);
  if (sessions.empty()) {
    return core::precondition_failed("cohort", "the " + cohort +
                                                   " cohort has no session slots yet; run "
                                                   "'balint-trial schedule generate' first");
  }
  for (const auto* s : sessions) {
    if (st->marks.count(s->id)) {
      return core::precondition_failed(
          "cohort", "attendance is already recorded for session " + std::to_string(s->number) +
                        " of the " + cohort +
                        " cohort; the plan is fixed now (move participants one by one with "
                        "'balint-trial schedule move')");
    }
  }
  const auto members = cohort_members(st.value(), cohort);
  if (members.empty()) {
    return core::precondition_failed(
        "cohort", "nobody is randomized to the " + cohort + " cohort yet; randomize first");
  }
  scheduling::plan_request r;
  r.required = def.programme.required_sessions;
  r.capacity_min = def.programme.capacity_min;
  r.capacity_max = def.programme.capacity_max;
  for (const auto* s : sessions) r.slot_numbers.push_back(s->number);
  for (const auto* p : members) {
    r.participants.push_back(p->participant.code);
    std::vector<int> avail;
    for (std::size_t k = 0; k < sessions.size(); ++k) {
      if (st->available(*p, *sessions[k])) avail.push_back(static_cast<int>(k));
    }
    r.available.push_back(std::move(avail));
  }
  const auto result = scheduling::plan_sessions(r);
  plan_view view;
  view.feasible = result.feasible;
  view.participants = members.size();
  view.notes = result.notes;
  view.problems = result.problems;
  if (!result.feasible) return view;
  std::vector<std::int64_t> slot_ids;
  for (const auto* s : sessions) slot_ids.push_back(s->id);
  std::vector<std::pair<std::int64_t, std::int64_t>> entries;
  for (std::size_t i = 0; i < members.size(); ++i) {
    for (const int k : result.assignment[i]) {
      entries.emplace_back(sessions[static_cast<std::size_t>(k)]->id, members[i]->id);
    }
  }
  for (const bool h : result.held) view.held_sessions += h ? 1 : 0;
  db.replace_roster(slot_ids, entries);
  core::json after;
  after["cohort"] = cohort;
  after["participants"] = members.size();
  after["held_sessions"] = view.held_sessions;
  after["places"] = entries.size();
  append_audit(db, req, "schedule.plan", "schedule:" + cohort, std::nullopt, after, std::nullopt);
  tx.commit();
  auto listed = list_schedule(db, cohort);
  if (!listed) return std::move(listed).error();
  view.sessions = std::move(listed.value());
  return view;
}

core::result<std::pair<session_view, session_view>> move_participant(
    storage::database& db, const request& req, const std::string& participant, int from, int to,
    const std::optional<std::string>& reason) {
  // One transaction from the first read: concurrent coordinators see each other's writes.
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  const auto& prog = st->trial.definition.programme;
  const auto* p = st->participant(participant);
  if (!p) return not_enrolled(participant);
  const auto arm = st->arm_of.find(p->id);
  if (arm == st->arm_of.end()) {
    return core::precondition_failed(
        "participant", "participant " + participant + " is not randomized and has no sessions");
  }
  const std::string& cohort = arm->second;
  const auto* a = st->slot(cohort, from);
  const auto* b = st->slot(cohort, to);
  const std::string who = "participant " + participant;
  if (!a || !b) {
    return core::not_found(
        "session", "the " + cohort + " cohort has no session " + std::to_string(!a ? from : to));
  }
  if (!in_roster(st.value(), a->id, p->id)) {
    return core::invalid_input("from", who + " is not planned for session " + std::to_string(from));
  }
  if (in_roster(st.value(), b->id, p->id)) {
    return core::invalid_input("to", who + " is already planned for session " + std::to_string(to));
  }
  if (b->cancelled_at) {
    return core::invalid_input("to", "session " + std::to_string(to) + " was cancelled");
  }
  if (!st->available(*p, *b)) {
    return core::invalid_input("to", who + " is not available for session " + std::to_string(to) +
                                         " (" + st->category(*b) +
                                         "); their stated availability: " +
                                         enrolment::format_available(p->participant.available));
  }
  if (st->marks.count(a->id) || st->marks.count(b->id)) {
    return core::precondition_failed("session",
                                     "attendance is already recorded for session " +
                                         std::to_string(st->marks.count(a->id) ? from : to) +
                                         "; a held session's roster is history");
  }
  const int after_a = roster_size(st.value(), a->id) - 1;
  const int after_b = roster_size(st.value(), b->id) + 1;
  if (after_a > 0 && after_a < prog.capacity_min) {
    return core::invalid_input("from", "session " + std::to_string(from) + " would keep only " +
                                           std::to_string(after_a) +
                                           " participants, fewer than the minimum of " +
                                           std::to_string(prog.capacity_min));
  }
  if (after_b > prog.capacity_max) {
    return core::invalid_input(
        "to", "session " + std::to_string(to) + " would have " + std::to_string(after_b) +
                  " participants, more than the maximum of " + std::to_string(prog.capacity_max));
  }
  if (after_b < prog.capacity_min) {
    return core::invalid_input(
        "to", "session " + std::to_string(to) + " would have only " + std::to_string(after_b) +
                  " participants, fewer than the minimum of " + std::to_string(prog.capacity_min));
  }
  db.move_roster(p->id, a->id, b->id);
  core::json before;
  before["session"] = from;
  core::json after;
  after["session"] = to;
  append_audit(db, req, "schedule.move", "participant:" + participant, before, after, reason);
  tx.commit();
  auto& ra = st->roster[a->id];
  ra.erase(std::remove(ra.begin(), ra.end(), p->id), ra.end());
  st->roster[b->id].push_back(p->id);
  return std::make_pair(view_of(st.value(), *a), view_of(st.value(), *b));
}

core::result<cancellation> cancel_session(storage::database& db, const request& req,
                                          const std::string& cohort, int session,
                                          const std::string& reason) {
  // One transaction from the first read: concurrent coordinators see each other's writes.
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  if (core::trim(reason).empty()) {
    return core::invalid_input("reason", "cancelling a session needs a reason (--reason TEXT)");
  }
  auto found = session_of(st.value(), cohort, session);
  if (!found) return std::move(found).error();
  const auto* slot = found.value();
  if (slot->cancelled_at) {
    return core::conflict("session", "session " + std::to_string(session) +
                                         " was already cancelled on " + *slot->cancelled_at);
  }
  if (st->marks.count(slot->id)) {
    return core::precondition_failed("session", "attendance is already recorded for session " +
                                                    std::to_string(session) +
                                                    "; a held session cannot be cancelled");
  }
  const auto now = now_of(req);
  const int max = st->trial.definition.programme.capacity_max;
  cancellation c;
  if (const auto it = st->roster.find(slot->id); it != st->roster.end()) {
    for (const auto pid : it->second) {
      const auto* p = st->participant(pid);
      std::vector<int> options;
      for (const auto* s : open_sessions(st.value(), cohort)) {
        if (s->id == slot->id || instant(s->start_utc) <= now) continue;
        if (in_roster(st.value(), s->id, pid) || !st->available(*p, *s)) continue;
        if (roster_size(st.value(), s->id) >= max) continue;
        options.push_back(s->number);
      }
      c.replacements.emplace_back(p->participant.code, std::move(options));
    }
  }
  db.cancel_slot(slot->id, req.now, reason);
  core::json before;
  before["status"] = "planned";
  core::json after;
  after["status"] = "cancelled";
  append_audit(db, req, "schedule.cancel", "session:" + cohort + "/" + std::to_string(session),
               before, after, reason);
  tx.commit();
  auto cancelled = *slot;
  cancelled.cancelled_at = req.now;
  cancelled.cancel_reason = reason;
  c.session = view_of(st.value(), cancelled);
  return c;
}

core::result<personal_calendar> personal_calendar_of(storage::database& db,
                                                     const std::optional<std::string>& participant,
                                                     const std::optional<std::string>& leader) {
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  personal_calendar cal;
  cal.time_zone = st->trial.definition.programme.time_zone;
  const std::string& trial_id = st->trial.definition.id;
  auto event_of = [&](const storage::slot_record& s) {
    calendar_event e;
    e.uid =
        trial_id + "-" + s.cohort + "-" + s.kind + "-" + std::to_string(s.number) + "@balint-trial";
    e.summary = s.kind == "lecture" ? "Balint programme: lecture " + std::to_string(s.number)
                                    : "Balint group session " + std::to_string(s.number);
    e.description = st->trial.definition.title + " (" + s.cohort + " cohort)";
    if (s.cancel_reason) e.description += ". Cancelled: " + *s.cancel_reason;
    e.start_utc = s.start_utc;
    e.end_utc = s.end_utc;
    e.cancelled = s.cancelled_at.has_value();
    return e;
  };
  if (participant) {
    const auto* p = st->participant(*participant);
    if (!p) return not_enrolled(*participant);
    const auto arm = st->arm_of.find(p->id);
    if (arm == st->arm_of.end()) {
      return core::precondition_failed(
          "participant", "participant " + *participant + " is not randomized and has no sessions");
    }
    for (const auto& s : st->slots) {
      if (s.cohort != arm->second) continue;
      if (s.kind == "lecture" || in_roster(st.value(), s.id, p->id)) {
        cal.events.push_back(event_of(s));
      }
    }
    cal.name = "Balint sessions of " + *participant;
  } else {
    const auto l = db.find_leader(leader.value_or(""));
    if (!l) {
      return core::not_found("leader", "group leader \"" + leader.value_or("") + "\" is not known");
    }
    for (const auto& s : st->slots) {
      const auto it = st->leaders.find(s.id);
      if (it != st->leaders.end() &&
          std::find(it->second.begin(), it->second.end(), l->code) != it->second.end()) {
        cal.events.push_back(event_of(s));
      }
    }
    cal.name = "Balint sessions led by " + l->name;
  }
  if (cal.events.empty()) {
    return core::precondition_failed("calendar",
                                     "there are no lectures or sessions to put in "
                                     "this calendar yet");
  }
  return cal;
}

core::result<attendance_logged> log_attendance(storage::database& db, const request& req,
                                               const std::string& cohort, int session,
                                               const std::vector<attendance_mark>& marks,
                                               const std::optional<std::string>& reason) {
  if (marks.empty()) {
    return core::invalid_input("participant", "no attendance marks were given");
  }
  // Reads only what this session needs, so logging stays fast however long the trial runs.
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  if (auto ok = check_cohort(trial->definition, cohort); !ok) return std::move(ok).error();
  storage::transaction tx(db);  // read and write under one lock: no lost marks
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  const auto slot = db.find_slot(cohort, "session", session);
  if (!slot) {
    return core::not_found("session", "the " + cohort + " cohort has no session " +
                                          std::to_string(session) +
                                          "; see 'balint-trial schedule list'");
  }
  if (db.leaders_of_slot(slot->id).empty() && !slot->cancelled_at) {
    return core::precondition_failed(
        "session", "session " + std::to_string(session) +
                       " has no group leader; assign one with 'balint-trial schedule "
                       "assign-leader' before recording attendance");
  }
  const bool has_reason = reason && !core::trim(*reason).empty();
  const bool started = instant(slot->start_utc) <= now_of(req);
  std::map<std::int64_t, std::string> existing;
  for (const auto& m : db.attendance_of_slot(slot->id)) existing[m.participant_id] = m.status;

  // Resolve every participant first: the present count must exclude people this log re-marks.
  std::vector<storage::participant_record> people;
  std::set<std::string> seen;
  for (const auto& m : marks) {
    if (!seen.insert(m.participant).second) {
      return core::invalid_input("participant",
                                 "participant " + m.participant + " is marked twice in one log");
    }
    auto p = db.find_participant(m.participant);
    if (!p) return not_enrolled(m.participant);
    people.push_back(std::move(*p));
  }
  int present_others = 0;
  for (const auto& [pid, status] : existing) {
    const bool relogged =
        std::any_of(people.begin(), people.end(), [&](const auto& p) { return p.id == pid; });
    if (!relogged && status == "present") ++present_others;
  }
  std::vector<storage::attendance_record> rows;
  core::json::array changes;
  std::size_t present = 0;
  for (std::size_t i = 0; i < marks.size(); ++i) {
    const auto& m = marks[i];
    const auto& p = people[i];
    auto mark = attendance::parse_mark(m.status);
    if (!mark) return std::move(mark).error();
    attendance::mark_context c;
    c.session = session;
    c.participant = m.participant;
    c.session_started = started;
    c.session_cancelled = slot->cancelled_at.has_value();
    const auto allocation = db.find_allocation(p.id);
    c.participant_in_cohort = allocation && allocation->arm == cohort;
    c.withdrawn = p.withdrawn();
    c.present_others = present_others + static_cast<int>(present);
    c.capacity_max = trial->definition.programme.capacity_max;
    if (const auto e = existing.find(p.id); e != existing.end()) {
      c.existing = attendance::parse_mark(e->second).value();
    }
    c.has_reason = has_reason;
    if (auto ok = attendance::check_mark(c, mark.value()); !ok) return std::move(ok).error();
    if (mark.value() == attendance::mark::present) ++present;
    rows.push_back({slot->id, p.id, m.participant, m.status, has_reason ? reason : std::nullopt,
                    req.now, req.actor});
    core::json change;
    change["participant"] = m.participant;
    change["status"] = m.status;
    if (c.existing) change["was"] = std::string(attendance::to_string(*c.existing));
    changes.push_back(std::move(change));
  }
  db.upsert_attendance(rows);
  core::json after;
  after["marks"] = core::json(std::move(changes));
  append_audit(db, req, "attendance.log", "session:" + cohort + "/" + std::to_string(session),
               std::nullopt, after, has_reason ? reason : std::nullopt);
  tx.commit();
  return attendance_logged{session, cohort, rows.size(), present};
}

namespace {

std::vector<attendance::progress> progress_of(const programme_state& st, const request& req) {
  const auto now = now_of(req);
  const int required = st.trial.definition.programme.required_sessions;
  std::vector<attendance::progress> out;
  for (const auto& p : st.participants) {
    const auto arm = st.arm_of.find(p.id);
    if (arm == st.arm_of.end()) continue;
    const auto sessions = open_sessions(st, arm->second);
    if (sessions.empty()) continue;  // this cohort has no calendar yet
    int attended = 0;
    int remaining = 0;
    for (const auto& s : st.slots) {
      if (s.cohort != arm->second || s.kind != "session") continue;
      const auto it = st.marks.find(s.id);
      bool marked = false;
      if (it != st.marks.end()) {
        for (const auto& m : it->second) {
          if (m.participant_id != p.id) continue;
          marked = true;
          attended += m.status == "present" ? 1 : 0;
        }
      }
      if (!marked && !s.cancelled_at && instant(s.start_utc) > now && !p.withdrawn() &&
          st.available(p, s)) {
        ++remaining;
      }
    }
    out.push_back(attendance::assess(p.participant.code, attended, required, remaining));
  }
  return out;
}

}  // namespace

core::result<std::vector<attendance::progress>> attendance_progress(storage::database& db,
                                                                    const request& req) {
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  return progress_of(st.value(), req);
}

core::result<std::vector<attendance::progress>> attendance_progress_of_leader(
    storage::database& db, const request& req, const std::string& leader) {
  // One read of the programme for both the leader's sessions and everyone's progress.
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  std::set<std::string> theirs;
  for (const auto& v : leader_sessions(st.value(), leader)) {
    theirs.insert(v.participants.begin(), v.participants.end());
  }
  std::vector<attendance::progress> out;
  for (auto& p : progress_of(st.value(), req)) {
    if (theirs.count(p.participant)) out.push_back(std::move(p));
  }
  return out;
}

core::result<certificate_facts> completion_certificate(storage::database& db, const request& req,
                                                       const std::string& participant) {
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  const auto progress = progress_of(st.value(), req);
  const auto it = std::find_if(progress.begin(), progress.end(),
                               [&](const auto& p) { return p.participant == participant; });
  if (it == progress.end()) {
    if (!db.find_participant(participant)) return not_enrolled(participant);
    return core::precondition_failed("participant", "participant " + participant +
                                                        " has no Balint sessions (not randomized, "
                                                        "or the cohort has no calendar yet)");
  }
  if (it->status != attendance::progress_status::completed) {
    return core::precondition_failed(
        "participant", "participant " + participant + " attended " + std::to_string(it->attended) +
                           " of the " + std::to_string(it->required) +
                           " required sessions; a certificate is given on completion");
  }
  const auto* p = st->participant(participant);
  std::vector<std::string> dates;
  for (const auto& s : st->slots) {
    const auto m = st->marks.find(s.id);
    if (m == st->marks.end()) continue;
    for (const auto& a : m->second) {
      if (a.participant_id == p->id && a.status == "present") {
        dates.push_back(scheduling::local_iso(instant(s.start_utc), st->zone).substr(0, 10));
      }
    }
  }
  return certificate_facts{{participant, it->attended, it->required, std::move(dates)},
                           st->trial.definition.title};
}

}  // namespace balint::app
