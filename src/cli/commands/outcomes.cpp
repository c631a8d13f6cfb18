// Questionnaires: recorded one at a time or imported, and listed with their scores.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/services.hpp"
#include "balint/report/table.hpp"

#include <optional>
#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

std::string scores_text(const std::vector<app::score_view>& scores) {
  std::string s;
  for (const auto& sc : scores) {
    if (!s.empty()) s += " ";
    s += sc.subscale + "=" + (sc.score ? report::format_score(*sc.score) : "missing");
    if (sc.is_case && *sc.is_case) s += "*";
    if (sc.band) s += " (" + *sc.band + ")";
  }
  return s;
}

std::string items_text(const std::vector<std::optional<int>>& items) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) s += ",";
    if (items[i]) s += std::to_string(*items[i]);
  }
  return s;
}

core::result<int> cmd_outcome_record(invocation& in) {
  const auto show = [&](const app::recorded_outcome& r) {
    in.out << (r.correction ? "Corrected " : "Recorded ") << r.outcome.instrument << " for "
           << r.outcome.participant << " at " << r.outcome.timepoint << ": "
           << scores_text(r.outcome.scores) << "; answered on " << r.outcome.assessment_date
           << "\n";
    for (const auto& w : r.warnings) in.err << "warning: " << w << "\n";
  };
  return on_database(in, show, app::record_outcome,
                     app::outcome_entry{in.options.at("participant"), in.options.at("timepoint"),
                                        in.options.at("instrument"), in.options.at("items"),
                                        in.options.get("reason"), in.options.get("date")});
}

core::result<int> cmd_outcome_import(invocation& in) {
  auto text = read_file(in.options.at("csv"), "--csv");
  if (!text) return std::move(text).error();
  const auto show = [&](const auto& r) {
    in.out << "Imported " << r.assessments << " questionnaires (" << r.item_rows
           << " item answers) for " << r.participants << " participants.\n";
    if (r.incomplete > 0) {
      in.out << r.incomplete
             << " of them have missing answers that leave a subscale without a score; see "
                "'balint-trial outcome list'.\n";
    }
    if (r.outside_window > 0) {
      in.err << "warning: " << r.outside_window
             << " of them were answered outside their time point's window; they are kept, "
                "flagged in the export and left out of the per-protocol analysis:\n";
      for (const auto& w : r.warnings) in.err << "  " << w << "\n";
      if (r.warnings.size() < r.outside_window) {
        in.err << "  ... ('balint-trial outcome list --format json' shows each one's window)\n";
      }
    }
  };
  return on_database(in, show, app::import_outcomes, text.value());
}

core::result<int> cmd_outcome_list(invocation& in) {
  const auto show = [&](const auto& list) {
    if (print_json_if_asked(in, list)) return;
    const std::string format = in.options.get_or("format", "text");
    const std::vector<std::string> header = {"participant", "timepoint",  "instrument",
                                             "scores",      "items",      "answered",
                                             "window",      "recorded_at"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : list) {
      rows.push_back({row.participant, row.timepoint, row.instrument, scores_text(row.scores),
                      items_text(row.items), row.assessment_date, row.window, row.recorded_at});
    }
    if (format == "csv") {
      in.out << report::csv_table(header, rows);
    } else {
      in.out << report::text_table(header, rows) << rows.size()
             << " questionnaires (* marks a score past the instrument's caseness cut-off)\n";
    }
  };
  return on_database(in, show, app::list_outcomes, in.options.get("participant"));
}

}  // namespace

std::vector<command> outcome_commands() {
  return {
      {"outcome record",
       "--db FILE --participant C --timepoint pre|post --instrument ID --items \"v1,v2,...\" "
       "[--date YYYY-MM-DD] [--reason TEXT]",
       "Records one questionnaire, answers in item order (empty = missing answer). Recording the "
       "same questionnaire again is a correction and needs --reason.",
       {db_option,
        participant_option(),
        {"timepoint", "ID", "time point: pre or post", true, {}},
        {"instrument", "ID", "mbi-hss, msq, satisfaction, achievements or willingness", true, {}},
        {"items", "LIST", "comma-separated answers in item order", true, {}},
        {"date",
         "YYYY-MM-DD",
         "the day it was answered (default: today in the trial's time zone, or the date already "
         "recorded for a correction; never later, nor before consent)",
         false,
         {}},
        reason_option("why earlier answers are corrected", false),
        as_option},
       cmd_outcome_record,
       true},
      {"outcome import",
       "--db FILE --csv FILE",
       "Imports questionnaires from a long CSV, all or none. Header:\n"
       "participant,timepoint,instrument,item,value\n"
       "optionally followed by ,assessment_date (YYYY-MM-DD, the same on every row of one "
       "questionnaire; empty: today). A questionnaire outside its time point's window is "
       "imported with a warning.",
       {db_option, {"csv", "FILE", "the long CSV of item answers", true, {}}, as_option},
       cmd_outcome_import,
       true},
      {"outcome list",
       "--db FILE [--participant C] [--format text|csv|json]",
       "Lists recorded questionnaires with their subscale scores.",
       {db_option, participant_option("only this participant", false),
        format_option({"text", "csv", "json"})},
       cmd_outcome_list},
  };
}

}  // namespace balint::cli::detail
