// A trial database written by an earlier version (tests/data/fixture/v1.db, made by
// tests/data/fixture/make-v1.sh) must stay verifiable and writable by this one. The audit chain
// and the allocation commitment are SHA-256 hashes over canonical JSON bytes: a change of the
// JSON printer, the hash or the schema check that altered those bytes would make every
// existing trial's verification fail. Every case works on a temporary copy.

#include "cli_harness.hpp"
#include "cli_steps.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace balint::test::steps;
using balint::test::run_cli;
using balint::test::run_sqlite;
using balint::test::temp_dir;

namespace {

std::string fixture_copy(const temp_dir& dir) {
  const std::string copy = dir.file("v1.db");
  std::filesystem::copy_file(balint::test::source_path("tests/data/fixture/v1.db"), copy);
  return copy;
}

void expect_verified(const std::string& db) {
  CHECK(contains(expect_exit(0, {"audit", "verify", "--db", db}).out, "chain intact"));
  CHECK(contains(expect_exit(0, {"randomization", "verify", "--db", db}).out, "randomization ok"));
}

}  // namespace

TEST_SUITE("fixture") {
  TEST_CASE("a database written by version 1 verifies: audit chain and allocation commitment") {
    temp_dir dir;
    const auto db = fixture_copy(dir);
    expect_verified(db);
    // What the fixture holds, so that a later regeneration that lost a part is noticed.
    const auto log = audit_log(db);
    std::string actions;
    for (const auto& e : log.as_array()) actions += str(e, "action") + " ";
    for (const char* a : {"trial.init", "participant.import", "participant.add", "outcome.import",
                          "outcome.record", "outcome.correct", "participant.randomize",
                          "schedule.generate", "leader.add", "schedule.assign-leader",
                          "schedule.plan", "attendance.log", "participant.withdraw", "user.add"}) {
      INFO(a);
      CHECK(contains(actions, a));
    }
  }

  TEST_CASE("this version keeps writing to a version-1 database, and both checks still pass") {
    temp_dir dir;
    const auto db = fixture_copy(dir);
    const auto before = audit_count(db);
    expect_exit(0, {"participant",
                    "add",
                    "--db",
                    db,
                    "--code",
                    "R002",
                    "--age",
                    "30",
                    "--gender",
                    "M",
                    "--consent",
                    "yes",
                    "--specialty",
                    "surgery – 外科",
                    "--balint-knowledge",
                    "2",
                    "--balint-times",
                    "1",
                    "--available",
                    "weekend",
                    "--beyond-plan",  // the fixture holds 37 of a planned 36
                    "--as",
                    "coord"});
    expect_exit(0, {"outcome", "record", "--db", db, "--participant", "R001", "--timepoint", "post",
                    "--instrument", "msq", "--items", repeat_items("4", 20), "--as", "coord"});
    expect_exit(0, {"outcome", "record", "--db", db, "--participant", "R001", "--timepoint", "post",
                    "--instrument", "msq", "--items", repeat_items("5", 20), "--reason",
                    "typed \"4\" for \"5\"", "--as", "coord"});
    // Session 3 of the intervention, as planned, marked by its leader.
    const auto sessions = parse_json_output(expect_exit(
        0, {"schedule", "list", "--db", db, "--cohort", "intervention", "--format", "json"}));
    std::string roster;
    for (const auto& s : sessions.as_array()) {
      if (str(s, "kind") != "session" || s.find("number")->as_int() != 3) continue;
      for (const auto& c : s.find("participants")->as_array()) {
        roster += (roster.empty() ? "" : ",") + c.as_string();
      }
    }
    REQUIRE_FALSE(roster.empty());
    expect_exit(
        0, {"attendance", "log", "--db", db, "--session", "3", "--present", roster, "--as", "L1"});
    CHECK(audit_count(db) == before + 4);
    expect_verified(db);
  }

  TEST_CASE("a version-1 database with one byte of an audit entry changed fails verification") {
    temp_dir dir;
    const auto db = fixture_copy(dir);
    const auto tampered = run_sqlite(
        db,
        "DROP TRIGGER audit_entry_no_update; "
        "UPDATE audit_entry SET reason = 'M' || substr(reason, 2) WHERE reason LIKE 'misread%';"
        "SELECT changes();");
    INFO(tampered.err);
    REQUIRE(tampered.exit_code == 0);
    REQUIRE(contains(tampered.out, "1"));
    const auto r = run_cli({"audit", "verify", "--db", db});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out + r.err, "BROKEN"));
  }
}
