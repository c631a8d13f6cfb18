// Ids of different kinds are different types (issue 12): a participant id is not a slot id.
#include "balint/core/ids.hpp"

#include <doctest/doctest.h>

#include <type_traits>

using namespace balint::core;

static_assert(!std::is_convertible_v<participant_id, slot_id>);
static_assert(!std::is_convertible_v<slot_id, participant_id>);
static_assert(!std::is_convertible_v<std::int64_t, participant_id>);  // explicit only
static_assert(!std::is_convertible_v<participant_id, std::int64_t>);
static_assert(std::is_trivially_copyable_v<user_id>);
static_assert(sizeof(allocation_id) == sizeof(std::int64_t));

TEST_SUITE("core") {
  TEST_CASE("ids keep their value and compare within their kind") {
    constexpr participant_id a(3), b(7);
    CHECK(a.value() == 3);
    CHECK(a < b);
    CHECK(a == participant_id(3));
    CHECK(participant_id() == participant_id(0));
  }
}
