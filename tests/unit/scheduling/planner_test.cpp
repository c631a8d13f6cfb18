// plan_sessions(request) -> plan_result: every participant gets exactly `required` slots they
// are available for, every held slot has capacity_min..capacity_max participants, unheld slots
// have none (chosen by the documented rule, with notes), evenly filled, deterministic; when no
// plan exists, `problems` say why. check_assignment(request, assignment) checks a coordinator's
// change against the same rules.

#include "balint/scheduling/planner.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using balint::scheduling::check_assignment;
using balint::scheduling::plan_request;
using balint::scheduling::plan_result;
using balint::scheduling::plan_sessions;

namespace {

std::string code(int i) { return (i < 9 ? "T0" : "T") + std::to_string(i + 1); }

std::vector<int> range(int from, int to) {
  std::vector<int> v;
  for (int j = from; j < to; ++j) v.push_back(j);
  return v;
}

/// `participants` people all available for all of `slots` slots (numbered 1..slots).
plan_request everyone_everywhere(int participants, int slots) {
  plan_request r;
  for (int i = 0; i < participants; ++i) {
    r.participants.push_back(code(i));
    r.available.push_back(range(0, slots));
  }
  r.slot_numbers = range(1, slots + 1);
  return r;
}

std::vector<int> slot_counts(const plan_request& r, const plan_result& p) {
  std::vector<int> count(r.slot_numbers.size(), 0);
  for (const auto& a : p.assignment) {
    for (int j : a) ++count[static_cast<std::size_t>(j)];
  }
  return count;
}

bool contains(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

/// Checks a feasible plan against every rule.
/// Checks that `p` names `problem`; shows all its problems when it does not.
void check_problem(const plan_result& p, const std::string& problem) {
  CHECK_MESSAGE(contains(p.problems, problem), joined(p.problems));
}

void check_valid(const plan_request& r, const plan_result& p) {
  REQUIRE_MESSAGE(p.feasible, joined(p.problems));
  CHECK_MESSAGE(check_assignment(r, p.assignment).empty(),
                joined(check_assignment(r, p.assignment)));
  REQUIRE(p.held.size() == r.slot_numbers.size());
  const auto count = slot_counts(r, p);
  for (std::size_t j = 0; j < count.size(); ++j) {
    CAPTURE(j);
    if (p.held[j]) {
      CHECK(count[j] >= r.capacity_min);
      CHECK(count[j] <= r.capacity_max);
    } else {
      CHECK(count[j] == 0);
    }
  }
  for (const auto& a : p.assignment) {
    CHECK(a.size() == static_cast<std::size_t>(r.required));
    CHECK(std::is_sorted(a.begin(), a.end()));
  }
}

}  // namespace

TEST_SUITE("scheduling") {
  TEST_CASE("the Tongji shape gives everyone 10 slots and every session 9 participants") {
    const auto r = everyone_everywhere(18, 20);
    const auto p = plan_sessions(r);
    check_valid(r, p);
    CHECK(p.notes.empty());
    CHECK(p.problems.empty());
    CHECK(std::all_of(p.held.begin(), p.held.end(), [](bool h) { return h; }));
    for (int c : slot_counts(r, p)) CHECK(c == 9);
  }

  TEST_CASE("a participant with too few available slots makes the plan infeasible, named") {
    auto r = everyone_everywhere(18, 20);
    r.available[6] = {0, 2, 4, 6, 8, 10};
    const auto p = plan_sessions(r);
    CHECK_FALSE(p.feasible);
    CHECK(p.assignment.empty());
    check_problem(p,
                  "participant T07 is available for only 6 session slots; 10 are "
                  "required");
  }

  TEST_CASE("a slot that cannot reach the minimum is named among the problems") {
    auto r = everyone_everywhere(18, 20);
    r.available[6] = {0, 2, 4, 6, 8, 10};
    for (int i = 5; i < 18; ++i) {
      auto& a = r.available[static_cast<std::size_t>(i)];
      a.erase(std::remove(a.begin(), a.end(), 13), a.end());
    }
    const auto p = plan_sessions(r);
    CHECK_FALSE(p.feasible);
    check_problem(p,
                  "session slot 14 can have at most 5 available participants, "
                  "fewer than the minimum of 8");
  }

  TEST_CASE("more places than the slots can hold is explained with the counts") {
    const auto r = everyone_everywhere(30, 20);
    const auto p = plan_sessions(r);
    CHECK_FALSE(p.feasible);
    check_problem(p,
                  "30 participants × 10 sessions = 300 places, but 20 "
                  "session slots hold at most 240 (12 each)");
  }

  TEST_CASE("a slot nobody can fill is left unheld with a note") {
    auto r = everyone_everywhere(18, 20);
    for (auto& a : r.available) a.pop_back();  // nobody can come to slot 20
    const auto p = plan_sessions(r);
    check_valid(r, p);
    CHECK_FALSE(p.held[19]);
    CHECK(std::count(p.held.begin(), p.held.end(), true) == 19);
    REQUIRE(p.notes.size() == 1);
    CHECK(p.notes[0].find("session slot 20 is left unheld") == 0);
    CHECK(p.notes[0].find("only 0 participants are available") != std::string::npos);
    // 180 places over 19 sessions: 9 or 10 each.
    const auto count = slot_counts(r, p);
    for (std::size_t j = 0; j < 19; ++j) {
      CHECK(count[j] >= 9);
      CHECK(count[j] <= 10);
    }
  }

  TEST_CASE("too few participants for every slot leaves the latest slots unheld") {
    const auto r = everyone_everywhere(10, 20);  // 100 places fill at most 12 sessions of 8
    const auto p = plan_sessions(r);
    check_valid(r, p);
    CHECK(std::count(p.held.begin(), p.held.end(), true) == 12);
    for (std::size_t j = 0; j < 20; ++j) CHECK(p.held[j] == (j < 12));
    REQUIRE(p.notes.size() == 8);
    for (int number = 13; number <= 20; ++number) {
      CHECK_MESSAGE(contains(p.notes, "session slot " + std::to_string(number) + " is left unheld"),
                    joined(p.notes));
    }
    CHECK(contains(p.notes, "100 places cannot fill every remaining slot to the minimum of 8"));
    const auto count = slot_counts(r, p);
    for (std::size_t j = 0; j < 12; ++j) {
      CHECK(count[j] >= 8);
      CHECK(count[j] <= 9);
    }
  }

  TEST_CASE("the slot with the fewest available participants is left unheld first") {
    auto r = everyone_everywhere(10, 20);
    for (int i = 0; i < 2; ++i) {
      auto& a = r.available[static_cast<std::size_t>(i)];
      a.erase(std::remove(a.begin(), a.end(), 2), a.end());  // slot 3: 8 available
    }
    const auto p = plan_sessions(r);
    check_valid(r, p);
    CHECK_FALSE(p.held[2]);
    CHECK(p.notes.front().find("session slot 3 is left unheld") == 0);
  }

  TEST_CASE("fewer places than one session's minimum cannot be planned") {
    auto r = everyone_everywhere(3, 20);
    r.required = 2;
    const auto p = plan_sessions(r);
    CHECK_FALSE(p.feasible);
    CHECK_FALSE(p.problems.empty());
  }

  TEST_CASE("slots already attended stay in the plan") {
    auto r = everyone_everywhere(18, 20);
    r.fixed.assign(18, {});
    r.fixed[0] = {0, 1, 2};
    r.fixed[1] = {0, 19};
    const auto p = plan_sessions(r);
    check_valid(r, p);
    const auto& a0 = p.assignment[0];
    const auto& a1 = p.assignment[1];
    for (int j : {0, 1, 2}) CHECK(std::binary_search(a0.begin(), a0.end(), j));
    for (int j : {0, 19}) CHECK(std::binary_search(a1.begin(), a1.end(), j));
  }

  TEST_CASE("check_assignment finds each broken rule in users' words") {
    auto r = everyone_everywhere(18, 20);
    const auto p = plan_sessions(r);
    REQUIRE(p.feasible);

    SUBCASE("a valid move of one participant between sessions passes") {
      auto a = p.assignment;
      auto& mine = a[0];
      const auto to = std::find_if(r.available[0].begin(), r.available[0].end(), [&](int j) {
        return !std::binary_search(mine.begin(), mine.end(), j);
      });
      REQUIRE(to != r.available[0].end());
      mine[0] = *to;
      std::sort(mine.begin(), mine.end());
      CHECK(check_assignment(r, a).empty());
    }
    SUBCASE("a participant with 9 slots") {
      auto a = p.assignment;
      a[0].pop_back();
      const auto problems = check_assignment(r, a);
      CHECK_MESSAGE(contains(problems, "participant T01 has 9 session slots; 10 are required"),
                    joined(problems));
    }
    SUBCASE("a slot with 13 participants") {
      auto a = p.assignment;
      int added = 0;
      for (std::size_t i = 0; i < a.size() && added < 4; ++i) {
        auto& mine = a[i];
        if (std::binary_search(mine.begin(), mine.end(), 0)) continue;
        mine.back() = 0;  // swap the participant's last slot for slot 1
        std::sort(mine.begin(), mine.end());
        ++added;
      }
      REQUIRE(added == 4);
      const auto problems = check_assignment(r, a);
      CHECK_MESSAGE(
          contains(problems, "session slot 1 has 13 participants, more than the maximum of 12"),
          joined(problems));
    }
    SUBCASE("a slot the participant is not available for") {
      r.available[0] = range(0, 19);
      auto a = p.assignment;
      if (!std::binary_search(a[0].begin(), a[0].end(), 19)) {
        a[0].back() = 19;
        std::sort(a[0].begin(), a[0].end());
      }
      const auto problems = check_assignment(r, a);
      CHECK_MESSAGE(contains(problems, "participant T01 is not available for session slot 20"),
                    joined(problems));
    }
    SUBCASE("the same slot twice") {
      auto a = p.assignment;
      a[0].back() = a[0].front();
      const auto problems = check_assignment(r, a);
      CHECK(contains(problems, "participant T01 is assigned to session slot"));
      CHECK(contains(problems, "twice"));
    }
  }

  TEST_CASE("check_assignment refuses a session with fewer than the minimum") {
    auto r = everyone_everywhere(11, 2);
    r.required = 1;
    std::vector<std::vector<int>> a(11, std::vector<int>{0});
    for (std::size_t i = 8; i < 11; ++i) a[i] = {1};
    const auto problems = check_assignment(r, a);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("session slot 2 has 3 participants, fewer than the minimum of 8") == 0);
  }

