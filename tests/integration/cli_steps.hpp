#pragma once

// Steps shared by the black-box CLI tests: run a command and insist on its exit code, set up the
// demo trial, read JSON output, assert a refusal left the database unchanged.

#include "cli_harness.hpp"

#include "balint/core/json.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace balint::test::steps {

std::string demo_participants();
std::string demo_baseline();
bool contains(const std::string& haystack, const std::string& needle);
/// True when `text` says "entry N" (and not "entry N0", "entry N1", ...).
bool names_entry(const std::string& text, int n);
/// Runs the CLI and fails the test (with its output) when it does not exit with `expected`.
run_result expect_exit(int expected, const std::vector<std::string>& args);
/// A fresh trial with the 36 demo participants and their pre questionnaires.
std::string demo_db(const temp_dir& dir);
/// The same demo trial at `db` (a file path or a PostgreSQL URL of an empty database).
std::string demo_db_at(const std::string& db);
core::json parse_json_output(const run_result& r);
core::json audit_log(const std::string& db);
std::size_t audit_count(const std::string& db);
core::json participants_json(const std::string& db);
std::string str(const core::json& object, const std::string& key);
/// participant code → arm, from `randomization list --format json`.
std::map<std::string, std::string> arms_of(const std::string& db);
/// Generates, adds two leaders, assigns one to every session, plans.
void plan_demo(const std::string& db);
/// A before/after value of an audit entry as JSON, whether the log gives it as an object or as
/// the JSON text it stored.
core::json audit_value(const core::json& entry, const std::string& key);
/// The answers of an assessment from the JSON of an audit entry's before/after.
std::vector<std::optional<std::int64_t>> items_of(const core::json& value);
/// Asserts a refusal: exit 2, stderr names every one of `mentions`, database unchanged.
void expect_refused(const std::string& db, const std::vector<std::string>& args,
                    const std::vector<std::string>& mentions);
std::string repeat_items(const std::string& value, int n);
/// Adds a user of the trial at `db` (by the console), so `--as NAME` may name them.
void add_user(const std::string& db, const std::string& name, const std::string& role);
/// Writes a trial definition: the Tongji default with `change` applied to its JSON.
std::string write_config(const temp_dir& dir, const std::string& name,
                         const std::function<void(core::json&)>& change);
/// Long-CSV rows of a complete baseline (MBI-HSS all 2, MSQ all 3) for one participant.
std::string baseline_rows(const std::string& code);

}  // namespace balint::test::steps
