#include "balint/cli/application.hpp"

#include "balint/analysis/analysis.hpp"
#include "balint/analysis/data_set.hpp"
#include "balint/app/analysis_service.hpp"
#include "balint/app/clock.hpp"
#include "balint/app/demo_service.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/reproduce_service.hpp"
#include "balint/app/schedule_service.hpp"
#include "balint/app/services.hpp"
#include "balint/app/user_service.hpp"
#include "balint/cli/options.hpp"
#include "balint/core/json.hpp"
#include "balint/core/text.hpp"
#include "balint/report/analysis_report.hpp"
#include "balint/report/certificate.hpp"
#include "balint/report/export.hpp"
#include "balint/report/ics.hpp"
#include "balint/report/reproduction_report.hpp"
#include "balint/report/table.hpp"
#include "balint/reproduction/audit.hpp"
#include "balint/reproduction/published.hpp"
#include "balint/reproduction/reconstruct.hpp"
#include "balint/resources/resources.hpp"
#include "balint/scheduling/calendar.hpp"
#include "balint/server/server.hpp"
#include "balint/storage/database.hpp"

#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <pwd.h>
#include <random>
#include <sstream>
#include <termios.h>
#include <unistd.h>

namespace balint::cli {
namespace {

namespace fs = std::filesystem;

/// What a command handler gets: its parsed options and where to write.
struct invocation {
  const parsed_options& options;
  std::ostream& out;
  std::ostream& err;
};

/// Returns the exit code on success (audit verify returns 1 for a broken chain).
using handler = std::function<core::result<int>(invocation&)>;

/// The command table (taskwarrior's Command: keyword, usage and description are data).
struct command {
  std::string path;      ///< "participant add"
  std::string synopsis;  ///< after the path in the usage line
  std::string description;
  std::vector<option_spec> options;
  handler run;
  bool writes = false;  ///< takes --as NAME
  std::size_t positionals = 0;
};

// --- edge helpers: the clock, the user, files ----------------------------------------------

std::string os_user() {
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "unknown";
}

app::request make_request(const parsed_options& o) {
  return {o.get_or("as", os_user()), app::utc_now()};
}

core::result<std::string> read_file(const std::string& path, const std::string& option) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::invalid_input(option, "cannot read the file \"" + path + "\" given to " + option +
                                           ": it does not exist or "
                                           "is not readable");
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Writes a file whole or not at all: to a temporary name first, then renamed.
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

/// Opens the database of --db. Every command but init needs an existing file: a typo in the
/// path must not silently create an empty trial.
core::result<std::unique_ptr<storage::database>> open_db(const parsed_options& o,
                                                         bool create = false) {
  const std::string& path = o.at("db");
  if (!create && !fs::exists(path)) {
    return core::invalid_input("--db", "there is no database at \"" + path +
                                           "\"; set one up with 'balint-trial init --db " + path +
                                           "'");
  }
  if (fs::exists(path) && fs::file_size(path) > 0) {
    std::ifstream f(path, std::ios::binary);
    char magic[16] = {};
    f.read(magic, sizeof magic);
    if (std::string_view(magic, sizeof magic) != std::string_view("SQLite format 3\0", 16)) {
      return core::invalid_input("--db", "\"" + path +
                                             "\" is not a database file (a balint-trial database "
                                             "is an SQLite file); nothing was changed");
    }
  }
  try {
    return storage::database::open(path);
  } catch (const storage::storage_error& e) {
    if (std::string(e.what()).find("another program") != std::string::npos) {
      return core::invalid_input("--db", e.what());
    }
    throw;
  }
}

const option_spec db_option{"db", "FILE", "the trial's database file (SQLite)", true, {}};
const option_spec as_option{
    "as", "NAME", "who does this, for the audit trail (default: your user name)", false, {}};

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

std::string opt_int(const std::optional<int>& v) { return v ? std::to_string(*v) : ""; }

// --- rendering ---------------------------------------------------------------------------

std::vector<std::string> participant_cells(const storage::participant_record& r) {
  const auto& p = r.participant;
  return {p.code,
          std::to_string(p.age),
          p.gender,
          p.specialty.value_or(""),
          p.consent ? "yes" : "no",
          opt_int(p.balint_knowledge),
          opt_int(p.balint_times),
          enrolment::format_available(p.available),
          r.enrolled_at,
          r.withdrawn() ? "withdrawn " + *r.withdrawn_at : "enrolled",
          r.withdrawal_reason.value_or("")};
}

const std::vector<std::string> participant_header = {
    "code",         "age",       "gender",      "specialty", "consent",          "balint_knowledge",
    "balint_times", "available", "enrolled_at", "status",    "withdrawal_reason"};

std::string scores_text(const std::vector<instruments::subscale_score>& scores) {
  std::string s;
  for (const auto& sc : scores) {
    if (!s.empty()) s += " ";
    s += sc.subscale + "=" + (sc.score ? report::format_score(*sc.score) : "missing");
    if (sc.is_case && *sc.is_case) s += "*";
  }
  return s;
}

core::json scores_json(const std::vector<instruments::subscale_score>& scores) {
  core::json j = core::json::object{};
  for (const auto& sc : scores) {
    core::json s;
    s["score"] = sc.score ? core::json(*sc.score) : core::json();
    s["answered"] = sc.answered;
    s["missing"] = sc.missing;
    s["case"] = sc.is_case ? core::json(*sc.is_case) : core::json();
    j[sc.subscale] = s;
  }
  return j;
}

std::string items_text(const instruments::item_values& items) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) s += ",";
    if (items[i]) s += std::to_string(*items[i]);
  }
  return s;
}

// --- handlers ----------------------------------------------------------------------------

/// The seed of a new allocation list: --seed N, or drawn from the operating system's random
/// source (std::random_device reads getrandom/urandom on Linux); the salt always is.
core::result<app::list_seed> list_seed_from(const parsed_options& o) {
  std::random_device os_random;
  app::list_seed s;
  if (const auto text = o.get("seed")) {
    const auto v = core::parse_integer(*text);
    if (!v || *v < 0 || *v > 4294967295LL) {
      return core::invalid_input("--seed", "--seed \"" + *text +
                                               "\" is not allowed; allowed: a whole number from 0 "
                                               "to 4294967295");
    }
    s.seed = static_cast<std::uint32_t>(*v);
    s.from_user = true;
  } else {
    s.seed = os_random();
  }
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    const std::uint32_t word = os_random();
    for (int k = 0; k < 8; ++k) s.salt_hex.push_back(hex[(word >> (4 * k)) & 0xf]);
  }
  return s;
}

core::result<int> cmd_init(invocation& in) {
  std::optional<std::string> config;
  if (const auto path = in.options.get("config")) {
    auto text = read_file(*path, "--config");
    if (!text) return std::move(text).error();
    config = std::move(text.value());
  }
  auto seed = list_seed_from(in.options);
  if (!seed) return std::move(seed).error();
  const std::string& path = in.options.at("db");
  const bool existed = fs::exists(path);
  auto db = open_db(in.options, true);
  if (!db) return std::move(db).error();
  auto r = app::init_trial(**db, make_request(in.options), config, seed.value());
  if (!r) {
    // A refused init leaves no new file behind.
    if (!existed) {
      db->reset();
      storage::remove_database_files(path);
    }
    return std::move(r).error();
  }
  in.out << "Trial " << r->trial_id << " set up in " << in.options.at("db") << "\n"
         << "  " << r->title << "\n"
         << "  planned participants: " << r->planned_participants << "\n"
         << "  instruments: " << core::join(r->instruments, ", ") << "\n"
         << "  allocation list: sealed (" << r->strata << (r->strata == 1 ? " stratum" : " strata")
         << "; seed " << (seed->from_user ? "given with --seed" : "from the system's random source")
         << ", recorded)\n"
         << "  commitment: " << r->commitment << "\n"
         << "  (publish or file the commitment now: 'randomization verify' proves later that the "
            "list was never changed)\n"
         << "Next: enrol participants with 'balint-trial participant add' or 'participant "
            "import'.\n";
  return 0;
}

