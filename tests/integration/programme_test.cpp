// The Balint programme through the real executable (issue 5): calendar, leaders, the plan,
// attendance, progress, cancellations, calendars and certificates, on a real SQLite file.

#include "cli_harness.hpp"
#include "cli_steps.hpp"

#include "balint/core/json.hpp"
#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace balint;
using namespace balint::test::steps;
using balint::test::run_cli;
using balint::test::temp_dir;

namespace {

/// The demo trial randomized with a fixed seed: 18 intervention, 18 waitlist.
std::string randomized_demo(const temp_dir& dir) {
  const std::string db = dir.file("trial.db");
  expect_exit(0, {"init", "--db", db, "--seed", "20161012"});
  expect_exit(0, {"participant", "import", "--db", db, "--csv", demo_participants()});
  expect_exit(0, {"outcome", "import", "--db", db, "--csv", demo_baseline()});
  expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
  return db;
}

core::json schedule_json(const std::string& db, const std::string& cohort = "intervention") {
  return parse_json_output(
      expect_exit(0, {"schedule", "list", "--db", db, "--cohort", cohort, "--format", "json"}));
}

std::vector<std::string> codes_of(const core::json& session) {
  std::vector<std::string> out;
  for (const auto& c : session.find("participants")->as_array()) out.push_back(c.as_string());
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

/// A small trial: `n` participants with the given availability, randomized.
std::string small_trial(const temp_dir& dir, int n, const std::function<std::string(int)>& avail,
                        const std::function<void(core::json&)>& change = {}) {
  const auto config = write_config(dir, "small.json", [&](core::json& d) {
    d["planned_participants"] = n;
    d["randomization"]["block_sizes"] = core::json::array{2};
    if (change) change(d);
  });
  const std::string db = dir.file("small.db");
  expect_exit(0, {"init", "--db", db, "--config", config, "--seed", "4"});
  std::string people =
      "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
  std::string answers = "participant,timepoint,instrument,item,value\n";
  for (int i = 1; i <= n; ++i) {
    const std::string code = "S" + std::to_string(i);
    people += code + ",25,F,,yes,,," + avail(i) + "\n";
    answers += baseline_rows(code);
  }
  test::write_file(dir.file("p.csv"), people);
  test::write_file(dir.file("b.csv"), answers);
  expect_exit(0, {"participant", "import", "--db", db, "--csv", dir.file("p.csv")});
  expect_exit(0, {"outcome", "import", "--db", db, "--csv", dir.file("b.csv")});
  expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
  return db;
}

/// A small trial whose programme starts in 2099 (one lecture, no blackout dates), everyone
/// available on workday evenings: every session is still to come.
std::string future_trial(const temp_dir& dir, int n) {
  return small_trial(
      dir, n, [](int) { return "workday-evening"; },
      [](core::json& d) {
        d["programme"]["first_session_date"] = "2099-01-07";
        d["programme"]["lectures"] =
            core::parse_json(R"([{"date": "2098-12-30", "start": "17:30", "end": "18:30"}])")
                .value();
        d["programme"]["blackout_dates"] = core::json::array{};
      });
}

}  // namespace

TEST_SUITE("programme") {
  TEST_CASE("the Tongji programme: 2 lectures and 20 Wednesday slots at 17:30 Shanghai time") {
    temp_dir dir;
    const auto db = randomized_demo(dir);
    const auto r = expect_exit(0, {"schedule", "generate", "--db", db});
    CHECK(contains(r.out, "Created 2 lectures and 20 session slots"));
    const auto list = schedule_json(db);
    REQUIRE(list.as_array().size() == 22);
    int sessions = 0;
    std::set<std::string> dates;
    for (const auto& s : list.as_array()) {
      CHECK(str(s, "cohort") == "intervention");
      CHECK(str(s, "status") == "planned");
      if (str(s, "kind") != "session") continue;
      ++sessions;
      CHECK(s.find("number")->as_int() == sessions);
      const std::string start = str(s, "start");
      CHECK(start.substr(10) == "T17:30:00+08:00");
      CHECK(str(s, "end").substr(10) == "T18:30:00+08:00");
      dates.insert(start.substr(0, 10));
    }
    CHECK(sessions == 20);
    CHECK(*dates.begin() >= "2016-10-01");
    CHECK(*dates.begin() <= "2016-10-31");
    CHECK_FALSE(dates.count("2017-02-01"));  // Spring Festival: skipped
    // Generating twice is refused.
    expect_refused(db, {"schedule", "generate", "--db", db}, {"already has its calendar"});
  }

  TEST_CASE("a time zone the time zone database does not know is refused at init") {
    temp_dir dir;
    const auto config = test::steps::write_config(
        dir, "mars.json", [](core::json& doc) { doc["programme"]["time_zone"] = "Mars/Olympus"; });
    const auto r = run_cli({"init", "--db", dir.file("mars.db"), "--config", config});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "$.programme.time_zone"));
    CHECK(contains(r.err, "time zone \"Mars/Olympus\" is not in this computer's time zone"));
    CHECK(contains(r.err, "Europe/Berlin"));
    CHECK_FALSE(test::file_exists(dir.file("mars.db")));
  }

  TEST_CASE(
      "the plan gives every intervention participant 10 slots, every held session 8-12, "
      "and logging it makes all 18 completed") {
    temp_dir dir;
    const auto db = randomized_demo(dir);
    plan_demo(db);
    const auto arms = arms_of(db);
    std::map<std::string, int> per_participant;
    const auto list = schedule_json(db);
    for (const auto& s : list.as_array()) {
      if (str(s, "kind") != "session") continue;
      const auto codes = codes_of(s);
      if (!codes.empty()) {
        CHECK(codes.size() >= 8);
        CHECK(codes.size() <= 12);
      }
      for (const auto& c : codes) {
        CHECK(arms.at(c) == "intervention");
        ++per_participant[c];
      }
    }
    CHECK(per_participant.size() == 18);
    for (const auto& [code, n] : per_participant) {
      CAPTURE(code);
      CHECK(n == 10);
    }
    // The leaders log the plan as attended, one whole roster per session, each signed in on
    // the command line as themselves (plan_demo gives L1 the odd sessions, L2 the even ones).
    add_user(db, "L1", "leader");
    add_user(db, "L2", "leader");
    for (const auto& s : list.as_array()) {
      if (str(s, "kind") != "session" || codes_of(s).empty()) continue;
      const auto number = s.find("number")->as_int();
      const std::vector<std::string> log = {
          "attendance",       "log", "--db", db, "--session", std::to_string(number), "--present",
          joined(codes_of(s))};
      if (number == 1) {
        // Not the leader of this session: refused, nothing written.
        auto as_other = log;
        as_other.insert(as_other.end(), {"--as", "L2"});
        expect_refused(db, as_other, {"not led by L2"});
      }
      auto as_leader = log;
      as_leader.insert(as_leader.end(), {"--as", number % 2 ? "L1" : "L2"});
      expect_exit(0, as_leader);
    }
    const auto progress = parse_json_output(
        expect_exit(0, {"attendance", "progress", "--db", db, "--format", "json"}));
    REQUIRE(progress.as_array().size() == 18);
    for (const auto& p : progress.as_array()) {
      CAPTURE(str(p, "participant"));
      CHECK(str(p, "status") == "completed");
      CHECK(p.find("attended")->as_int() == 10);
      CHECK(p.find("required")->as_int() == 10);
    }
    // Held sessions show as held; wide.csv counts the sessions attended.
    CHECK(str(schedule_json(db).as_array()[2], "status") == "held");
    expect_exit(0, {"export", "--db", db, "--format", "csv", "--out", dir.file("x")});
    const auto rows = test::parse_csv(test::read_file(dir.file("x/wide.csv")));
    const auto col = test::column(rows[0], "sessions_attended");
    for (std::size_t i = 1; i < rows.size(); ++i) {
      CAPTURE(rows[i][0]);
      CHECK(rows[i][col] == (arms.at(rows[i][0]) == "intervention" ? "10" : ""));
    }
    // A waitlist participant cannot be marked at an intervention session.
    std::string waitlister;
    for (const auto& [code, arm] : arms) {
      if (arm == "waitlist") waitlister = code;
    }
    expect_refused(db,
                   {"attendance", "log", "--db", db, "--session", "1", "--participant", waitlister,
                    "--status", "present"},
                   {waitlister, "not in the cohort"});
    // A certificate for a participant who completed.
    const std::string first = per_participant.begin()->first;
    expect_exit(0, {"attendance", "certificate", "--db", db, "--participant", first, "--out",
                    dir.file("cert.html")});
    CHECK(contains(test::read_file(dir.file("cert.html")), first));
    expect_refused(db,
                   {"attendance", "certificate", "--db", db, "--participant", waitlister, "--out",
                    dir.file("no.html")},
                   {waitlister});
    CHECK_FALSE(test::file_exists(dir.file("no.html")));
  }

  TEST_CASE("attendance refusals: no leader, changed mark without reason, too many present") {
    temp_dir dir;
    const auto db = randomized_demo(dir);
    expect_exit(0, {"schedule", "generate", "--db", db});
    std::vector<std::string> intervention;
    for (const auto& [code, arm] : arms_of(db)) {
      if (arm == "intervention") intervention.push_back(code);
    }
    expect_refused(db,
                   {"attendance", "log", "--db", db, "--session", "1", "--participant",
                    intervention[0], "--status", "present"},
                   {"no group leader"});
    expect_exit(0, {"leader", "add", "--db", db, "--code", "L1", "--name", "Dr. Wu"});
    expect_exit(0, {"schedule", "assign-leader", "--db", db, "--session", "1", "--leader", "L1"});
    expect_exit(0, {"attendance", "log", "--db", db, "--session", "1", "--participant",
                    intervention[0], "--status", "absent"});
    expect_refused(db,
                   {"attendance", "log", "--db", db, "--session", "1", "--participant",
                    intervention[0], "--status", "present"},
                   {"needs a reason", "give it with --reason TEXT"});
    expect_exit(0, {"attendance", "log", "--db", db, "--session", "1", "--participant",
                    intervention[0], "--status", "present", "--reason", "came late, was there"});
    const std::vector<std::string> thirteen(intervention.begin() + 1, intervention.begin() + 13);
    expect_refused(
        db, {"attendance", "log", "--db", db, "--session", "1", "--present", joined(thirteen)},
        {"at most 12"});
    expect_refused(db,
                   {"attendance", "log", "--db", db, "--session", "1", "--participant",
                    intervention[1], "--status", "late"},
                   {"present, absent or excused"});
    expect_refused(
        db, {"schedule", "assign-leader", "--db", db, "--session", "1", "--leader", "L9"}, {"L9"});
    expect_exit(0, {"leader", "add", "--db", db, "--code", "L2", "--name", "Dr. Cheng"});
    expect_exit(0, {"leader", "add", "--db", db, "--code", "L3", "--name", "Dr. Harsh"});
    expect_exit(0, {"schedule", "assign-leader", "--db", db, "--session", "1", "--leader", "L2"});
    expect_refused(db,
                   {"schedule", "assign-leader", "--db", db, "--session", "1", "--leader", "L3"},
                   {"at most 2"});
  }

  TEST_CASE("attendance for a session in the future is refused") {
    temp_dir dir;
    const auto db = future_trial(dir, 16);
    expect_exit(0, {"schedule", "generate", "--db", db});
    expect_exit(0, {"leader", "add", "--db", db, "--code", "L1", "--name", "Dr. Wu"});
    expect_exit(0, {"schedule", "assign-leader", "--db", db, "--session", "1", "--leader", "L1"});
    std::string someone;
    for (const auto& [code, arm] : arms_of(db)) {
      if (arm == "intervention") someone = code;
    }
    expect_refused(db,
                   {"attendance", "log", "--db", db, "--session", "1", "--participant", someone,
                    "--status", "present"},
                   {"has not taken place yet"});
    // Progress: every future slot is still possible.
    const auto progress = parse_json_output(
        expect_exit(0, {"attendance", "progress", "--db", db, "--format", "json"}));
    for (const auto& p : progress.as_array()) {
      CHECK(p.find("remaining_possible")->as_int() == 20);
      CHECK(str(p, "status") == "on-track");
    }
  }

  TEST_CASE("an infeasible plan is explained in the users' words and writes nothing") {
    temp_dir dir;
    SUBCASE("a participant available only at weekends") {
      const auto db = small_trial(dir, 20, [](int i) {
        return i <= 19 ? std::string("workday-evening") : std::string("weekend");
      });
      expect_exit(0, {"schedule", "generate", "--db", db});
      const std::string cohort = arms_of(db).at("S20");
      if (cohort == "waitlist") {
        expect_exit(0, {"schedule", "generate", "--db", db, "--cohort", "waitlist"});
      }
      expect_refused(db, {"schedule", "plan", "--db", db, "--cohort", cohort},
                     {"S20", "available"});
    }
    SUBCASE("too few participants to reach the minimum of 8 per session") {
      const auto db = small_trial(dir, 10, [](int) { return "workday-evening"; });
      expect_exit(0, {"schedule", "generate", "--db", db});
      expect_refused(db, {"schedule", "plan", "--db", db}, {"minimum"});
    }
  }

  TEST_CASE("cancelling a session names replacement slots; moving a participant is checked") {
    temp_dir dir;
    const auto db = future_trial(dir, 40);
    expect_exit(0, {"schedule", "generate", "--db", db});
    expect_exit(0, {"schedule", "plan", "--db", db});
    auto list = schedule_json(db);
    const auto& s3 = list.as_array()[1 + 3];  // after the one lecture
    REQUIRE(s3.find("number")->as_int() == 3);
    const auto victim = codes_of(s3).front();
    const auto c = expect_exit(
        0, {"schedule", "cancel", "--db", db, "--session", "3", "--reason", "leader ill"});
    CHECK(contains(c.out, "cancelled"));
    CHECK(contains(c.out, victim));
    CHECK(str(schedule_json(db).as_array()[4], "status") == "cancelled");
    expect_refused(db, {"schedule", "cancel", "--db", db, "--session", "3", "--reason", "again"},
                   {"already cancelled"});
    // Move someone from a session they are in to one they are not in.
    list = schedule_json(db);
    std::string mover;
    int from = 0;
    int to = 0;
    for (const auto& s : list.as_array()) {
      if (str(s, "kind") != "session" || str(s, "status") == "cancelled") continue;
      const auto codes = codes_of(s);
      if (from == 0 && codes.size() > 8) {
        mover = codes.front();
        from = static_cast<int>(s.find("number")->as_int());
      }
    }
    REQUIRE(from != 0);
    for (const auto& s : list.as_array()) {
      if (str(s, "kind") != "session" || str(s, "status") == "cancelled") continue;
      const auto codes = codes_of(s);
      if (codes.size() < 12 && std::find(codes.begin(), codes.end(), mover) == codes.end()) {
        to = static_cast<int>(s.find("number")->as_int());
      }
    }
    if (to != 0) {
      expect_exit(0, {"schedule", "move", "--db", db, "--participant", mover, "--from",
                      std::to_string(from), "--to", std::to_string(to)});
    }
    expect_refused(
        db, {"schedule", "move", "--db", db, "--participant", mover, "--from", "3", "--to", "4"},
        {"not planned for session 3"});
  }

  TEST_CASE("schedule ics writes an RFC 5545 calendar of a participant's sessions") {
    temp_dir dir;
    const auto db = randomized_demo(dir);
    plan_demo(db);
    std::string someone;
    for (const auto& [code, arm] : arms_of(db)) {
      if (arm == "intervention") someone = code;
    }
    expect_exit(
        0, {"schedule", "ics", "--db", db, "--participant", someone, "--out", dir.file("p.ics")});
    const auto text = test::read_file(dir.file("p.ics"));
    CHECK(text.rfind("BEGIN:VCALENDAR\r\n", 0) == 0);
    CHECK(contains(text, "TZID=Asia/Shanghai"));
    std::size_t events = 0;
    for (auto pos = text.find("BEGIN:VEVENT"); pos != std::string::npos;
         pos = text.find("BEGIN:VEVENT", pos + 1)) {
      ++events;
    }
    CHECK(events == 12);  // 2 lectures + 10 sessions
    expect_exit(0, {"schedule", "ics", "--db", db, "--leader", "L1", "--out", dir.file("l.ics")});
    CHECK(contains(test::read_file(dir.file("l.ics")), "Balint group session 1"));
  }

  TEST_CASE("the waitlist cohort gets the same programme after the intervention") {
    temp_dir dir;
    const auto db = randomized_demo(dir);
    expect_exit(0, {"schedule", "generate", "--db", db});
    expect_exit(0, {"schedule", "generate", "--db", db, "--cohort", "waitlist"});
    const auto intervention = schedule_json(db);
    const auto waitlist = schedule_json(db, "waitlist");
    REQUIRE(waitlist.as_array().size() == 22);
    CHECK(str(waitlist.as_array()[2], "start") > str(intervention.as_array().back(), "start"));
  }
}

