#pragma once

#include "balint/core/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace balint::cli {

/// One option of a command, as `--help` shows it.
struct option_spec {
  std::string name;        ///< without dashes: "db"
  std::string value_name;  ///< "FILE"; empty for a flag such as --all-eligible
  std::string help;
  bool required = false;
  std::vector<std::string> allowed;  ///< when not empty, the value must be one of these
};

/// The options of one invocation after parsing.
class parsed_options {
 public:
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> get(const std::string& name) const;
  /// The value of a required option (parsing has checked it is there).
  const std::string& at(const std::string& name) const { return values_.at(name); }
  std::string get_or(const std::string& name, std::string fallback) const;
  void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
  std::vector<std::string> positionals;

 private:
  std::map<std::string, std::string> values_;
};

/// Parses `--name value`, `--name=value` and flags against `specs`. Unknown options, missing
/// values, missing required options and values outside `allowed` are refused with a message
/// that names the option and what is allowed. `max_positionals` bounds bare arguments.
core::result<parsed_options> parse_options(const std::vector<std::string>& args,
                                           const std::vector<option_spec>& specs,
                                           std::size_t max_positionals = 0);

}  // namespace balint::cli