enrolment::participant_fields fields_from(const parsed_options& o) {
  enrolment::participant_fields f;
  f.code = o.get_or("code", "");
  f.age = o.get_or("age", "");
  f.gender = o.get_or("gender", "");
  f.consent = o.get_or("consent", "");
  f.specialty = o.get("specialty");
  f.balint_knowledge = o.get("balint-knowledge");
  f.balint_times = o.get("balint-times");
  f.available = o.get("available");
  return f;
}

core::result<int> cmd_participant_add(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto r = app::add_participant(**db, make_request(in.options), fields_from(in.options));
  if (!r) return std::move(r).error();
  in.out << "Enrolled participant " << r->participant.code << " (enrolment number " << r->id
         << ").\n";
  return 0;
}

core::result<int> cmd_participant_import(invocation& in) {
  auto text = read_file(in.options.at("csv"), "--csv");
  if (!text) return std::move(text).error();
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto r = app::import_participants(**db, make_request(in.options), text.value());
  if (!r) return std::move(r).error();
  in.out << "Enrolled " << r.value() << " participants from " << in.options.at("csv") << ".\n";
  return 0;
}

core::result<int> cmd_participant_list(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto list = app::list_participants(**db);
  if (!list) return std::move(list).error();
  const std::string format = in.options.get_or("format", "text");
  if (format == "json") {
    core::json::array a;
    for (const auto& r : list.value()) a.push_back(app::to_json(r));
    in.out << core::json(std::move(a)).dump_pretty() << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : list.value()) rows.push_back(participant_cells(r));
  if (format == "csv") {
    in.out << report::csv_table(participant_header, rows);
  } else {
    in.out << report::text_table(participant_header, rows);
    std::size_t withdrawn = 0;
    for (const auto& r : list.value()) withdrawn += r.withdrawn() ? 1 : 0;
    in.out << list->size() << " enrolled";
    if (withdrawn) in.out << " (" << withdrawn << " withdrawn)";
    in.out << "\n";
  }
  return 0;
}

core::result<int> cmd_participant_withdraw(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto r = app::withdraw_participant(**db, make_request(in.options), in.options.at("code"),
                                     in.options.at("reason"));
  if (!r) return std::move(r).error();
  in.out << "Participant " << r->participant.code << " withdrawn on " << *r->withdrawn_at
         << ". Their records are kept.\n";
  return 0;
}

core::result<int> cmd_outcome_record(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto r = app::record_outcome(**db, make_request(in.options), in.options.at("participant"),
                               in.options.at("timepoint"), in.options.at("instrument"),
                               in.options.at("items"), in.options.get("reason"));
  if (!r) return std::move(r).error();
  in.out << (r->correction ? "Corrected " : "Recorded ") << r->assessment.instrument << " for "
         << r->assessment.participant_code << " at " << r->assessment.timepoint << ": "
         << scores_text(r->scores) << "\n";
  return 0;
}

core::result<int> cmd_outcome_import(invocation& in) {
  auto text = read_file(in.options.at("csv"), "--csv");
  if (!text) return std::move(text).error();
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto r = app::import_outcomes(**db, make_request(in.options), text.value());
  if (!r) return std::move(r).error();
  in.out << "Imported " << r->assessments << " questionnaires (" << r->item_rows
         << " item answers) for " << r->participants << " participants.\n";
  if (r->incomplete > 0) {
    in.out << r->incomplete
           << " of them have missing answers that leave a subscale without a score; see "
              "'balint-trial outcome list'.\n";
  }
  return 0;
}

core::result<int> cmd_outcome_list(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto list = app::list_outcomes(**db, in.options.get("participant"));
  if (!list) return std::move(list).error();
  const std::string format = in.options.get_or("format", "text");
  if (format == "json") {
    core::json::array a;
    for (const auto& row : list.value()) {
      core::json j;
      j["participant"] = row.assessment.participant_code;
      j["timepoint"] = row.assessment.timepoint;
      j["instrument"] = row.assessment.instrument;
      j["recorded_at"] = row.assessment.recorded_at;
      core::json::array items;
      for (const auto& v : row.assessment.items) items.push_back(v ? core::json(*v) : core::json());
      j["items"] = core::json(std::move(items));
      j["scores"] = scores_json(row.scores);
      a.push_back(std::move(j));
    }
    in.out << core::json(std::move(a)).dump_pretty() << "\n";
    return 0;
  }
  const std::vector<std::string> header = {"participant", "timepoint", "instrument",
                                           "scores",      "items",     "recorded_at"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : list.value()) {
    rows.push_back({row.assessment.participant_code, row.assessment.timepoint,
                    row.assessment.instrument, scores_text(row.scores),
                    items_text(row.assessment.items), row.assessment.recorded_at});
  }
  if (format == "csv") {
    in.out << report::csv_table(header, rows);
  } else {
    in.out << report::text_table(header, rows) << rows.size()
           << " questionnaires (* marks a score past the instrument's caseness cut-off)\n";
  }
  return 0;
}

core::result<int> cmd_export(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto data = app::read_export_data(**db);
  if (!data) return std::move(data).error();
  const fs::path dir = in.options.at("out");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return core::invalid_input("--out", "cannot create the folder \"" + dir.string() +
                                            "\" for the export: " + ec.message());
  }
  const auto& def = data->trial.definition;
  // The same bytes `analyze --db` reads (app::wide_csv_of).
  write_file(dir / "wide.csv", app::wide_csv_of(data.value()));
  write_file(dir / "items.csv", report::items_csv(data->assessments));
  write_file(dir / "codebook.csv", report::codebook_csv(def, data->trial.instruments));
  in.out << "Exported " << data->participants.size() << " participants and "
         << data->assessments.size() << " questionnaires:\n"
         << "  " << (dir / "wide.csv").string() << "\n"
         << "  " << (dir / "items.csv").string() << "\n"
         << "  " << (dir / "codebook.csv").string() << "\n";
  return 0;
}

core::result<int> cmd_audit_verify(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto v = app::verify_audit_trail(**db);
  if (!v) return std::move(v).error();
  if (v->ok) {
    in.out << "audit trail ok: " << v->entries << " entries, chain intact\n"
           << "head hash: " << v->head_hash
           << "\n(keep this hash somewhere else: it also reveals entries removed from the end)\n";
    return 0;
  }
  in.out << "audit trail BROKEN at entry " << v->first_broken << ": " << v->problem << "\n";
  return 1;
}

core::result<int> cmd_audit_log(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto log = app::audit_log(**db);
  if (!log) return std::move(log).error();
  if (in.options.get_or("format", "text") == "json") {
    core::json::array a;
    for (const auto& e : log.value()) {
      core::json j;
      j["seq"] = e.seq;
      j["at"] = e.at;
      j["actor"] = e.actor;
      j["action"] = e.action;
      j["entity"] = e.entity;
      // before/after are stored as canonical JSON text; show them as JSON values.
      auto value = [](const std::optional<std::string>& text) {
        if (!text) return core::json();
        auto parsed = core::parse_json(*text);
        return parsed ? std::move(parsed.value()) : core::json(*text);
      };
      j["before"] = value(e.before);
      j["after"] = value(e.after);
      j["reason"] = e.reason ? core::json(*e.reason) : core::json();
      j["hash"] = e.hash;
      a.push_back(std::move(j));
    }
    in.out << core::json(std::move(a)).dump_pretty() << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : log.value()) {
    rows.push_back({std::to_string(e.seq), e.at, e.actor, e.action, e.entity, e.reason.value_or(""),
                    e.hash.substr(0, 12)});
  }
  in.out << report::text_table({"seq", "at (UTC)", "actor", "action", "entity", "reason", "hash"},
                               rows);
  return 0;
}

