#pragma once

// The command table, split by area: each file of src/cli/commands owns its commands' rows and
// handlers, and the dispatcher (application.cpp) concatenates the areas' rows.

#include "../io.hpp"

#include "balint/app/audit.hpp"
#include "balint/app/clock.hpp"
#include "balint/app/database.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/user_service.hpp"
#include "balint/cli/options.hpp"
#include "balint/core/json.hpp"
#include "balint/core/result.hpp"
#include "balint/report/json.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace balint::cli::detail {

/// What a command handler gets: its parsed options and where to write.
struct invocation {
  const parsed_options& options;
  std::ostream& out;
  std::ostream& err;
};

/// Returns the exit code on success (audit verify returns 1 for a broken chain).
using handler = std::function<core::result<int>(invocation&)>;

/// The command table (taskwarrior's Command: keyword, usage and description are data).
struct command {
  std::string path;      ///< "participant add"
  std::string synopsis;  ///< after the path in the usage line
  std::string description;
  std::vector<option_spec> options;
  handler run;
  bool writes = false;  ///< takes --as NAME
  std::size_t positionals = 0;
};

/// Runs `body(db, request)` on an opened database (or passes on why it could not be opened),
/// with the clock and the actor read into an app::request: the user `--as` names, who must be
/// an active user of the trial, or else the console. The database is closed when `body`
/// returns.
template <class Body>
auto with_opened(core::result<std::unique_ptr<app::database>> db, const invocation& in, Body&& body)
    -> decltype(body(std::declval<app::database&>(), std::declval<const app::request&>())) {
  if (!db) return std::move(db).error();
  auto req = app::command_line_request(**db, in.options.get("as"), os_user(), app::utc_now());
  if (!req) return std::move(req).error();
  return std::forward<Body>(body)(**db, req.value());
}

/// The opening every command on a trial database shares: opens --db (refusing a path that does
/// not exist; the trial of --trial at a site) and runs `body` on it (see with_opened).
template <class Body>
auto with_database(const invocation& in, Body&& body)
    -> decltype(body(std::declval<app::database&>(), std::declval<const app::request&>())) {
  return with_opened(open_db(in.options), in, std::forward<Body>(body));
}

/// One use case, `use_case(db, request, args...)`, as a body for with_opened: its refusal is
/// passed on unchanged, otherwise `show(value)` renders what it returned and gives the exit
/// code (0 when `show` returns nothing).
template <class Show, class UseCase, class... Args>
auto shown(Show& show, UseCase& use_case, Args&... args) {
  return [&](app::database& db, const app::request& req) -> core::result<int> {
    auto value = use_case(db, req, args...);
    if (!value) return std::move(value).error();
    if constexpr (std::is_void_v<decltype(show(value.value()))>) {
      show(value.value());
      return 0;
    } else {
      return show(value.value());
    }
  };
}

/// with_database for one use case (see shown). The arguments are read before the database is
/// opened.
template <class Show, class UseCase, class... Args>
core::result<int> on_database(const invocation& in, Show&& show, UseCase&& use_case,
                              Args&&... args) {
  return with_database(in, shown(show, use_case, args...));
}

/// With --format json, prints `view` (a view or a list of views) as report::to_json renders it
/// for the web API too, and returns true; otherwise prints nothing and returns false.
template <class View>
bool print_json_if_asked(const invocation& in, const View& view) {
  if (in.options.get_or("format", "text") != "json") return false;
  in.out << report::to_json(view).dump_pretty() << "\n";
  return true;
}

/// --db FILE, required.
extern const option_spec db_option;
/// --as NAME, for the audit trail.
extern const option_spec as_option;
/// --trial ID: which trial of a site (added to every command that takes db_option).
extern const option_spec trial_option;
/// --format with its allowed values; the first is the default.
option_spec format_option(std::vector<std::string> allowed);
/// --cohort C (default: intervention).
option_spec cohort_option();
/// --session N, required.
extern const option_spec session_option;
/// --participant C, what it is for in this command.
option_spec participant_option(std::string help = "participant code", bool required = true);
/// --leader L.
option_spec leader_option(bool required);
/// --reason TEXT, why the change is made (kept in the audit trail).
option_spec reason_option(std::string help, bool required);
/// --out FILE or --out DIR, required unless said otherwise.
option_spec out_option(std::string value, std::string help, bool required = true);

/// The session number of option --`name`: a whole number from 1 to 10000.
core::result<int> parse_number(const parsed_options& o, const std::string& name);

/// The seed of a new allocation list or list extension: --seed N, or drawn from the operating
/// system's random source; the salt always is.
core::result<app::list_seed> list_seed_from(const parsed_options& o);

/// The value of --seed: a whole number from 0 to 4294967295.
core::result<std::uint32_t> parse_seed(const std::string& text);

/// The rows of each area, in the order `--help` lists them.
std::vector<command> trial_commands();          ///< init, lock, audit verify, audit log
std::vector<command> participant_commands();    ///< participant ...
std::vector<command> instrument_commands();     ///< instrument list|show|validate
std::vector<command> outcome_commands();        ///< outcome ...
std::vector<command> survey_commands();         ///< survey links|revoke|reissue|status
std::vector<command> randomization_commands();  ///< randomize, randomization ...
std::vector<command> programme_commands();      ///< leader ..., schedule ...
std::vector<command> attendance_commands();     ///< attendance ...
std::vector<command> analysis_commands();       ///< export, analyze
std::vector<command> published_commands();      ///< audit-published, reconstruct, reproduce
std::vector<command> user_commands();           ///< user ...
std::vector<command> serve_commands();          ///< demo, serve

}  // namespace balint::cli::detail