  TEST_CASE("the same request gives the same plan") {
    plan_request r;
    r.slot_numbers = range(1, 41);
    unsigned state = 20161012;
    for (int i = 0; i < 40; ++i) {
      r.participants.push_back(code(i));
      std::vector<int> a;
      for (int j = 0; j < 40; ++j) {
        state = state * 1103515245u + 12345u;
        if ((state >> 16) % 3 != 0) a.push_back(j);
      }
      r.available.push_back(a);
    }
    const auto first = plan_sessions(r);
    const auto second = plan_sessions(r);
    check_valid(r, first);
    CHECK(first.assignment == second.assignment);
    CHECK(first.held == second.held);
    CHECK(first.notes == second.notes);
  }

  TEST_CASE("two disconnected cohorts are planned as if each were planned alone") {
    // Cohort A: 18 participants, all of slots 0, 2, ..., 38 (even), T07 only 14 of them and
    // one slot (A's 20th) nobody in A can attend. Cohort B: 10 participants, all of slots
    // 1, 3, ..., 39 (odd), one of them has attended B's 4th. Participants interleaved.
    plan_request alone_a = everyone_everywhere(18, 20);
    for (auto& a : alone_a.available) a.pop_back();
    alone_a.available[6] = range(0, 14);
    plan_request alone_b = everyone_everywhere(10, 20);
    alone_b.fixed.assign(10, {});
    alone_b.fixed[3] = {3};
    for (int i = 0; i < 10; ++i) alone_b.participants[static_cast<std::size_t>(i)] = "B" + code(i);
    for (int k = 0; k < 20; ++k) {
      alone_a.slot_numbers[static_cast<std::size_t>(k)] = 2 * k + 1;
      alone_b.slot_numbers[static_cast<std::size_t>(k)] = 2 * k + 2;
    }

    plan_request both;
    both.slot_numbers = range(1, 41);
    const auto to_both = [](const std::vector<int>& slots, int offset) {
      std::vector<int> v;
      for (int k : slots) v.push_back(2 * k + offset);
      return v;
    };
    std::vector<std::pair<int, int>> who;  // (cohort, index within it), in `both` order
    for (int i = 0; i < 18; ++i) {
      if (i < 10) {
        who.emplace_back(1, i);
        both.participants.push_back(alone_b.participants[static_cast<std::size_t>(i)]);
        both.available.push_back(to_both(alone_b.available[static_cast<std::size_t>(i)], 1));
        both.fixed.push_back(to_both(alone_b.fixed[static_cast<std::size_t>(i)], 1));
      }
      who.emplace_back(0, i);
      both.participants.push_back(alone_a.participants[static_cast<std::size_t>(i)]);
      both.available.push_back(to_both(alone_a.available[static_cast<std::size_t>(i)], 0));
      both.fixed.emplace_back();
    }

    const auto a = plan_sessions(alone_a);
    const auto b = plan_sessions(alone_b);
    const auto p = plan_sessions(both);
    check_valid(alone_a, a);
    check_valid(alone_b, b);
    check_valid(both, p);
    CHECK_FALSE(a.notes.empty());
    CHECK_FALSE(b.notes.empty());
    for (std::size_t k = 0; k < who.size(); ++k) {
      CAPTURE(k);
      const auto [cohort, i] = who[k];
      const auto& alone = cohort == 0 ? a : b;
      CHECK(p.assignment[k] == to_both(alone.assignment[static_cast<std::size_t>(i)], cohort));
    }
    for (std::size_t k = 0; k < 20; ++k) {
      CHECK(p.held[2 * k] == a.held[k]);
      CHECK(p.held[2 * k + 1] == b.held[k]);
    }
    // B's smallest participant index (0) comes before A's (1); A's slot nobody can attend is
    // a component of its own, after every component with participants.
    std::vector<std::string> notes = b.notes;
    std::vector<std::string> a_rest;
    for (const auto& n : a.notes) {
      if (n.find("session slot 39 is left unheld") == 0) {
        a_rest.push_back(n);
      } else {
        notes.push_back(n);
      }
    }
    REQUIRE(a_rest.size() == 1);
    notes.push_back(a_rest.front());
    CHECK(p.notes == notes);
    CHECK(p.problems.empty());
  }

