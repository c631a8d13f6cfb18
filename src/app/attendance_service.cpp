#include "programme_state.hpp"

#include "balint/app/schedule_service.hpp"
#include "balint/core/dates.hpp"
#include "balint/core/text.hpp"

#include <algorithm>
#include <map>
#include <set>

// Attendance use cases: logging marks for a session, progress to the requirement, the
// certificate of completion.
namespace balint::app {

using detail::instant;
using detail::not_enrolled;
using detail::programme_state;
using detail::read_programme;

core::result<attendance_logged> log_attendance(storage::database& db, const request& req,
                                               const std::string& cohort, int session,
                                               const std::vector<attendance_mark>& marks,
                                               const std::optional<std::string>& reason) {
  if (auto ok = authorize(req, use_case::log_attendance); !ok) return std::move(ok).error();
  if (marks.empty()) {
    return core::invalid_input("participant", "no attendance marks were given");
  }
  // Reads only what this session needs, so logging stays fast however long the trial runs.
  auto trial = load_trial(db);
  if (!trial) return std::move(trial).error();
  if (auto ok = detail::check_cohort(trial->definition, cohort); !ok) return std::move(ok).error();
  storage::transaction tx(db);  // read and write under one lock: no lost marks
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  const auto slot = db.find_slot(cohort, "session", session);
  if (!slot) {
    return core::not_found("session",
                           "the " + cohort + " cohort has no session " + std::to_string(session));
  }
  const auto leaders = db.leaders_of_slot(slot->id);
  if (leaders.empty() && !slot->cancelled_at) {
    return core::precondition_failed("session", "session " + std::to_string(session) +
                                                    " has no group leader yet; a leader is "
                                                    "assigned before attendance is recorded");
  }
  // A leader records only the sessions they lead.
  if (req.actor_role == role::leader &&
      std::find(leaders.begin(), leaders.end(), req.actor) == leaders.end()) {
    return core::error{core::error_code::forbidden, "session",
                       "session " + std::to_string(session) + " of the " + cohort +
                           " cohort is not led by " + req.actor +
                           "; leaders see and record attendance only for their own sessions"};
  }
  // A leader marks only the participants on the roster of their session, and is answered the
  // same whether a code is enrolled elsewhere, in the other arm, or not at all: trying codes
  // tells a leader nothing about who is enrolled or in which arm.
  std::set<std::int64_t> roster;
  if (req.actor_role == role::leader) {
    for (const auto& [slot_id, participant_id] : db.roster()) {
      if (slot_id == slot->id) roster.insert(participant_id);
    }
  }
  const auto off_roster = [&](const std::string& code) {
    return core::error{core::error_code::forbidden, "participant",
                       "participant " + core::shown_value(code) +
                           " is not on the roster of "
                           "session " +
                           std::to_string(session) + " of the " + cohort +
                           " cohort; leaders mark only the participants on their sessions' "
                           "rosters (the coordinator changes rosters)"};
  };
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
    if (req.actor_role == role::leader && (!p || roster.count(p->id) == 0)) {
      return off_roster(m.participant);
    }
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

using progress_list = core::result<std::vector<attendance::progress>>;

std::vector<attendance::progress> progress_of(const programme_state& st, const request& req) {
  const auto now = now_of(req);
  const int required = st.trial.definition.programme.required_sessions;
  std::vector<attendance::progress> out;
  for (const auto& p : st.participants) {
    const auto arm = st.arm_of.find(p.id);
    if (arm == st.arm_of.end()) continue;
    if (detail::open_sessions(st, arm->second).empty())
      continue;  // this cohort has no calendar yet
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
  return read_programme(db, req, use_case::view_attendance_progress,
                        [&](const programme_state& st) -> progress_list {
                          if (req.actor_role != role::leader) return progress_of(st, req);
                          // A leader sees the participants on the rosters of the sessions they
                          // lead.
                          std::set<std::string> theirs;
                          for (const auto& v : detail::leader_sessions(st, req.actor)) {
                            theirs.insert(v.participants.begin(), v.participants.end());
                          }
                          std::vector<attendance::progress> out;
                          for (auto& p : progress_of(st, req)) {
                            if (theirs.count(p.participant)) out.push_back(std::move(p));
                          }
                          return out;
                        });
}

core::result<certificate_facts> completion_certificate(storage::database& db, const request& req,
                                                       const std::string& participant) {
  return read_programme(
      db, req, use_case::issue_certificate,
      [&](const programme_state& st) -> core::result<certificate_facts> {
        const auto progress = progress_of(st, req);
        const auto it = std::find_if(progress.begin(), progress.end(),
                                     [&](const auto& p) { return p.participant == participant; });
        if (it == progress.end()) {
          if (!st.participant(participant)) return not_enrolled(participant);
          return core::precondition_failed("participant",
                                           "participant " + participant +
                                               " has no Balint sessions (not randomized, "
                                               "or the cohort has no calendar yet)");
        }
        if (it->status != attendance::progress_status::completed) {
          return core::precondition_failed(
              "participant", "participant " + participant + " attended " +
                                 std::to_string(it->attended) + " of the " +
                                 std::to_string(it->required) +
                                 " required sessions; a certificate is given on completion");
        }
        const auto* p = st.participant(participant);
        std::vector<std::string> dates;
        for (const auto& s : st.slots) {
          const auto m = st.marks.find(s.id);
          if (m == st.marks.end()) continue;
          for (const auto& a : m->second) {
            if (a.participant_id == p->id && a.status == "present") {
              dates.push_back(scheduling::local_iso(instant(s.start_utc), st.zone).substr(0, 10));
            }
          }
        }
        return certificate_facts{{participant, it->attended, it->required, std::move(dates)},
                                 st.trial.definition.title};
      });
}

}  // namespace balint::app