core::result<int> cmd_randomize(invocation& in) {
  const bool all = in.options.has("all-eligible");
  if (all == in.options.has("participant")) {
    return core::invalid_input("--participant",
                               "give either --participant CODE or --all-eligible (one of them)");
  }
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  const auto req = make_request(in.options);
  if (!all) {
    auto a = app::randomize(**db, req, in.options.at("participant"));
    if (!a) return std::move(a).error();
    in.out << "Participant " << a->participant << " is allocated to " << a->arm
           << (a->stratum == "all" ? "" : " (stratum " + a->stratum + ")") << ".\n";
    return 0;
  }
  auto batch = app::randomize_all_eligible(**db, req);
  if (!batch) return std::move(batch).error();
  std::size_t done = 0;
  std::vector<std::vector<std::string>> skipped;
  for (const auto& b : batch.value()) {
    if (b.allocation) {
      ++done;
      in.out << b.participant << "  " << b.allocation->arm << "\n";
    } else {
      skipped.push_back({b.participant, b.skipped_because});
    }
  }
  in.out << "Randomized " << done << " participant" << (done == 1 ? "" : "s") << ".\n";
  if (!skipped.empty()) {
    in.out << "Skipped " << skipped.size() << ":\n"
           << report::text_table({"participant", "why"}, skipped);
  }
  return 0;
}

core::result<int> cmd_randomization_verify(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto c = app::verify_randomization(**db);
  if (!c) return std::move(c).error();
  if (!c->ok) {
    in.out << "randomization verify FAILED: " << c->problem << "\n";
    return 1;
  }
  in.out << "randomization ok: the list regenerated from the recorded seed matches the stored "
            "list and the commitment\n"
         << "  commitment: " << c->commitment << "\n"
         << "  " << c->allocations << " allocations checked against the list and the audit trail\n";
  return 0;
}

core::result<int> cmd_randomization_list(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto list = app::list_allocations(**db);
  if (!list) return std::move(list).error();
  const std::string format = in.options.get_or("format", "text");
  if (format == "json") {
    core::json::array a;
    for (const auto& r : list.value()) {
      core::json j;
      j["participant"] = r.participant_code;
      j["arm"] = r.arm;
      j["stratum"] = r.stratum;
      j["allocated_at"] = r.allocated_at;
      j["allocated_by"] = r.allocated_by;
      a.push_back(std::move(j));
    }
    in.out << core::json(std::move(a)).dump_pretty() << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : list.value()) {
    rows.push_back({r.participant_code, r.arm, r.stratum, r.allocated_at, r.allocated_by});
  }
  const std::vector<std::string> header = {"participant", "arm", "stratum", "allocated_at",
                                           "allocated_by"};
  if (format == "csv") {
    in.out << report::csv_table(header, rows);
  } else {
    in.out << report::text_table(header, rows) << rows.size() << " allocations made\n";
  }
  return 0;
}

core::result<int> cmd_randomization_status(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto c = app::randomization_status(**db);
  if (!c) return std::move(c).error();
  if (in.options.get_or("format", "text") == "json") {
    core::json j;
    j["enrolled"] = c->enrolled;
    j["randomized"] = c->randomized;
    j["planned"] = c->planned;
    j["per_arm"] = core::json::object{};
    for (const auto& [arm, n] : c->per_arm) j["per_arm"][arm] = n;
    j["per_stratum"] = core::json::object{};
    for (const auto& [stratum, arms] : c->per_stratum) {
      for (const auto& [arm, n] : arms) j["per_stratum"][stratum][arm] = n;
    }
    in.out << j.dump_pretty() << "\n";
    return 0;
  }
  in.out << "Randomized " << c->randomized << " of " << c->enrolled
         << " enrolled (planned: " << c->planned << ")\n";
  std::vector<std::string> header = {"stratum"};
  for (const auto& a : c->arms) header.push_back(a);
  header.push_back("total");
  std::vector<std::vector<std::string>> rows;
  auto row_of = [&](const std::string& name, const std::map<std::string, std::size_t>& arms) {
    std::vector<std::string> row = {name};
    std::size_t total = 0;
    for (const auto& a : c->arms) {
      const auto it = arms.find(a);
      const std::size_t n = it == arms.end() ? 0 : it->second;
      total += n;
      row.push_back(std::to_string(n));
    }
    row.push_back(std::to_string(total));
    return row;
  };
  for (const auto& [stratum, arms] : c->per_stratum) {
    if (c->per_stratum.size() > 1 || stratum != "all") rows.push_back(row_of(stratum, arms));
  }
  rows.push_back(row_of("all strata", c->per_arm));
  in.out << report::text_table(header, rows);
  return 0;
}

core::result<int> cmd_randomization_reveal(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  const auto req = make_request(in.options);
  const std::string reason = in.options.get_or("reason", "");
  if (const auto code = in.options.get("participant")) {
    auto a = app::unblind_participant(**db, req, *code, reason);
    if (!a) return std::move(a).error();
    in.out << "Participant " << a->participant_code << " was allocated to " << a->arm << " on "
           << a->allocated_at << ". This unblinding is recorded in the audit trail.\n";
    return 0;
  }
  auto r = app::reveal_list(**db, req, reason);
  if (!r) return std::move(r).error();
  in.out << "seed: " << r->setup.seed << "\nsalt: " << r->setup.salt
         << "\ncommitment: " << r->setup.commitment << "\n";
  std::map<std::pair<std::string, int>, std::string> used;
  for (const auto& a : r->allocations) used[{a.stratum, a.position}] = a.participant_code;
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : r->lists) {
    for (const auto& e : l.entries) {
      const auto it = used.find({l.stratum, e.position});
      rows.push_back({l.stratum, std::to_string(e.position), std::to_string(e.block),
                      std::to_string(e.block_size), e.arm, it == used.end() ? "" : it->second});
    }
  }
  in.out << report::text_table({"stratum", "position", "block", "block_size", "arm", "participant"},
                               rows);
  return 0;
}

core::result<int> cmd_lock(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto r = app::lock_trial(**db, make_request(in.options), in.options.get_or("reason", ""));
  if (!r) return std::move(r).error();
  in.out << "Trial locked on " << r.value()
         << ". No further changes are accepted; the allocation list may now be revealed.\n";
  return 0;
}

// --- programme: leaders, calendar, plan, attendance --------------------------------------

core::result<int> parse_number(const parsed_options& o, const std::string& name) {
  const auto v = core::parse_integer(o.at(name));
  if (!v || *v < 1 || *v > 10000) {
    return core::invalid_input("--" + name, "--" + name + " \"" + o.at(name) +
                                                "\" is not a session number; allowed: a whole "
                                                "number from 1");
  }
  return static_cast<int>(*v);
}

std::string list_or_dash(const std::vector<std::string>& v) {
  return v.empty() ? "-" : core::join(v, " ");
}

std::string sessions_table(const std::vector<app::session_view>& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : list) {
    rows.push_back({v.cohort, v.kind, std::to_string(v.number), v.start.substr(0, 16),
                    v.end.substr(11, 5), v.status, list_or_dash(v.leaders),
                    v.kind == "session" ? std::to_string(v.participants.size()) : ""});
  }
  return report::text_table(
      {"cohort", "kind", "number", "start (local)", "end", "status", "leaders", "participants"},
      rows);
}

