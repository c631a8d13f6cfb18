#include "programme_state.hpp"

#include "trial_dates.hpp"

#include "balint/core/text.hpp"

#include <algorithm>

namespace balint::app::detail {

scheduling::utc_time instant(const std::string& iso) {
  auto t = scheduling::parse_utc_iso(iso);
  // A stored time we wrote ourselves; unreadable means a damaged file, never "1970".
  if (!t)
    throw storage::storage_error("the database holds a time that is not UTC: \"" + iso + "\"");
  return *t;
}

core::error not_enrolled(const std::string& code) {
  return core::not_found("participant",
                         "participant \"" + code + "\" is not enrolled in this trial");
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

const storage::participant_record* programme_state::participant(const std::string& code) const {
  for (const auto& p : participants) {
    if (p.participant.code == code) return &p;
  }
  return nullptr;
}

const storage::participant_record* programme_state::participant(std::int64_t id) const {
  for (const auto& p : participants) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const storage::slot_record* programme_state::slot(const std::string& cohort, int number) const {
  for (const auto& s : slots) {
    if (s.cohort == cohort && s.kind == "session" && s.number == number) return &s;
  }
  return nullptr;
}

std::string programme_state::category(const storage::slot_record& s) const {
  return scheduling::availability_category(instant(s.start_utc), zone);
}

bool programme_state::available(const storage::participant_record& p,
                                const storage::slot_record& s) const {
  const std::string c = category(s);
  const auto& a = p.participant.available;
  return !c.empty() && std::find(a.begin(), a.end(), c) != a.end();
}

bool programme_state::in_roster(std::int64_t slot_id, std::int64_t participant_id) const {
  const auto it = roster.find(slot_id);
  return it != roster.end() &&
         std::find(it->second.begin(), it->second.end(), participant_id) != it->second.end();
}

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

scheduling::programme programme_of(const programme_state& st, const std::string& cohort) {
  std::map<std::int64_t, const storage::participant_record*> by_id;
  for (const auto& p : st.participants) by_id[p.id] = &p;
  std::vector<scheduling::programme_session> sessions;
  for (const auto& s : st.slots) {
    if (s.cohort != cohort || s.kind != "session") continue;
    scheduling::programme_session ps;
    ps.number = s.number;
    ps.start = instant(s.start_utc);
    ps.availability = st.category(s);
    ps.cancelled = s.cancelled_at.has_value();
    ps.held = st.marks.count(s.id) > 0;
    if (const auto it = st.roster.find(s.id); it != st.roster.end()) {
      for (const auto id : it->second) {
        if (const auto p = by_id.find(id); p != by_id.end()) {
          ps.roster.push_back(p->second->participant.code);
        }
      }
    }
    if (const auto it = st.leaders.find(s.id); it != st.leaders.end()) ps.leaders = it->second;
    sessions.push_back(std::move(ps));
  }
  std::vector<scheduling::programme_member> members;
  for (const auto& p : st.participants) {
    const auto arm = st.arm_of.find(p.id);
    if (arm == st.arm_of.end() || arm->second != cohort) continue;
    members.push_back({p.participant.code, p.participant.available, p.withdrawn()});
  }
  return scheduling::programme(cohort, scheduling::limits_of(st.trial.definition.programme),
                               std::move(sessions), std::move(members));
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

std::vector<const storage::slot_record*> open_sessions(const programme_state& st,
                                                       const std::string& cohort) {
  std::vector<const storage::slot_record*> out;
  for (const auto& s : st.slots) {
    if (s.cohort == cohort && s.kind == "session" && !s.cancelled_at) out.push_back(&s);
  }
  return out;
}

core::result<const storage::slot_record*> session_of(const programme_state& st,
                                                     const std::string& cohort, int number) {
  if (auto ok = check_cohort(st.trial.definition, cohort); !ok) return std::move(ok).error();
  if (const auto* slot = st.slot(cohort, number)) return slot;
  return core::not_found("session", "the " + cohort + " cohort has no session " +
                                        std::to_string(number) +
                                        "; see 'balint-trial schedule list'");
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

core::result<void> check_leads(const programme_state& st, const std::string& leader,
                               const std::string& cohort, int session) {
  auto found = session_of(st, cohort, session);
  if (!found) return std::move(found).error();
  const auto it = st.leaders.find(found.value()->id);
  if (it != st.leaders.end() &&
      std::find(it->second.begin(), it->second.end(), leader) != it->second.end()) {
    return {};
  }
  return core::error{core::error_code::forbidden, "session",
                     "session " + std::to_string(session) + " of the " + cohort +
                         " cohort is not led by " + leader +
                         "; leaders see and record attendance only for their own sessions"};
}

}  // namespace balint::app::detail
