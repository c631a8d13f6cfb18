// Assessment windows (issue 14, part 2): dates worked out by hand on a calendar.
#include "balint/outcomes/window.hpp"

#include <doctest/doctest.h>

using namespace balint;
using outcomes::window_state;

namespace {

trial::assessment_window before_randomization() {
  trial::assessment_window w;
  w.before = true;
  w.from = trial::assessment_window::anchor::randomization;
  return w;
}

trial::assessment_window after(trial::assessment_window::anchor from, int weeks) {
  trial::assessment_window w;
  w.before = false;
  w.from = from;
  w.within_weeks = weeks;
  return w;
}

}  // namespace

TEST_SUITE("assessment windows") {
  TEST_CASE("a baseline window ends on the day of randomization, that day included") {
    const auto w = before_randomization();
    const outcomes::window_anchors a{std::string("2016-10-20"), std::nullopt};
    CHECK(outcomes::judge_window(w, "2016-10-12", a) == window_state::inside);
    CHECK(outcomes::judge_window(w, "2016-10-20", a) == window_state::inside);
    CHECK(outcomes::judge_window(w, "2016-10-21", a) == window_state::outside);
    // Not randomized yet: nothing to judge against.
    CHECK(outcomes::judge_window(w, "2016-10-21", {}) == window_state::unknown);
  }

  TEST_CASE("a follow-up window runs from the programme's end to N weeks after, both included") {
    const auto w = after(trial::assessment_window::anchor::programme_end, 4);
    // The programme ends on Wednesday 2017-03-29; four weeks later is 2017-04-26.
    const outcomes::window_anchors a{std::string("2016-10-20"), std::string("2017-03-29")};
    CHECK(outcomes::judge_window(w, "2017-03-28", a) == window_state::outside);
    CHECK(outcomes::judge_window(w, "2017-03-29", a) == window_state::inside);
    CHECK(outcomes::judge_window(w, "2017-04-26", a) == window_state::inside);
    CHECK(outcomes::judge_window(w, "2017-04-27", a) == window_state::outside);
    // No calendar yet: unknown, whatever the date.
    CHECK(outcomes::judge_window(w, "2017-04-27", {std::string("2016-10-20"), std::nullopt}) ==
          window_state::unknown);
  }

  TEST_CASE("a window after randomization crosses a leap day") {
    const auto w = after(trial::assessment_window::anchor::randomization, 1);
    // Randomized 2024-02-25; one week later is 2024-03-03 (February 2024 has 29 days).
    const outcomes::window_anchors a{std::string("2024-02-25"), std::nullopt};
    CHECK(outcomes::judge_window(w, "2024-03-03", a) == window_state::inside);
    CHECK(outcomes::judge_window(w, "2024-03-04", a) == window_state::outside);
  }

  TEST_CASE("windows are described in the coordinator's words") {
    CHECK(outcomes::describe_window(before_randomization()) ==
          "on or before the day of randomization");
    CHECK(outcomes::describe_window(after(trial::assessment_window::anchor::programme_end, 8)) ==
          "from the end of the programme to 8 weeks after it");
    CHECK(outcomes::describe_window(after(trial::assessment_window::anchor::randomization, 1)) ==
          "from the day of randomization to 1 week after it");
    CHECK(outcomes::to_string(window_state::outside) == "outside");
  }
}
