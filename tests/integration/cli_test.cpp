// Black-box tests of the balint-trial command line (issue 3): the real executable against a real
// SQLite file in a fresh temporary folder per test. Only stdout, stderr, exit codes, exported
// files and the database file itself (through the sqlite3 shell) are looked at.

#include "cli_harness.hpp"
#include "cli_steps.hpp"

#include "balint/core/json.hpp"
#include "balint/core/sha256.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace balint;
using balint::test::run_cli;
using balint::test::run_result;
using balint::test::temp_dir;
using namespace balint::test::steps;

namespace {

const std::string wide_header =
    "id,arm,age,gender,ee_pre,ee_post,dp_pre,dp_post,pa_pre,pa_post,msq_pre,msq_post,"
    "sessions_attended";
const std::string participants_header =
    "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
const std::string outcomes_header = "participant,timepoint,instrument,item,value\n";

/// Answers of the demo baseline: participant -> instrument -> item -> value (nullopt = empty).
using answers = std::map<std::string, std::map<std::string, std::map<int, std::optional<int>>>>;

answers read_baseline() {
  const auto rows = test::parse_csv(test::read_file(demo_baseline()));
  REQUIRE(rows.size() > 1);
  const auto& h = rows.front();
  const auto cp = test::column(h, "participant"), ct = test::column(h, "timepoint"),
             ci = test::column(h, "instrument"), cn = test::column(h, "item"),
             cv = test::column(h, "value");
  answers a;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    REQUIRE(r[ct] == "pre");
    a[r[cp]][r[ci]][std::stoi(r[cn])] =
        r[cv].empty() ? std::nullopt : std::optional<int>(std::stoi(r[cv]));
  }
  return a;
}

/// Sum of the given items, or nullopt when any is missing (the default missing-item policy).
std::optional<int> sum_items(const std::map<int, std::optional<int>>& items,
                             const std::vector<int>& keys) {
  int sum = 0;
  for (int k : keys) {
    const auto it = items.find(k);
    if (it == items.end() || !it->second) return std::nullopt;
    sum += *it->second;
  }
  return sum;
}

/// The cell as a number equals `expected`, or the cell is empty when `expected` is missing.
void check_score(const std::string& cell, const std::optional<int>& expected,
                 const std::string& what) {
  INFO(what << ": cell \"" << cell << "\"");
  if (!expected) {
    CHECK(cell.empty());
    return;
  }
  REQUIRE_FALSE(cell.empty());
  std::size_t used = 0;
  const double v = std::stod(cell, &used);
  CHECK(used == cell.size());
  CHECK(v == doctest::Approx(*expected));
}

/// Would a spreadsheet run this cell as a formula? (Plain numbers such as -3 are harmless.)
bool formula_like(const std::string& cell) {
  if (cell.empty()) return false;
  const char c = cell.front();
  if (c != '=' && c != '+' && c != '-' && c != '@' && c != '\t' && c != '\r') return false;
  if (c == '-' || c == '+') {
    std::size_t used = 0;
    try {
      (void)std::stod(cell, &used);
      return used != cell.size();
    } catch (...) {
      return true;
    }
  }
  return true;
}

std::size_t formula_cells(const std::string& csv_text, std::string& example) {
  std::size_t n = 0;
  for (const auto& row : test::parse_csv(csv_text)) {
    for (const auto& cell : row) {
      if (formula_like(cell)) {
        ++n;
        example = cell;
      }
    }
  }
  return n;
}

// The subscales of the instruments (DESIGN.md), keyed here independently of the program.
const std::vector<int> ee_items = {1, 2, 3, 6, 8, 13, 14, 16, 20};
const std::vector<int> dp_items = {5, 10, 11, 15, 22};
const std::vector<int> pa_items = {4, 7, 9, 12, 17, 18, 19, 21};
const std::vector<int> msq_items = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                    11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

}  // namespace

