// The HTTP API against a real server on 127.0.0.1 (issue 8): a real SQLite file set up through
// the real CLI, the server started in-process on port 0 (and once as the real binary, to stop
// it with SIGTERM), Poco's HTTPClientSession as the client. ctest runs it twice: on SQLite
// files (integration/integration_server) and on PostgreSQL (postgres/integration_server, where
// BALINT_TEST_POSTGRES makes every database of the test a fresh PostgreSQL one; issue 13).
// The cases share one planned trial, built once per run, so each compares before and after.

#include "balint/server/server.hpp"

#include "cli_harness.hpp"
#include "cli_steps.hpp"
#include "http_client.hpp"
#include "scratch_database.hpp"

#include "balint/core/json.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <map>
#include <memory>
#include <set>
#include <spawn.h>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace balint;
using namespace balint::test::steps;
using balint::test::credentials;
using balint::test::http;
using balint::test::reply;
using balint::test::run_cli;
using balint::test::run_sql;
using balint::test::temp_dir;

namespace {

const std::string password = "correct horse battery";

/// The randomized demo trial with its programme planned, leaders L1 (odd sessions) and L2
/// (even sessions), and one user per role: coord, L1 (leader), ana, adm. Built once.
struct trial_fixture {
  testing::database_place place;  ///< SQLite files, or PostgreSQL under BALINT_TEST_POSTGRES
  std::string db;
  std::vector<std::string> session1;  ///< roster of intervention session 1
  std::vector<std::string> session2;

  trial_fixture() : db(place.fresh("trial")) {
    expect_exit(0, {"init", "--db", db, "--seed", "20161012"});
    expect_exit(0, {"participant", "import", "--db", db, "--csv", demo_participants()});
    expect_exit(0, {"outcome", "import", "--db", db, "--csv", demo_baseline()});
    expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
    plan_demo(db);
    const auto sessions = parse_json_output(expect_exit(
        0, {"schedule", "list", "--db", db, "--cohort", "intervention", "--format", "json"}));
    for (const auto& s : sessions.as_array()) {
      if (str(s, "kind") != "session") continue;
      std::vector<std::string> codes;
      for (const auto& c : s.find("participants")->as_array()) codes.push_back(c.as_string());
      if (s.find("number")->as_int() == 1) session1 = codes;
      if (s.find("number")->as_int() == 2) session2 = codes;
    }
    for (const auto& [name, role] :
         std::vector<std::pair<std::string, std::string>>{{"coord", "coordinator"},
                                                          {"L1", "leader"},
                                                          {"ana", "analyst"},
                                                          {"adm", "admin"},
                                                          {"locked-out", "analyst"}}) {
      const auto r =
          run_cli({"user", "add", "--db", db, "--name", name, "--role", role}, password + "\n");
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    }
  }
};

trial_fixture& fixture() {
  static trial_fixture f;
  return f;
}

/// A server on 127.0.0.1:0 for the scope of a test.
struct running_server {
  std::ostringstream log;
  std::unique_ptr<server::server> s;
  explicit running_server(const std::string& db, app::security_settings security = {}) {
    server::config c;
    c.db_path = db;
    c.port = 0;
    c.threads = 8;
    c.security = security;
    c.access_log = &log;
    s = std::make_unique<server::server>(c);
    s->start();
  }
  std::uint16_t port() const { return s->port(); }
};

credentials login(std::uint16_t port, const std::string& user) {
  const auto r = http(port, "POST", "/api/login",
                      R"({"user":")" + user + R"(","password":")" + password + "\"}");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  const auto cookie = r.set_cookie.substr(0, r.set_cookie.find(';'));
  return {cookie, r.json().find("csrf_token")->as_string()};
}

/// Rows that matter for "nothing was written": attendance marks and audit entries.
std::string written(const std::string& db) {
  return run_sql(db, "SELECT count(*) FROM attendance; SELECT count(*) FROM audit_entry;").out;
}

/// Every row a refused write could leave behind: participants (with their withdrawal),
/// questionnaires, allocations, attendance and audit entries.
std::string trial_rows(const std::string& db) {
  return run_sql(db,
                 "SELECT count(*) FROM participant; "
                 "SELECT count(*) FROM participant WHERE withdrawn_at IS NOT NULL; "
                 "SELECT count(*) FROM assessment; SELECT count(*) FROM item_response; "
                 "SELECT count(*) FROM allocation; SELECT count(*) FROM attendance; "
                 "SELECT count(*) FROM audit_entry;")
      .out;
}

/// n answers "v,v,...,v".
std::string items(const std::string& v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + v;
  return s;
}

std::string outcome(const std::string& participant, const std::string& instrument,
                    const std::string& answers) {
  return R"({"participant":")" + participant + R"(","timepoint":"pre","instrument":")" +
         instrument + R"(","items":")" + answers + "\"}";
}

const std::string new_participant =
    R"({"code":"T90","age":30,"gender":"F","consent":"yes","specialty":"psychiatry",)"
    R"("balint_knowledge":"1","balint_times":"1","available":["workday-evening"],)"
    R"("beyond_plan":true})";

std::string mark(const std::string& status, const std::string& reason = "") {
  return R"({"status":")" + status + "\"" +
         (reason.empty() ? "" : R"(,"reason":")" + reason + "\"") + "}";
}

}  // namespace

