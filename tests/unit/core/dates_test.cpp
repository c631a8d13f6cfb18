// Calendar dates as the trial records them (issue 14, part 2).
#include "balint/core/dates.hpp"

#include <doctest/doctest.h>

using namespace balint;

TEST_SUITE("dates") {
  TEST_CASE("day numbers count days from 1970-01-01 and round-trip") {
    CHECK(core::day_number("1970-01-01") == 0);
    CHECK(core::day_number("1970-01-02") == 1);
    CHECK(core::day_number("1969-12-31") == -1);
    // 2000 is a leap year (divisible by 400): 2000-02-29 exists, and 2000-03-01 is 60 days
    // after 2000-01-01; 1900 is not (divisible by 100): 1900-02-29 does not exist.
    CHECK(*core::day_number("2000-03-01") - *core::day_number("2000-01-01") == 60);
    CHECK(core::day_number("2000-02-29").has_value());
    CHECK_FALSE(core::day_number("1900-02-29").has_value());
    CHECK_FALSE(core::day_number("2023-02-29").has_value());
    // 10957 days from 1970 to 2000: 30 years, 7 of them leap (72, 76, ..., 96).
    CHECK(core::day_number("2000-01-01") == 30 * 365 + 7);
    for (const char* d : {"1900-01-01", "2016-10-12", "2024-02-29", "2999-12-31"}) {
      CAPTURE(d);
      CHECK(core::iso_date(*core::day_number(d)) == d);
    }
  }

  TEST_CASE("only the exact form of a real date in 1900-2999 is a date") {
    for (const char* bad : {"", "2016-1-12", "2016/10/12", "12.10.2016", "2016-13-01", "2016-00-10",
                            "2016-10-32", "1899-12-31", "3000-01-01", "2016-10-12T00:00",
                            " 2016-10-12", "２０１６-10-12", "-016-10-12"}) {
      CAPTURE(bad);
      CHECK_FALSE(core::day_number(bad).has_value());
    }
  }

  TEST_CASE("a past date is refused in the future, before its lower bound, or malformed") {
    const std::string today = "2026-12-07";
    CHECK(core::check_past_date(" 2026-12-07 ", "consent_date", today).value() == "2026-12-07");
    CHECK(core::check_past_date("2016-10-10", "consent_date", today).value() == "2016-10-10");

    const auto future = core::check_past_date("2026-12-08", "consent_date", today);
    REQUIRE_FALSE(future);
    CHECK(future.error().field == "consent_date");
    CHECK(future.error().message.find("\"2026-12-08\" is in the future") != std::string::npos);
    CHECK(future.error().message.find("today (2026-12-07) or earlier") != std::string::npos);

    const auto early = core::check_past_date("2016-10-09", "assessment_date", today,
                                             std::string("2016-10-10"), "the consent date");
    REQUIRE_FALSE(early);
    CHECK(early.error().field == "assessment_date");
    CHECK(early.error().message.find("is before the consent date (2016-10-10)") !=
          std::string::npos);
    CHECK(core::check_past_date("2016-10-10", "assessment_date", today, std::string("2016-10-10"),
                                "the consent date")
              .has_value());

    const auto typo = core::check_past_date("2016-02-30", "date", today);
    REQUIRE_FALSE(typo);
    CHECK(typo.error().message.find("\"2016-02-30\" is not a date") != std::string::npos);
    // A long text is not echoed back.
    const auto hostile = core::check_past_date(std::string(5000, 'x'), "date", today);
    REQUIRE_FALSE(hostile);
    CHECK(hostile.error().message.size() < 200);
  }
}