core::result<int> cmd_leader_add(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto l =
      app::add_leader(**db, make_request(in.options), in.options.at("code"), in.options.at("name"));
  if (!l) return std::move(l).error();
  in.out << "Added group leader " << l->code << " (" << l->name << ").\n";
  return 0;
}

core::result<int> cmd_leader_list(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto list = app::list_leaders(**db);
  if (!list) return std::move(list).error();
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : list.value()) rows.push_back({l.code, l.name, l.added_at});
  in.out << report::text_table({"code", "name", "added_at"}, rows);
  return 0;
}

core::result<int> cmd_schedule_generate(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto list = app::generate_schedule(**db, make_request(in.options),
                                     in.options.get_or("cohort", "intervention"),
                                     in.options.get("first-session"));
  if (!list) return std::move(list).error();
  std::size_t lectures = 0;
  for (const auto& v : list.value()) lectures += v.kind == "lecture" ? 1 : 0;
  in.out << "Created " << lectures << " lectures and " << list->size() - lectures
         << " session slots for the " << in.options.get_or("cohort", "intervention") << " cohort:\n"
         << sessions_table(list.value());
  return 0;
}

core::result<int> cmd_schedule_list(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto list = app::list_schedule(**db, in.options.get_or("cohort", ""));
  if (!list) return std::move(list).error();
  if (in.options.get_or("format", "text") == "json") {
    core::json::array a;
    for (const auto& v : list.value()) a.push_back(app::to_json(v));
    in.out << core::json(std::move(a)).dump_pretty() << "\n";
    return 0;
  }
  if (list->empty()) {
    in.out << "No lectures or sessions yet; create them with 'balint-trial schedule generate'.\n";
    return 0;
  }
  in.out << sessions_table(list.value());
  return 0;
}

core::result<int> cmd_schedule_assign_leader(invocation& in) {
  auto n = parse_number(in.options, "session");
  if (!n) return std::move(n).error();
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto v = app::assign_leader(**db, make_request(in.options),
                              in.options.get_or("cohort", "intervention"), n.value(),
                              in.options.at("leader"));
  if (!v) return std::move(v).error();
  in.out << "Session " << v->number << " (" << v->start.substr(0, 16) << ") is led by "
         << core::join(v->leaders, " and ") << ".\n";
  return 0;
}

core::result<int> cmd_schedule_plan(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  const std::string cohort = in.options.get_or("cohort", "intervention");
  auto plan = app::plan_schedule(**db, make_request(in.options), cohort);
  if (!plan) return std::move(plan).error();
  if (!plan->feasible) {
    return core::precondition_failed("plan", "no plan gives every participant of the " + cohort +
                                                 " cohort the required sessions:\n  - " +
                                                 core::join(plan->problems, "\n  - "));
  }
  in.out << "Planned " << plan->participants << " participants into " << plan->held_sessions
         << " sessions.\n";
  for (const auto& n : plan->notes) in.out << "Note: " << n << "\n";
  std::vector<app::session_view> sessions;
  for (const auto& v : plan->sessions) {
    if (v.kind == "session") sessions.push_back(v);
  }
  in.out << sessions_table(sessions);
  return 0;
}

core::result<int> cmd_schedule_move(invocation& in) {
  auto from = parse_number(in.options, "from");
  if (!from) return std::move(from).error();
  auto to = parse_number(in.options, "to");
  if (!to) return std::move(to).error();
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto r = app::move_participant(**db, make_request(in.options), in.options.at("participant"),
                                 from.value(), to.value(), in.options.get("reason"));
  if (!r) return std::move(r).error();
  in.out << "Moved " << in.options.at("participant") << " from session " << r->first.number
         << " (now " << r->first.participants.size() << " participants) to session "
         << r->second.number << " (now " << r->second.participants.size() << ").\n";
  return 0;
}

core::result<int> cmd_schedule_cancel(invocation& in) {
  auto n = parse_number(in.options, "session");
  if (!n) return std::move(n).error();
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto c = app::cancel_session(**db, make_request(in.options),
                               in.options.get_or("cohort", "intervention"), n.value(),
                               in.options.at("reason"));
  if (!c) return std::move(c).error();
  in.out << "Session " << c->session.number << " (" << c->session.start.substr(0, 16)
         << ") is cancelled.\n";
  if (!c->replacements.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [who, options] : c->replacements) {
      std::vector<std::string> numbers;
      for (const int k : options) numbers.push_back(std::to_string(k));
      rows.push_back(
          {who, numbers.empty() ? "none: talk to the coordinator" : core::join(numbers, " ")});
    }
    in.out << "Replacement sessions that keep each participant able to reach the requirement:\n"
           << report::text_table({"participant", "can move to sessions"}, rows);
  }
  return 0;
}

core::result<int> cmd_schedule_ics(invocation& in) {
  if (in.options.has("participant") == in.options.has("leader")) {
    return core::invalid_input("--participant", "give either --participant CODE or --leader CODE");
  }
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto cal =
      app::personal_calendar_of(**db, in.options.get("participant"), in.options.get("leader"));
  if (!cal) return std::move(cal).error();
  const date::time_zone* zone = date::locate_zone(cal->time_zone);
  std::vector<report::ics_event> events;
  for (const auto& e : cal->events) {
    events.push_back({e.uid, e.summary, e.description,
                      scheduling::parse_utc_iso(e.start_utc).value(),
                      scheduling::parse_utc_iso(e.end_utc).value(), e.cancelled});
  }
  const auto stamp = date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  write_file(in.options.at("out"), report::render_ics(events, zone, stamp, cal->name));
  in.out << "Wrote " << in.options.at("out")
         << " (iCalendar; open it with any calendar program).\n";
  return 0;
}

std::vector<app::attendance_mark> marks_from(const parsed_options& o) {
  std::vector<app::attendance_mark> marks;
  if (const auto p = o.get("participant")) marks.push_back({*p, o.get_or("status", "")});
  for (const char* status : {"present", "absent", "excused"}) {
    if (const auto list = o.get(status)) {
      for (const auto code : core::split(*list, ',')) {
        const auto c = core::trim(code);
        if (!c.empty()) marks.push_back({std::string(c), status});
      }
    }
  }
  return marks;
}

core::result<int> cmd_attendance_log(invocation& in) {
  auto n = parse_number(in.options, "session");
  if (!n) return std::move(n).error();
  const bool single = in.options.has("participant");
  if (single != in.options.has("status")) {
    return core::invalid_input("--status", "--participant C needs --status present|absent|excused");
  }
  auto marks = marks_from(in.options);
  if (marks.empty()) {
    return core::invalid_input("--participant",
                               "give --participant C --status S, or the whole "
                               "roster with --present/--absent/--excused LIST");
  }
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto r = app::log_attendance(**db, make_request(in.options),
                               in.options.get_or("cohort", "intervention"), n.value(), marks,
                               in.options.get("reason"));
  if (!r) return std::move(r).error();
  in.out << "Recorded " << r->marks << (r->marks == 1 ? " mark" : " marks") << " for session "
         << r->session << " (" << r->present << " present).\n";
  return 0;
}

