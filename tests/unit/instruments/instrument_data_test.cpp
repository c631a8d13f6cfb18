// Instruments that are not built in: PHQ-9 and GAD-7 from docs/examples/instruments, and a
// made-up one with reverse-scored items, a mean subscale and prorating. Every expected score is
// worked out by hand in the comment beside it.

#include "balint/core/json.hpp"
#include "balint/core/json_schema.hpp"
#include "balint/instruments/instrument.hpp"
#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace core = balint::core;
namespace ins = balint::instruments;

namespace {

core::json read_json(const std::string& relative) {
  std::ifstream in(std::string(BALINT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), relative << " cannot be read");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto doc = core::parse_json(text);
  REQUIRE_MESSAGE(doc.has_value(), relative << ": " << doc.error().message);
  return std::move(doc).value();
}

core::json parse(const std::string& text) {
  auto doc = core::parse_json(text);
  REQUIRE_MESSAGE(doc.has_value(), doc.error().message);
  return std::move(doc).value();
}

const core::json& instrument_schema() {
  static const core::json schema =
      parse(std::string(*balint::resources::find("schemas/instrument.schema.json")));
  return schema;
}

/// The definition in `relative`, checked against the published schema, then parsed.
ins::instrument load(const std::string& relative) {
  const core::json doc = read_json(relative);
  const auto problems = core::validate_json(doc, instrument_schema());
  for (const auto& p : problems) FAIL_CHECK(relative << ": " << p.path << ": " << p.message);
  REQUIRE(problems.empty());
  auto inst = ins::parse_instrument(doc);
  REQUIRE_MESSAGE(inst.has_value(),
                  relative << ": " << inst.error().field << ": " << inst.error().message);
  return std::move(inst).value();
}

const ins::subscale_score& score_of(const std::vector<ins::subscale_score>& scores,
                                    const std::string& id) {
  for (const auto& s : scores) {
    if (s.subscale == id) return s;
  }
  FAIL("no score for subscale " << id);
  return scores.front();
}

/// The label of the band the subscale's score fell in, in `language`; "" without a band.
std::string band_label(const ins::instrument& inst, const ins::subscale_score& s,
                       const std::string& language = "en") {
  if (!s.band_index) return "";
  return inst.find_subscale(s.subscale)->bands.at(*s.band_index).label.in(language);
}

/// The refusal of `text` as an instrument definition: its field (a JSON path).
std::string refused_at(const std::string& text) {
  const auto r = ins::parse_instrument(parse(text));
  REQUIRE_FALSE(r.has_value());
  return r.error().field;
}

const char* const small = R"({"id": "x", "name": "X", "version": "1", "copyright": "none",
    "items": 3, "scale": {"min": 1, "max": 5}, "missing_policy": {"rule": "any-missing"},
    "subscales": [{"id": "a", "label": "A", "items": [1, 2]}]})";

/// `small` with `key` set to the JSON `value` at the top level.
std::string small_with(const std::string& key, const std::string& value) {
  std::string text = small;
  text.insert(1, "\"" + key + "\": " + value + ", ");
  return text;
}

}  // namespace

