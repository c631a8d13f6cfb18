#pragma once

#include "balint/core/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::enrolment {

/// What enrolment needs from the trial definition (eligibility and the availability choices),
/// so that this module does not depend on how the trial configuration is parsed. Defaults are
/// the Tongji protocol's.
struct enrolment_rules {
  int min_age = 18;
  int max_age = 45;
  bool consent_required = true;
  std::vector<std::string> genders{"M", "F"};
  std::vector<std::string> availability_options{"workday-noon", "workday-evening", "weekend"};
};

/// A checked, eligible participant as entered at baseline.
struct participant {
  /// 1-32 characters of [A-Za-z0-9_-], starting with a letter or digit.
  std::string code;
  /// Whole years, within the trial's eligible range.
  int age = 0;
  /// One of enrolment_rules::genders.
  std::string gender;
  /// Free text, at most 80 characters; nullopt when not given.
  std::optional<std::string> specialty;
  bool consent = false;
  /// Knowledge of Balint groups, 1-5; nullopt when not given.
  std::optional<int> balint_knowledge;
  /// Times participated in Balint groups, 1-5; nullopt when not given.
  std::optional<int> balint_times;
  /// Stated availability, a subset of enrolment_rules::availability_options in that order.
  std::vector<std::string> available;
  /// The day consent was given, "YYYY-MM-DD" in the trial's time zone; empty when not given
  /// (the facade then records today and refuses a date after today).
  std::string consent_date;
};

/// Why a participant left, in CONSORT's words (the reason itself is free text).
inline const std::vector<std::string> withdrawal_categories{
    "withdrew-consent",  "lost-to-follow-up", "discontinued-intervention",
    "left-the-hospital", "adverse-event",     "other"};

/// What a coordinator typed, unparsed (CLI options, CSV cells, JSON body fields). An absent or
/// empty optional field means "not given".
struct participant_fields {
  std::string code, age, gender, consent;
  std::optional<std::string> specialty, balint_knowledge, balint_times, available, consent_date;
};

/// Checks and converts one participant's fields. Spaces around values are ignored. The error's
/// field is the field's name ("age", "consent", ...) and its message names the value given and
/// what is allowed ("age 17 is outside the trial's eligible range 18-45").
/// Errors: invalid_input.
core::result<participant> parse_participant(const enrolment_rules& rules,
                                            const participant_fields& f);

/// Parses a participant CSV with the header exactly
/// `code,age,gender,specialty,consent,balint_knowledge,balint_times,available` (available is a
/// ';'-separated subset; an empty cell is "not given"). All or nothing: the first problem is
/// returned, its field the column name (or "csv" for the file's structure, "header" for a wrong
/// header) and its message starting "line N: ". A code that appears twice is a conflict (field
/// "code"). Errors: invalid_input, conflict.
core::result<std::vector<participant>> parse_participant_csv(const enrolment_rules& rules,
                                                             std::string_view csv_text);

/// The availability as stored and exported: the values joined with ';' ("workday-noon;weekend").
/// parse_participant already puts them in the order of enrolment_rules::availability_options,
/// so the text is canonical for any participant it returned.
std::string format_available(const std::vector<std::string>& available);

}  // namespace balint::enrolment
