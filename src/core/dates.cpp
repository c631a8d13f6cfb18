#include "balint/core/dates.hpp"

#include "balint/core/text.hpp"

#include <date/date.h>

namespace balint::core {

std::optional<std::int64_t> day_number(std::string_view iso_date) {
  if (iso_date.size() != 10 || iso_date[4] != '-' || iso_date[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k) {
    for (std::size_t i = starts[k]; i < starts[k] + lengths[k]; ++i) {
      const char c = iso_date[i];
      if (c < '0' || c > '9') return std::nullopt;
      parts[k] = parts[k] * 10 + (c - '0');
    }
  }
  if (parts[0] < 1900 || parts[0] > 2999) return std::nullopt;
  const date::year_month_day ymd{date::year{parts[0]}, date::month{static_cast<unsigned>(parts[1])},
                                 date::day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days{ymd}.time_since_epoch().count();
}

std::string iso_date(std::int64_t day_number) {
  return date::format("%F", date::sys_days{date::days{day_number}});
}

std::string shown_value(std::string_view given) {
  if (given.size() > 40) return "given";
  for (const char c : given) {
    if (c < 0x20 || c > 0x7e) return "given";
  }
  return "\"" + std::string(given) + "\"";
}

result<std::string> check_past_date(std::string_view text, const std::string& field,
                                    const std::string& today,
                                    const std::optional<std::string>& not_before,
                                    const std::string& not_before_what) {
  const auto given = trim(text);
  // Only a short plain text is echoed: a field may hold anything a form or a file can carry.
  const std::string shown = shown_value(given);
  const auto day = day_number(given);
  if (!day) {
    return invalid_input(field, field + " " + shown +
                                    " is not a date; allowed: a date as YYYY-MM-DD, such as " +
                                    today + ", from " + std::string(earliest_date));
  }
  if (given > today) {
    return invalid_input(field, field + " " + shown + " is in the future; allowed: today (" +
                                    today + ") or earlier");
  }
  if (not_before && given < *not_before) {
    return invalid_input(field, field + " " + shown + " is before " + not_before_what + " (" +
                                    *not_before + "); allowed: " + *not_before + " to " + today);
  }
  return std::string(given);
}

}  // namespace balint::core
