// The demo trial (`balint-trial demo`): the Tongji definition moved in time so that a session
// started today, filled through the same use cases a coordinator and a leader would call.
#include "balint/app/demo_service.hpp"

#include "balint/app/randomization_service.hpp"
#include "balint/app/schedule_service.hpp"
#include "balint/app/services.hpp"
#include "balint/app/user_service.hpp"
#include "balint/core/csv.hpp"
#include "balint/core/json.hpp"
#include "balint/core/sha256.hpp"
#include "balint/core/text.hpp"
#include "balint/resources/resources.hpp"
#include "balint/scheduling/calendar.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <sstream>

namespace balint::app {
namespace {

using namespace std::chrono_literals;

/// When the demo's session of today starts, in local time, and which availability category
/// that is: the residents of the demo are all available then.
struct demo_slot {
  date::local_days day;
  std::chrono::minutes start{};
  std::string availability;
};

bool is_weekend(date::weekday wd) { return wd == date::Saturday || wd == date::Sunday; }

/// The latest slot that has started by `now` and has an availability category: a workday
/// evening (17:00) or noon (11:00) session, or a weekend session at whatever time has passed.
demo_slot slot_started_by(date::local_seconds now) {
  const auto today = date::floor<date::days>(now);
  const auto time_of_day = std::chrono::duration_cast<std::chrono::minutes>(now - today);
  if (is_weekend(date::weekday(today))) {
    auto start = std::chrono::floor<std::chrono::minutes>(time_of_day - 90min);
    start = std::max(0min, start - start % 15min);
    return {today, start, "weekend"};
  }
  if (time_of_day >= 17h) return {today, 17h, "workday-evening"};
  if (time_of_day >= 11h) return {today, 11h, "workday-noon"};
  const auto yesterday = today - date::days{1};
  if (is_weekend(date::weekday(yesterday))) return {yesterday, 10h, "weekend"};
  return {yesterday, 17h, "workday-evening"};
}

std::string hh_mm(std::chrono::minutes m) {
  std::ostringstream s;
  s << date::format("%H:%M", m);
  return s.str();
}

std::string ymd(date::local_days d) { return date::format("%F", d); }

std::string weekday_name(date::local_days d) {
  static const char* names[] = {"sunday",   "monday", "tuesday", "wednesday",
                                "thursday", "friday", "saturday"};
  return names[date::weekday(d).c_encoding()];
}

/// The Tongji definition with the demo's id, title and programme dates.
std::string demo_definition(const demo_slot& slot, const std::string& time_zone) {
  auto doc = core::parse_json(*resources::find("schemas/trials/tongji-2020.json")).value();
  doc["id"] = demo_trial_id;
  doc["title"] = "Balint groups for resident physicians (demo, moved to today)";
  core::json::array timepoints;
  for (const auto& [id, label] :
       {std::pair{"pre", "Before the programme"}, std::pair{"post", "After the programme"}}) {
    core::json t;
    t["id"] = id;
    t["label"] = label;
    timepoints.push_back(std::move(t));
  }
  doc["timepoints"] = core::json(std::move(timepoints));
  auto& p = doc["programme"];
  p["time_zone"] = time_zone;
  const std::string start = hh_mm(slot.start);
  const std::string end = hh_mm(slot.start + 60min);
  const auto first = slot.day - date::days{63};  // today is the tenth weekly session
  core::json::array lectures;
  for (int weeks : {2, 1}) {
    core::json l;
    l["date"] = ymd(first - date::days{7 * weeks});
    l["start"] = start;
    l["end"] = end;
    lectures.push_back(std::move(l));
  }
  p["lectures"] = core::json(std::move(lectures));
  p["session_weekday"] = weekday_name(slot.day);
  p["session_start"] = start;
  p["session_end"] = end;
  p["first_session_date"] = ymd(first);
  p["blackout_dates"] = core::json(core::json::array{});
  return doc.dump();
}

/// The demo participants with everyone's availability replaced by the slot's category.
core::result<std::string> demo_participants(const std::string& availability) {
  std::string out;
  auto read = core::for_each_csv_row(
      *resources::find("tests/data/demo/participants.csv"),
      [&](const std::vector<std::string>& fields, std::size_t line) -> core::result<void> {
        for (std::size_t i = 0; i < fields.size(); ++i) {
          if (i > 0) out += ',';
          const bool replace = line > 1 && i + 1 == fields.size();
          core::append_csv_text(out, replace ? availability : fields[i]);
        }
        out += '\n';
        return {};
      });
  if (!read) return std::move(read).error();
  return out;
}

/// Rows of a long questionnaire CSV whose participant is one of the first `n` (T01..Tnn).
std::string first_participants(std::string_view csv, int n) {
  std::ostringstream out;
  bool header = true;
  for (const auto line : core::split(csv, '\n')) {
    if (line.empty()) continue;
    if (header) {
      out << line << "\n";
      header = false;
      continue;
    }
    const auto number = core::parse_integer(line.substr(1, 2));
    if (number && *number <= n) out << line << "\n";
  }
  return out.str();
}

/// The mark of a planned resident at one of the sessions before today's: mostly present, a
/// few absences and excused absences.
std::string demo_mark(const std::string& participant, int session) {
  if ((session * 5 + static_cast<int>(participant.back())) % 17 == 0) return "absent";
  if ((session * 7 + static_cast<int>(participant.back())) % 13 == 0) return "excused";
  return "present";
}

}  // namespace

const std::vector<demo_user>& demo_users() {
  static const std::vector<demo_user> users = {
      {"admin", "admin", "demo-admin-password"},
      {"coordinator", "coordinator", "demo-coordinator-password"},
      {"leader-a", "leader", "demo-leader-password"},
      {"analyst", "analyst", "demo-analyst-password"},
  };
  return users;
}

core::result<demo_summary> build_demo(storage::database& db, const request& req,
                                      const demo_options& options) {
  if (auto ok = authorize(req, use_case::build_demo); !ok) return std::move(ok).error();
  demo_summary out;
  if (auto existing = load_trial(db)) {
    if (existing->definition.id == demo_trial_id) return out;
    return core::conflict("db", "the database holds the trial \"" + existing->definition.id +
                                    "\", not the demo; give the demo a database of its own");
  }
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(options.time_zone);
  } catch (const std::exception&) {
    return core::invalid_input("time_zone", "\"" + options.time_zone +
                                                "\" is not an IANA time zone (such as "
                                                "Europe/Berlin or Asia/Shanghai)");
  }
  const auto now = scheduling::parse_utc_iso(req.now.substr(0, 19) + "Z");
  if (!now) return core::invalid_input("now", "the clock reading \"" + req.now + "\" is not UTC");
  const demo_slot slot = slot_started_by(zone->to_local(*now));

