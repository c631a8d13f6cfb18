// render_ics(events, zone, stamp, name) -> RFC 5545 text. The tests parse it back with a small
// reader written here (unfold, split name / parameters / value, unescape), check the component
// nesting and the required properties, and turn each local DTSTART/DTEND back into UTC with the
// document's own VTIMEZONE offsets (and with date-tz) to compare with the original instants.

#include "balint/report/ics.hpp"

#include "balint/scheduling/calendar.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sch = balint::scheduling;
using balint::report::ics_event;
using balint::report::render_ics;
using sch::utc_time;

namespace {

struct property {
  std::string name;
  std::map<std::string, std::string> params;
  std::string value;
};

struct component {
  std::string name;
  std::vector<property> properties;
  std::vector<component> children;

  const property* find(std::string_view n) const {
    for (const auto& p : properties) {
      if (p.name == n) return &p;
    }
    return nullptr;
  }
  std::size_t count(std::string_view n) const {
    return static_cast<std::size_t>(std::count_if(properties.begin(), properties.end(),
                                                  [&](const property& p) { return p.name == n; }));
  }
};

/// Splits on CRLF, checking line ends and the 75-octet limit, then unfolds.
std::vector<std::string> unfold(const std::string& text) {
  REQUIRE(text.size() >= 2);
  CHECK(text.substr(text.size() - 2) == "\r\n");
  std::vector<std::string> physical;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find("\r\n", pos);
    REQUIRE(end != std::string::npos);
    const std::string line = text.substr(pos, end - pos);
    CHECK_MESSAGE(line.find_first_of("\r\n") == std::string::npos, line);
    CHECK_MESSAGE(line.size() <= 75, line);
    physical.push_back(line);
    pos = end + 2;
  }
  std::vector<std::string> logical;
  for (const auto& line : physical) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      REQUIRE_FALSE(logical.empty());
      // A fold never splits a UTF-8 character: the continuation does not start mid-sequence.
      CHECK((line.size() < 2 || (static_cast<unsigned char>(line[1]) & 0xC0) != 0x80));
      logical.back() += line.substr(1);
    } else {
      logical.push_back(line);
    }
  }
  return logical;
}

property parse_line(const std::string& line) {
  property p;
  std::size_t i = 0;
  while (i < line.size() && line[i] != ';' && line[i] != ':') p.name += line[i++];
  while (i < line.size() && line[i] == ';') {
    ++i;
    std::string key;
    while (i < line.size() && line[i] != '=') key += line[i++];
    REQUIRE(i < line.size());
    ++i;
    std::string value;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (i < line.size() && line[i] != '"') value += line[i++];
      ++i;
    } else {
      while (i < line.size() && line[i] != ';' && line[i] != ':') value += line[i++];
    }
    p.params[key] = value;
  }
  REQUIRE_MESSAGE(i < line.size(), line);
  REQUIRE(line[i] == ':');
  p.value = line.substr(i + 1);
  return p;
}

/// Parses the document into its component tree, checking BEGIN/END nesting.
component parse_ics(const std::string& text) {
  std::vector<component> stack;
  std::optional<component> root;
  for (const auto& line : unfold(text)) {
    const property p = parse_line(line);
    if (p.name == "BEGIN") {
      stack.push_back(component{p.value, {}, {}});
    } else if (p.name == "END") {
      REQUIRE_FALSE(stack.empty());
      REQUIRE(stack.back().name == p.value);
      component done = std::move(stack.back());
      stack.pop_back();
      if (stack.empty()) {
        REQUIRE_FALSE(root.has_value());
        root = std::move(done);
      } else {
        stack.back().children.push_back(std::move(done));
      }
    } else {
      REQUIRE_FALSE(stack.empty());
      stack.back().properties.push_back(p);
    }
  }
  REQUIRE(stack.empty());
  REQUIRE(root.has_value());
  return *root;
}

