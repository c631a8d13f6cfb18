// Instruments as data through the command line (issue 14, part 1): a trial whose questionnaires
// are not built in (PHQ-9 and GAD-7 from files, a made-up one written in the config), the
// instrument commands, and refusals that name the JSON path in the file the user wrote.

#include "cli_harness.hpp"

#include "balint/core/json.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using balint::test::file_exists;
using balint::test::read_file;
using balint::test::run_cli;
using balint::test::run_result;
using balint::test::run_sql;
using balint::test::source_path;
using balint::test::temp_dir;
using balint::test::write_file;

namespace fs = std::filesystem;
namespace core = balint::core;

namespace {

/// docs/examples/wellbeing-study.json with the example instruments beside it, in `dir`.
std::string wellbeing_config(const temp_dir& dir) {
  fs::create_directories(dir.path() / "instruments");
  for (const char* name : {"phq-9.json", "gad-7.json"}) {
    fs::copy_file(source_path(std::string("docs/examples/instruments/") + name),
                  dir.path() / "instruments" / name);
  }
  const std::string config = dir.file("wellbeing-study.json");
  fs::copy_file(source_path("docs/examples/wellbeing-study.json"), config);
  return config;
}

/// The config of `wellbeing_config` with its "instruments" list replaced by `list` (JSON).
std::string config_with_instruments(const temp_dir& dir, const std::string& list) {
  auto doc = core::parse_json(read_file(wellbeing_config(dir)));
  REQUIRE(doc.has_value());
  auto with = core::parse_json(list);
  REQUIRE(with.has_value());
  (*doc)["instruments"] = *with;
  const std::string path = dir.file("config.json");
  write_file(path, doc->dump_pretty());
  return path;
}

void check_refused(const run_result& r, const std::string& field, const std::string& words) {
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(r.err.find(field) != std::string::npos, r.err);
  CHECK_MESSAGE(r.err.find(words) != std::string::npos, r.err);
}

}  // namespace

