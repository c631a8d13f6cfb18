#pragma once

// --help at every level, rendered from the command table: the overview of all commands, a
// group's subcommands (`participant --help`) and one command in full (`participant add --help`).

#include "commands/commands.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace balint::cli::detail {

/// Columns the help text is wrapped to.
inline constexpr std::size_t help_width = 80;

/// `text` broken at spaces into lines that end by column `help_width` (a longer word stands
/// alone), for a first line that starts at `column`; every later line starts with `indent`
/// spaces. Each "\n" in `text` starts a new line (a paragraph, wrapped the same way).
std::string wrap(std::string_view text, std::size_t column, std::size_t indent);

/// The first sentence of a command's description: its line in the overview and in its group.
std::string summary_of(const command& c);

/// `balint-trial --help`: every command with its summary.
std::string overview(const std::vector<command>& table);

/// `balint-trial GROUP --help`: the subcommands of GROUP ("participant") with their summaries.
std::string group_help(const std::string& group, const std::vector<command>& table);

/// `balint-trial COMMAND --help`: the usage line, the whole description and every option with
/// its meaning, whether it is required and its allowed values.
std::string command_help(const command& c);

}  // namespace balint::cli::detail
