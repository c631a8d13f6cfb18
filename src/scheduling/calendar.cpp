#include "balint/scheduling/calendar.hpp"

#include "balint/core/names.hpp"

#include <array>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>

namespace balint::scheduling {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

/// "YYYY-MM-DD", a real calendar date.
std::optional<date::year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = digits(text, 0, 4);
  const auto m = digits(text, 5, 2);
  const auto d = digits(text, 8, 2);
  if (!y || !m || !d) return std::nullopt;
  const date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*m)},
                                 date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

/// "HH:MM", 00:00..23:59, as the time since midnight.
std::optional<minutes> parse_clock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const auto h = digits(text, 0, 2);
  const auto m = digits(text, 3, 2);
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  return hours{*h} + minutes{*m};
}

constexpr std::array<std::string_view, 7> weekday_names = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

std::optional<date::weekday> parse_weekday(std::string_view text) {
  for (unsigned i = 0; i < weekday_names.size(); ++i) {
    if (weekday_names[i] == text) return date::weekday{i};
  }
  return std::nullopt;
}

std::string weekday_name(date::weekday wd) { return std::string(weekday_names[wd.c_encoding()]); }

std::string iso_date(date::sys_days d) { return date::format("%F", d); }

std::string clock_text(minutes m) { return date::format("%H:%M", m); }

/// The instant of a local wall time: a time in a daylight-saving gap is refused, a time in a
/// fold is taken at its earlier instant (choose::earliest).
core::result<utc_time> to_utc(date::local_seconds local, const date::time_zone* zone,
                              const std::string& field, const std::string& what) {
  const date::local_info info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    const auto day = date::floor<date::days>(local);
    const std::string day_text = date::format("%F", day);
    return core::invalid_input(
        field, what + " would be at " + date::format("%H:%M", local - day) + " on " + day_text +
                   ", a time that does not exist in " + zone->name() +
                   " because the clocks go forward that night; choose another time or add " +
                   day_text + " to the blackout dates");
  }
  // For an ambiguous time `first` is the interval before the change (the earlier instant).
  return utc_time{local.time_since_epoch() - info.first.offset};
}

core::result<slot> make_slot(slot_kind kind, int number, const std::string& cohort,
                             date::local_days day, minutes start, minutes end,
                             const date::time_zone* zone, const std::string& start_field,
                             const std::string& end_field) {
  const std::string what = std::string(kind == slot_kind::lecture ? "lecture " : "session slot ") +
                           std::to_string(number);
  auto s = to_utc(date::local_seconds{day} + start, zone, start_field, what + " start");
  if (!s) return std::move(s).error();
  auto e = to_utc(date::local_seconds{day} + end, zone, end_field, what + " end");
  if (!e) return std::move(e).error();
  if (*e <= *s) {
    return core::invalid_input(end_field, what + " on " + date::format("%F", day) +
                                              " would end at or before its start (" +
                                              clock_text(start) + "–" + clock_text(end) +
                                              " local time in " + zone->name() + ")");
  }
  return slot{kind, number, cohort, *s, *e};
}

constexpr std::array<core::enum_name<slot_kind>, 2> slot_kind_names{
    {{slot_kind::lecture, "lecture"}, {slot_kind::session, "session"}}};

constexpr std::array<core::enum_name<slot_status>, 3> slot_status_names{
    {{slot_status::planned, "planned"},
     {slot_status::held, "held"},
     {slot_status::cancelled, "cancelled"}}};

std::string two_digits(long long v) {
  std::string s = std::to_string(v);
  return s.size() < 2 ? "0" + s : s;
}

}  // namespace

std::string_view to_string(slot_kind kind) {
  return core::name_of<slot_kind>(slot_kind_names, kind, "session");
}

std::string_view to_string(slot_status status) {
  return core::name_of<slot_status>(slot_status_names, status, "planned");
}

