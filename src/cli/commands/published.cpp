// Published trials: auditing a summary, reconstructing data consistent with it, reproducing it end
// to end.

#include "balint/reproduction/published.hpp"

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/database.hpp"
#include "balint/app/reproduce_service.hpp"
#include "balint/core/text.hpp"
#include "balint/report/reproduction_report.hpp"
#include "balint/reproduction/audit.hpp"
#include "balint/reproduction/reconstruct.hpp"
#include "balint/resources/resources.hpp"

#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace balint::cli::detail {
namespace {

namespace fs = std::filesystem;

/// The published summary at `path`, checked against schemas/published.schema.json.
core::result<reproduction::summary> load_published(const std::string& path) {
  auto text = read_file(path, "SUMMARY.json");
  if (!text) return text.error();
  const auto schema = resources::find("schemas/published.schema.json");
  if (!schema) throw std::runtime_error("schemas/published.schema.json is not embedded");
  return reproduction::load_summary(text.value(), *schema);
}

core::result<int> cmd_audit_published(invocation& in) {
  if (in.options.positionals.empty()) {
    return core::invalid_input("SUMMARY.json", "name the summary file to audit");
  }
  auto summary = load_published(in.options.positionals.front());
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
  const auto seed = parse_seed(in.options.at("seed"));
  if (!seed) return seed.error();
  auto summary = load_published(in.options.positionals.front());
  if (!summary) return summary.error();
  const auto report = reproduction::audit(summary.value());
  reproduction::reconstruction_options options;
  options.seed = seed.value();
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
    const auto seed = parse_seed(*s);
    if (!seed) return seed.error();
    options.reconstruction_seed = seed.value();
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
      if (active) app::remove_database_files(path.string());
    }
  } remove_later{path, temporary};
  core::result<app::reproduction_outcome> outcome =
      [&]() -> core::result<app::reproduction_outcome> {
    auto db = app::open_database(path.string());
    return app::reproduce(*db, console_request(), key, options);
  }();
  if (!outcome) return std::move(outcome).error();
  const auto& o = outcome.value();
  if (const auto report_path = in.options.get("report")) {
    write_file(*report_path, report::reproduction_html(o));
  }
  if (in.options.get_or("format", "text") == "json") {
    in.out << report::to_json(o).dump_pretty() << "\n";
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

}  // namespace

std::vector<command> published_commands() {
  return {
      {"audit-published",
       "SUMMARY.json [--format text|json]",
       "Audits a published trial's summary (schemas/published.schema.json). GRIM and GRIMMER for "
       "means and SDs, every t, p and chi-square recomputed from the printed summary statistics "
       "over their rounding intervals, percentages against counts, counts against totals, numbers "
       "printed twice, sign conventions. Text lists the findings only.",
       {format_option({"text", "json"})},
       cmd_audit_published,
       false,
       1},
      {"reconstruct",
       "SUMMARY.json --seed N --out DIR",
       "Builds item-level data consistent with a published summary. Every participant's statistics "
       "round to every consistent published value, jointly (pre, post and change together). Writes "
       "wide.csv, items.csv and reconstruction.json. The result is one of many consistent data "
       "sets, not the trial's data.",
       {{"seed", "N", "seed of the search (different seeds give different data sets)", true, {}},
        out_option("DIR", "folder to write into (created if missing)")},
       cmd_reconstruct,
       false,
       1},
      {"reproduce",
       "tongji [--format text|json] [--report FILE.html] [--db FILE] [--seed N]",
       "Reproduces a published trial end to end. It reconstructs participant-level data consistent "
       "with its published numbers, replays the trial through the real system on a new database "
       "(enrol, baseline, randomize, calendar, plan, attendance, post questionnaires), analyzes it "
       "and prints every published number beside the reproduced one: match, mismatch or "
       "paper-inconsistent (with the reason). Exit 0 only when nothing mismatches.",
       {format_option({"text", "json"}),
        {"report", "FILE.html", "also write the report (one self-contained HTML page)", false, {}},
        {"db",
         "FILE",
         "keep the replay's database in this new file (default: a temporary one)",
         false,
         {}},
        {"seed", "N", "seed of the reconstruction (default: 1)", false, {}}},
       cmd_reproduce,
       true,
       1},
  };
}

}  // namespace balint::cli::detail
