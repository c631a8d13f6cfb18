#include "io.hpp"

#include "balint/app/clock.hpp"
#include "balint/app/site.hpp"
#include "balint/app/user_service.hpp"

#include <fstream>
#include <iostream>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <termios.h>
#include <unistd.h>

namespace balint::cli::detail {

namespace fs = std::filesystem;

std::string os_user() {
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "unknown";
}

app::request console_request() {
  // Whoever runs the command line on the trial's file acts as the console (access.hpp).
  return {app::console_actor(os_user()), app::utc_now(), app::role::console};
}

core::result<std::string> read_file(const std::string& path, const std::string& option,
                                    std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path)) {
    return core::invalid_input(option, "cannot read the file \"" + path + "\" given to " + option +
                                           ": it does not exist or "
                                           "is not readable");
  }
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return core::invalid_input(option, "the file \"" + path + "\" given to " + option +
                                             " is larger than " + std::to_string(max_bytes >> 20) +
                                             " MiB; allowed: a definition of at most that size");
    }
  }
  return text;
}

void write_file(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

core::result<void> require_database_file(const std::string& path, const std::string& option) {
  if (fs::exists(path)) return {};
  return core::invalid_input(option, "there is no database at \"" + path +
                                         "\"; set one up with 'balint-trial init --db " + path +
                                         "'");
}

core::result<std::unique_ptr<app::database>> open_database_at(const std::string& path,
                                                              const std::string& option,
                                                              bool create) {
  if (app::is_database_server(path)) {
    // A server that cannot be reached, refuses the sign-in or holds something else: the
    // locator given is wrong (exit 2), and nothing was written.
    try {
      return app::open_database(path);
    } catch (const app::storage_error& e) {
      return core::invalid_input(option, e.what());
    }
  }
  if (!create) {
    if (auto exists = require_database_file(path, option); !exists)
      return std::move(exists).error();
  }
  if (fs::exists(path) && fs::file_size(path) > 0) {
    std::ifstream f(path, std::ios::binary);
    char magic[16] = {};
    f.read(magic, sizeof magic);
    if (std::string_view(magic, sizeof magic) != std::string_view("SQLite format 3\0", 16)) {
      return core::invalid_input(option, "\"" + path +
                                             "\" is not a database file (a balint-trial database "
                                             "is an SQLite file); nothing was changed");
    }
  }
  try {
    return app::open_database(path);
  } catch (const app::storage_error& e) {
    if (std::string(e.what()).find("another program") != std::string::npos) {
      return core::invalid_input(option, e.what());
    }
    throw;
  }
}

namespace {

/// The trial `--trial` names at the site of `--db` (the only one when not named) among
/// `listed` (none: the site's trials, listed here), opened.
core::result<std::unique_ptr<app::database>> open_site_trial(
    const app::site& s, const std::string& id,
    const std::optional<std::vector<app::trial_entry>>& listed = std::nullopt) {
  core::result<app::trial_entry> found = core::invalid_input("--trial", "");
  try {
    found = s.find_trial(listed ? *listed : s.trials(), id, "--trial");
  } catch (const app::storage_error& e) {
    return core::invalid_input("--db", e.what());
  }
  if (!found) return std::move(found).error();
  return open_database_at(found->locator, "--db", false);
}

/// At a site, the account `--as` names must be active in the site's accounts as well as in
/// the trial (app::command_line_request checks the trial's row): a site admin disables the
/// account once, for every trial. Checked before the trial is opened, so no database file is
/// opened twice in this process.
core::result<void> check_site_account(const app::site& s, const std::string& name) {
  const std::string where = s.accounts_locator();
  // A site whose users were all added to its trials (user add --trial) has no accounts file.
  if (!app::is_database_server(where) && !fs::exists(where)) return {};
  auto accounts = open_database_at(where, "--db", false);
  if (!accounts) return std::move(accounts).error();
  const auto row = (*accounts)->find_user(name);
  if (!row || !row->disabled_at) return {};  // no account: the trial's refusal names its users
  // A name found among the accounts is a well-formed user name, safe to echo.
  return core::invalid_input("--as", "--as \"" + name +
                                         "\": the account was disabled at the site on " +
                                         *row->disabled_at +
                                         "; a disabled account acts in no trial of the site ("
                                         "'balint-trial user list --db " +
                                         s.locator() + "' shows the active ones)");
}

}  // namespace

core::result<std::unique_ptr<app::database>> open_db(const parsed_options& o, bool create) {
  const std::string& where = o.at("db");
  const std::string id = o.get_or("trial", "");
  const app::site s(where);
  if (const auto as = o.get("as"); as && s.holds_many()) {
    if (auto ok = check_site_account(s, *as); !ok) return std::move(ok).error();
  }
  if (!s.holds_many()) {
    // One trial's file: --trial, when given, must name its trial.
    if (!id.empty() && fs::exists(where)) return open_site_trial(s, id);
    return open_database_at(where, "--db", create);
  }
  if (!app::is_database_server(where)) {
    if (create) {
      return core::invalid_input("--db", "\"" + where +
                                             "\" is a site's directory; set up a trial in it "
                                             "with 'balint-trial trial create --db " +
                                             where + " --config TRIAL.json'");
    }
    return open_site_trial(s, id);
  }
  // A PostgreSQL database: its own trial, unless --trial names one of its site's trials or
  // the site's only trial lives in a schema of its own.
  if (id.empty()) {
    std::vector<app::trial_entry> all;
    try {
      all = s.trials();
    } catch (const app::storage_error& e) {
      return core::invalid_input("--db", e.what());
    }
    if (all.empty() || (all.size() == 1 && all.front().locator == where) || create) {
      return open_database_at(where, "--db", create);
    }
    return open_site_trial(s, id, all);
  }
  return open_site_trial(s, id);
}

core::result<std::unique_ptr<app::database>> open_accounts_or_trial(const parsed_options& o) {
  const app::site s(o.at("db"));
  if (!s.holds_many() || o.has("trial")) return open_db(o);
  return open_database_at(s.accounts_locator(), "--db", true);
}

core::result<std::string> read_password(std::ostream& err) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    err << "Password (at least 12 characters): " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    err << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    return core::invalid_input("password",
                               "give the password on standard input (one line), e.g. "
                               "'balint-trial user add ... < password.txt'");
  }
  return line;
}

}  // namespace balint::cli::detail
