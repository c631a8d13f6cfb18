#include "trial_dates.hpp"

#include "balint/app/access.hpp"
#include "balint/core/dates.hpp"
#include "balint/scheduling/calendar.hpp"

#include <date/tz.h>

#include <stdexcept>

namespace balint::app::detail {

core::result<const date::time_zone*> zone_of(const trial::trial_definition& t,
                                             const std::string& field) {
  try {
    return date::locate_zone(t.programme.time_zone);
  } catch (const std::exception&) {
    return core::invalid_input(field, "time zone " + core::shown_value(t.programme.time_zone) +
                                          " is not in this computer's time zone database; "
                                          "allowed: a name of the IANA database such as "
                                          "Europe/Berlin or Asia/Shanghai (a real name refused "
                                          "here means tzdata is missing: install it)");
  }
}

namespace {

std::string day_at(scheduling::utc_time at, const trial::trial_definition& t) {
  // init refuses a zone the database does not know; a machine without tzdata counts UTC days.
  const auto zone = zone_of(t);
  if (!zone) return scheduling::utc_iso(at).substr(0, 10);
  return scheduling::local_iso(at, zone.value()).substr(0, 10);
}

}  // namespace

std::string today_of(const request& req, const trial::trial_definition& t) {
  return day_at(now_of(req), t);
}

std::string local_day_of(const std::string& utc_iso, const trial::trial_definition& t) {
  const auto at =
      utc_iso.size() >= 19 ? scheduling::parse_utc_iso(utc_iso.substr(0, 19) + "Z") : std::nullopt;
  if (!at) {
    throw storage::storage_error("the database holds a time that is not UTC: \"" + utc_iso + "\"");
  }
  return day_at(*at, t);
}

window_facts read_window_facts(storage::database& db, const trial::trial_definition& t) {
  window_facts facts;
  bool needs_windows = false;
  for (const auto& tp : t.timepoints) needs_windows = needs_windows || tp.window.has_value();
  if (!needs_windows) return facts;
  if (!t.arms.empty()) {
    std::optional<std::string> last;
    for (const auto& s : db.slots(t.arms.front().id)) {
      // A cancelled session never happened: the programme ends with the last one held.
      if (s.kind == "session" && !s.cancelled_at && (!last || s.start_utc > *last)) {
        last = s.start_utc;
      }
    }
    if (last) facts.programme_end = local_day_of(*last, t);
  }
  for (const auto& a : db.allocations()) {
    facts.randomized_on[a.participant_id] = local_day_of(a.allocated_at, t);
  }
  return facts;
}

outcomes::window_state window_of(const trial::trial_definition& t, const window_facts& facts,
                                 std::int64_t participant_id, const std::string& timepoint,
                                 const std::string& assessment_date) {
  for (const auto& tp : t.timepoints) {
    if (tp.id != timepoint || !tp.window) continue;
    outcomes::window_anchors anchors;
    anchors.programme_end = facts.programme_end;
    if (const auto it = facts.randomized_on.find(participant_id); it != facts.randomized_on.end()) {
      anchors.randomized_on = it->second;
    }
    return outcomes::judge_window(*tp.window, assessment_date, anchors);
  }
  return outcomes::window_state::inside;
}

std::string outside_window_warning(const trial::trial_definition& t, const std::string& participant,
                                   const std::string& timepoint, const std::string& instrument,
                                   const std::string& assessment_date) {
  std::string window;
  for (const auto& tp : t.timepoints) {
    if (tp.id == timepoint && tp.window) window = outcomes::describe_window(*tp.window);
  }
  return "participant " + participant + "'s " + instrument + " at " + timepoint +
         " was answered on " + assessment_date + ", outside its window (" + window +
         "): it is kept, flagged in the export and left out of the per-protocol analysis";
}

}  // namespace balint::app::detail
