#pragma once

#include "balint/app/audit.hpp"
#include "balint/core/result.hpp"
#include "balint/storage/database.hpp"

#include <string>
#include <vector>

/// `balint-trial demo`: a trial in the middle of its programme, for trying the web pages and
/// for the browser tests. It is the Tongji trial's definition with the programme moved so that
/// one session started today (in `time_zone`), the 36 demo residents of tests/data/demo, and the
/// four demo users. Every record goes through the same use cases as a real trial's.
namespace balint::app {

/// A demo user and the password the demo gives them (demo databases only).
struct demo_user {
  std::string name;
  std::string role;
  std::string password;
};

/// The demo's users: admin, coordinator, leader-a (leads every intervention session) and
/// analyst.
const std::vector<demo_user>& demo_users();

/// The demo trial's id; `demo` refuses a database holding any other trial.
inline constexpr const char* demo_trial_id = "tongji-2020-demo";

struct demo_options {
  std::string time_zone = "Etc/UTC";  ///< the programme's time zone (IANA name)
};

struct demo_summary {
  bool created = false;             ///< false: the database already held the demo (left unchanged)
  std::string today_session_start;  ///< ISO local time of the session that started today
  int today_session = 0;
  std::size_t enrolled = 0;
  std::size_t randomized = 0;
  std::size_t sessions_logged = 0;
};

/// Builds the demo in an empty database: trial (seed 2026), participants T01-T36 with their
/// baseline questionnaires, T01-T32 randomized (T33-T36 wait with complete baselines), leaders
/// leader-a and leader-b, the intervention calendar (weekly, session 10 started today), the
/// plan, attendance of the sessions before today's (a few absences), post
/// questionnaires of the randomized (so the analysis has data), and the demo users.
/// A database that already holds the demo is left as it is (created = false); one holding
/// another trial is refused (conflict).
core::result<demo_summary> build_demo(storage::database& db, const request& req,
                                      const demo_options& options);

}  // namespace balint::app
