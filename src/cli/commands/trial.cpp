// The trial itself: setting it up, locking it at the end, and its audit trail.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/database.hpp"
#include "balint/app/migrate_service.hpp"
#include "balint/app/services.hpp"
#include "balint/app/site.hpp"
#include "balint/core/json.hpp"
#include "balint/core/text.hpp"
#include "balint/report/table.hpp"

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

namespace fs = std::filesystem;

/// What init and trial create say about the new trial.
void print_set_up(std::ostream& out, const app::init_result& r, const std::string& where,
                  const app::list_seed& seed) {
  out << "Trial " << r.trial_id << " set up in " << where << "\n"
      << "  " << r.title << "\n"
      << "  planned participants: " << r.planned_participants << "\n"
      << "  instruments: " << core::join(r.instruments, ", ") << "\n"
      << "  allocation list: sealed (" << r.strata << (r.strata == 1 ? " stratum" : " strata")
      << "; seed " << (seed.from_user ? "given with --seed" : "from the system's random source")
      << ", recorded)\n"
      << "  commitment: " << r.commitment << "\n"
      << "  (publish or file the commitment now: 'randomization verify' proves later that the "
         "list was never changed)\n"
      << "Next: enrol participants with 'balint-trial participant add' or 'participant "
         "import'.\n";
}

/// What init and trial create read before touching any database: the definition of --config
/// (none: the default trial) and the list's seed.
struct set_up_input {
  std::optional<std::string> config;
  app::list_seed seed;
};

/// The config with each {"file": ...} entry of its "instruments" list replaced by that file's
/// definition, read relative to the config's folder, so the facade checks and the trial stores
/// the definition itself. A config that is not JSON, or has no such entries, is passed on as it
/// is (the facade names what is wrong with it).
core::result<std::string> with_instrument_files(std::string text, const fs::path& config) {
  auto doc = core::parse_json(text);
  if (!doc || !doc->is_object() || doc->find("instruments") == nullptr ||
      !(*doc)["instruments"].is_array()) {
    return text;
  }
  bool replaced = false;
  auto& list = (*doc)["instruments"].as_array();
  for (std::size_t k = 0; k < list.size(); ++k) {
    const core::json* file = list[k].is_object() ? list[k].find("file") : nullptr;
    if (file == nullptr || !file->is_string() || list[k].as_object().size() != 1) continue;
    const std::string field = "$.instruments[" + std::to_string(k) + "].file";
    const fs::path path = config.parent_path() / file->as_string();
    auto content = read_file(path.string(), field, max_definition_bytes);
    if (!content) return std::move(content).error();
    // Checked here, so that a refusal names the file and the path inside it, not a place in
    // the config that the user never wrote.
    auto checked = app::check_instrument_definition(content.value());
    if (!checked) {
      return core::invalid_input(field, "the instrument file " + path.string() + ", at " +
                                            checked.error().field + ": " + checked.error().message);
    }
    list[k] = std::move(checked->document);
    replaced = true;
  }
  if (!replaced) return text;
  return doc->dump();
}

core::result<set_up_input> read_set_up_input(const parsed_options& o) {
  set_up_input in;
  if (const auto path = o.get("config")) {
    auto text = read_file(*path, "--config", max_definition_bytes);
    if (!text) return std::move(text).error();
    auto resolved = with_instrument_files(std::move(text).value(), *path);
    if (!resolved) return std::move(resolved).error();
    in.config = std::move(resolved).value();
  }
  auto seed = list_seed_from(o);
  if (!seed) return std::move(seed).error();
  in.seed = seed.value();
  return in;
}

core::result<int> cmd_init(invocation& in) {
  auto given = read_set_up_input(in.options);
  if (!given) return std::move(given).error();
  const auto& [config, seed] = given.value();
  const std::string& path = in.options.at("db");
  const bool existed = fs::exists(path);
  auto db = open_db(in.options, true);
  if (!db) return std::move(db).error();
  auto r = app::init_trial(**db, console_request(), config, seed);
  if (!r) {
    // A refused init leaves no new file behind.
    if (!existed) {
      db->reset();
      app::remove_database_files(path);
    }
    return std::move(r).error();
  }
  print_set_up(in.out, r.value(), in.options.at("db"), seed);
  return 0;
}

core::result<int> cmd_trial_create(invocation& in) {
  auto given = read_set_up_input(in.options);
  if (!given) return std::move(given).error();
  const auto& [config, seed] = given.value();
  const std::string& where = in.options.at("db");
  // A new site is a new directory (a PostgreSQL database is made by its administrator).
  if (!app::is_database_server(where) && !fs::exists(where)) fs::create_directories(where);
  const app::site s(where);
  core::result<app::init_result> r = core::invalid_input("--db", "");
  try {
    r = app::create_trial(s, console_request(), config, seed);
  } catch (const app::storage_error& e) {
    if (!app::is_database_server(where)) throw;
    return core::invalid_input("--db", e.what());
  }
  if (!r) return std::move(r).error();
  print_set_up(in.out, r.value(), s.trial_locator(r->trial_id), seed);
  in.out << "Every command takes it with --db " << where << " --trial " << r->trial_id << ".\n";
  return 0;
}