  list_seed seed{2026, core::sha256_hex("balint-trial demo, list seed 2026"), true};
  auto init = init_trial(db, req, demo_definition(slot, options.time_zone), seed);
  if (!init) return std::move(init).error();

  auto people = demo_participants(slot.availability);
  if (!people) return std::move(people).error();
  auto enrolled = import_participants(db, req, people.value());
  if (!enrolled) return std::move(enrolled).error();
  out.enrolled = enrolled.value();
  const std::string baseline(*resources::find("tests/data/demo/baseline.csv"));
  if (auto r = import_outcomes(db, req, baseline); !r) return std::move(r).error();
  for (int i = 1; i <= 32; ++i) {
    auto a = randomize(db, req, (i < 10 ? "T0" : "T") + std::to_string(i));
    if (!a) return std::move(a).error();
    ++out.randomized;
  }

  const std::string cohort = "intervention";
  for (const auto& [code, name] : {std::pair{"leader-a", "Demo group leader A"},
                                   std::pair{"leader-b", "Demo group leader B"}}) {
    if (auto r = add_leader(db, req, code, name); !r) return std::move(r).error();
  }
  auto calendar = generate_schedule(db, req, cohort, std::nullopt);
  if (!calendar) return std::move(calendar).error();
  for (const auto& s : calendar.value()) {
    if (s.kind != "session") continue;
    if (auto r = assign_leader(db, req, cohort, s.number, "leader-a"); !r) {
      return std::move(r).error();
    }
    if (s.number % 2 == 0) {
      if (auto r = assign_leader(db, req, cohort, s.number, "leader-b"); !r) {
        return std::move(r).error();
      }
    }
  }
  auto plan = plan_schedule(db, req, cohort);
  if (!plan) return std::move(plan).error();
  if (!plan->feasible) {
    return core::precondition_failed(
        "plan", "the demo's session plan failed: " + core::join(plan->problems, "; "));
  }
  for (const auto& s : plan->sessions) {
    if (s.kind != "session") continue;
    if (s.number == 10) {
      out.today_session = s.number;
      out.today_session_start = s.start;
    }
    if (s.number >= 10 || s.participants.empty()) continue;
    std::vector<attendance_mark> marks;
    for (const auto& p : s.participants) marks.push_back({p, demo_mark(p, s.number)});
    if (auto r = log_attendance(db, req, cohort, s.number, marks, std::nullopt); !r) {
      return std::move(r).error();
    }
    ++out.sessions_logged;
  }

  const std::string post = first_participants(*resources::find("tests/data/demo/post.csv"), 32);
  if (auto r = import_outcomes(db, req, post); !r) return std::move(r).error();
  for (const auto& u : demo_users()) {
    if (auto r = add_user(db, req, u.name, u.role, u.password); !r) return std::move(r).error();
  }
  out.created = true;
  return out;
}

}  // namespace balint::app
