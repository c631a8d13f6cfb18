#pragma once

#include <compare>
#include <cstdint>

namespace balint::core {

/// A stored row's id of one kind. Ids of different kinds do not convert into each other, so a
/// call that takes a participant and two session slots cannot be given them in the wrong order
/// (date's way: one small value type per meaning, explicit construction).
template <class Tag>
class id {
 public:
  constexpr id() = default;
  constexpr explicit id(std::int64_t value) : value_(value) {}
  constexpr std::int64_t value() const { return value_; }
  friend constexpr auto operator<=>(const id&, const id&) = default;

 private:
  std::int64_t value_ = 0;
};

using participant_id = id<struct participant_tag>;
using slot_id = id<struct slot_tag>;
using user_id = id<struct user_tag>;
using allocation_id = id<struct allocation_tag>;

}  // namespace balint::core
