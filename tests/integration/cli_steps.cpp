#include "cli_steps.hpp"

#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <cctype>

namespace balint::test::steps {

std::string demo_participants() { return test::source_path("tests/data/demo/participants.csv"); }
std::string demo_baseline() { return test::source_path("tests/data/demo/baseline.csv"); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// True when `text` says "entry N" (and not "entry N0", "entry N1", ...).
bool names_entry(const std::string& text, int n) {
  const std::string needle = "entry " + std::to_string(n);
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    const auto end = pos + needle.size();
    if (end == text.size() || !std::isdigit(static_cast<unsigned char>(text[end]))) return true;
  }
  return false;
}

/// Runs the CLI and fails the test (with its output) when it does not exit with `expected`.
run_result expect_exit(int expected, const std::vector<std::string>& args) {
  auto r = run_cli(args);
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  INFO("balint-trial" << cmd << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == expected);
  return r;
}

/// A fresh trial with the 36 demo participants and their pre questionnaires.
std::string demo_db(const temp_dir& dir) { return demo_db_at(dir.file("trial.db")); }

std::string demo_db_at(const std::string& db) {
  expect_exit(0, {"init", "--db", db});
  expect_exit(0, {"participant", "import", "--db", db, "--csv", demo_participants()});
  expect_exit(0, {"outcome", "import", "--db", db, "--csv", demo_baseline()});
  return db;
}

core::json parse_json_output(const run_result& r) {
  auto j = core::parse_json(r.out);
  INFO("output: " << r.out);
  REQUIRE(j.has_value());
  return std::move(j.value());
}

core::json audit_log(const std::string& db) {
  const auto j =
      parse_json_output(expect_exit(0, {"audit", "log", "--db", db, "--format", "json"}));
  REQUIRE(j.is_array());
  return j;
}

std::size_t audit_count(const std::string& db) { return audit_log(db).as_array().size(); }

core::json participants_json(const std::string& db) {
  const auto j =
      parse_json_output(expect_exit(0, {"participant", "list", "--db", db, "--format", "json"}));
  REQUIRE(j.is_array());
  return j;
}

std::string str(const core::json& object, const std::string& key) {
  const auto* v = object.find(key);
  return v && v->is_string() ? v->as_string() : std::string();
}

std::map<std::string, std::string> arms_of(const std::string& db) {
  const auto j =
      parse_json_output(expect_exit(0, {"randomization", "list", "--db", db, "--format", "json"}));
  std::map<std::string, std::string> out;
  for (const auto& a : j.as_array()) out[str(a, "participant")] = str(a, "arm");
  return out;
}

/// Generates, adds two leaders, assigns one to every session, plans.
void plan_demo(const std::string& db) {
  expect_exit(0, {"schedule", "generate", "--db", db});
  expect_exit(0, {"leader", "add", "--db", db, "--code", "L1", "--name", "Dr. Wu"});
  expect_exit(0, {"leader", "add", "--db", db, "--code", "L2", "--name", "Dr. Cheng"});
  for (int n = 1; n <= 20; ++n) {
    expect_exit(0, {"schedule", "assign-leader", "--db", db, "--session", std::to_string(n),
                    "--leader", n % 2 ? "L1" : "L2"});
  }
  expect_exit(0, {"schedule", "plan", "--db", db});
}

/// A before/after value of an audit entry as JSON, whether the log gives it as an object or as
/// the JSON text it stored.
core::json audit_value(const core::json& entry, const std::string& key) {
  const auto* v = entry.find(key);
  if (v == nullptr) return {};
  if (!v->is_string()) return *v;
  auto parsed = core::parse_json(v->as_string());
  return parsed ? parsed.value() : *v;
}

/// The answers of an assessment from the JSON of an audit entry's before/after.
std::vector<std::optional<std::int64_t>> items_of(const core::json& value) {
  std::vector<std::optional<std::int64_t>> out;
  const auto* items = value.find("items");
  if (items == nullptr || !items->is_array()) return out;
  for (const auto& v : items->as_array()) {
    out.push_back(v.is_null() ? std::nullopt : std::optional<std::int64_t>(v.as_int()));
  }
  return out;
}

/// Asserts a refusal: exit 2, stderr names every one of `mentions`, database unchanged.
void expect_refused(const std::string& db, const std::vector<std::string>& args,
                    const std::vector<std::string>& mentions) {
  const auto before = test::db_fingerprint(db);
  const auto r = run_cli(args);
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  INFO("balint-trial" << cmd << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
  CHECK(r.exit_code == 2);
  for (const auto& m : mentions) {
    INFO("stderr should mention: " << m);
    CHECK(contains(r.err, m));
  }
  const bool unchanged = test::db_fingerprint(db) == before;
  CHECK_MESSAGE(unchanged, "the refused command changed the database");
}

std::string repeat_items(const std::string& value, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + value;
  return s;
}

void add_user(const std::string& db, const std::string& name, const std::string& role) {
  const auto r = run_cli({"user", "add", "--db", db, "--name", name, "--role", role},
                         "a password of the test\n");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

std::string write_config(const temp_dir& dir, const std::string& name,
                         const std::function<void(core::json&)>& change) {
  auto doc = core::parse_json(*resources::find("schemas/trials/tongji-2020.json")).value();
  change(doc);
  const std::string path = dir.file(name);
  test::write_file(path, doc.dump_pretty());
  return path;
}

std::string baseline_rows(const std::string& code) {
  std::string s;
  for (int i = 1; i <= 22; ++i) s += code + ",pre,mbi-hss," + std::to_string(i) + ",2\n";
  for (int i = 1; i <= 20; ++i) s += code + ",pre,msq," + std::to_string(i) + ",3\n";
  return s;
}

}  // namespace balint::test::steps
