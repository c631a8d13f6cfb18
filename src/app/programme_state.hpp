#pragma once

// Private to src/app: what the calendar, programme and attendance use cases share. They load
// the stored programme once (programme_state), turn one cohort of it into the domain's
// scheduling::programme to ask the rules, and write inside one transaction.

#include "balint/app/randomization_service.hpp"
#include "balint/app/schedule_service.hpp"
#include "balint/app/services.hpp"
#include "balint/scheduling/calendar.hpp"
#include "balint/scheduling/programme.hpp"

#include <date/tz.h>

#include <cstdint>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace balint::app::detail {

/// A stored UTC instant ("2016-10-26T09:30:00Z").
scheduling::utc_time instant(const std::string& iso);

core::error not_enrolled(const std::string& code);

core::result<void> check_cohort(const trial::trial_definition& t, const std::string& cohort);

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

  const storage::participant_record* participant(const std::string& code) const;
  const storage::participant_record* participant(std::int64_t id) const;
  /// The session (not lecture) slot `number` of a cohort, cancelled or not.
  const storage::slot_record* slot(const std::string& cohort, int number) const;
  std::string category(const storage::slot_record& s) const;
  bool available(const storage::participant_record& p, const storage::slot_record& s) const;
  bool in_roster(std::int64_t slot_id, std::int64_t participant_id) const;
};

core::result<programme_state> load_programme(storage::database& db);

/// One cohort of the stored programme as the domain's rules see it.
scheduling::programme programme_of(const programme_state& st, const std::string& cohort);

session_view view_of(const programme_state& st, const storage::slot_record& s);

/// Session slots of a cohort that are not cancelled, in number order.
std::vector<const storage::slot_record*> open_sessions(const programme_state& st,
                                                       const std::string& cohort);

/// The session slot `number` of a cohort, or not_found in the coordinator's words.
core::result<const storage::slot_record*> session_of(const programme_state& st,
                                                     const std::string& cohort, int number);

/// The sessions (not lectures) that `leader` leads.
std::vector<session_view> leader_sessions(const programme_state& st, const std::string& leader);

/// The sessions (and lectures) of a cohort, every cohort when empty, as stored now: for use
/// cases that list what they have just written, inside their transaction.
core::result<std::vector<session_view>> schedule_of(storage::database& db,
                                                    const std::string& cohort);

/// Whether `leader` leads session `session` of `cohort`: forbidden (field "session") when not,
/// not_found when there is no such session.
core::result<void> check_leads(const programme_state& st, const std::string& leader,
                               const std::string& cohort, int session);

/// The opening every read of the programme shares: the caller checked against use case `u`,
/// the programme loaded, then `body` run on it. `body` returns a core::result.
template <class Body>
auto read_programme(storage::database& db, const request& req, use_case u, Body&& body)
    -> std::invoke_result_t<Body&, programme_state&> {
  if (auto ok = authorize(req, u); !ok) return std::move(ok).error();
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  return body(st.value());
}

/// The opening every change of the programme shares: the caller checked against use case `u`
/// (once, before the transaction), one transaction from the first read (so concurrent
/// coordinators see each other's writes), refused on a locked trial, the programme loaded, then
/// `body` decides, writes and audits. Committed when `body` succeeds; a refusal rolls
/// everything back.
template <class Body>
auto change_programme(storage::database& db, const request& req, use_case u, Body&& body)
    -> std::invoke_result_t<Body&, programme_state&> {
  if (auto ok = authorize(req, u); !ok) return std::move(ok).error();
  storage::transaction tx(db);
  if (auto ok = ensure_unlocked(db); !ok) return std::move(ok).error();
  auto st = load_programme(db);
  if (!st) return std::move(st).error();
  auto out = body(st.value());
  if (out) tx.commit();
  return out;
}

}  // namespace balint::app::detail