core::result<std::vector<slot>> generate_programme(const trial::programme& p,
                                                   const std::string& cohort,
                                                   const date::time_zone* zone) {
  if (zone == nullptr) {
    return core::invalid_input("programme.time_zone",
                               "the programme's time zone \"" + p.time_zone +
                                   "\" is not known; use an IANA name such as Asia/Shanghai");
  }
  if (cohort != "intervention" && cohort != "waitlist") {
    return core::invalid_input(
        "cohort", "cohort \"" + cohort + "\" is not known; use intervention or waitlist");
  }
  const auto weekday = parse_weekday(p.session_weekday);
  if (!weekday) {
    return core::invalid_input("programme.session_weekday",
                               "session weekday \"" + p.session_weekday +
                                   "\" is not a day name; use monday, tuesday, ... sunday");
  }
  const auto session_start = parse_clock(p.session_start);
  if (!session_start) {
    return core::invalid_input("programme.session_start",
                               "session start \"" + p.session_start +
                                   "\" is not a time of day; use HH:MM, 00:00 to 23:59");
  }
  const auto session_end = parse_clock(p.session_end);
  if (!session_end) {
    return core::invalid_input(
        "programme.session_end",
        "session end \"" + p.session_end + "\" is not a time of day; use HH:MM, 00:00 to 23:59");
  }
  const auto first = parse_date(p.first_session_date);
  if (!first) {
    return core::invalid_input(
        "programme.first_session_date",
        "first session date \"" + p.first_session_date + "\" is not a date; use YYYY-MM-DD");
  }
  const date::sys_days first_day{*first};
  if (date::weekday{first_day} != *weekday) {
    return core::invalid_input("programme.first_session_date",
                               "first session date " + p.first_session_date + " is a " +
                                   weekday_name(date::weekday{first_day}) +
                                   ", but sessions are on " + p.session_weekday);
  }
  if (p.session_slots < 1) {
    return core::invalid_input("programme.session_slots",
                               "the programme has " + std::to_string(p.session_slots) +
                                   " session slots; at least 1 is needed");
  }
  std::set<date::sys_days> blackouts;
  for (std::size_t i = 0; i < p.blackout_dates.size(); ++i) {
    const auto d = parse_date(p.blackout_dates[i]);
    if (!d) {
      return core::invalid_input(
          "programme.blackout_dates[" + std::to_string(i) + "]",
          "blackout date \"" + p.blackout_dates[i] + "\" is not a date; use YYYY-MM-DD");
    }
    blackouts.insert(date::sys_days{*d});
  }

  std::vector<slot> slots;
  slots.reserve(p.lectures.size() + static_cast<std::size_t>(p.session_slots));
  for (std::size_t i = 0; i < p.lectures.size(); ++i) {
    const auto& l = p.lectures[i];
    const std::string field = "programme.lectures[" + std::to_string(i) + "]";
    const int number = static_cast<int>(i) + 1;
    const auto d = parse_date(l.date);
    if (!d) {
      return core::invalid_input(field + ".date", "lecture " + std::to_string(number) + " date \"" +
                                                      l.date + "\" is not a date; use YYYY-MM-DD");
    }
    const auto start = parse_clock(l.start);
    const auto end = parse_clock(l.end);
    if (!start || !end) {
      return core::invalid_input(field + (start ? ".end" : ".start"),
                                 "lecture " + std::to_string(number) + " time \"" +
                                     (start ? l.end : l.start) +
                                     "\" is not a time of day; use HH:MM, 00:00 to 23:59");
    }
    auto s = make_slot(slot_kind::lecture, number, cohort, date::local_days{*d}, *start, *end, zone,
                       field + ".start", field + ".end");
    if (!s) return std::move(s).error();
    slots.push_back(std::move(s).value());
  }

  // A blacked-out week does not use up a slot, so the loop runs until N sessions exist; it
  // ends because there are finitely many blackout dates.
  date::sys_days day = first_day;
  for (int number = 1; number <= p.session_slots; day += date::weeks{1}) {
    if (blackouts.count(day) != 0) continue;
    auto s = make_slot(slot_kind::session, number, cohort, date::local_days{day.time_since_epoch()},
                       *session_start, *session_end, zone, "programme.session_start",
                       "programme.session_end");
    if (!s) return std::move(s).error();
    slots.push_back(std::move(s).value());
    ++number;
  }
  return slots;
}

trial::programme shift_programme(const trial::programme& p, const std::string& first_session_date) {
  trial::programme moved = p;
  moved.first_session_date = first_session_date;
  const auto from = parse_date(p.first_session_date);
  const auto to = parse_date(first_session_date);
  if (!from || !to) return moved;
  const date::days offset = date::sys_days{*to} - date::sys_days{*from};
  for (auto& l : moved.lectures) {
    if (const auto d = parse_date(l.date)) l.date = iso_date(date::sys_days{*d} + offset);
  }
  return moved;
}

std::string local_iso(utc_time t, const date::time_zone* zone) {
  assert(zone != nullptr);
  const date::sys_info info = zone->get_info(t);
  const auto local = date::local_seconds{t.time_since_epoch() + info.offset};
  const long long off = info.offset.count();
  const long long magnitude = off < 0 ? -off : off;
  return date::format("%Y-%m-%dT%H:%M:%S", local) + (off < 0 ? "-" : "+") +
         two_digits(magnitude / 3600) + ":" + two_digits((magnitude % 3600) / 60);
}

std::string utc_iso(utc_time t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

std::optional<utc_time> parse_utc_iso(std::string_view text) {
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z') {
    return std::nullopt;
  }
  const auto day = parse_date(text.substr(0, 10));
  const auto h = digits(text, 11, 2);
  const auto m = digits(text, 14, 2);
  const auto s = digits(text, 17, 2);
  if (!day || !h || !m || !s || *h > 23 || *m > 59 || *s > 59) return std::nullopt;
  return utc_time{date::sys_days{*day}} + hours{*h} + minutes{*m} + seconds{*s};
}

std::string availability_category(utc_time start, const date::time_zone* zone) {
  assert(zone != nullptr);
  const auto local = zone->to_local(start);
  const auto day = date::floor<date::days>(local);
  const date::weekday wd{day};
  if (wd == date::Saturday || wd == date::Sunday) return "weekend";
  const auto since_midnight = date::floor<minutes>(local - day);
  if (since_midnight >= hours{11} && since_midnight < hours{14}) return "workday-noon";
  if (since_midnight >= hours{17}) return "workday-evening";
  return "";
}

}  // namespace balint::scheduling
