// Attendance: marks per session, progress to the requirement, certificates.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/schedule_service.hpp"
#include "balint/core/json.hpp"
#include "balint/core/text.hpp"
#include "balint/report/certificate.hpp"
#include "balint/report/table.hpp"

#include <map>
#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

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
  const auto show = [&](const auto& r) {
    in.out << "Recorded " << r.marks << (r.marks == 1 ? " mark" : " marks") << " for session "
           << r.session << " (" << r.present << " present).\n";
  };
  return on_database(in, show, app::log_attendance, in.options.get_or("cohort", "intervention"),
                     n.value(), marks, in.options.get("reason"));
}

core::result<int> cmd_attendance_progress(invocation& in) {
  const auto show = [&](const auto& list) {
    if (print_json_if_asked(in, list)) return;
    std::vector<std::vector<std::string>> rows;
    std::map<std::string, int> counts;
    for (const auto& p : list) {
      const std::string status(attendance::to_string(p.status));
      ++counts[status];
      rows.push_back({p.participant, std::to_string(p.attended), std::to_string(p.required),
                      std::to_string(p.remaining_possible), status});
    }
    in.out << report::text_table(
        {"participant", "attended", "required", "remaining possible", "status"}, rows);
    std::vector<std::string> summary;
    for (const auto& [status, k] : counts) summary.push_back(std::to_string(k) + " " + status);
    in.out << (summary.empty() ? "nobody has sessions yet" : core::join(summary, ", ")) << "\n";
  };
  return on_database(in, show, app::attendance_progress);
}

core::result<int> cmd_attendance_certificate(invocation& in) {
  std::string today;
  const auto certificate = [&](auto& db, const auto& req) {
    today = req.now.substr(0, 10);
    return app::completion_certificate(db, req, in.options.at("participant"));
  };
  const auto show = [&](const auto& facts) {
    write_file(in.options.at("out"),
               report::certificate_html(facts.completion, facts.trial_title, today));
    in.out << "Wrote the certificate of completion of " << in.options.at("participant") << " to "
           << in.options.at("out") << ".\n";
  };
  return on_database(in, show, certificate);
}

}  // namespace

std::vector<command> attendance_commands() {
  return {
      {"attendance log",
       "--db FILE --session N (--participant C --status present|absent|excused | --present LIST "
       "[--absent LIST] [--excused LIST]) [--reason TEXT] [--cohort C]",
       "Records attendance at a session that has taken place. One participant, or the whole roster "
       "at once (comma-separated codes; one transaction). Changing a mark needs --reason.",
       {db_option,
        session_option,
        participant_option("one participant", false),
        {"status", "S", "present, absent or excused", false, {}},
        {"present", "LIST", "codes of those present", false, {}},
        {"absent", "LIST", "codes of those absent", false, {}},
        {"excused", "LIST", "codes of those excused", false, {}},
        reason_option("why a recorded mark is changed", false),
        cohort_option(),
        as_option},
       cmd_attendance_log,
       true},
      {"attendance progress",
       "--db FILE [--format text|json]",
       "Shows each participant's progress to the attendance requirement. Per participant: sessions "
       "attended, required, still possible, and a status: completed, on-track, at-risk (must "
       "attend every remaining possible slot) or cannot-complete.",
       {db_option, format_option({"text", "json"})},
       cmd_attendance_progress},
      {"attendance certificate",
       "--db FILE --participant C --out FILE",
       "Writes a certificate of completion (HTML, ready to print) for a participant who attended "
       "the required sessions.",
       {db_option, participant_option(), out_option("FILE", "the .html file to write")},
       cmd_attendance_certificate},
  };
}

}  // namespace balint::cli::detail
