#pragma once

#include <string>
#include <string_view>

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
/// the value and what is allowed.
struct error {
  error_code code = error_code::invalid_input;
  std::string field;
  std::string message;
};

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