TEST_SUITE("cli") {
  // --- 1. the "Done when" scenario --------------------------------------------------

  TEST_CASE(
      "export after importing the demo trial writes a wide CSV whose pre scores are the sums of "
      "the imported items") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const auto out_dir = dir.file("export");
    expect_exit(0, {"export", "--db", db, "--format", "csv", "--out", out_dir});
    REQUIRE(test::file_exists(out_dir + "/items.csv"));
    REQUIRE(test::file_exists(out_dir + "/codebook.csv"));

    const std::string wide_text = test::read_file(out_dir + "/wide.csv");
    CHECK(wide_text.substr(0, wide_text.find_first_of("\r\n")) == wide_header);
    const auto rows = test::parse_csv(wide_text);
    REQUIRE(rows.size() == 37);
    const auto& h = rows.front();

    // Age and gender as enrolled.
    std::map<std::string, std::vector<std::string>> enrolled;
    const auto people = test::parse_csv(test::read_file(demo_participants()));
    for (std::size_t i = 1; i < people.size(); ++i) enrolled[people[i][0]] = people[i];

    const auto baseline = read_baseline();
    REQUIRE(baseline.size() == 36);
    std::set<std::string> seen;
    for (std::size_t i = 1; i < rows.size(); ++i) {
      const auto& r = rows[i];
      REQUIRE(r.size() == h.size());
      const std::string id = r[test::column(h, "id")];
      INFO("participant " << id);
      seen.insert(id);
      REQUIRE(enrolled.count(id) == 1);
      CHECK(r[test::column(h, "arm")].empty());
      CHECK(r[test::column(h, "age")] == enrolled[id][1]);
      CHECK(r[test::column(h, "gender")] == enrolled[id][2]);
      REQUIRE(baseline.count(id) == 1);
      const auto& mbi = baseline.at(id).at("mbi-hss");
      const auto& msq = baseline.at(id).at("msq");
      check_score(r[test::column(h, "ee_pre")], sum_items(mbi, ee_items), "ee_pre");
      check_score(r[test::column(h, "dp_pre")], sum_items(mbi, dp_items), "dp_pre");
      check_score(r[test::column(h, "pa_pre")], sum_items(mbi, pa_items), "pa_pre");
      check_score(r[test::column(h, "msq_pre")], sum_items(msq, msq_items), "msq_pre");
      for (const auto* post : {"ee_post", "dp_post", "pa_post", "msq_post"}) {
        CHECK(r[test::column(h, post)].empty());
      }
    }
    CHECK(seen.size() == 36);
  }

  TEST_CASE(
      "audit verify says ok on an untouched trail and exits 1 naming the entry an intruder "
      "changed") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const auto ok = expect_exit(0, {"audit", "verify", "--db", db});
    CHECK(contains(ok.out, "ok"));

    // The trigger refuses the change while it is there.
    const auto blocked =
        test::run_sqlite(db, "UPDATE audit_entry SET actor='mallory' WHERE seq=2;");
    CHECK(blocked.exit_code != 0);
    expect_exit(0, {"audit", "verify", "--db", db});

    const auto tamper = test::run_sqlite(
        db,
        "DROP TRIGGER audit_entry_no_update; UPDATE audit_entry SET actor='mallory' WHERE seq=2;");
    REQUIRE_MESSAGE(tamper.exit_code == 0, tamper.err);
    const auto broken = run_cli({"audit", "verify", "--db", db});
    INFO("stdout:\n" << broken.out << "\nstderr:\n" << broken.err);
    CHECK(broken.exit_code == 1);
    CHECK(names_entry(broken.out + broken.err, 2));
  }

  TEST_CASE("audit verify exits 1 when an intruder changes an entry and overwrites its hash") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const auto tamper = test::run_sqlite(
        db, "DROP TRIGGER audit_entry_no_update; UPDATE audit_entry SET actor='mallory', hash='" +
                std::string(64, 'a') + "' WHERE seq=2;");
    REQUIRE_MESSAGE(tamper.exit_code == 0, tamper.err);
    const auto broken = run_cli({"audit", "verify", "--db", db});
    INFO("stdout:\n" << broken.out << "\nstderr:\n" << broken.err);
    CHECK(broken.exit_code == 1);
    CHECK((names_entry(broken.out + broken.err, 2) || names_entry(broken.out + broken.err, 3)));
  }

  TEST_CASE(
      "audit verify exits 1 naming the entry when an intruder recomputes the changed entry's hash "
      "correctly") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const auto log = audit_log(db);
    REQUIRE(log.as_array().size() == 3);
    const auto& first = log.as_array()[0];
    const auto& second = log.as_array()[1];

    // The canonical entry of include/balint/app/audit.hpp: sorted-key JSON of these fields.
    auto canonical = [&](const std::string& actor) {
      core::json j;
      for (const auto* key : {"seq", "at", "action", "entity", "before", "after", "reason"}) {
        const auto* v = second.find(key);
        REQUIRE(v != nullptr);
        // The log shows before/after as JSON values; the hash covers their canonical text.
        const bool stored_as_text = std::string(key) == "before" || std::string(key) == "after";
        j[key] = stored_as_text && !v->is_null() ? core::json(v->dump()) : *v;
      }
      j["actor"] = actor;
      return j.dump();
    };
    const std::string prev = str(first, "hash");
    // The forgery is only meaningful if the intruder's recipe reproduces the stored hash.
    REQUIRE(core::sha256_hex(prev + canonical(str(second, "actor"))) == str(second, "hash"));
    const std::string forged = core::sha256_hex(prev + canonical("mallory"));

    const auto tamper = test::run_sqlite(
        db, "DROP TRIGGER audit_entry_no_update; UPDATE audit_entry SET actor='mallory', hash='" +
                forged + "' WHERE seq=2;");
    REQUIRE_MESSAGE(tamper.exit_code == 0, tamper.err);
    const auto broken = run_cli({"audit", "verify", "--db", db});
    INFO("stdout:\n" << broken.out << "\nstderr:\n" << broken.err);
    CHECK(broken.exit_code == 1);
    CHECK(names_entry(broken.out + broken.err, 2));
  }

  TEST_CASE(
      "audit verify exits 1 naming the missing entry when an intruder deletes an entry in the "
      "middle") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const auto tamper = test::run_sqlite(
        db, "DROP TRIGGER audit_entry_no_delete; DELETE FROM audit_entry WHERE seq=2;");
    REQUIRE_MESSAGE(tamper.exit_code == 0, tamper.err);
    const auto broken = run_cli({"audit", "verify", "--db", db});
    INFO("stdout:\n" << broken.out << "\nstderr:\n" << broken.err);
    CHECK(broken.exit_code == 1);
    CHECK(names_entry(broken.out + broken.err, 2));
  }

  // --- 2. bad input: exit 2, a message naming the field and what is allowed, nothing changed --

  TEST_CASE("the database fingerprint used by the refusal tests sees every accepted write") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const auto first = test::db_fingerprint(db);
    CHECK(contains(first, "INSERT INTO"));
    CHECK(test::db_fingerprint(db) == first);  // reading changes nothing
    expect_exit(0, {"participant", "add", "--db", db, "--code", "N01", "--age", "30", "--gender",
                    "M", "--consent", "yes", "--beyond-plan"});
    const bool changed = test::db_fingerprint(db) != first;
    CHECK(changed);
  }

  TEST_CASE(
      "participant add refuses ineligible or malformed participants and leaves the database "
      "unchanged") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const std::vector<std::string> base = {"participant", "add", "--db", db, "--code", "N01"};
    auto with = [&](std::vector<std::string> extra) {
      auto args = base;
      args.insert(args.end(), extra.begin(), extra.end());
      return args;
    };
    SUBCASE("age below the eligible range") {
      expect_refused(db, with({"--age", "17", "--gender", "F", "--consent", "yes"}),
                     {"age", "17", "18-45"});
    }
    SUBCASE("age above the eligible range") {
      expect_refused(db, with({"--age", "46", "--gender", "F", "--consent", "yes"}),
                     {"age", "46", "18-45"});
    }
    SUBCASE("gender outside M|F") {
      expect_refused(db, with({"--age", "30", "--gender", "X", "--consent", "yes"}),
                     {"gender", "X", "M", "F"});
    }
    SUBCASE("no consent") {
      expect_refused(db, with({"--age", "30", "--gender", "F", "--consent", "no"}),
                     {"consent", "no", "yes"});
    }
    SUBCASE("balint knowledge outside 1-5") {
      expect_refused(
          db, with({"--age", "30", "--gender", "F", "--consent", "yes", "--balint-knowledge", "7"}),
          {"knowledge", "7", "1-5"});
    }
    SUBCASE("availability outside the trial's options") {
      expect_refused(db,
                     with({"--age", "30", "--gender", "F", "--consent", "yes", "--available",
                           "sunday-morning"}),
                     {"sunday-morning", "workday-noon", "weekend"});
    }
    SUBCASE("unknown option") {
      expect_refused(db, with({"--age", "30", "--gender", "F", "--consent", "yes", "--bogus", "1"}),
                     {"--bogus", "--code"});
    }
  }

  TEST_CASE("participant add refuses a code that is already enrolled") {
    temp_dir dir;
    const auto db = demo_db(dir);
    expect_refused(db,
                   {"participant", "add", "--db", db, "--code", "T01", "--age", "30", "--gender",
                    "F", "--consent", "yes"},
                   {"code", "T01"});
    CHECK(participants_json(db).as_array().size() == 36);
  }

  TEST_CASE("participant import of 500 good rows and a bad last row imports nothing") {
    temp_dir dir;
    const auto db = demo_db(dir);
    std::string csv = participants_header;
    for (int i = 1; i <= 500; ++i) {
      csv += "P" + std::to_string(1000 + i) + ",30,F,surgery,yes,1,1,weekend\n";
    }
    SUBCASE("ineligible age in the last row") {
      test::write_file(dir.file("people.csv"), csv + "P9999,17,M,surgery,yes,1,1,weekend\n");
      expect_refused(db, {"participant", "import", "--db", db, "--csv", dir.file("people.csv")},
                     {"age", "17", "18-45"});
    }
    SUBCASE("bad gender in the last row") {
      test::write_file(dir.file("people.csv"), csv + "P9999,30,X,surgery,yes,1,1,weekend\n");
      expect_refused(db, {"participant", "import", "--db", db, "--csv", dir.file("people.csv")},
                     {"gender", "X"});
    }
    SUBCASE("an already enrolled code in the last row") {
      test::write_file(dir.file("people.csv"), csv + "T05,30,M,surgery,yes,1,1,weekend\n");
      expect_refused(db, {"participant", "import", "--db", db, "--csv", dir.file("people.csv")},
                     {"code", "T05"});
    }
    SUBCASE("a code repeated within the file") {
      test::write_file(dir.file("people.csv"), csv + "P1001,30,M,surgery,yes,1,1,weekend\n");
      expect_refused(db, {"participant", "import", "--db", db, "--csv", dir.file("people.csv")},
                     {"P1001"});
    }
    CHECK(participants_json(db).as_array().size() == 36);
  }

  TEST_CASE(
      "outcome record refuses bad answers, unknown participants, instruments and time points") {
    temp_dir dir;
    const auto db = demo_db(dir);
    auto record = [&](const std::string& participant, const std::string& timepoint,
                      const std::string& instrument, const std::string& items) {
      return std::vector<std::string>{"outcome",       "record",    "--db",        db,
                                      "--participant", participant, "--timepoint", timepoint,
                                      "--instrument",  instrument,  "--items",     items};
    };
    SUBCASE("an mbi-hss answer of 9") {
      expect_refused(db, record("T01", "post", "mbi-hss", "9," + repeat_items("1", 21)),
                     {"item 1", "9", "0-6"});
    }
    SUBCASE("an msq answer of 0") {
      expect_refused(db, record("T01", "post", "msq", repeat_items("3", 19) + ",0"),
                     {"item 20", "0", "1-5"});
    }
    SUBCASE("too few answers") {
      expect_refused(db, record("T01", "post", "mbi-hss", "1,2,3"), {"items", "22", "3"});
    }
    SUBCASE("too many answers") {
      expect_refused(db, record("T01", "post", "msq", repeat_items("3", 21)),
                     {"items", "20", "21"});
    }
    SUBCASE("an unknown participant") {
      expect_refused(db, record("ZZ99", "post", "mbi-hss", repeat_items("1", 22)),
                     {"participant", "ZZ99"});
    }
    SUBCASE("an unknown instrument") {
      expect_refused(db, record("T01", "post", "phq-9", repeat_items("1", 9)),
                     {"instrument", "phq-9", "mbi-hss", "msq"});
    }
    SUBCASE("an unknown time point") {
      expect_refused(db, record("T01", "during", "mbi-hss", repeat_items("1", 22)),
                     {"during", "pre", "post"});
    }
  }

  TEST_CASE("outcome import with one bad row among many imports nothing") {
    temp_dir dir;
    const std::string db = dir.file("trial.db");
    expect_exit(0, {"init", "--db", db});
    expect_exit(0, {"participant", "import", "--db", db, "--csv", demo_participants()});
    std::string good = test::read_file(demo_baseline());
    if (!good.empty() && good.back() != '\n') good += '\n';
    // Drop the last row (T36 msq item 20) and put a bad one in its place.
    std::string body = good;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    body = body.substr(0, body.rfind('\n') + 1);
    SUBCASE("an out-of-range value in the last row") {
      test::write_file(dir.file("bad.csv"), body + "T36,pre,msq,20,9\n");
      expect_refused(db, {"outcome", "import", "--db", db, "--csv", dir.file("bad.csv")},
                     {"9", "1-5"});
    }
    SUBCASE("an unknown participant in the last row") {
      test::write_file(dir.file("bad.csv"), good + "ZZ99,pre,msq,1,3\n");
      expect_refused(db, {"outcome", "import", "--db", db, "--csv", dir.file("bad.csv")},
                     {"participant", "ZZ99"});
    }
    SUBCASE("an unknown time point in the last row") {
      test::write_file(dir.file("bad.csv"), body + "T36,during,msq,20,3\n");
      expect_refused(db, {"outcome", "import", "--db", db, "--csv", dir.file("bad.csv")},
                     {"during", "pre", "post"});
    }
    SUBCASE("an item number the instrument does not have in the last row") {
      test::write_file(dir.file("bad.csv"), body + "T36,pre,msq,21,3\n");
      expect_refused(db, {"outcome", "import", "--db", db, "--csv", dir.file("bad.csv")},
                     {"21", "1-20"});
    }
    SUBCASE("the same item given twice") {
      test::write_file(dir.file("bad.csv"), good + "T36,pre,msq,20,3\n");
      expect_refused(db, {"outcome", "import", "--db", db, "--csv", dir.file("bad.csv")}, {"item"});
    }
    const auto list =
        parse_json_output(expect_exit(0, {"outcome", "list", "--db", db, "--format", "json"}));
    REQUIRE(list.is_array());
    CHECK(list.as_array().empty());
  }

  TEST_CASE(
      "recording a questionnaire again is refused without a reason and audited as a correction "
      "with one") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const std::string first = repeat_items("2", 22);
    const std::string second = "3," + repeat_items("2", 21);
    expect_exit(0, {"outcome", "record", "--db", db, "--participant", "T07", "--timepoint", "post",
                    "--instrument", "mbi-hss", "--items", first});
    const auto entries = audit_count(db);

    expect_refused(db,
                   {"outcome", "record", "--db", db, "--participant", "T07", "--timepoint", "post",
                    "--instrument", "mbi-hss", "--items", second},
                   {"reason"});

    expect_exit(0, {"outcome", "record", "--db", db, "--participant", "T07", "--timepoint", "post",
                    "--instrument", "mbi-hss", "--items", second, "--reason",
                    "typed from the wrong sheet"});
    const auto log = audit_log(db);
    REQUIRE(log.as_array().size() == entries + 1);
    const auto& e = log.as_array().back();
    CHECK(str(e, "action") == "outcome.correct");
    CHECK(str(e, "reason") == "typed from the wrong sheet");
    CHECK(str(e, "actor").rfind("os:", 0) == 0);  // the console: whoever ran it
    CHECK(contains(str(e, "entity"), "T07"));
    const auto before = items_of(audit_value(e, "before"));
    const auto after = items_of(audit_value(e, "after"));
    REQUIRE(before.size() == 22);
    REQUIRE(after.size() == 22);
    CHECK(before[0] == 2);
    CHECK(after[0] == 3);
    CHECK(before[21] == 2);
    CHECK(after[21] == 2);

    // The corrected answers are the ones stored.
    const auto list = parse_json_output(expect_exit(
        0, {"outcome", "list", "--db", db, "--participant", "T07", "--format", "json"}));
    bool found = false;
    for (const auto& a : list.as_array()) {
      if (str(a, "timepoint") == "post" && str(a, "instrument") == "mbi-hss") {
        found = true;
        REQUIRE(a.find("items") != nullptr);
        CHECK(a.find("items")->as_array().front().as_int() == 3);
      }
    }
    CHECK(found);
    expect_exit(0, {"audit", "verify", "--db", db});
  }

  TEST_CASE(
      "a correction of an imported baseline questionnaire keeps the imported answers as before") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const auto baseline = read_baseline();
    const auto& t01 = baseline.at("T01").at("msq");
    std::string items;
    for (int k = 1; k <= 20; ++k) {
      const int v = k == 1 ? (t01.at(1).value_or(3) == 5 ? 4 : 5) : t01.at(k).value_or(3);
      items += (k > 1 ? "," : "") + std::to_string(v);
    }
    expect_refused(db,
                   {"outcome", "record", "--db", db, "--participant", "T01", "--timepoint", "pre",
                    "--instrument", "msq", "--items", items},
                   {"reason"});
    expect_exit(0, {"outcome", "record", "--db", db, "--participant", "T01", "--timepoint", "pre",
                    "--instrument", "msq", "--items", items, "--reason", "misread item 1"});
    const auto log = audit_log(db);
    const auto& e = log.as_array().back();
    CHECK(str(e, "action") == "outcome.correct");
    const auto before = items_of(audit_value(e, "before"));
    REQUIRE(before.size() == 20);
    for (int k = 1; k <= 20; ++k) {
      CHECK(before[static_cast<std::size_t>(k - 1)] ==
            (t01.at(k) ? std::optional<std::int64_t>(*t01.at(k)) : std::nullopt));
    }
  }

  TEST_CASE("init refuses a database that already holds a trial") {
    temp_dir dir;
    const auto db = demo_db(dir);
    expect_refused(db, {"init", "--db", db}, {"tongji-2020"});
    CHECK(participants_json(db).as_array().size() == 36);
  }

  TEST_CASE(
      "init refuses a trial definition that breaks the schema, naming its JSON path, and creates "
      "no database") {
    temp_dir dir;
    auto doc =
        core::parse_json(test::read_file(test::source_path("schemas/trials/tongji-2020.json")));
    REQUIRE(doc.has_value());
    auto& arms = doc.value()["arms"].as_array();
    REQUIRE(!arms.empty());
    arms[0]["ratio"] = 0;
    test::write_file(dir.file("bad-trial.json"), doc.value().dump_pretty());
    const std::string db = dir.file("new.db");
    const auto r = run_cli({"init", "--db", db, "--config", dir.file("bad-trial.json")});
    INFO("stderr:\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "$.arms[0].ratio"));
    // "Nothing was changed": a refused init must not leave a database file behind.
    CHECK_FALSE(test::file_exists(db));
  }

  TEST_CASE("init refuses a trial definition that is not JSON") {
    temp_dir dir;
    test::write_file(dir.file("broken.json"), "{\"id\": \"x\", ");
    const auto r =
        run_cli({"init", "--db", dir.file("new.db"), "--config", dir.file("broken.json")});
    INFO("stderr:\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "JSON"));
  }

  TEST_CASE("a --db file that is not a balint-trial database is refused and left untouched") {
    temp_dir dir;
    const std::string text = dir.file("notes.db");
    test::write_file(text, "these are my notes, not a database\n");
    auto r = run_cli({"participant", "list", "--db", text});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "not a database file"));
    CHECK(test::read_file(text) == "these are my notes, not a database\n");

    const std::string other = dir.file("other.db");
    REQUIRE(test::run_sqlite(other, "CREATE TABLE mine (x INTEGER); INSERT INTO mine VALUES (1);")
                .exit_code == 0);
    const auto before = test::db_fingerprint(other);
    r = run_cli({"init", "--db", other});
    INFO("stderr:\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "another program"));
    CHECK(test::db_fingerprint(other) == before);
  }

  TEST_CASE("imports of a file with a header and no rows are refused") {
    temp_dir dir;
    const auto db = demo_db(dir);
    test::write_file(dir.file("empty-people.csv"),
                     "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n");
    test::write_file(dir.file("empty-answers.csv"),
                     "participant,timepoint,instrument,item,value\n");
    expect_refused(db, {"participant", "import", "--db", db, "--csv", dir.file("empty-people.csv")},
                   {"no participants"});
    expect_refused(db, {"outcome", "import", "--db", db, "--csv", dir.file("empty-answers.csv")},
                   {"no answers"});
  }

  TEST_CASE("commands on a database path that does not exist are refused and create no file") {
    temp_dir dir;
    const std::string missing = dir.file("typo.db");
    test::write_file(dir.file("people.csv"), participants_header + "A1,30,F,,yes,,,\n");
    test::write_file(dir.file("answers.csv"), outcomes_header + "A1,pre,msq,1,3\n");
    const std::vector<std::vector<std::string>> commands = {
        {"participant", "add", "--db", missing, "--code", "A1", "--age", "30", "--gender", "F",
         "--consent", "yes"},
        {"participant", "import", "--db", missing, "--csv", dir.file("people.csv")},
        {"participant", "list", "--db", missing},
        {"participant", "withdraw", "--db", missing, "--code", "A1", "--reason", "moved"},
        {"outcome", "record", "--db", missing, "--participant", "A1", "--timepoint", "pre",
         "--instrument", "msq", "--items", repeat_items("3", 20)},
        {"outcome", "import", "--db", missing, "--csv", dir.file("answers.csv")},
        {"outcome", "list", "--db", missing},
        {"export", "--db", missing, "--format", "csv", "--out", dir.file("out")},
        {"audit", "verify", "--db", missing},
        {"audit", "log", "--db", missing},
    };
    for (const auto& args : commands) {
      const auto r = run_cli(args);
      INFO(args[0] << " " << args[1] << "\nstderr:\n" << r.err);
      CHECK(r.exit_code == 2);
      CHECK(contains(r.err, "typo.db"));
      CHECK_FALSE(test::file_exists(missing));
    }
    CHECK_FALSE(test::file_exists(dir.file("out")));
  }

  // --- 3. one audit entry per accepted write ------------------------------------------------

  TEST_CASE("every accepted write appends exactly one audit entry with the actor given by --as") {
    temp_dir dir;
    const std::string db = dir.file("trial.db");
    expect_exit(0, {"init", "--db", db});
    CHECK(str(audit_log(db).as_array().front(), "actor").rfind("os:", 0) == 0);
    add_user(db, "alice", "coordinator");
    std::size_t expected = 2;
    CHECK(audit_count(db) == expected);

    auto step = [&](const std::vector<std::string>& args, const std::string& action) {
      auto full = args;
      full.insert(full.end(), {"--as", "alice"});
      expect_exit(0, full);
      ++expected;
      const auto log = audit_log(db);
      CHECK(log.as_array().size() == expected);
      REQUIRE_FALSE(log.as_array().empty());
      CHECK(str(log.as_array().back(), "action") == action);
      CHECK(str(log.as_array().back(), "actor") == "alice");
    };
    step({"participant", "add", "--db", db, "--code", "A1", "--age", "30", "--gender", "F",
          "--consent", "yes", "--specialty", "surgery", "--balint-knowledge", "2", "--available",
          "workday-noon;weekend"},
         "participant.add");
    step({"participant", "import", "--db", db, "--csv", demo_participants(), "--beyond-plan"},
         "participant.import");
    step({"outcome", "import", "--db", db, "--csv", demo_baseline()}, "outcome.import");
    step({"outcome", "record", "--db", db, "--participant", "A1", "--timepoint", "pre",
          "--instrument", "msq", "--items", repeat_items("4", 20)},
         "outcome.record");
    step({"outcome", "record", "--db", db, "--participant", "A1", "--timepoint", "pre",
          "--instrument", "msq", "--items", repeat_items("5", 20), "--reason", "re-entered"},
         "outcome.correct");
    step({"participant", "withdraw", "--db", db, "--code", "T03", "--reason", "left the hospital"},
         "participant.withdraw");

    // Reads and refusals add nothing.
    expect_exit(0, {"participant", "list", "--db", db});
    expect_exit(0, {"outcome", "list", "--db", db});
    expect_exit(0, {"export", "--db", db, "--format", "csv", "--out", dir.file("x")});
    expect_exit(2, {"participant", "withdraw", "--db", db, "--code", "T03", "--reason", "again"});
    CHECK(audit_count(db) == expected);
    const auto ok = expect_exit(0, {"audit", "verify", "--db", db});
    CHECK(contains(ok.out, std::to_string(expected) + " entries"));
  }

  TEST_CASE(
      "--as names an active user of the trial, who acts in their role, and anyone else is "
      "refused with nothing written") {
    temp_dir dir;
    const auto db = demo_db(dir);
    add_user(db, "bo", "coordinator");
    add_user(db, "L9", "leader");
    add_user(db, "gone", "coordinator");
    expect_exit(0, {"user", "disable", "--db", db, "--name", "gone"});
    const std::vector<std::string> withdraw = {"participant", "withdraw", "--db",     db,
                                               "--code",      "T03",      "--reason", "moved"};
    auto as = [&](const std::string& who) {
      auto args = withdraw;
      args.insert(args.end(), {"--as", who});
      return args;
    };
    // Unknown: the message names the trial's active users and the way to act as the console.
    expect_refused(db, as("nobody"),
                   {"--as \"nobody\" is not a user of this trial", "bo", "L9", "os:"});
    expect_refused(db, as("gone"), {"--as \"gone\" was disabled on"});
    expect_refused(db, as("x y\n<script>"), {"--as (not a user name)"});
    // A leader may not withdraw a participant: their role is checked as on the web.
    expect_refused(db, as("L9"), {"leader role may not withdraw a participant"});
    // Setting up a trial is the console's: init takes no --as.
    const auto init = run_cli({"init", "--db", dir.file("other.db"), "--as", "bo"});
    CHECK(init.exit_code == 2);
    CHECK(contains(init.err, "--as"));
    CHECK_FALSE(test::file_exists(dir.file("other.db")));

    expect_exit(0, as("bo"));
    const auto log = audit_log(db);
    CHECK(str(log.as_array().back(), "action") == "participant.withdraw");
    CHECK(str(log.as_array().back(), "actor") == "bo");
  }

  // --- 4. withdrawal --------------------------------------------------------------------------

  TEST_CASE(
      "participant withdraw keeps the data, records reason and date, and refuses a second "
      "withdrawal") {
    temp_dir dir;
    const auto db = demo_db(dir);
    const auto outcomes_before = parse_json_output(expect_exit(
        0, {"outcome", "list", "--db", db, "--participant", "T10", "--format", "json"}));
    REQUIRE(outcomes_before.as_array().size() == 2);

    expect_exit(0, {"participant", "withdraw", "--db", db, "--code", "T10", "--reason",
                    "moved to another city"});
    const auto people = participants_json(db);
    CHECK(people.as_array().size() == 36);
    bool found = false;
    for (const auto& p : people.as_array()) {
      if (str(p, "code") != "T10") {
        CHECK(str(p, "status") == "enrolled");
        continue;
      }
      found = true;
      CHECK(str(p, "status") == "withdrawn");
      CHECK(str(p, "withdrawal_reason") == "moved to another city");
      const std::string at = str(p, "withdrawn_at");
      INFO("withdrawn_at: " << at);
      REQUIRE(at.size() >= 10);
      CHECK(std::isdigit(static_cast<unsigned char>(at[0])));
      CHECK(at[4] == '-');
      CHECK(at[7] == '-');
      CHECK(p.find("age")->as_int() == 26);
    }
    CHECK(found);

    // Their questionnaires are kept, and they stay in the export.
    const auto outcomes_after = parse_json_output(expect_exit(
        0, {"outcome", "list", "--db", db, "--participant", "T10", "--format", "json"}));
    CHECK(outcomes_after == outcomes_before);
    expect_exit(0, {"export", "--db", db, "--format", "csv", "--out", dir.file("x")});
    CHECK(test::parse_csv(test::read_file(dir.file("x") + "/wide.csv")).size() == 37);

    expect_refused(db,
                   {"participant", "withdraw", "--db", db, "--code", "T10", "--reason", "again"},
                   {"T10", "withdrawn"});
    expect_refused(db, {"participant", "withdraw", "--db", db, "--code", "NOPE", "--reason", "x"},
                   {"NOPE"});
    // No new answers after withdrawal.
    expect_refused(db,
                   {"outcome", "record", "--db", db, "--participant", "T10", "--timepoint", "post",
                    "--instrument", "msq", "--items", repeat_items("3", 20)},
                   {"T10"});
  }

  // --- 5. formula injection -----------------------------------------------------------------

  TEST_CASE("CSV output never starts a cell with a spreadsheet formula") {
    temp_dir dir;
    const std::string db = dir.file("trial.db");
    expect_exit(0, {"init", "--db", db});
    const std::string hyperlink = "=HYPERLINK(\"http://evil.example/?x=1\",\"click me\")";
    test::write_file(dir.file("people.csv"), participants_header +
                                                 "F01,30,F,\"=HYPERLINK(\"\"http://evil.example/"
                                                 "?x=1\"\",\"\"click me\"\")\",yes,1,1,weekend\n"
                                                 "F02,31,M,+1+2,yes,,,\n"
                                                 "F03,32,F,@SUM(A1:A9),yes,,,\n"
                                                 "F04,33,M,-2+3,yes,,,\n");
    expect_exit(0, {"participant", "import", "--db", db, "--csv", dir.file("people.csv")});
    expect_exit(0, {"participant", "withdraw", "--db", db, "--code", "F02", "--reason", "=1+1"});

    // The stored value is intact (JSON is no spreadsheet).
    const auto people = participants_json(db);
    REQUIRE(people.as_array().size() == 4);
    CHECK(str(people.as_array()[0], "specialty") == hyperlink);

    const auto list = expect_exit(0, {"participant", "list", "--db", db, "--format", "csv"});
    std::string example;
    CHECK_MESSAGE(formula_cells(list.out, example) == 0, "participant list cell: " << example);
    CHECK(contains(list.out, "HYPERLINK"));
    CHECK(contains(list.out, "SUM(A1:A9)"));

    expect_exit(0, {"export", "--db", db, "--format", "csv", "--out", dir.file("x")});
    for (const auto* name : {"wide.csv", "items.csv", "codebook.csv"}) {
      INFO(name);
      CHECK_MESSAGE(formula_cells(test::read_file(dir.file("x") + "/" + name), example) == 0,
                    "cell: " << example);
    }
  }

  // --- 6. help ------------------------------------------------------------------------------

  TEST_CASE("--help works on every command and no arguments at all is refused") {
    const std::vector<std::string> commands = {"init",
                                               "participant add",
                                               "participant import",
                                               "participant list",
                                               "participant withdraw",
                                               "outcome record",
                                               "outcome import",
                                               "outcome list",
                                               "export",
                                               "audit verify",
                                               "audit log"};
    for (const auto& c : commands) {
      std::vector<std::string> args;
      for (std::size_t start = 0;;) {
        const auto space = c.find(' ', start);
        args.push_back(c.substr(start, space - start));
        if (space == std::string::npos) break;
        start = space + 1;
      }
      args.push_back("--help");
      const auto r = run_cli(args);
      INFO(c << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
      CHECK(r.exit_code == 0);
      CHECK(contains(r.out, "Usage: balint-trial " + c));
    }
    const auto top = run_cli({"--help"});
    CHECK(top.exit_code == 0);
    CHECK(contains(top.out, "Usage: balint-trial"));

    const auto none = run_cli({});
    CHECK(none.exit_code == 2);
    CHECK(contains(none.err, "Usage: balint-trial"));
    CHECK(run_cli({"frobnicate"}).exit_code == 2);
    const auto partial = run_cli({"participant"});
    CHECK(partial.exit_code == 2);
    CHECK(contains(partial.err, "add"));
  }
}
