#include "balint/outcomes/window.hpp"

#include "balint/core/dates.hpp"

namespace balint::outcomes {

std::string_view to_string(window_state s) {
  switch (s) {
    case window_state::inside:
      return "inside";
    case window_state::outside:
      return "outside";
    case window_state::unknown:
      return "unknown";
  }
  return "unknown";
}

window_state judge_window(const trial::assessment_window& window,
                          const std::string& assessment_date, const window_anchors& anchors) {
  const auto& anchor = window.from == trial::assessment_window::anchor::programme_end
                           ? anchors.programme_end
                           : anchors.randomized_on;
  if (!anchor) return window_state::unknown;
  const auto day = core::day_number(assessment_date);
  const auto from = core::day_number(*anchor);
  if (!day || !from) return window_state::unknown;
  if (window.before) return *day <= *from ? window_state::inside : window_state::outside;
  const bool inside = *day >= *from && *day <= *from + 7 * std::int64_t{window.within_weeks};
  return inside ? window_state::inside : window_state::outside;
}

std::string describe_window(const trial::assessment_window& window) {
  const bool end = window.from == trial::assessment_window::anchor::programme_end;
  if (window.before) {
    return end ? "on or before the end of the programme" : "on or before the day of randomization";
  }
  const std::string weeks =
      std::to_string(window.within_weeks) + (window.within_weeks == 1 ? " week" : " weeks");
  return end ? "from the end of the programme to " + weeks + " after it"
             : "from the day of randomization to " + weeks + " after it";
}

}  // namespace balint::outcomes
