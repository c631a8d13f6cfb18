#include "programme_state.hpp"

#include "balint/app/schedule_service.hpp"
#include "balint/core/json.hpp"
#include "balint/core/text.hpp"
#include "balint/scheduling/calendar.hpp"
#include "balint/scheduling/programme.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <map>

// Use cases of the calendar: group leaders, generating and listing a cohort's lectures and
// session slots, rosters, assigning leaders, cancelling a session, personal calendars (ICS).
namespace balint::app {
namespace {

using detail::change_programme;
using detail::instant;
using detail::programme_state;
using detail::read_programme;
using detail::view_of;

using session_list = core::result<std::vector<session_view>>;

core::result<void> check_code(const std::string& field, const std::string& code) {
  const bool ok =
      !code.empty() && code.size() <= 32 && std::all_of(code.begin(), code.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
  if (ok) return {};
  return core::invalid_input(
      field, field + " \"" + code + "\" is not allowed; allowed: 1-32 letters, digits, - and _");
}

}  // namespace

core::result<leader_view> add_leader(storage::database& db, const request& req,
                                     const std::string& code, const std::string& name) {
  if (auto ok = authorize(req, use_case::add_leader); !ok) return std::move(ok).error();
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
  tx.commit();
  return leader_view{code, std::string(trimmed), req.now};
}

core::result<std::vector<leader_view>> list_leaders(storage::database& db, const request& req) {
  auto trial = authorized_trial(db, req, use_case::list_leaders);
  if (!trial) return std::move(trial).error();
  std::vector<leader_view> out;
  for (auto& l : db.leaders()) {
    out.push_back({std::move(l.code), std::move(l.name), std::move(l.added_at)});
  }
  return out;
}

session_list generate_schedule(storage::database& db, const request& req, const std::string& cohort,
                               const std::optional<std::string>& first_session) {
  return change_programme(
      db, req, use_case::generate_calendar, [&](programme_state& st) -> session_list {
        const auto& def = st.trial.definition;
        if (auto ok = detail::check_cohort(def, cohort); !ok) return std::move(ok).error();
        for (const auto& s : st.slots) {
          if (s.cohort == cohort) {
            return core::conflict("cohort", "the " + cohort + " cohort already has its calendar");
          }
        }
        trial::programme programme = def.programme;
        const std::string first_arm = def.arms.front().id;
        if (first_session) {
          programme = scheduling::shift_programme(programme, *first_session);
        } else if (cohort != first_arm) {
          // A later cohort (the waitlist) starts one week after the first cohort's last session.
          const storage::slot_record* last = nullptr;
          for (const auto& s : st.slots) {
            if (s.cohort == first_arm && s.kind == "session") last = &s;
          }
          if (!last) {
            return core::precondition_failed(
                "cohort",
                "the " + cohort + " cohort starts after the " + first_arm +
                    " cohort: generate that calendar first, or give the first session's date");
          }
          const auto local = date::make_zoned(st.zone, instant(last->start_utc)).get_local_time();
          const auto next = date::year_month_day{date::floor<date::days>(local) + date::days{7}};
          programme = scheduling::shift_programme(programme, date::format("%F", next));
        }
        auto generated = scheduling::generate_programme(programme, cohort, st.zone);
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
        return detail::schedule_of(db, cohort);  // inside the transaction: sees the new slots
      });
}

namespace {

/// The calendar of one cohort, or of every cohort when `cohort` is empty.
session_list cohort_schedule(const programme_state& st, const std::string& cohort) {
  if (!cohort.empty()) {
    if (auto ok = detail::check_cohort(st.trial.definition, cohort); !ok) {
      return std::move(ok).error();
    }
  }
  std::vector<session_view> out;
  for (const auto& s : st.slots) {
    if (cohort.empty() || s.cohort == cohort) out.push_back(view_of(st, s));
  }
  return out;
}

}  // namespace

session_list detail::schedule_of(storage::database& db, const std::string& cohort) {
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  return cohort_schedule(st.value(), cohort);
}

session_list list_sessions(storage::database& db, const request& req, const std::string& cohort) {
  return read_programme(
      db, req, use_case::list_sessions, [&](const programme_state& st) -> session_list {
        // Leaders see the sessions they lead and nothing else.
        if (req.actor_role != role::leader) return cohort_schedule(st, cohort);
        auto led = detail::leader_sessions(st, req.actor);
        std::erase_if(led,
                      [&](const session_view& v) { return !cohort.empty() && v.cohort != cohort; });
        return led;
      });
}

core::result<session_roster> roster_of_session(storage::database& db, const request& req,
                                               const std::string& cohort, int session) {
  return read_programme(
      db, req, use_case::view_session_roster,
      [&](const programme_state& st) -> core::result<session_roster> {
        if (req.actor_role == role::leader) {
          if (auto ok = detail::check_leads(st, req.actor, cohort, session); !ok) {
            return std::move(ok).error();
          }
        }
        auto found = detail::session_of(st, cohort, session);
        if (!found) return std::move(found).error();
        const auto* slot = found.value();
        session_roster out{view_of(st, *slot), {}};
        std::map<std::string, roster_entry> entries;
        for (const auto& code : out.session.participants) entries[code] = {code, std::nullopt, {}};
        if (const auto it = st.marks.find(slot->id); it != st.marks.end()) {
          for (const auto& m : it->second) {
            entries[m.participant_code] = {m.participant_code, m.status, m.reason};
          }
        }
        for (auto& [code, e] : entries) out.entries.push_back(std::move(e));
        return out;
      });
}

core::result<session_view> assign_leader(storage::database& db, const request& req,
                                         const std::string& cohort, int session,
                                         const std::string& leader) {
  return change_programme(
      db, req, use_case::assign_leader, [&](programme_state& st) -> core::result<session_view> {
        auto found = detail::session_of(st, cohort, session);
        if (!found) return std::move(found).error();
        const auto* slot = found.value();
        const auto l = db.find_leader(leader);
        if (!l) return core::not_found("leader", "group leader \"" + leader + "\" is not known");
        const auto programme = detail::programme_of(st, cohort);
        if (auto ok = programme.check_assign_leader(session, leader); !ok) {
          return std::move(ok).error();
        }
        db.assign_leader(slot->id, l->id);
        core::json after;
        after["leader"] = leader;
        append_audit(db, req, "schedule.assign-leader",
                     "session:" + cohort + "/" + std::to_string(session), std::nullopt, after,
                     std::nullopt);
        st.leaders[slot->id].push_back(leader);
        return view_of(st, *slot);
      });
}

core::result<cancellation> cancel_session(storage::database& db, const request& req,
                                          const std::string& cohort, int session,
                                          const std::string& reason) {
  return change_programme(
      db, req, use_case::cancel_session, [&](programme_state& st) -> core::result<cancellation> {
        if (auto ok = detail::check_cohort(st.trial.definition, cohort); !ok) {
          return std::move(ok).error();
        }
        auto programme = detail::programme_of(st, cohort);
        auto replacements = programme.cancel(session, reason, now_of(req));
        if (!replacements) return std::move(replacements).error();
        const auto* slot = st.slot(cohort, session);
        db.cancel_slot(slot->id, req.now, reason);
        core::json before;
        before["status"] = "planned";
        core::json after;
        after["status"] = "cancelled";
        append_audit(db, req, "schedule.cancel",
                     "session:" + cohort + "/" + std::to_string(session), before, after, reason);
        cancellation c;
        for (auto& r : replacements.value()) {
          c.replacements.emplace_back(std::move(r.participant), std::move(r.sessions));
        }
        auto cancelled = *slot;
        cancelled.cancelled_at = req.now;
        cancelled.cancel_reason = reason;
        c.session = view_of(st, cancelled);
        return c;
      });
}

namespace {

calendar_event event_of(const trial::trial_definition& def, const storage::slot_record& s) {
  calendar_event e;
  e.uid = def.id + "-" + s.cohort + "-" + s.kind + "-" + std::to_string(s.number) + "@balint-trial";
  e.summary = s.kind == "lecture" ? "Balint programme: lecture " + std::to_string(s.number)
                                  : "Balint group session " + std::to_string(s.number);
  e.description = def.title + " (" + s.cohort + " cohort)";
  if (s.cancel_reason) e.description += ". Cancelled: " + *s.cancel_reason;
  e.start_utc = s.start_utc;
  e.end_utc = s.end_utc;
  e.cancelled = s.cancelled_at.has_value();
  return e;
}

}  // namespace

core::result<personal_calendar> personal_calendar_of(storage::database& db, const request& req,
                                                     const std::optional<std::string>& participant,
                                                     const std::optional<std::string>& leader) {
  return read_programme(
      db, req, use_case::personal_calendar,
      [&](const programme_state& st) -> core::result<personal_calendar> {
        const auto& def = st.trial.definition;
        personal_calendar cal;
        cal.time_zone = def.programme.time_zone;
        if (participant) {
          const auto* p = st.participant(*participant);
          if (!p) return detail::not_enrolled(*participant);
          const auto arm = st.arm_of.find(p->id);
          if (arm == st.arm_of.end()) {
            return core::precondition_failed("participant", "participant " + *participant +
                                                                " is not randomized and has no "
                                                                "sessions");
          }
          for (const auto& s : st.slots) {
            if (s.cohort != arm->second) continue;
            if (s.kind == "lecture" || st.in_roster(s.id, p->id))
              cal.events.push_back(event_of(def, s));
          }
          cal.name = "Balint sessions of " + *participant;
        } else {
          const auto l = db.find_leader(leader.value_or(""));
          if (!l) {
            return core::not_found("leader",
                                   "group leader \"" + leader.value_or("") + "\" is not known");
          }
          for (const auto& s : st.slots) {
            const auto it = st.leaders.find(s.id);
            if (it != st.leaders.end() &&
                std::find(it->second.begin(), it->second.end(), l->code) != it->second.end()) {
              cal.events.push_back(event_of(def, s));
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
      });
}

}  // namespace balint::app
