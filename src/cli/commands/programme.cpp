// The programme: group leaders, the calendar of lectures and sessions, the plan.

#include "../io.hpp"
#include "commands.hpp"

#include "balint/app/schedule_service.hpp"
#include "balint/core/json.hpp"
#include "balint/core/text.hpp"
#include "balint/report/ics.hpp"
#include "balint/report/table.hpp"
#include "balint/scheduling/calendar.hpp"

#include <date/tz.h>

#include <chrono>
#include <string>
#include <vector>

namespace balint::cli::detail {
namespace {

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
  const auto show = [&](const auto& l) {
    in.out << "Added group leader " << l.code << " (" << l.name << ").\n";
  };
  return on_database(in, show, app::add_leader, in.options.at("code"), in.options.at("name"));
}

core::result<int> cmd_leader_list(invocation& in) {
  const auto show = [&](const auto& list) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : list) rows.push_back({l.code, l.name, l.added_at});
    in.out << report::text_table({"code", "name", "added_at"}, rows);
  };
  return on_database(in, show, app::list_leaders);
}

core::result<int> cmd_schedule_generate(invocation& in) {
  const std::string cohort = in.options.get_or("cohort", "intervention");
  const auto show = [&](const auto& list) {
    std::size_t lectures = 0;
    for (const auto& v : list) lectures += v.kind == "lecture" ? 1 : 0;
    in.out << "Created " << lectures << " lectures and " << list.size() - lectures
           << " session slots for the " << cohort << " cohort:\n"
           << sessions_table(list);
  };
  return on_database(in, show, app::generate_schedule, cohort, in.options.get("first-session"));
}

core::result<int> cmd_schedule_list(invocation& in) {
  const auto show = [&](const auto& list) {
    if (print_json_if_asked(in, list)) return;
    if (list.empty()) {
      in.out << "No lectures or sessions yet; create them with 'balint-trial schedule "
                "generate'.\n";
    } else {
      in.out << sessions_table(list);
    }
  };
  return on_database(in, show, app::list_sessions, in.options.get_or("cohort", ""));
}

core::result<int> cmd_schedule_assign_leader(invocation& in) {
  auto n = parse_number(in.options, "session");
  if (!n) return std::move(n).error();
  const auto show = [&](const auto& v) {
    in.out << "Session " << v.number << " (" << v.start.substr(0, 16) << ") is led by "
           << core::join(v.leaders, " and ") << ".\n";
  };
  return on_database(in, show, app::assign_leader, in.options.get_or("cohort", "intervention"),
                     n.value(), in.options.at("leader"));
}

core::result<int> cmd_schedule_plan(invocation& in) {
  const std::string cohort = in.options.get_or("cohort", "intervention");
  const auto show = [&](const auto& plan) -> core::result<int> {
    if (!plan.feasible) {
      return core::precondition_failed("plan", "no plan gives every participant of the " + cohort +
                                                   " cohort the required sessions:\n  - " +
                                                   core::join(plan.problems, "\n  - "));
    }
    in.out << "Planned " << plan.participants << " participants into " << plan.held_sessions
           << " sessions.\n";
    for (const auto& note : plan.notes) in.out << "Note: " << note << "\n";
    std::vector<app::session_view> sessions;
    for (const auto& v : plan.sessions) {
      if (v.kind == "session") sessions.push_back(v);
    }
    in.out << sessions_table(sessions);
    return 0;
  };
  return on_database(in, show, app::plan_schedule, cohort);
}

core::result<int> cmd_schedule_move(invocation& in) {
  auto from = parse_number(in.options, "from");
  if (!from) return std::move(from).error();
  auto to = parse_number(in.options, "to");
  if (!to) return std::move(to).error();
  const auto show = [&](const auto& r) {
    in.out << "Moved " << in.options.at("participant") << " from session " << r.first.number
           << " (now " << r.first.participants.size() << " participants) to session "
           << r.second.number << " (now " << r.second.participants.size() << ").\n";
  };
  return on_database(in, show, app::move_participant, in.options.at("participant"), from.value(),
                     to.value(), in.options.get("reason"));
}

