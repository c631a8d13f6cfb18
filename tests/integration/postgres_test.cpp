// The PostgreSQL backend (issue 13) on a real server: opening and refusing, the migrations, and
// allocation safety when several processes randomize one trial at once. Runs only under the
// ctest label `postgres` (scripts/with-postgres sets BALINT_TEST_POSTGRES); without a server it
// fails rather than pass having checked nothing.
#include "cli_harness.hpp"
#include "http_client.hpp"
#include "scratch_database.hpp"

#include "balint/app/audit.hpp"
#include "balint/app/clock.hpp"
#include "balint/app/demo_service.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/services.hpp"
#include "balint/app/user_service.hpp"
#include "balint/core/json.hpp"
#include "balint/resources/resources.hpp"
#include "balint/storage/database.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <libpq-fe.h>
#include <map>
#include <set>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace balint;
using balint::test::read_file;
using balint::test::run_cli;
using balint::test::source_path;

namespace {

const std::string now = "2026-12-01T12:00:00.000Z";

/// Runs `sql` on the database at `url` directly (what another program, or an attacker, could).
void run_sql(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  PGresult* r = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(r);
  const std::string message = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  REQUIRE_MESSAGE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK), message);
}

/// The message of the storage_error that opening `locator` throws ("" when it opens).
std::string open_refusal(const std::string& locator) {
  try {
    storage::database::open(locator);
  } catch (const storage::storage_error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The Tongji trial planned for `n` participants, each enrolled with a complete baseline.
void enrol_with_baseline(storage::database& db, int n) {
  const app::request req{"setup", now, app::role::console};
  auto config = core::parse_json(*resources::find("schemas/trials/tongji-2020.json")).value();
  config["planned_participants"] = n;
  config["randomization"]["block_sizes"] = core::json::array{4, 6};
  std::string people =
      "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
  std::string answers = "participant,timepoint,instrument,item,value\n";
  for (int p = 0; p < n; ++p) {
    const std::string code = "P" + std::to_string(100 + p);
    people += code + ",24,F,,yes,1,1,workday-evening\n";
    for (int i = 1; i <= 22; ++i) answers += code + ",pre,mbi-hss," + std::to_string(i) + ",3\n";
    for (int i = 1; i <= 20; ++i) answers += code + ",pre,msq," + std::to_string(i) + ",3\n";
  }
  REQUIRE(app::init_trial(db, req, config.dump(), {20161012, "00", true}).has_value());
  REQUIRE(app::import_participants(db, req, people).has_value());
  REQUIRE(app::import_outcomes(db, req, answers).has_value());
}

/// After everyone was randomized: each of `participants` allocated once, no list position used
/// twice, the list and the audit trail verify.
void check_allocated_once(storage::database& db, std::size_t participants) {
  const auto made = db.allocations();
  CHECK(made.size() == participants);
  std::set<std::pair<std::string, int>> positions;
  std::set<std::int64_t> people;
  for (const auto& a : made) {
    positions.insert({a.stratum, a.position});
    people.insert(a.participant_id);
  }
  CHECK(positions.size() == made.size());  // no list position used twice
  CHECK(people.size() == made.size());     // nobody allocated twice
  const auto verified =
      app::verify_randomization(db, {"check", app::utc_now(), app::role::console});
  REQUIRE(verified.has_value());
  CHECK_MESSAGE(verified->ok, verified->problem);
  const auto audit = app::verify_audit(db);
  CHECK_MESSAGE(audit.ok, audit.problem);
}

}  // namespace

TEST_SUITE("postgres") {
  TEST_CASE("the run has a PostgreSQL server to test against") {
    testing::database_place place;
    REQUIRE_MESSAGE(place.postgres(),
                    "BALINT_TEST_POSTGRES is not set: run under scripts/with-postgres");
    auto db = storage::database::open(place.fresh("settings"));
    CHECK(db->settings().journal_mode == "postgresql");
    CHECK(db->schema_version() == storage::database::latest_schema_version());
  }

  TEST_CASE("a URL with a password, an unreachable server and a foreign database are refused") {
    testing::database_place place;
    REQUIRE(place.postgres());
    const auto with_password = open_refusal("postgresql://postgres:secret@localhost/postgres");
    CHECK(contains(with_password, "carries a password"));
    CHECK(contains(with_password, "PGPASSWORD"));

    const auto unreachable = open_refusal("postgresql://localhost:1/nowhere");
    CHECK(contains(unreachable, "cannot connect to the database postgresql://localhost:1/nowhere"));
    CHECK(unreachable.find('\n') == std::string::npos);  // one line

    const auto foreign = place.fresh("foreign");
    run_sql(foreign, "CREATE TABLE invoices (id BIGINT)");
    CHECK(contains(open_refusal(foreign), "tables of another program"));
  }

  TEST_CASE("migrations are applied once and a newer database is refused") {
    testing::database_place place;
    REQUIRE(place.postgres());
    const auto url = place.fresh("versions");
    { storage::database::open(url); }
    { storage::database::open(url); }  // a second open finds nothing to do
    run_sql(url, "INSERT INTO balint_schema (version) VALUES (999)");
    const auto newer = open_refusal(url);
    CHECK(contains(newer, "schema version 999, newer than this program"));
  }

  TEST_CASE("the sealed tables and the audit trail refuse changes made around the program") {
    testing::database_place place;
    REQUIRE(place.postgres());
    const auto url = place.fresh("sealed");
    {
      auto db = storage::database::open(url);
      enrol_with_baseline(*db, 4);
      REQUIRE(app::randomize(*db, {"c", now, app::role::console}, "P100").has_value());
    }
    for (const std::string sql :
         {"UPDATE allocation SET arm = 'waitlist'", "DELETE FROM allocation_list",
          "UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"}) {
      CAPTURE(sql);
      PGconn* conn = PQconnectdb(url.c_str());
      PGresult* r = PQexec(conn, sql.c_str());
      CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR);
      CHECK((contains(PQresultErrorMessage(r), "sealed") ||
             contains(PQresultErrorMessage(r), "final") ||
             contains(PQresultErrorMessage(r), "append-only")));
      PQclear(r);
      PQfinish(conn);
    }
  }

  TEST_CASE("8 processes randomizing one trial at once never share a list position") {
    testing::database_place place;
    REQUIRE(place.postgres());
    const auto url = place.fresh("concurrent");
    constexpr int participants = 120;
    constexpr int processes = 8;
    {
      auto db = storage::database::open(url);
      enrol_with_baseline(*db, participants);
    }
    for (int k = 0; k < processes; ++k) {
      if (fork() == 0) {
        int failures = 0;
        try {
          auto db = storage::database::open(url);
          for (int p = k; p < participants; p += processes) {
            const app::request req{"process-" + std::to_string(k), app::utc_now(),
                                   app::role::console};
            if (!app::randomize(*db, req, "P" + std::to_string(100 + p))) ++failures;
          }
        } catch (...) {
          ++failures;
        }
        std::_Exit(failures == 0 ? 0 : 1);
      }
    }
    int failed = 0;
    for (int k = 0; k < processes; ++k) {
      int status = 0;
      wait(&status);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    CHECK(failed == 0);
    auto db = storage::database::open(url);
    check_allocated_once(*db, participants);
    const auto audit = app::verify_audit(*db);
    CHECK(audit.entries == 3 + participants);  // init, two imports, one per allocation
  }

  TEST_CASE("the command line runs a trial on PostgreSQL and names a wrong server in one line") {
    testing::database_place place;
    REQUIRE(place.postgres());
    const auto url = place.fresh("cli");
    auto r = run_cli({"init", "--db", url});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    r = run_cli({"participant", "import", "--db", url, "--csv",
                 source_path("docs/examples/participants.csv")});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    r = run_cli(
        {"outcome", "import", "--db", url, "--csv", source_path("docs/examples/baseline.csv")});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    r = run_cli({"randomize", "--db", url, "--all-eligible"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "Randomized 36 participants."));
    r = run_cli({"audit", "verify", "--db", url});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    r = run_cli({"randomization", "verify", "--db", url});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "36 allocations checked"));

    r = run_cli({"participant", "list", "--db", "postgresql://localhost:1/nowhere"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--db: cannot connect to the database postgresql://localhost:1/nowhere"));
    r = run_cli({"init", "--db", "postgresql://someone:secret@localhost/postgres"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "carries a password"));
    CHECK_FALSE(contains(r.err, "secret@"));  // the refusal does not repeat the password
  }

  TEST_CASE("migrate copies a trial to PostgreSQL and back, and both copies verify") {
    testing::database_place place;
    REQUIRE(place.postgres());
    const std::string original = (place.dir() / "demo.db").string();
    const std::string back = (place.dir() / "back.db").string();
    const auto url = place.fresh("moved");
    auto r = run_cli({"demo", "--db", original});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);

    r = run_cli({"migrate", "--from", original, "--to", url});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "36 participants"));
    for (const auto& db : {url, back}) {
      if (db == back) {
        r = run_cli({"migrate", "--from", url, "--to", back});
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      }
      CAPTURE(db);
      r = run_cli({"audit", "verify", "--db", db});
      CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
      r = run_cli({"randomization", "verify", "--db", db});
      CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
      CHECK(contains(r.out, "32 allocations checked"));
    }
    // The analyst's data are the same byte for byte in all three places.
    std::vector<std::string> exports;
    for (const auto& db : {original, url, back}) {
      const auto out = (place.dir() / ("export-" + std::to_string(exports.size()))).string();
      r = run_cli({"export", "--db", db, "--format", "csv", "--out", out});
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      exports.push_back(read_file(out + "/wide.csv") + read_file(out + "/items.csv"));
    }
    CHECK(exports[0].size() > 1000);
    CHECK(exports[1] == exports[0]);
    CHECK(exports[2] == exports[0]);

    // Only into an empty database; the refusal changes nothing.
    r = run_cli({"migrate", "--from", original, "--to", url});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--to"));
    CHECK(contains(r.err, "already holds a trial"));
    r = run_cli({"audit", "verify", "--db", url});
    CHECK(r.exit_code == 0);
  }

  TEST_CASE("3 serve processes x 32 clients randomize 1000 participants: each once, lists intact") {
    testing::database_place place;
    REQUIRE(place.postgres());
    const auto url = place.fresh("servers");
    constexpr int participants = 1000;
    const std::string password = "a long enough password";
    {
      auto db = storage::database::open(url);
      enrol_with_baseline(*db, participants);
      const app::request console{"setup", now, app::role::console};
      REQUIRE(app::add_user(*db, console, "coord", "coordinator", password).has_value());
    }
    std::vector<std::unique_ptr<test::serve_process>> servers;
    for (int k = 0; k < 3; ++k) {
      servers.push_back(
          std::make_unique<test::serve_process>(url, place.dir() / ("serve" + std::to_string(k))));
    }
    // Signed in on the first server; the session lives in the database, so every server
    // knows it (none holds state another needs).
    const auto coordinator = test::sign_in(servers[0]->port(), "coord", password);

    std::atomic<int> ok{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 32; ++t) {
      clients.emplace_back([&, t] {
        for (int p = t; p < participants; p += 32) {
          const auto& server = *servers[static_cast<std::size_t>(p % 3)];
          const auto a = test::http(server.port(), "POST",
                                    "/api/participants/P" + std::to_string(100 + p) + "/randomize",
                                    "", coordinator);
          (a.status == 200 ? ok : refused)++;
        }
      });
    }
    for (auto& c : clients) c.join();
    servers.clear();  // stopped: every answered write is committed
    CHECK(ok == participants);
    CHECK(refused == 0);

    auto db = storage::database::open(url);
    check_allocated_once(*db, participants);
  }

  TEST_CASE("a lost database connection answers 503, writes nothing, and the server reconnects") {
    testing::database_place place;
    REQUIRE(place.postgres());
    const auto url = place.fresh("lost");
    const std::string password = "a long enough password";
    {
      auto db = storage::database::open(url);
      enrol_with_baseline(*db, 4);
      const app::request console{"setup", now, app::role::console};
      REQUIRE(app::add_user(*db, console, "coord", "coordinator", password).has_value());
    }
    test::serve_process server(url, place.dir() / "serve");
    const auto coordinator = test::sign_in(server.port(), "coord", password);
    REQUIRE(test::http(server.port(), "GET", "/api/participants", "", coordinator).status == 200);

    // The database server drops every connection of the trial (a restart, a failover).
    const auto cut = [&] {
      run_sql(url,
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
              "current_database() AND pid <> pg_backend_pid()");
    };
    cut();
    const auto lost = test::http(server.port(), "GET", "/api/participants", "", coordinator);
    CHECK(lost.status == 503);
    CHECK(lost.error_code() == "unavailable");
    CHECK(test::http(server.port(), "GET", "/api/participants", "", coordinator).status == 200);

    // A write that meets a lost connection is not made; its retry is made once.
    cut();
    const auto write =
        test::http(server.port(), "POST", "/api/participants/P100/randomize", "", coordinator);
    CHECK(write.status == 503);
    const auto again =
        test::http(server.port(), "POST", "/api/participants/P100/randomize", "", coordinator);
    CHECK_MESSAGE(again.status == 200, again.body);
    auto db = storage::database::open(url);
    CHECK(db->allocations().size() == 1);
    const auto audit = app::verify_audit(*db);
    CHECK_MESSAGE(audit.ok, audit.problem);
  }

  TEST_CASE("kill -9 of one of 3 servers during attendance writes loses no acknowledged write") {
    testing::database_place place;
    REQUIRE(place.postgres());
    const auto url = place.fresh("killed");
    {
      auto db = storage::database::open(url);
      REQUIRE(app::build_demo(*db, {"setup", app::utc_now(), app::role::console}, {}));
    }
    std::vector<std::unique_ptr<test::serve_process>> servers;
    for (int k = 0; k < 3; ++k) {
      servers.push_back(
          std::make_unique<test::serve_process>(url, place.dir() / ("serve" + std::to_string(k))));
    }
    const auto leader = test::sign_in(servers[1]->port(), "leader-a", "demo-leader-password");

    // Every mark the demo's leader may set: flip each one already made (with a reason), set
    // the ones of today's session.
    struct mark {
      int session;
      std::string participant;
      std::string status;
      bool acknowledged = false;
    };
    std::vector<mark> marks;
    const auto sessions = test::http(servers[1]->port(), "GET", "/api/sessions", "", leader).json();
    for (const auto& s : sessions.as_array()) {
      if (s.find("kind")->as_string() != "session") continue;
      const int n = static_cast<int>(s.find("number")->as_int());
      if (n > 10) continue;
      const auto roster =
          test::http(servers[1]->port(), "GET", "/api/sessions/" + std::to_string(n), "", leader)
              .json();
      for (const auto& a : roster.find("attendance")->as_array()) {
        const auto* was = a.find("status");
        const bool present = was && was->is_string() && was->as_string() == "present";
        marks.push_back({n, a.find("participant")->as_string(), present ? "absent" : "present"});
      }
    }
    REQUIRE(marks.size() > 60);

    std::atomic<std::size_t> next{0};
    std::atomic<int> answered_after_kill{0};
    std::atomic<bool> killed{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t) {
      clients.emplace_back([&, t] {
        for (std::size_t i = next++; i < marks.size(); i = next++) {
          auto& m = marks[i];
          const std::size_t k = (i + static_cast<std::size_t>(t)) % 3;
          if (k == 0 && killed) continue;  // its clients would only be refused
          try {
            const auto r = test::http(
                servers[k]->port(), "PUT",
                "/api/sessions/" + std::to_string(m.session) + "/attendance/" + m.participant,
                R"({"status":")" + m.status + R"(","reason":"kill test"})", leader);
            m.acknowledged = r.status == 200;
            if (m.acknowledged && killed && k != 0) ++answered_after_kill;
          } catch (const std::exception&) {
            // The killed server's connections: not acknowledged, so either outcome is right.
          }
        }
      });
    }
    // A quarter of the way in, one machine goes down.
    while (next < marks.size() / 4) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    servers[0]->kill_now();
    killed = true;
    for (auto& c : clients) c.join();
    CHECK(answered_after_kill > 0);  // the others kept serving

    // Every acknowledged mark is in the database, read back through a surviving server.
    std::map<std::pair<int, std::string>, std::string> stored;
    std::set<int> read;
    for (const auto& m : marks) {
      if (!read.insert(m.session).second) continue;
      const auto roster = test::http(servers[2]->port(), "GET",
                                     "/api/sessions/" + std::to_string(m.session), "", leader)
                              .json();
      for (const auto& a : roster.find("attendance")->as_array()) {
        const auto* status = a.find("status");
        stored[{m.session, a.find("participant")->as_string()}] =
            status && status->is_string() ? status->as_string() : "";
      }
    }
    int acknowledged = 0;
    for (const auto& m : marks) {
      if (!m.acknowledged) continue;
      ++acknowledged;
      CAPTURE(m.session);
      CAPTURE(m.participant);
      CHECK(stored[{m.session, m.participant}] == m.status);
    }
    CHECK(acknowledged > static_cast<int>(marks.size()) / 2);
    servers.clear();
    auto db = storage::database::open(url);
    const auto audit = app::verify_audit(*db);
    CHECK_MESSAGE(audit.ok, audit.problem);
  }
}
