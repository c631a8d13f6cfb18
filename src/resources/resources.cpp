#include "balint/resources/resources.hpp"

#include <algorithm>
#include <cstddef>

namespace balint::resources {
namespace detail {
struct entry {
  std::string_view path;
  std::string_view content;
};
extern const entry files[];
extern const std::size_t file_count;
}  // namespace detail

std::optional<std::string_view> find(std::string_view path) {
  for (std::size_t i = 0; i < detail::file_count; ++i) {
    if (detail::files[i].path == path) return detail::files[i].content;
  }
  return std::nullopt;
}

std::vector<std::string> list(std::string_view prefix) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < detail::file_count; ++i) {
    if (detail::files[i].path.substr(0, prefix.size()) == prefix) {
      out.emplace_back(detail::files[i].path);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace balint::resources
