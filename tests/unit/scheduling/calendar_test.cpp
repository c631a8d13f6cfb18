// generate_programme(programme, cohort, zone) -> result<vector<slot>>: lectures as given, then
// session_slots weekly sessions skipping blackout dates; local wall times become UTC instants
// (a DST gap is refused, a fold takes the earlier instant). shift_programme moves a programme
// for the waitlist; local_iso / utc_iso / parse_utc_iso format instants; availability_category
// classifies a slot's local start.

#include "balint/scheduling/calendar.hpp"

#include "balint/core/json.hpp"
#include "balint/resources/resources.hpp"
#include "balint/trial/trial_definition.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace sch = balint::scheduling;
using sch::slot_kind;
using sch::utc_time;

namespace {

balint::core::json load(std::string_view path) {
  const auto text = balint::resources::find(path);
  REQUIRE_MESSAGE(text.has_value(), std::string(path));
  auto parsed = balint::core::parse_json(*text);
  REQUIRE_MESSAGE(parsed.has_value(), std::string(path));
  return std::move(parsed).value();
}

balint::trial::programme tongji_programme() {
  auto def = balint::trial::parse_trial_definition(load("schemas/trials/tongji-2020.json"),
                                                   load("schemas/trial.schema.json"));
  REQUIRE_MESSAGE(def.has_value(), (def ? "" : def.error().message));
  return def->programme;
}

/// Wednesday sessions 17:30–18:30 in Europe/Berlin from 2016-10-19, across the October change.
balint::trial::programme berlin_programme() {
  balint::trial::programme p;
  p.time_zone = "Europe/Berlin";
  p.lectures = {{"2016-10-05", "17:30", "18:30"}, {"2016-10-12", "17:30", "18:30"}};
  p.session_weekday = "wednesday";
  p.session_start = "17:30";
  p.session_end = "18:30";
  p.first_session_date = "2016-10-19";
  p.session_slots = 4;
  p.capacity_min = 8;
  p.capacity_max = 12;
  p.required_sessions = 2;
  return p;
}

/// Sessions on Sunday nights 02:30–03:30 in Europe/Berlin from `first_session`, no lectures:
/// the hour the clocks skip in spring and repeat in autumn.
balint::trial::programme berlin_sunday_night(std::string first_session) {
  auto p = berlin_programme();
  p.session_weekday = "sunday";
  p.session_start = "02:30";
  p.session_end = "03:30";
  p.first_session_date = std::move(first_session);
  p.lectures.clear();
  return p;
}

utc_time utc(std::string_view iso) {
  const auto t = sch::parse_utc_iso(iso);
  REQUIRE_MESSAGE(t.has_value(), std::string(iso));
  return *t;
}

std::vector<sch::slot> of_kind(const std::vector<sch::slot>& all, slot_kind kind) {
  std::vector<sch::slot> out;
  for (const auto& s : all) {
    if (s.kind == kind) out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_SUITE("scheduling") {
  TEST_CASE("kinds and statuses have their JSON spellings") {
    CHECK(sch::to_string(slot_kind::lecture) == "lecture");
    CHECK(sch::to_string(slot_kind::session) == "session");
    CHECK(sch::to_string(sch::slot_status::planned) == "planned");
    CHECK(sch::to_string(sch::slot_status::held) == "held");
    CHECK(sch::to_string(sch::slot_status::cancelled) == "cancelled");
  }

  TEST_CASE("the default Tongji programme has 2 lectures and 20 Wednesday sessions at 09:30 UTC") {
    const auto p = tongji_programme();
    const auto* zone = date::locate_zone("Asia/Shanghai");
    const auto generated = sch::generate_programme(p, "intervention", zone);
    REQUIRE_MESSAGE(generated.has_value(), (generated ? "" : generated.error().message));
    const auto lectures = of_kind(*generated, slot_kind::lecture);
    const auto sessions = of_kind(*generated, slot_kind::session);
    REQUIRE(lectures.size() == 2);
    REQUIRE(sessions.size() == 20);
    CHECK(lectures[0].number == 1);
    CHECK(lectures[1].number == 2);
    CHECK(sch::utc_iso(lectures[0].start) == "2016-10-12T09:30:00Z");
    CHECK(sch::local_iso(lectures[0].start, zone) == "2016-10-12T17:30:00+08:00");

    const auto blackout = date::sys_days{date::year{2017} / date::February / 1};
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      const auto& s = sessions[i];
      CAPTURE(i);
      CHECK(s.number == static_cast<int>(i) + 1);
      CHECK(s.cohort == "intervention");
      const auto day = date::floor<date::days>(s.start);
      CHECK(date::weekday{day} == date::Wednesday);
      CHECK(s.start - day == std::chrono::hours{9} + std::chrono::minutes{30});
      CHECK(s.end - s.start == std::chrono::hours{1});
      CHECK(day != blackout);
      CHECK(sch::availability_category(s.start, zone) == "workday-evening");
    }
    CHECK(sch::utc_iso(sessions.front().start) == "2016-10-26T09:30:00Z");
    CHECK(sch::local_iso(sessions.front().start, zone) == "2016-10-26T17:30:00+08:00");
    // The blackout week does not use up a slot: 2017-01-25 is followed by 2017-02-08.
    bool skipped = false;
    for (std::size_t i = 1; i < sessions.size(); ++i) {
      const auto gap = sessions[i].start - sessions[i - 1].start;
      if (gap != date::days{7}) {
        CHECK(gap == date::days{14});
        CHECK(sch::utc_iso(sessions[i - 1].start) == "2017-01-25T09:30:00Z");
        CHECK(sch::utc_iso(sessions[i].start) == "2017-02-08T09:30:00Z");
        skipped = true;
      }
    }
    CHECK(skipped);
    CHECK(sch::utc_iso(sessions.back().start) == "2017-03-15T09:30:00Z");
  }

  TEST_CASE("Europe/Berlin sessions keep 17:30 local time across the October change") {
    const auto* zone = date::locate_zone("Europe/Berlin");
    const auto generated = sch::generate_programme(berlin_programme(), "intervention", zone);
    REQUIRE_MESSAGE(generated.has_value(), (generated ? "" : generated.error().message));
    const auto sessions = of_kind(*generated, slot_kind::session);
    REQUIRE(sessions.size() == 4);
    CHECK(sch::utc_iso(sessions[0].start) == "2016-10-19T15:30:00Z");
    CHECK(sch::utc_iso(sessions[1].start) == "2016-10-26T15:30:00Z");
    CHECK(sch::utc_iso(sessions[2].start) == "2016-11-02T16:30:00Z");
    CHECK(sch::utc_iso(sessions[3].start) == "2016-11-09T16:30:00Z");
    CHECK(sch::local_iso(sessions[1].start, zone) == "2016-10-26T17:30:00+02:00");
    CHECK(sch::local_iso(sessions[2].start, zone) == "2016-11-02T17:30:00+01:00");
    CHECK(sch::local_iso(sessions[2].end, zone) == "2016-11-02T18:30:00+01:00");
    for (const auto& s : sessions) CHECK(s.end - s.start == std::chrono::hours{1});
  }

  TEST_CASE("a session start in the spring daylight-saving gap is refused") {
    auto p = berlin_sunday_night("2017-03-19");
    const auto generated =
        sch::generate_programme(p, "intervention", date::locate_zone("Europe/Berlin"));
    REQUIRE_FALSE(generated.has_value());
    CHECK(generated.error().code == balint::core::error_code::invalid_input);
    CHECK(generated.error().field == "programme.session_start");
    const auto& message = generated.error().message;
    CHECK(message.find("session slot 2") != std::string::npos);
    CHECK(message.find("02:30") != std::string::npos);
    CHECK(message.find("2017-03-26") != std::string::npos);
    CHECK(message.find("Europe/Berlin") != std::string::npos);
  }

  TEST_CASE("an ambiguous local time in the autumn fold takes the earlier instant") {
    auto p = berlin_sunday_night("2016-10-30");
    p.session_slots = 1;
    const auto* zone = date::locate_zone("Europe/Berlin");
    const auto generated = sch::generate_programme(p, "intervention", zone);
    REQUIRE_MESSAGE(generated.has_value(), (generated ? "" : generated.error().message));
    REQUIRE(generated->size() == 1);
    CHECK(sch::utc_iso(generated->front().start) == "2016-10-30T00:30:00Z");
    CHECK(sch::local_iso(generated->front().start, zone) == "2016-10-30T02:30:00+02:00");
    CHECK(sch::utc_iso(generated->front().end) == "2016-10-30T02:30:00Z");
  }

  TEST_CASE("malformed programmes are refused naming the field") {
    const auto* zone = date::locate_zone("Asia/Shanghai");
    auto p = tongji_programme();
    SUBCASE("first session not on the session weekday") {
      p.first_session_date = "2016-10-27";
      const auto g = sch::generate_programme(p, "intervention", zone);
      REQUIRE_FALSE(g.has_value());
      CHECK(g.error().field == "programme.first_session_date");
      CHECK(g.error().message.find("thursday") != std::string::npos);
    }
    SUBCASE("a time that is not HH:MM") {
      p.session_start = "5:30pm";
      const auto g = sch::generate_programme(p, "intervention", zone);
      REQUIRE_FALSE(g.has_value());
      CHECK(g.error().field == "programme.session_start");
    }
    SUBCASE("an unknown cohort") {
      const auto g = sch::generate_programme(p, "control", zone);
      REQUIRE_FALSE(g.has_value());
      CHECK(g.error().field == "cohort");
    }
    SUBCASE("no time zone") {
      const auto g = sch::generate_programme(p, "intervention", nullptr);
      REQUIRE_FALSE(g.has_value());
      CHECK(g.error().field == "programme.time_zone");
    }
  }

  TEST_CASE("the waitlist programme is the same programme moved to a later first session") {
    const auto p = tongji_programme();
    const auto moved = sch::shift_programme(p, "2017-06-07");
    CHECK(moved.first_session_date == "2017-06-07");
    REQUIRE(moved.lectures.size() == 2);
    CHECK(moved.lectures[0].date == "2017-05-24");
    CHECK(moved.lectures[1].date == "2017-05-31");
    CHECK(moved.blackout_dates == p.blackout_dates);
    const auto* zone = date::locate_zone("Asia/Shanghai");
    const auto generated = sch::generate_programme(moved, "waitlist", zone);
    REQUIRE_MESSAGE(generated.has_value(), (generated ? "" : generated.error().message));
    const auto sessions = of_kind(*generated, slot_kind::session);
    REQUIRE(sessions.size() == 20);
    CHECK(sessions.front().cohort == "waitlist");
    CHECK(sch::local_iso(sessions.front().start, zone) == "2017-06-07T17:30:00+08:00");
  }

  TEST_CASE("availability categories follow the slot's local weekday and start time") {
    const auto* shanghai = date::locate_zone("Asia/Shanghai");
    // 2016-10-26 is a Wednesday; Shanghai is UTC+8.
    CHECK(sch::availability_category(utc("2016-10-26T09:30:00Z"), shanghai) == "workday-evening");
    CHECK(sch::availability_category(utc("2016-10-26T04:00:00Z"), shanghai) == "workday-noon");
    CHECK(sch::availability_category(utc("2016-10-26T03:00:00Z"), shanghai) == "workday-noon");
    CHECK(sch::availability_category(utc("2016-10-26T05:59:00Z"), shanghai) == "workday-noon");
    CHECK(sch::availability_category(utc("2016-10-26T06:00:00Z"), shanghai).empty());
    CHECK(sch::availability_category(utc("2016-10-26T01:00:00Z"), shanghai).empty());
    CHECK(sch::availability_category(utc("2016-10-26T09:00:00Z"), shanghai) == "workday-evening");
    // Saturday 2016-10-29 10:00 local, and a UTC Friday that is already Saturday in Shanghai.
    CHECK(sch::availability_category(utc("2016-10-29T02:00:00Z"), shanghai) == "weekend");
    CHECK(sch::availability_category(utc("2016-10-28T17:00:00Z"), shanghai) == "weekend");
    CHECK(sch::availability_category(utc("2016-10-30T10:00:00Z"), shanghai) == "weekend");
  }

  TEST_CASE("utc_iso round-trips through parse_utc_iso and malformed text is refused") {
    const utc_time t = date::sys_days{date::year{2016} / date::October / 26} +
                       std::chrono::hours{9} + std::chrono::minutes{30} + std::chrono::seconds{5};
    CHECK(sch::utc_iso(t) == "2016-10-26T09:30:05Z");
    REQUIRE(sch::parse_utc_iso(sch::utc_iso(t)).has_value());
    CHECK(*sch::parse_utc_iso(sch::utc_iso(t)) == t);
    CHECK_FALSE(sch::parse_utc_iso("2016-10-26T09:30:05").has_value());
    CHECK_FALSE(sch::parse_utc_iso("2016-10-26 09:30:05Z").has_value());
    CHECK_FALSE(sch::parse_utc_iso("2016-02-30T09:30:05Z").has_value());
    CHECK_FALSE(sch::parse_utc_iso("2016-10-26T24:00:00Z").has_value());
    CHECK_FALSE(sch::parse_utc_iso("2016-1O-26T09:30:05Z").has_value());
    CHECK_FALSE(sch::parse_utc_iso("").has_value());
  }
}
