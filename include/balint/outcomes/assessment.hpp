#pragma once

#include "balint/core/result.hpp"
#include "balint/instruments/instrument.hpp"
#include "balint/trial/trial_definition.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace balint::outcomes {

/// The trial's instruments by id.
using instrument_set = std::map<std::string, instruments::instrument, std::less<>>;

/// One questionnaire answered by one participant at one time point, item by item.
struct assessment {
  std::string participant;
  std::string timepoint;
  std::string instrument;
  instruments::item_values items;
  /// Where it came from, for messages: the CSV line of its first row (0 when typed in).
  std::size_t first_line = 0;
  /// When it was answered, "YYYY-MM-DD"; empty when not given (the facade records today).
  std::string assessment_date = {};
};

/// Checks that the trial plans `instrument` at `timepoint` (for any arm).
/// Errors: invalid_input on field "timepoint" or "instrument", naming the allowed values.
core::result<void> check_planned(const trial::trial_definition& trial, const instrument_set& set,
                                 std::string_view timepoint, std::string_view instrument);

/// The long CSV header `outcome import` reads; it may be followed by ",assessment_date" (the
/// same date on every row of one questionnaire, or empty for today).
inline constexpr std::string_view long_csv_header = "participant,timepoint,instrument,item,value";

/// Reads a long CSV (one row per item answer) into assessments, checking every row: known time
/// point and instrument planned there, item number within the instrument, value an integer
/// in the instrument's range or empty (missing), no item given twice. Items of an assessment
/// that have no row are missing answers. All-or-nothing: the first problem is returned, its
/// message starting with "line N: ". Participants are not looked up here (the caller does).
core::result<std::vector<assessment>> parse_long_csv(const trial::trial_definition& trial,
                                                     const instrument_set& set,
                                                     std::string_view csv_text);

/// What keeps a participant's baseline from being complete, one sentence per gap, empty when
/// complete: every instrument the trial requires at its baseline time point must be recorded,
/// with every subscale scorable under the instrument's missing-item policy. `recorded` holds the
/// participant's assessments (any time point).
std::vector<std::string> baseline_gaps(const trial::trial_definition& trial,
                                       const instrument_set& set,
                                       const std::vector<assessment>& recorded);

}  // namespace balint::outcomes
