#include "balint/core/error.hpp"

#include "balint/core/names.hpp"

#include <array>

namespace balint::core {

namespace {

constexpr std::array<enum_name<error_code>, 6> error_code_names{{
    {error_code::invalid_input, "invalid_input"},
    {error_code::not_found, "not_found"},
    {error_code::conflict, "conflict"},
    {error_code::precondition_failed, "precondition_failed"},
    {error_code::forbidden, "forbidden"},
    {error_code::unauthenticated, "unauthenticated"},
}};

}  // namespace

std::string_view to_string(error_code code) {
  return name_of<error_code>(error_code_names, code, "invalid_input");
}

}  // namespace balint::core
