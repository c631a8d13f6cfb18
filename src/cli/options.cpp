#include "balint/cli/options.hpp"

#include "balint/core/text.hpp"

#include <algorithm>

namespace balint::cli {

std::optional<std::string> parsed_options::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string parsed_options::get_or(const std::string& name, std::string fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

core::result<parsed_options> parse_options(const std::vector<std::string>& args,
                                           const std::vector<option_spec>& specs,
                                           std::size_t max_positionals) {
  parsed_options out;
  auto known = [&]() {
    std::vector<std::string> names;
    for (const auto& s : specs) names.push_back("--" + s.name);
    return core::one_of(names);
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      if (out.positionals.size() >= max_positionals) {
        return core::invalid_input(
            "arguments",
            "unexpected argument \"" + a + "\"; options start with -- (allowed: " + known() + ")");
      }
      out.positionals.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const auto spec = std::find_if(specs.begin(), specs.end(),
                                   [&](const option_spec& s) { return s.name == name; });
    if (spec == specs.end()) {
      return core::invalid_input("--" + name, "unknown option --" + name + "; allowed: " + known());
    }
    std::string value;
    if (spec->value_name.empty()) {
      if (inline_value) {
        return core::invalid_input("--" + name, "--" + name + " takes no value");
      }
    } else if (inline_value) {
      value = *inline_value;
    } else {
      if (i + 1 >= args.size()) {
        return core::invalid_input("--" + name,
                                   "--" + name + " needs a value (" + spec->value_name + ")");
      }
      value = args[++i];
    }
    if (!spec->allowed.empty() &&
        std::find(spec->allowed.begin(), spec->allowed.end(), value) == spec->allowed.end()) {
      return core::invalid_input("--" + name,
                                 "--" + name + " \"" + value +
                                     "\" is not allowed; allowed: " + core::one_of(spec->allowed));
    }
    if (out.has(name)) {
      return core::invalid_input("--" + name, "--" + name + " is given twice");
    }
    out.set(name, std::move(value));
  }
  for (const auto& s : specs) {
    if (s.required && !out.has(s.name)) {
      return core::invalid_input("--" + s.name,
                                 "--" + s.name + " " + s.value_name + " is required: " + s.help);
    }
  }
  return out;
}

}  // namespace balint::cli
