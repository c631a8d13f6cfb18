// The web application: the demo trial and the server.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/database.hpp"
#include "balint/app/demo_service.hpp"
#include "balint/core/text.hpp"
#include "balint/report/table.hpp"
#include "balint/server/server.hpp"

#include <date/tz.h>

#include <filesystem>
#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

namespace fs = std::filesystem;

/// The machine's time zone (the demo's programme runs in it), or UTC when it has none.
std::string local_time_zone() {
  try {
    return std::string(date::current_zone()->name());
  } catch (const std::exception&) {
    return "Etc/UTC";
  }
}

void print_demo_users(std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : app::demo_users()) rows.push_back({u.name, u.role, u.password});
  out << "Demo users (demo databases only; never use these passwords for a real trial):\n"
      << report::text_table({"user", "role", "password"}, rows);
}

core::result<int> cmd_demo(invocation& in) {
  const std::string path = in.options.at("db");
  app::demo_options options;
  options.time_zone = in.options.get_or("time-zone", local_time_zone());
  if (fs::exists(path) || app::is_database_server(path)) {
    // An existing file, or a server database (created by its administrator): built in place,
    // one transaction per step, so a failure leaves what was built before it.
    const auto show = [&](const auto& r) {
      if (r.created) {
        in.out << "Built the demo trial in " << path << ".\n";
      } else {
        in.out << path << " already holds the demo trial; it is left as it is.\n";
      }
      print_demo_users(in.out);
    };
    return on_database(in, show, app::build_demo, options);
  }
  // Built in a file of its own and renamed at the end: a failure leaves no half-built demo.
  const std::string building = path + ".building";
  app::remove_database_files(building);
  core::result<app::demo_summary> r = app::demo_summary{};
  {
    auto db = app::open_database(building);
    r = app::build_demo(*db, console_request(), options);
  }
  if (!r) {
    app::remove_database_files(building);
    return std::move(r).error();
  }
  fs::rename(building, path);
  in.out << "Built the demo trial in " << path << ": " << r->enrolled << " residents enrolled, "
         << r->randomized << " randomized, sessions 1-" << r->sessions_logged
         << " with attendance; session " << r->today_session << " started "
         << r->today_session_start << " (" << options.time_zone << ") and waits for its leader.\n"
         << "Serve it with: balint-trial serve --db " << path << "\n";
  print_demo_users(in.out);
  return 0;
}

core::result<int> cmd_serve(invocation& in) {
  server::config c;
  c.db_path = in.options.at("db");
  if (!app::is_database_server(c.db_path)) {
    if (auto exists = require_database_file(c.db_path); !exists) return std::move(exists).error();
  }
  c.bind = in.options.get_or("bind", "127.0.0.1");
  const auto port = core::parse_integer(in.options.get_or("port", "8080"));
  if (!port || *port < 0 || *port > 65535) {
    return core::invalid_input("--port",
                               "the port must be a number from 0 (any free port) to "
                               "65535");
  }
  c.port = static_cast<std::uint16_t>(*port);
  const auto threads = core::parse_integer(in.options.get_or("threads", "64"));
  if (!threads || *threads < 1 || *threads > 1024) {
    return core::invalid_input("--threads", "the number of worker threads must be 1 to 1024");
  }
  c.threads = static_cast<int>(*threads);
  c.max_queued = 4 * c.threads;
  c.secure_cookie = in.options.has("secure-cookie");
  c.trust_forwarded_for = in.options.has("behind-proxy");
  return server::serve(std::move(c), in.out, in.err);
}

}  // namespace

std::vector<command> serve_commands() {
  return {
      {"demo",
       "--db FILE [--time-zone ZONE]",
       "Builds a demo trial for trying the web pages. It is the Tongji trial moved so that a "
       "session started today, 36 residents (32 randomized, 4 waiting), attendance up to today, "
       "and four demo users whose passwords it prints. A database that already holds the demo is "
       "left as it is; one holding another trial is refused.",
       {db_option,
        {"time-zone",
         "ZONE",
         "the programme's IANA time zone (default: this machine's)",
         false,
         {}}},
       cmd_demo,
       true},
      {"serve",
       "--db FILE [--bind 127.0.0.1] [--port 8080] [--threads N] [--secure-cookie] "
       "[--behind-proxy]",
       "Serves the web pages and the HTTP API (docs/api.md) until SIGTERM or Ctrl-C. Requests in "
       "flight finish before it stops. Prints the address it listens on; --port 0 takes any free "
       "port. Behind a TLS proxy, give --secure-cookie so browsers send the session cookie over "
       "HTTPS only, and --behind-proxy so survey links are rate-limited per participant's "
       "address (the last X-Forwarded-For entry) rather than the proxy's.",
       {db_option,
        {"bind", "ADDR", "address to listen on (default: 127.0.0.1)", false, {}},
        {"port", "N", "TCP port (default: 8080; 0: any free port)", false, {}},
        {"threads",
         "N",
         "worker threads = keep-alive clients served at once (default: 64)",
         false,
         {}},
        {"secure-cookie", "", "mark the session cookie Secure (serving behind TLS)", false, {}},
        {"behind-proxy",
         "",
         "a reverse proxy on this machine sets X-Forwarded-For: rate-limit survey links by its "
         "last entry",
         false,
         {}}},
       cmd_serve},
  };
}

}  // namespace balint::cli::detail
