#include "balint/core/result.hpp"

#include <doctest/doctest.h>

#include <string>
#include <type_traits>

using namespace balint::core;

static_assert(!std::is_convertible_v<result<int>, int>, "a result is not its value");
static_assert(std::is_constructible_v<result<int>, error>, "errors convert to results");

TEST_SUITE("core") {
  TEST_CASE("result holds a value or an error with field and message") {
    result<int> ok = 42;
    CHECK(ok.has_value());
    CHECK(*ok == 42);
    result<int> bad = invalid_input("age", "age 17 is outside 18-45");
    CHECK_FALSE(bad.has_value());
    CHECK(bad.error().code == error_code::invalid_input);
    CHECK(bad.error().field == "age");
    CHECK(to_string(conflict("code", "x").code) == "conflict");
  }

  TEST_CASE("result<void> reports success or failure") {
    result<void> ok;
    CHECK(ok.has_value());
    result<void> bad = fail(not_found("participant", "P9 is not enrolled"));
    CHECK_FALSE(bad);
    CHECK(bad.error().message == "P9 is not enrolled");
  }
}
