#pragma once

#include "balint/core/result.hpp"
#include "balint/scheduling/calendar.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Who may do what: the roles, the use cases and the one table that joins them. Every use case
/// checks its caller here first (`authorize`), whatever front end it was called from, so a new
/// route or command cannot forget the check.
namespace balint::app {

/// What someone may do in the trial. Users of the web application have one of the first four.
/// `console` is the command line on the machine that holds the trial's file: whoever can open
/// the file can change it anyway, so the console may run every use case, and the audit trail
/// records the name given with --as.
enum class role { coordinator, leader, analyst, admin, console };

/// "coordinator", "leader", "analyst", "admin" or "console".
std::string_view to_string(role r);

/// A user's role from its name. invalid_input naming `field` and the four roles a user can
/// have when `text` is none of them ("console" is not a user's role).
core::result<role> parse_role(std::string_view text, const std::string& field = "role");

/// Who asks, in which role, about which trial and when: read at the edge (CLI, HTTP) and passed
/// in, so use cases never read the clock or the environment themselves.
struct request {
  request() = default;
  request(std::string who, std::string at, std::optional<role> as_role = std::nullopt,
          std::string trial_id = {})
      : actor(std::move(who)),
        now(std::move(at)),
        actor_role(as_role),
        trial(std::move(trial_id)) {}

  std::string actor;  ///< the user, or `--as NAME` on the command line
  std::string now;    ///< UTC, ISO 8601 with milliseconds: "2026-11-23T11:20:58.123Z"
  /// The role the actor acts in; none: not signed in (anonymous), refused by every use case
  /// but signing in.
  std::optional<role> actor_role;
  /// The trial asked about (its id); empty: the one trial of the database.
  std::string trial;
};

/// Every use case of the application, in the trial's words.
enum class use_case {
  // the trial
  set_up_trial,
  view_trial,
  lock_trial,
  // enrolment
  enrol_participant,
  import_participants,
  withdraw_participant,
  list_participants,
  // questionnaires
  record_outcome,
  import_outcomes,
  list_outcomes,
  // survey links (issue 14, part 3)
  issue_survey_links,
  revoke_survey_link,
  list_survey_links,
  open_survey,
  save_survey,
  submit_survey,
  // randomization
  randomize,
  extend_allocation_list,
  verify_randomization,
  list_allocations,
  view_randomization_status,
  reveal_allocation_list,
  unblind_participant,
  // the programme
  add_leader,
  list_leaders,
  generate_calendar,
  list_sessions,
  view_session_roster,
  assign_leader,
  plan_sessions,
  move_participant,
  cancel_session,
  personal_calendar,
  // attendance
  log_attendance,
  view_attendance_progress,
  issue_certificate,
  // analysis and export
  export_data,
  analyze,
  view_reproduction_report,
  // audit trail
  verify_audit_trail,
  read_audit_log,
  // users and sign-in
  add_user,
  disable_user,
  list_users,
  sign_in,
  sign_out,
  view_own_account,
  // a site of several trials
  list_trials,
  grant_trial_role,
  // moving
  migrate_trial,
  // whole-database jobs
  build_demo,
  reproduce_published_trial,
};

/// One row of the table: the use case, its name, and who may run it.
struct use_case_rule {
  use_case what;
  std::string_view name;  ///< "enrol participant"
  std::vector<role> roles;
  /// May run without signing in: signing in itself, and a participant's survey link, whose
  /// token is the credential.
  bool anonymous = false;
};

/// The table, one row per use case, in the order of the enum.
const std::vector<use_case_rule>& use_case_table();

const use_case_rule& rule_of(use_case u);

/// Whether `who` (none: anonymous) may run `u`.
bool permitted(use_case u, const std::optional<role>& who);

/// The check every use case makes first: unauthenticated (field "session") for an anonymous
/// caller of a use case that needs signing in; forbidden (field "role") naming the use case,
/// the caller's role and the roles that may run it; invalid_input (field "now") when the
/// request's time is not a UTC time ("2026-11-23T11:20:58.123Z"), so no use case ever reads an
/// unparsable time as 1970.
core::result<void> authorize(const request& req, use_case u);

/// The request's time as an instant (whole seconds). Only after authorize() has accepted the
/// request: it checked the text.
scheduling::utc_time now_of(const request& req);

}  // namespace balint::app
