#include "balint/cli/application.hpp"

#include "commands/commands.hpp"
#include "help.hpp"
#include "hints.hpp"

#include "balint/cli/options.hpp"
#include "balint/core/text.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace balint::cli {
namespace {

using detail::command;
using detail::invocation;

/// The command table: each area's rows, in the order the overview lists them.
const std::vector<command>& commands() {
  static const std::vector<command> table = [] {
    std::vector<command> all;
    for (auto area :
         {detail::trial_commands, detail::participant_commands, detail::instrument_commands,
          detail::outcome_commands, detail::survey_commands, detail::randomization_commands,
          detail::programme_commands, detail::attendance_commands, detail::analysis_commands,
          detail::published_commands, detail::user_commands, detail::serve_commands}) {
      auto rows = area();
      std::move(rows.begin(), rows.end(), std::back_inserter(all));
    }
    // Every command on a trial takes the trial of a site of several (docs/sites.md).
    for (auto& c : all) {
      auto db = std::find_if(c.options.begin(), c.options.end(),
                             [](const auto& o) { return o.help == detail::db_option.help; });
      const bool has_trial = std::any_of(c.options.begin(), c.options.end(),
                                         [](const auto& o) { return o.name == "trial"; });
      if (db != c.options.end() && !has_trial && c.path != "demo") {
        c.options.insert(db + 1, detail::trial_option);
      }
    }
    return all;
  }();
  return table;
}

bool is_help(const std::string& a) { return a == "--help" || a == "-h"; }

/// The command whose path is the longest run of leading words of `args`, and how many words
/// that is; nullptr when none matches.
std::pair<const command*, std::size_t> find_command(const std::vector<std::string>& args) {
  const command* found = nullptr;
  std::size_t words = 0;
  for (const auto& c : commands()) {
    const auto parts = core::split(c.path, ' ');
    if (parts.size() > args.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < parts.size(); ++i) match = match && args[i] == parts[i];
    if (match && parts.size() > words) {
      found = &c;
      words = parts.size();
    }
  }
  return {found, words};
}

/// The subcommands of `group` ("add", "import", ... for "participant"); empty when it is none.
std::vector<std::string> subcommands_of(const std::string& group) {
  std::vector<std::string> sub;
  for (const auto& c : commands()) {
    if (c.path.rfind(group + " ", 0) == 0) sub.push_back(c.path.substr(group.size() + 1));
  }
  return sub;
}

/// `balint-trial help [--list | COMMAND...]`: the overview, one command's or group's help, or
/// (for tests and shell completion) every command path, one a line.
int help(const std::vector<std::string>& topic, std::ostream& out, std::ostream& err) {
  if (topic.empty()) {
    out << detail::overview(commands());
    return 0;
  }
  if (topic.size() == 1 && topic[0] == "--list") {
    for (const auto& c : commands()) out << c.path << "\n";
    return 0;
  }
  const auto [found, words] = find_command(topic);
  if (found && words == topic.size()) {
    out << detail::command_help(*found);
    return 0;
  }
  if (topic.size() == 1 && !subcommands_of(topic[0]).empty()) {
    out << detail::group_help(topic[0], commands());
    return 0;
  }
  err << "balint-trial help: there is no command \"" << core::join(topic, " ")
      << "\"; see 'balint-trial --help'\n";
  return 2;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << detail::overview(commands());
    return 2;
  }
  if (is_help(args[0])) return help({}, out, err);
  if (args[0] == "help") return help({args.begin() + 1, args.end()}, out, err);
  if (args[0] == "--version") {
    out << "balint-trial 0.1.0\n";
    return 0;
  }
  const auto [found, words] = find_command(args);
  if (!found) {
    const auto sub = subcommands_of(args[0]);
    if (!sub.empty() && args.size() > 1 && is_help(args[1])) return help({args[0]}, out, err);
    if (!sub.empty()) {
      err << "balint-trial " << args[0] << ": "
          << (args.size() > 1 ? "unknown subcommand \"" + args[1] + "\"" : "a subcommand is needed")
          << "; allowed: " << core::one_of(sub) << "\n(see 'balint-trial " << args[0]
          << " --help')\n";
    } else {
      err << "balint-trial: unknown command \"" << args[0] << "\"; see 'balint-trial --help'\n";
    }
    return 2;
  }
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(words),
                                      args.end());
  if (std::any_of(rest.begin(), rest.end(), is_help)) {
    out << detail::command_help(*found);
    return 0;
  }
  auto parsed = parse_options(rest, found->options, found->positionals);
  if (!parsed) {
    err << "balint-trial " << found->path << ": " << parsed.error().message
        << "\n(see 'balint-trial " << found->path << " --help')\n";
    return 2;
  }
  invocation in{parsed.value(), out, err};
  try {
    auto r = found->run(in);
    if (r) return r.value();
    err << "balint-trial " << found->path
        << ": refused: " << detail::field_label(r.error(), found->options) << ": "
        << r.error().message;
    if (const auto hint = detail::hint_for(r.error(), found->options, parsed.value());
        !hint.empty()) {
      err << " (" << hint << ")";
    }
    err << "\nNothing was changed.\n";
    return 2;
  } catch (const std::exception& e) {
    err << "balint-trial " << found->path << ": failed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace balint::cli
