// Black-box tests of --help at every level (issue 12): the overview, a group, one command, and a
// walk over every command of the table. Help comes from the command table, so these tests also
// keep the table honest: every command has a usage line, a whole description and its options.

#include "cli_harness.hpp"
#include "cli_steps.hpp"

#include <doctest/doctest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

using balint::test::run_cli;
using balint::test::run_result;
using balint::test::steps::contains;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> words_of(const std::string& path) {
  std::vector<std::string> words;
  std::istringstream in(path);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

/// `text` with every run of spaces and line breaks as one space: wrapped help, read as prose.
std::string flat(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string w; in >> w;) out += (out.empty() ? "" : " ") + w;
  return out;
}

/// Every command path of the table, from the (unlisted) `help --list`.
std::vector<std::string> command_paths() {
  const auto r = run_cli({"help", "--list"});
  REQUIRE(r.exit_code == 0);
  return lines_of(r.out);
}

/// Fails when a line of `text` is wider than the 80 columns help is wrapped to.
void check_width(const std::string& text) {
  for (const auto& line : lines_of(text)) {
    INFO(line);
    CHECK(line.size() <= 80);
  }
}

/// The overview's entry of `path`: its line and the continuation lines under it, joined.
std::string overview_entry(const std::string& overview, const std::string& path) {
  const auto lines = lines_of(overview);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("  " + path + "  ", 0) != 0) continue;
    std::string entry = lines[i].substr(path.size() + 2);
    for (std::size_t k = i + 1; k < lines.size() && lines[k].rfind("      ", 0) == 0; ++k) {
      entry += " " + lines[k];
    }
    return flat(entry);
  }
  return "";
}

}  // namespace

TEST_SUITE("cli help") {
  TEST_CASE("issue-12: the overview lists every command with its whole summary") {
    const auto r = run_cli({"--help"});
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Usage: balint-trial COMMAND [OPTIONS]"));
    CHECK(contains(r.out, "balint-trial GROUP --help"));
    check_width(r.out);
    // The old overview cut descriptions at their first line break.
    CHECK_FALSE(contains(r.out, "the default trial is used: the\n"));
    CHECK(overview_entry(r.out, "init") == "Sets up a trial in a new database file.");
    for (const auto& path : command_paths()) {
      const auto entry = overview_entry(r.out, path);
      INFO(path << ": " << entry);
      CHECK_FALSE(entry.empty());
      CHECK(entry.back() == '.');
    }
    CHECK(run_cli({"-h"}).out == r.out);
    CHECK(run_cli({"help"}).out == r.out);
  }

  TEST_CASE("issue-12: a group answers --help with its subcommands and their summaries") {
    const auto r = run_cli({"participant", "--help"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(contains(r.out, "Usage: balint-trial participant SUBCOMMAND"));
    CHECK(contains(r.out, "  add "));
    CHECK(contains(r.out, "Enrols one participant after checking eligibility and consent."));
    CHECK(contains(r.out, "  import "));
    CHECK(contains(r.out, "  list "));
    CHECK(contains(r.out, "  withdraw "));
    CHECK_FALSE(contains(r.out, "outcome"));
    check_width(r.out);
    CHECK(run_cli({"participant", "-h"}).out == r.out);
    CHECK(run_cli({"help", "participant"}).out == r.out);

    const auto schedule = run_cli({"schedule", "--help"});
    CHECK(schedule.exit_code == 0);
    for (const char* sub : {"generate", "list", "assign-leader", "plan", "move", "cancel", "ics"}) {
      INFO(sub << "\n" << schedule.out);
      CHECK(contains(schedule.out, std::string("  ") + sub + " "));
    }

    // Without --help a group still needs a subcommand, and an unknown one is named.
    const auto bare = run_cli({"participant"});
    CHECK(bare.exit_code == 2);
    CHECK(contains(bare.err, "a subcommand is needed"));
    const auto unknown = run_cli({"participant", "frobnicate"});
    CHECK(unknown.exit_code == 2);
    CHECK(contains(unknown.err, "unknown subcommand \"frobnicate\""));
  }

  TEST_CASE("issue-12: a command's --help gives its usage, description and every option") {
    const auto r = run_cli({"participant", "add", "--help"});
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("Usage: balint-trial participant add --db FILE --code C", 0) == 0);
    CHECK(contains(r.out, "Enrols one participant after checking eligibility and consent."));
    for (const char* option :
         {"--db FILE", "--code C", "--age N", "--gender M|F", "--consent yes", "--specialty S",
          "--balint-knowledge 1-5", "--balint-times 1-5", "--available LIST", "--as USER"}) {
      INFO(option);
      CHECK(contains(r.out, std::string("  ") + option + " "));
    }
    CHECK(contains(flat(r.out),
                   "--db FILE the trial's database: a SQLite file, a site's directory, or "
                   "postgresql://host/dbname (required)"));
    CHECK(contains(flat(r.out),
                   "--code C participant code: letters, digits, - and _ (up to 32) (required)"));
    check_width(r.out);
    CHECK(run_cli({"help", "participant", "add"}).out == r.out);
    // --help wins wherever it stands, and nothing is run.
    CHECK(run_cli({"participant", "add", "--db", "nowhere.db", "--help"}).out == r.out);

    // Allowed values are listed with the option.
    const auto user = run_cli({"user", "add", "--help"});
    CHECK(user.exit_code == 0);
    CHECK(contains(flat(user.out), "one of: coordinator, leader, analyst, admin"));
    // A description of several sentences is shown whole, wrapped.
    const auto init = run_cli({"init", "--help"});
    CHECK(contains(flat(init.out), "Without --config the default trial is used"));
    CHECK(contains(flat(init.out), "init prints its commitment."));
    check_width(init.out);

    const auto nothing = run_cli({"help", "frobnicate"});
    CHECK(nothing.exit_code == 2);
    CHECK(contains(nothing.err, "no command \"frobnicate\""));
  }

  TEST_CASE("issue-12: every command of the table and every group answers --help") {
    const auto paths = command_paths();
    CHECK(paths.size() >= 38);
    std::set<std::string> groups;
    for (const auto& path : paths) {
      auto args = words_of(path);
      if (args.size() > 1) groups.insert(args.front());
      args.push_back("--help");
      const auto r = run_cli(args);
      INFO(path << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
      CHECK(r.exit_code == 0);
      CHECK(r.out.rfind("Usage: balint-trial " + path, 0) == 0);
      check_width(r.out);
    }
    CHECK(groups.size() >= 8);
    for (const auto& group : groups) {
      const auto r = run_cli({group, "--help"});
      INFO(group << "\n" << r.out << r.err);
      CHECK(r.exit_code == 0);
      for (const auto& path : paths) {
        if (path.rfind(group + " ", 0) == 0)
          CHECK(contains(r.out, "  " + path.substr(group.size() + 1) + " "));
      }
    }
  }
}