core::result<int> cmd_attendance_progress(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto list = app::attendance_progress(**db, make_request(in.options));
  if (!list) return std::move(list).error();
  if (in.options.get_or("format", "text") == "json") {
    core::json::array a;
    for (const auto& p : list.value()) a.push_back(app::to_json(p));
    in.out << core::json(std::move(a)).dump_pretty() << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, int> counts;
  for (const auto& p : list.value()) {
    const std::string status(attendance::to_string(p.status));
    ++counts[status];
    rows.push_back({p.participant, std::to_string(p.attended), std::to_string(p.required),
                    std::to_string(p.remaining_possible), status});
  }
  in.out << report::text_table(
      {"participant", "attended", "required", "remaining possible", "status"}, rows);
  std::vector<std::string> summary;
  for (const auto& [status, n] : counts) summary.push_back(std::to_string(n) + " " + status);
  in.out << (summary.empty() ? "nobody has sessions yet" : core::join(summary, ", ")) << "\n";
  return 0;
}

core::result<int> cmd_attendance_certificate(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  const auto req = make_request(in.options);
  auto facts = app::completion_certificate(**db, req, in.options.at("participant"));
  if (!facts) return std::move(facts).error();
  write_file(in.options.at("out"), report::certificate_html(facts->completion, facts->trial_title,
                                                            req.now.substr(0, 10)));
  in.out << "Wrote the certificate of completion of " << in.options.at("participant") << " to "
         << in.options.at("out") << ".\n";
  return 0;
}

// --- analysis --------------------------------------------------------------------------

core::result<int> cmd_analyze(invocation& in) {
  if (in.options.has("db") == in.options.has("csv")) {
    return core::invalid_input("--db",
                               "give either --db FILE (a trial database) or --csv FILE "
                               "(a wide CSV as 'export' writes it)");
  }
  std::string csv;
  std::optional<analysis::data_set> from_db;
  analysis::analysis_options options;
  int required = 10;
  std::vector<std::string> arms{"intervention", "waitlist"};
  if (in.options.has("db")) {
    auto db = open_db(in.options);
    if (!db) return std::move(db).error();
    auto trial = app::load_trial(**db);
    if (!trial) return std::move(trial).error();
    auto setup = app::analysis_setup_of(trial.value());
    if (!setup) return std::move(setup).error();
    arms = setup->arms;
    required = setup->required_sessions;
    options = setup->options;
    auto input = app::analysis_input_of(**db);  // in memory, no CSV round trip
    if (!input) return std::move(input).error();
    from_db = std::move(input->itt);
  } else {
    auto text = read_file(in.options.at("csv"), "--csv");
    if (!text) return std::move(text).error();
    csv = std::move(text.value());
  }
  if (const auto r = in.options.get("required-sessions")) {
    const auto v = core::parse_integer(*r);
    if (!v || *v < 0 || *v > 1000) {
      return core::invalid_input("--required-sessions", "--required-sessions \"" + *r +
                                                            "\" is not allowed; allowed: a whole "
                                                            "number from 0 to 1000");
    }
    required = static_cast<int>(*v);
  }
  auto data = from_db ? core::result<analysis::data_set>(std::move(*from_db))
                      : analysis::read_wide_csv(csv, arms);
  if (!data) return std::move(data).error();
  const bool per_protocol = in.options.get_or("population", "itt") == "per-protocol";
  const auto population =
      per_protocol ? analysis::per_protocol(data.value(), required) : std::move(data.value());
  auto result = analysis::analyze(population, options);
  if (!result) return std::move(result).error();
  const std::string format = in.options.get_or("format", "text");
  std::string rendered;
  if (format == "json") {
    rendered = analysis::to_json(result.value()).dump_pretty() + "\n";
  } else if (format == "markdown") {
    rendered = report::analysis_markdown(result.value());
  } else if (format == "html") {
    rendered = report::analysis_html(result.value());
  } else {
    rendered = report::analysis_text(result.value());
  }
  if (const auto out = in.options.get("out")) {
    write_file(*out, rendered);
    in.out << "Wrote the " << format << " analysis (" << population.population << ", "
           << population.rows.size() << " participants) to " << *out << ".\n";
  } else {
    in.out << rendered;
  }
  return 0;
}

// --- audit-published ---------------------------------------------------------------------

core::result<int> cmd_audit_published(invocation& in) {
  if (in.options.positionals.empty()) {
    return core::invalid_input("SUMMARY.json", "name the summary file to audit");
  }
  const std::string& path = in.options.positionals.front();
  auto text = read_file(path, "SUMMARY.json");
  if (!text) return text.error();
  const auto schema = resources::find("schemas/published.schema.json");
  if (!schema) throw std::runtime_error("schemas/published.schema.json is not embedded");
  auto summary = reproduction::load_summary(text.value(), *schema);
  if (!summary) return summary.error();
  const auto report = reproduction::audit(summary.value());
  if (in.options.get_or("format", "text") == "json") {
    in.out << reproduction::to_json(report).dump_pretty() << "\n";
  } else {
    in.out << reproduction::to_text(report);
  }
  return 0;
}

core::result<int> cmd_reconstruct(invocation& in) {
  if (in.options.positionals.empty()) {
    return core::invalid_input("SUMMARY.json", "name the published summary to reconstruct from");
  }
  const auto seed = core::parse_integer(in.options.at("seed"));
  if (!seed || *seed < 0 || *seed > 4294967295LL) {
    return core::invalid_input("--seed", "--seed \"" + in.options.at("seed") +
                                             "\" is not allowed; allowed: a whole number from 0 to "
                                             "4294967295");
  }
  const std::string& path = in.options.positionals.front();
  auto text = read_file(path, "SUMMARY.json");
  if (!text) return text.error();
  const auto schema = resources::find("schemas/published.schema.json");
  if (!schema) throw std::runtime_error("schemas/published.schema.json is not embedded");
  auto summary = reproduction::load_summary(text.value(), *schema);
  if (!summary) return summary.error();
  const auto report = reproduction::audit(summary.value());
  reproduction::reconstruction_options options;
  options.seed = static_cast<std::uint32_t>(*seed);
  auto r = reproduction::reconstruct(summary.value(), report, options);
  if (!r) return r.error();
  const fs::path dir = in.options.at("out");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return core::invalid_input("--out", "cannot create the folder \"" + dir.string() + "\"");
  }
  write_file(dir / "wide.csv", reproduction::wide_csv(r.value(), {{"control", "waitlist"}}));
  write_file(dir / "items.csv", reproduction::items_csv(r.value()));
  write_file(dir / "reconstruction.json", reproduction::to_json(r.value()).dump_pretty() + "\n");
  in.out << "Reconstructed " << r->participants.size() << " participants (seed " << options.seed
         << ", " << r->attempts << " search moves).\n"
         << "This is ONE of many data sets consistent with the published numbers, not the "
            "trial's data.\n";
  if (!r->unmet.empty()) {
    in.out << "Not met (" << r->unmet.size() << "):\n";
    for (const auto& u : r->unmet) in.out << "  - " << u << "\n";
  }
  in.out << "  " << (dir / "wide.csv").string() << "\n  " << (dir / "items.csv").string() << "\n  "
         << (dir / "reconstruction.json").string() << "\n";
  return 0;
}

// --- issue 8: users of the web application and the server --------------------------------

/// The password from standard input (first line), never from an argument: arguments show up
/// in `ps` and in shell history. Echo is off when a person types it.
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

core::result<int> cmd_user_add(invocation& in) {
  auto password = read_password(in.err);
  if (!password) return std::move(password).error();
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto u = app::add_user(**db, make_request(in.options), in.options.at("name"),
                         in.options.at("role"), password.value());
  if (!u) return std::move(u).error();
  in.out << "Added user " << u->name << " (" << app::to_string(u->user_role) << ").\n";
  return 0;
}

core::result<int> cmd_user_disable(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto u = app::disable_user(**db, make_request(in.options), in.options.at("name"));
  if (!u) return std::move(u).error();
  in.out << "Disabled user " << u->name << "; their sessions are ended.\n";
  return 0;
}

