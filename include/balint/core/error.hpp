#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace balint::core {

/// What kind of expected failure an operation reports. The front ends map these to
/// exit code 2 (CLI) and to HTTP 400/404/409/409/403/401.
enum class error_code {
  invalid_input,
  not_found,
  conflict,
  precondition_failed,
  forbidden,
  unauthenticated,
};

/// The JSON spelling of an error code ("invalid_input", ...).
std::string_view to_string(error_code code);

/// An expected failure: which field was wrong and a sentence in the trial's words that names
/// the value and what is allowed. The sentence is front-end neutral (no command-line flags, no
/// page controls): the command line adds its flag hints, the API and the pages their own words.
/// `value` and `allowed` repeat the two parts of the sentence for front ends that show them
/// apart (a form highlighting the field); empty when the refusal has none (a duplicate code
/// has a value but no list of allowed values).
struct error {
  error_code code = error_code::invalid_input;
  std::string field;
  std::string message;
  std::string value = {};
  std::string allowed = {};
};

/// The same error with the value given and what is allowed, for front ends that show them.
inline error with_value(error e, std::string value, std::string allowed = {}) {
  e.value = std::move(value);
  e.allowed = std::move(allowed);
  return e;
}

inline error invalid_input(std::string field, std::string message) {
  return {error_code::invalid_input, std::move(field), std::move(message)};
}
inline error not_found(std::string field, std::string message) {
  return {error_code::not_found, std::move(field), std::move(message)};
}
inline error conflict(std::string field, std::string message) {
  return {error_code::conflict, std::move(field), std::move(message)};
}
inline error precondition_failed(std::string field, std::string message) {
  return {error_code::precondition_failed, std::move(field), std::move(message)};
}

}  // namespace balint::core
