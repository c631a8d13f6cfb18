// Users of the web application.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/user_service.hpp"
#include "balint/core/json.hpp"
#include "balint/report/table.hpp"

#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

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
  return on_database(in, show, add);
}

core::result<int> cmd_user_disable(invocation& in) {
  const auto show = [&](const auto& u) {
    in.out << "Disabled user " << u.name << "; their sessions are ended.\n";
  };
  return on_database(in, show, app::disable_user, in.options.at("name"));
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
  return on_database(in, show, app::list_users);
}

}  // namespace

std::vector<command> user_commands() {
  return {
      {"user add",
       "--db FILE --name USER --role coordinator|leader|analyst|admin < PASSWORD",
       "Adds a user of the web application. The password is read from standard input (one "
       "line, at least 12 characters), never from an argument. A leader's name is their leader "
       "code.",
       {db_option,
        {"name", "USER", "user name: letters, digits, '.', '-', '_'", true, {}},
        {"role",
         "ROLE",
         "what the user may do",
         true,
         {"coordinator", "leader", "analyst", "admin"}},
        as_option},
       cmd_user_add,
       true},
      {"user disable",
       "--db FILE --name USER",
       "Disables a user and ends their sessions (their audit entries stay).",
       {db_option, {"name", "USER", "user name", true, {}}, as_option},
       cmd_user_disable,
       true},
      {"user list",
       "--db FILE [--format text|json]",
       "Lists the users of the web application with their roles (never their passwords).",
       {db_option, format_option({"text", "json"})},
       cmd_user_list},
  };
}

}  // namespace balint::cli::detail
