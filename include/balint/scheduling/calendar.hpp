#pragma once

#include "balint/core/result.hpp"
#include "balint/trial/trial_definition.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::scheduling {

/// An instant. Instants are UTC (date's sys_time); wall-clock times of the programme's zone are
/// date::local_seconds and only meet a utc_time through an explicit `const date::time_zone*`.
using utc_time = date::sys_seconds;

/// What a slot of the programme is: an introductory lecture or a Balint session.
enum class slot_kind { lecture, session };

/// Where a slot stands: planned (in the future or not yet logged), held, or cancelled.
enum class slot_status { planned, held, cancelled };

/// "lecture" or "session".
std::string_view to_string(slot_kind kind);

/// "planned", "held" or "cancelled".
std::string_view to_string(slot_status status);

/// A lecture or a Balint session slot of one cohort's programme. Sessions are numbered 1..N per
/// cohort, lectures 1..L separately.
struct slot {
  slot_kind kind = slot_kind::session;
  int number = 0;
  std::string cohort;
  utc_time start;
  utc_time end;
};

/// The lectures and session slots of one cohort's programme, as UTC instants.
///
/// - Lectures come from `p.lectures` in the order given (numbered 1..L), on the dates given.
/// - `p.session_slots` sessions (numbered 1..N) fall on `p.session_weekday`, weekly from
///   `p.first_session_date`; a date in `p.blackout_dates` is skipped and does not use up a slot.
/// - Wall times ("HH:MM") are local to `zone`, which the caller located from `p.time_zone`
///   (`zone` is authoritative; the name in `p` is not looked up here).
/// - Daylight saving: a local start or end time that does not exist (the spring gap, when the
///   clocks go forward) is refused. A local time that occurs twice (the autumn fold) is taken at
///   its earlier instant (date::choose::earliest), i.e. still in summer time: Europe/Berlin
///   2016-10-30 02:30 is 00:30 UTC.
///
/// `cohort` is "intervention" or "waitlist"; for the waitlist the caller passes a programme
/// moved by shift_programme.
///
/// Fails with invalid_input (field = the programme field, such as "programme.session_start")
/// when `zone` is null, the cohort is unknown, a date or time is malformed, the first session
/// date is not on the session weekday, a slot ends before it starts, or a local time falls in a
/// daylight-saving gap (the message names the date and time).
core::result<std::vector<slot>> generate_programme(const trial::programme& p,
                                                   const std::string& cohort,
                                                   const date::time_zone* zone);

/// The same programme moved to start on `first_session_date` ("YYYY-MM-DD"), for the waitlist
/// cohort: lectures keep their offset in days relative to the first session; times, slots and
/// blackout dates (which are calendar holidays) are unchanged. When either first date is
/// malformed only `first_session_date` is replaced, and generate_programme reports it.
trial::programme shift_programme(const trial::programme& p, const std::string& first_session_date);

/// ISO 8601 local time with the UTC offset in force at that instant:
/// "2016-10-26T17:30:00+08:00". `zone` must not be null.
std::string local_iso(utc_time t, const date::time_zone* zone);

/// ISO 8601 in UTC: "2016-10-26T09:30:00Z".
std::string utc_iso(utc_time t);

/// Parses utc_iso's format ("YYYY-MM-DDTHH:MM:SSZ", exactly) back; nullopt when malformed or
/// not a real date and time.
std::optional<utc_time> parse_utc_iso(std::string_view text);

/// The availability category (as participants state it at baseline) of a slot starting at
/// `start`, judged in local time of `zone` (must not be null): Saturday or Sunday → "weekend";
/// Monday–Friday starting 11:00–13:59 → "workday-noon"; Monday–Friday starting 17:00 or later
/// → "workday-evening"; otherwise "" (no category).
std::string availability_category(utc_time start, const date::time_zone* zone);

}  // namespace balint::scheduling