TEST_SUITE("server") {
  TEST_CASE("healthz answers anyone, with a strict Content-Security-Policy and an access log") {
    running_server s(fixture().db);
    const auto r = http(s.port(), "GET", "/healthz");
    CHECK(r.status == 200);
    CHECK(r.json().find("status")->as_string() == "ok");
    CHECK(contains(r.csp, "default-src 'none'"));
    CHECK(contains(r.csp, "frame-ancestors 'none'"));
    const auto missing = http(s.port(), "GET", "/api/nothing-here");
    CHECK(missing.status == 404);
    CHECK(missing.error_code() == "not_found");
    CHECK(contains(missing.csp, "default-src 'none'"));
    CHECK(http(s.port(), "DELETE", "/healthz").status == 405);
    s.s->stop();
    CHECK(contains(s.log.str(), R"("method":"GET","ms":)"));
    CHECK(contains(s.log.str(), R"("path":"/healthz","remote":"127.0.0.1","status":200)"));
  }

  TEST_CASE("the pages are served from the binary with a policy that allows only this server") {
    running_server s(fixture().db);
    const auto index = http(s.port(), "GET", "/");
    CHECK(index.status == 200);
    CHECK(contains(index.body, "<html"));
    CHECK(contains(index.csp, "script-src 'self'"));
    CHECK(contains(index.csp, "frame-ancestors 'none'"));
    CHECK_FALSE(contains(index.csp, "unsafe"));
    // Every page the roles use exists; none is reachable outside src/web.
    for (const char* page : {"/index.html", "/coordinator.html", "/leader.html", "/analyst.html",
                             "/admin.html", "/app.css", "/app.js"}) {
      CAPTURE(page);
      const auto r = http(s.port(), "GET", page);
      CHECK(r.status == 200);
      // The shared head and header (src/web/parts) are expanded when the pages are embedded.
      if (std::string_view(page).ends_with(".html")) {
        CHECK(contains(r.body, "<!DOCTYPE html>\n<html lang=\"en\">"));
        CHECK(contains(r.body, "<h1>"));
        CHECK_FALSE(contains(r.body, "#include"));
        CHECK_FALSE(contains(r.body, "{{"));
      }
    }
    for (const char* path : {"/no-such-page.html", "/../schemas/trial.schema.json",
                             "/%2e%2e/schemas/trial.schema.json", "/web/index.html"}) {
      CAPTURE(path);
      const auto r = http(s.port(), "GET", path);
      CHECK(r.status == 404);
      CHECK(r.error_code() == "not_found");
    }
  }

  TEST_CASE("a write without a body and without Content-Length is answered at once") {
    // curl -X POST without -d sends neither Content-Length nor a body; the server must not wait
    // for one until the client gives up.
    auto& f = fixture();
    running_server s(f.db);
    const auto coord = login(s.port(), "coord");
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", s.port()));
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    const std::string request =
        "POST /api/logout HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + coord.cookie +
        "\r\nX-CSRF-Token: " + coord.csrf + "\r\n\r\n";
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    const auto started = std::chrono::steady_clock::now();
    char buf[2048] = {};
    const int n = socket.receiveBytes(buf, sizeof buf - 1);  // throws after 5 s
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(std::string(buf, static_cast<std::size_t>(std::max(n, 0))).rfind("HTTP/1.1 200", 0) == 0);
    CHECK(waited < 4.0);
  }

  TEST_CASE("issue-15: reason phrases, 405 with Allow, HEAD where GET is, a bad target is 400") {
    running_server s(fixture().db);
    // The whole answer to one request sent as raw bytes (the server closes after it).
    const auto raw = [&](const std::string& head) {
      Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", s.port()));
      socket.setReceiveTimeout(Poco::Timespan(5, 0));
      const std::string request = head + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      socket.sendBytes(request.data(), static_cast<int>(request.size()));
      std::string answer;
      char buf[4096];
      for (int n; (n = socket.receiveBytes(buf, sizeof buf)) > 0;) {
        answer.append(buf, static_cast<std::size_t>(n));
      }
      return answer;
    };
    const auto missing = raw("GET /api/no-such-route HTTP/1.1");
    CHECK(missing.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
    const auto wrong = raw("DELETE /api/me HTTP/1.1");
    CHECK(wrong.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);
    CHECK(contains(wrong, "\r\nAllow: GET, HEAD\r\n"));
    const auto head = raw("HEAD /healthz HTTP/1.1");
    CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(head.substr(head.find("\r\n\r\n") + 4).empty());  // no body
    const auto bad = raw("GET /%zz HTTP/1.1");
    CHECK(bad.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(contains(bad, "\"field\":\"path\""));
  }

  TEST_CASE("login: a session cookie that scripts cannot read, bad passwords refused alike") {
    running_server s(fixture().db);
    const auto ok =
        http(s.port(), "POST", "/api/login", R"({"user":"coord","password":")" + password + "\"}");
    REQUIRE(ok.status == 200);
    CHECK(ok.json().find("role")->as_string() == "coordinator");
    CHECK(ok.json().find("csrf_token")->as_string().size() == 32);
    CHECK(contains(ok.set_cookie, "balint_session="));
    CHECK(contains(ok.set_cookie, "HttpOnly"));
    CHECK(contains(ok.set_cookie, "SameSite=Strict"));
    // The token is 128 bits in hex and the database keeps only its SHA-256.
    const auto token = ok.set_cookie.substr(15, ok.set_cookie.find(';') - 15);
    CHECK(token.size() == 32);
    CHECK(run_sql(fixture().db, "SELECT count(*) FROM web_session WHERE token_hash = '" + token +
                                    "' OR csrf_token = '" + token + "';")
              .out == "0\n");

    const auto wrong =
        http(s.port(), "POST", "/api/login", R"({"user":"coord","password":"nope"})");
    CHECK(wrong.status == 401);
    CHECK(wrong.error_code() == "unauthenticated");
    CHECK(wrong.set_cookie.empty());
    const auto unknown =
        http(s.port(), "POST", "/api/login", R"({"user":"nobody","password":"nope"})");
    CHECK(unknown.status == 401);
    CHECK(unknown.json().find("error")->find("message")->as_string() ==
          wrong.json().find("error")->find("message")->as_string());
    const auto no_password = http(s.port(), "POST", "/api/login", R"({"user":"coord"})");
    CHECK(no_password.status == 400);
    CHECK(no_password.error_field() == "password");
  }

  TEST_CASE("sign-in and sign-out are audited; behind TLS the cookie is Secure") {
    auto& f = fixture();
    server::config c;
    c.db_path = f.db;
    c.port = 0;
    c.threads = 4;
    c.secure_cookie = true;
    server::server s(c);
    s.start();
    const auto r =
        http(s.port(), "POST", "/api/login", R"({"user":"ana","password":")" + password + "\"}");
    REQUIRE(r.status == 200);
    CHECK(contains(r.set_cookie, "; Secure"));
    CHECK(contains(r.set_cookie, "HttpOnly"));
    const credentials ana{r.set_cookie.substr(0, r.set_cookie.find(';')),
                          r.json().find("csrf_token")->as_string()};
    CHECK(http(s.port(), "POST", "/api/logout", "", ana).status == 200);
    const auto log = audit_log(f.db);
    const auto& entries = log.as_array();
    REQUIRE(entries.size() >= 2);
    CHECK(str(entries[entries.size() - 2], "action") == "user.sign_in");
    CHECK(str(entries[entries.size() - 2], "actor") == "ana");
    CHECK(str(entries.back(), "action") == "user.sign_out");
    CHECK(str(entries.back(), "actor") == "ana");
  }

  TEST_CASE("login is refused after 5 failures within 15 minutes, even with the right password") {
    running_server s(fixture().db);
    for (int i = 0; i < 5; ++i) {
      CHECK(http(s.port(), "POST", "/api/login", R"({"user":"locked-out","password":"guess"})")
                .status == 401);
    }
    const auto r = http(s.port(), "POST", "/api/login",
                        R"({"user":"locked-out","password":")" + password + "\"}");
    CHECK(r.status == 429);
    CHECK(r.error_field() == "user");
    CHECK(r.set_cookie.empty());
    // Other users are not affected.
    login(s.port(), "ana");
  }

  TEST_CASE("issue-15: sign-in keeps no names no user can have, and forgets expired attempts") {
    auto& f = fixture();
    running_server s(f.db);
    const auto count = [&](const std::string& where) {
      return std::stoi(run_sql(f.db, "SELECT count(*) FROM login_attempt" + where + ";").out);
    };
    const int before = count("");
    core::json body;
    body["user"] = std::string(100000, 'x');
    body["password"] = "guess";
    const auto r = http(s.port(), "POST", "/api/login", body.dump());
    CHECK(r.status == 401);
    CHECK(r.error_field() == "password");
    CHECK(count("") == before);
    // An attempt older than the window is forgotten when the next one is recorded.
    run_sql(f.db,
            "INSERT INTO login_attempt (user_name, at, ok) "
            "VALUES ('old-guess', '2000-01-01T00:00:00.000Z', 0);");
    REQUIRE(count(" WHERE user_name = 'old-guess'") == 1);
    CHECK(http(s.port(), "POST", "/api/login", R"({"user":"nobody-here","password":"guess"})")
              .status == 401);
    CHECK(count(" WHERE user_name = 'old-guess'") == 0);
  }

  TEST_CASE("parallel guesses get no more than the 5 failures a window allows") {
    // Each sign-in hashes for a while before it records its failure; the count is taken again
    // under the write lock, so 12 guesses at once still check at most 5 passwords.
    auto& f = fixture();
    const auto r = run_cli({"user", "add", "--db", f.db, "--name", "guessed", "--role", "analyst"},
                           password + "\n");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    running_server s(f.db);
    std::atomic<int> checked{0}, limited{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 12; ++i) {
      threads.emplace_back([&] {
        const auto a = http(s.port(), "POST", "/api/login",
                            R"({"user":"guessed","password":"a wrong guess"})");
        if (a.status == 401) ++checked;
        if (a.status == 429) ++limited;
      });
    }
    for (auto& t : threads) t.join();
    CHECK(checked + limited == 12);
    CHECK(checked <= 5);
    CHECK(
        http(s.port(), "POST", "/api/login", R"({"user":"guessed","password":")" + password + "\"}")
            .status == 429);
  }

  TEST_CASE("role x route matrix: anonymous 401, wrong role 403, right role 2xx") {
    auto& f = fixture();
    REQUIRE(f.session1.size() >= 1);
    running_server s(f.db);
    std::map<std::string, credentials> as;
    for (const char* u : {"coord", "L1", "ana", "adm"}) as[u] = login(s.port(), u);
    as["anonymous"] = {};
    struct probe {
      std::string method, path, body;
      std::set<std::string> allowed;
      int ok;  ///< the allowed role's answer
    };
    const std::string put = "/api/sessions/1/attendance/" + f.session1.front();
    const std::vector<probe> probes = {
        {"GET", "/api/me", "", {"coord", "L1", "ana", "adm"}, 200},
        {"GET", "/api/trial", "", {"coord", "L1", "ana", "adm"}, 200},
        {"GET", "/api/participants", "", {"coord", "ana"}, 200},
        {"POST",
         "/api/participants/import",
         R"({"csv":"code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n)"
         R"(T91,27,M,surgery,yes,1,1,weekend\n","beyond_plan":true})",
         {"coord"},
         201},
        // A coordinator enrols T90, records the baseline, randomizes and withdraws T90.
        {"POST", "/api/participants", new_participant, {"coord"}, 201},
        {"POST", "/api/outcomes", outcome("T90", "mbi-hss", items("3", 22)), {"coord"}, 201},
        {"POST", "/api/outcomes", outcome("T90", "msq", items("4", 20)), {"coord"}, 201},
        // The fixture used up all 36 allocation positions: the coordinator is let through and
        // told so (409); a successful randomization has its own test below.
        {"POST", "/api/participants/T90/randomize", "", {"coord"}, 409},
        {"POST", "/api/participants/T90/withdraw", R"({"reason":"moved away"})", {"coord"}, 200},
        {"PUT", put, mark("present"), {"L1"}, 200},
        {"GET", "/api/attendance/progress", "", {"coord", "L1", "ana"}, 200},
        {"GET", "/api/sessions", "", {"coord", "L1", "ana"}, 200},
        {"GET", "/api/sessions/1", "", {"coord", "L1", "ana"}, 200},
        {"POST", "/api/sessions/plan", R"({"cohort":"waitlist"})", {"coord"}, 409},
        {"GET", "/api/analysis", "", {"coord", "ana"}, 200},
        {"GET", "/api/export.csv", "", {"coord", "ana"}, 200},
        {"GET", "/api/audit/verify", "", {"adm"}, 200},
        {"GET", "/api/users", "", {"adm"}, 200},
        {"POST",
         "/api/users",
         R"({"name":"new-analyst","role":"analyst","password":"a long enough password"})",
         {"adm"},
         201},
        {"POST", "/api/users/new-analyst/disable", "", {"adm"}, 200},
        {"GET", "/api/reproduction/report.html", "", {"coord", "ana"}, 200},
    };
    for (const auto& p : probes) {
      for (const auto& [who, cred] : as) {
        CAPTURE(p.method);
        CAPTURE(p.path);
        CAPTURE(who);
        const auto r = http(s.port(), p.method, p.path, p.body, cred);
        const int expected = who == "anonymous" ? 401 : p.allowed.count(who) ? p.ok : 403;
        CHECK_MESSAGE(r.status == expected, r.body);
        if (expected == 401 || expected == 403 || expected == 409)
          CHECK(r.error_code() == (expected == 401   ? "unauthenticated"
                                   : expected == 403 ? "forbidden"
                                                     : "precondition_failed"));
      }
    }
    // What the allowed answers hold.
    const auto participants = http(s.port(), "GET", "/api/participants", "", as["coord"]);
    CHECK(participants.json().as_array().size() == 38);
    const auto participant_list = participants.json();
    for (const auto& p : participant_list.as_array()) {
      // The allocation shows once it is made and never before; the baseline says what it lacks.
      const bool randomized = run_sql(f.db,
                                      "SELECT count(*) FROM allocation a JOIN participant "
                                      "p ON p.id = a.participant_id WHERE p.code = '" +
                                          str(p, "code") + "';")
                                  .out == "1\n";
      CHECK(p.find("allocation")->is_null() == !randomized);
      if (str(p, "code") == "T91") {
        CHECK_FALSE(p.find("baseline")->find("complete")->as_bool());
        CHECK(p.find("baseline")->find("missing")->as_array().size() == 2);
      }
    }
    const auto users = http(s.port(), "GET", "/api/users", "", as["adm"]).json();
    bool disabled = false;
    for (const auto& u : users.as_array()) {
      if (str(u, "name") == "new-analyst") disabled = !u.find("disabled_at")->is_null();
    }
    CHECK(disabled);
    const auto self = http(s.port(), "POST", "/api/users/adm/disable", "", as["adm"]);
    CHECK(self.status == 409);
    CHECK(self.error_field() == "name");
    CHECK(http(s.port(), "GET", "/api/me", "", as["L1"]).json().find("role")->as_string() ==
          "leader");
    const auto verify = http(s.port(), "GET", "/api/audit/verify", "", as["adm"]).json();
    CHECK(verify.find("ok")->as_bool());
    // Every write was audited with the user's name.
    std::set<std::string> actors;
    const auto log = audit_log(f.db);
    for (const auto& e : log.as_array()) actors.insert(str(e, "actor"));
    CHECK(actors.count("L1") == 1);
    CHECK(actors.count("coord") == 1);
    CHECK(run_sql(f.db, "SELECT withdrawal_reason FROM participant WHERE code = 'T90';").out ==
          "moved away\n");
    // A leader sees the sessions they lead (L1: the odd ones), their rosters and progress only.
    const auto sessions = http(s.port(), "GET", "/api/sessions", "", as["L1"]).json();
    CHECK(sessions.as_array().size() == 10);
    std::set<std::string> theirs;
    for (const auto& v : sessions.as_array()) {
      CHECK(v.find("number")->as_int() % 2 == 1);
      for (const auto& c : v.find("participants")->as_array()) theirs.insert(c.as_string());
    }
    CHECK(http(s.port(), "GET", "/api/sessions/2", "", as["L1"]).status == 403);
    const auto roster = http(s.port(), "GET", "/api/sessions/1", "", as["L1"]).json();
    CHECK(roster.find("attendance")->as_array().size() == f.session1.size());
    for (const auto& m : roster.find("attendance")->as_array()) {
      if (str(m, "participant") == f.session1.front()) CHECK(str(m, "status") == "present");
    }
    const auto progress = http(s.port(), "GET", "/api/attendance/progress", "", as["L1"]).json();
    for (const auto& p : progress.as_array()) {
      CHECK(theirs.count(str(p, "participant")) == 1);
    }
    const auto all_sessions = http(s.port(), "GET", "/api/sessions", "", as["coord"]).json();
    CHECK(all_sessions.as_array().size() > 20);  // the coordinator sees lectures and sessions
    const auto report = http(s.port(), "GET", "/api/reproduction/report.html", "", as["ana"]);
    CHECK(report.body.find("CONSORT") != std::string::npos);
    CHECK(report.csp.find("script-src") == std::string::npos);  // the report runs no script
    const auto analysis = http(s.port(), "GET", "/api/analysis", "", as["ana"]);
    CHECK(analysis.json().is_object());
    const auto csv = http(s.port(), "GET", "/api/export.csv", "", as["ana"]);
    CHECK(csv.body.rfind("id,arm,age,gender,", 0) == 0);
  }

  TEST_CASE("a coordinator randomizes over the API and sees the arm only then") {
    testing::database_place place;
    const auto db = demo_db_at(place.fresh("randomize"));
    const auto r = run_cli({"user", "add", "--db", db, "--name", "coord", "--role", "coordinator"},
                           password + "\n");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    running_server s(db);
    const auto coord = login(s.port(), "coord");
    const auto before = trial_rows(db);
    const auto a = http(s.port(), "POST", "/api/participants/T01/randomize", "", coord);
    REQUIRE_MESSAGE(a.status == 200, a.body);
    const auto arm = a.json().find("arm")->as_string();
    CHECK((arm == "intervention" || arm == "waitlist"));
    CHECK(trial_rows(db) != before);
    CHECK(run_sql(db,
                  "SELECT a.arm FROM allocation a JOIN participant p ON p.id = "
                  "a.participant_id WHERE p.code = 'T01';")
              .out == arm + "\n");
    const auto again = trial_rows(db);
    CHECK(http(s.port(), "POST", "/api/participants/T01/randomize", "", coord).status == 409);
    CHECK(trial_rows(db) == again);
  }

  TEST_CASE("a refused participant write leaves nothing written") {
    auto& f = fixture();
    running_server s(f.db);
    const auto coord = login(s.port(), "coord");
    const auto before = trial_rows(f.db);
    // Enrolment: out-of-range age (400), a code already enrolled (409), no CSRF token (403).
    std::string young = new_participant;
    young.replace(young.find("\"T90\""), 5, "\"T91\"");
    young.replace(young.find("30"), 2, "17");
    const auto r1 = http(s.port(), "POST", "/api/participants", young, coord);
    CHECK(r1.status == 400);
    CHECK(r1.error_field() == "age");
    std::string twice = new_participant;
    twice.replace(twice.find("\"T90\""), 5, "\"T01\"");
    const auto r2 = http(s.port(), "POST", "/api/participants", twice, coord);
    CHECK(r2.status == 409);
    CHECK(r2.error_code() == "conflict");
    CHECK(http(s.port(), "POST", "/api/participants", young, coord, false).status == 403);
    CHECK(trial_rows(f.db) == before);
  }

  TEST_CASE("a refused withdrawal leaves nothing written") {
    auto& f = fixture();
    running_server s(f.db);
    const auto coord = login(s.port(), "coord");
    const auto before = trial_rows(f.db);
    const auto unknown = http(s.port(), "POST", "/api/participants/ZZ99/withdraw",
                              R"({"reason":"moved away"})", coord);
    CHECK(unknown.status == 404);
    CHECK(unknown.error_code() == "not_found");
    const auto no_reason = http(s.port(), "POST", "/api/participants/T02/withdraw", "{}", coord);
    CHECK(no_reason.status == 400);
    CHECK(no_reason.error_field() == "reason");
    CHECK(trial_rows(f.db) == before);
  }

  TEST_CASE("a refused randomization leaves nothing written and shows no arm") {
    auto& f = fixture();
    running_server s(f.db);
    const auto coord = login(s.port(), "coord");
    const auto before = trial_rows(f.db);
    const auto again = http(s.port(), "POST", "/api/participants/T01/randomize", "", coord);
    CHECK(again.status == 409);
    CHECK(again.json().find("arm") == nullptr);
    CHECK(http(s.port(), "POST", "/api/participants/ZZ99/randomize", "", coord).status == 404);
    CHECK(trial_rows(f.db) == before);
  }

  TEST_CASE("a refused outcome leaves nothing written") {
    auto& f = fixture();
    running_server s(f.db);
    const auto coord = login(s.port(), "coord");
    const auto before = trial_rows(f.db);
    const auto bad = http(s.port(), "POST", "/api/outcomes",
                          outcome("T02", "mbi-hss", "9," + items("1", 21)), coord);
    CHECK(bad.status == 400);
    CHECK(contains(bad.body, "9"));
    const auto nobody =
        http(s.port(), "POST", "/api/outcomes", outcome("ZZ99", "mbi-hss", items("1", 22)), coord);
    CHECK(nobody.status == 404);
    const auto no_items =
        http(s.port(), "POST", "/api/outcomes",
             R"({"participant":"T02","timepoint":"pre","instrument":"msq"})", coord);
    CHECK(no_items.status == 400);
    CHECK(no_items.error_field() == "items");
    CHECK(trial_rows(f.db) == before);
  }

  TEST_CASE("a leader logs attendance only for the sessions they lead") {
    auto& f = fixture();
    REQUIRE(f.session2.size() >= 1);
    running_server s(f.db);
    const auto l1 = login(s.port(), "L1");
    const auto before = written(f.db);
    const auto r = http(s.port(), "PUT", "/api/sessions/2/attendance/" + f.session2.front(),
                        mark("present"), l1);
    CHECK(r.status == 403);
    CHECK(r.error_field() == "session");
    CHECK(http(s.port(), "PUT", "/api/sessions/99/attendance/" + f.session2.front(),
               mark("present"), l1)
              .status == 404);
    CHECK(written(f.db) == before);
  }

  TEST_CASE("issue-15: a leader marks only their roster, and trying codes reveals nothing") {
    auto& f = fixture();
    const auto people = parse_json_output(
        expect_exit(0, {"participant", "list", "--db", f.db, "--format", "json"}));
    std::string waitlist;
    std::string off_roster;  // in the intervention arm, not on session 1's roster
    for (const auto& p : people.as_array()) {
      const auto* allocation = p.find("allocation");
      if (allocation == nullptr || !allocation->is_object()) continue;
      const std::string code = str(p, "code");
      if (str(*allocation, "arm") == "waitlist" && waitlist.empty()) waitlist = code;
      if (str(*allocation, "arm") == "intervention" && off_roster.empty() &&
          std::find(f.session1.begin(), f.session1.end(), code) == f.session1.end()) {
        off_roster = code;
      }
    }
    REQUIRE_FALSE(waitlist.empty());
    REQUIRE_FALSE(off_roster.empty());
    running_server s(f.db);
    const auto l1 = login(s.port(), "L1");
    const auto before = written(f.db);
    std::set<std::string> answers;
    for (const auto& code : {waitlist, off_roster, std::string("ZZ99")}) {
      CAPTURE(code);
      const auto r =
          http(s.port(), "PUT", "/api/sessions/1/attendance/" + code, mark("present"), l1);
      CHECK(r.status == 403);
      CHECK(r.error_field() == "participant");
      std::string message = str(*r.json().find("error"), "message");
      const auto at = message.find("\"" + code + "\"");
      REQUIRE(at != std::string::npos);
      answers.insert(message.replace(at, code.size() + 2, "CODE"));
    }
    CHECK(answers.size() == 1);  // one answer, whatever the code is
    CHECK(written(f.db) == before);
  }

  TEST_CASE("a write without the CSRF token is refused and writes nothing") {
    auto& f = fixture();
    running_server s(f.db);
    const auto l1 = login(s.port(), "L1");
    const std::string put = "/api/sessions/1/attendance/" + f.session1.back();
    const auto before = written(f.db);
    const auto missing = http(s.port(), "PUT", put, mark("absent"), l1, false);
    CHECK(missing.status == 403);
    CHECK(missing.error_field() == "X-CSRF-Token");
    credentials forged = l1;
    forged.csrf = std::string(32, 'a');
    CHECK(http(s.port(), "PUT", put, mark("absent"), forged).status == 403);
    CHECK(written(f.db) == before);
    CHECK(http(s.port(), "PUT", put, mark("absent"), l1).status == 200);
    CHECK(written(f.db) != before);
  }

  TEST_CASE("no write route accepts a request without the CSRF token") {
    auto& f = fixture();
    running_server s(f.db);
    const auto coord = login(s.port(), "coord");
    const auto l1 = login(s.port(), "L1");
    const auto adm = login(s.port(), "adm");
    struct write {
      std::string method, path, body;
      const credentials* who;
    };
    const std::vector<write> writes = {
        {"POST", "/api/participants", new_participant, &coord},
        {"POST", "/api/participants/import", R"({"csv":"code,age\n"})", &coord},
        {"POST", "/api/participants/T01/withdraw", R"({"reason":"r"})", &coord},
        {"POST", "/api/participants/T01/randomize", "", &coord},
        {"POST", "/api/outcomes", outcome("T01", "msq", items("4", 20)), &coord},
        {"POST", "/api/sessions/plan", R"({"cohort":"waitlist"})", &coord},
        {"PUT", "/api/sessions/1/attendance/" + f.session1.front(), mark("absent", "r"), &l1},
        {"POST", "/api/users", R"({"name":"x","role":"analyst","password":"long enough pw"})",
         &adm},
        {"POST", "/api/users/ana/disable", "", &adm},
        {"POST", "/api/logout", "", &coord},
    };
    const auto before = trial_rows(f.db) + run_sql(f.db,
                                                   "SELECT count(*) FROM \"user\"; SELECT "
                                                   "count(*) FROM web_session;")
                                               .out;
    for (const auto& w : writes) {
      CAPTURE(w.path);
      const auto r = http(s.port(), w.method, w.path, w.body, *w.who, false);
      CHECK(r.status == 403);
      CHECK(r.error_field() == "X-CSRF-Token");
    }
    CHECK(trial_rows(f.db) + run_sql(f.db,
                                     "SELECT count(*) FROM \"user\"; SELECT count(*) FROM "
                                     "web_session;")
                                 .out ==
          before);
  }

  TEST_CASE("writes committed together: a refused one is rolled back alone") {
    // Many marks at once go through the group commit; the refused ones (an unknown status, a
    // participant not on the roster) must leave nothing, the accepted ones must all be kept.
    auto& f = fixture();
    running_server s(f.db);
    const auto l1 = login(s.port(), "L1");
    const auto before = audit_count(f.db);
    std::atomic<int> accepted{0}, refused{0};
    std::vector<std::thread> threads;
    const auto& roster = f.session1;  // the same group attends session 3
    for (std::size_t i = 0; i < roster.size() + 8; ++i) {
      threads.emplace_back([&, i] {
        const bool valid = i < roster.size();
        const std::string code = valid ? roster[i] : i % 2 ? "T99" : roster[i % roster.size()];
        const auto r = http(s.port(), "PUT", "/api/sessions/3/attendance/" + code,
                            valid ? mark("excused", "batch test") : mark("late"), l1);
        if (valid && r.status == 200) ++accepted;
        // "late" is not a mark (400); T99 is on no roster, so a leader gets 403 (issue 15).
        if (!valid && (r.status == 400 || r.status == 403)) ++refused;
      });
    }
    for (auto& t : threads) t.join();
    CHECK(accepted == static_cast<int>(roster.size()));
    CHECK(refused == 8);
    CHECK(audit_count(f.db) == before + static_cast<std::size_t>(accepted.load()));
    expect_exit(0, {"audit", "verify", "--db", f.db});
  }

  TEST_CASE("bad JSON is 400 and an oversize body 413, nothing written") {
    auto& f = fixture();
    running_server s(f.db);
    const auto l1 = login(s.port(), "L1");
    const std::string put = "/api/sessions/1/attendance/" + f.session1.front();
    const auto before = written(f.db);
    const auto bad = http(s.port(), "PUT", put, R"({"status": "present",)", l1);
    CHECK(bad.status == 400);
    CHECK(bad.error_field() == "body");
    const auto no_status = http(s.port(), "PUT", put, R"({"state":"present"})", l1);
    CHECK(no_status.status == 400);
    CHECK(no_status.error_field() == "status");
    const auto bad_status = http(s.port(), "PUT", put, mark("asleep"), l1);
    CHECK(bad_status.status == 400);
    const std::string huge =
        R"({"status":"present","reason":")" + std::string(1024 * 1024, 'x') + "\"}";
    const auto big = http(s.port(), "PUT", put, huge, l1);
    CHECK(big.status == 413);
    CHECK(big.error_code() == "too_large");
    CHECK(written(f.db) == before);
  }

  TEST_CASE("a session expires after the idle timeout; logout ends it at once") {
    auto& f = fixture();
    app::security_settings quick;
    // The session's clock starts when sign-in began, before its password hash (a second or
    // more under the sanitizers): 3 s leave room for that, 4.5 s of quiet are past them.
    quick.idle_timeout_seconds = 3;
    running_server s(f.db, quick);
    const auto ana = login(s.port(), "ana");
    CHECK(http(s.port(), "GET", "/api/attendance/progress", "", ana).status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    const auto expired = http(s.port(), "GET", "/api/attendance/progress", "", ana);
    CHECK(expired.status == 401);
    CHECK(contains(expired.body, "expired"));
    s.s->stop();

    // Logout, on a server with the usual timeout (a busy machine may take a second to answer).
    running_server usual(f.db);
    const auto coord = login(usual.port(), "coord");
    CHECK(http(usual.port(), "POST", "/api/logout", "", coord, false).status == 403);
    const auto out = http(usual.port(), "POST", "/api/logout", "", coord);
    CHECK(out.status == 200);
    CHECK(contains(out.set_cookie, "Max-Age=0"));
    CHECK(http(usual.port(), "GET", "/api/participants", "", coord).status == 401);
  }

  TEST_CASE("concurrent attendance writes are all kept, none twice") {
    auto& f = fixture();
    running_server s(f.db);
    const auto l1 = login(s.port(), "L1");
    const auto& roster = f.session1;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < roster.size(); ++i) {
      threads.emplace_back([&, i] {
        const auto r = http(s.port(), "PUT", "/api/sessions/1/attendance/" + roster[i],
                            mark("excused", "concurrency test"), l1);
        if (r.status == 200) ++ok;
      });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == static_cast<int>(roster.size()));
    CHECK(run_sql(f.db,
                  "SELECT count(*) FROM attendance a JOIN session_slot s ON s.id = a.slot_id "
                  "WHERE s.cohort = 'intervention' AND s.kind = 'session' AND s.number = 1 "
                  "AND a.status = 'excused';")
              .out == std::to_string(roster.size()) + "\n");
    expect_exit(0, {"audit", "verify", "--db", f.db});
  }

  TEST_CASE("a write the database refuses fails its own request only, also in a batch") {
    // A trigger (standing in for a constraint the checks missed) refuses one participant's
    // marks. Sent at once, the marks of a session are logged in batches; the refused one must
    // not take its neighbours down (PostgreSQL reports it only at COMMIT: the server then runs
    // each request of the batch again, alone).
    auto& f = fixture();
    const auto& roster = f.session1;
    REQUIRE(roster.size() >= 3);
    const std::string culprit = roster[1];
    const std::string check = "(SELECT id FROM participant WHERE code = '" + culprit + "')";
    const bool postgres = f.place.postgres();
    const auto made = run_sql(
        f.db, postgres ? "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ "
                         "BEGIN IF NEW.participant_id = " +
                             check +
                             " THEN RAISE EXCEPTION 'refused by the test'; END IF; "
                             "RETURN NEW; END $$; "
                             "CREATE TRIGGER refuse_one BEFORE INSERT OR UPDATE ON attendance "
                             "FOR EACH ROW EXECUTE FUNCTION refuse_one();"
                       : "CREATE TRIGGER refuse_insert BEFORE INSERT ON attendance WHEN "
                         "NEW.participant_id = " +
                             check +
                             " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END; "
                             "CREATE TRIGGER refuse_update BEFORE UPDATE ON attendance WHEN "
                             "NEW.participant_id = " +
                             check + " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
    REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    std::size_t audited = 0;
    {
      running_server s(f.db);
      const auto l1 = login(s.port(), "L1");
      audited = audit_count(f.db);  // after the sign-in's own entry
      std::vector<int> status(roster.size(), 0);
      std::vector<std::thread> threads;
      for (std::size_t i = 0; i < roster.size(); ++i) {
        threads.emplace_back([&, i] {
          status[i] = http(s.port(), "PUT", "/api/sessions/3/attendance/" + roster[i],
                           mark("absent", "refusal test"), l1)
                          .status;
        });
      }
      for (auto& t : threads) t.join();
      for (std::size_t i = 0; i < roster.size(); ++i) {
        CAPTURE(roster[i]);
        CHECK(status[i] == (roster[i] == culprit ? 500 : 200));
      }
    }
    CHECK(run_sql(f.db,
                  "SELECT p.code FROM attendance a JOIN session_slot s ON s.id = a.slot_id JOIN "
                  "participant p ON p.id = a.participant_id WHERE s.cohort = 'intervention' "
                  "AND s.kind = 'session' AND s.number = 3 AND a.reason = 'refusal test' AND "
                  "p.code = '" +
                      culprit + "';")
              .out == "");
    CHECK(audit_count(f.db) == audited + roster.size() - 1);
    const auto dropped = run_sql(f.db, postgres ? "DROP TRIGGER refuse_one ON attendance; "
                                                  "DROP FUNCTION refuse_one();"
                                                : "DROP TRIGGER refuse_insert; "
                                                  "DROP TRIGGER refuse_update;");
    REQUIRE_MESSAGE(dropped.exit_code == 0, dropped.err);
    expect_exit(0, {"audit", "verify", "--db", f.db});
  }

  TEST_CASE("stop lets a request in flight finish") {
    running_server s(fixture().db);
    reply r;
    // A sign-in spends ~0.3 s in PBKDF2: stop while it runs.
    std::thread t([&] {
      r = http(s.port(), "POST", "/api/login", R"({"user":"ana","password":")" + password + "\"}");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s.s->stop();
    t.join();
    CHECK(r.status == 200);
  }

  TEST_CASE("serve --port 0 prints its port and stops cleanly on SIGTERM") {
    const std::string db = fixture().db;
    int out_pipe[2];
    REQUIRE(pipe(out_pipe) == 0);
    temp_dir dir;
    const std::string err_file = dir.file("stderr.txt");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
    std::vector<std::string> args = {BALINT_BINARY, "serve", "--db", db, "--port", "0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, BALINT_BINARY, &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    std::string line;
    char c = 0;
    while (read(out_pipe[0], &c, 1) == 1 && c != '\n') line += c;
    close(out_pipe[0]);
    REQUIRE_MESSAGE(contains(line, "listening on http://127.0.0.1:"), line);
    const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
    CHECK(http(port, "GET", "/healthz").status == 200);
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const auto err = balint::test::read_file(err_file);
    CHECK(contains(err, "SIGTERM"));
    CHECK(contains(err, "stopped"));
    CHECK(contains(err, R"("path":"/healthz")"));
  }

  TEST_CASE("issue-12: every view gives the same JSON from the command line and from the API") {
    auto& f = fixture();
    running_server s(f.db);
    struct pair {
      std::vector<std::string> cli;
      std::string path;
      std::string user;
    };
    const std::vector<pair> pairs = {
        {{"participant", "list", "--db", f.db, "--format", "json"}, "/api/participants", "coord"},
        {{"schedule", "list", "--db", f.db, "--format", "json"}, "/api/sessions", "coord"},
        {{"attendance", "progress", "--db", f.db, "--format", "json"},
         "/api/attendance/progress",
         "coord"},
        {{"user", "list", "--db", f.db, "--format", "json"}, "/api/users", "adm"},
        {{"analyze", "--db", f.db, "--format", "json"}, "/api/analysis", "ana"},
    };
    for (const auto& p : pairs) {
      CAPTURE(p.path);
      const auto from_cli = parse_json_output(expect_exit(0, p.cli));
      const auto answer = http(s.port(), "GET", p.path, "", login(s.port(), p.user));
      REQUIRE(answer.status == 200);
      const auto from_api = answer.json();
      CHECK_FALSE(from_api.dump() == "[]");  // something to compare
      CHECK(from_cli.dump() == from_api.dump());
    }
  }
}
