#pragma once

#include "balint/core/json.hpp"
#include "balint/core/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::trial {

/// A group participants are randomized to ("intervention", "waitlist").
struct arm {
  std::string id;
  std::string label;
  /// Relative share of the allocation, >= 1 (1 and 1 is 1:1).
  int ratio = 1;
};

/// When a time point's questionnaires are due (the config's "window"): on or before the day
/// of randomization, or from the day of randomization or of the programme's end up to
/// `within_weeks` weeks after it. outcomes::judge_window applies it.
struct assessment_window {
  enum class anchor { randomization, programme_end };
  bool before = false;  ///< on or before the anchor's day; otherwise from it, within_weeks on
  anchor from = anchor::randomization;
  int within_weeks = 0;  ///< "after" only: 1-520
};

/// A moment at which questionnaires are collected ("pre", "post").
struct timepoint {
  std::string id;
  std::string label;
  /// None: any date is inside.
  std::optional<assessment_window> window;
};

/// The instruments collected at one time point; `arms` empty means every arm.
struct assessment_plan {
  std::string timepoint;
  std::vector<std::string> instruments;
  std::vector<std::string> arms;
};

/// A score that is analysed: a subscale of an instrument ("total" for the sum of all items).
struct outcome_variable {
  std::string id;
  std::string label;
  std::string instrument;
  std::string subscale;
};

/// Who may be enrolled. Ages are completed years, both bounds inclusive.
struct eligibility_rules {
  int min_age = 0;
  int max_age = 120;
  bool consent_required = true;
  /// Allowed gender codes: "M", "F", "X".
  std::vector<std::string> genders;
};

/// An introductory lecture; date "YYYY-MM-DD" and times "HH:MM", local to the programme's zone.
struct lecture {
  std::string date;
  std::string start;
  std::string end;
};

/// The intervention calendar. Dates are "YYYY-MM-DD" and times "HH:MM", all local to
/// `time_zone` (an IANA name such as "Asia/Shanghai").
struct programme {
  std::string time_zone;
  std::vector<lecture> lectures;
  /// Lower-case English day name: "monday" .. "sunday".
  std::string session_weekday;
  std::string session_start;
  std::string session_end;
  /// Falls on `session_weekday`.
  std::string first_session_date;
  /// Number of session slots offered, 1..200.
  int session_slots = 0;
  /// Dates with no session (public holidays); the file also gives a reason for each.
  std::vector<std::string> blackout_dates;
  int capacity_min = 1;
  int capacity_max = 1;
  int leaders_min = 1;
  int leaders_max = 1;
  /// Sessions a participant must attend to complete the programme, <= session_slots.
  int required_sessions = 0;
};

/// One level of a stratification factor: participants whose field has one of `values` belong
/// to it ("surgical" = surgery, anesthesiology, ...). `id` matches ^[A-Za-z0-9][A-Za-z0-9_-]*$.
struct stratum_level {
  std::string id;
  std::vector<std::string> values;
};

/// A participant field randomization is stratified by ("gender", "specialty") and its levels;
/// a value belongs to at most one level.
struct stratum_factor {
  std::string field;
  std::vector<stratum_level> levels;
};

/// How participants are allocated: method "simple", "permuted-block" or
/// "stratified-permuted-block". Block methods have at least one block size, each a multiple
/// of the sum of the arm ratios; simple has none. Only the stratified method has strata.
struct randomization_scheme {
  std::string method;
  std::vector<int> block_sizes;
  std::vector<stratum_factor> strata;
  /// Positions generated per stratum (block methods round up to whole blocks); the file's
  /// "list_length", or planned_participants when absent.
  int list_length = 0;
  /// Randomize only participants whose required baseline questionnaires are complete.
  bool baseline_required = true;
};

/// A whole trial, as read from schemas/trials/<id>.json and checked by parse_trial_definition.
struct trial_definition {
  std::string id;
  std::string title;
  /// Registry number or ethics approval (the file's "registration"), may be empty.
  std::string registration;
  /// The publication or protocol the definition comes from (the file's "source"), may be empty.
  std::string citation;
  /// The language participants read (the file's "language"; "en" when absent): survey-link
  /// pages show localized texts in it.
  std::string language = "en";
  std::vector<arm> arms;
  int planned_participants = 0;
  std::vector<timepoint> timepoints;
  std::string baseline_timepoint;
  /// Instruments that must be complete at baseline before randomization.
  std::vector<std::string> baseline_required;
  std::vector<assessment_plan> assessments;
  std::vector<outcome_variable> outcomes;
  eligibility_rules eligibility;
  std::vector<std::string> availability_options;
  randomization_scheme randomization;
  struct programme programme;
  std::vector<std::string> instruments;
  /// The document the definition was parsed from, unchanged.
  core::json source;

  /// The arm with this id, or nullptr.
  const arm* find_arm(std::string_view arm_id) const;
  /// True when the trial has a time point with this id.
  bool has_timepoint(std::string_view timepoint_id) const;
  /// True when the instrument is listed in the trial's "instruments".
  bool has_instrument(std::string_view instrument_id) const;
  /// Instruments collected at `timepoint_id` from participants of `arm_id`, in plan order,
  /// each once. Pass an empty arm for people not yet randomized: only plans for every arm count.
  std::vector<std::string> instruments_at(std::string_view timepoint_id,
                                          std::string_view arm_id) const;
  /// Sum of the arms' ratios (2 for 1:1).
  int ratio_sum() const;
};

/// Reads a trial definition: validates `doc` against `schema` (schemas/trial.schema.json), then
/// checks the cross references a schema cannot express (unique arm, time point and outcome ids;
/// known time points, arms and instruments; age, capacity and leader ranges; required sessions
/// within the slots; session times in order; first session on the session weekday; block sizes
/// multiples of the ratio sum; block sizes and strata only where the method uses them; a
/// stratum value in one level of its factor only).
///
/// Fails with invalid_input: field = the JSON path of the first problem ("$.arms[0].ratio"),
/// message = "trial definition: " + every problem as "PATH: MESSAGE", joined by "; ".
core::result<trial_definition> parse_trial_definition(const core::json& doc,
                                                      const core::json& schema);

}  // namespace balint::trial
