// Enrolment: participants added, imported, listed and withdrawn.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/services.hpp"
#include "balint/core/json.hpp"
#include "balint/core/text.hpp"
#include "balint/report/table.hpp"

#include <optional>
#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

std::string opt_int(const std::optional<int>& v) { return v ? std::to_string(*v) : ""; }

std::vector<std::string> participant_cells(const app::participant_view& r) {
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
          r.withdrawal_reason.value_or(""),
          p.consent_date,
          r.withdrawal_date.value_or(""),
          r.withdrawal_category.value_or("")};
}

// The columns of version 1 first, in their order, so scripts that read them by position keep
// working; the dates of issue 14 after them.
const std::vector<std::string> participant_header = {"code",
                                                     "age",
                                                     "gender",
                                                     "specialty",
                                                     "consent",
                                                     "balint_knowledge",
                                                     "balint_times",
                                                     "available",
                                                     "enrolled_at",
                                                     "status",
                                                     "withdrawal_reason",
                                                     "consent_date",
                                                     "withdrawal_date",
                                                     "withdrawal_category"};

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
  f.consent_date = o.get("consent-date");
  return f;
}

/// The answer to the warning that enrolment goes past the trial's planned size.
const option_spec beyond_plan_option{
    "beyond-plan",
    "",
    "enrol even though the trial's planned size is reached (confirms the warning)",
    false,
    {}};

core::result<int> cmd_participant_add(invocation& in) {
  const auto show = [&](const auto& r) {
    in.out << "Enrolled participant " << r.code() << " (enrolment number " << r.enrolment_number
           << ").\n";
  };
  const auto add = [&](app::database& db, const app::request& req) {
    return app::add_participant(db, req, fields_from(in.options), in.options.has("beyond-plan"));
  };
  return with_database(in, shown(show, add));
}

core::result<int> cmd_participant_import(invocation& in) {
  auto text = read_file(in.options.at("csv"), "--csv");
  if (!text) return std::move(text).error();
  const auto show = [&](std::size_t enrolled) {
    in.out << "Enrolled " << enrolled << " participants from " << in.options.at("csv") << ".\n";
  };
  const auto import = [&](app::database& db, const app::request& req) {
    return app::import_participants(db, req, text.value(), in.options.has("beyond-plan"));
  };
  return with_database(in, shown(show, import));
}

core::result<int> cmd_participant_list(invocation& in) {
  const auto show = [&](const auto& list) {
    if (print_json_if_asked(in, list)) return;
    const std::string format = in.options.get_or("format", "text");
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : list) rows.push_back(participant_cells(r));
    if (format == "csv") {
      in.out << report::csv_table(participant_header, rows);
    } else {
      in.out << report::text_table(participant_header, rows);
      std::size_t withdrawn = 0;
      for (const auto& r : list) withdrawn += r.withdrawn() ? 1 : 0;
      in.out << list.size() << " enrolled";
      if (withdrawn) in.out << " (" << withdrawn << " withdrawn)";
      in.out << "\n";
    }
  };
  return on_database(in, show, app::list_participants);
}

core::result<int> cmd_participant_withdraw(invocation& in) {
  const auto show = [&](const auto& r) {
    in.out << "Participant " << r.code() << " withdrawn on " << r.withdrawal_date.value_or("")
           << " (" << r.withdrawal_category.value_or("") << "). Their records are kept.\n";
  };
  return on_database(in, show, app::withdraw_participant,
                     app::withdrawal{in.options.at("code"), in.options.at("reason"),
                                     in.options.get("date"), in.options.get("category")});
}

}  // namespace

std::vector<command> participant_commands() {
  return {
      {"participant add",
       "--db FILE --code C --age N --gender M|F --consent yes [--specialty S] "
       "[--balint-knowledge 1-5] [--balint-times 1-5] [--available LIST] [--consent-date "
       "YYYY-MM-DD]",
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
        {"consent-date",
         "YYYY-MM-DD",
         "the day consent was given (default: today in the trial's time zone; not later)",
         false,
         {}},
        beyond_plan_option,
        as_option},
       cmd_participant_add,
       true},
      {"participant import",
       "--db FILE --csv FILE",
       "Enrols every participant of a CSV file, all or none. Header:\n"
       "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n"
       "optionally followed by ,consent_date (YYYY-MM-DD; an empty cell is today).",
       {db_option, {"csv", "FILE", "the enrolment CSV", true, {}}, beyond_plan_option, as_option},
       cmd_participant_import,
       true},
      {"participant list",
       "--db FILE [--format text|csv|json]",
       "Lists enrolled participants in enrolment order, withdrawn ones included.",
       {db_option, format_option({"text", "csv", "json"})},
       cmd_participant_list},
      {"participant withdraw",
       "--db FILE --code C --reason TEXT [--date YYYY-MM-DD] [--category CATEGORY]",
       "Records that a participant left the trial. Their data are kept; the reason, the day they "
       "left and the category (CONSORT's: why they are missing at follow-up) are recorded and "
       "audited.",
       {db_option,
        {"code", "C", "participant code", true, {}},
        reason_option("why the participant withdrew", true),
        {"date",
         "YYYY-MM-DD",
         "the day they left (default: today in the trial's time zone; not before consent)",
         false,
         {}},
        {"category",
         "CATEGORY",
         "why, in CONSORT's words: " + core::join(enrolment::withdrawal_categories, ", ") +
             " (default: other)",
         false,
         {}},
        as_option},
       cmd_participant_withdraw,
       true},
  };
}

}  // namespace balint::cli::detail
