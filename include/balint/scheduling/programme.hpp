#pragma once

#include "balint/core/result.hpp"
#include "balint/scheduling/calendar.hpp"
#include "balint/scheduling/planner.hpp"
#include "balint/trial/trial_definition.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

/// One cohort's Balint programme as its rules see it: the session slots with their rosters and
/// leaders, the cohort's participants with their stated availability, and the limits of the
/// trial (sessions required, participants and leaders per session). It owns the rules of
/// planning, moving a participant, cancelling a session and assigning a leader; the app
/// service loads it from storage, asks it, writes what it allows and audits.
///
/// Pure: no clock (the caller passes `now`), no database, no time zone lookups (each session
/// carries its availability category, judged by the caller with availability_category).
/// Refusals are core::error values whose field names what the caller gave ("participant",
/// "from", "to", "session", "leader", "cohort") and whose message names the value and what
/// is allowed, in words that suit any front end.
namespace balint::scheduling {

/// One session slot (not a lecture) of the cohort.
struct programme_session {
  int number = 0;
  utc_time start{};
  /// workday-noon, workday-evening, weekend, or "" (fits no stated availability).
  std::string availability;
  bool cancelled = false;
  /// Attendance is recorded: the session was held and its roster is history.
  bool held = false;
  /// Participant codes of the plan's roster, in plan order.
  std::vector<std::string> roster;
  /// Leader codes, in assignment order.
  std::vector<std::string> leaders;
};

/// A participant randomized to the cohort.
struct programme_member {
  std::string code;
  /// Stated availability categories (enrolment::enrolment_rules::availability_options).
  std::vector<std::string> available;
  bool withdrawn = false;
};

/// The limits of trial::programme that the rules use.
struct programme_limits {
  int required = 10;
  int capacity_min = 8;
  int capacity_max = 12;
  int leaders_max = 2;
};

programme_limits limits_of(const trial::programme& p);

/// For one participant of a cancelled session: the session numbers that keep them able to reach
/// the requirement (future, open, not already theirs, available, not full).
struct replacement {
  std::string participant;
  std::vector<int> sessions;
};

class programme {
 public:
  /// `sessions` in number order; `members` in enrolment order.
  programme(std::string cohort, programme_limits limits, std::vector<programme_session> sessions,
            std::vector<programme_member> members);

  const std::string& cohort() const { return cohort_; }
  const programme_limits& limits() const { return limits_; }
  const std::vector<programme_session>& sessions() const { return sessions_; }
  const std::vector<programme_member>& members() const { return members_; }

  /// nullptr when the cohort has no session `number` / no such participant.
  const programme_session* session(int number) const;
  const programme_member* member(const std::string& code) const;

  /// The session's category is one the participant stated.
  bool available(const programme_member& m, const programme_session& s) const;

  /// not_found naming the session and the cohort's range when there is no session `number`.
  core::result<const programme_session*> find_session(const std::string& field, int number) const;

  // --- plan -----------------------------------------------------------------------------

  /// Open (not cancelled) sessions, in number order.
  std::vector<const programme_session*> open_sessions() const;
  /// Members who are not withdrawn, in enrolment order.
  std::vector<const programme_member*> active_members() const;
  /// Refused when there are no open sessions, a session is already held (the plan is fixed),
  /// or nobody is in the cohort.
  core::result<void> check_plan() const;
  /// The planner's request: active members, open sessions, the limits.
  plan_request plan_request_of() const;

  // --- move -----------------------------------------------------------------------------

  /// Moving `participant` from session `from` to session `to`: both sessions of the cohort,
  /// neither held, `to` not cancelled; the participant planned for `from`, not yet for `to`.
  /// Then the plan's rules, checked by check_assignment on the two rosters after the move:
  /// `from` keeps 0 or capacity_min..capacity_max participants, `to` gets capacity_min..
  /// capacity_max, and the participant is available for `to`.
  core::result<void> check_move(const std::string& participant, int from, int to) const;
  /// check_move, then the rosters change.
  core::result<void> move(const std::string& participant, int from, int to);

  // --- cancel ---------------------------------------------------------------------------

  /// Refused with field "reason" when the reason is blank, conflict when `number` is already
  /// cancelled, precondition_failed when it was held.
  core::result<void> check_cancel(int number, const std::string& reason) const;
  /// For each participant on the roster of session `number`: the other sessions that start
  /// after `now`, are open, not already theirs, fit their availability and are not full.
  std::vector<replacement> replacements_for(int number, utc_time now) const;
  /// check_cancel, then the session is cancelled; returns the replacements.
  core::result<std::vector<replacement>> cancel(int number, const std::string& reason,
                                                utc_time now);

  // --- leaders --------------------------------------------------------------------------

  /// Refused when `leader` already leads session `number` or it has leaders_max leaders.
  core::result<void> check_assign_leader(int number, const std::string& leader) const;

 private:
  programme_session* session_mut(int number);

  std::string cohort_;
  programme_limits limits_;
  std::vector<programme_session> sessions_;
  std::vector<programme_member> members_;
};

}  // namespace balint::scheduling
