#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::core {

/// `s` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

/// Splits on `sep`, keeping empty pieces ("a,,b" → "a", "", "b"; "" → one empty piece).
std::vector<std::string_view> split(std::string_view s, char sep);

/// A whole decimal integer (optional sign, no spaces, no fraction), or nullopt.
std::optional<long long> parse_integer(std::string_view s);

/// Joins with `sep`.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// "a", "a or b", "a, b or c": allowed values in messages.
std::string one_of(const std::vector<std::string>& values);

/// The number of UTF-8 code points of `s` (bytes that do not continue a sequence): what a
/// person counts as characters, for length limits stated in characters.
std::size_t code_points(std::string_view s);

}  // namespace balint::core