  TEST_CASE("a problem in one component does not hide the problems of another") {
    // Component 1 (slots 0-19): T07 has too few slots. Component 2 (slots 20-39): 30
    // participants, more places than 20 slots hold. Component 3 (slot 40): nobody, would be
    // left unheld with a note, but there is no plan, so no notes.
    plan_request r = everyone_everywhere(18, 20);
    r.available[6] = {0, 2, 4, 6, 8, 10};
    for (int i = 0; i < 30; ++i) {
      r.participants.push_back("B" + code(i));
      r.available.push_back(range(20, 40));
    }
    r.slot_numbers = range(1, 42);
    const auto p = plan_sessions(r);
    CHECK_FALSE(p.feasible);
    CHECK(p.assignment.empty());
    CHECK(p.notes.empty());
    REQUIRE(p.held.size() == 41);
    CHECK(std::none_of(p.held.begin(), p.held.end(), [](bool h) { return h; }));
    REQUIRE_MESSAGE(p.problems.size() >= 2, joined(p.problems));
    CHECK_MESSAGE(p.problems.front() ==
                      "participant T07 is available for only 6 session slots; 10 are required",
                  joined(p.problems));
    check_problem(p,
                  "30 participants × 10 sessions = 300 places, but 20 "
                  "session slots hold at most 240 (12 each)");
    // A participant available for no slot is a problem of its own.
    r.participants.push_back("C01");
    r.available.emplace_back();
    const auto q = plan_sessions(r);
    CHECK_FALSE(q.feasible);
    CHECK_MESSAGE(q.problems.back() ==
                      "participant C01 is available for only 0 session slots; 10 are required",
                  joined(q.problems));
  }

