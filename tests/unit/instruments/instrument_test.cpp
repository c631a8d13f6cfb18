#include "balint/instruments/instrument.hpp"

#include "balint/core/json.hpp"
#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace core = balint::core;
namespace ins = balint::instruments;

namespace {

// DESIGN.md, "Instruments": the subscale item lists, written out here independently of the JSON.
const std::vector<int> ee_items{1, 2, 3, 6, 8, 13, 14, 16, 20};
const std::vector<int> dp_items{5, 10, 11, 15, 22};
const std::vector<int> pa_items{4, 7, 9, 12, 17, 18, 19, 21};
const std::vector<int> intrinsic_items{1, 2, 3, 4, 7, 8, 9, 10, 11, 15, 16, 20};
const std::vector<int> extrinsic_items{5, 6, 12, 13, 14, 19};

ins::instrument load(const std::string& id) {
  const auto text = balint::resources::find("schemas/instruments/" + id + ".json");
  REQUIRE_MESSAGE(text.has_value(), "schemas/instruments/" << id << ".json is not embedded");
  const auto doc = core::parse_json(*text);
  REQUIRE_MESSAGE(doc.has_value(), id << ": " << doc.error().message);
  auto inst = ins::parse_instrument(*doc);
  REQUIRE_MESSAGE(inst.has_value(),
                  id << ": " << inst.error().field << ": " << inst.error().message);
  return std::move(inst).value();
}

ins::item_values all(int n, int value) { return ins::item_values(n, value); }

// Answers that give `target` on the listed items: 6s first, the remainder on the next item.
ins::item_values mbi_with(const std::vector<int>& items, int target) {
  ins::item_values v = all(22, 0);
  for (const int item : items) {
    const int put = std::min(6, target);
    v[item - 1] = put;
    target -= put;
  }
  REQUIRE(target == 0);
  return v;
}

const ins::subscale_score& find_score(const std::vector<ins::subscale_score>& scores,
                                      const std::string& id) {
  for (const auto& s : scores) {
    if (s.subscale == id) return s;
  }
  FAIL("no score for subscale " << id);
  return scores.front();
}

core::json parse(const char* text) {
  auto doc = core::parse_json(text);
  REQUIRE(doc.has_value());
  return std::move(doc).value();
}

}  // namespace