core::result<int> cmd_schedule_cancel(invocation& in) {
  auto n = parse_number(in.options, "session");
  if (!n) return std::move(n).error();
  const auto show = [&](const auto& c) {
    in.out << "Session " << c.session.number << " (" << c.session.start.substr(0, 16)
           << ") is cancelled.\n";
    if (!c.replacements.empty()) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& [who, options] : c.replacements) {
        std::vector<std::string> numbers;
        for (const int k : options) numbers.push_back(std::to_string(k));
        rows.push_back(
            {who, numbers.empty() ? "none: talk to the coordinator" : core::join(numbers, " ")});
      }
      in.out << "Replacement sessions that keep each participant able to reach the "
                "requirement:\n"
             << report::text_table({"participant", "can move to sessions"}, rows);
    }
  };
  return on_database(in, show, app::cancel_session, in.options.get_or("cohort", "intervention"),
                     n.value(), in.options.at("reason"));
}

core::result<int> cmd_schedule_ics(invocation& in) {
  if (in.options.has("participant") == in.options.has("leader")) {
    return core::invalid_input("--participant", "give either --participant CODE or --leader CODE");
  }
  const auto show = [&](const auto& cal) {
    const date::time_zone* zone = date::locate_zone(cal.time_zone);
    std::vector<report::ics_event> events;
    for (const auto& e : cal.events) {
      events.push_back({e.uid, e.summary, e.description,
                        scheduling::parse_utc_iso(e.start_utc).value(),
                        scheduling::parse_utc_iso(e.end_utc).value(), e.cancelled});
    }
    const auto stamp = date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    write_file(in.options.at("out"), report::render_ics(events, zone, stamp, cal.name));
    in.out << "Wrote " << in.options.at("out")
           << " (iCalendar; open it with any calendar program).\n";
  };
  return on_database(in, show, app::personal_calendar_of, in.options.get("participant"),
                     in.options.get("leader"));
}

}  // namespace

std::vector<command> programme_commands() {
  return {
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
       "Creates the lectures and session slots of a cohort from the trial's programme. Weekday and "
       "local times follow the programme in the trial's time zone; blackout dates are skipped. The "
       "waitlist cohort starts one week after the intervention cohort's last session unless "
       "--first-session is given.",
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
       {db_option, session_option, leader_option(true), cohort_option(), as_option},
       cmd_schedule_assign_leader,
       true},
      {"schedule plan",
       "--db FILE [--cohort C]",
       "Assigns every participant of the cohort to the sessions they need. Each gets the required "
       "number of sessions they are available for, every held session within its capacity. "
       "Explains why when impossible.",
       {db_option, cohort_option(), as_option},
       cmd_schedule_plan,
       true},
      {"schedule move",
       "--db FILE --participant C --from N --to M [--reason TEXT]",
       "Moves one participant between two sessions of their cohort, checked against the plan's "
       "rules.",
       {db_option,
        participant_option(),
        {"from", "N", "session they leave", true, {}},
        {"to", "M", "session they join", true, {}},
        reason_option("why", false),
        as_option},
       cmd_schedule_move,
       true},
      {"schedule cancel",
       "--db FILE --session N --reason TEXT [--cohort C]",
       "Cancels a session and lists, for each of its participants, the sessions that keep them "
       "able to reach the requirement.",
       {db_option, session_option, reason_option("why it is cancelled", true), cohort_option(),
        as_option},
       cmd_schedule_cancel,
       true},
      {"schedule ics",
       "--db FILE (--participant C | --leader L) --out FILE",
       "Writes an iCalendar file (RFC 5545) of a participant's or a leader's lectures and "
       "sessions.",
       {db_option, participant_option("participant code", false), leader_option(false),
        out_option("FILE", "the .ics file to write")},
       cmd_schedule_ics},
  };
}

}  // namespace balint::cli::detail
