#include "balint/attendance/progress.hpp"

#include <doctest/doctest.h>

using namespace balint::attendance;

namespace {

/// Participant T01 of the session's cohort, at a session that has started.
mark_context started_session() {
  mark_context c;
  c.participant = "T01";
  c.session_started = true;
  c.participant_in_cohort = true;
  return c;
}

}  // namespace

TEST_SUITE("attendance") {
  TEST_CASE("progress status follows attended, required and the slots still possible") {
    CHECK(assess("T01", 10, 10, 0).status == progress_status::completed);
    CHECK(assess("T01", 11, 10, 3).status == progress_status::completed);
    CHECK(assess("T01", 4, 10, 9).status == progress_status::on_track);
    CHECK(assess("T01", 4, 10, 6).status == progress_status::at_risk);
    CHECK(assess("T01", 4, 10, 5).status == progress_status::cannot_complete);
    CHECK(to_string(progress_status::cannot_complete) == "cannot-complete");
    CHECK(to_string(progress_status::on_track) == "on-track");
  }

  TEST_CASE("marks parse from their names and refuse anything else") {
    CHECK(parse_mark("excused").value() == mark::excused);
    const auto bad = parse_mark("late");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().field == "status");
    CHECK(bad.error().message.find("present, absent or excused") != std::string::npos);
  }

  TEST_CASE("a mark is refused for a future, cancelled or foreign session") {
    mark_context c;
    c.session = 3;
    c.participant = "T01";
    c.participant_in_cohort = true;
    c.session_started = false;
    auto r = check_mark(c, mark::present);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("has not taken place yet") != std::string::npos);
    c.session_started = true;
    c.session_cancelled = true;
    CHECK_FALSE(check_mark(c, mark::present).has_value());
    c.session_cancelled = false;
    c.participant_in_cohort = false;
    r = check_mark(c, mark::present);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "participant");
    c.participant_in_cohort = true;
    c.withdrawn = true;
    CHECK_FALSE(check_mark(c, mark::absent).has_value());
  }

  TEST_CASE("a session never holds more than the maximum present") {
    auto c = started_session();
    c.present_others = 12;
    c.capacity_max = 12;
    CHECK_FALSE(check_mark(c, mark::present).has_value());
    CHECK(check_mark(c, mark::absent).has_value());
    c.present_others = 11;
    CHECK(check_mark(c, mark::present).has_value());
  }

  TEST_CASE("changing a recorded mark needs a reason, and the same mark again is refused") {
    auto c = started_session();
    c.existing = mark::absent;
    auto r = check_mark(c, mark::present);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "reason");
    c.has_reason = true;
    CHECK(check_mark(c, mark::present).has_value());
    CHECK_FALSE(check_mark(c, mark::absent).has_value());
  }
}
