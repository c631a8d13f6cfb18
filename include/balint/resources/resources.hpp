#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::resources {

/// The content of a file of schemas/ compiled into the binary, by its path relative to the
/// repository root ("schemas/trials/tongji-2020.json"), or nullopt.
std::optional<std::string_view> find(std::string_view path);

/// Paths of all embedded files that start with `prefix`, in sorted order.
std::vector<std::string> list(std::string_view prefix);

}  // namespace balint::resources