TEST_SUITE("instruments on the command line") {
  TEST_CASE("a trial of PHQ-9 and GAD-7 read from files, scored as worked out by hand") {
    temp_dir dir;
    const std::string db = dir.file("w.db");
    auto r = run_cli({"init", "--db", db, "--config", wellbeing_config(dir), "--seed", "7"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("instruments: phq-9, gad-7, satisfaction") != std::string::npos);

    // The trial stored the definitions themselves: the files may go.
    fs::remove_all(dir.path() / "instruments");
    r = run_cli({"instrument", "list", "--db", db});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("phq-9") != std::string::npos);
    CHECK(r.out.find("Patient Health Questionnaire-9") != std::string::npos);
    CHECK(r.out.find("gad-7") != std::string::npos);
    CHECK(run_sql(db, "SELECT id FROM instrument ORDER BY id").out ==
          "gad-7\nphq-9\nsatisfaction\n");

    REQUIRE(run_cli({"participant", "add", "--db", db, "--code", "R001", "--age", "27", "--gender",
                     "F", "--consent", "yes"})
                .exit_code == 0);
    // 1+2+0+3+1+1+2+0+0 = 10: at the cut-off of 10, band "moderate".
    r = run_cli({"outcome", "record", "--db", db, "--participant", "R001", "--timepoint", "pre",
                 "--instrument", "phq-9", "--items", "1,2,0,3,1,1,2,0,0"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("total=10* (moderate)") != std::string::npos);
    // 2+1+1+1+0+0+0 = 5: "mild", under the cut-off.
    r = run_cli({"outcome", "record", "--db", db, "--participant", "R001", "--timepoint", "pre",
                 "--instrument", "gad-7", "--items", "2,1,1,1,0,0,0"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("total=5 (mild)") != std::string::npos);
    // 4 is not an answer of PHQ-9 (0-3): refused, naming the item.
    r = run_cli({"outcome", "record", "--db", db, "--participant", "R001", "--timepoint", "post",
                 "--instrument", "phq-9", "--items", "1,2,0,4,1,1,2,0,0"});
    check_refused(r, "item 4", "allowed: 0-3");

    // The JSON view carries the band too.
    r = run_cli({"outcome", "list", "--db", db, "--format", "json"});
    REQUIRE(r.exit_code == 0);
    auto list = core::parse_json(r.out);
    REQUIRE(list.has_value());
    const auto& first = list->as_array().at(0);
    CHECK(first.find("scores")->find("total")->find("band")->as_string() == "moderate");
  }

  TEST_CASE("a definition written in the config itself, with reverse items and prorating") {
    temp_dir dir;
    const std::string made_up = read_file(source_path("tests/data/instruments/team-climate.json"));
    const std::string config = config_with_instruments(dir, R"([{"file": "instruments/phq-9.json"},
            {"file": "instruments/gad-7.json"}, "satisfaction", )" +
                                                                made_up + "]");
    const std::string db = dir.file("t.db");
    auto r = run_cli({"init", "--db", db, "--config", config, "--seed", "1"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    REQUIRE(run_cli({"participant", "add", "--db", db, "--code", "R001", "--age", "30", "--gender",
                     "M", "--consent", "yes"})
                .exit_code == 0);
    // The trial stored the made-up definition as written in its config.
    r = run_cli({"instrument", "show", "team-climate", "--db", db});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("Reverse-scored items: 2, 5 (an answer v counts as 6 - v)") !=
          std::string::npos);
    CHECK(r.out.find("up to 1 missing item per subscale are prorated") != std::string::npos);
    CHECK(r.out.find("mean of 4-6") != std::string::npos);
    r = run_cli({"instrument", "show", "team-climate", "--db", db, "--language", "zh"});
    CHECK(r.out.find("压力") != std::string::npos);
  }

  TEST_CASE("instrument list, show and validate") {
    auto r = run_cli({"instrument", "list"});
    REQUIRE(r.exit_code == 0);
    for (const char* id : {"mbi-hss", "msq", "satisfaction", "achievements", "willingness"}) {
      CHECK_MESSAGE(r.out.find(id) != std::string::npos, id);
    }
    CHECK(r.out.find("phq-9") == std::string::npos);  // not built in

    r = run_cli({"instrument", "show", "mbi-hss"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("sum of 1-3, 6, 8, 13-14, 16, 20") != std::string::npos);  // EE
    CHECK(r.out.find("<= 33 low personal accomplishment") != std::string::npos);
    CHECK(r.out.find("Item wording: none (item numbers only)") != std::string::npos);

    r = run_cli({"instrument", "show", source_path("docs/examples/instruments/phq-9.json"),
                 "--language", "zh"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("2 = 一半以上的天数") != std::string::npos);
    // Chinese characters take two columns: the label column is as wide as
    // "抑郁症状（PHQ-9总分）" is on a terminal (21), so the header pads "label" by 16 + 2.
    CHECK(r.out.find("label" + std::string(18, ' ') + "score") != std::string::npos);
    CHECK(r.out.find("15 中重度") != std::string::npos);

    // A copy: opening a database brings its schema up to date.
    temp_dir dir;
    fs::copy_file(source_path("tests/data/fixture/v1.db"), dir.path() / "v1.db");
    r = run_cli({"instrument", "show", "gad-7", "--format", "json", "--db", dir.file("v1.db")});
    CHECK(r.exit_code == 2);  // the fixture trial has no GAD-7
    CHECK(r.err.find("allowed: achievements, mbi-hss, msq, satisfaction or willingness") !=
          std::string::npos);

    r = run_cli({"instrument", "validate", source_path("docs/examples/instruments/gad-7.json")});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("a valid instrument definition") != std::string::npos);
    CHECK(r.out.find("7 items answered 0-3; subscales: total") != std::string::npos);
  }

  TEST_CASE("broken definitions are refused with the JSON path, and nothing is set up") {
    temp_dir dir;
    SUBCASE("a subscale naming an item the instrument does not have, in a file") {
      const std::string bad = dir.file("bad.json");
      std::string text = read_file(source_path("docs/examples/instruments/gad-7.json"));
      text.replace(text.find("[1, 2, 3, 4, 5, 6, 7]"), 21, "[1, 2, 3, 4, 5, 6, 8]");
      write_file(bad, text);
      check_refused(run_cli({"instrument", "validate", bad}), "$.subscales[0].items[6]",
                    "lists item 8; allowed: item numbers 1-7");
      // The same file referenced by a trial config: the path is the config's.
      const std::string config =
          config_with_instruments(dir, R"(["satisfaction", {"file": "bad.json"}])");
      const std::string db = dir.file("t.db");
      check_refused(run_cli({"init", "--db", db, "--config", config}), "$.instruments[1].file",
                    "bad.json, at $.subscales[0].items[6]: subscale total of gad-7 lists item 8");
      CHECK_FALSE(file_exists(db));
    }
    SUBCASE("a label for an answer outside the scale, written in the config") {
      const std::string config = config_with_instruments(dir, R"([{"id": "x", "name": "X",
          "version": "1", "copyright": "none", "items": 2, "scale": {"min": 0, "max": 3,
          "labels": {"4": "always"}}, "missing_policy": {"rule": "any-missing"},
          "subscales": [{"id": "t", "label": "T", "items": [1, 2]}]}])");
      check_refused(run_cli({"init", "--db", dir.file("t.db"), "--config", config}),
                    R"($.instruments[0].scale.labels["4"])", "allowed: 0-3");
    }
    SUBCASE("duplicate ids: the same instrument twice") {
      const std::string config =
          config_with_instruments(dir, R"([{"file": "instruments/phq-9.json"}, "satisfaction",
              {"file": "instruments/phq-9.json"}])");
      check_refused(run_cli({"init", "--db", dir.file("t.db"), "--config", config}),
                    "$.instruments[2]", "listed twice");
    }
    SUBCASE("a schema breach inside an inline definition") {
      const std::string config = config_with_instruments(dir, R"([{"id": "x", "name": "X",
          "version": "1", "copyright": "none", "items": 2, "scale": {"min": 0, "max": 3},
          "scoring": "median", "missing_policy": {"rule": "any-missing"},
          "subscales": [{"id": "t", "label": "T", "items": [1, 2]}]}])");
      check_refused(run_cli({"init", "--db", dir.file("t.db"), "--config", config}),
                    "$.instruments[0].scoring", "\"median\"");
    }
    SUBCASE("an instrument that is neither built in nor defined") {
      const std::string config = config_with_instruments(dir, R"(["ghq-12"])");
      check_refused(run_cli({"init", "--db", dir.file("t.db"), "--config", config}),
                    "$.instruments[0]", "instrument \"ghq-12\" is not known");
    }
    SUBCASE("a file entry with more than the file") {
      const std::string config =
          config_with_instruments(dir, R"([{"file": "instruments/phq-9.json", "note": "ours"}])");
      check_refused(run_cli({"init", "--db", dir.file("t.db"), "--config", config}),
                    "$.instruments[0]", "and nothing else");
    }
    SUBCASE("a file that is not there") {
      const std::string config = config_with_instruments(dir, R"([{"file": "nope.json"}])");
      check_refused(run_cli({"init", "--db", dir.file("t.db"), "--config", config}),
                    "$.instruments[0].file", "nope.json");
    }
    CHECK_FALSE(file_exists(dir.file("t.db")));
  }
}