core::result<int> cmd_lock(invocation& in) {
  const auto show = [&](const auto& locked_at) {
    in.out << "Trial locked on " << locked_at
           << ". No further changes are accepted; the allocation list may now be revealed.\n";
  };
  return on_database(in, show, app::lock_trial, in.options.get_or("reason", ""));
}

core::result<int> cmd_audit_verify(invocation& in) {
  const auto show = [&](const auto& v) {
    if (v.ok) {
      in.out << "audit trail ok: " << v.entries << " entries, chain intact\n"
             << "head hash: " << v.head_hash
             << "\n(keep this hash somewhere else: it also reveals entries removed from the "
                "end)\n";
      return 0;
    }
    in.out << "audit trail BROKEN at entry " << v.first_broken << ": " << v.problem << "\n";
    return 1;
  };
  return on_database(in, show, app::verify_audit_trail);
}

core::result<int> cmd_audit_log(invocation& in) {
  const auto show = [&](const auto& log) {
    if (print_json_if_asked(in, log)) return;
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : log) {
      rows.push_back({std::to_string(e.seq), e.at, e.actor, e.action, e.entity,
                      e.reason.value_or(""), e.hash.substr(0, 12)});
    }
    in.out << report::text_table({"seq", "at (UTC)", "actor", "action", "entity", "reason", "hash"},
                                 rows);
  };
  return on_database(in, show, app::audit_log);
}

core::result<int> cmd_migrate(invocation& in) {
  const std::string from_locator = in.options.at("from");
  const std::string to_locator = in.options.at("to");
  auto from = open_database_at(from_locator, "--from");
  if (!from) return std::move(from).error();
  const bool to_existed = app::is_database_server(to_locator) || fs::exists(to_locator);
  auto to = open_database_at(to_locator, "--to", true);
  if (!to) return std::move(to).error();
  auto r = app::migrate_trial(**from, **to, console_request(), from_locator);
  if (!r) {
    to->reset();
    // A refused copy leaves no new file behind.
    if (!to_existed) app::remove_database_files(to_locator);
    return std::move(r).error();
  }
  const auto& m = r.value();
  in.out << "Copied the trial from " << from_locator << " to " << to_locator << ": "
         << m.participants << " participants, " << m.questionnaires << " questionnaires, "
         << m.allocations << " allocations, " << m.sessions << " lectures and sessions, "
         << m.attendance_marks << " attendance marks, " << m.users << " users and "
         << m.audit_entries << " audit entries (and one more recording the copy).\n"
         << "Check the copy: 'balint-trial audit verify --db " << to_locator
         << "' and 'balint-trial randomization verify --db " << to_locator << "'.\n";
  return 0;
}

}  // namespace

/// The options init and trial create share.
const option_spec config_option{
    "config", "TRIAL.json", "trial definition (default: tongji-2020)", false, {}};
const option_spec seed_option{
    "seed",
    "N",
    "seed of the allocation list, 0-4294967295 (default: drawn from the system, recorded)",
    false,
    {}};

std::vector<command> trial_commands() {
  return {
      {"init",
       "--db FILE [--config TRIAL.json] [--seed N]",
       "Sets up a trial in a new database file. Without --config the default trial is used: the "
       "Tongji Balint-group trial (schemas/trials/tongji-2020.json). A definition that breaks "
       "schemas/trial.schema.json is refused with the JSON path of the problem. The whole "
       "allocation list is generated from the seed and sealed; init prints its commitment.",
       {db_option, config_option, seed_option},
       cmd_init,
       true},
      {"trial create",
       "--db SITE [--config TRIAL.json] [--seed N]",
       "Sets up one more trial of a site: a directory (DIR/trials/ID.db; the directory is made "
       "when missing) or a PostgreSQL database (a schema of its own). The definition is checked "
       "as init checks it, and its id names the trial; an id the site already holds is refused. "
       "Then give people roles in it with 'user grant'.",
       {{"db", "SITE", "the site: a directory, or postgresql://host/dbname", true, {}},
        config_option,
        seed_option},
       cmd_trial_create,
       true},
      {"migrate",
       "--from DB --to DB",
       "Copies a trial into an empty database, from SQLite to PostgreSQL or back: the "
       "participants, questionnaires, the sealed list and allocations, the programme and "
       "attendance, users and the audit trail entry by entry, so the verifications pass on the "
       "copy. A DB is a file or a postgresql://host/dbname URL (the password from PGPASSWORD or "
       "~/.pgpass). The source is only read; a refused copy changes nothing.",
       {{"from", "DB", "the trial's database now", true, {}},
        {"to", "DB", "an empty database (a new file, or an empty PostgreSQL database)", true, {}}},
       cmd_migrate,
       true},
      {"lock",
       "--db FILE [--reason TEXT]",
       "Locks the trial database at the end of the trial: every later change is refused.",
       {db_option, reason_option("why the trial is locked now", false), as_option},
       cmd_lock,
       true},
      {"audit verify",
       "--db FILE",
       "Recomputes the hash chain of the audit trail and names the first entry that was changed "
       "or removed. Exit code 1 when the trail is broken.",
       {db_option},
       cmd_audit_verify},
      {"audit log",
       "--db FILE [--format text|json]",
       "Lists every audit entry: when, who, what, on which record, and why.",
       {db_option, format_option({"text", "json"})},
       cmd_audit_log},
  };
}

}  // namespace balint::cli::detail
