#pragma once

#include "balint/core/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::attendance {

/// What a group leader records for one participant at one session.
enum class mark { present, absent, excused };

/// "present", "absent", "excused".
std::string_view to_string(mark m);

/// Parses a mark; invalid_input on field "status" naming the allowed values.
core::result<mark> parse_mark(std::string_view text);

/// Where a participant stands against the programme's requirement.
enum class progress_status { completed, on_track, at_risk, cannot_complete };

/// "completed", "on-track", "at-risk", "cannot-complete".
std::string_view to_string(progress_status s);

struct progress {
  std::string participant;
  int attended = 0;
  int required = 0;
  /// Session slots still ahead (not cancelled, not yet held) that the participant could attend.
  int remaining_possible = 0;
  progress_status status = progress_status::on_track;
};

/// completed: attended >= required; cannot-complete: even attending every remaining possible
/// slot is not enough; at-risk: only attending every remaining possible slot is enough;
/// on-track otherwise.
progress assess(std::string participant, int attended, int required, int remaining_possible);

/// What a certificate of completion states: who, how many sessions of how many required, and
/// the local dates of the sessions attended.
struct completion {
  std::string participant;
  int attended = 0;
  int required = 0;
  std::vector<std::string> dates;
};

/// The facts a mark is checked against, gathered by the caller from storage.
struct mark_context {
  int session = 0;  ///< session number, for messages
  std::string participant;
  bool session_started = false;  ///< its start is not in the future
  bool session_cancelled = false;
  bool participant_in_cohort = false;  ///< arm matches the session's cohort
  bool withdrawn = false;
  int present_others = 0;  ///< present marks of other participants at this session
  int capacity_max = 12;
  std::optional<mark> existing;  ///< the mark already recorded, if any
  bool has_reason = false;       ///< a non-empty --reason was given
};

/// Why a mark must be refused, or success: a session in the future or cancelled, a participant
/// outside the session's cohort or withdrawn, more than the maximum present, a change of an
/// existing mark without a reason, or the same mark again.
core::result<void> check_mark(const mark_context& c, mark m);

}  // namespace balint::attendance
