#pragma once

#include "balint/trial/trial_definition.hpp"

#include <optional>
#include <string>
#include <string_view>

/// Assessment windows (issue 14, part 2): whether a questionnaire's assessment date falls when
/// its time point's questionnaires are due. Pure: the anchors' dates are passed in.
namespace balint::outcomes {

enum class window_state {
  inside,   ///< within the window, or the time point has none
  outside,  ///< accepted with a warning, flagged, left out of the per-protocol set
  unknown,  ///< the anchor has no date yet (not randomized, no calendar): not flagged
};

/// "inside", "outside", "unknown": the export's words.
std::string_view to_string(window_state s);

/// The days a window is counted from, "YYYY-MM-DD" in the trial's time zone; none: not yet.
struct window_anchors {
  std::optional<std::string> randomized_on;  ///< the participant's allocation
  std::optional<std::string> programme_end;  ///< the intervention cohort's last session slot
};

/// Where `assessment_date` ("YYYY-MM-DD") falls in `window`: on or before the anchor's day for a
/// "before" window; from the anchor's day to within_weeks weeks after it (inclusive) otherwise.
window_state judge_window(const trial::assessment_window& window,
                          const std::string& assessment_date, const window_anchors& anchors);

/// The window in words, for warnings and the codebook: "on or before the day of
/// randomization", "from the end of the programme to 8 weeks after it".
std::string describe_window(const trial::assessment_window& window);

}  // namespace balint::outcomes
