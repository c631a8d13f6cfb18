#pragma once

// The command line's edge: files, the password on standard input, the OS user and the clock,
// and the trial's database file.

#include "balint/app/audit.hpp"
#include "balint/app/database.hpp"
#include "balint/cli/options.hpp"
#include "balint/core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

namespace balint::cli::detail {

/// The user name of the process's effective user, or "unknown".
std::string os_user();

/// The edge facts of a command that sets up or copies a whole trial: the console (the OS user,
/// app::console_actor) and the clock (UTC). Commands on an existing trial read `--as` through
/// app::command_line_request (with_opened).
app::request console_request();

/// The most a trial config or an instrument definition file may hold (4 MiB): far more than any
/// real one, small enough that a wrong file is refused before it is read into memory.
inline constexpr std::size_t max_definition_bytes = 4u << 20;

/// The whole file; refused naming `option` when it does not exist, cannot be read or (with
/// `max_bytes`) is larger.
core::result<std::string> read_file(const std::string& path, const std::string& option,
                                    std::size_t max_bytes = SIZE_MAX);

/// Writes a file whole or not at all: to a temporary name first, then renamed.
void write_file(const std::filesystem::path& path, const std::string& content);

/// Refuses naming `option` when there is no file at `path`: a typo must not create an empty
/// trial.
core::result<void> require_database_file(const std::string& path,
                                         const std::string& option = "--db");

/// Opens the database at `path` (a SQLite file or a postgresql:// URL), naming `option` in a
/// refusal. Without `create` a SQLite file must exist.
core::result<std::unique_ptr<app::database>> open_database_at(const std::string& path,
                                                              const std::string& option,
                                                              bool create = false);

/// Opens the database of --db. Every command but init needs an existing file: a typo in the
/// path must not silently create an empty trial.
core::result<std::unique_ptr<app::database>> open_db(const parsed_options& o, bool create = false);

/// For the user commands: on a site of several trials without --trial, the site's accounts
/// (created when missing); otherwise the trial, as open_db.
core::result<std::unique_ptr<app::database>> open_accounts_or_trial(const parsed_options& o);

/// The password from standard input (first line), never from an argument: arguments show up
/// in `ps` and in shell history. Echo is off when a person types it.
core::result<std::string> read_password(std::ostream& err);

}  // namespace balint::cli::detail
