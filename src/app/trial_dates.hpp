#pragma once

// Private to src/app: the trial's calendar dates (issue 14, part 2). Today and the days of
// stored instants in the trial's time zone, and the anchors of the assessment windows, read
// once per use case so judging a whole import costs no query per row.

#include "balint/core/result.hpp"
#include "balint/outcomes/window.hpp"
#include "balint/storage/database.hpp"
#include "balint/trial/trial_definition.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace balint::app {
struct request;
}

namespace date {
class time_zone;
}

namespace balint::app::detail {

/// The trial's time zone from the time zone database; invalid_input naming `field` when the
/// database does not know it (a typing error, or a computer without tzdata).
core::result<const date::time_zone*> zone_of(const trial::trial_definition& t,
                                             const std::string& field = "time_zone");

/// Today, "YYYY-MM-DD", in the trial's time zone at the request's time.
std::string today_of(const request& req, const trial::trial_definition& t);

/// The day, in the trial's time zone, of a stored UTC instant ("2026-11-23T11:20:58.123Z").
std::string local_day_of(const std::string& utc_iso, const trial::trial_definition& t);

/// What the windows of a trial are counted from, as stored now.
struct window_facts {
  std::optional<std::string> programme_end;  ///< the intervention cohort's last session slot
  std::map<std::int64_t, std::string> randomized_on;  ///< participant id → day of allocation
};

window_facts read_window_facts(storage::database& db, const trial::trial_definition& t);

/// Where a questionnaire of participant `participant_id` at `timepoint`, answered on
/// `assessment_date`, falls in its time point's window (inside when it has none).
outcomes::window_state window_of(const trial::trial_definition& t, const window_facts& facts,
                                 std::int64_t participant_id, const std::string& timepoint,
                                 const std::string& assessment_date);

/// The warning of an entry outside its window, in the coordinator's words.
std::string outside_window_warning(const trial::trial_definition& t, const std::string& participant,
                                   const std::string& timepoint, const std::string& instrument,
                                   const std::string& assessment_date);

}  // namespace balint::app::detail
