#include "balint/core/error.hpp"

namespace balint::core {

std::string_view to_string(error_code code) {
  switch (code) {
    case error_code::invalid_input:
      return "invalid_input";
    case error_code::not_found:
      return "not_found";
    case error_code::conflict:
      return "conflict";
    case error_code::precondition_failed:
      return "precondition_failed";
    case error_code::forbidden:
      return "forbidden";
    case error_code::unauthenticated:
      return "unauthenticated";
  }
  return "invalid_input";
}

}  // namespace balint::core
