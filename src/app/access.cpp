#include "balint/app/access.hpp"

#include "balint/core/text.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace balint::app {

std::string_view to_string(role r) {
  switch (r) {
    case role::coordinator:
      return "coordinator";
    case role::leader:
      return "leader";
    case role::analyst:
      return "analyst";
    case role::admin:
      return "admin";
    case role::console:
      return "console";
  }
  return "unknown";
}

core::result<role> parse_role(std::string_view text, const std::string& field) {
  for (role r : {role::coordinator, role::leader, role::analyst, role::admin}) {
    if (text == to_string(r)) return r;
  }
  return core::invalid_input(field, "role \"" + std::string(text) +
                                        "\" is not known; allowed: coordinator, leader, "
                                        "analyst or admin");
}

const std::vector<use_case_rule>& use_case_table() {
  using enum use_case;
  constexpr role coordinator = role::coordinator;
  constexpr role leader = role::leader;
  constexpr role analyst = role::analyst;
  constexpr role admin = role::admin;
  constexpr role console = role::console;
  // The protocol's division of work: coordinators run enrolment, questionnaires, randomization
  // and the programme; leaders log attendance at the sessions they lead (use cases narrow a
  // leader to those sessions); analysts read and analyse; admins manage users and the audit
  // trail. Nobody but the console sets up a trial or reveals the sealed list.
  static const std::vector<use_case_rule> table = {
      {set_up_trial, "set up the trial", {admin, console}},
      {view_trial, "view the trial", {coordinator, leader, analyst, admin, console}},
      {lock_trial, "lock the trial", {coordinator, console}},
      {enrol_participant, "enrol a participant", {coordinator, console}},
      {import_participants, "import participants", {coordinator, console}},
      {withdraw_participant, "withdraw a participant", {coordinator, console}},
      {list_participants, "list participants", {coordinator, analyst, console}},
      {record_outcome, "record a questionnaire", {coordinator, console}},
      {import_outcomes, "import questionnaires", {coordinator, console}},
      {list_outcomes, "list questionnaires", {coordinator, analyst, console}},
      {issue_survey_links, "issue survey links", {coordinator, console}},
      {revoke_survey_link, "revoke a survey link", {coordinator, console}},
      {list_survey_links, "list survey links", {coordinator, console}},
      // A participant answers through their link, without an account: whoever holds the
      // token may, and the use case finds the participant from it.
      {open_survey, "open a survey link", {coordinator, leader, analyst, admin, console}, true},
      {save_survey,
       "save a survey's answers",
       {coordinator, leader, analyst, admin, console},
       true},
      {submit_survey, "submit a survey", {coordinator, leader, analyst, admin, console}, true},
      {randomize, "randomize", {coordinator, console}},
      {extend_allocation_list, "extend the allocation list", {coordinator, admin, console}},
      {verify_randomization, "verify the randomization", {coordinator, analyst, admin, console}},
      {list_allocations, "list allocations", {coordinator, analyst, console}},
      {view_randomization_status, "view the randomization status", {coordinator, analyst, console}},
      {reveal_allocation_list, "reveal the allocation list", {console}},
      {unblind_participant, "unblind a participant", {coordinator, console}},
      {add_leader, "add a group leader", {coordinator, console}},
      {list_leaders, "list group leaders", {coordinator, console}},
      {generate_calendar, "generate the session calendar", {coordinator, console}},
      {list_sessions, "list sessions", {coordinator, leader, analyst, console}},
      {view_session_roster, "view a session's roster", {coordinator, leader, analyst, console}},
      {assign_leader, "assign a leader to a session", {coordinator, console}},
      {plan_sessions, "plan who attends which session", {coordinator, console}},
      {move_participant, "move a participant to another session", {coordinator, console}},
      {cancel_session, "cancel a session", {coordinator, console}},
      {personal_calendar, "make a participant's calendar", {coordinator, console}},
      {log_attendance, "log attendance", {leader, console}},
      {view_attendance_progress,
       "view attendance progress",
       {coordinator, leader, analyst, console}},
      {issue_certificate, "issue a certificate of completion", {coordinator, console}},
      {export_data, "export the data", {coordinator, analyst, console}},
      {analyze, "analyse the trial", {coordinator, analyst, console}},
      {view_reproduction_report, "view the reproduction report", {coordinator, analyst, console}},
      {verify_audit_trail, "verify the audit trail", {admin, console}},
      {read_audit_log, "read the audit log", {admin, console}},
      {add_user, "add a user", {admin, console}},
      {disable_user, "disable a user", {admin, console}},
      {list_users, "list users", {admin, console}},
      {sign_in, "sign in", {coordinator, leader, analyst, admin, console}, true},
      {sign_out, "sign out", {coordinator, leader, analyst, admin}},
      {view_own_account, "view one's own account", {coordinator, leader, analyst, admin}},
      {list_trials, "list the site's trials", {coordinator, leader, analyst, admin, console}},
      {grant_trial_role, "give an account a role in a trial", {admin, console}},
      {migrate_trial, "copy a trial to another database", {console}},
      {build_demo, "build the demo trial", {console}},
      {reproduce_published_trial, "reproduce a published trial", {console}},
  };
  return table;
}

const use_case_rule& rule_of(use_case u) {
  const auto& table = use_case_table();
  const auto k = static_cast<std::size_t>(u);
  // The table is in enum order; a row out of place is a bug caught by the facade test.
  if (k < table.size() && table[k].what == u) return table[k];
  return *std::find_if(table.begin(), table.end(), [u](const auto& r) { return r.what == u; });
}

bool permitted(use_case u, const std::optional<role>& who) {
  const auto& rule = rule_of(u);
  if (!who) return rule.anonymous;
  return std::find(rule.roles.begin(), rule.roles.end(), *who) != rule.roles.end();
}

namespace {

/// "2026-11-23T11:20:58.123Z" or without the milliseconds: the edges' clock readings.
std::optional<scheduling::utc_time> request_time(const std::string& now) {
  if (now.size() != 20 && now.size() != 24) return std::nullopt;
  if (now.back() != 'Z') return std::nullopt;
  return scheduling::parse_utc_iso(now.substr(0, 19) + "Z");
}

}  // namespace

scheduling::utc_time now_of(const request& req) {
  const auto t = request_time(req.now);
  // authorize() refused any other text before a use case could ask.
  if (!t) throw std::logic_error("now_of: the request time \"" + req.now + "\" was not checked");
  return *t;
}

core::result<void> authorize(const request& req, use_case u) {
  if (permitted(u, req.actor_role)) {
    if (request_time(req.now)) return {};
    return core::invalid_input("now", "the request's time \"" + req.now +
                                          "\" is not a UTC time such as "
                                          "2026-11-23T11:20:58.123Z");
  }
  const auto& rule = rule_of(u);
  if (!req.actor_role) {
    return core::error{core::error_code::unauthenticated, "session",
                       "sign in first: to " + std::string(rule.name) + " you need to be signed in"};
  }
  std::vector<std::string> allowed;
  for (role r : rule.roles) {
    if (r != role::console) allowed.emplace_back(to_string(r));
  }
  std::string who_may = allowed.empty() ? "only on the command line of the trial's own machine"
                                        : "only as " + core::one_of(allowed);
  return core::error{core::error_code::forbidden, "role",
                     "a user in the " + std::string(to_string(*req.actor_role)) + " role may not " +
                         std::string(rule.name) + "; that can be done " + who_may};
}

}  // namespace balint::app
