#pragma once

#include "balint/scheduling/calendar.hpp"

#include <date/tz.h>

#include <string>
#include <string_view>
#include <vector>

namespace balint::report {

/// One calendar entry: a lecture or session slot as a participant or leader sees it.
struct ics_event {
  /// Globally unique and stable across exports ("tongji-2020-intervention-session-3@balint-trial").
  std::string uid;
  std::string summary;
  std::string description;
  scheduling::utc_time start;
  scheduling::utc_time end;
  bool cancelled = false;
};

/// An iCalendar (RFC 5545) document with one VEVENT per event, in the order given.
///
/// - Lines end with CRLF and are folded at 75 octets (never inside a UTF-8 character); TEXT
///   values (summary, description, uid, calendar name) are escaped per RFC 5545 §3.3.11.
/// - VCALENDAR carries VERSION:2.0, PRODID:-//balint-trial//EN, CALSCALE:GREGORIAN,
///   METHOD:PUBLISH, X-WR-CALNAME and X-WR-TIMEZONE.
/// - A VTIMEZONE for `zone` (must not be null) covers the calendar years of the events (of
///   `stamp` when there are none): one STANDARD or DAYLIGHT observance for the rules in force
///   on 1 January of the first year and one for each transition up to the end of the last,
///   each with DTSTART (local time before the change), TZOFFSETFROM, TZOFFSETTO and TZNAME,
///   taken from date-tz's zone->get_info.
/// - Each VEVENT has UID, DTSTAMP (`stamp`, in UTC: ...Z), DTSTART;TZID=<zone> and
///   DTEND;TZID=<zone> in local wall time, SUMMARY, DESCRIPTION when not empty, and STATUS
///   (CANCELLED for a cancelled event, CONFIRMED otherwise).
std::string render_ics(const std::vector<ics_event>& events, const date::time_zone* zone,
                       scheduling::utc_time stamp, std::string_view calendar_name);

}  // namespace balint::report
