// A site of several trials (issue 13, part 3): made with the command line, served by one real
// `serve`, on a directory of SQLite files or (label `postgres`) on one PostgreSQL database.
// Two trials never see each other's participants, allocations or audit entries, and each
// account sees exactly what its role in each trial allows (the role x trial matrix).
#include "cli_harness.hpp"
#include "cli_steps.hpp"
#include "http_client.hpp"
#include "scratch_database.hpp"

#include "balint/app/access.hpp"
#include "balint/core/json.hpp"

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace balint {
namespace {

using test::steps::contains;
using test::steps::expect_exit;
using test::steps::parse_json_output;

const std::string password = "a site password";

/// The site: a directory of SQLite files, or a fresh PostgreSQL database.
std::string site_in(testing::database_place& place) {
  return place.postgres() ? place.fresh("site") : (place.dir() / "site").string();
}

std::set<std::string> codes_in(const core::json& participants) {
  std::set<std::string> out;
  for (const auto& p : participants.as_array()) out.insert(p.find("code")->as_string());
  return out;
}

/// Everything the audit log of one trial names (entities and values), as one text.
std::string audit_text(const std::string& site, const std::string& trial) {
  return expect_exit(0, {"audit", "log", "--db", site, "--trial", trial, "--format", "json"}).out;
}

/// Two trials: trial-a with the 36 demo residents, randomized; trial-b with one resident of
/// its own. Accounts: ann (site admin, no role in either), lee (coordinator in a, analyst in
/// b), bob (leader in b only).
void build_site(const std::string& site, const test::temp_dir& files) {
  for (const std::string id : {"trial-a", "trial-b"}) {
    const auto config = test::steps::write_config(files, id + ".json", [&](core::json& doc) {
      doc["id"] = id;
      doc["title"] = "Trial " + id;
    });
    const auto made = expect_exit(0, {"trial", "create", "--db", site, "--config", config});
    CHECK(contains(made.out, "--trial " + id));
  }
  expect_exit(0, {"participant", "import", "--db", site, "--trial", "trial-a", "--csv",
                  test::steps::demo_participants()});
  expect_exit(0, {"outcome", "import", "--db", site, "--trial", "trial-a", "--csv",
                  test::steps::demo_baseline()});
  expect_exit(0, {"randomize", "--db", site, "--trial", "trial-a", "--all-eligible"});
  expect_exit(0, {"participant", "add", "--db", site, "--trial", "trial-b", "--code", "B-ONLY",
                  "--age", "30", "--gender", "F", "--consent", "yes"});
  for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{
           {"ann", "admin"}, {"lee", "coordinator"}, {"bob", "leader"}}) {
    const auto added =
        test::run_cli({"user", "add", "--db", site, "--name", name, "--role", role}, password);
    CHECK_MESSAGE(added.exit_code == 0, added.err);
  }
}

void grant(const std::string& site, const std::string& trial, const std::string& name,
           const std::string& role) {
  const auto r = expect_exit(
      0, {"user", "grant", "--db", site, "--trial", trial, "--name", name, "--role", role});
  CHECK(contains(r.out, "role " + role));
}

}  // namespace

