// The application facade (issue 12): every use case checks its caller against the one table in
// app/access.hpp, whatever front end called it. Walks every use case x every role and anonymous
// on a real database holding the demo trial (SQLite; PostgreSQL under the label `postgres`),
// and asserts the refusal or the answer.
#include "scratch_database.hpp"

#include "balint/app/access.hpp"
#include "balint/app/analysis_service.hpp"
#include "balint/app/demo_service.hpp"
#include "balint/app/migrate_service.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/reproduce_service.hpp"
#include "balint/app/schedule_service.hpp"
#include "balint/app/services.hpp"
#include "balint/app/site.hpp"
#include "balint/app/survey_service.hpp"
#include "balint/app/user_service.hpp"
#include "balint/storage/database.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

using namespace balint;
using app::role;
using app::use_case;

namespace {

const std::string now = "2026-12-01T12:00:00.000Z";

/// The demo trial (built once, through the use cases as the console) and a fresh copy of it for
/// each call, so one call's writes never decide another's answer. SQLite files, or PostgreSQL
/// databases under the ctest label `postgres` (scratch_database.hpp).
struct demo_fixture {
  testing::database_place place;
  demo_fixture() {
    auto db = storage::database::open(place.fresh("demo"));
    const app::request console{"setup", now, role::console};
    REQUIRE(app::build_demo(*db, console, {}).has_value());
  }
  std::unique_ptr<storage::database> copy(const std::string& name) {
    return storage::database::open(place.copy("demo", name));
  }
};

demo_fixture& demo() {
  static demo_fixture f;
  return f;
}

/// The error a call answered, or nullopt when it succeeded.
template <class T>
std::optional<core::error> outcome(const core::result<T>& r) {
  if (r) return std::nullopt;
  return r.error();
}

using call = std::function<std::optional<core::error>(storage::database&, const app::request&)>;

/// One call per use case, with arguments that a permitted caller may use on the demo trial.
const std::map<use_case, call>& calls() {
  using enum use_case;
  static const std::map<use_case, call> table = {
      {set_up_trial,
       [](auto& db, const auto& req) {
         return outcome(app::init_trial(db, req, std::nullopt, {7, std::string(64, 'a'), true}));
       }},
      {view_trial, [](auto& db, const auto& req) { return outcome(app::view_trial(db, req)); }},
      {lock_trial,
       [](auto& db, const auto& req) { return outcome(app::lock_trial(db, req, "end")); }},
      {enrol_participant,
       [](auto& db, const auto& req) {
         enrolment::participant_fields f;
         f.code = "N01";
         f.age = "30";
         f.gender = "F";
         f.consent = "yes";
         return outcome(app::add_participant(db, req, f));
       }},
      {import_participants,
       [](auto& db, const auto& req) {
         return outcome(app::import_participants(
             db, req,
             "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n"
             "N02,31,M,,yes,,,weekend\n"));
       }},
      {withdraw_participant,
       [](auto& db, const auto& req) {
         return outcome(
             app::withdraw_participant(db, req, {"T36", "moved away", std::nullopt, std::nullopt}));
       }},
      {list_participants,
       [](auto& db, const auto& req) { return outcome(app::list_participants(db, req)); }},
      {record_outcome,
       [](auto& db, const auto& req) {
         return outcome(
             app::record_outcome(db, req,
                                 {"T33", "pre", "msq", "4,4,3,5,2,3,4,4,3,4,5,2,3,3,4,4,3,3,2,5",
                                  "typo fixed", std::nullopt}));
       }},
      {import_outcomes,
       [](auto& db, const auto& req) {
         return outcome(app::import_outcomes(db, req,
                                             "participant,timepoint,instrument,item,value\n"
                                             "T33,post,willingness,1,1\n"));
       }},
      {list_outcomes,
       [](auto& db, const auto& req) {
         return outcome(app::list_outcomes(db, req, std::string("T01")));
       }},
      {issue_survey_links,
       [](auto& db, const auto& req) {
         return outcome(app::issue_survey_links(db, req, {"post", {}, {}, 28}));
       }},
      {revoke_survey_link,
       [](auto& db, const auto& req) {
         return outcome(app::revoke_survey_link(db, req, "T01", "post", "lost the paper"));
       }},
      {list_survey_links,
       [](auto& db, const auto& req) { return outcome(app::survey_link_status(db, req, "pre")); }},
      {open_survey,
       [](auto& db, const auto& req) {
         return outcome(app::open_survey(db, req, "0123456789abcdef0123456789abcdef"));
       }},
      {save_survey,
       [](auto& db, const auto& req) {
         return outcome(app::save_survey(db, req, "0123456789abcdef0123456789abcdef", {}));
       }},
      {submit_survey,
       [](auto& db, const auto& req) {
         return outcome(app::submit_survey(db, req, "0123456789abcdef0123456789abcdef", {}));
       }},
      {randomize,
       [](auto& db, const auto& req) { return outcome(app::randomize(db, req, "T33")); }},
      {extend_allocation_list,
       [](auto& db, const auto& req) {
         return outcome(app::extend_allocation_list(db, req, 1, "more volunteers",
                                                    app::list_seed{3, "00", true}));
       }},
      {verify_randomization,
       [](auto& db, const auto& req) { return outcome(app::verify_randomization(db, req)); }},
      {list_allocations,
       [](auto& db, const auto& req) { return outcome(app::list_allocations(db, req)); }},
      {view_randomization_status,
       [](auto& db, const auto& req) { return outcome(app::randomization_status(db, req)); }},
      {reveal_allocation_list,
       [](auto& db, const auto& req) {
         // Sealed until the trial is locked: a permitted caller hears that, not "forbidden".
         return outcome(app::reveal_list(db, req, "audit"));
       }},
      {unblind_participant,
       [](auto& db, const auto& req) {
         return outcome(app::unblind_participant(db, req, "T01", "emergency"));
       }},
      {add_leader,
       [](auto& db, const auto& req) {
         return outcome(app::add_leader(db, req, "L9", "Dr. Lin"));
       }},
      {list_leaders, [](auto& db, const auto& req) { return outcome(app::list_leaders(db, req)); }},
      {generate_calendar,
       [](auto& db, const auto& req) {
         return outcome(app::generate_schedule(db, req, "waitlist", std::nullopt));
       }},
      {list_sessions,
       [](auto& db, const auto& req) { return outcome(app::list_sessions(db, req, "")); }},
      {view_session_roster,
       [](auto& db, const auto& req) {
         return outcome(app::roster_of_session(db, req, "intervention", 1));
       }},
      {assign_leader,
       [](auto& db, const auto& req) {
         return outcome(app::assign_leader(db, req, "intervention", 12, "leader-b"));
       }},
      {plan_sessions,
       [](auto& db, const auto& req) {
         return outcome(app::plan_schedule(db, req, "intervention"));
       }},
      {move_participant,
       [](auto& db, const auto& req) {
         return outcome(app::move_participant(db, req, "T01", 12, 13, std::string("swap")));
       }},
      {cancel_session,
       [](auto& db, const auto& req) {
         return outcome(app::cancel_session(db, req, "intervention", 20, "holiday"));
       }},
      {personal_calendar,
       [](auto& db, const auto& req) {
         return outcome(app::personal_calendar_of(db, req, std::string("T01"), std::nullopt));
       }},
      {log_attendance,
       [](auto& db, const auto& req) {
         return outcome(app::log_attendance(db, req, "intervention", 1, {{"T01", "present"}},
                                            std::string("late entry")));
       }},
      {view_attendance_progress,
       [](auto& db, const auto& req) { return outcome(app::attendance_progress(db, req)); }},
      {issue_certificate,
       [](auto& db, const auto& req) {
         return outcome(app::completion_certificate(db, req, "T01"));
       }},
      {export_data,
       [](auto& db, const auto& req) { return outcome(app::export_trial_data(db, req)); }},
      {analyze,
       [](auto& db, const auto& req) { return outcome(app::analyze_database(db, req, {})); }},
      {view_reproduction_report,
       [](auto&, const auto& req) { return outcome(app::tongji_reproduction(req)); }},
      {verify_audit_trail,
       [](auto& db, const auto& req) { return outcome(app::verify_audit_trail(db, req)); }},
      {read_audit_log, [](auto& db, const auto& req) { return outcome(app::audit_log(db, req)); }},
      {add_user,
       [](auto& db, const auto& req) {
         app::security_settings fast;
         fast.pbkdf2_iterations = 1000;
         return outcome(app::add_user(db, req, "newcomer", "analyst", "a long passphrase", fast));
       }},
      {disable_user,
       [](auto& db, const auto& req) { return outcome(app::disable_user(db, req, "analyst")); }},
      {list_users, [](auto& db, const auto& req) { return outcome(app::list_users(db, req)); }},
      {sign_in,
       [](auto& db, const auto& req) {
         return outcome(app::login(db, req, "analyst", "not the password"));
       }},
      {sign_out,
       [](auto& db, const auto& req) { return outcome(app::logout(db, req, "no-such-token")); }},
      {view_own_account,
       [](auto& db, const auto& req) { return outcome(app::own_account(db, req)); }},
      {list_trials,
       [](auto&, const auto& req) {
         return outcome(app::list_trials(app::site("no-such-site.db"), req));
       }},
      {grant_trial_role,
       // The trial's file is its own site's accounts: the analyst already has a role here.
       [](auto& db, const auto& req) {
         return outcome(app::grant_trial_role(db, db, req, "analyst", "leader"));
       }},
      {migrate_trial,
       [](auto& db, const auto& req) {
         testing::database_place place;
         auto empty = storage::database::open(place.fresh("copy"));
         return outcome(app::migrate_trial(db, *empty, req, "the demo"));
       }},
      {build_demo, [](auto& db, const auto& req) { return outcome(app::build_demo(db, req, {})); }},
      {reproduce_published_trial,
       [](auto&, const auto& req) {
         testing::database_place place;
         auto fresh = storage::database::open(place.fresh("reproduce"));
         return outcome(app::reproduce(*fresh, req, "tongji", {}));
       }},
  };
  return table;
}

/// The actor a role acts as in the demo: leader-a leads every intervention session.
std::string actor_of(const std::optional<role>& r) {
  if (!r) return "anonymous";
  if (*r == role::leader) return "leader-a";
  return std::string(app::to_string(*r));
}

bool is_access_refusal(const std::optional<core::error>& e) {
  return e &&
         (e->code == core::error_code::forbidden || e->code == core::error_code::unauthenticated) &&
         (e->field == "role" || e->field == "session");
}

}  // namespace

