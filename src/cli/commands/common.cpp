#include "commands.hpp"

#include "balint/core/text.hpp"

namespace balint::cli::detail {

const option_spec db_option{
    "db",
    "FILE",
    "the trial's database: a SQLite file, a site's directory, or postgresql://host/dbname",
    true,
    {}};
const option_spec trial_option{
    "trial",
    "ID",
    "the trial, when --db is a site of several (a directory or a PostgreSQL database); default: "
    "its only trial",
    false,
    {}};
const option_spec as_option{"as",
                            "USER",
                            "act as this active user of the trial, in their role (default: the "
                            "console, recorded as os:YOUR-LOGIN)",
                            false,
                            {}};

option_spec format_option(std::vector<std::string> allowed) {
  return {"format", core::join(allowed, "|"), "output format (default: " + allowed.front() + ")",
          false, allowed};
}

option_spec cohort_option() {
  return {"cohort",
          "C",
          "the cohort (arm) whose sessions these are (default: intervention)",
          false,
          {}};
}

const option_spec session_option{"session", "N", "session number", true, {}};

option_spec participant_option(std::string help, bool required) {
  return {"participant", "C", std::move(help), required, {}};
}

option_spec leader_option(bool required) { return {"leader", "L", "leader code", required, {}}; }

option_spec reason_option(std::string help, bool required) {
  return {"reason", "TEXT", std::move(help), required, {}};
}

option_spec out_option(std::string value, std::string help, bool required) {
  return {"out", std::move(value), std::move(help), required, {}};
}

core::result<int> parse_number(const parsed_options& o, const std::string& name) {
  const auto v = core::parse_integer(o.at(name));
  if (!v || *v < 1 || *v > 10000) {
    return core::invalid_input("--" + name, "--" + name + " \"" + o.at(name) +
                                                "\" is not a session number; allowed: a whole "
                                                "number from 1");
  }
  return static_cast<int>(*v);
}

core::result<std::uint32_t> parse_seed(const std::string& text) {
  const auto v = core::parse_integer(text);
  if (!v || *v < 0 || *v > 4294967295LL) {
    return core::invalid_input("--seed", "--seed \"" + text +
                                             "\" is not allowed; allowed: a whole number from 0 "
                                             "to 4294967295");
  }
  return static_cast<std::uint32_t>(*v);
}
core::result<app::list_seed> list_seed_from(const parsed_options& o) {
  app::list_seed s = app::random_list_seed();
  if (const auto text = o.get("seed")) {
    auto seed = parse_seed(*text);
    if (!seed) return std::move(seed).error();
    s.seed = seed.value();
    s.from_user = true;
  }
  return s;
}
}  // namespace balint::cli::detail
