// parse_trial_definition(doc, schema) -> result<trial_definition>: schema first (field = path of
// the first violation), then cross references. trial_definition has find_arm, has_timepoint,
// has_instrument, instruments_at(timepoint, arm) and ratio_sum.

#include "balint/trial/trial_definition.hpp"

#include "balint/core/json.hpp"
#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using balint::core::json;
using balint::trial::parse_trial_definition;

namespace {

json load(std::string_view path) {
  const auto text = balint::resources::find(path);
  REQUIRE_MESSAGE(text.has_value(), std::string(path));
  auto parsed = balint::core::parse_json(*text);
  REQUIRE_MESSAGE(parsed.has_value(), std::string(path));
  return std::move(parsed).value();
}

const json& schema() {
  static const json s = load("schemas/trial.schema.json");
  return s;
}

json tongji() { return load("schemas/trials/tongji-2020.json"); }

json j(std::string_view text) {
  auto parsed = balint::core::parse_json(text);
  REQUIRE(parsed.has_value());
  return std::move(parsed).value();
}

// The field of the error returned for `doc`; fails the test when the document is accepted.
balint::core::error refusal(const json& doc) {
  auto parsed = parse_trial_definition(doc, schema());
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code == balint::core::error_code::invalid_input);
  CHECK(parsed.error().message.rfind("trial definition: ", 0) == 0);
  return parsed.error();
}

}  // namespace

