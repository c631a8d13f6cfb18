// scheduling::programme: one cohort's session slots with their rosters and leaders, the
// cohort's participants with their stated availability, and the trial's limits. It owns the
// rules of planning, moving a participant (checked by the planner's check_assignment),
// cancelling a session and assigning a leader; refusals name the field, the value and what is
// allowed. Pure: no database, no clock, no time zone.

#include "balint/scheduling/programme.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using balint::core::error_code;
using balint::scheduling::programme;
using balint::scheduling::programme_limits;
using balint::scheduling::programme_member;
using balint::scheduling::programme_session;
using balint::scheduling::utc_time;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string code(int i) { return (i < 9 ? "P0" : "P") + std::to_string(i + 1); }

utc_time day(int d) { return utc_time{std::chrono::seconds{86400LL * d}}; }

/// 4 sessions (numbers 1-4) on days 10, 20, 30, 40: 1-3 workday-evening, 4 weekend. 20
/// members P01..P20 available on workday evenings; P20 also at weekends. Limits: 2 of 4
/// required, 8-12 per session, at most 2 leaders. Rosters: session 1 P01-P10, session 2
/// P11-P20, session 3 P01-P10, session 4 P11-P20.
programme sample() {
  programme_limits limits{2, 8, 12, 2};
  std::vector<programme_session> sessions;
  for (int n = 1; n <= 4; ++n) {
    programme_session s;
    s.number = n;
    s.start = day(10 * n);
    s.availability = n == 4 ? "weekend" : "workday-evening";
    const int first = n % 2 == 1 ? 0 : 10;
    for (int i = first; i < first + 10; ++i) s.roster.push_back(code(i));
    sessions.push_back(std::move(s));
  }
  std::vector<programme_member> members;
  for (int i = 0; i < 20; ++i) {
    programme_member m{code(i), {"workday-evening"}, false};
    if (i == 19) m.available.push_back("weekend");
    members.push_back(std::move(m));
  }
  return programme("intervention", limits, std::move(sessions), std::move(members));
}

}  // namespace