TEST_SUITE("instruments as data") {
  TEST_CASE("PHQ-9: sums, the severity bands of Kroenke 2001 and the cut-off of 10") {
    const ins::instrument phq = load("docs/examples/instruments/phq-9.json");
    CHECK(phq.id == "phq-9");
    CHECK(phq.item_count == 9);
    CHECK(phq.name.in("zh") == "患者健康问卷-9");
    CHECK(phq.item_scale.labels.at(2).in("en") == "More than half the days");
    CHECK(phq.item_scale.labels.at(2).in("zh") == "一半以上的天数");
    CHECK(phq.item_texts.at(2).in("zh") == "Feeling down, depressed, or hopeless");  // English only
    // 1+2+0+3+1+1+2+0+0 = 10: moderate, a case.
    auto s = score_of(ins::score(phq, {1, 2, 0, 3, 1, 1, 2, 0, 0}), "total");
    CHECK(s.score == 10.0);
    CHECK(band_label(phq, s) == "moderate");
    CHECK(band_label(phq, s, "zh") == "中度");
    CHECK(s.is_case == true);
    // 0+0+1+0+1+1+0+1+0 = 4: minimal, not a case.
    s = score_of(ins::score(phq, {0, 0, 1, 0, 1, 1, 0, 1, 0}), "total");
    CHECK(s.score == 4.0);
    CHECK(band_label(phq, s) == "minimal");
    CHECK(s.is_case == false);
    // 3*6+1 = 19: moderately severe; 3*6+2 = 20: severe (bands run from their lower bound).
    s = score_of(ins::score(phq, {3, 3, 3, 3, 3, 3, 1, 0, 0}), "total");
    CHECK(s.score == 19.0);
    CHECK(band_label(phq, s) == "moderately severe");
    s = score_of(ins::score(phq, {3, 3, 3, 3, 3, 3, 2, 0, 0}), "total");
    CHECK(band_label(phq, s) == "severe");
    // 9 * 3 = 27, the top of the scale.
    CHECK(score_of(ins::score(phq, ins::item_values(9, 3)), "total").score == 27.0);
    // Any missing item makes the total missing (PHQ-9 is not prorated here): no band, no case.
    s = score_of(ins::score(phq, {1, 2, std::nullopt, 3, 1, 1, 2, 0, 0}), "total");
    CHECK_FALSE(s.score.has_value());
    CHECK_FALSE(s.band_index.has_value());
    CHECK_FALSE(s.is_case.has_value());
    CHECK(s.missing == 1);
    // Answers outside 0-3 are refused by validate_items.
    const auto r = ins::validate_items(phq, {0, 0, 0, 4, 0, 0, 0, 0, 0});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "item 4 of phq-9 is 4; allowed: 0-3, or empty for a missing answer");
  }

  TEST_CASE("GAD-7: sums and the severity bands of Spitzer 2006") {
    const ins::instrument gad = load("docs/examples/instruments/gad-7.json");
    CHECK(gad.item_count == 7);
    // 3+3+3+3+3+0+0 = 15: severe; 3+3+3+3+2+0+0 = 14: moderate; 2+1+1+1 = 5: mild.
    auto s = score_of(ins::score(gad, {3, 3, 3, 3, 3, 0, 0}), "total");
    CHECK(s.score == 15.0);
    CHECK(band_label(gad, s) == "severe");
    s = score_of(ins::score(gad, {3, 3, 3, 3, 2, 0, 0}), "total");
    CHECK(s.score == 14.0);
    CHECK(band_label(gad, s) == "moderate");
    CHECK(s.is_case == true);
    s = score_of(ins::score(gad, {2, 1, 1, 1, 0, 0, 0}), "total");
    CHECK(s.score == 5.0);
    CHECK(band_label(gad, s) == "mild");
    CHECK(s.is_case == false);
  }

  TEST_CASE("a made-up instrument: reverse-scored items, a mean subscale, prorating") {
    const ins::instrument tc = load("tests/data/instruments/team-climate.json");
    CHECK(tc.reverse_items == std::vector<int>{2, 5});  // sorted
    CHECK(tc.is_reversed(5));
    CHECK_FALSE(tc.is_reversed(4));
    CHECK(tc.item_scale.labels.at(3).in("zh") == "neither");  // one text for every language
    CHECK(tc.find_subscale("strain")->label.in("zh") == "压力");
    CHECK(tc.find_subscale("support")->scoring == ins::scoring_rule::sum);
    CHECK(tc.find_subscale("strain")->scoring == ins::scoring_rule::mean);

    SUBCASE("complete answers") {
      // Answers 4 2 5 3 1 2; items 2 and 5 reversed on 1-5: 6-2 = 4 and 6-1 = 5.
      const auto s = ins::score(tc, {4, 2, 5, 3, 1, 2});
      CHECK(score_of(s, "support").score == 13.0);  // 4 + 4 + 5
      // (3 + 5 + 2) / 3 = 10/3: from 2.5 up to 3.5 is "middle".
      REQUIRE(score_of(s, "strain").score.has_value());
      CHECK(*score_of(s, "strain").score == doctest::Approx(10.0 / 3.0).epsilon(1e-15));
      CHECK(band_label(tc, score_of(s, "strain")) == "middle");
      CHECK(score_of(s, "total").score == 23.0);     // 4 + 4 + 5 + 3 + 5 + 2
      CHECK(score_of(s, "total").is_case == false);  // 23 > 15
    }
    SUBCASE("one missing item per subscale is prorated") {
      // Item 3 missing: support = (4 + 4) / 2 * 3 = 12; total = (4+4+3+5+2) / 5 * 6 = 21.6.
      const auto s = ins::score(tc, {4, 2, std::nullopt, 3, 1, 2});
      CHECK(score_of(s, "support").score == 12.0);
      REQUIRE(score_of(s, "total").score.has_value());
      CHECK(*score_of(s, "total").score == doctest::Approx(21.6).epsilon(1e-15));
      CHECK(score_of(s, "support").missing == 1);
      // Item 5 missing: strain is the mean of 3 and 2 = 2.5, the first value of "middle".
      const auto t = ins::score(tc, {4, 2, 5, 3, std::nullopt, 2});
      CHECK(score_of(t, "strain").score == 2.5);
      CHECK(band_label(tc, score_of(t, "strain")) == "middle");
    }
    SUBCASE("two missing items in a subscale leave it missing") {
      // Items 1 and 3 missing: support has 2 > 1 missing; total has 2 > 1 missing.
      const auto s = ins::score(tc, {std::nullopt, 2, std::nullopt, 3, 1, 2});
      CHECK_FALSE(score_of(s, "support").score.has_value());
      CHECK_FALSE(score_of(s, "total").score.has_value());
      CHECK(score_of(s, "strain").score.has_value());
    }
    SUBCASE("a low total is a case: all 1 with reversed items 1 -> 5") {
      // 1 + 5 + 1 + 1 + 5 + 1 = 14 <= 15.
      const auto s = ins::score(tc, ins::item_values(6, 1));
      CHECK(score_of(s, "total").score == 14.0);
      CHECK(score_of(s, "total").is_case == true);
      // Strain (1 + 5 + 1) / 3 = 2.333: "low".
      CHECK(band_label(tc, score_of(s, "strain")) == "low");
    }
  }

  TEST_CASE("the built-in instruments still pass the schema and score as before") {
    for (const char* id : {"mbi-hss", "msq", "satisfaction", "achievements", "willingness"}) {
      CAPTURE(id);
      const auto doc = parse(std::string(
          *balint::resources::find(std::string("schemas/instruments/") + id + ".json")));
      CHECK(core::validate_json(doc, instrument_schema()).empty());
    }
  }

  TEST_CASE("a broken definition is refused with the JSON path of what is wrong") {
    // A subscale naming an item the instrument does not have.
    CHECK(refused_at(R"({"id": "x", "name": "X", "items": 3, "scale": {"min": 1, "max": 5},
        "subscales": [{"id": "a", "items": [1]}, {"id": "t", "items": [1, 2, 4]}]})") ==
          "$.subscales[1].items[2]");
    // Duplicate subscale ids.
    CHECK(refused_at(R"({"id": "x", "name": "X", "items": 3, "scale": {"min": 1, "max": 5},
        "subscales": [{"id": "a", "items": [1]}, {"id": "a", "items": [2]}]})") ==
          "$.subscales[1].id");
    // The same item twice in a subscale.
    CHECK(refused_at(R"({"id": "x", "name": "X", "items": 3, "scale": {"min": 1, "max": 5},
        "subscales": [{"id": "a", "items": [1, 3, 1]}]})") == "$.subscales[0].items[2]");
    // A label for an answer outside the scale.
    CHECK(refused_at(R"({"id": "x", "name": "X", "items": 3,
        "scale": {"min": 1, "max": 5, "labels": {"1": "no", "6": "more than yes"}},
        "subscales": [{"id": "a", "items": [1]}]})") == R"($.scale.labels["6"])");
    // A reverse-scored item the instrument does not have.
    CHECK(refused_at(small_with("reverse_items", "[2, 4]")) == "$.reverse_items[1]");
    // Wording for item 0.
    CHECK(refused_at(small_with("item_texts", R"({"0": "zero"})")) == R"($.item_texts["0"])");
    // Bands that do not ascend.
    CHECK(refused_at(R"({"id": "x", "name": "X", "items": 3, "scale": {"min": 1, "max": 5},
        "subscales": [{"id": "a", "items": [1], "bands": [{"from": 0, "label": "low"},
        {"from": 0, "label": "high"}]}]})") == "$.subscales[0].bands[1].from");
    // Scale min above max.
    CHECK(refused_at(R"({"id": "x", "name": "X", "items": 3, "scale": {"min": 5, "max": 1},
        "subscales": [{"id": "a", "items": [1]}]})") == "$.scale");
    // A label that is neither a text nor an object of texts.
    CHECK(refused_at(R"({"id": "x", "name": [], "items": 3, "scale": {"min": 1, "max": 5},
        "subscales": [{"id": "a", "items": [1]}]})") == "$.name");
  }

  TEST_CASE("inside a trial config the path starts at the definition's place") {
    const auto r = ins::parse_instrument(
        parse(R"({"id": "x", "name": "X", "items": 3, "scale": {"min": 1, "max": 5},
            "subscales": [{"id": "a", "items": [1, 9]}]})"),
        "$.instruments[2]");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$.instruments[2].subscales[0].items[1]");
    CHECK(r.error().message == "subscale a of x lists item 9; allowed: item numbers 1-3");
  }

  TEST_CASE("the schema refuses what the parser would not see") {
    // An unknown scoring rule and a language tag that is not one.
    const auto doc = parse(small_with("scoring", R"("median")"));
    const auto problems = core::validate_json(doc, instrument_schema());
    REQUIRE_FALSE(problems.empty());
    CHECK(problems.front().path == "$.scoring");
    const auto tag = parse(small_with("item_texts", R"({"1": {"English": "one"}})"));
    CHECK_FALSE(core::validate_json(tag, instrument_schema()).empty());
  }
}
