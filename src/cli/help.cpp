#include "help.hpp"

#include "balint/core/text.hpp"

#include <algorithm>

namespace balint::cli::detail {
namespace {

/// `left` padded to `column`, then `right` wrapped so that its lines line up after `column`;
/// when `left` is too wide, `right` starts on the next line.
std::string two_columns(const std::string& left, std::size_t column, const std::string& right) {
  if (left.size() + 2 > column) {
    return left + "\n" + std::string(column, ' ') + wrap(right, column, column) + "\n";
  }
  return left + std::string(column - left.size(), ' ') + wrap(right, column, column) + "\n";
}

/// The synopsis with '\x1f' for the spaces a line must not break at: inside an optional part
/// ("[--balint-times 1-5]") and between an option and its value ("--present LIST").
std::string glued(const std::string& synopsis) {
  std::string out;
  int depth = 0;
  std::size_t word_start = 0;
  for (std::size_t i = 0; i < synopsis.size(); ++i) {
    const char ch = synopsis[i];
    depth += ch == '[' ? 1 : ch == ']' ? -1 : 0;
    if (ch != ' ') {
      out += ch;
      continue;
    }
    const std::string_view word(synopsis.data() + word_start, i - word_start);
    const bool option = word.rfind("--", 0) == 0 || word.rfind("(--", 0) == 0;
    const char next = i + 1 < synopsis.size() ? synopsis[i + 1] : '-';
    const bool value_follows = option && std::string_view("-[(|").find(next) == std::string::npos;
    out += depth > 0 || value_follows ? '\x1f' : ' ';
    word_start = i + 1;
  }
  return out;
}

std::vector<std::string> words_of(const std::string& path) {
  std::vector<std::string> words;
  for (const auto w : core::split(path, ' ')) words.emplace_back(w);
  return words;
}

}  // namespace

std::string wrap(std::string_view text, std::size_t column, std::size_t indent) {
  std::string out;
  std::size_t at = column;
  bool line_empty = true;
  bool first_paragraph = true;
  for (const auto paragraph : core::split(text, '\n')) {
    if (!first_paragraph) {
      out += "\n" + std::string(indent, ' ');
      at = indent;
      line_empty = true;
    }
    first_paragraph = false;
    for (const auto word : core::split(paragraph, ' ')) {
      if (word.empty()) continue;
      if (!line_empty && at + 1 + word.size() > help_width) {
        out += "\n" + std::string(indent, ' ');
        at = indent;
        line_empty = true;
      } else if (!line_empty) {
        out += ' ';
        ++at;
      }
      out += word;
      at += word.size();
      line_empty = false;
    }
  }
  return out;
}

std::string summary_of(const command& c) {
  const std::string& d = c.description;
  for (std::size_t i = d.find('.'); i != std::string::npos; i = d.find('.', i + 1)) {
    if (i + 1 == d.size() || d[i + 1] == ' ' || d[i + 1] == '\n') return d.substr(0, i + 1);
  }
  return d;
}

std::string overview(const std::vector<command>& table) {
  std::string s = wrap(
      "balint-trial: run a randomized trial of Balint groups (enrolment, questionnaires, "
      "randomization, the programme and its attendance, analysis, audit trail, the web "
      "application).",
      0, 0);
  s += "\n\nUsage: balint-trial COMMAND [OPTIONS]\n"
       "       balint-trial COMMAND --help    (the command's options in full)\n"
       "       balint-trial GROUP --help      (a group's subcommands)\n"
       "\nCommands:\n";
  std::size_t width = 0;
  for (const auto& c : table) width = std::max(width, c.path.size());
  for (const auto& c : table) s += two_columns("  " + c.path, width + 4, summary_of(c));
  s += "\nExit codes: 0 done, 2 refused (nothing was changed), 1 failure.\n";
  return s;
}

std::string group_help(const std::string& group, const std::vector<command>& table) {
  std::vector<const command*> members;
  std::size_t width = 0;
  for (const auto& c : table) {
    const auto words = words_of(c.path);
    if (words.size() < 2 || words.front() != group) continue;
    members.push_back(&c);
    width = std::max(width, c.path.size() - group.size() - 1);
  }
  std::string s = "Usage: balint-trial " + group + " SUBCOMMAND [OPTIONS]\n" +
                  "       balint-trial " + group + " SUBCOMMAND --help\n\nSubcommands:\n";
  for (const auto* c : members) {
    s += two_columns("  " + c->path.substr(group.size() + 1), width + 4, summary_of(*c));
  }
  return s;
}

std::string command_help(const command& c) {
  const std::string usage = "Usage: balint-trial " + c.path;
  std::string s = usage;
  if (!c.synopsis.empty()) {
    // Continuation lines of a long synopsis line up after the command's path.
    const std::size_t column = usage.size() + 1;
    std::string synopsis = glued(c.synopsis);
    synopsis = wrap(synopsis, column, column <= 40 ? column : 4);
    std::replace(synopsis.begin(), synopsis.end(), '\x1f', ' ');
    s += " " + synopsis;
  }
  s += "\n\n" + wrap(c.description, 0, 0) + "\n";
  if (c.options.empty()) return s;
  s += "\nOptions:\n";
  std::vector<std::string> left;
  std::size_t width = 0;
  for (const auto& o : c.options) {
    left.push_back("  --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name));
    width = std::max(width, left.back().size());
  }
  const std::size_t column = std::min<std::size_t>(width + 2, 34);
  for (std::size_t i = 0; i < c.options.size(); ++i) {
    const auto& o = c.options[i];
    std::string meaning = o.help;
    if (o.required) meaning += " (required)";
    if (!o.allowed.empty()) meaning += "; one of: " + core::join(o.allowed, ", ");
    s += two_columns(left[i], column, meaning);
  }
  return s;
}

}  // namespace balint::cli::detail
