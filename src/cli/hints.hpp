#pragma once

// The command line's own words after a refusal. Use cases speak front-end neutral sentences
// (core::error); the command line adds where its user types the missing thing (an option of the
// command that was run) or which command shows what they need.

#include "balint/cli/options.hpp"
#include "balint/core/error.hpp"

#include <string>
#include <vector>

namespace balint::cli::detail {

/// A hint for `e` refused by a command with `options` run with `given`, or "" when the sentence
/// says it all: "give it with --reason TEXT" when the refused field is an option of the command
/// that was not given, or the command that lists what exists ("see 'balint-trial participant
/// list'").
std::string hint_for(const core::error& e, const std::vector<option_spec>& options,
                     const parsed_options& given);

/// How the refused field is named on the command line: the option it is typed into
/// ("--time-zone" for the field time_zone), or the field itself when no option carries it.
std::string field_label(const core::error& e, const std::vector<option_spec>& options);

}  // namespace balint::cli::detail