TEST_SUITE("instruments") {
  TEST_CASE("every instrument definition in schemas/instruments parses") {
    for (const char* id : {"mbi-hss", "msq", "satisfaction", "achievements", "willingness"}) {
      CAPTURE(id);
      const ins::instrument inst = load(id);
      CHECK(inst.id == id);
      CHECK(inst.missing.rule == ins::missing_rule::any_missing);
      CHECK_FALSE(inst.subscales.empty());
    }
  }

  TEST_CASE("the MBI-HSS definition matches the trial protocol") {
    const ins::instrument mbi = load("mbi-hss");
    CHECK(mbi.item_count == 22);
    CHECK(mbi.item_scale.min == 0);
    CHECK(mbi.item_scale.max == 6);
    CHECK(mbi.item_scale.labels.at(0).text() == "never");
    CHECK(mbi.item_scale.labels.at(6).text() == "every day");
    REQUIRE(mbi.find_subscale("ee") != nullptr);
    REQUIRE(mbi.find_subscale("dp") != nullptr);
    REQUIRE(mbi.find_subscale("pa") != nullptr);
    CHECK(mbi.find_subscale("total") == nullptr);
    CHECK(mbi.find_subscale("ee")->items == ee_items);
    CHECK(mbi.find_subscale("dp")->items == dp_items);
    CHECK(mbi.find_subscale("pa")->items == pa_items);
    const auto& pa_rule = mbi.find_subscale("pa")->caseness;
    REQUIRE(pa_rule.has_value());
    CHECK(pa_rule->op == ins::comparison::at_most);
    CHECK(pa_rule->threshold == 33);
    CHECK(pa_rule->label.text() == "low personal accomplishment");
  }

  TEST_CASE("MBI-HSS subscales are the sums of their items") {
    const ins::instrument mbi = load("mbi-hss");
    ins::item_values v(22);
    for (int i = 1; i <= 22; ++i) v[i - 1] = i % 7;  // 1 2 3 4 5 6 0 1 2 ...
    REQUIRE(ins::validate_items(mbi, v).has_value());

    auto by_hand = [&](const std::vector<int>& items) {
      return std::accumulate(items.begin(), items.end(), 0, [](int a, int i) { return a + i % 7; });
    };
    CHECK(by_hand(ee_items) == 27);  // 1+2+3+6+1+6+0+2+6
    CHECK(by_hand(dp_items) == 14);  // 5+3+4+1+1
    CHECK(by_hand(pa_items) == 23);  // 4+0+2+5+3+4+5+0

    const auto scores = ins::score(mbi, v);
    REQUIRE(scores.size() == 3);
    CHECK(scores[0].subscale == "ee");
    CHECK(find_score(scores, "ee").score == 27.0);
    CHECK(find_score(scores, "dp").score == 14.0);
    CHECK(find_score(scores, "pa").score == 23.0);
    CHECK(find_score(scores, "ee").answered == 9);
    CHECK(find_score(scores, "ee").missing == 0);
    CHECK(find_score(scores, "ee").is_case == true);
    CHECK(find_score(scores, "dp").is_case == true);
    CHECK(find_score(scores, "pa").is_case == true);
    CHECK(ins::score_subscale(mbi, *mbi.find_subscale("dp"), v) == 14.0);
  }

  TEST_CASE("MBI-HSS caseness applies exactly at the published cut-offs") {
    const ins::instrument mbi = load("mbi-hss");
    auto is_case = [&](const std::vector<int>& items, const char* id, int target) {
      const auto scores = ins::score(mbi, mbi_with(items, target));
      const auto& s = find_score(scores, id);
      REQUIRE(s.score == static_cast<double>(target));
      REQUIRE(s.is_case.has_value());
      return *s.is_case;
    };
    SUBCASE("emotional exhaustion: 26 is not high, 27 is") {
      CHECK_FALSE(is_case(ee_items, "ee", 26));
      CHECK(is_case(ee_items, "ee", 27));
    }
    SUBCASE("depersonalization: 9 is not high, 10 is") {
      CHECK_FALSE(is_case(dp_items, "dp", 9));
      CHECK(is_case(dp_items, "dp", 10));
    }
    SUBCASE("personal accomplishment: 33 is low, 34 is not") {
      CHECK(is_case(pa_items, "pa", 33));
      CHECK_FALSE(is_case(pa_items, "pa", 34));
    }
  }

  TEST_CASE("under any-missing a subscale with a missing item has no score") {
    const ins::instrument mbi = load("mbi-hss");
    ins::item_values v = all(22, 3);
    v[0] = std::nullopt;  // item 1 belongs to EE only
    REQUIRE(ins::validate_items(mbi, v).has_value());
    const auto scores = ins::score(mbi, v);
    const auto& ee = find_score(scores, "ee");
    CHECK_FALSE(ee.score.has_value());
    CHECK_FALSE(ee.is_case.has_value());
    CHECK(ee.answered == 8);
    CHECK(ee.missing == 1);
    CHECK(find_score(scores, "dp").score == 15.0);
    CHECK(find_score(scores, "pa").score == 24.0);
  }

  TEST_CASE("under prorate a subscale is the mean of its answered items times its item count") {
    ins::instrument mbi = load("mbi-hss");
    mbi.missing = {ins::missing_rule::prorate, 1};
    const ins::subscale& ee = *mbi.find_subscale("ee");
    // EE items 1 2 3 6 are 6, item 8 is 2, the rest 0; without item 1, 20 on 8 answered items.
    ins::item_values v = mbi_with(ee_items, 26);
    v[0] = std::nullopt;
    CHECK(ins::score_subscale(mbi, ee, v) == doctest::Approx(20.0 / 8 * 9));
    SUBCASE("more missing items than max_missing leave it missing") {
      v[1] = std::nullopt;
      CHECK_FALSE(ins::score_subscale(mbi, ee, v).has_value());
    }
    SUBCASE("a complete subscale is its plain sum") {
      CHECK(ins::score_subscale(mbi, ee, mbi_with(ee_items, 26)) == 26.0);
    }
  }

  TEST_CASE("a prorate policy is read from the definition") {
    const auto inst = ins::parse_instrument(parse(R"({"id": "x", "name": "X", "items": 3,
        "scale": {"min": 1, "max": 5}, "missing_policy": {"rule": "prorate", "max_missing": 1},
        "subscales": [{"id": "t", "label": "Total", "items": [1, 2, 3]}]})"));
    REQUIRE(inst.has_value());
    CHECK(inst->missing.rule == ins::missing_rule::prorate);
    CHECK(inst->missing.max_missing == 1);
    const auto scores = ins::score(*inst, {4, std::nullopt, 5});
    CHECK(scores.at(0).score == doctest::Approx(13.5));
  }

  TEST_CASE("a wrong number of answers is refused naming both counts") {
    const ins::instrument mbi = load("mbi-hss");
    const auto r = ins::validate_items(mbi, all(21, 1));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == core::error_code::invalid_input);
    CHECK(r.error().field == "items");
    CHECK(r.error().message == "mbi-hss has 22 items; 21 values were given");
  }

  TEST_CASE("an answer outside the scale is refused naming the item, the value and the range") {
    const ins::instrument mbi = load("mbi-hss");
    ins::item_values v = all(22, 2);
    SUBCASE("above the maximum") {
      v[6] = 9;
      const auto r = ins::validate_items(mbi, v);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "item 7");
      CHECK(r.error().message ==
            "item 7 of mbi-hss is 9; allowed: 0-6, or empty for a missing answer");
    }
    SUBCASE("below the minimum") {
      v[21] = -1;
      const auto r = ins::validate_items(mbi, v);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "item 22");
    }
    SUBCASE("MSQ starts at 1") {
      const ins::instrument msq = load("msq");
      const auto r = ins::validate_items(msq, all(20, 0));
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message == "item 1 of msq is 0; allowed: 1-5, or empty for a missing answer");
    }
  }

  TEST_CASE("MSQ total runs from 20 to 100 and splits into intrinsic and extrinsic") {
    const ins::instrument msq = load("msq");
    CHECK(msq.item_count == 20);
    REQUIRE(msq.find_subscale("intrinsic") != nullptr);
    REQUIRE(msq.find_subscale("extrinsic") != nullptr);
    CHECK(msq.find_subscale("intrinsic")->items == intrinsic_items);
    CHECK(msq.find_subscale("extrinsic")->items == extrinsic_items);
    const ins::subscale& total = *msq.find_subscale("total");
    CHECK(total.items.size() == 20);
    CHECK(ins::score_subscale(msq, total, all(20, 1)) == 20.0);
    CHECK(ins::score_subscale(msq, total, all(20, 5)) == 100.0);
    const auto high = ins::score(msq, all(20, 5));
    CHECK(find_score(high, "intrinsic").score == 60.0);
    CHECK(find_score(high, "extrinsic").score == 30.0);
    CHECK_FALSE(find_score(high, "total").is_case.has_value());
  }

  TEST_CASE("programme questionnaires score one subscale per item plus a total") {
    const ins::instrument sat = load("satisfaction");
    const auto scores = ins::score(sat, {5, 4, 3, 2});
    CHECK(find_score(scores, "activity-time").score == 5.0);
    CHECK(find_score(scores, "group-atmosphere").score == 2.0);
    CHECK(find_score(scores, "total").score == 14.0);
    const ins::instrument ach = load("achievements");
    CHECK(ach.item_count == 5);
    CHECK(find_score(ins::score(ach, all(5, 1)), "occupational-identity").score == 1.0);
    const ins::instrument will = load("willingness");
    CHECK(will.item_scale.labels.at(1).text() == "yes");
    CHECK(find_score(ins::score(will, {1}), "willing").score == 1.0);
    CHECK_FALSE(ins::validate_items(will, {2}).has_value());
  }

  TEST_CASE("an item list is parsed with empty values as missing answers") {
    const ins::instrument sat = load("satisfaction");
    const auto v = ins::parse_item_list(sat, "3,4,,5");
    REQUIRE(v.has_value());
    CHECK(*v == ins::item_values{3, 4, std::nullopt, 5});
    CHECK(ins::parse_item_list(sat, " 1, 2 ,3,4").has_value());
    SUBCASE("a value that is not a whole number is refused") {
      const auto r = ins::parse_item_list(sat, "3,4,x,5");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "items");
      CHECK(r.error().message ==
            "item 3 of satisfaction is \"x\"; allowed: 1-5, or empty for a missing answer");
      CHECK_FALSE(ins::parse_item_list(sat, "3,4,2.5,5").has_value());
    }
    SUBCASE("the count is checked before the values") {
      const auto r = ins::parse_item_list(sat, "3,4,9");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message == "satisfaction has 4 items; 3 values were given");
    }
    SUBCASE("the range is checked as validate_items does") {
      const auto r = ins::parse_item_list(sat, "3,4,9,5");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "item 3");
    }
  }

  TEST_CASE("a definition with an item number outside 1..items is refused") {
    const auto r = ins::parse_instrument(parse(R"({"id": "x", "name": "X", "items": 3,
        "scale": {"min": 1, "max": 5}, "missing_policy": {"rule": "any-missing"},
        "subscales": [{"id": "a", "items": [1]}, {"id": "t", "items": [1, 2, 4]}]})"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$.subscales[1].items[2]");
    CHECK(r.error().message == "subscale t of x lists item 4; allowed: item numbers 1-3");
  }

  TEST_CASE("a definition with a repeated subscale id or unknown operator is refused") {
    SUBCASE("repeated id") {
      const auto r = ins::parse_instrument(parse(R"({"id": "x", "name": "X", "items": 2,
          "scale": {"min": 1, "max": 5},
          "subscales": [{"id": "a", "items": [1]}, {"id": "a", "items": [2]}]})"));
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "$.subscales[1].id");
    }
    SUBCASE("unknown operator") {
      const auto r = ins::parse_instrument(parse(R"({"id": "x", "name": "X", "items": 2,
          "scale": {"min": 1, "max": 5}, "subscales": [{"id": "a", "items": [1],
          "caseness": {"operator": ">", "threshold": 3}}]})"));
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().field == "$.subscales[0].caseness.operator");
    }
  }
}