TEST_SUITE("facade") {
  TEST_CASE("the use-case table has one row per use case, in order, each with a name and roles") {
    const auto& table = app::use_case_table();
    REQUIRE(table.size() == static_cast<std::size_t>(use_case::reproduce_published_trial) + 1);
    std::set<std::string_view> names;
    for (std::size_t k = 0; k < table.size(); ++k) {
      CAPTURE(table[k].name);
      CHECK(static_cast<std::size_t>(table[k].what) == k);
      CHECK_FALSE(table[k].roles.empty());
      CHECK(names.insert(table[k].name).second);
    }
  }

  TEST_CASE("user roles are parsed, the console is not a user's role") {
    CHECK(app::parse_role("leader").value() == role::leader);
    const auto console = app::parse_role("console");
    REQUIRE_FALSE(console.has_value());
    CHECK(console.error().field == "role");
    CHECK(console.error().message.find("coordinator, leader, analyst or admin") !=
          std::string::npos);
  }

  TEST_CASE("a refusal names the use case, the caller's role and who may") {
    const auto r = app::authorize({"leader-a", now, role::leader}, use_case::enrol_participant);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == core::error_code::forbidden);
    CHECK(r.error().field == "role");
    CHECK(r.error().message ==
          "a user in the leader role may not enrol a participant; that can be done only as "
          "coordinator");
    const auto anonymous = app::authorize({"", now}, use_case::list_participants);
    REQUIRE_FALSE(anonymous.has_value());
    CHECK(anonymous.error().code == core::error_code::unauthenticated);
  }

  TEST_CASE("every use case x every role and anonymous: refused exactly when the table says so") {
    const auto& table = app::use_case_table();
    REQUIRE(calls().size() == table.size());  // a new use case needs its row here too
    std::vector<std::optional<role>> callers = {std::nullopt,  role::coordinator, role::leader,
                                                role::analyst, role::admin,       role::console};
    // Every refusal goes to one shared copy, which must end as it began: a refused call
    // writes nothing. A permitted call gets a fresh copy of its own.
    auto refused_here = demo().copy("refused");
    const auto head_before = refused_here->last_audit_entry();
    for (const auto& rule : table) {
      for (const auto& who : callers) {
        const std::string name = std::string(rule.name) + " as " +
                                 (who ? std::string(app::to_string(*who)) : "anonymous");
        CAPTURE(name);
        const app::request req{actor_of(who), now, who};
        if (app::permitted(rule.what, who)) {
          auto db = demo().copy("walk");
          const auto answer = calls().at(rule.what)(*db, req);
          CHECK_MESSAGE(!is_access_refusal(answer), (answer ? answer->message : std::string("ok")));
        } else {
          const auto answer = calls().at(rule.what)(*refused_here, req);
          REQUIRE(answer.has_value());
          CHECK(answer->code ==
                (who ? core::error_code::forbidden : core::error_code::unauthenticated));
        }
      }
    }
    const auto head_after = refused_here->last_audit_entry();
    REQUIRE(head_before.has_value());
    REQUIRE(head_after.has_value());
    CHECK(head_after->seq == head_before->seq);
    CHECK(head_after->hash == head_before->hash);
  }

  TEST_CASE("the databases are those of the backend the run asks for") {
    // Under the label `postgres` a SQLite file here would make every other case prove nothing.
    auto db = demo().copy("backend");
    const bool postgres = demo().place.postgres();
    CHECK(db->settings().journal_mode == (postgres ? "postgresql" : "wal"));
    CHECK(db->settings().synchronous == 2);
    CHECK(db->schema_version() == storage::database::latest_schema_version());
  }

  TEST_CASE("a refused use case writes nothing, not even an audit entry") {
    auto db = demo().copy("nothing");
    const app::request console{"console", now, role::console};
    const auto before = app::audit_log(*db, console)->size();
    const app::request leader{"leader-a", now, role::leader};
    enrolment::participant_fields f;
    f.code = "N01";
    f.age = "30";
    f.gender = "F";
    f.consent = "yes";
    CHECK_FALSE(app::add_participant(*db, leader, f).has_value());
    CHECK_FALSE(app::disable_user(*db, leader, "analyst").has_value());
    CHECK(app::audit_log(*db, console)->size() == before);
  }

  TEST_CASE("leaders see and mark only the sessions they lead") {
    auto db = demo().copy("leaders");
    const app::request b{"leader-b", now, role::leader};
    const auto roster = app::roster_of_session(*db, b, "intervention", 1);
    REQUIRE_FALSE(roster.has_value());
    CHECK(roster.error().code == core::error_code::forbidden);
    CHECK(roster.error().field == "session");
    const auto mark =
        app::log_attendance(*db, b, "intervention", 1, {{"T01", "present"}}, std::string("x"));
    REQUIRE_FALSE(mark.has_value());
    CHECK(mark.error().code == core::error_code::forbidden);
    const auto sessions = app::list_sessions(*db, b, "");
    REQUIRE(sessions.has_value());
    for (const auto& s : sessions.value()) {
      CHECK(s.number != 1);
      CHECK(std::find(s.leaders.begin(), s.leaders.end(), "leader-b") != s.leaders.end());
    }
    const app::request a{"leader-a", now, role::leader};
    const auto led = app::list_sessions(*db, a, "");
    REQUIRE(led.has_value());
    CHECK_FALSE(led->empty());
    for (const auto& s : led.value()) {
      CHECK(s.kind == "session");
      CHECK(std::find(s.leaders.begin(), s.leaders.end(), "leader-a") != s.leaders.end());
    }
  }

  TEST_CASE("issue-12: an unreadable request time is refused, never read as 1970") {
    auto db = demo().copy("time");
    for (const std::string bad :
         {"", "yesterday", "2026-13-01T00:00:00.000Z", "2026-12-01 12:00"}) {
      CAPTURE(bad);
      const auto r = app::log_attendance(*db, {"console", bad, role::console}, "intervention", 1,
                                         {{"T01", "present"}}, std::string("late entry"));
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == core::error_code::invalid_input);
      CHECK(r.error().field == "now");
    }
    CHECK(app::authorize({"console", "2026-12-01T12:00:00Z", role::console}, use_case::view_trial)
              .has_value());
  }

  TEST_CASE("a signed-in admin cannot disable their own user, the console can") {
    auto db = demo().copy("self");
    const auto self = app::disable_user(*db, {"admin", now, role::admin}, "admin");
    REQUIRE_FALSE(self.has_value());
    CHECK(self.error().code == core::error_code::conflict);
    CHECK(app::disable_user(*db, {"admin", now, role::console}, "admin").has_value());
  }
}
