#include "balint/cli/application.hpp"

#include "balint/app/randomization_service.hpp"
#include "balint/app/services.hpp"
#include "balint/cli/options.hpp"
#include "balint/core/json.hpp"
#include "balint/core/text.hpp"
#include "balint/report/export.hpp"
#include "balint/report/table.hpp"
#include "balint/storage/database.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <pwd.h>
#include <random>
#include <sstream>
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

std::string utc_now() {
  using namespace std::chrono;
  const auto t = system_clock::now();
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count() % 1000;
  const std::time_t secs = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string os_user() {
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "unknown";
}

app::request make_request(const parsed_options& o) {
  return {o.get_or("as", os_user()), utc_now()};
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

core::json participant_to_json(const storage::participant_record& r) {
  const auto cells = participant_cells(r);
  core::json j;
  const auto& p = r.participant;
  j["code"] = p.code;
  j["age"] = p.age;
  j["gender"] = p.gender;
  j["specialty"] = p.specialty ? core::json(*p.specialty) : core::json();
  j["consent"] = p.consent;
  j["balint_knowledge"] = p.balint_knowledge ? core::json(*p.balint_knowledge) : core::json();
  j["balint_times"] = p.balint_times ? core::json(*p.balint_times) : core::json();
  core::json::array avail;
  for (const auto& a : p.available) avail.emplace_back(a);
  j["available"] = core::json(std::move(avail));
  j["enrolled_at"] = r.enrolled_at;
  j["status"] = r.withdrawn() ? "withdrawn" : "enrolled";
  j["withdrawn_at"] = r.withdrawn_at ? core::json(*r.withdrawn_at) : core::json();
  j["withdrawal_reason"] = r.withdrawal_reason ? core::json(*r.withdrawal_reason) : core::json();
  return j;
}

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
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
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
    for (const auto& r : list.value()) a.push_back(participant_to_json(r));
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
  std::vector<report::export_participant> people;
  people.reserve(data->participants.size());
  std::map<std::int64_t, std::string> arm_of;
  for (const auto& a : data->allocations) arm_of[a.participant_id] = a.arm;
  for (const auto& r : data->participants) {
    const auto arm = arm_of.find(r.id);
    people.push_back(
        {r.participant, arm == arm_of.end() ? "" : arm->second, std::nullopt, r.withdrawn_at});
  }
  const fs::path dir = in.options.at("out");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return core::invalid_input("--out", "cannot create the folder \"" + dir.string() +
                                            "\" for the export: " + ec.message());
  }
  const auto& def = data->trial.definition;
  write_file(dir / "wide.csv",
             report::wide_csv(def, data->trial.instruments, people, data->assessments));
  write_file(dir / "items.csv", report::items_csv(data->assessments));
  write_file(dir / "codebook.csv", report::codebook_csv(def, data->trial.instruments));
  in.out << "Exported " << people.size() << " participants and " << data->assessments.size()
         << " questionnaires:\n"
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
