// Survey links (issue 14, part 3) end to end on real parts: links issued by the real CLI into
// a SQLite file, a real server on 127.0.0.1 answering the participant's page and API, and the
// results read back through the CLI (outcome list, audit log) and with sqlite3 (psql when ctest
// runs it on PostgreSQL, label `postgres`).

#include "cli_harness.hpp"
#include "cli_steps.hpp"
#include "http_client.hpp"
#include "scratch_database.hpp"

#include "balint/core/json.hpp"
#include "balint/server/server.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace balint;
using namespace balint::test::steps;
using balint::test::http;
using balint::test::reply;
using balint::test::run_sql;

namespace {

/// A trial with the 36 demo participants enrolled and nothing answered yet: a SQLite file, or a
/// PostgreSQL database under BALINT_TEST_POSTGRES (ctest label `postgres`); the links' files go
/// to the place's folder.
struct survey_fixture {
  testing::database_place place;
  std::string db = place.fresh("trial");
  survey_fixture() {
    expect_exit(0, {"init", "--db", db, "--seed", "20161012"});
    expect_exit(0, {"participant", "import", "--db", db, "--csv", demo_participants()});
  }
  std::string file(const std::string& name) const { return (place.dir() / name).string(); }
};

survey_fixture& fixture() {
  static survey_fixture f;
  return f;
}

struct running_server {
  std::ostringstream log;
  std::unique_ptr<server::server> s;
  explicit running_server(const std::string& db, int misses_per_minute = 100000,
                          int requests_per_minute = 100000) {
    server::config c;
    c.db_path = db;
    c.port = 0;
    c.threads = 4;
    c.access_log = &log;
    c.survey_misses_per_minute = misses_per_minute;
    c.survey_requests_per_minute = requests_per_minute;
    s = std::make_unique<server::server>(c);
    s->start();
  }
  std::uint16_t port() const { return s->port(); }
};

/// participant code -> token, from the links' CSV.
std::map<std::string, std::string> tokens_of(const std::string& csv_path) {
  std::map<std::string, std::string> out;
  const auto rows = test::parse_csv(test::read_file(csv_path));
  REQUIRE(rows.size() >= 2);
  CHECK(rows[0] == std::vector<std::string>{"participant", "url", "expires"});
  for (std::size_t k = 1; k < rows.size(); ++k) {
    const auto& url = rows[k][1];
    const auto at = url.rfind("/s/");
    REQUIRE(at != std::string::npos);
    out[rows[k][0]] = url.substr(at + 3);
  }
  return out;
}

/// Every row a survey request could write: links (with state and saved answers),
/// questionnaires, item answers and the audit trail.
std::string written(const std::string& db) {
  return run_sql(db,
                 "SELECT id, state, answers, saved_at, submitted_at FROM survey_link ORDER BY id; "
                 "SELECT count(*) FROM assessment; SELECT count(*) FROM item_response; "
                 "SELECT count(*), max(seq) FROM audit_entry; SELECT count(*) FROM participant;")
      .out;
}

/// A refused command: exit 2, stderr names each of `mentions`, and nothing of the trial's rows
/// changed (compared by `written`, which reads a SQLite file and a PostgreSQL database alike).
void refused(const std::string& db, const std::vector<std::string>& args,
             const std::vector<std::string>& mentions) {
  const auto before = written(db);
  const auto r = test::run_cli(args);
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  INFO("balint-trial" << cmd << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
  CHECK(r.exit_code == 2);
  for (const auto& m : mentions) {
    INFO("stderr should mention: " << m);
    CHECK(contains(r.err, m));
  }
  CHECK_MESSAGE(written(db) == before, "the refused command changed the database");
}

std::string list_json(const std::vector<std::string>& values) {
  std::string s = "[";
  for (std::size_t k = 0; k < values.size(); ++k) s += (k ? "," : "") + values[k];
  return s + "]";
}

/// n answers of `v` as a JSON list, with `at` (1-based) set to `other` when given.
std::string answers(int n, const std::string& v, int at = 0, const std::string& other = "") {
  std::vector<std::string> a(static_cast<std::size_t>(n), v);
  if (at > 0) a[static_cast<std::size_t>(at - 1)] = other;
  return list_json(a);
}

const std::string mbi_answers = "[0,1,2,3,4,5,6,0,1,2,3,4,5,6,0,1,2,3,4,5,6,1]";  // 22 items, 0-6
const std::string msq_answers = "[1,2,3,4,5,1,2,3,4,5,1,2,3,4,5,1,2,3,4,5]";      // 20 items, 1-5

std::string body_of(const std::string& mbi, const std::string& msq) {
  return R"({"answers":{"mbi-hss":)" + mbi + R"(,"msq":)" + msq + "}}";
}

core::json outcome_of(const std::string& db, const std::string& code,
                      const std::string& instrument) {
  const auto list = parse_json_output(
      expect_exit(0, {"outcome", "list", "--db", db, "--participant", code, "--format", "json"}));
  for (const auto& o : list.as_array()) {
    if (str(o, "instrument") == instrument && str(o, "timepoint") == "pre") return o;
  }
  FAIL("no " << instrument << " answers of " << code);
  return {};
}

}  // namespace

TEST_SUITE("survey") {
  TEST_CASE("issue-14: survey links refuse bad input by name and write nothing") {
    auto& f = fixture();
    const std::string out = f.file("refused");
    refused(f.db, {"survey", "links", "--db", f.db, "--timepoint", "during", "--out", out},
            {"--timepoint", "during", "pre"});
    refused(f.db,
            {"survey", "links", "--db", f.db, "--timepoint", "pre", "--expires-days", "0", "--out",
             out},
            {"--expires-days", "0", "1 to 365"});
    refused(f.db,
            {"survey", "links", "--db", f.db, "--timepoint", "post", "--instrument", "satisfaction",
             "--out", out},
            {"--instrument", "satisfaction", "some arms only", "mbi-hss"});
    refused(f.db,
            {"survey", "links", "--db", f.db, "--timepoint", "pre", "--participant", "NOPE",
             "--out", out},
            {"--participant", "NOPE"});
    refused(f.db,
            {"survey", "links", "--db", f.db, "--timepoint", "pre", "--base-url",
             "javascript:alert(1)", "--out", out},
            {"--base-url", "javascript:alert(1)", "https://"});
    refused(f.db,
            {"survey", "links", "--db", f.db, "--timepoint", "pre", "--out",
             f.file("no-such-folder/links")},
            {"--out", "no-such-folder"});
    CHECK_FALSE(test::file_exists(out + ".csv"));
    CHECK_FALSE(test::file_exists(out + ".html"));
    const auto help = expect_exit(0, {"survey", "links", "--help"});
    CHECK(contains(help.out, "--expires-days"));
    CHECK(contains(help.out, "--base-url"));
  }

  TEST_CASE("issue-14: survey links writes a CSV and a printable sheet with QR codes, mode 0600") {
    auto& f = fixture();
    const auto audit_before = audit_count(f.db);
    const std::string out = f.file("links");
    const auto r = expect_exit(0, {"survey", "links", "--db", f.db, "--timepoint", "pre",
                                   "--base-url", "https://trial.example.org/", "--out", out});
    CHECK(contains(r.out, "Issued 36 survey links for pre"));
    CHECK(contains(r.out, "0600"));
    for (const char* ext : {".csv", ".html"}) {
      struct stat st {};
      REQUIRE(::stat((out + ext).c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }
    const auto tokens = tokens_of(out + ".csv");
    CHECK(tokens.size() == 36);
    const auto csv = test::read_file(out + ".csv");
    CHECK(contains(csv, "T01,https://trial.example.org/s/" + tokens.at("T01") + ","));
    const auto html = test::read_file(out + ".html");
    std::size_t svgs = 0;
    for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
      ++svgs;
    }
    CHECK(svgs == 36);
    CHECK(contains(html, tokens.at("T36")));
    // One audit entry for the whole issue, without a token or its hash in it.
    CHECK(audit_count(f.db) == audit_before + 1);
    const auto log = audit_log(f.db);
    const auto& last = log.as_array().back();
    CHECK(str(last, "action") == "survey.issue");
    const std::string entry = last.dump();
    for (const auto& [code, token] : tokens) CHECK_FALSE(contains(entry, token));
    // Only hashes are stored.
    CHECK(run_sql(f.db,
                  "SELECT count(*) FROM survey_link WHERE token_hash = '" + tokens.at("T01") + "'")
              .out == "0\n");
    // A second run issues nobody a new link: they all hold an open one.
    refused(f.db, {"survey", "links", "--db", f.db, "--timepoint", "pre", "--out", f.file("again")},
            {"--participant", "36 hold an open link"});
    const auto status = parse_json_output(expect_exit(
        0, {"survey", "status", "--db", f.db, "--timepoint", "pre", "--format", "json"}));
    CHECK(status.find("counts")->find("open")->as_int() == 36);
  }

  TEST_CASE("issue-14: a participant answers through the link: save, resume, submit, spent") {
    auto& f = fixture();
    const auto tokens = tokens_of(f.file("links.csv"));
    running_server s(f.db);
    const std::string t01 = tokens.at("T01");

    const auto page = http(s.port(), "GET", "/s/" + t01);
    CHECK(page.status == 200);
    CHECK(contains(page.body, "/survey.js"));
    CHECK(contains(page.csp, "script-src 'self'"));
    const auto form = http(s.port(), "GET", "/api/survey/" + t01);
    REQUIRE(form.status == 200);
    const auto j = form.json();
    CHECK(str(j, "participant") == "T01");
    CHECK(str(j, "language") == "en");
    REQUIRE(j.find("instruments")->as_array().size() == 2);
    const auto& mbi = j.find("instruments")->as_array()[0];
    CHECK(str(mbi, "id") == "mbi-hss");
    CHECK(mbi.find("items")->as_array().size() == 22);
    CHECK(str(mbi.find("items")->as_array()[6], "text") == "Item 7");
    CHECK(mbi.find("choices")->as_array().size() == 7);
    CHECK(str(mbi.find("choices")->as_array()[0], "label") == "never");
    // Nothing about arms, allocation or anyone else.
    for (const auto* word : {"intervention", "waitlist", "arm", "T02", "allocation"}) {
      CAPTURE(word);
      CHECK_FALSE(contains(form.body, word));
      CHECK_FALSE(contains(page.body, word));
    }

    // Save part of the answers; they come back on reload.
    const std::string partial = body_of(answers(22, "null", 1, "3"), answers(20, "null"));
    const auto saved = http(s.port(), "PUT", "/api/survey/" + t01, partial);
    CHECK(saved.status == 200);
    const auto again = http(s.port(), "GET", "/api/survey/" + t01).json();
    CHECK(again.find("saved")->find("mbi-hss")->as_array()[0].as_int() == 3);
    CHECK(again.find("saved")->find("mbi-hss")->as_array()[1].is_null());

    // An answer outside the scale is refused naming the item; nothing is written.
    const auto before_bad = written(f.db);
    const auto bad = http(s.port(), "PUT", "/api/survey/" + t01,
                          body_of(answers(22, "null", 3, "9"), answers(20, "null")));
    CHECK(bad.status == 400);
    CHECK(bad.error_field() == "mbi-hss item 3");
    CHECK(contains(bad.body, "0-6"));
    const auto bad_submit = http(s.port(), "POST", "/api/survey/" + t01 + "/submit",
                                 body_of(mbi_answers, answers(20, "3", 20, "6")));
    CHECK(bad_submit.status == 400);
    CHECK(bad_submit.error_field() == "msq item 20");
    const auto incomplete = http(s.port(), "POST", "/api/survey/" + t01 + "/submit",
                                 body_of(mbi_answers, answers(20, "3", 5, "null")));
    CHECK(incomplete.status == 400);
    CHECK(incomplete.error_field() == "msq item 5");
    CHECK(written(f.db) == before_bad);

    // Submit: stored as `outcome record` stores the same answers (T02 by the coordinator).
    const auto audit_before = audit_count(f.db);
    const auto done =
        http(s.port(), "POST", "/api/survey/" + t01 + "/submit", body_of(mbi_answers, msq_answers));
    REQUIRE_MESSAGE(done.status == 201, done.body);
    CHECK(audit_count(f.db) == audit_before + 1);
    const auto entry = audit_log(f.db).as_array().back();
    CHECK(str(entry, "actor") == "participant T01 (survey link)");
    CHECK(str(entry, "action") == "survey.submit");
    auto strip = [](std::string list) {
      return list.substr(1, list.size() - 2);  // "[0,1,...]" -> "0,1,..."
    };
    expect_exit(0, {"outcome", "record", "--db", f.db, "--participant", "T02", "--timepoint", "pre",
                    "--instrument", "mbi-hss", "--items", strip(mbi_answers)});
    expect_exit(0, {"outcome", "record", "--db", f.db, "--participant", "T02", "--timepoint", "pre",
                    "--instrument", "msq", "--items", strip(msq_answers)});
    for (const char* instrument : {"mbi-hss", "msq"}) {
      CAPTURE(instrument);
      const auto by_link = outcome_of(f.db, "T01", instrument);
      const auto by_coordinator = outcome_of(f.db, "T02", instrument);
      CHECK(by_link.find("items")->dump() == by_coordinator.find("items")->dump());
      CHECK(by_link.find("scores")->dump() == by_coordinator.find("scores")->dump());
    }

    // The link is spent: the same 404 as a token never issued, and nothing written.
    const auto forged = http(s.port(), "GET", "/api/survey/0123456789abcdef0123456789abcdef");
    CHECK(forged.status == 404);
    const auto forged_page = http(s.port(), "GET", "/s/0123456789abcdef0123456789abcdef");
    CHECK(forged_page.status == 404);
    CHECK(contains(forged_page.body, "This link is not available"));
    const auto before_spent = written(f.db);
    const auto second =
        http(s.port(), "POST", "/api/survey/" + t01 + "/submit", body_of(mbi_answers, msq_answers));
    CHECK(second.status == 404);
    CHECK(second.body == forged.body);
    CHECK(http(s.port(), "GET", "/s/" + t01).body == forged_page.body);
    CHECK(written(f.db) == before_spent);
    const auto status = parse_json_output(expect_exit(
        0, {"survey", "status", "--db", f.db, "--timepoint", "pre", "--format", "json"}));
    CHECK(status.find("counts")->find("submitted")->as_int() == 1);
  }

  TEST_CASE("issue-14: spent, expired, revoked, withdrawn, forged and malformed tokens: one 404") {
    auto& f = fixture();
    const auto tokens = tokens_of(f.file("links.csv"));
    // T03's link revoked, T04's expired (its expiry moved into the past), T05 withdrawn.
    expect_exit(0, {"survey", "revoke", "--db", f.db, "--participant", "T03", "--timepoint", "pre",
                    "--reason", "card lost"});
    run_sql(f.db,
            "UPDATE survey_link SET expires_at = '2020-01-01T00:00:00Z' WHERE participant_id = "
            "(SELECT id FROM participant WHERE code = 'T04')");
    expect_exit(
        0, {"participant", "withdraw", "--db", f.db, "--code", "T05", "--reason", "moved away"});
    running_server s(f.db);
    const auto reference = http(s.port(), "GET", "/api/survey/ffffffffffffffffffffffffffffffff");
    const auto reference_page = http(s.port(), "GET", "/s/ffffffffffffffffffffffffffffffff");
    REQUIRE(reference.status == 404);
    REQUIRE(reference_page.status == 404);
    const std::vector<std::string> unusable = {
        tokens.at("T01"),  // spent
        tokens.at("T03"),  // revoked
        tokens.at("T04"),  // expired
        tokens.at("T05"),  // withdrawn
        "0123456789abcdef0123456789abcdef",
        "0123456789ABCDEF0123456789ABCDEF",
        "xyz",
        std::string(64, 'a'),
        "%00",
        "..",
    };
    const auto before = written(f.db);
    for (const auto& token : unusable) {
      CAPTURE(token);
      const auto get = http(s.port(), "GET", "/api/survey/" + token);
      CHECK(get.status == 404);
      CHECK(get.body == reference.body);
      const auto put = http(s.port(), "PUT", "/api/survey/" + token,
                            body_of(answers(22, "null"), answers(20, "null")));
      CHECK(put.status == 404);
      CHECK(put.body == reference.body);
      const auto post = http(s.port(), "POST", "/api/survey/" + token + "/submit",
                             body_of(mbi_answers, msq_answers));
      CHECK(post.status == 404);
      CHECK(post.body == reference.body);
      if (token != "..") {
        const auto page = http(s.port(), "GET", "/s/" + token);
        CHECK(page.status == 404);
        CHECK(page.body == reference_page.body);
      }
    }
    CHECK(written(f.db) == before);
    // The access log never holds a token.
    s.s->stop();
    CHECK(contains(s.log.str(), R"("path":"/api/survey/{token}/submit")"));
    for (const auto& [code, token] : tokens) CHECK_FALSE(contains(s.log.str(), token));
    running_server s2(f.db);
    // A usable link still works, and the revoked one can be reissued.
    CHECK(http(s2.port(), "GET", "/api/survey/" + tokens.at("T06")).status == 200);
    expect_exit(0, {"survey", "reissue", "--db", f.db, "--participant", "T03", "--timepoint", "pre",
                    "--reason", "new card", "--out", f.file("t03")});
    const auto reissued = tokens_of(f.file("t03.csv"));
    CHECK(http(s2.port(), "GET", "/api/survey/" + reissued.at("T03")).status == 200);
  }

  TEST_CASE("issue-14: survey links are rate-limited per client address") {
    auto& f = fixture();
    expect_exit(0, {"survey", "reissue", "--db", f.db, "--participant", "T08", "--timepoint", "pre",
                    "--reason", "rate limit test", "--out", f.file("t08")});
    const std::string token = tokens_of(f.file("t08.csv")).at("T08");
    const std::string usable = "/api/survey/" + token;
    {
      // The survey API is not served under a trial's prefix: the same 404, and the token is not
      // logged there either.
      running_server prefixed(f.db);
      CHECK(http(prefixed.port(), "GET", "/api/trials/tongji-2020/survey/" + token).status == 404);
      prefixed.s->stop();
      CHECK_FALSE(contains(prefixed.log.str(), token));
      CHECK(contains(prefixed.log.str(), "/api/trials/tongji-2020/survey/{token}"));
    }
    running_server s(f.db, 5);
    // A usable link is not counted against the misses: a group answering together from one
    // hospital network is not stopped by each other's page loads.
    for (int k = 0; k < 8; ++k) CHECK(http(s.port(), "GET", usable).status == 200);
    // Links that are not available are: after 5 misses a minute, every survey request waits.
    for (int k = 0; k < 5; ++k) {
      CHECK(http(s.port(), "GET", "/api/survey/ffffffffffffffffffffffffffffffff").status == 404);
    }
    const auto limited = http(s.port(), "GET", "/s/ffffffffffffffffffffffffffffffff");
    CHECK(limited.status == 429);
    CHECK_FALSE(limited.retry_after.empty());
    // The participant's page says so in words, in both languages, not in JSON.
    CHECK(contains(limited.body, "Please try again in a minute"));
    CHECK(contains(limited.body, "请一分钟后重新打开"));
    CHECK(http(s.port(), "GET", usable).status == 429);
    CHECK(http(s.port(), "POST", "/api/survey/ffffffffffffffffffffffffffffffff/submit",
               body_of(mbi_answers, msq_answers))
              .status == 429);
    // The rest of the server is not limited.
    CHECK(http(s.port(), "GET", "/healthz").status == 200);
    // All survey requests of an address are limited as well, here to 12 a minute.
    running_server flood(f.db, 100000, 12);
    for (int k = 0; k < 12; ++k) CHECK(http(flood.port(), "GET", usable).status == 200);
    const auto flooded = http(flood.port(), "GET", usable);
    CHECK(flooded.status == 429);
    CHECK(contains(flooded.body, "too_many_requests"));
    // Without --behind-proxy a client's X-Forwarded-For changes nothing.
    CHECK(http(s.port(), "GET", "/s/ffffffffffffffffffffffffffffffff", "", {}, true,
               {{"X-Forwarded-For", "203.0.113.7"}})
              .status == 429);
  }

  TEST_CASE("issue-14: behind a proxy, survey links are limited per address the proxy saw") {
    auto& f = fixture();
    server::config c;
    c.db_path = f.db;
    c.port = 0;
    c.threads = 4;
    c.survey_misses_per_minute = 3;
    c.trust_forwarded_for = true;
    server::server s(c);
    s.start();
    const auto get = [&](const std::string& forwarded) {
      return http(s.port(), "GET", "/api/survey/ffffffffffffffffffffffffffffffff", "", {}, true,
                  {{"X-Forwarded-For", forwarded}})
          .status;
    };
    for (int k = 0; k < 3; ++k) CHECK(get("198.51.100.1, 203.0.113.7") == 404);
    CHECK(get("198.51.100.1, 203.0.113.7") == 429);
    // Another participant behind the same proxy has a bucket of their own; an entry a client
    // wrote itself (the first) does not choose the bucket.
    CHECK(get("203.0.113.8") == 404);
    CHECK(get("203.0.113.8, 203.0.113.7") == 429);
  }

  TEST_CASE("issue-14: coordinators see and manage survey links through the API") {
    auto& f = fixture();
    const auto r =
        test::run_cli({"user", "add", "--db", f.db, "--name", "coord", "--role", "coordinator"},
                      "a password of the test\n");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    running_server s(f.db);
    const auto who = test::sign_in(s.port(), "coord", "a password of the test");
    const auto list = http(s.port(), "GET", "/api/survey-links?timepoint=pre", "", who);
    REQUIRE(list.status == 200);
    CHECK(list.json().find("counts")->find("submitted")->as_int() == 1);
    // Without the CSRF token a write is refused.
    CHECK(http(s.port(), "POST", "/api/survey-links/T07/revoke",
               R"({"timepoint":"pre","reason":"x"})", who, false)
              .status == 403);
    const auto revoked = http(s.port(), "POST", "/api/survey-links/T07/revoke",
                              R"({"timepoint":"pre","reason":"wrong person"})", who);
    CHECK(revoked.status == 200);
    CHECK(str(revoked.json(), "state") == "revoked");
    const auto reissued = http(s.port(), "POST", "/api/survey-links/T07/reissue",
                               R"({"timepoint":"pre","reason":"new card"})", who);
    REQUIRE(reissued.status == 201);
    const auto path = str(reissued.json(), "path");
    CHECK(path.rfind("/s/", 0) == 0);
    CHECK(http(s.port(), "GET", "/api/survey/" + path.substr(3)).status == 200);
    // Anonymous callers get nothing of the coordinator's view.
    CHECK(http(s.port(), "GET", "/api/survey-links?timepoint=pre").status == 401);
  }

  TEST_CASE("issue-14: the page speaks the trial's language, falling back to English") {
    test::temp_dir dir;
    const auto config = write_config(dir, "zh.json", [](core::json& j) {
      j["language"] = "zh";
      // MSQ written in the config with Chinese for its name and first answer label.
      auto msq =
          core::parse_json(test::read_file(test::source_path("schemas/instruments/msq.json")))
              .value();
      msq["name"] = core::json(core::json::object{
          {"en", core::json("Minnesota Satisfaction Questionnaire - short form")},
          {"zh", core::json("明尼苏达满意度问卷（简版）")}});
      msq["scale"]["labels"]["1"] = core::json(core::json::object{
          {"en", core::json("very dissatisfied")}, {"zh", core::json("非常不满意")}});
      for (auto& entry : j["instruments"].as_array()) {
        if (entry.is_string() && entry.as_string() == "msq") entry = msq;
      }
    });
    const std::string db = dir.file("zh.db");
    expect_exit(0, {"init", "--db", db, "--config", config, "--seed", "7"});
    expect_exit(0, {"participant", "import", "--db", db, "--csv", demo_participants()});
    expect_exit(0, {"survey", "links", "--db", db, "--timepoint", "pre", "--participant", "T01",
                    "--out", dir.file("zh-links")});
    const auto token = tokens_of(dir.file("zh-links.csv")).at("T01");
    running_server s(db);
    const auto form = http(s.port(), "GET", "/api/survey/" + token).json();
    CHECK(str(form, "language") == "zh");
    const auto& list = form.find("instruments")->as_array();
    REQUIRE(list.size() == 2);
    CHECK(str(list[1], "name") == "明尼苏达满意度问卷（简版）");
    CHECK(str(list[1].find("choices")->as_array()[0], "label") == "非常不满意");
    // Texts given in English only are shown in English.
    CHECK(str(list[1].find("choices")->as_array()[1], "label") == "dissatisfied");
    CHECK(str(list[0].find("choices")->as_array()[0], "label") == "never");
  }
}
