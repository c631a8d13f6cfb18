#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace balint::core {

/// One enumerator and its spelling, for a table that lists every value of an enum once, in
/// place of a switch per direction (value to text, text to value).
template <typename E>
struct enum_name {
  E value;
  std::string_view name;
};

/// The spelling of `value` in `table`; `fallback` when the table lacks it (an out-of-range cast).
template <typename E>
constexpr std::string_view name_of(std::span<const enum_name<E>> table, E value,
                                   std::string_view fallback) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return fallback;
}

/// The value spelled `text` in `table`, or nothing.
template <typename E>
constexpr std::optional<E> value_of(std::span<const enum_name<E>> table, std::string_view text) {
  for (const auto& entry : table) {
    if (entry.name == text) return entry.value;
  }
  return std::nullopt;
}

}  // namespace balint::core
