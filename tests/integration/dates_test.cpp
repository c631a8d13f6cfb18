// Real dates (issue 14, part 2): consent, assessment and withdrawal dates through the command
// line on a real SQLite file, and the assessment windows of a trial config with their warning,
// export flag and per-protocol exclusion. The Tongji calendar ends on 2017-03-15 (session 20).
#include "cli_harness.hpp"
#include "cli_steps.hpp"

#include "balint/core/json.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace balint;
using namespace balint::test::steps;
using balint::test::read_file;
using balint::test::run_cli;
using balint::test::temp_dir;

namespace {

/// The Tongji trial with windows: baseline on or before randomization, post within 4 weeks of
/// the programme's end (2017-03-15, so up to 2017-04-12).
std::string windowed_trial(const temp_dir& dir) {
  const auto config = write_config(dir, "windows.json", [](core::json& d) {
    auto& tps = d["timepoints"].as_array();
    tps[0]["window"] = core::parse_json(R"({"before": "randomization"})").value();
    tps[1]["window"] = core::parse_json(R"({"after": "programme-end", "within_weeks": 4})").value();
  });
  const std::string db = dir.file("t.db");
  expect_exit(0, {"init", "--db", db, "--config", config, "--seed", "11"});
  return db;
}

/// baseline_rows with an assessment_date column.
std::string dated_baseline(const std::string& code, const std::string& date) {
  std::string out;
  std::string rows = baseline_rows(code);
  std::size_t start = 0;
  while (start < rows.size()) {
    const auto end = rows.find('\n', start);
    out += rows.substr(start, end - start) + "," + date + "\n";
    start = end + 1;
  }
  return out;
}

const core::json* find_outcome(const core::json& list, const std::string& code,
                               const std::string& timepoint, const std::string& instrument) {
  for (const auto& o : list.as_array()) {
    if (str(o, "participant") == code && str(o, "timepoint") == timepoint &&
        str(o, "instrument") == instrument) {
      return &o;
    }
  }
  return nullptr;
}

}  // namespace