TEST_SUITE("scheduling::programme") {
  TEST_CASE("a move within the rules changes both rosters") {
    auto p = sample();
    REQUIRE(p.check_move("P01", 1, 2));
    REQUIRE(p.move("P01", 1, 2));
    CHECK(p.session(1)->roster.size() == 9);
    CHECK(p.session(2)->roster.size() == 11);
    CHECK(p.session(2)->roster.back() == "P01");
  }

  TEST_CASE("a move to a session the participant is not available for is refused") {
    auto p = sample();
    // P01 said workday evenings only; session 4 is at the weekend.
    const auto weekend = p.check_move("P01", 1, 4);
    REQUIRE(!weekend);
    CHECK(weekend.error().code == error_code::invalid_input);
    CHECK(weekend.error().field == "to");
    CHECK(contains(weekend.error().message, "participant P01 is not available for session slot 4"));
    CHECK(contains(weekend.error().message, "weekend"));
    CHECK(contains(weekend.error().message, "their stated availability: workday-evening"));
    CHECK(p.session(1)->roster.size() == 10);  // nothing changed
  }

  TEST_CASE("a move that leaves the session below the minimum is refused, none is allowed") {
    auto p = sample();
    REQUIRE(p.move("P01", 1, 2));              // 1: 9, 2: 11
    REQUIRE(p.move("P12", 2, 3));              // 2: 10, 3: 11
    REQUIRE(p.move("P02", 1, 2));              // 1: 8, 2: 11
    const auto r = p.check_move("P03", 1, 2);  // session 1 would keep 7
    REQUIRE(!r);
    CHECK(r.error().field == "from");
    CHECK(contains(r.error().message,
                   "session slot 1 has 7 participants, fewer than the minimum of 8"));

    // A session left with nobody is simply not held.
    programme small("intervention", {1, 2, 3, 2},
                    {{1, day(1), "weekend", false, false, {"A"}, {}},
                     {2, day(2), "weekend", false, false, {"B"}, {}}},
                    {{"A", {"weekend"}, false}, {"B", {"weekend"}, false}});
    REQUIRE(small.move("A", 1, 2));
    CHECK(small.session(1)->roster.empty());
    CHECK(small.session(2)->roster.size() == 2);
  }

  TEST_CASE("a move beyond the maximum is refused") {
    auto p = sample();
    REQUIRE(p.move("P01", 1, 2));
    REQUIRE(p.move("P02", 1, 2));
    // Session 2 has 12; P04 from session 3 would make it 13.
    const auto r = p.check_move("P04", 3, 2);
    REQUIRE(!r);
    CHECK(r.error().field == "to");
    CHECK(contains(r.error().message,
                   "session slot 2 has 13 participants, more than the maximum of 12"));
  }

  TEST_CASE(
      "a move into an empty (unheld) session is refused: one participant is below the minimum") {
    auto p = sample();
    programme_limits limits = p.limits();
    auto sessions = p.sessions();
    sessions[3].roster.clear();  // session 4 unheld
    programme q("intervention", limits, sessions, p.members());
    const auto r = q.check_move("P20", 2, 4);
    REQUIRE(!r);
    CHECK(r.error().field == "to");
    CHECK(contains(r.error().message,
                   "session slot 4 has 1 participant, fewer than the minimum of 8"));
  }

  TEST_CASE("the structural rules of a move name the field and the value") {
    auto p = sample();
    struct refusal {
      std::string participant;
      int from, to;
      std::string field, says;
    };
    const std::vector<refusal> refusals = {
        {"P11", 1, 3, "from", "participant P11 is not planned for session 1"},
        {"P01", 1, 3, "to", "already planned for session 3"},
        {"P01", 1, 9, "to", "has no session 9; allowed: 1 to 4"},
        {"X99", 1, 2, "participant", ""}};
    for (const auto& x : refusals) {
      CAPTURE(x.says);
      const auto r = p.check_move(x.participant, x.from, x.to);
      REQUIRE(!r);
      CHECK(r.error().field == x.field);
      CHECK(contains(r.error().message, x.says));
    }
    CHECK(p.check_move("P01", 1, 9).error().code == error_code::not_found);
    SUBCASE("a held session's roster is history") {
      auto sessions = p.sessions();
      sessions[0].held = true;
      programme q("intervention", p.limits(), sessions, p.members());
      const auto r = q.check_move("P01", 1, 2);
      REQUIRE(!r);
      CHECK(r.error().code == error_code::precondition_failed);
      CHECK(contains(r.error().message, "attendance is already recorded for session 1"));
    }
    SUBCASE("a cancelled destination") {
      auto sessions = p.sessions();
      sessions[1].cancelled = true;
      programme q("intervention", p.limits(), sessions, p.members());
      const auto r = q.check_move("P01", 1, 2);
      REQUIRE(!r);
      CHECK(r.error().field == "to");
      CHECK(contains(r.error().message, "session 2 was cancelled"));
    }
  }

  TEST_CASE("cancelling: a reason is needed, not twice, not a held session; replacements") {
    auto p = sample();
    CHECK(p.check_cancel(1, "  ").error().field == "reason");
    CHECK(p.check_cancel(7, "ill").error().code == error_code::not_found);
    // Before day 15: sessions 2-4 are still ahead. P01-P10 are on 1 and 3; 2 is open to them
    // (10 of 12), 4 is at the weekend (none of them).
    auto replacements = p.cancel(1, "leader ill", day(15) - std::chrono::seconds{1});
    REQUIRE(replacements);
    REQUIRE(replacements->size() == 10);
    CHECK(replacements->front().participant == "P01");
    CHECK(replacements->front().sessions == std::vector<int>{2});
    CHECK(p.session(1)->cancelled);
    const auto again = p.check_cancel(1, "again");
    REQUIRE(!again);
    CHECK(again.error().code == error_code::conflict);
    CHECK(contains(again.error().message, "already cancelled"));

    auto sessions = sample().sessions();
    sessions[1].held = true;
    programme q("intervention", p.limits(), sessions, p.members());
    CHECK(q.check_cancel(2, "late").error().code == error_code::precondition_failed);
  }

  TEST_CASE("replacements leave out past and full sessions") {
    auto p = sample();
    REQUIRE(p.move("P01", 1, 2));
    REQUIRE(p.move("P02", 1, 2));  // session 2 is full (12)
    const auto r = p.replacements_for(3, day(0));
    REQUIRE(r.size() == 10);
    CHECK(r[0].participant == "P01");
    CHECK(r[0].sessions == std::vector<int>{1});  // 2 is theirs now, 4 is at the weekend
    CHECK(r[2].participant == "P03");
    CHECK(r[2].sessions.empty());  // 1 is theirs already, 2 is full
    CHECK(p.replacements_for(3, day(100)).front().sessions.empty());  // all in the past
  }

  TEST_CASE("the plan's request: active members, open sessions, availability by index") {
    auto members = sample().members();
    members[0].withdrawn = true;
    auto sessions = sample().sessions();
    sessions[2].cancelled = true;
    programme p("intervention", sample().limits(), sessions, members);
    REQUIRE(p.check_plan());
    const auto r = p.plan_request_of();
    CHECK(r.participants.size() == 19);
    CHECK(r.participants.front() == "P02");
    CHECK(r.slot_numbers == std::vector<int>{1, 2, 4});
    CHECK(r.available.front() == std::vector<int>{0, 1});
    CHECK(r.available.back() == std::vector<int>{0, 1, 2});  // P20 also at weekends
    CHECK(r.required == 2);
    CHECK(r.capacity_min == 8);
    CHECK(r.capacity_max == 12);
  }

  TEST_CASE("no plan once a session is held, without sessions or without members") {
    auto sessions = sample().sessions();
    sessions[0].held = true;
    const programme held("intervention", sample().limits(), sessions, sample().members());
    CHECK(contains(held.check_plan().error().message, "the plan is fixed now"));
    const programme empty("waitlist", sample().limits(), {}, sample().members());
    CHECK(contains(empty.check_plan().error().message, "no session slots yet"));
    const programme nobody("intervention", sample().limits(), sample().sessions(), {});
    CHECK(contains(nobody.check_plan().error().message, "nobody is randomized"));
  }

  TEST_CASE("leaders: not twice, at most the maximum") {
    auto sessions = sample().sessions();
    sessions[0].leaders = {"L1", "L2"};
    sessions[1].leaders = {"L1"};
    const programme p("intervention", sample().limits(), sessions, sample().members());
    CHECK(p.check_assign_leader(2, "L2"));
    CHECK(p.check_assign_leader(2, "L1").error().code == error_code::conflict);
    const auto full = p.check_assign_leader(1, "L3");
    REQUIRE(!full);
    CHECK(full.error().field == "leader");
    CHECK(
        contains(full.error().message, "already has 2 group leaders (L1, L2); allowed: at most 2"));
  }
}
