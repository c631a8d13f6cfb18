#include "balint/report/ics.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <string>

namespace balint::report {

namespace {

using scheduling::utc_time;

constexpr std::size_t max_line_octets = 75;

/// TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks; other
/// control characters are not allowed in TEXT and are dropped.
std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        if (i + 1 >= text.size() || text[i + 1] != '\n') out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out += c;
        break;
    }
  }
  return out;
}

/// A parameter value, quoted when it holds characters that end a parameter.
std::string param_value(std::string_view value) {
  if (value.find_first_of(":;,") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c != '"') out += c;
  }
  return out + "\"";
}

/// Appends one content line, folded so no physical line exceeds 75 octets (continuations start
/// with a space, which counts), never splitting a UTF-8 sequence; each ends with CRLF.
void put_line(std::string& out, std::string_view line) {
  std::size_t pos = 0;
  bool first = true;
  while (true) {
    const std::size_t room = first ? max_line_octets : max_line_octets - 1;
    if (!first) out += ' ';
    if (line.size() - pos <= room) {
      out.append(line.substr(pos));
      out += "\r\n";
      return;
    }
    std::size_t cut = pos + room;
    // Back up to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
    while (cut > pos && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    if (cut == pos) cut = pos + room;  // not UTF-8; cut anyway
    out.append(line.substr(pos, cut - pos));
    out += "\r\n";
    pos = cut;
    first = false;
  }
}

std::string utc_stamp(utc_time t) { return date::format("%Y%m%dT%H%M%SZ", t); }

std::string local_stamp(date::local_seconds t) { return date::format("%Y%m%dT%H%M%S", t); }

/// "+0800", "-0500", "+053000" when there are seconds.
std::string utc_offset(std::chrono::seconds offset) {
  long long v = offset.count();
  std::string out = v < 0 ? "-" : "+";
  if (v < 0) v = -v;
  const auto two = [](long long x) {
    return std::string(1, static_cast<char>('0' + x / 10)) + static_cast<char>('0' + x % 10);
  };
  out += two(v / 3600) + two((v % 3600) / 60);
  if (v % 60 != 0) out += two(v % 60);
  return out;
}

void put_observance(std::string& out, const date::sys_info& info, std::chrono::seconds from,
                    date::local_seconds onset) {
  const char* kind = info.save != std::chrono::minutes{0} ? "DAYLIGHT" : "STANDARD";
  put_line(out, std::string("BEGIN:") + kind);
  put_line(out, "DTSTART:" + local_stamp(onset));
  put_line(out, "TZOFFSETFROM:" + utc_offset(from));
  put_line(out, "TZOFFSETTO:" + utc_offset(info.offset));
  if (!info.abbrev.empty()) put_line(out, "TZNAME:" + escape_text(info.abbrev));
  put_line(out, std::string("END:") + kind);
}

/// VTIMEZONE for [first year's 1 January, the year after the last year's 1 January) in UTC.
void put_timezone(std::string& out, const date::time_zone* zone, utc_time first, utc_time last) {
  const auto year_of = [](utc_time t) {
    return date::year_month_day{date::floor<date::days>(t)}.year();
  };
  const utc_time range_begin{date::sys_days{year_of(first) / date::January / 1}};
  const utc_time range_end{date::sys_days{(year_of(last) + date::years{1}) / date::January / 1}};
  const utc_time epoch{date::sys_days{date::year{1970} / date::January / 1}};

  put_line(out, "BEGIN:VTIMEZONE");
  put_line(out, "TZID:" + escape_text(zone->name()));
  date::sys_info info = zone->get_info(range_begin);
  if (info.begin < epoch) {
    // No change since before 1970 (or ever): one observance from 1970, offset unchanged.
    put_observance(out, info, info.offset, date::local_seconds{epoch.time_since_epoch()});
  } else {
    const date::sys_info before = zone->get_info(info.begin - std::chrono::seconds{1});
    put_observance(out, info, before.offset,
                   date::local_seconds{info.begin.time_since_epoch() + before.offset});
  }
  while (info.end < range_end) {
    const std::chrono::seconds from = info.offset;
    const utc_time change = info.end;
    info = zone->get_info(change);
    put_observance(out, info, from, date::local_seconds{change.time_since_epoch() + from});
  }
  put_line(out, "END:VTIMEZONE");
}

}  // namespace

std::string render_ics(const std::vector<ics_event>& events, const date::time_zone* zone,
                       utc_time stamp, std::string_view calendar_name) {
  assert(zone != nullptr);
  std::string out;
  put_line(out, "BEGIN:VCALENDAR");
  put_line(out, "VERSION:2.0");
  put_line(out, "PRODID:-//balint-trial//EN");
  put_line(out, "CALSCALE:GREGORIAN");
  put_line(out, "METHOD:PUBLISH");
  put_line(out, "X-WR-CALNAME:" + escape_text(calendar_name));
  put_line(out, "X-WR-TIMEZONE:" + escape_text(zone->name()));

  utc_time first = stamp;
  utc_time last = stamp;
  if (!events.empty()) {
    first = events.front().start;
    last = events.front().end;
    for (const auto& e : events) {
      first = std::min({first, e.start, e.end});
      last = std::max({last, e.start, e.end});
    }
  }
  put_timezone(out, zone, first, last);

  const std::string tzid = param_value(zone->name());
  for (const auto& e : events) {
    put_line(out, "BEGIN:VEVENT");
    put_line(out, "UID:" + escape_text(e.uid));
    put_line(out, "DTSTAMP:" + utc_stamp(stamp));
    put_line(out, "DTSTART;TZID=" + tzid + ":" + local_stamp(zone->to_local(e.start)));
    put_line(out, "DTEND;TZID=" + tzid + ":" + local_stamp(zone->to_local(e.end)));
    put_line(out, "SUMMARY:" + escape_text(e.summary));
    if (!e.description.empty()) put_line(out, "DESCRIPTION:" + escape_text(e.description));
    put_line(out, e.cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
    put_line(out, "END:VEVENT");
  }
  put_line(out, "END:VCALENDAR");
  return out;
}

}  // namespace balint::report