std::string unescape(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      const char c = v[++i];
      out += (c == 'n' || c == 'N') ? '\n' : c;
    } else {
      out += v[i];
    }
  }
  return out;
}

int number(std::string_view s, std::size_t pos, std::size_t len) {
  int v = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    REQUIRE((s[i] >= '0' && s[i] <= '9'));
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/// "YYYYMMDDTHHMMSS" as a local time.
date::local_seconds parse_local(std::string_view s) {
  REQUIRE(s.size() == 15);
  REQUIRE(s[8] == 'T');
  const date::year_month_day ymd{date::year{number(s, 0, 4)},
                                 date::month{static_cast<unsigned>(number(s, 4, 2))},
                                 date::day{static_cast<unsigned>(number(s, 6, 2))}};
  REQUIRE(ymd.ok());
  return date::local_days{ymd} + std::chrono::hours{number(s, 9, 2)} +
         std::chrono::minutes{number(s, 11, 2)} + std::chrono::seconds{number(s, 13, 2)};
}

/// "+0800" / "-0130" / "+053000".
std::chrono::seconds parse_offset(std::string_view s) {
  REQUIRE((s.size() == 5 || s.size() == 7));
  REQUIRE((s[0] == '+' || s[0] == '-'));
  std::chrono::seconds v = std::chrono::hours{number(s, 1, 2)} +
                           std::chrono::minutes{number(s, 3, 2)} +
                           std::chrono::seconds{s.size() == 7 ? number(s, 5, 2) : 0};
  return s[0] == '-' ? -v : v;
}

struct observance {
  utc_time onset;  // UTC
  std::chrono::seconds to;
};

std::vector<observance> observances(const component& vtimezone) {
  std::vector<observance> out;
  for (const auto& c : vtimezone.children) {
    REQUIRE((c.name == "STANDARD" || c.name == "DAYLIGHT"));
    REQUIRE(c.find("DTSTART") != nullptr);
    REQUIRE(c.find("TZOFFSETFROM") != nullptr);
    REQUIRE(c.find("TZOFFSETTO") != nullptr);
    const auto local = parse_local(c.find("DTSTART")->value);
    const auto from = parse_offset(c.find("TZOFFSETFROM")->value);
    out.push_back(
        {utc_time{local.time_since_epoch() - from}, parse_offset(c.find("TZOFFSETTO")->value)});
  }
  REQUIRE_FALSE(out.empty());
  std::sort(out.begin(), out.end(),
            [](const observance& a, const observance& b) { return a.onset < b.onset; });
  return out;
}

/// The UTC instant of a local time by the VTIMEZONE's observances; the earlier of two in a fold
/// (RFC 5545 §3.3.5 takes the first occurrence).
std::optional<utc_time> to_utc(const std::vector<observance>& obs, date::local_seconds local) {
  std::optional<utc_time> best;
  for (std::size_t k = 0; k < obs.size(); ++k) {
    const utc_time u{local.time_since_epoch() - obs[k].to};
    const bool after_onset = u >= obs[k].onset;
    const bool before_next = k + 1 == obs.size() || u < obs[k + 1].onset;
    if (after_onset && before_next && (!best || u < *best)) best = u;
  }
  return best;
}

utc_time utc(std::string_view iso) {
  const auto t = sch::parse_utc_iso(iso);
  REQUIRE(t.has_value());
  return *t;
}

/// Renders, parses back and checks every rule; returns the parsed calendar.
component round_trip(const std::vector<ics_event>& events, const date::time_zone* zone,
                     utc_time stamp) {
  const std::string text = render_ics(events, zone, stamp, "Balint sessions");
  const component cal = parse_ics(text);
  CHECK(cal.name == "VCALENDAR");
  REQUIRE(cal.find("VERSION") != nullptr);
  CHECK(cal.find("VERSION")->value == "2.0");
  REQUIRE(cal.find("PRODID") != nullptr);
  CHECK(cal.find("PRODID")->value == "-//balint-trial//EN");

  const component* vtimezone = nullptr;
  std::vector<const component*> vevents;
  for (const auto& c : cal.children) {
    if (c.name == "VTIMEZONE") vtimezone = &c;
    if (c.name == "VEVENT") vevents.push_back(&c);
  }
  REQUIRE(vtimezone != nullptr);
  REQUIRE(vtimezone->find("TZID") != nullptr);
  CHECK(vtimezone->find("TZID")->value == zone->name());
  const auto obs = observances(*vtimezone);
  REQUIRE(vevents.size() == events.size());

  for (std::size_t i = 0; i < events.size(); ++i) {
    CAPTURE(i);
    const component& ev = *vevents[i];
    const ics_event& want = events[i];
    for (const char* name : {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS"}) {
      CAPTURE(name);
      CHECK(ev.count(name) == 1);
    }
    CHECK(unescape(ev.find("UID")->value) == want.uid);
    const std::string stamp_text = ev.find("DTSTAMP")->value;
    CHECK(stamp_text.back() == 'Z');
    CHECK(stamp_text == date::format("%Y%m%dT%H%M%SZ", stamp));
    CHECK(unescape(ev.find("SUMMARY")->value) == want.summary);
    if (!want.description.empty()) {
      REQUIRE(ev.find("DESCRIPTION") != nullptr);
      CHECK(unescape(ev.find("DESCRIPTION")->value) == want.description);
    }
    CHECK(ev.find("STATUS")->value == (want.cancelled ? "CANCELLED" : "CONFIRMED"));
    for (const auto& [name, instant] :
         {std::pair<const char*, utc_time>{"DTSTART", want.start}, {"DTEND", want.end}}) {
      CAPTURE(name);
      const property* p = ev.find(name);
      REQUIRE(p->params.count("TZID") == 1);
      CHECK(p->params.at("TZID") == zone->name());
      CHECK(p->value.back() != 'Z');
      const auto local = parse_local(p->value);
      const auto by_vtimezone = to_utc(obs, local);
      REQUIRE(by_vtimezone.has_value());
      CHECK(sch::utc_iso(*by_vtimezone) == sch::utc_iso(instant));
      CHECK(sch::utc_iso(zone->to_sys(local, date::choose::earliest)) == sch::utc_iso(instant));
    }
  }
  return cal;
}

std::vector<ics_event> events_of(const std::vector<sch::slot>& slots) {
  std::vector<ics_event> out;
  for (const auto& s : slots) {
    const std::string kind(sch::to_string(s.kind));
    out.push_back(
        {"balint-" + s.cohort + "-" + kind + "-" + std::to_string(s.number) + "@balint-trial",
         "Balint " + kind + " " + std::to_string(s.number), "Cohort: " + s.cohort, s.start, s.end,
         false});
  }
  return out;
}

balint::trial::programme weekly(std::string zone, std::string first, int slots) {
  balint::trial::programme p;
  p.time_zone = std::move(zone);
  p.lectures = {{"2016-10-12", "17:30", "18:30"}};
  p.session_weekday = "wednesday";
  p.session_start = "17:30";
  p.session_end = "18:30";
  p.first_session_date = std::move(first);
  p.session_slots = slots;
  return p;
}

}  // namespace

TEST_SUITE("scheduling") {
  TEST_CASE("an Asia/Shanghai calendar parses back to the same UTC instants") {
    const auto* zone = date::locate_zone("Asia/Shanghai");
    auto p = weekly("Asia/Shanghai", "2016-10-26", 20);
    p.blackout_dates = {"2017-02-01"};
    const auto slots = sch::generate_programme(p, "intervention", zone);
    REQUIRE(slots.has_value());
    round_trip(events_of(*slots), zone, utc("2016-10-01T08:00:00Z"));
    const std::string text = render_ics(events_of(*slots), zone, utc("2016-10-01T08:00:00Z"), "x");
    CHECK(text.find("DTSTART;TZID=Asia/Shanghai:20161026T173000\r\n") != std::string::npos);
    CHECK(text.find("TZOFFSETTO:+0800\r\n") != std::string::npos);
  }

  TEST_CASE("a Europe/Berlin calendar across the October change parses back to UTC") {
    const auto* zone = date::locate_zone("Europe/Berlin");
    const auto slots =
        sch::generate_programme(weekly("Europe/Berlin", "2016-10-19", 24), "intervention", zone);
    REQUIRE(slots.has_value());
    auto events = events_of(*slots);
    // An event in the autumn fold, at its earlier instant (02:30 CEST).
    events.push_back({"fold@balint-trial", "fold", "", utc("2016-10-30T00:30:00Z"),
                      utc("2016-10-30T02:30:00Z")});
    const auto cal = round_trip(events, zone, utc("2016-10-01T08:00:00Z"));
    const std::string text = render_ics(events, zone, utc("2016-10-01T08:00:00Z"), "x");
    CHECK(text.find("DTSTART;TZID=Europe/Berlin:20161026T173000\r\n") != std::string::npos);
    CHECK(text.find("DTSTART;TZID=Europe/Berlin:20161102T173000\r\n") != std::string::npos);
    // The October 2016 and March 2017 changes are both described.
    int standard = 0;
    int daylight = 0;
    bool october = false;
    for (const auto& c : cal.children) {
      if (c.name != "VTIMEZONE") continue;
      for (const auto& o : c.children) {
        (o.name == "STANDARD" ? standard : daylight) += 1;
        if (o.find("DTSTART")->value == "20161030T030000") {
          october = true;
          CHECK(o.name == "STANDARD");
          CHECK(o.find("TZOFFSETFROM")->value == "+0200");
          CHECK(o.find("TZOFFSETTO")->value == "+0100");
        }
      }
    }
    CHECK(october);
    CHECK(standard >= 2);
    CHECK(daylight >= 1);
  }

  TEST_CASE("text is escaped, long lines are folded at 75 octets and cancelled events say so") {
    const auto* zone = date::locate_zone("Asia/Shanghai");
    std::string long_text = "Leaders: Dr. Wang; Dr. Li, backslash \\ and a second line\nroom 3. ";
    for (int i = 0; i < 12; ++i) long_text += "巴林特小组会议 ";
    const std::vector<ics_event> events = {
        {"s1@balint-trial", "Session 1; room A, floor 2", long_text, utc("2016-10-26T09:30:00Z"),
         utc("2016-10-26T10:30:00Z"), true},
        {"s2@balint-trial", "Session 2", "", utc("2016-11-02T09:30:00Z"),
         utc("2016-11-02T10:30:00Z"), false}};
    const auto cal = round_trip(events, zone, utc("2016-10-20T00:00:00Z"));
    const std::string text = render_ics(events, zone, utc("2016-10-20T00:00:00Z"), "Ward 5; 2016");
    CHECK(text.find("SUMMARY:Session 1\\; room A\\, floor 2\r\n") != std::string::npos);
    CHECK(text.find("\r\n ") != std::string::npos);  // something was folded
    CHECK(text.find("STATUS:CANCELLED\r\n") != std::string::npos);
    CHECK(text.find("X-WR-CALNAME:Ward 5\\; 2016\r\n") != std::string::npos);
    CHECK(text.find("DTSTAMP:20161020T000000Z\r\n") != std::string::npos);
  }

  TEST_CASE("a calendar with no events still has a time zone") {
    const auto* zone = date::locate_zone("Europe/Berlin");
    const auto cal = round_trip({}, zone, utc("2016-10-20T00:00:00Z"));
    CHECK(std::count_if(cal.children.begin(), cal.children.end(),
                        [](const component& c) { return c.name == "VTIMEZONE"; }) == 1);
  }
}