core::result<int> cmd_user_list(invocation& in) {
  auto db = open_db(in.options);
  if (!db) return std::move(db).error();
  auto list = app::list_users(**db);
  if (!list) return std::move(list).error();
  if (in.options.get_or("format", "text") == "json") {
    core::json::array a;
    for (const auto& u : list.value()) a.push_back(app::to_json(u));
    in.out << core::json(std::move(a)).dump_pretty() << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : list.value()) {
    rows.push_back({u.name, std::string(app::to_string(u.user_role)), u.created_at,
                    u.disabled_at ? "disabled " + *u.disabled_at : "active"});
  }
  in.out << report::text_table({"name", "role", "created_at", "status"}, rows);
  return 0;
}

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
  if (fs::exists(path)) {
    auto db = open_db(in.options);
    if (!db) return std::move(db).error();
    auto r = app::build_demo(**db, make_request(in.options), options);
    if (!r) return std::move(r).error();
    if (r->created) {
      in.out << "Built the demo trial in " << path << ".\n";
    } else {
      in.out << path << " already holds the demo trial; it is left as it is.\n";
    }
    print_demo_users(in.out);
    return 0;
  }
  // Built in a file of its own and renamed at the end: a failure leaves no half-built demo.
  const std::string building = path + ".building";
  storage::remove_database_files(building);
  core::result<app::demo_summary> r = app::demo_summary{};
  {
    auto db = storage::database::open(building);
    r = app::build_demo(*db, make_request(in.options), options);
  }
  if (!r) {
    storage::remove_database_files(building);
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
  if (!fs::exists(c.db_path)) {
    return core::invalid_input("--db", "there is no database at \"" + c.db_path +
                                           "\"; set one up with 'balint-trial init --db " +
                                           c.db_path + "'");
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
  return server::serve(std::move(c), in.out, in.err);
}

// --- reproduce -----------------------------------------------------------------------------

core::result<int> cmd_reproduce(invocation& in) {
  if (in.options.positionals.empty()) {
    return core::invalid_input("TRIAL", "name the published trial to reproduce; allowed: tongji");
  }
  const std::string& key = in.options.positionals.front();
  if (key != "tongji") {
    return core::invalid_input(
        "TRIAL", "there is no published trial \"" + key + "\" to reproduce; allowed: tongji");
  }
  app::reproduce_options options;
  if (const auto s = in.options.get("seed")) {
    const auto v = core::parse_integer(*s);
    if (!v || *v < 0 || *v > 4294967295LL) {
      return core::invalid_input("--seed", "--seed \"" + *s +
                                               "\" is not allowed; allowed: a whole number from 0 "
                                               "to 4294967295");
    }
    options.reconstruction_seed = static_cast<std::uint32_t>(*v);
  }
  // The replay needs a fresh database: the one of --db (which must not hold anything yet), or
  // a temporary file removed afterwards.
  fs::path path;
  bool temporary = false;
  if (const auto db = in.options.get("db")) {
    path = *db;
    if (fs::exists(path) && fs::file_size(path) > 0) {
      return core::invalid_input("--db", "\"" + *db +
                                             "\" already exists; reproduce replays the trial on "
                                             "a new database file, so name one that does not "
                                             "exist yet. Nothing was changed.");
    }
  } else {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("balint-reproduce-" + std::to_string(getpid()) + "-" + std::to_string(rd()) + ".db");
    temporary = true;
  }
  struct cleanup {
    fs::path path;
    bool active;
    ~cleanup() {
      if (active) storage::remove_database_files(path.string());
    }
  } remove_later{path, temporary};
  core::result<app::reproduction_outcome> outcome =
      [&]() -> core::result<app::reproduction_outcome> {
    auto db = storage::database::open(path.string());
    return app::reproduce(*db, make_request(in.options), key, options);
  }();
  if (!outcome) return std::move(outcome).error();
  const auto& o = outcome.value();
  if (const auto report_path = in.options.get("report")) {
    write_file(*report_path, app::reproduction_report_html(o));
  }
  if (in.options.get_or("format", "text") == "json") {
    in.out << app::to_json(o).dump_pretty() << "\n";
  } else {
    in.out << "Reproducing " << o.published.summary.title << "\n"
           << "Participant-level data: " << o.data.source << ", seed " << o.data.seed << ", "
           << o.data.attempts << " attempt(s); one of many data sets consistent with the "
           << "published numbers, not the trial's data.\n"
           << "Replay: " << o.replayed.enrolled << " enrolled, " << o.replayed.randomized
           << " randomized with list seed " << o.replayed.list_seed << " ("
           << o.replayed.init.commitment << "), " << o.replayed.sessions_held << " sessions held, "
           << o.replayed.attendance_marks << " attendance marks.\n";
    for (const auto& u : o.data.unmet) in.out << "Not met: " << u << "\n";
    for (const auto& n : o.replayed.notes) in.out << "Note: " << n << "\n";
    in.out << "\n" << reproduction::to_text(o.comparison);
  }
  // Where the files are: on stdout for text, on stderr for JSON (stdout stays one document).
  std::ostream& where = in.options.get_or("format", "text") == "json" ? in.err : in.out;
  if (in.options.has("db")) where << "Database: " << path.string() << "\n";
  if (const auto report_path = in.options.get("report")) {
    where << "Report: " << *report_path << "\n";
  }
  return o.comparison.mismatch == 0 ? 0 : 1;
}

// --- the table -----------------------------------------------------------------------------

const std::vector<command>& commands() {
  static const std::vector<command> table = {
      {"init",
       "--db FILE [--config TRIAL.json] [--seed N]",
       "Sets up a trial in a new database file. Without --config the default trial is used: the\n"
       "Tongji Balint-group trial (schemas/trials/tongji-2020.json). A definition that breaks\n"
       "schemas/trial.schema.json is refused with the JSON path of the problem. The whole\n"
       "allocation list is generated from the seed and sealed; init prints its commitment.",
       {db_option,
        {"config", "TRIAL.json", "trial definition (default: tongji-2020)", false, {}},
        {"seed",
         "N",
         "seed of the allocation list, 0-4294967295 (default: drawn from the system, recorded)",
         false,
         {}},
        as_option},
       cmd_init,
       true},
      {"participant add",
       "--db FILE --code C --age N --gender M|F --consent yes [--specialty S] "
       "[--balint-knowledge 1-5] [--balint-times 1-5] [--available LIST]",
       "Enrols one participant after checking eligibility and consent.",
       {db_option,
        {"code", "C", "participant code: letters, digits, - and _ (up to 32)", true, {}},
        {"age", "N", "age in years (the trial's eligible range)", true, {}},
        {"gender", "M|F", "gender", true, {}},
        {"consent", "yes", "written informed consent was given", true, {}},
        {"specialty", "S", "specialty, free text", false, {}},
        {"balint-knowledge", "1-5", "knowledge of Balint groups, 1 (none) to 5", false, {}},
        {"balint-times", "1-5", "times taken part in Balint groups, 1 (never) to 5", false, {}},
        {"available",
         "LIST",
         "';'-separated times the participant can attend: workday-noon;workday-evening;weekend",
         false,
         {}},
        as_option},
       cmd_participant_add,
       true},
      {"participant import",
       "--db FILE --csv FILE",
       "Enrols every participant of a CSV file, all or none. Header:\n"
       "code,age,gender,specialty,consent,balint_knowledge,balint_times,available",
       {db_option, {"csv", "FILE", "the enrolment CSV", true, {}}, as_option},
       cmd_participant_import,
       true},
      {"participant list",
       "--db FILE [--format text|csv|json]",
       "Lists enrolled participants in enrolment order, withdrawn ones included.",
       {db_option, format_option({"text", "csv", "json"})},
       cmd_participant_list},
      {"participant withdraw",
       "--db FILE --code C --reason TEXT",
       "Records that a participant left the trial. Their data are kept; the reason and date are\n"
       "recorded and audited.",
       {db_option,
        {"code", "C", "participant code", true, {}},
        {"reason", "TEXT", "why the participant withdrew", true, {}},
        as_option},
       cmd_participant_withdraw,
       true},
      {"outcome record",
       "--db FILE --participant C --timepoint pre|post --instrument ID --items \"v1,v2,...\" "
       "[--reason TEXT]",
       "Records one questionnaire, answers in item order (empty = missing answer). Recording the\n"
       "same questionnaire again is a correction and needs --reason.",
       {db_option,
        {"participant", "C", "participant code", true, {}},
        {"timepoint", "ID", "time point: pre or post", true, {}},
        {"instrument", "ID", "mbi-hss, msq, satisfaction, achievements or willingness", true, {}},
        {"items", "LIST", "comma-separated answers in item order", true, {}},
        {"reason", "TEXT", "why earlier answers are corrected", false, {}},
        as_option},
       cmd_outcome_record,
       true},
      {"outcome import",
       "--db FILE --csv FILE",
       "Imports questionnaires from a long CSV, all or none. Header:\n"
       "participant,timepoint,instrument,item,value",
       {db_option, {"csv", "FILE", "the long CSV of item answers", true, {}}, as_option},
       cmd_outcome_import,
       true},
      {"outcome list",
       "--db FILE [--participant C] [--format text|csv|json]",
       "Lists recorded questionnaires with their subscale scores.",
       {db_option,
        {"participant", "C", "only this participant", false, {}},
        format_option({"text", "csv", "json"})},
       cmd_outcome_list},
      {"leader add",
       "--db FILE --code L --name TEXT",
       "Adds a group leader (trained Balint group leader) who can lead sessions.",
       {db_option,
        {"code", "L", "leader code: letters, digits, - and _", true, {}},
        {"name", "TEXT", "the leader's name", true, {}},
        as_option},
       cmd_leader_add,
       true},
      {"leader list", "--db FILE", "Lists the group leaders.", {db_option}, cmd_leader_list},
      {"schedule generate",
       "--db FILE [--cohort intervention|waitlist] [--first-session DATE]",
       "Creates the lectures and session slots of a cohort from the trial's programme (weekday,\n"
       "local times in the trial's time zone, blackout dates skipped). The waitlist cohort starts\n"
       "one week after the intervention cohort's last session unless --first-session is given.",
       {db_option,
        cohort_option(),
        {"first-session", "DATE", "date of the first session, YYYY-MM-DD", false, {}},
        as_option},
       cmd_schedule_generate,
       true},
      {"schedule list",
       "--db FILE [--cohort C] [--format text|json]",
       "Lists lectures and sessions with local times, status, leaders and participants.",
       {db_option, {"cohort", "C", "only this cohort", false, {}}, format_option({"text", "json"})},
       cmd_schedule_list},
      {"schedule assign-leader",
       "--db FILE --session N --leader L [--cohort C]",
       "Assigns a group leader to a session (at most the programme's maximum per session).",
       {db_option,
        {"session", "N", "session number", true, {}},
        {"leader", "L", "leader code", true, {}},
        cohort_option(),
        as_option},
       cmd_schedule_assign_leader,
       true},
      {"schedule plan",
       "--db FILE [--cohort C]",
       "Assigns every participant of the cohort to the required number of sessions they are\n"
       "available for, every held session within its capacity. Explains why when impossible.",
       {db_option, cohort_option(), as_option},
       cmd_schedule_plan,
       true},
      {"schedule move",
       "--db FILE --participant C --from N --to M [--reason TEXT]",
       "Moves one participant between two sessions of their cohort, checked against the plan's "
       "rules.",
       {db_option,
        {"participant", "C", "participant code", true, {}},
        {"from", "N", "session they leave", true, {}},
        {"to", "M", "session they join", true, {}},
        {"reason", "TEXT", "why", false, {}},
        as_option},
       cmd_schedule_move,
       true},
      {"schedule cancel",
       "--db FILE --session N --reason TEXT [--cohort C]",
       "Cancels a session and lists, for each of its participants, the sessions that keep them "
       "able\n"
       "to reach the requirement.",
       {db_option,
        {"session", "N", "session number", true, {}},
        {"reason", "TEXT", "why it is cancelled", true, {}},
        cohort_option(),
        as_option},
       cmd_schedule_cancel,
       true},
      {"schedule ics",
       "--db FILE (--participant C | --leader L) --out FILE",
       "Writes an iCalendar file (RFC 5545) of a participant's or a leader's lectures and "
       "sessions.",
       {db_option,
        {"participant", "C", "participant code", false, {}},
        {"leader", "L", "leader code", false, {}},
        {"out", "FILE", "the .ics file to write", true, {}}},
       cmd_schedule_ics},
      {"attendance log",
       "--db FILE --session N (--participant C --status present|absent|excused | --present LIST "
       "[--absent LIST] [--excused LIST]) [--reason TEXT] [--cohort C]",
       "Records attendance at a session that has taken place: one participant, or the whole\n"
       "roster at once (comma-separated codes; one transaction). Changing a mark needs --reason.",
       {db_option,
        {"session", "N", "session number", true, {}},
        {"participant", "C", "one participant", false, {}},
        {"status", "S", "present, absent or excused", false, {}},
        {"present", "LIST", "codes of those present", false, {}},
        {"absent", "LIST", "codes of those absent", false, {}},
        {"excused", "LIST", "codes of those excused", false, {}},
        {"reason", "TEXT", "why a recorded mark is changed", false, {}},
        cohort_option(),
        as_option},
       cmd_attendance_log,
       true},
      {"attendance progress",
       "--db FILE [--format text|json]",
       "Per participant: sessions attended, required, still possible, and a status: completed,\n"
       "on-track, at-risk (must attend every remaining possible slot) or cannot-complete.",
       {db_option, format_option({"text", "json"})},
       cmd_attendance_progress},
      {"attendance certificate",
       "--db FILE --participant C --out FILE",
       "Writes a certificate of completion (HTML, ready to print) for a participant who attended\n"
       "the required sessions.",
       {db_option,
        {"participant", "C", "participant code", true, {}},
        {"out", "FILE", "the .html file to write", true, {}}},
       cmd_attendance_certificate},
      {"analyze",
       "(--db FILE | --csv FILE) [--population itt|per-protocol] [--format "
       "text|json|markdown|html] [--out FILE]",
       "The between-arm analysis of change scores (the Tongji tables 1-4, Welch, ANCOVA on\n"
       "baseline, Hedges g, exact tests, caseness, dose-response, power), from a trial database\n"
       "or from a wide CSV. Numbers agree with R (docs/statistics.md).",
       {{"db", "FILE", "the trial's database file", false, {}},
        {"csv", "FILE", "a wide CSV as 'export' writes it", false, {}},
        {"population",
         "itt|per-protocol",
         "everyone randomized (default), or intervention participants who attended the required "
         "sessions plus the waitlist",
         false,
         {"itt", "per-protocol"}},
        {"required-sessions",
         "N",
         "sessions required for per-protocol (default: the trial's; 10 for a CSV)",
         false,
         {}},
        format_option({"text", "json", "markdown", "html"}),
        {"out", "FILE", "write to this file instead of the screen", false, {}}},
       cmd_analyze},
      {"reconstruct",
       "SUMMARY.json --seed N --out DIR",
       "Builds item-level data for every participant whose statistics round to every consistent\n"
       "published value, jointly (pre, post and change together). Writes wide.csv, items.csv and\n"
       "reconstruction.json. The result is one of many consistent data sets, not the trial's data.",
       {{"seed", "N", "seed of the search (different seeds give different data sets)", true, {}},
        {"out", "DIR", "folder to write into (created if missing)", true, {}}},
       cmd_reconstruct,
       false,
       1},
      {"audit-published",
       "SUMMARY.json [--format text|json]",
       "Audits a published trial's summary (schemas/published.schema.json): GRIM and GRIMMER\n"
       "for means and SDs, every t, p and chi-square recomputed from the printed summary\n"
       "statistics over their rounding intervals, percentages against counts, counts against\n"
       "totals, numbers printed twice, sign conventions. Text lists the findings only.",
       {format_option({"text", "json"})},
       cmd_audit_published,
       false,
       1},
      {"user add",
       "--db FILE --name USER --role coordinator|leader|analyst|admin < PASSWORD",
       "Adds a user of the web application. The password is read from standard input (one\n"
       "line, at least 12 characters), never from an argument. A leader's name is their leader\n"
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
      {"demo",
       "--db FILE [--time-zone ZONE]",
       "Builds a demo trial for trying the web pages: the Tongji trial moved so that a session\n"
       "started today, 36 residents (32 randomized, 4 waiting), attendance up to today, and\n"
       "four demo users whose passwords it prints. A database that already holds the demo is\n"
       "left as it is; one holding another trial is refused.",
       {db_option,
        {"time-zone",
         "ZONE",
         "the programme's IANA time zone (default: this machine's)",
         false,
         {}},
        as_option},
       cmd_demo,
       true},
      {"serve",
       "--db FILE [--bind 127.0.0.1] [--port 8080] [--threads N] [--secure-cookie]",
       "Serves the web pages and the HTTP API (docs/api.md) until SIGTERM or Ctrl-C; requests\n"
       "in flight finish before it stops. Prints the address it listens on; --port 0 takes any\n"
       "free port. Behind a TLS proxy, give --secure-cookie so browsers send the session\n"
       "cookie over HTTPS only.",
       {db_option,
        {"bind", "ADDR", "address to listen on (default: 127.0.0.1)", false, {}},
        {"port", "N", "TCP port (default: 8080; 0: any free port)", false, {}},
        {"threads",
         "N",
         "worker threads = keep-alive clients served at once (default: 64)",
         false,
         {}},
        {"secure-cookie", "", "mark the session cookie Secure (serving behind TLS)", false, {}}},
       cmd_serve},
      {"reproduce",
       "tongji [--format text|json] [--report FILE.html] [--db FILE] [--seed N]",
       "Reproduces a published trial end to end: reconstructs participant-level data consistent\n"
       "with its published numbers, replays the trial through the real system on a new database\n"
       "(enrol, baseline, randomize, calendar, plan, attendance, post questionnaires), analyzes\n"
       "it and prints every published number beside the reproduced one: match, mismatch or\n"
       "paper-inconsistent (with the reason). Exit 0 only when nothing mismatches.",
       {format_option({"text", "json"}),
        {"report", "FILE.html", "also write the report (one self-contained HTML page)", false, {}},
        {"db",
         "FILE",
         "keep the replay's database in this new file (default: a temporary one)",
         false,
         {}},
        {"seed", "N", "seed of the reconstruction (default: 1)", false, {}},
        as_option},
       cmd_reproduce,
       true,
       1},
      {"export",
       "--db FILE --format csv --out DIR",
       "Writes wide.csv (one row per participant), items.csv (one row per item answer) and\n"
       "codebook.csv into DIR for the analyst.",
       {db_option,
        {"format", "csv", "export format", true, {"csv"}},
        {"out", "DIR", "folder to write into (created if missing)", true, {}}},
       cmd_export},
      {"randomize",
       "--db FILE (--participant CODE | --all-eligible)",
       "Allocates a participant to an arm: the next unused position of their stratum's sealed\n"
       "list. Needs consent and the complete baseline; an allocation is final. --all-eligible\n"
       "randomizes everyone eligible in enrolment order and says who was skipped and why.",
       {db_option,
        {"participant", "CODE", "participant code", false, {}},
        {"all-eligible", "", "randomize every eligible participant", false, {}},
        as_option},
       cmd_randomize,
       true},
      {"randomization verify",
       "--db FILE",
       "Regenerates the allocation list from the recorded seed and checks it, the commitment and\n"
       "every allocation made. Exit code 1 naming the first discrepancy.",
       {db_option},
       cmd_randomization_verify},
      {"randomization list",
       "--db FILE [--format text|csv|json]",
       "Lists the allocations made so far (never the list's future positions).",
       {db_option, format_option({"text", "csv", "json"})},
       cmd_randomization_list},
      {"randomization status",
       "--db FILE [--format text|json]",
       "Counts per arm and per stratum. Never shows block sizes or list positions.",
       {db_option, format_option({"text", "json"})},
       cmd_randomization_status},
      {"randomization reveal",
       "--db FILE --reason TEXT [--participant CODE]",
       "After the trial is locked: shows the whole list with its seed. Before: with "
       "--participant,\n"
       "emergency unblinding of one randomized participant. Always audited with the reason.",
       {db_option,
        {"reason", "TEXT", "why the list or allocation is revealed", true, {}},
        {"participant", "CODE", "unblind only this randomized participant", false, {}},
        as_option},
       cmd_randomization_reveal,
       true},
      {"lock",
       "--db FILE [--reason TEXT]",
       "Locks the trial database at the end of the trial: every later change is refused.",
       {db_option, {"reason", "TEXT", "why the trial is locked now", false, {}}, as_option},
       cmd_lock,
       true},
      {"audit verify",
       "--db FILE",
       "Recomputes the hash chain of the audit trail and names the first entry that was changed\n"
       "or removed. Exit code 1 when the trail is broken.",
       {db_option},
       cmd_audit_verify},
      {"audit log",
       "--db FILE [--format text|json]",
       "Lists every audit entry: when, who, what, on which record, and why.",
       {db_option, format_option({"text", "json"})},
       cmd_audit_log},
  };
  return table;
}

std::string overview() {
  std::string s =
      "balint-trial: run a randomized trial of Balint groups (enrolment, questionnaires,\n"
      "audit trail, export).\n\nUsage: balint-trial COMMAND [OPTIONS]   (every command "
      "takes --help)\n\nCommands:\n";
  std::size_t width = 0;
  for (const auto& c : commands()) width = std::max(width, c.path.size());
  for (const auto& c : commands()) {
    const auto first_line = c.description.substr(0, c.description.find('\n'));
    s += "  " + c.path + std::string(width - c.path.size() + 2, ' ') + first_line + "\n";
  }
  s += "\nExit codes: 0 done, 2 refused (nothing was changed), 1 failure.\n";
  return s;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? err : out) << overview();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    out << "balint-trial 0.1.0\n";
    return 0;
  }
  // Longest command path that matches the leading words.
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
  if (!found) {
    std::vector<std::string> sub;
    for (const auto& c : commands()) {
      if (c.path.rfind(args[0] + " ", 0) == 0) sub.push_back(c.path.substr(args[0].size() + 1));
    }
    if (!sub.empty()) {
      err << "balint-trial " << args[0] << ": "
          << (args.size() > 1 ? "unknown subcommand \"" + args[1] + "\"" : "a subcommand is needed")
          << "; allowed: " << core::one_of(sub) << "\n";
    } else {
      err << "balint-trial: unknown command \"" << args[0] << "\"; see 'balint-trial --help'\n";
    }
    return 2;
  }
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(words),
                                      args.end());
  for (const auto& a : rest) {
    if (a == "--help" || a == "-h") {
      out << render_help(found->path, found->synopsis, found->description, found->options);
      return 0;
    }
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
    err << "balint-trial " << found->path << ": refused: " << r.error().field << ": "
        << r.error().message << "\nNothing was changed.\n";
    return 2;
  } catch (const std::exception& e) {
    err << "balint-trial " << found->path << ": failed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace balint::cli