TEST_SUITE("analysis") {
  TEST_CASE("analyze --db and analyze --csv on its export give the same JSON") {
    temp_dir dir;
    const auto db = randomized_demo(dir);
    plan_demo(db);
    const auto sessions = schedule_json(db);
    for (const auto& s : sessions.as_array()) {
      if (str(s, "kind") != "session" || codes_of(s).empty()) continue;
      expect_exit(0,
                  {"attendance", "log", "--db", db, "--session",
                   std::to_string(s.find("number")->as_int()), "--present", joined(codes_of(s))});
    }
    // Post questionnaires for everyone (answers shifted from a simple pattern).
    std::string post = "participant,timepoint,instrument,item,value\n";
    int k = 0;
    for (const auto& [code, arm] : arms_of(db)) {
      ++k;
      for (int i = 1; i <= 22; ++i) {
        post +=
            code + ",post,mbi-hss," + std::to_string(i) + "," + std::to_string((i + k) % 7) + "\n";
      }
      for (int i = 1; i <= 20; ++i) {
        post +=
            code + ",post,msq," + std::to_string(i) + "," + std::to_string(1 + (i * k) % 5) + "\n";
      }
    }
    test::write_file(dir.file("post.csv"), post);
    expect_exit(0, {"outcome", "import", "--db", db, "--csv", dir.file("post.csv")});
    expect_exit(0, {"export", "--db", db, "--format", "csv", "--out", dir.file("x")});
    for (const char* population : {"itt", "per-protocol"}) {
      CAPTURE(population);
      const auto from_db =
          expect_exit(0, {"analyze", "--db", db, "--format", "json", "--population", population});
      const auto from_csv = expect_exit(0, {"analyze", "--csv", dir.file("x/wide.csv"), "--format",
                                            "json", "--population", population});
      CHECK(from_db.out == from_csv.out);
      const auto j = parse_json_output(from_db);
      CHECK(str(j, "population") == population);
      CHECK(j.find("n")->find("intervention")->as_int() == 18);
      CHECK(j.find("outcomes")->find("ee")->find("change_test")->find("student") != nullptr);
    }
    const auto html = expect_exit(
        0, {"analyze", "--db", db, "--format", "html", "--out", dir.file("report.html")});
    const auto page = test::read_file(dir.file("report.html"));
    CHECK(contains(page, "<svg"));
    CHECK_FALSE(contains(page, "http://"));
    CHECK_FALSE(contains(page, "https://"));
    const auto text = expect_exit(0, {"analyze", "--db", db});
    CHECK(contains(text.out, "Table 4"));
  }

  TEST_CASE("analyze refuses bad CSV input naming the line and the column") {
    temp_dir dir;
    const std::string header =
        "id,arm,age,gender,ee_pre,ee_post,dp_pre,dp_post,pa_pre,pa_post,msq_pre,msq_post,"
        "sessions_attended\n";
    struct bad_case {
      std::string body;
      std::vector<std::string> says;
    };
    const std::vector<bad_case> cases = {
        {"A1,intervention,24,F,10,12,5,5,30,31,60,61,10\nA2,control,24,F,10,12,5,5,30,31,60,61,\n",
         {"line 3", "arm"}},
        {"A1,intervention,24,F,10,12,5,5,30,31,19,61,10\n", {"line 2", "msq_pre"}},
        {"A1,intervention,24,F,ten,12,5,5,30,31,60,61,10\n", {"line 2", "ee_pre"}},
        {"A1,intervention,24,F,10,12,5,5,30,31,60,61,10\nA1,waitlist,24,F,10,12,5,5,30,31,60,61,\n",
         {"A1"}},
    };
    for (const auto& c : cases) {
      CAPTURE(c.body);
      test::write_file(dir.file("bad.csv"), header + c.body);
      const auto r = run_cli({"analyze", "--csv", dir.file("bad.csv")});
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      for (const auto& s : c.says) CHECK(contains(r.err, s));
    }
    test::write_file(dir.file("bad.csv"), "id,arm\nA1,intervention\n");
    const auto r = run_cli({"analyze", "--csv", dir.file("bad.csv")});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "header"));
  }
}