TEST_SUITE("a site of several trials") {
  TEST_CASE("two trials on one server: each account sees what its role there allows, no more") {
    testing::database_place place;
    test::temp_dir files;
    const std::string site = site_in(place);
    build_site(site, files);
    grant(site, "trial-a", "lee", "coordinator");
    grant(site, "trial-b", "lee", "analyst");
    grant(site, "trial-b", "bob", "leader");

    // The command line: without --trial a site of several refuses and names them.
    const auto unnamed = test::run_cli({"participant", "list", "--db", site});
    CHECK(unnamed.exit_code == 2);
    CHECK(contains(unnamed.err, "trial-a, trial-b"));
    const auto a_list = parse_json_output(expect_exit(
        0, {"participant", "list", "--db", site, "--trial", "trial-a", "--format", "json"}));
    const auto b_list = parse_json_output(expect_exit(
        0, {"participant", "list", "--db", site, "--trial", "trial-b", "--format", "json"}));
    CHECK(codes_in(a_list).size() == 36);
    CHECK(codes_in(b_list) == std::set<std::string>{"B-ONLY"});
    // Neither audit trail names the other trial's residents.
    CHECK_FALSE(contains(audit_text(site, "trial-a"), "B-ONLY"));
    CHECK_FALSE(contains(audit_text(site, "trial-b"), "T01"));

    test::serve_process server(site, place.dir() / "serve");
    const auto port = server.port();
    std::map<std::string, test::credentials> who;
    for (const std::string name : {"ann", "lee", "bob"})
      who[name] = test::sign_in(port, name, password);

    // The trial picker's list: the trials one has a role in (a site admin sees all).
    const auto listed = [&](const std::string& name) {
      std::map<std::string, std::string> out;
      const auto r = test::http(port, "GET", "/api/trials", "", who[name]);
      REQUIRE_MESSAGE(r.status == 200, r.body);
      const auto answer = r.json();
      for (const auto& t : answer.as_array()) {
        const auto* role = t.find("your_role");
        out[t.find("id")->as_string()] = role->is_null() ? "-" : role->as_string();
      }
      return out;
    };
    CHECK(listed("lee") ==
          std::map<std::string, std::string>{{"trial-a", "coordinator"}, {"trial-b", "analyst"}});
    CHECK(listed("bob") == std::map<std::string, std::string>{{"trial-b", "leader"}});
    CHECK(listed("ann") == std::map<std::string, std::string>{{"trial-a", "-"}, {"trial-b", "-"}});

    // The matrix: every account x every trial x reads and a write.
    const std::map<std::string, std::map<std::string, std::optional<app::role>>> roles = {
        {"ann", {{"trial-a", std::nullopt}, {"trial-b", std::nullopt}}},
        {"lee", {{"trial-a", app::role::coordinator}, {"trial-b", app::role::analyst}}},
        {"bob", {{"trial-a", std::nullopt}, {"trial-b", app::role::leader}}},
    };
    const std::map<std::string, std::set<std::string>> residents = {{"trial-a", codes_in(a_list)},
                                                                    {"trial-b", {"B-ONLY"}}};
    for (const auto& [name, by_trial] : roles) {
      for (const auto& [trial, role] : by_trial) {
        CAPTURE(name);
        CAPTURE(trial);
        const std::string base = "/api/trials/" + trial;
        const auto me = test::http(port, "GET", base + "/me", "", who[name]);
        const auto people = test::http(port, "GET", base + "/participants", "", who[name]);
        const auto enrol =
            test::http(port, "POST", base + "/participants",
                       R"({"code":"NEW-)" + name +
                           R"(","age":"31","gender":"M","consent":"yes","beyond_plan":true})",
                       who[name]);
        if (!role) {
          // No role: the trial does not exist for them, whatever they ask.
          for (const auto* r : {&me, &people, &enrol}) {
            CHECK(r->status == 404);
            CHECK(r->error_field() == "trial");
          }
          continue;
        }
        REQUIRE(me.status == 200);
        CHECK(me.json().find("role")->as_string() == app::to_string(*role));
        if (app::permitted(app::use_case::list_participants, role)) {
          REQUIRE_MESSAGE(people.status == 200, people.body);
          // Only this trial's residents (and any enrolled by this matrix).
          for (const auto& code : codes_in(people.json())) {
            if (code.rfind("NEW-", 0) == 0) continue;
            CHECK(residents.at(trial).count(code) == 1);
          }
        } else {
          CHECK(people.status == 403);
        }
        CHECK(enrol.status == (app::permitted(app::use_case::enrol_participant, role) ? 201 : 403));
      }
    }
    // lee's enrolment in trial-a landed there and only there.
    CHECK(codes_in(parse_json_output(expect_exit(0, {"participant", "list", "--db", site, "--trial",
                                                     "trial-b", "--format", "json"}))) ==
          std::set<std::string>{"B-ONLY"});

    // Without a trial in the path, a site of several says which to name.
    const auto bare = test::http(port, "GET", "/api/participants", "", who["lee"]);
    CHECK(bare.status == 400);
    CHECK(bare.error_field() == "trial");

    // The site admin sets up a third trial from the web and becomes its admin; others may not.
    auto definition =
        core::parse_json(test::read_file(test::source_path("schemas/trials/tongji-2020.json")))
            .value();
    definition["id"] = "trial-c";
    core::json body;
    body["definition"] = definition;
    const auto refused = test::http(port, "POST", "/api/trials", body.dump(), who["lee"]);
    CHECK(refused.status == 403);
    const auto made = test::http(port, "POST", "/api/trials", body.dump(), who["ann"]);
    REQUIRE_MESSAGE(made.status == 201, made.body);
    CHECK(made.json().find("commitment")->as_string().rfind("sha256:", 0) == 0);
    CHECK(listed("ann").at("trial-c") == "admin");
    const auto again = test::http(port, "POST", "/api/trials", body.dump(), who["ann"]);
    CHECK(again.status == 409);
    definition["id"] = "Not An Id";
    body["definition"] = definition;
    const auto bad = test::http(port, "POST", "/api/trials", body.dump(), who["ann"]);
    CHECK(bad.status == 400);
    CHECK(listed("ann").size() == 3);

    // Every trial's chains still verify.
    for (const std::string id : {"trial-a", "trial-b", "trial-c"}) {
      CAPTURE(id);
      expect_exit(0, {"audit", "verify", "--db", site, "--trial", id});
      expect_exit(0, {"randomization", "verify", "--db", site, "--trial", id});
    }
  }

  TEST_CASE("issue-14: --as names an account of the site, and a site-disabled one acts nowhere") {
    testing::database_place place;
    test::temp_dir files;
    const std::string site = site_in(place);
    build_site(site, files);
    grant(site, "trial-b", "lee", "coordinator");
    grant(site, "trial-b", "bob", "leader");
    const std::vector<std::string> add_one{"participant", "add",    "--db",      site,    "--trial",
                                           "trial-b",     "--code", "B-TWO",     "--age", "31",
                                           "--gender",    "M",      "--consent", "yes"};
    auto as = [&](std::vector<std::string> args, const std::string& name) {
      args.insert(args.end(), {"--as", name});
      return test::run_cli(args);
    };
    // A leader of trial-b may not enrol there: --as acts in the account's role in the trial.
    CHECK(as(add_one, "bob").exit_code != 0);
    const auto added = as(add_one, "lee");
    CHECK_MESSAGE(added.exit_code == 0, added.err);
    CHECK(contains(audit_text(site, "trial-b"), R"("actor": "lee")"));

    // Disabled once at the site: lee's row in trial-b is untouched, yet --as lee is refused
    // there, naming the field and the day, and nothing is written.
    expect_exit(0, {"user", "disable", "--db", site, "--name", "lee"});
    const auto before = audit_text(site, "trial-b");
    auto again = add_one;
    again[7] = "B-THREE";
    const auto refused = as(again, "lee");
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "--as \"lee\": the account was disabled at the site on"));
    CHECK(audit_text(site, "trial-b") == before);
    const auto b_list = parse_json_output(expect_exit(
        0, {"participant", "list", "--db", site, "--trial", "trial-b", "--format", "json"}));
    CHECK(codes_in(b_list) == std::set<std::string>{"B-ONLY", "B-TWO"});
  }
}

}  // namespace balint
