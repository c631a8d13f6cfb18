#include "balint/enrolment/participant.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace core = balint::core;
namespace en = balint::enrolment;

namespace {

const en::enrolment_rules tongji{};

en::participant_fields valid_fields() {
  en::participant_fields f;
  f.code = "D01";
  f.age = "32";
  f.gender = "F";
  f.consent = "yes";
  f.specialty = "internal medicine";
  f.balint_knowledge = "2";
  f.balint_times = "1";
  f.available = "weekend;workday-noon";
  return f;
}

core::error refused(const en::participant_fields& f, const en::enrolment_rules& rules = tongji) {
  auto r = en::parse_participant(rules, f);
  REQUIRE_FALSE(r.has_value());
  return std::move(r).error();
}

const char* const header =
    "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";

core::error csv_refused(const std::string& text) {
  auto r = en::parse_participant_csv(tongji, text);
  REQUIRE_FALSE(r.has_value());
  return std::move(r).error();
}

}  // namespace

TEST_SUITE("enrolment") {
  TEST_CASE("a complete eligible participant is accepted with every field converted") {
    const auto r = en::parse_participant(tongji, valid_fields());
    REQUIRE(r.has_value());
    CHECK(r->code == "D01");
    CHECK(r->age == 32);
    CHECK(r->gender == "F");
    CHECK(r->specialty == "internal medicine");
    CHECK(r->consent);
    CHECK(r->balint_knowledge == 2);
    CHECK(r->balint_times == 1);
    CHECK(r->available == std::vector<std::string>{"workday-noon", "weekend"});
  }

  TEST_CASE("optional fields left empty are not given") {
    en::participant_fields f = valid_fields();
    f.specialty = "";
    f.balint_knowledge = std::nullopt;
    f.balint_times = " ";
    f.available = std::nullopt;
    const auto r = en::parse_participant(tongji, f);
    REQUIRE(r.has_value());
    CHECK_FALSE(r->specialty.has_value());
    CHECK_FALSE(r->balint_knowledge.has_value());
    CHECK_FALSE(r->balint_times.has_value());
    CHECK(r->available.empty());
  }

  TEST_CASE("age is checked against the trial's eligible range, ends included") {
    en::participant_fields f = valid_fields();
    f.age = "18";
    CHECK(en::parse_participant(tongji, f).has_value());
    f.age = "45";
    CHECK(en::parse_participant(tongji, f).has_value());
    f.age = "17";
    const core::error young = refused(f);
    CHECK(young.code == core::error_code::invalid_input);
    CHECK(young.field == "age");
    CHECK(young.message == "age 17 is outside the trial's eligible range 18-45");
    f.age = "46";
    CHECK(refused(f).message == "age 46 is outside the trial's eligible range 18-45");
    f.age = "thirty";
    CHECK(refused(f).message == "age \"thirty\" is not a whole number of years; allowed: 18-45");
    f.age = "30.5";
    CHECK(refused(f).field == "age");
  }

  TEST_CASE("a trial with other eligibility rules uses its own range") {
    en::enrolment_rules rules;
    rules.min_age = 25;
    rules.max_age = 60;
    en::participant_fields f = valid_fields();
    f.age = "50";
    CHECK(en::parse_participant(rules, f).has_value());
    f.age = "24";
    CHECK(refused(f, rules).message == "age 24 is outside the trial's eligible range 25-60");
  }

  TEST_CASE("gender must be one of the trial's values, case-sensitive") {
    en::participant_fields f = valid_fields();
    f.gender = "M";
    CHECK(en::parse_participant(tongji, f).has_value());
    f.gender = "f";
    const core::error e = refused(f);
    CHECK(e.field == "gender");
    CHECK(e.message == "gender \"f\" is not allowed; allowed: M or F");
  }

  TEST_CASE("consent must be yes when the trial requires it and says why") {
    en::participant_fields f = valid_fields();
    for (const char* answer : {"no", "", "Y"}) {
      CAPTURE(answer);
      f.consent = answer;
      const core::error e = refused(f);
      CHECK(e.field == "consent");
      CHECK(e.message.find("written informed consent") != std::string::npos);
      CHECK(e.message.find("allowed: yes") != std::string::npos);
    }
    SUBCASE("without the requirement, no is accepted and anything else is refused") {
      en::enrolment_rules rules;
      rules.consent_required = false;
      f.consent = "no";
      const auto r = en::parse_participant(rules, f);
      REQUIRE(r.has_value());
      CHECK_FALSE(r->consent);
      f.consent = "maybe";
      CHECK(refused(f, rules).message == "consent is \"maybe\"; allowed: yes or no");
    }
  }

  TEST_CASE("participant codes are short and made of letters, digits, '-' and '_'") {
    en::participant_fields f = valid_fields();
    for (const char* good : {"A", "7", "tj-2020_01", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"}) {
      CAPTURE(good);
      f.code = good;
      CHECK(en::parse_participant(tongji, f).has_value());
    }
    for (const char* bad :
         {"", "-D01", "_x", "D 01", "D01;", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "\xE5\xBC\xA0"}) {
      CAPTURE(bad);
      f.code = bad;
      const core::error e = refused(f);
      CHECK(e.field == "code");
      CHECK(e.message.find("allowed: 1-32 letters, digits") != std::string::npos);
    }
  }

  TEST_CASE("Balint knowledge and times are whole numbers 1-5 when given") {
    en::participant_fields f = valid_fields();
    f.balint_knowledge = "5";
    f.balint_times = "1";
    CHECK(en::parse_participant(tongji, f).has_value());
    f.balint_knowledge = "0";
    const core::error e = refused(f);
    CHECK(e.field == "balint_knowledge");
    CHECK(e.message ==
          "balint_knowledge is \"0\"; allowed: a whole number 1-5, or empty when not asked");
    f.balint_knowledge = "3";
    f.balint_times = "6";
    CHECK(refused(f).field == "balint_times");
  }

  TEST_CASE("availability is a subset of the trial's options, stored in the trial's order") {
    en::participant_fields f = valid_fields();
    f.available = "weekend; workday-evening;workday-noon";
    const auto r = en::parse_participant(tongji, f);
    REQUIRE(r.has_value());
    CHECK(en::format_available(r->available) == "workday-noon;workday-evening;weekend");
    SUBCASE("an unknown option is refused with the allowed ones") {
      f.available = "weekday";
      const core::error e = refused(f);
      CHECK(e.field == "available");
      CHECK(e.message ==
            "available time \"weekday\" is not offered; allowed: any of workday-noon, "
            "workday-evening or weekend, separated by ';'");
    }
    SUBCASE("a repeated option is refused") {
      f.available = "weekend;weekend";
      CHECK(refused(f).message.find("is given twice") != std::string::npos);
    }
    SUBCASE("an empty piece is refused") {
      f.available = "weekend;";
      CHECK(refused(f).field == "available");
    }
  }

  TEST_CASE("specialty is free text of at most 80 characters, counted as characters") {
    en::participant_fields f = valid_fields();
    f.specialty = std::string(80, 'x');
    CHECK(en::parse_participant(tongji, f).has_value());
    std::string chinese;
    for (int i = 0; i < 80; ++i) chinese += "\xE5\x86\x85";  // 80 characters, 240 bytes
    f.specialty = chinese;
    CHECK(en::parse_participant(tongji, f).has_value());
    f.specialty = std::string(81, 'x');
    const core::error e = refused(f);
    CHECK(e.field == "specialty");
    CHECK(e.message == "specialty is 81 characters long; allowed: at most 80");
  }

  TEST_CASE("format_available joins with semicolons and is empty for no availability") {
    CHECK(en::format_available({}) == "");
    CHECK(en::format_available({"workday-noon", "weekend"}) == "workday-noon;weekend");
  }

  TEST_CASE("a participant CSV is read row by row with empty cells as not given") {
    const std::string text = std::string("\xEF\xBB\xBF") + header +
                             "D01,32,F,\"surgery, general\",yes,2,1,workday-noon;weekend\r\n"
                             "D02,40,M,,yes,,,\r\n";
    const auto r = en::parse_participant_csv(tongji, text);
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 2);
    CHECK((*r)[0].specialty == "surgery, general");
    CHECK((*r)[0].available == std::vector<std::string>{"workday-noon", "weekend"});
    CHECK((*r)[1].code == "D02");
    CHECK_FALSE((*r)[1].specialty.has_value());
    CHECK_FALSE((*r)[1].balint_knowledge.has_value());
    CHECK((*r)[1].available.empty());
  }

  TEST_CASE("a CSV with only the header holds no participants") {
    const auto r = en::parse_participant_csv(tongji, header);
    REQUIRE(r.has_value());
    CHECK(r->empty());
  }

  TEST_CASE("a bad CSV row refuses the whole file naming the line and the column") {
    const core::error e = csv_refused(std::string(header) +
                                      "D01,32,F,,yes,,,\n"
                                      "D02,17,F,,yes,,,\n"
                                      "D03,30,F,,yes,,,\n");
    CHECK(e.code == core::error_code::invalid_input);
    CHECK(e.field == "age");
    CHECK(e.message == "line 3: age 17 is outside the trial's eligible range 18-45");
  }

  TEST_CASE("a participant code repeated in a CSV is a conflict") {
    const core::error e = csv_refused(std::string(header) +
                                      "D01,32,F,,yes,,,\n"
                                      "D02,33,M,,yes,,,\n"
                                      "D01,34,M,,yes,,,\n");
    CHECK(e.code == core::error_code::conflict);
    CHECK(e.field == "code");
    CHECK(e.message ==
          "line 4: code D01 appears twice in the file (first on line 2); each participant code "
          "must be unique");
  }

  TEST_CASE("a CSV with another header is refused and shows the expected one") {
    const core::error e = csv_refused(
        "code,age,sex,specialty,consent,balint_knowledge,"
        "balint_times,available\nD01,32,F,,yes,,,\n");
    CHECK(e.field == "header");
    CHECK(e.message.rfind("line 1: ", 0) == 0);
    CHECK(e.message.find("allowed: exactly code,age,gender,specialty,consent,balint_knowledge,"
                         "balint_times,available") != std::string::npos);
  }

  TEST_CASE("a CSV row with the wrong number of cells is refused by line") {
    const core::error e = csv_refused(std::string(header) + "D01,32,F,,yes,,\n");
    CHECK(e.message.rfind("line 2: ", 0) == 0);
  }

  TEST_CASE("an empty CSV is refused") {
    const core::error e = csv_refused("");
    CHECK(e.code == core::error_code::invalid_input);
    CHECK_FALSE(e.message.empty());
  }
}
