#pragma once

#include "balint/core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// Calendar dates as the trial records them (issue 14, part 2): "YYYY-MM-DD" text in the trial's
/// time zone, compared and counted as day numbers. Pure: today is always passed in.
namespace balint::core {

/// The day number (days since 1970-01-01) of "YYYY-MM-DD" in exactly that form, a real date of
/// the years 1900-2999; none otherwise.
std::optional<std::int64_t> day_number(std::string_view iso_date);

/// The "YYYY-MM-DD" of a day number.
std::string iso_date(std::int64_t day_number);

/// The earliest date a user may give: before it, a date is a typing error.
inline constexpr std::string_view earliest_date = "1900-01-01";

/// A value a user gave, quoted for a message when it is short printable ASCII (what any date
/// is), else the word "given": a cell of a file may hold control characters or a split UTF-8
/// sequence that must not reach a terminal or a JSON answer.
std::string shown_value(std::string_view given);

/// A date something happened on, as a user typed it: spaces around it ignored, the exact form
/// "YYYY-MM-DD", a real date, not after `today` and, when `not_before` is given, not before it
/// (`not_before_what` says what that date is: "the consent date"). invalid_input naming `field`,
/// the value and what is allowed. Returns the date as stored.
result<std::string> check_past_date(std::string_view text, const std::string& field,
                                    const std::string& today,
                                    const std::optional<std::string>& not_before = std::nullopt,
                                    const std::string& not_before_what = {});

}  // namespace balint::core