namespace {

/// UTC now minus `hours`, as "YYYY-MM-DDTHH:MM:SS" (comparable with the calendar's local ISO
/// times in Etc/UTC).
std::string utc_text(int hours_ago) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() -
                                                      std::chrono::hours(hours_ago));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

}  // namespace

TEST_SUITE("demo") {
  TEST_CASE("demo builds a trial whose session 10 has started by now, and prints its users") {
    temp_dir dir;
    const auto db = dir.file("demo.db");
    const auto r = expect_exit(0, {"demo", "--db", db, "--time-zone", "Etc/UTC"});
    for (const char* user : {"admin", "coordinator", "leader-a", "analyst"}) {
      CHECK(contains(r.out, user));
    }
    CHECK(contains(r.out, "demo-leader-password"));
    CHECK_FALSE(std::filesystem::exists(db + ".building"));
    const auto sessions = parse_json_output(expect_exit(
        0, {"schedule", "list", "--db", db, "--cohort", "intervention", "--format", "json"}));
    int held = 0;
    for (const auto& s : sessions.as_array()) {
      if (str(s, "kind") != "session") continue;
      const int n = static_cast<int>(s.find("number")->as_int());
      if (n < 10) held += str(s, "status") == "held" ? 1 : 0;
      if (n == 10) {
        // Started, and no more than two days ago (today's, or yesterday evening's before 11:00).
        const std::string start = str(s, "start").substr(0, 19);
        CHECK(start <= utc_text(0));
        CHECK(start >= utc_text(48));
        CHECK(str(s, "status") == "planned");
        CHECK_FALSE(s.find("participants")->as_array().empty());
      }
    }
    CHECK(held == 9);
    // 32 randomized, 4 waiting with complete baselines; the users can sign in (listed).
    CHECK(test::run_sqlite(db, "SELECT count(*) FROM allocation;").out == "32\n");
    CHECK(test::run_sqlite(db, "SELECT count(*) FROM participant;").out == "36\n");
    CHECK(test::run_sqlite(db, "SELECT count(*) FROM user;").out == "4\n");
    CHECK(contains(expect_exit(0, {"audit", "verify", "--db", db}).out, "ok"));

    // A second run leaves the demo as it is; a database of another trial is refused untouched.
    const auto before = test::db_fingerprint(db);
    const auto again = expect_exit(0, {"demo", "--db", db});
    CHECK(contains(again.out, "already holds the demo"));
    CHECK(test::db_fingerprint(db) == before);
    const auto other = demo_db(dir);
    expect_refused(other, {"demo", "--db", other}, {"--db", "not the demo"});
    const auto bad = run_cli({"demo", "--db", dir.file("x.db"), "--time-zone", "Nowhere/City"});
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, "--time-zone"));
    CHECK(contains(bad.err, "Nowhere/City"));
    CHECK_FALSE(std::filesystem::exists(dir.file("x.db")));
  }
}