TEST_SUITE("trial") {
  TEST_CASE("the default trial parses with its published design") {
    const auto parsed = parse_trial_definition(tongji(), schema());
    REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().message));
    const auto& t = parsed.value();
    CHECK(t.id == "tongji-2020");
    CHECK(t.registration == "K-KYSB-2016-100");
    REQUIRE(t.arms.size() == 2);
    CHECK(t.arms[0].id == "intervention");
    CHECK(t.arms[1].id == "waitlist");
    CHECK(t.arms[0].ratio == 1);
    CHECK(t.arms[1].ratio == 1);
    CHECK(t.ratio_sum() == 2);
    CHECK(t.planned_participants == 36);
    CHECK(t.baseline_timepoint == "pre");
    CHECK(t.baseline_required == std::vector<std::string>{"mbi-hss", "msq"});
    CHECK(t.outcomes.size() == 4);
    CHECK(t.eligibility.min_age == 18);
    CHECK(t.eligibility.max_age == 45);
    CHECK(t.eligibility.consent_required);
    CHECK(t.availability_options.size() == 3);
    CHECK(t.randomization.method == "permuted-block");
    CHECK(t.randomization.block_sizes == std::vector<int>{36});
    CHECK(t.randomization.strata.empty());
    CHECK(t.randomization.list_length == 36);
    CHECK(t.randomization.baseline_required);
    CHECK(t.programme.time_zone == "Asia/Shanghai");
    CHECK(t.programme.lectures.size() == 2);
    CHECK(t.programme.lectures[0].date == "2016-10-12");
    CHECK(t.programme.session_weekday == "wednesday");
    CHECK(t.programme.session_start == "17:30");
    CHECK(t.programme.session_end == "18:30");
    CHECK(t.programme.first_session_date == "2016-10-26");
    CHECK(t.programme.session_slots == 20);
    CHECK(t.programme.required_sessions == 10);
    CHECK(t.programme.blackout_dates == std::vector<std::string>{"2017-02-01"});
    CHECK(t.programme.capacity_min == 8);
    CHECK(t.programme.capacity_max == 12);
    CHECK(t.programme.leaders_min == 1);
    CHECK(t.programme.leaders_max == 2);
    CHECK(t.instruments.size() == 5);
    CHECK(t.source == tongji());
  }

  TEST_CASE("the helpers look up arms, time points and the instruments due") {
    const auto parsed = parse_trial_definition(tongji(), schema());
    REQUIRE(parsed.has_value());
    const auto& t = parsed.value();
    REQUIRE(t.find_arm("waitlist") != nullptr);
    CHECK(t.find_arm("waitlist")->label == "Waitlist control");
    CHECK(t.find_arm("control") == nullptr);
    CHECK(t.has_timepoint("post"));
    CHECK_FALSE(t.has_timepoint("follow-up"));
    CHECK(t.has_instrument("msq"));
    CHECK_FALSE(t.has_instrument("phq-9"));
    using list = std::vector<std::string>;
    CHECK(t.instruments_at("pre", "waitlist") == list{"mbi-hss", "msq"});
    CHECK(t.instruments_at("post", "waitlist") == list{"mbi-hss", "msq"});
    CHECK(t.instruments_at("post", "intervention") ==
          list{"mbi-hss", "msq", "satisfaction", "achievements", "willingness"});
    CHECK(t.instruments_at("pre", "") == list{"mbi-hss", "msq"});
    CHECK(t.instruments_at("follow-up", "intervention").empty());
  }

  TEST_CASE("a configuration breaking the schema is refused at the first violation's path") {
    auto doc = tongji();
    std::string field;
    std::string message;  // when set: the whole message
    std::string part;     // when set: a part of the message
    SUBCASE("ratio 0") {
      doc["arms"].as_array()[0]["ratio"] = 0;
      field = "$.arms[0].ratio";
      message = "trial definition: $.arms[0].ratio: 0 is below the minimum 1";
    }
    SUBCASE("a single arm") {
      doc["arms"].as_array().pop_back();
      field = "$.arms";
    }
    SUBCASE("an unknown member") {
      doc["programme"]["room"] = "B204";
      field = "$.programme.room";
      part = "member not allowed here (allowed: ";
    }
    SUBCASE("a missing time zone") {
      doc["programme"].as_object().erase("time_zone");
      field = "$.programme";
      message = "trial definition: $.programme: required member \"time_zone\" is missing";
    }
    SUBCASE("a session time out of range") {
      doc["programme"]["session_start"] = "24:30";
      field = "$.programme.session_start";
    }
    SUBCASE("a date that does not exist") {
      doc["programme"]["first_session_date"] = "2017-02-30";
      field = "$.programme.first_session_date";
    }
    SUBCASE("an unknown weekday") {
      doc["programme"]["session_weekday"] = "Wednesday";
      field = "$.programme.session_weekday";
    }
    SUBCASE("too many slots") {
      doc["programme"]["session_slots"] = 201;
      field = "$.programme.session_slots";
    }
    SUBCASE("an unknown randomization method") {
      doc["randomization"]["method"] = "minimisation";
      field = "$.randomization.method";
    }
    SUBCASE("permuted blocks without block sizes") {
      doc["randomization"]["block_sizes"] = json::array{};
      field = "$.randomization.block_sizes";
    }
    SUBCASE("capacity below one") {
      doc["programme"]["capacity"]["min"] = 0;
      field = "$.programme.capacity.min";
    }
    SUBCASE("an arm id with capitals") {
      doc["arms"].as_array()[1]["id"] = "Waitlist";
      field = "$.arms[1].id";
    }
    const auto e = refusal(doc);
    CHECK(e.field == field);
    if (!message.empty()) CHECK(e.message == message);
    if (!part.empty()) CHECK(e.message.find(part) != std::string::npos);
  }

  TEST_CASE("every schema violation is listed in the message") {
    auto doc = tongji();
    doc["arms"].as_array()[0]["ratio"] = 0;
    doc["planned_participants"] = "36";
    const auto e = refusal(doc);
    CHECK(e.field == "$.arms[0].ratio");
    CHECK(e.message.find("; $.planned_participants: \"36\" is text") != std::string::npos);
  }

  TEST_CASE("cross references the schema cannot express are refused with their path") {
    auto doc = tongji();
    std::string field;
    SUBCASE("duplicate arm ids") {
      doc["arms"].as_array()[1]["id"] = "intervention";
      field = "$.arms[1].id";
    }
    SUBCASE("duplicate time point ids") {
      doc["timepoints"].as_array()[1]["id"] = "pre";
      field = "$.timepoints[1].id";
    }
    SUBCASE("an unknown baseline time point") {
      doc["baseline"]["timepoint"] = "screening";
      field = "$.baseline.timepoint";
    }
    SUBCASE("a baseline instrument not listed") {
      doc["baseline"]["required_instruments"].push_back("phq-9");
      field = "$.baseline.required_instruments[2]";
    }
    SUBCASE("a baseline instrument not collected at baseline") {
      doc["baseline"]["required_instruments"].push_back("satisfaction");
      field = "$.baseline.required_instruments[2]";
    }
    SUBCASE("an assessment at an unknown time point") {
      doc["assessments"].as_array()[1]["timepoint"] = "follow-up";
      field = "$.assessments[1].timepoint";
    }
    SUBCASE("an assessment instrument not listed") {
      doc["assessments"].as_array()[2]["instruments"].push_back("phq-9");
      field = "$.assessments[2].instruments[3]";
    }
    SUBCASE("an assessment for an unknown arm") {
      doc["assessments"].as_array()[2]["arms"] = json::array{"control"};
      field = "$.assessments[2].arms[0]";
    }
    SUBCASE("an outcome from an instrument not listed") {
      doc["outcomes"].as_array()[3]["instrument"] = "phq-9";
      field = "$.outcomes[3].instrument";
    }
    SUBCASE("duplicate outcome ids") {
      doc["outcomes"].as_array()[1]["id"] = "ee";
      field = "$.outcomes[1].id";
    }
    SUBCASE("maximum age below minimum age") {
      doc["eligibility"]["max_age"] = 17;
      field = "$.eligibility.max_age";
    }
    SUBCASE("a block size that does not fit the ratios") {
      doc["arms"].as_array()[0]["ratio"] = 4;
      field = "$.randomization.block_sizes[0]";
    }
    SUBCASE("a lecture that ends before it starts") {
      doc["programme"]["lectures"].as_array()[0]["end"] = "17:00";
      field = "$.programme.lectures[0].end";
    }
    SUBCASE("sessions that end before they start") {
      doc["programme"]["session_end"] = "17:30";
      field = "$.programme.session_end";
    }
    SUBCASE("a first session on the wrong weekday") {
      doc["programme"]["first_session_date"] = "2016-10-27";
      field = "$.programme.first_session_date";
    }
    SUBCASE("capacity maximum below minimum") {
      doc["programme"]["capacity"]["max"] = 7;
      field = "$.programme.capacity.max";
    }
    SUBCASE("leaders maximum below minimum") {
      doc["programme"]["leaders_per_session"]["min"] = 3;
      field = "$.programme.leaders_per_session.max";
    }
    SUBCASE("more required sessions than slots") {
      doc["programme"]["required_sessions"] = 21;
      field = "$.programme.required_sessions";
    }
    const auto e = refusal(doc);
    CHECK(e.field == field);
  }

  TEST_CASE("cross-reference messages name the value and what is allowed") {
    auto doc = tongji();
    doc["assessments"].as_array()[2]["arms"] = json::array{"control"};
    doc["randomization"]["block_sizes"].push_back(35);
    const auto e = refusal(doc);
    CHECK(e.field == "$.assessments[2].arms[0]");
    CHECK(e.message ==
          "trial definition: $.assessments[2].arms[0]: \"control\" is not one of the trial's arms "
          "(\"intervention\", \"waitlist\"); $.randomization.block_sizes[1]: block size 35 does "
          "not fit the allocation ratio 1:1 (sizes must be multiples of 2)");
  }

  TEST_CASE("a 2:1 trial with fitting blocks and no lectures or holidays is accepted") {
    auto doc = tongji();
    doc["arms"].as_array()[0]["ratio"] = 2;
    doc["randomization"] = j(R"({"method": "stratified-permuted-block", "block_sizes": [3, 6],
      "strata": [{"field": "gender", "levels": [{"id": "M", "values": ["M"]},
                                                {"id": "F", "values": ["F"]}]}],
      "list_length": 24, "baseline_required": false})");
    doc["programme"]["lectures"] = json::array{};
    doc["programme"]["blackout_dates"] = json::array{};
    doc["programme"]["session_weekday"] = "thursday";
    doc["programme"]["first_session_date"] = "2016-10-27";
    const auto parsed = parse_trial_definition(doc, schema());
    REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().message));
    CHECK(parsed->ratio_sum() == 3);
    CHECK(parsed->randomization.block_sizes == std::vector<int>{3, 6});
    REQUIRE(parsed->randomization.strata.size() == 1);
    const auto& factor = parsed->randomization.strata[0];
    CHECK(factor.field == "gender");
    REQUIRE(factor.levels.size() == 2);
    CHECK(factor.levels[1].id == "F");
    CHECK(factor.levels[1].values == std::vector<std::string>{"F"});
    CHECK(parsed->randomization.list_length == 24);
    CHECK_FALSE(parsed->randomization.baseline_required);
    CHECK(parsed->programme.lectures.empty());
  }

  TEST_CASE("stratified randomization needs at least one stratum") {
    auto doc = tongji();
    doc["randomization"]["method"] = "stratified-permuted-block";
    CHECK(refusal(doc).field == "$.randomization.strata");
  }

  TEST_CASE("a block size that does not fit the ratio is refused naming the ratio and the rule") {
    auto doc = tongji();
    doc["randomization"]["block_sizes"] = json::array{4, 5};
    const auto e = refusal(doc);
    CHECK(e.field == "$.randomization.block_sizes[1]");
    CHECK(e.message ==
          "trial definition: $.randomization.block_sizes[1]: block size 5 does not fit the "
          "allocation ratio 1:1 (sizes must be multiples of 2)");
  }

  TEST_CASE("simple randomization takes no block sizes and no strata") {
    auto doc = tongji();
    doc["randomization"] = j(R"({"method": "simple"})");
    const auto parsed = parse_trial_definition(doc, schema());
    REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().message));
    CHECK(parsed->randomization.method == "simple");
    CHECK(parsed->randomization.block_sizes.empty());
    CHECK(parsed->randomization.strata.empty());
    CHECK(parsed->randomization.list_length == 36);

    doc["randomization"] = j(R"({"method": "simple", "block_sizes": [], "strata": []})");
    CHECK(parse_trial_definition(doc, schema()).has_value());

    doc["randomization"] = j(R"({"method": "simple", "block_sizes": [4, 6]})");
    const auto e = refusal(doc);
    CHECK(e.field == "$.randomization.block_sizes");
    CHECK(e.message ==
          "trial definition: $.randomization.block_sizes: simple randomization "
          "uses no blocks, but block sizes 4, 6 are given; remove block_sizes or "
          "choose permuted-block");
  }

  TEST_CASE("the scheme's method decides whether strata are allowed") {
    auto doc = tongji();
    SUBCASE("permuted blocks with strata") {
      doc["randomization"]["strata"] =
          j(R"([{"field": "gender", "levels": [{"id": "M", "values": ["M"]}]}])");
      const auto e = refusal(doc);
      CHECK(e.field == "$.randomization.strata");
      CHECK(e.message ==
            "trial definition: $.randomization.strata: permuted-block randomization "
            "is not stratified, but strata are given; remove strata or choose "
            "stratified-permuted-block");
    }
    SUBCASE("stratified without strata") {
      doc["randomization"] = j(R"({"method": "stratified-permuted-block", "block_sizes": [4]})");
      const auto e = refusal(doc);
      CHECK(e.field == "$.randomization.strata");
      CHECK(e.message ==
            "trial definition: $.randomization.strata: stratified-permuted-block "
            "randomization needs at least one stratification field (gender or "
            "specialty)");
    }
    SUBCASE("permuted blocks without block sizes") {
      doc["randomization"] = j(R"({"method": "permuted-block"})");
      const auto e = refusal(doc);
      CHECK(e.field == "$.randomization.block_sizes");
      CHECK(e.message ==
            "trial definition: $.randomization.block_sizes: permuted-block "
            "randomization needs at least one block size (for example [4, 6])");
    }
  }

  TEST_CASE("stratum levels are checked with their path") {
    auto doc = tongji();
    doc["randomization"] = j(R"({"method": "stratified-permuted-block", "block_sizes": [4],
      "strata": [{"field": "gender", "levels": [{"id": "M", "values": ["M"]},
                                                {"id": "F", "values": ["F"]}]},
                 {"field": "specialty", "levels": [
                   {"id": "surgical", "values": ["surgery", "anesthesiology"]},
                   {"id": "medical", "values": ["internal medicine", "psychiatry"]}]}]})");
    REQUIRE(parse_trial_definition(doc, schema()).has_value());
    auto& specialty = doc["randomization"]["strata"].as_array()[1];
    SUBCASE("a value in two levels of the same field") {
      specialty["levels"].as_array()[1]["values"].push_back("surgery");
      const auto e = refusal(doc);
      CHECK(e.field == "$.randomization.strata[1].levels[1].values[2]");
      CHECK(e.message ==
            "trial definition: $.randomization.strata[1].levels[1].values[2]: \"surgery\" is "
            "already in level \"surgical\" of specialty "
            "($.randomization.strata[1].levels[0].values[0]); a value may belong to one level "
            "only");
    }
    SUBCASE("the same value in levels of different fields is allowed") {
      specialty["levels"].as_array()[1]["values"].push_back("M");
      CHECK(parse_trial_definition(doc, schema()).has_value());
    }
    SUBCASE("a level id used twice") {
      specialty["levels"].as_array()[1]["id"] = "surgical";
      CHECK(refusal(doc).field == "$.randomization.strata[1].levels[1].id");
    }
    SUBCASE("a field stratified twice") {
      specialty["field"] = "gender";
      const auto e = refusal(doc);
      CHECK(e.field == "$.randomization.strata[1].field");
      CHECK(e.message.find("gender is stratified twice (also at $.randomization.strata[0])") !=
            std::string::npos);
    }
    SUBCASE("a field participants do not have") {
      specialty["field"] = "age";
      CHECK(refusal(doc).field == "$.randomization.strata[1].field");
    }
    SUBCASE("a level id with a space") {
      specialty["levels"].as_array()[0]["id"] = "surgical specialties";
      CHECK(refusal(doc).field == "$.randomization.strata[1].levels[0].id");
    }
    SUBCASE("an empty value") {
      specialty["levels"].as_array()[0]["values"].push_back("");
      CHECK(refusal(doc).field == "$.randomization.strata[1].levels[0].values[2]");
    }
    SUBCASE("a level without values") {
      specialty["levels"].as_array()[0]["values"] = json::array{};
      CHECK(refusal(doc).field == "$.randomization.strata[1].levels[0].values");
    }
  }

  TEST_CASE("the list length defaults to the planned participants and can be set") {
    auto doc = tongji();
    doc["planned_participants"] = 40;
    auto parsed = parse_trial_definition(doc, schema());
    REQUIRE(parsed.has_value());
    CHECK(parsed->randomization.list_length == 40);
    doc["randomization"]["list_length"] = 72;
    parsed = parse_trial_definition(doc, schema());
    REQUIRE(parsed.has_value());
    CHECK(parsed->randomization.list_length == 72);
    doc["randomization"]["list_length"] = 0;
    CHECK(refusal(doc).field == "$.randomization.list_length");
  }
}
