#include "balint/outcomes/assessment.hpp"

#include "balint/core/json.hpp"
#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

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
    const auto refused = [&](const std::string& csv) {
      auto r = outcomes::parse_long_csv(t.trial, t.set, csv);
      REQUIRE_FALSE(r.has_value());
      return r.error();
    };
    auto e = refused(head + "A2,pre,mbi-hss,7,9\n");  // value out of range
    CHECK(e.field == "value");
    CHECK(e.message ==
          "line 24: item 7 of mbi-hss is \"9\"; allowed: 0-6, or empty for a missing answer");
    // field, the row, and what the message says.
    const std::vector<std::array<std::string, 3>> cases = {
        {"item", "A2,pre,msq,21,3", "allowed: 1-20"},
        {"timepoint", "A2,during,msq,1,3", "allowed: pre or post"},
        {"instrument", "A2,pre,satisfaction,1,3", "not planned at time point pre"},
        {"item", "A1,pre,mbi-hss,5,2", "given twice"}};
    for (const auto& [field, row, says] : cases) {
      CAPTURE(row);
      e = refused(head + row + "\n");
      CHECK(e.field == field);
      CHECK(e.message.find(says) != std::string::npos);
    }
    CHECK(refused("code,timepoint,instrument,item,value\n").field == "header");
  }

  TEST_CASE("check_planned accepts post satisfaction and refuses unknown instruments") {
    tongji t;
    CHECK(outcomes::check_planned(t.trial, t.set, "post", "satisfaction").has_value());
    CHECK_FALSE(outcomes::check_planned(t.trial, t.set, "post", "phq-9").has_value());
  }
}
