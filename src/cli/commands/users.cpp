// Users of the web application.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/site.hpp"
#include "balint/app/user_service.hpp"
#include "balint/core/json.hpp"
#include "balint/report/table.hpp"

#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

/// At a site of several trials, the user commands work on the site's accounts unless a trial
/// is named.
const option_spec account_trial_option{
    "trial",
    "ID",
    "at a site of several trials: the trial whose users these are (default: the site's "
    "accounts)",
    false,
    {}};

/// --role, one of the four roles a user can have.
option_spec role_option(std::string help) {
  return {"role", "ROLE", std::move(help), true, {"coordinator", "leader", "analyst", "admin"}};
}

core::result<int> cmd_user_add(invocation& in) {
  auto password = read_password(in.err);
  if (!password) return std::move(password).error();
  const auto show = [&](const auto& u) {
    in.out << "Added user " << u.name << " (" << app::to_string(u.user_role) << ").\n";
  };
  // A lambda, not app::add_user itself: its security settings are a default argument.
  const auto add = [&](auto& db, const auto& req) {
    return app::add_user(db, req, in.options.at("name"), in.options.at("role"), password.value());
  };
  return with_opened(open_accounts_or_trial(in.options), in, shown(show, add));
}

core::result<int> cmd_user_grant(invocation& in) {
  const app::site s(in.options.at("db"));
  const auto show = [&](const auto& u) {
    in.out << "Gave " << u.name << " the role " << app::to_string(u.user_role)
           << " in this trial; they sign in with their password of the site.\n";
  };
  // The accounts are opened once the trial is open: opening the trial checks --as against the
  // accounts and closes them again, and no file may be open twice in one process.
  const auto grant = [&](auto& db, const auto& req) -> core::result<app::user_view> {
    auto accounts = open_database_at(s.accounts_locator(), "--db");
    if (!accounts) return std::move(accounts).error();
    return app::grant_trial_role(**accounts, db, req, in.options.at("name"), in.options.at("role"));
  };
  return on_database(in, show, grant);
}

core::result<int> cmd_user_disable(invocation& in) {
  const auto show = [&](const auto& u) {
    in.out << "Disabled user " << u.name << "; their sessions are ended.\n";
  };
  const std::string name = in.options.at("name");
  return with_opened(open_accounts_or_trial(in.options), in, shown(show, app::disable_user, name));
}

core::result<int> cmd_user_list(invocation& in) {
  const auto show = [&](const auto& list) {
    if (print_json_if_asked(in, list)) return;
    std::vector<std::vector<std::string>> rows;
    for (const auto& u : list) {
      rows.push_back({u.name, std::string(app::to_string(u.user_role)), u.created_at,
                      u.disabled_at ? "disabled " + *u.disabled_at : "active"});
    }
    in.out << report::text_table({"name", "role", "created_at", "status"}, rows);
  };
  return with_opened(open_accounts_or_trial(in.options), in, shown(show, app::list_users));
}

}  // namespace

std::vector<command> user_commands() {
  return {
      {"user add",
       "--db FILE --name USER --role coordinator|leader|analyst|admin < PASSWORD",
       "Adds a user of the web application. The password is read from standard input (one "
       "line, at least 12 characters), never from an argument. A leader's name is their leader "
       "code. At a site of several trials (docs/sites.md), without --trial this adds an "
       "account of the site (role admin: may create trials); 'user grant' then gives it a role "
       "in a trial.",
       {db_option,
        account_trial_option,
        {"name", "USER", "user name: letters, digits, '.', '-', '_'", true, {}},
        role_option("what the user may do"),
        as_option},
       cmd_user_add,
       true},
      {"user grant",
       "--db SITE [--trial ID] --name USER --role coordinator|leader|analyst|admin",
       "Gives an account of the site a role in one of its trials (a leader in one trial can be "
       "an analyst in another). The account signs in with its one password everywhere.",
       {{"db", "SITE", "the site: a directory, or postgresql://host/dbname", true, {}},
        trial_option,
        {"name", "USER", "the account's name", true, {}},
        role_option("what the account may do in this trial"),
        as_option},
       cmd_user_grant,
       true},
      {"user disable",
       "--db FILE --name USER",
       "Disables a user and ends their sessions (their audit entries stay). At a site, without "
       "--trial: the account, everywhere; with it: the role in that trial.",
       {db_option, account_trial_option, {"name", "USER", "user name", true, {}}, as_option},
       cmd_user_disable,
       true},
      {"user list",
       "--db FILE [--format text|json]",
       "Lists the users of the web application with their roles (never their passwords).",
       {db_option, account_trial_option, format_option({"text", "json"})},
       cmd_user_list},
  };
}

}  // namespace balint::cli::detail