TEST_SUITE("dates") {
  TEST_CASE("consent, assessment and withdrawal dates are kept, checked and exported") {
    temp_dir dir;
    const auto db = windowed_trial(dir);
    const std::string header =
        "code,age,gender,specialty,consent,balint_knowledge,balint_times,available";

    // Consent dates: given, left out (today), in the future (refused, nothing written).
    expect_exit(0, {"participant", "add", "--db", db, "--code", "A1", "--age", "30", "--gender",
                    "F", "--consent", "yes", "--consent-date", "2016-10-01"});
    expect_refused(db,
                   {"participant", "add", "--db", db, "--code", "A2", "--age", "30", "--gender",
                    "F", "--consent", "yes", "--consent-date", "2999-01-01"},
                   {"--consent-date", "\"2999-01-01\" is in the future"});
    expect_refused(db,
                   {"participant", "add", "--db", db, "--code", "A2", "--age", "30", "--gender",
                    "F", "--consent", "yes", "--consent-date", "1 Oct 2016"},
                   {"--consent-date", "\"1 Oct 2016\" is not a date", "YYYY-MM-DD"});
    test::write_file(dir.file("p.csv"),
                     header + ",consent_date\nA2,31,M,,yes,,,,2016-10-02\n" + "A3,32,F,,yes,,,,\n");
    expect_exit(0, {"participant", "import", "--db", db, "--csv", dir.file("p.csv")});
    test::write_file(
        dir.file("bad.csv"),
        header + ",consent_date\nA4,31,M,,yes,,,,2016-10-02\nA5,31,M,,yes,,,,2999-01-01\n");
    expect_refused(db, {"participant", "import", "--db", db, "--csv", dir.file("bad.csv")},
                   {"participant A5", "in the future", "nothing was imported"});
    // A cell with a terminal escape is refused without echoing it.
    test::write_file(dir.file("esc.csv"), header + ",consent_date\nA6,31,M,,yes,,,,\x1b[31m1\n");
    const auto escaped =
        run_cli({"participant", "import", "--db", db, "--csv", dir.file("esc.csv")});
    CHECK(escaped.exit_code == 2);
    CHECK(contains(escaped.err, "consent_date given is not a date"));
    CHECK_FALSE(contains(escaped.err, "\x1b"));
    const auto people = participants_json(db);
    REQUIRE(people.as_array().size() == 3);
    CHECK(str(people.as_array()[0], "consent_date") == "2016-10-01");
    CHECK(str(people.as_array()[1], "consent_date") == "2016-10-02");
    CHECK(str(people.as_array()[2], "consent_date").size() == 10);  // today, wherever that is

    // Assessment dates: a baseline before consent is refused; the rows of one questionnaire
    // must agree; dated baselines go in.
    test::write_file(dir.file("early.csv"),
                     "participant,timepoint,instrument,item,value,assessment_date\n" +
                         dated_baseline("A1", "2016-09-30"));
    expect_refused(db, {"outcome", "import", "--db", db, "--csv", dir.file("early.csv")},
                   {"assessment_date", "is before participant A1's consent date (2016-10-01)"});
    std::string mixed = "participant,timepoint,instrument,item,value,assessment_date\n" +
                        dated_baseline("A1", "2016-10-05");
    mixed.replace(mixed.rfind("2016-10-05"), 10, "2016-10-06");
    test::write_file(dir.file("mixed.csv"), mixed);
    expect_refused(db, {"outcome", "import", "--db", db, "--csv", dir.file("mixed.csv")},
                   {"assessment_date", "differs from line"});
    test::write_file(dir.file("base.csv"),
                     "participant,timepoint,instrument,item,value,assessment_date\n" +
                         dated_baseline("A1", "2016-10-05") + dated_baseline("A2", "2016-10-05") +
                         dated_baseline("A3", ""));
    expect_exit(0, {"outcome", "import", "--db", db, "--csv", dir.file("base.csv")});

    // Randomized today; the baselines lie before it: inside.
    expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
    expect_exit(0, {"schedule", "generate", "--db", db});

    // Post questionnaires: inside the window, and outside it (a warning, accepted).
    const std::string msq = repeat_items("4", 20);
    auto inside =
        expect_exit(0, {"outcome", "record", "--db", db, "--participant", "A1", "--timepoint",
                        "post", "--instrument", "msq", "--items", msq, "--date", "2017-04-12"});
    CHECK(contains(inside.out, "; answered on 2017-04-12"));
    CHECK_FALSE(contains(inside.err, "warning"));
    const auto before = audit_count(db);
    auto outside =
        expect_exit(0, {"outcome", "record", "--db", db, "--participant", "A2", "--timepoint",
                        "post", "--instrument", "msq", "--items", msq, "--date", "2017-04-13"});
    CHECK(audit_count(db) == before + 1);
    CHECK(contains(outside.err,
                   "warning: participant A2's msq at post was answered on "
                   "2017-04-13, outside its window (from the end of the programme "
                   "to 4 weeks after it)"));
    expect_refused(db,
                   {"outcome", "record", "--db", db, "--participant", "A3", "--timepoint", "post",
                    "--instrument", "msq", "--items", msq, "--date", "2999-01-01"},
                   {"--date", "in the future"});

    const auto list =
        parse_json_output(expect_exit(0, {"outcome", "list", "--db", db, "--format", "json"}));
    const auto* a1_pre = find_outcome(list, "A1", "pre", "mbi-hss");
    const auto* a1_post = find_outcome(list, "A1", "post", "msq");
    const auto* a2_post = find_outcome(list, "A2", "post", "msq");
    REQUIRE(a1_pre != nullptr);
    REQUIRE(a1_post != nullptr);
    REQUIRE(a2_post != nullptr);
    CHECK(str(*a1_pre, "assessment_date") == "2016-10-05");
    CHECK(str(*a1_pre, "window") == "inside");
    CHECK(str(*a1_post, "window") == "inside");
    CHECK(str(*a2_post, "window") == "outside");

    // A correction keeps the date unless given, and a date alone is a correction too.
    expect_exit(0, {"outcome", "record", "--db", db, "--participant", "A2", "--timepoint", "post",
                    "--instrument", "msq", "--items", msq, "--date", "2017-04-10", "--reason",
                    "date misread from the form"});
    const auto log = audit_log(db);
    const auto& fix = log.as_array().back();
    CHECK(str(fix, "action") == "outcome.correct");
    CHECK(str(audit_value(fix, "before"), "assessment_date") == "2017-04-13");
    CHECK(str(audit_value(fix, "after"), "assessment_date") == "2017-04-10");

    // Withdrawal: date and category checked, kept, shown.
    expect_refused(db,
                   {"participant", "withdraw", "--db", db, "--code", "A3", "--reason", "moved",
                    "--category", "bored"},
                   {"category", "\"bored\" is not known", "lost-to-follow-up"});
    expect_refused(db,
                   {"participant", "withdraw", "--db", db, "--code", "A1", "--reason", "moved",
                    "--date", "2016-09-01"},
                   {"--date", "before participant A1's consent date (2016-10-01)"});
    expect_exit(0, {"participant", "withdraw", "--db", db, "--code", "A1", "--reason", "moved",
                    "--date", "2017-05-01", "--category", "left-the-hospital"});
    // Messages give the day they left, not the moment it was typed.
    expect_refused(db,
                   {"outcome", "record", "--db", db, "--participant", "A1", "--timepoint", "post",
                    "--instrument", "mbi-hss", "--items", repeat_items("1", 22)},
                   {"withdrew from the trial on 2017-05-01;"});
    const auto after = participants_json(db);
    CHECK(str(after.as_array()[0], "withdrawal_date") == "2017-05-01");
    CHECK(str(after.as_array()[0], "withdrawal_category") == "left-the-hospital");

    // The export carries the dates and the windows.
    expect_exit(0, {"export", "--db", db, "--format", "csv", "--out", dir.file("out")});
    const auto assessments = read_file(dir.file("out/assessments.csv"));
    CHECK(assessments.rfind("participant,timepoint,instrument,assessment_date,window\n", 0) == 0);
    CHECK(contains(assessments, "A1,pre,mbi-hss,2016-10-05,inside\n"));
    CHECK(contains(assessments, "A1,post,msq,2017-04-12,inside\n"));
    CHECK(contains(assessments, "A2,post,msq,2017-04-10,inside\n"));
    const auto exported = read_file(dir.file("out/participants.csv"));
    CHECK(contains(exported, "A1,"));
    CHECK(contains(exported, ",2016-10-01,"));
    CHECK(contains(exported, ",withdrawn,2017-05-01,left-the-hospital\n"));
    const auto items = read_file(dir.file("out/items.csv"));
    CHECK(items.rfind("participant,timepoint,instrument,item,value,assessment_date\n", 0) == 0);
    CHECK(contains(items, "A1,pre,mbi-hss,1,2,2016-10-05\n"));
    const auto codebook = read_file(dir.file("out/codebook.csv"));
    CHECK(contains(codebook, "withdrawal_category"));
    CHECK(contains(codebook, "post: from the end of the programme to 4 weeks after it"));
  }

  TEST_CASE("a questionnaire outside its window leaves the participant out of per-protocol only") {
    temp_dir dir;
    const auto db = windowed_trial(dir);
    std::string people =
        "code,age,gender,specialty,consent,balint_knowledge,balint_times,"
        "available,consent_date\n";
    std::string answers = "participant,timepoint,instrument,item,value,assessment_date\n";
    for (int k = 1; k <= 8; ++k) {
      const std::string code = "W" + std::to_string(k);
      people += code + ",30,F,,yes,,,workday-noon;workday-evening;weekend,2016-10-01\n";
      answers += dated_baseline(code, "2016-10-05");
    }
    test::write_file(dir.file("p.csv"), people);
    test::write_file(dir.file("b.csv"), answers);
    expect_exit(0, {"participant", "import", "--db", db, "--csv", dir.file("p.csv")});
    expect_exit(0, {"outcome", "import", "--db", db, "--csv", dir.file("b.csv")});
    expect_exit(0, {"randomize", "--db", db, "--all-eligible"});
    expect_exit(0, {"schedule", "generate", "--db", db});
    const auto arms = arms_of(db);
    // Post questionnaires: W1 late (outside), the others inside; imported with a warning.
    std::string post = "participant,timepoint,instrument,item,value,assessment_date\n";
    for (int k = 1; k <= 8; ++k) {
      const std::string code = "W" + std::to_string(k);
      const std::string date = k == 1 ? "2017-06-01" : "2017-04-01";
      for (int i = 1; i <= 22; ++i) {
        post += code + ",post,mbi-hss," + std::to_string(i) + "," + std::to_string(k % 3) + "," +
                date + "\n";
      }
      for (int i = 1; i <= 20; ++i) {
        post += code + ",post,msq," + std::to_string(i) + "," + std::to_string(1 + k % 5) + "," +
                date + "\n";
      }
    }
    test::write_file(dir.file("post.csv"), post);
    const auto imported =
        expect_exit(0, {"outcome", "import", "--db", db, "--csv", dir.file("post.csv")});
    CHECK(contains(imported.err, "warning: 2 of them were answered outside"));
    CHECK(contains(imported.err, "participant W1's mbi-hss at post was answered on 2017-06-01"));

    const auto itt = parse_json_output(expect_exit(0, {"analyze", "--db", db, "--format", "json"}));
    const auto pp =
        parse_json_output(expect_exit(0, {"analyze", "--db", db, "--format", "json", "--population",
                                          "per-protocol", "--required-sessions", "0"}));
    std::int64_t with_w1 = 0;
    for (const auto& [code, arm] : arms) with_w1 += arm == arms.at("W1") ? 1 : 0;
    CHECK(itt.find("n")->find(arms.at("W1"))->as_int() == with_w1);
    CHECK(pp.find("n")->find(arms.at("W1"))->as_int() == with_w1 - 1);
    CHECK(pp.find("excluded_outside_window")->as_int() == 1);
    CHECK(itt.find("excluded_outside_window")->as_int() == 0);
  }
}
