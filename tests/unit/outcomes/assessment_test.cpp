#include "balint/outcomes/assessment.hpp"

#include "balint/core/json.hpp"
#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace balint;

namespace {

core::json resource(std::string_view path) {
  return core::parse_json(*resources::find(path)).value();
}

struct tongji {
  trial::trial_definition trial;
  outcomes::instrument_set set;
  tongji() {
    trial = trial::parse_trial_definition(resource("schemas/trials/tongji-2020.json"),
                                          resource("schemas/trial.schema.json"))
                .value();
    for (const auto& id : trial.instruments) {
      set.emplace(
          id,
          instruments::parse_instrument(resource("schemas/instruments/" + id + ".json")).value());
    }
  }
};

std::string mbi_rows(const std::string& code, int value) {
  std::string out;
  for (int i = 1; i <= 22; ++i) {
    out += code + ",pre,mbi-hss," + std::to_string(i) + "," + std::to_string(value) + "\n";
  }
  return out;
}

}  // namespace

TEST_SUITE("outcomes") {
  TEST_CASE("long CSV rows become one assessment per participant, time point and instrument") {
    tongji t;
    const std::string csv = "participant,timepoint,instrument,item,value\n" + mbi_rows("A1", 3) +
                            mbi_rows("B2", 6) + "A1,pre,msq,1,5\n";
    auto r = outcomes::parse_long_csv(t.trial, t.set, csv);
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 3);
    CHECK((*r)[0].participant == "A1");
    CHECK((*r)[0].items.size() == 22);
    CHECK((*r)[1].items[21] == 6);
    CHECK((*r)[1].first_line == 24);
    // The msq assessment has only item 1: the other 19 are missing answers.
    CHECK((*r)[2].items.size() == 20);
    CHECK((*r)[2].items[0] == 5);
    CHECK_FALSE((*r)[2].items[1].has_value());
  }

  TEST_CASE("an empty value cell is a missing answer") {
    tongji t;
    auto r = outcomes::parse_long_csv(
        t.trial, t.set, "participant,timepoint,instrument,item,value\nA1,pre,msq,3,\n");
    REQUIRE(r.has_value());
    CHECK_FALSE((*r)[0].items[2].has_value());
  }

  TEST_CASE("a bad row is refused with its line, the field and what is allowed") {
    tongji t;
    const std::string head = "participant,timepoint,instrument,item,value\n" + mbi_rows("A1", 1);
    SUBCASE("value out of range") {
      auto r = outcomes::parse_long_csv(t.trial, t.set, head + "A2,pre,mbi-hss,7,9\n");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "value");
      CHECK(r.error().message ==
            "line 24: item 7 of mbi-hss is \"9\"; allowed: 0-6, or empty for a missing answer");
    }
    SUBCASE("item beyond the instrument") {
      auto r = outcomes::parse_long_csv(t.trial, t.set, head + "A2,pre,msq,21,3\n");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "item");
      CHECK(r.error().message.find("allowed: 1-20") != std::string::npos);
    }
    SUBCASE("unknown time point") {
      auto r = outcomes::parse_long_csv(t.trial, t.set, head + "A2,during,msq,1,3\n");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "timepoint");
      CHECK(r.error().message.find("allowed: pre or post") != std::string::npos);
    }
    SUBCASE("instrument not planned at that time point") {
      auto r = outcomes::parse_long_csv(t.trial, t.set, head + "A2,pre,satisfaction,1,3\n");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "instrument");
      CHECK(r.error().message.find("not planned at time point pre") != std::string::npos);
    }
    SUBCASE("the same item twice") {
      auto r = outcomes::parse_long_csv(t.trial, t.set, head + "A1,pre,mbi-hss,5,2\n");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message.find("given twice") != std::string::npos);
    }
    SUBCASE("a wrong header") {
      auto r = outcomes::parse_long_csv(t.trial, t.set, "code,timepoint,instrument,item,value\n");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "header");
    }
  }

  TEST_CASE("check_planned accepts post satisfaction and refuses unknown instruments") {
    tongji t;
    CHECK(outcomes::check_planned(t.trial, t.set, "post", "satisfaction").has_value());
    CHECK_FALSE(outcomes::check_planned(t.trial, t.set, "post", "phq-9").has_value());
  }
}
