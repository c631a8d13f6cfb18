// Randomization through the real executable and a real SQLite file (issue 4): identical lists
// from identical seeds, refusals that leave the database unchanged, tampering caught by
// `randomization verify`, nothing revealed before it is made, and concurrent processes that
// never share a list position.

#include "cli_harness.hpp"
#include "cli_steps.hpp"

#include "balint/core/json.hpp"
#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace balint;
using namespace balint::test::steps;
using balint::test::run_cli;
using balint::test::temp_dir;

namespace {

/// The demo trial with a given seed.
std::string seeded_demo_db(const temp_dir& dir, const std::string& name, const std::string& seed) {
  const std::string db = dir.file(name);
  expect_exit(0, {"init", "--db", db, "--seed", seed});
  expect_exit(0, {"participant", "import", "--db", db, "--csv", demo_participants()});
  expect_exit(0, {"outcome", "import", "--db", db, "--csv", demo_baseline()});
  return db;
}

core::json status_of(const std::string& db) {
  return parse_json_output(
      expect_exit(0, {"randomization", "status", "--db", db, "--format", "json"}));
}

}  // namespace

TEST_SUITE("randomization") {
  TEST_CASE(
      "the same seed and participants give identical allocations, 18/18; another seed differs") {
    temp_dir dir;
    const auto a = seeded_demo_db(dir, "a.db", "20161012");
    const auto b = seeded_demo_db(dir, "b.db", "20161012");
    const auto c = seeded_demo_db(dir, "c.db", "7");
    for (const auto& db : {a, b, c}) {
      const auto r = expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
      CHECK(contains(r.out, "Randomized 36 participants."));
    }
    const auto arms_a = arms_of(a);
    CHECK(arms_a.size() == 36);
    CHECK(arms_a == arms_of(b));
    CHECK(arms_a != arms_of(c));
    for (const auto& db : {a, b, c}) {
      const auto s = status_of(db);
      CHECK(s.find("per_arm")->find("intervention")->as_int() == 18);
      CHECK(s.find("per_arm")->find("waitlist")->as_int() == 18);
      const auto v = expect_exit(0, {"randomization", "verify", "--db", db});
      CHECK(contains(v.out, "randomization ok"));
      CHECK(contains(v.out, "36 allocations checked"));
    }
  }

  TEST_CASE("verify fails after any single allocation row is edited") {
    temp_dir dir;
    const auto db = seeded_demo_db(dir, "t.db", "20161012");
    expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
    const auto arms = arms_of(db);
    const std::string flipped = arms.at("T07") == "intervention" ? "waitlist" : "intervention";
    struct tamper {
      const char* what;
      std::string sql;
      std::string says;
    };
    const std::vector<tamper> cases = {
        {"arm of an allocation",
         "DROP TRIGGER allocation_no_update; UPDATE allocation SET arm = '" + flipped +
             "' WHERE participant_id = (SELECT id FROM participant WHERE code = 'T07');",
         "T07"},
        {"time of an allocation",
         "DROP TRIGGER allocation_no_update; UPDATE allocation SET allocated_at = "
         "'2020-01-01T00:00:00.000Z' WHERE participant_id = (SELECT id FROM participant WHERE "
         "code = 'T07');",
         "T07"},
        {"a list position",
         "DROP TRIGGER allocation_list_no_update; UPDATE allocation_list SET arm = CASE arm WHEN "
         "'intervention' THEN 'waitlist' ELSE 'intervention' END WHERE position = 30;",
         "position 30"},
        {"the recorded seed",
         "DROP TRIGGER randomization_setup_no_update; UPDATE randomization_setup SET seed = 7;",
         "list"},
        {"the salt behind the commitment",
         "DROP TRIGGER randomization_setup_no_update; UPDATE randomization_setup SET salt = 'ff';",
         "commitment"},
        {"a deleted allocation",
         "DROP TRIGGER allocation_no_delete; DELETE FROM allocation WHERE participant_id = "
         "(SELECT id FROM participant WHERE code = 'T07');",
         "audit trail records 36 allocations"},
    };
    for (const auto& t : cases) {
      CAPTURE(t.what);
      temp_dir copy_dir;
      const std::string copy = copy_dir.file("t.db");
      test::write_file(copy, test::read_file(db));
      const auto r = test::run_sqlite(copy, t.sql);
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      const auto v = run_cli({"randomization", "verify", "--db", copy});
      INFO("stdout: " << v.out << "\nstderr: " << v.err);
      CHECK(v.exit_code == 1);
      CHECK(contains(v.out, t.says));
    }
  }

  TEST_CASE("randomize refuses unknown, withdrawn and already randomized participants") {
    temp_dir dir;
    const auto db = seeded_demo_db(dir, "t.db", "1");
    expect_refused(db, {"randomize", "--db", db, "--participant", "NOPE"},
                   {"NOPE", "not enrolled"});
    expect_exit(0, {"participant", "withdraw", "--db", db, "--code", "T02", "--reason", "left"});
    expect_refused(db, {"randomize", "--db", db, "--participant", "T02"}, {"T02", "withdrew"});
    expect_exit(0, {"randomize", "--db", db, "--participant", "T01"});
    expect_refused(db, {"randomize", "--db", db, "--participant", "T01"},
                   {"already randomized", "final"});
    expect_refused(db, {"randomize", "--db", db}, {"--participant", "--all-eligible"});
  }

  TEST_CASE("randomize refuses a participant whose baseline is missing or incomplete") {
    temp_dir dir;
    const std::string db = dir.file("t.db");
    expect_exit(0, {"init", "--db", db, "--seed", "3"});
    expect_exit(0, {"participant", "add", "--db", db, "--code", "A1", "--age", "24", "--gender",
                    "F", "--consent", "yes"});
    expect_refused(db, {"randomize", "--db", db, "--participant", "A1"},
                   {"baseline", "mbi-hss at pre is not recorded", "msq at pre is not recorded"});
    expect_exit(0, {"outcome", "record", "--db", db, "--participant", "A1", "--timepoint", "pre",
                    "--instrument", "mbi-hss", "--items", repeat_items("2", 22)});
    expect_exit(0, {"outcome", "record", "--db", db, "--participant", "A1", "--timepoint", "pre",
                    "--instrument", "msq", "--items", repeat_items("3", 19) + ","});
    expect_refused(db, {"randomize", "--db", db, "--participant", "A1"},
                   {"msq at pre has missing answers (items 20)"});
    const auto batch = expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
    CHECK(contains(batch.out, "Randomized 0 participants."));
    CHECK(contains(batch.out, "A1"));
    CHECK(contains(batch.out, "missing answers"));
  }

  TEST_CASE("randomize refuses a participant without consent when the trial allows enrolling one") {
    temp_dir dir;
    const auto config = write_config(dir, "no-consent.json", [](core::json& d) {
      d["eligibility"]["consent_required"] = false;
    });
    const std::string db = dir.file("t.db");
    expect_exit(0, {"init", "--db", db, "--config", config, "--seed", "5"});
    test::write_file(dir.file("p.csv"),
                     "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n"
                     "A1,24,F,,no,,,\n");
    expect_exit(0, {"participant", "import", "--db", db, "--csv", dir.file("p.csv")});
    test::write_file(dir.file("b.csv"),
                     "participant,timepoint,instrument,item,value\n" + baseline_rows("A1"));
    expect_exit(0, {"outcome", "import", "--db", db, "--csv", dir.file("b.csv")});
    expect_refused(db, {"randomize", "--db", db, "--participant", "A1"}, {"consent"});
  }

  TEST_CASE(
      "stratified randomization refuses a value outside the strata and balances each stratum") {
    temp_dir dir;
    const auto config = write_config(dir, "stratified.json", [](core::json& d) {
      d["planned_participants"] = 8;
      d["randomization"] = core::parse_json(R"({"method": "stratified-permuted-block",
          "block_sizes": [2, 4], "strata": [{"field": "specialty", "levels": [
            {"id": "surgical", "values": ["surgery"]},
            {"id": "medical", "values": ["family medicine", "psychiatry"]}]}]})")
                               .value();
    });
    const std::string db = dir.file("t.db");
    expect_exit(0, {"init", "--db", db, "--config", config, "--seed", "11"});
    std::string people =
        "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
    std::string answers = "participant,timepoint,instrument,item,value\n";
    for (int i = 1; i <= 8; ++i) {
      const std::string code = "S" + std::to_string(i);
      people += code + ",25,F," + (i % 2 ? "surgery" : "psychiatry") + ",yes,,,\n";
      answers += baseline_rows(code);
    }
    people += "D1,25,M,dermatology,yes,,,\n";
    answers += baseline_rows("D1");
    test::write_file(dir.file("p.csv"), people);
    test::write_file(dir.file("b.csv"), answers);
    // 9 of a planned 8: D1 is the one outside every stratum.
    expect_exit(0,
                {"participant", "import", "--db", db, "--csv", dir.file("p.csv"), "--beyond-plan"});
    expect_exit(0, {"outcome", "import", "--db", db, "--csv", dir.file("b.csv")});
    expect_refused(db, {"randomize", "--db", db, "--participant", "D1"},
                   {"specialty", "dermatology", "surgery"});
    expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
    const auto s = status_of(db);
    const auto* strata = s.find("per_stratum");
    REQUIRE(strata != nullptr);
    for (const char* name : {"specialty=surgical", "specialty=medical"}) {
      CAPTURE(name);
      const auto* counts = strata->find(name);
      REQUIRE(counts != nullptr);
      CHECK(counts->find("intervention")->as_int() == 2);
      CHECK(counts->find("waitlist")->as_int() == 2);
    }
    CHECK(
        contains(expect_exit(0, {"randomization", "verify", "--db", db}).out, "randomization ok"));
  }

  TEST_CASE("when the list runs out it is extended from a new seed, audited and verified") {
    temp_dir dir;
    const auto config = write_config(dir, "four.json", [](core::json& d) {
      d["planned_participants"] = 4;
      d["randomization"] =
          core::parse_json(R"({"method": "permuted-block", "block_sizes": [4], "strata": []})")
              .value();
    });
    const std::string db = dir.file("t.db");
    expect_exit(0, {"init", "--db", db, "--config", config, "--seed", "5"});
    std::string people =
        "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
    std::string answers = "participant,timepoint,instrument,item,value\n";
    for (int i = 1; i <= 4; ++i) {
      people += "P" + std::to_string(i) + ",25,F,,yes,,,\n";
      answers += baseline_rows("P" + std::to_string(i));
    }
    answers += baseline_rows("P5") + baseline_rows("P6");
    test::write_file(dir.file("p.csv"), people);
    test::write_file(dir.file("b.csv"), answers);
    expect_exit(0, {"participant", "import", "--db", db, "--csv", dir.file("p.csv")});

    // A fifth participant goes past the planned 4: a warning that saves nothing until answered.
    const std::vector<std::string> fifth{"participant", "add", "--db",     db,  "--code",    "P5",
                                         "--age",       "30",  "--gender", "M", "--consent", "yes"};
    expect_refused(db, fifth, {"planned 4 participants and 4 are enrolled", "--beyond-plan"});
    auto with_confirm = fifth;
    with_confirm.push_back("--beyond-plan");
    expect_exit(0, with_confirm);
    test::write_file(dir.file("p6.csv"),
                     "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n"
                     "P6,31,M,,yes,,,\n");
    expect_refused(db, {"participant", "import", "--db", db, "--csv", dir.file("p6.csv")},
                   {"beyond the plan"});
    expect_exit(
        0, {"participant", "import", "--db", db, "--csv", dir.file("p6.csv"), "--beyond-plan"});
    expect_exit(0, {"outcome", "import", "--db", db, "--csv", dir.file("b.csv")});

    // Four positions: the fifth and sixth are told how to go on.
    auto r = expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
    CHECK(contains(r.out, "Randomized 4 participants."));
    CHECK(contains(r.out,
                   "the allocation list is used up: all its 4 positions (as planned) are "
                   "allocated; to go on, extend it"));
    const auto one = run_cli({"randomize", "--db", db, "--participant", "P5"});
    CHECK(one.exit_code == 2);
    CHECK(contains(one.err, "balint-trial randomization extend --blocks N --reason TEXT"));

    // Bad extensions are refused and change nothing.
    expect_refused(db, {"randomization", "extend", "--db", db, "--blocks", "0", "--reason", "x"},
                   {"--blocks", "1 to 1000"});
    expect_refused(db, {"randomization", "extend", "--db", db, "--blocks", "1", "--reason", " "},
                   {"reason", "1 to 2000 characters"});

    add_user(db, "dr-li", "coordinator");
    r = expect_exit(0, {"randomization", "extend", "--db", db, "--blocks", "1", "--reason",
                        "two late volunteers", "--seed", "77", "--as", "dr-li"});
    CHECK(contains(r.out, "segment 2, 1 block more in each of 1 stratum"));
    CHECK_FALSE(contains(r.out, "4 "));  // never how many positions: that reveals block sizes
    CHECK(contains(r.out, "seed given with --seed"));
    CHECK_FALSE(contains(r.out, "intervention"));  // nothing about arms
    CHECK_FALSE(contains(r.out, "waitlist"));
    r = expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
    CHECK(contains(r.out, "Randomized 2 participants."));
    CHECK(test::run_sql(db, "SELECT count(*) FROM allocation_list").out == "8\n");
    CHECK(test::run_sql(db, "SELECT max(block) FROM allocation_list").out == "2\n");

    auto v = expect_exit(0, {"randomization", "verify", "--db", db});
    CHECK(contains(v.out, "randomization ok"));
    CHECK(contains(v.out, "6 allocations checked"));
    CHECK(contains(v.out, "extension 2: regenerated from its own seed"));

    // Who and why are in the audit trail.
    const auto log = expect_exit(0, {"audit", "log", "--db", db, "--format", "json"});
    CHECK(contains(log.out, "randomization.extend"));
    CHECK(contains(log.out, "two late volunteers"));
    CHECK(contains(log.out, "dr-li"));

    // After the lock the reveal gives each extension's seed and salt, for an outside auditor.
    {
      test::temp_dir locked_dir;
      const std::string locked = locked_dir.file("locked.db");
      std::filesystem::copy_file(db, locked);
      expect_exit(0, {"lock", "--db", locked, "--reason", "end of the trial"});
      const auto shown =
          expect_exit(0, {"randomization", "reveal", "--db", locked, "--reason", "analysis"});
      CHECK(contains(shown.out, "extension 2: 1 block per stratum, seed 77, salt "));
      CHECK(contains(shown.out, "two late volunteers"));
    }

    // An intruder who appends a position, or a forged extension, is caught.
    test::temp_dir copies;
    const std::string forged = copies.file("forged.db");
    std::filesystem::copy_file(db, forged);
    test::run_sql(forged, "INSERT INTO allocation_list VALUES ('all', 9, 3, 4, 'waitlist')");
    v = expect_exit(1, {"randomization", "verify", "--db", forged});
    CHECK(contains(v.out, "FAILED"));
    const std::string chained = copies.file("chained.db");
    std::filesystem::copy_file(db, chained);
    test::run_sql(chained,
                  "INSERT INTO list_extension VALUES (3, 1, 'ab', 1, 'r', 'sha256:00', 'x', 'y')");
    v = expect_exit(1, {"randomization", "verify", "--db", chained});
    CHECK(contains(v.out, "commitment of list extension 3"));
  }

  TEST_CASE("init refuses block sizes that do not fit the allocation ratio") {
    temp_dir dir;
    const auto config = write_config(dir, "bad-blocks.json", [](core::json& d) {
      d["randomization"]["block_sizes"] = core::json::array{5};
    });
    const auto r = run_cli({"init", "--db", dir.file("t.db"), "--config", config});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "$.randomization.block_sizes"));
    CHECK_FALSE(test::file_exists(dir.file("t.db")));
  }

  TEST_CASE("nothing shows an allocation before it is made") {
    temp_dir dir;
    const auto db = seeded_demo_db(dir, "t.db", "20161012");
    // Before any randomization, no output names an arm next to a participant or a position.
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"audit", "log", "--db", db, "--format", "json"},
          {"randomization", "list", "--db", db, "--format", "json"},
          {"participant", "list", "--db", db, "--format", "json"},
          {"outcome", "list", "--db", db}}) {
      const auto r = expect_exit(0, cmd);
      CHECK_FALSE(contains(r.out, "intervention"));
      CHECK_FALSE(contains(r.out, "waitlist"));
    }
    const auto status = expect_exit(0, {"randomization", "status", "--db", db});
    CHECK_FALSE(contains(status.out, "block"));
    CHECK_FALSE(contains(status.out, "position"));
    expect_refused(db, {"randomization", "reveal", "--db", db, "--reason", "curious"},
                   {"sealed", "lock"});
    expect_refused(
        db, {"randomization", "reveal", "--db", db, "--participant", "T01", "--reason", "curious"},
        {"not randomized yet"});
    // The export's arm column stays empty until randomization.
    expect_exit(0, {"export", "--db", db, "--format", "csv", "--out", dir.file("x")});
    CHECK_FALSE(contains(test::read_file(dir.file("x/wide.csv")), "intervention"));
  }

  TEST_CASE("emergency unblinding is audited; after lock the list is revealed and writes refused") {
    temp_dir dir;
    const auto db = seeded_demo_db(dir, "t.db", "20161012");
    expect_exit(0, {"randomize", "--db", db, "--participant", "T01"});
    const auto before = audit_count(db);
    const auto u = expect_exit(0, {"randomization", "reveal", "--db", db, "--participant", "T01",
                                   "--reason", "serious adverse event"});
    CHECK(contains(u.out, "T01 was allocated to"));
    CHECK(audit_count(db) == before + 1);
    CHECK(str(audit_log(db).as_array().back(), "action") == "randomization.unblind");
    expect_exit(0, {"lock", "--db", db, "--reason", "end of trial"});
    expect_refused(db, {"randomize", "--db", db, "--participant", "T02"}, {"locked"});
    expect_refused(db, {"participant", "withdraw", "--db", db, "--code", "T03", "--reason", "x"},
                   {"locked"});
    const auto r =
        expect_exit(0, {"randomization", "reveal", "--db", db, "--reason", "final analysis"});
    CHECK(contains(r.out, "seed: 20161012"));
    CHECK(contains(r.out, "block_size"));
    CHECK(contains(r.out, "T01"));
    CHECK(str(audit_log(db).as_array().back(), "action") == "randomization.reveal");
  }

  TEST_CASE("wide.csv carries each participant's arm once randomized") {
    temp_dir dir;
    const auto db = seeded_demo_db(dir, "t.db", "20161012");
    expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
    expect_exit(0, {"export", "--db", db, "--format", "csv", "--out", dir.file("x")});
    const auto rows = test::parse_csv(test::read_file(dir.file("x/wide.csv")));
    const auto arms = arms_of(db);
    REQUIRE(rows.size() == 37);
    for (std::size_t i = 1; i < rows.size(); ++i) CHECK(rows[i][1] == arms.at(rows[i][0]));
  }

  TEST_CASE("concurrent processes never share a list position") {
    temp_dir dir;
    const auto config = write_config(dir, "forty.json", [](core::json& d) {
      d["planned_participants"] = 40;
      d["randomization"]["block_sizes"] = core::json::array{4};
    });
    const std::string db = dir.file("t.db");
    expect_exit(0, {"init", "--db", db, "--config", config, "--seed", "99"});
    std::string people =
        "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
    std::string answers = "participant,timepoint,instrument,item,value\n";
    for (int i = 1; i <= 40; ++i) {
      const std::string code = "C" + std::to_string(i);
      people += code + ",25,F,,yes,,,\n";
      answers += baseline_rows(code);
    }
    test::write_file(dir.file("p.csv"), people);
    test::write_file(dir.file("b.csv"), answers);
    expect_exit(0, {"participant", "import", "--db", db, "--csv", dir.file("p.csv")});
    expect_exit(0, {"outcome", "import", "--db", db, "--csv", dir.file("b.csv")});
    std::vector<std::future<test::run_result>> runs;
    for (int k = 0; k < 4; ++k) {
      runs.push_back(std::async(std::launch::async, [&db, k] {
        return run_cli({"randomize", "--db", db, "--all-eligible"});
      }));
    }
    for (auto& f : runs) {
      const auto r = f.get();
      INFO(r.err);
      CHECK(r.exit_code == 0);
    }
    const auto arms = arms_of(db);
    CHECK(arms.size() == 40);
    const auto s = status_of(db);
    CHECK(s.find("per_arm")->find("intervention")->as_int() == 20);
    CHECK(s.find("per_arm")->find("waitlist")->as_int() == 20);
    const auto v = expect_exit(0, {"randomization", "verify", "--db", db});
    CHECK(contains(v.out, "40 allocations checked"));
    // Every completed block of 4 holds two of each arm (list revealed after lock).
    expect_exit(0, {"lock", "--db", db});
    const auto reveal = expect_exit(0, {"randomization", "reveal", "--db", db, "--reason", "test"});
    std::map<std::string, std::map<std::string, int>> per_block;
    std::set<std::string> used_positions;
    std::size_t rows = 0;
    std::istringstream in(reveal.out);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream cells(line);
      std::string stratum, position, block, size, arm, who;
      if (!(cells >> stratum >> position >> block >> size >> arm >> who)) continue;
      if (stratum != "all") continue;
      ++rows;
      CHECK(used_positions.insert(position).second);
      ++per_block[block][arm];
    }
    CHECK(rows == 40);
    for (const auto& [block, counts] : per_block) {
      CAPTURE(block);
      CHECK(counts.at("intervention") == 2);
      CHECK(counts.at("waitlist") == 2);
    }
  }
}