  TEST_CASE("many components: the same request gives the same plan, in a fixed order") {
    // 8 cohorts of 9-18 participants, each with its own 20 slots, availability pseudo-random
    // within the cohort; participants listed in a shuffled order.
    plan_request r;
    r.slot_numbers = range(1, 161);
    unsigned state = 20161012;
    const auto next = [&] {
      state = state * 1103515245u + 12345u;
      return (state >> 16) & 0x7fffu;
    };
    std::vector<int> cohort_of;
    for (int c = 0; c < 8; ++c) {
      const int size = 9 + static_cast<int>(next() % 10);
      for (int i = 0; i < size; ++i) cohort_of.push_back(c);
    }
    for (std::size_t k = cohort_of.size(); k > 1; --k) {
      std::swap(cohort_of[k - 1], cohort_of[next() % k]);
    }
    for (std::size_t i = 0; i < cohort_of.size(); ++i) {
      r.participants.push_back("P" + std::to_string(i + 1));
      std::vector<int> a;
      for (int k = 0; k < 20; ++k) {
        if (next() % 5 != 0) a.push_back(cohort_of[i] * 20 + k);
      }
      r.available.push_back(a);
    }
    const auto first = plan_sessions(r);
    const auto second = plan_sessions(r);
    check_valid(r, first);
    CHECK(first.assignment == second.assignment);
    CHECK(first.held == second.held);
    CHECK(first.notes == second.notes);
    CHECK(first.problems == second.problems);
  }

  TEST_CASE("malformed requests are reported, not planned") {
    auto r = everyone_everywhere(18, 20);
    r.available[2].push_back(25);
    const auto p = plan_sessions(r);
    CHECK_FALSE(p.feasible);
    CHECK(contains(p.problems, "participant T03 is listed as available for slot index 25"));
  }
}
