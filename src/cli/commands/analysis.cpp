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
  const auto show = [&](const app::export_data& data) -> core::result<int> {
    const fs::path dir = in.options.at("out");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
      return core::invalid_input("--out", "cannot create the folder \"" + dir.string() +
                                              "\" for the export: " + ec.message());
    }
    for (const auto& file : report::export_files()) {
      write_file(dir / file.name, *report::export_file_content(data, file.name));
    }
    in.out << "Exported " << data.participants.size() << " participants and "
           << data.assessments.size() << " questionnaires:\n";
    for (const auto& file : report::export_files()) {
      in.out << "  " << (dir / file.name).string() << "\n";
    }
    std::size_t outside = 0;
    for (const auto w : data.windows) outside += w == outcomes::window_state::outside ? 1 : 0;
    if (outside > 0) {
      in.out << outside
             << " questionnaires were answered outside their time point's window (window = "
                "outside in assessments.csv).\n";
    }
    return 0;
  };
  return on_database(in, show, app::export_trial_data);
}

/// --population and --required-sessions.
core::result<app::analysis_choice> choice_of(const parsed_options& o) {
  app::analysis_choice choice;
  choice.per_protocol = o.get_or("population", "itt") == "per-protocol";
  if (const auto r = o.get("required-sessions")) {
    const auto v = core::parse_integer(*r);
    if (!v || *v < 0 || *v > 1000) {
      return core::invalid_input("--required-sessions", "--required-sessions \"" + *r +
                                                            "\" is not allowed; allowed: a whole "
                                                            "number from 0 to 1000");
    }
    choice.required_sessions = static_cast<int>(*v);
  }
  return choice;
}

core::result<int> cmd_analyze(invocation& in) {
  if (in.options.has("db") == in.options.has("csv")) {
    return core::invalid_input("--db",
                               "give either --db FILE (a trial database) or --csv FILE "
                               "(a wide CSV as 'export' writes it)");
  }
  auto choice = choice_of(in.options);
  if (!choice) return std::move(choice).error();
  const auto show = [&](const analysis::analysis_result& result) {
    const std::string format = in.options.get_or("format", "text");
    std::string rendered;
    if (format == "json") {
      rendered = analysis::to_json(result).dump_pretty() + "\n";
    } else if (format == "markdown") {
      rendered = report::analysis_markdown(result);
    } else if (format == "html") {
      rendered = report::analysis_html(result);
    } else {
      rendered = report::analysis_text(result);
    }
    if (const auto out = in.options.get("out")) {
      write_file(*out, rendered);
      in.out << "Wrote the " << format << " analysis (" << result.population << ", "
             << result.n[0] + result.n[1] << " participants) to " << *out << ".\n";
    } else {
      in.out << rendered;
    }
  };
  if (in.options.has("db")) {
    return on_database(in, show, app::analyze_database, choice.value());
  }
  auto text = read_file(in.options.at("csv"), "--csv");
  if (!text) return std::move(text).error();
  auto result = app::analyze_wide_csv(text.value(), choice.value());
  if (!result) return std::move(result).error();
  show(result.value());
  return 0;
}

}  // namespace

std::vector<command> analysis_commands() {
  return {
      {"export",
       "--db FILE --format csv --out DIR",
       "Writes into DIR for the analyst: wide.csv (one row per participant), items.csv (one "
       "row per item answer), participants.csv (consent, randomization and withdrawal dates), "
       "assessments.csv (one row per questionnaire, with its date and window) and codebook.csv "
       "(every column explained).",
       {db_option,
        {"format", "csv", "export format", true, {"csv"}},
        out_option("DIR", "folder to write into (created if missing)")},
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
         "sessions required for per-protocol (default: the trial's; for a CSV the default trial's)",
         false,
         {}},
        format_option({"text", "json", "markdown", "html"}),
        out_option("FILE", "write to this file instead of the screen", false)},
       cmd_analyze},
  };
}

}  // namespace balint::cli::detail
