// The analyst's commands: the export and the between-arm analysis.

#include "balint/analysis/analysis.hpp"

#include "../io.hpp"
#include "commands.hpp"

#include "balint/analysis/data_set.hpp"
#include "balint/app/analysis_service.hpp"
#include "balint/app/services.hpp"
#include "balint/core/text.hpp"
#include "balint/report/analysis_report.hpp"
#include "balint/report/export.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

namespace fs = std::filesystem;

core::result<int> cmd_export(invocation& in) {
  const auto show = [&](const auto& data) -> core::result<int> {
    const fs::path dir = in.options.at("out");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
      return core::invalid_input("--out", "cannot create the folder \"" + dir.string() +
                                              "\" for the export: " + ec.message());
    }
    const auto& def = data.trial.definition;
    // The same bytes `analyze --db` reads (app::wide_csv_of).
    write_file(dir / "wide.csv", app::wide_csv_of(data));
    write_file(dir / "items.csv", report::items_csv(data.assessments));
    write_file(dir / "codebook.csv", report::codebook_csv(def, data.trial.instruments));
    in.out << "Exported " << data.participants.size() << " participants and "
           << data.assessments.size() << " questionnaires:\n"
           << "  " << (dir / "wide.csv").string() << "\n"
           << "  " << (dir / "items.csv").string() << "\n"
           << "  " << (dir / "codebook.csv").string() << "\n";
    return 0;
  };
  return on_database(in, show, app::read_export_data);
}

/// What `analyze` reads: the wide CSV and how to analyse it.
struct analysis_input {
  std::string csv;
  std::vector<std::string> arms{"intervention", "waitlist"};
  int required = 10;  ///< sessions for per-protocol; a CSV does not say, so the Tongji 10
  analysis::analysis_options options;
};

/// --db: the trial's arms, requirement and options, and the bytes `export` writes.
core::result<analysis_input> input_from_database(const invocation& in) {
  return with_database(
      in, [](storage::database& db, const app::request&) -> core::result<analysis_input> {
        auto trial = app::load_trial(db);
        if (!trial) return std::move(trial).error();
        auto setup = app::analysis_setup_of(trial.value());
        if (!setup) return std::move(setup).error();
        auto text = app::database_wide_csv(db);
        if (!text) return std::move(text).error();
        analysis_input input;
        input.csv = std::move(text.value());
        input.arms = setup->arms;
        input.required = setup->required_sessions;
        input.options = setup->options;
        return input;
      });
}

/// --csv: a wide CSV as `export` writes it, with the default arms and options.
core::result<analysis_input> input_from_csv(const invocation& in) {
  auto text = read_file(in.options.at("csv"), "--csv");
  if (!text) return std::move(text).error();
  analysis_input input;
  input.csv = std::move(text.value());
  return input;
}

core::result<int> cmd_analyze(invocation& in) {
  if (in.options.has("db") == in.options.has("csv")) {
    return core::invalid_input("--db",
                               "give either --db FILE (a trial database) or --csv FILE "
                               "(a wide CSV as 'export' writes it)");
  }
  auto input = in.options.has("db") ? input_from_database(in) : input_from_csv(in);
  if (!input) return std::move(input).error();
  int required = input->required;
  if (const auto r = in.options.get("required-sessions")) {
    const auto v = core::parse_integer(*r);
    if (!v || *v < 0 || *v > 1000) {
      return core::invalid_input("--required-sessions", "--required-sessions \"" + *r +
                                                            "\" is not allowed; allowed: a whole "
                                                            "number from 0 to 1000");
    }
    required = static_cast<int>(*v);
  }
  auto data = analysis::read_wide_csv(input->csv, input->arms);
  if (!data) return std::move(data).error();
  const bool per_protocol = in.options.get_or("population", "itt") == "per-protocol";
  const auto population =
      per_protocol ? analysis::per_protocol(data.value(), required) : std::move(data.value());
  auto result = analysis::analyze(population, input->options);
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

}  // namespace

std::vector<command> analysis_commands() {
  return {
      {"export",
       "--db FILE --format csv --out DIR",
       "Writes wide.csv (one row per participant), items.csv (one row per item answer) and "
       "codebook.csv into DIR for the analyst.",
       {db_option,
        {"format", "csv", "export format", true, {"csv"}},
        {"out", "DIR", "folder to write into (created if missing)", true, {}}},
       cmd_export},
      {"analyze",
       "(--db FILE | --csv FILE) [--population itt|per-protocol] [--format "
       "text|json|markdown|html] [--out FILE]",
       "Analyses the trial between arms, from a trial database or from a wide CSV. The analysis of "
       "change scores gives the Tongji tables 1-4: Welch, ANCOVA on baseline, Hedges g, exact "
       "tests, caseness, dose-response, power. Numbers agree with R (docs/statistics.md).",
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
  };
}

}  // namespace balint::cli::detail
