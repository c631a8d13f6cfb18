// generate(scheme, arms, seed) -> the list of every stratum; stratum_names / stratum_of;
// canonical_encoding / commitment; compare_lists; check_block_balance. The golden lists come
// from tests/data/randomization/make_golden.py, an independent Python implementation of
// docs/randomization.md.

#include "balint/randomization/allocation_list.hpp"

#include "balint/core/json.hpp"
#include "balint/resources/resources.hpp"
#include "balint/trial/trial_definition.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace rnd = balint::randomization;
using balint::core::json;
using balint::trial::arm;
using balint::trial::randomization_scheme;

namespace {

json parse(std::string_view text) {
  auto parsed = balint::core::parse_json(text);
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().message));
  return std::move(parsed).value();
}

json resource(std::string_view path) {
  const auto text = balint::resources::find(path);
  REQUIRE_MESSAGE(text.has_value(), std::string(path));
  return parse(*text);
}

// The Tongji definition with the given arm ratios, randomization member and planned size,
// read through parse_trial_definition, so the scheme's defaults are the parser's.
balint::trial::trial_definition trial_with(const std::vector<int>& ratios,
                                           const json& randomization, int planned = 36) {
  json doc = resource("schemas/trials/tongji-2020.json");
  for (std::size_t i = 0; i < ratios.size(); ++i) doc["arms"].as_array()[i]["ratio"] = ratios[i];
  doc["randomization"] = randomization;
  doc["planned_participants"] = planned;
  auto parsed = balint::trial::parse_trial_definition(doc, resource("schemas/trial.schema.json"));
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().message));
  return std::move(parsed).value();
}

balint::trial::trial_definition tongji() {
  return trial_with({1, 1}, parse(R"({"method": "permuted-block", "block_sizes": [36],
                                      "strata": []})"));
}

balint::trial::trial_definition blocks_4_6() {
  return trial_with({1, 1}, parse(R"({"method": "permuted-block", "block_sizes": [4, 6],
                                      "list_length": 30})"));
}

balint::trial::trial_definition two_to_one_by_gender() {
  return trial_with({2, 1}, parse(R"({"method": "stratified-permuted-block",
    "block_sizes": [3, 6], "list_length": 20,
    "strata": [{"field": "gender", "levels": [{"id": "M", "values": ["M"]},
                                              {"id": "F", "values": ["F"]}]}]})"));
}

balint::trial::trial_definition by_gender_and_specialty() {
  return trial_with({1, 1}, parse(R"({"method": "stratified-permuted-block",
    "block_sizes": [4], "list_length": 8,
    "strata": [{"field": "gender", "levels": [{"id": "M", "values": ["M"]},
                                              {"id": "F", "values": ["F"]}]},
               {"field": "specialty", "levels": [
                 {"id": "surgical", "values": ["surgery", "anesthesiology",
                                               "gynecology and obstetrics", "ophthalmology"]},
                 {"id": "medical", "values": ["family medicine", "internal medicine",
                                              "psychiatry", "neurology", "emergency medicine",
                                              "radiology"]}]}]})"));
}

json golden() {
  std::ifstream in(std::string(BALINT_SOURCE_DIR) + "/tests/data/randomization/golden.json");
  REQUIRE_MESSAGE(in.good(), "tests/data/randomization/golden.json is missing");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str());
}

int count_arm(const rnd::stratum_list& list, std::string_view arm_id) {
  int n = 0;
  for (const auto& e : list.entries) n += e.arm == arm_id ? 1 : 0;
  return n;
}

std::string arms_of(const rnd::stratum_list& list) {
  std::string out;
  for (const auto& e : list.entries) out += e.arm.substr(0, 1);
  return out;
}

}  // namespace

TEST_SUITE("randomization") {
  TEST_CASE("Boost's mt19937 and uniform_int_distribution give the numbers FACTS.md pins") {
    boost::random::mt19937 engine(20161012U);
    boost::random::uniform_int_distribution<int> d(0, 35);
    std::vector<int> draws;
    for (int i = 0; i < 10; ++i) draws.push_back(d(engine));
    CHECK(draws == std::vector<int>{7, 4, 12, 14, 27, 9, 30, 14, 34, 27});
  }

  TEST_CASE("generate gives exactly the golden lists of the independent Python implementation") {
    const json doc = golden();
    const auto& cases = doc.find("cases")->as_array();
    REQUIRE(cases.size() == 12);
    for (const auto& c : cases) {
      const auto name = c.find("name")->as_string();
      const auto seed = static_cast<std::uint32_t>(c.find("seed")->as_int());
      CAPTURE(name);
      CAPTURE(seed);
      std::vector<int> ratios;
      for (const auto& a : c.find("arms")->as_array()) {
        ratios.push_back(static_cast<int>(a.find("ratio")->as_int()));
      }
      const auto t = trial_with(ratios, *c.find("randomization"),
                                static_cast<int>(c.find("planned_participants")->as_int()));
      std::vector<rnd::stratum_list> expected;
      for (const auto& l : c.find("lists")->as_array()) {
        rnd::stratum_list list{l.find("stratum")->as_string(), {}};
        for (const auto& e : l.find("entries")->as_array()) {
          const auto& v = e.as_array();
          list.entries.push_back({static_cast<int>(v[0].as_int()), static_cast<int>(v[1].as_int()),
                                  static_cast<int>(v[2].as_int()), v[3].as_string()});
        }
        expected.push_back(std::move(list));
      }
      const auto lists = rnd::generate(t.randomization, t.arms, seed);
      CHECK(lists == expected);
      CHECK(rnd::compare_lists(expected, lists) == std::nullopt);
      CHECK(rnd::commitment(t.randomization, t.arms, seed, c.find("salt")->as_string(), lists) ==
            c.find("commitment")->as_string());
    }
  }

  TEST_CASE("extensions give exactly the golden extensions of the independent implementation") {
    const json doc = golden();
    const auto& cases = doc.find("cases")->as_array();
    const auto* extension_cases = doc.find("extension_cases");
    REQUIRE(extension_cases != nullptr);
    REQUIRE(extension_cases->as_array().size() == 4);
    for (const auto& x : extension_cases->as_array()) {
      const auto name = x.find("name")->as_string();
      CAPTURE(name);
      const auto seed = static_cast<std::uint32_t>(x.find("seed")->as_int());
      const auto planned = std::find_if(cases.begin(), cases.end(), [&](const json& c) {
        return c.find("name")->as_string() == name && c.find("seed")->as_int() == seed;
      });
      REQUIRE(planned != cases.end());
      std::vector<int> ratios;
      for (const auto& a : planned->find("arms")->as_array()) {
        ratios.push_back(static_cast<int>(a.find("ratio")->as_int()));
      }
      const auto t = trial_with(ratios, *planned->find("randomization"),
                                static_cast<int>(planned->find("planned_participants")->as_int()));
      auto lists = rnd::generate(t.randomization, t.arms, seed);
      std::string previous = planned->find("commitment")->as_string();
      for (const auto& e : x.find("extensions")->as_array()) {
        const auto segment = static_cast<int>(e.find("segment")->as_int());
        const auto e_seed = static_cast<std::uint32_t>(e.find("seed")->as_int());
        const auto blocks = static_cast<int>(e.find("blocks")->as_int());
        CAPTURE(segment);
        std::vector<rnd::stratum_list> expected;
        for (const auto& l : e.find("lists")->as_array()) {
          rnd::stratum_list list{l.find("stratum")->as_string(), {}};
          for (const auto& entry : l.find("entries")->as_array()) {
            const auto& v = entry.as_array();
            list.entries.push_back({static_cast<int>(v[0].as_int()),
                                    static_cast<int>(v[1].as_int()),
                                    static_cast<int>(v[2].as_int()), v[3].as_string()});
          }
          expected.push_back(std::move(list));
        }
        const auto added = rnd::extension(t.randomization, t.arms, e_seed, blocks, lists);
        CHECK(added == expected);
        const auto commitment = rnd::extension_commitment(
            t.randomization, previous, segment, e_seed, e.find("salt")->as_string(), blocks, added);
        CHECK(commitment == e.find("commitment")->as_string());
        for (auto& l : lists) {
          for (const auto& a : added) {
            if (a.stratum == l.stratum)
              l.entries.insert(l.entries.end(), a.entries.begin(), a.entries.end());
          }
        }
        previous = commitment;
      }
    }
  }

  TEST_CASE("the same seed gives the same list and a different seed a different one") {
    const auto t = blocks_4_6();
    const auto a = rnd::generate(t.randomization, t.arms, 20161012U);
    CHECK(rnd::generate(t.randomization, t.arms, 20161012U) == a);
    CHECK(rnd::generate(t.randomization, t.arms, 20161013U) != a);
    const auto s = two_to_one_by_gender();
    CHECK(rnd::generate(s.randomization, s.arms, 7U) == rnd::generate(s.randomization, s.arms, 7U));
    CHECK(rnd::generate(s.randomization, s.arms, 7U) != rnd::generate(s.randomization, s.arms, 8U));
  }

  TEST_CASE("the Tongji default is one block of 36 with 18 in each arm") {
    const auto t = tongji();
    CHECK(t.randomization.list_length == 36);
    for (const std::uint32_t seed : {20161012U, 1U, 4294967295U, 0U}) {
      const auto lists = rnd::generate(t.randomization, t.arms, seed);
      REQUIRE(lists.size() == 1);
      CHECK(lists[0].stratum == "all");
      REQUIRE(lists[0].entries.size() == 36);
      CHECK(count_arm(lists[0], "intervention") == 18);
      CHECK(count_arm(lists[0], "waitlist") == 18);
      for (std::size_t i = 0; i < 36; ++i) {
        CHECK(lists[0].entries[i].position == static_cast<int>(i) + 1);
        CHECK(lists[0].entries[i].block == 1);
        CHECK(lists[0].entries[i].block_size == 36);
      }
      CHECK(rnd::check_block_balance(lists[0], t.arms) == std::nullopt);
    }
  }

  TEST_CASE("every completed block is balanced for block sizes 4 and 6 and for a 2:1 ratio") {
    for (const auto& t : {blocks_4_6(), two_to_one_by_gender()}) {
      for (std::uint32_t seed = 0; seed < 50; ++seed) {
        for (const auto& list : rnd::generate(t.randomization, t.arms, seed)) {
          CAPTURE(list.stratum);
          CHECK(static_cast<int>(list.entries.size()) >= t.randomization.list_length);
          CHECK(rnd::check_block_balance(list, t.arms) == std::nullopt);
          // Every prefix, as used during the trial, is balanced in its completed blocks.
          for (std::size_t used = 0; used <= list.entries.size(); used += 5) {
            rnd::stratum_list prefix{
                list.stratum,
                {list.entries.begin(), list.entries.begin() + static_cast<std::ptrdiff_t>(used)}};
            CHECK(rnd::check_block_balance(prefix, t.arms) == std::nullopt);
          }
          for (const auto& e : list.entries) {
            CHECK((e.block_size == 3 || e.block_size == 4 || e.block_size == 6));
          }
        }
      }
    }
  }

  TEST_CASE("blocks of random size complete the last block beyond the list length") {
    const auto t = blocks_4_6();
    bool longer = false;
    for (std::uint32_t seed = 0; seed < 50; ++seed) {
      const auto lists = rnd::generate(t.randomization, t.arms, seed);
      const auto size = static_cast<int>(lists[0].entries.size());
      CHECK(size >= 30);
      CHECK(size < 30 + 6);
      const auto& last = lists[0].entries.back();
      int in_last_block = 0;
      for (const auto& e : lists[0].entries) in_last_block += e.block == last.block ? 1 : 0;
      CHECK(in_last_block == last.block_size);
      longer = longer || size > 30;
    }
    CHECK(longer);
  }

  TEST_CASE("simple randomization draws every position on its own with block 0") {
    const auto t = trial_with({1, 1}, parse(R"({"method": "simple", "list_length": 200})"));
    const auto lists = rnd::generate(t.randomization, t.arms, 99U);
    REQUIRE(lists.size() == 1);
    REQUIRE(lists[0].entries.size() == 200);
    for (const auto& e : lists[0].entries) CHECK(e.block == 0);
    const int n = count_arm(lists[0], "intervention");
    CHECK(n > 70);
    CHECK(n < 130);
  }

  TEST_CASE("an extension appends whole balanced blocks to every stratum, numbered on") {
    const auto t = two_to_one_by_gender();
    const auto planned = rnd::generate(t.randomization, t.arms, 5U);
    const auto added = rnd::extension(t.randomization, t.arms, 99U, 3, planned);
    REQUIRE(added.size() == planned.size());
    for (std::size_t s = 0; s < added.size(); ++s) {
      const auto& before = planned[s];
      const auto& more = added[s];
      CAPTURE(more.stratum);
      CHECK(more.stratum == before.stratum);
      REQUIRE_FALSE(more.entries.empty());
      // Positions and blocks continue after the planned ones, without gaps.
      CHECK(more.entries.front().position == before.entries.back().position + 1);
      CHECK(more.entries.front().block == before.entries.back().block + 1);
      CHECK(more.entries.back().block == before.entries.back().block + 3);
      for (std::size_t i = 1; i < more.entries.size(); ++i) {
        CHECK(more.entries[i].position == more.entries[i - 1].position + 1);
      }
      // The whole list, planned and extended, has only completed, balanced blocks.
      rnd::stratum_list whole = before;
      whole.entries.insert(whole.entries.end(), more.entries.begin(), more.entries.end());
      CHECK(rnd::check_block_balance(whole, t.arms) == std::nullopt);
      int in_blocks = 0;
      for (int b = before.entries.back().block + 1; b <= before.entries.back().block + 3; ++b) {
        for (const auto& e : more.entries) in_blocks += e.block == b ? 1 : 0;
      }
      CHECK(in_blocks == static_cast<int>(more.entries.size()));
    }
    // The same seed gives the same extension; the planned list is untouched by it.
    CHECK(rnd::extension(t.randomization, t.arms, 99U, 3, planned) == added);
    CHECK(rnd::extension(t.randomization, t.arms, 98U, 3, planned) != added);
    CHECK(rnd::generate(t.randomization, t.arms, 5U) == planned);
  }

  TEST_CASE("a second extension continues after the first; simple draws N positions") {
    const auto t = tongji();
    auto list = rnd::generate(t.randomization, t.arms, 1U);
    REQUIRE(list[0].entries.size() == 36);
    const auto first = rnd::extension(t.randomization, t.arms, 2U, 1, list);
    CHECK(first[0].entries.front().position == 37);
    CHECK(first[0].entries.size() == 36);  // one block of the scheme's size
    list[0].entries.insert(list[0].entries.end(), first[0].entries.begin(), first[0].entries.end());
    const auto second = rnd::extension(t.randomization, t.arms, 3U, 2, list);
    CHECK(second[0].entries.front().position == 73);
    CHECK(second[0].entries.front().block == 3);
    CHECK(second[0].entries.size() == 72);
    const auto simple = trial_with({1, 1}, parse(R"({"method": "simple", "list_length": 10})"));
    const auto drawn = rnd::generate(simple.randomization, simple.arms, 4U);
    const auto more = rnd::extension(simple.randomization, simple.arms, 6U, 5, drawn);
    REQUIRE(more[0].entries.size() == 5);
    CHECK(more[0].entries.front().position == 11);
    for (const auto& e : more[0].entries) CHECK(e.block == 0);
  }

  TEST_CASE("an extension's commitment covers the chain, its seed, salt and every arm") {
    const auto t = tongji();
    const auto list = rnd::generate(t.randomization, t.arms, 1U);
    const auto added = rnd::extension(t.randomization, t.arms, 2U, 1, list);
    const auto base =
        rnd::extension_commitment(t.randomization, "sha256:aa", 2, 2U, "00", 1, added);
    CHECK(base.rfind("sha256:", 0) == 0);
    CHECK(base.size() == 7 + 64);
    CHECK(rnd::extension_commitment(t.randomization, "sha256:ab", 2, 2U, "00", 1, added) != base);
    CHECK(rnd::extension_commitment(t.randomization, "sha256:aa", 3, 2U, "00", 1, added) != base);
    CHECK(rnd::extension_commitment(t.randomization, "sha256:aa", 2, 3U, "00", 1, added) != base);
    CHECK(rnd::extension_commitment(t.randomization, "sha256:aa", 2, 2U, "01", 1, added) != base);
    auto swapped = added;
    auto& e = swapped[0].entries;
    const auto other =
        std::find_if(e.begin(), e.end(), [&](const auto& x) { return x.arm != e.front().arm; });
    REQUIRE(other != e.end());
    std::swap(e.front().arm, other->arm);
    CHECK(rnd::extension_commitment(t.randomization, "sha256:aa", 2, 2U, "00", 1, swapped) != base);
    // The encoding is the documented one (docs/randomization.md, "Extending the list").
    const auto text = rnd::extension_encoding(t.randomization, "sha256:aa", 2, 2U, "00", 1, added);
    CHECK(
        text.rfind(
            R"({"algorithm":"balint-trial/randomization/1","blocks":1,"extends":"sha256:aa","lists":[{"arms":[")",
            0) == 0);
    CHECK(text.find(R"("first_position":37,"stratum":"all"}],"salt":"00","seed":2,"segment":2})") !=
          std::string::npos);
  }

  TEST_CASE("stratum names are the product of the levels with the first factor slowest") {
    CHECK(rnd::stratum_names(tongji().randomization) == std::vector<std::string>{"all"});
    CHECK(rnd::stratum_names(two_to_one_by_gender().randomization) ==
          std::vector<std::string>{"gender=M", "gender=F"});
    CHECK(rnd::stratum_names(by_gender_and_specialty().randomization) ==
          std::vector<std::string>{"gender=M;specialty=surgical", "gender=M;specialty=medical",
                                   "gender=F;specialty=surgical", "gender=F;specialty=medical"});
    const auto t = by_gender_and_specialty();
    const auto lists = rnd::generate(t.randomization, t.arms, 5U);
    REQUIRE(lists.size() == 4);
    CHECK(lists[2].stratum == "gender=F;specialty=surgical");
    CHECK(lists[2].entries.size() == 8);
  }

  TEST_CASE("stratum_of finds each level from the participant's fields") {
    const auto s = by_gender_and_specialty().randomization;
    using fields = std::map<std::string, std::string>;
    CHECK(rnd::stratum_of(s, fields{{"gender", "M"}, {"specialty", "surgery"}}).value() ==
          "gender=M;specialty=surgical");
    CHECK(rnd::stratum_of(s, fields{{"gender", "M"}, {"specialty", "radiology"}}).value() ==
          "gender=M;specialty=medical");
    CHECK(rnd::stratum_of(s, fields{{"gender", "F"}, {"specialty", "ophthalmology"}}).value() ==
          "gender=F;specialty=surgical");
    CHECK(rnd::stratum_of(s, fields{{"gender", "F"}, {"specialty", "psychiatry"}}).value() ==
          "gender=F;specialty=medical");
    CHECK(rnd::stratum_of(tongji().randomization, fields{}).value() == "all");
  }

  TEST_CASE("stratum_of refuses an unknown value naming the field, the value and what is allowed") {
    const auto s = by_gender_and_specialty().randomization;
    const auto r = rnd::stratum_of(
        s, std::map<std::string, std::string>{{"gender", "F"}, {"specialty", "dermatology"}});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == balint::core::error_code::invalid_input);
    CHECK(r.error().field == "specialty");
    CHECK(r.error().message ==
          "specialty \"dermatology\" is not in any stratum level of specialty; allowed: surgery, "
          "anesthesiology, gynecology and obstetrics, ophthalmology, family medicine, internal "
          "medicine, psychiatry, neurology, emergency medicine, radiology");
  }

  TEST_CASE("stratum_of refuses a missing or empty value saying it is missing") {
    const auto s = by_gender_and_specialty().randomization;
    const auto missing = rnd::stratum_of(s, std::map<std::string, std::string>{{"gender", "M"}});
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().field == "specialty");
    CHECK(missing.error().message.rfind("specialty is missing; it is needed to find the "
                                        "participant's stratum (allowed: surgery, ",
                                        0) == 0);
    const auto empty = rnd::stratum_of(
        s, std::map<std::string, std::string>{{"gender", ""}, {"specialty", "surgery"}});
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().field == "gender");
    CHECK(empty.error().message ==
          "gender is missing; it is needed to find the participant's stratum (allowed: M, F)");
  }

  TEST_CASE("check_block_balance detects a swapped entry in a completed block") {
    const auto t = blocks_4_6();
    auto list = rnd::generate(t.randomization, t.arms, 20161012U)[0];
    // Golden: the first block (size 4) is waitlist, waitlist, intervention, intervention.
    REQUIRE(arms_of(list).substr(0, 4) == "wwii");
    list.entries[2].arm = "waitlist";
    const auto problem = rnd::check_block_balance(list, t.arms);
    REQUIRE(problem.has_value());
    CHECK(*problem ==
          "stratum all, block 1 (positions 1 to 4): intervention 1, waitlist 3; a balanced block "
          "of 4 has intervention 2, waitlist 2");
    // An incomplete block is not judged yet.
    rnd::stratum_list prefix{"all", {list.entries.begin(), list.entries.begin() + 3}};
    CHECK(rnd::check_block_balance(prefix, t.arms) == std::nullopt);
    list.entries[2].arm = "control";
    CHECK(rnd::check_block_balance(list, t.arms).value() ==
          "stratum all, position 3: \"control\" is not one of the trial's arms");
  }

  TEST_CASE("compare_lists names the first differing position") {
    const auto t = tongji();
    const auto fresh = rnd::generate(t.randomization, t.arms, 20161012U);
    auto stored = fresh;
    // Golden: positions 7 and 8 are waitlist; position 2 is intervention.
    REQUIRE(stored[0].entries[6].arm == "waitlist");
    stored[0].entries[6].arm = "intervention";
    stored[0].entries[30].arm = "waitlist";
    CHECK(rnd::compare_lists(stored, fresh).value() ==
          "stratum all, position 7: the stored list says intervention, the seed gives waitlist");

    stored = fresh;
    stored[0].entries.pop_back();
    CHECK(rnd::compare_lists(stored, fresh).value() ==
          "stratum all, position 36: missing from the stored list (the seed gives 36 positions, "
          "the stored list has 35)");
    CHECK(rnd::compare_lists(fresh, stored).value() ==
          "stratum all, position 36: the stored list has it, the seed does not (the seed gives "
          "35 positions, the stored list has 36)");

    stored = fresh;
    stored[0].entries[3].block_size = 4;
    CHECK(rnd::compare_lists(stored, fresh).value() ==
          "stratum all, position 4: the stored list puts it in block 1 of size 4, the seed "
          "gives block 1 of size 36");

    stored = fresh;
    stored[0].stratum = "gender=M";
    CHECK(rnd::compare_lists(stored, fresh).value() ==
          "stratum all: missing from the stored list (the seed gives 36 positions)");
    stored.push_back(fresh[0]);
    CHECK(rnd::compare_lists(stored, fresh).value() ==
          "stratum gender=M: the stored list has this stratum, the scheme does not give it");
  }

  TEST_CASE("compare_lists accepts strata and positions in any order") {
    const auto t = two_to_one_by_gender();
    const auto fresh = rnd::generate(t.randomization, t.arms, 3U);
    auto stored = fresh;
    std::swap(stored[0], stored[1]);  // as loaded ORDER BY stratum: "gender=F" first
    std::swap(stored[0].entries[0], stored[0].entries[5]);
    CHECK(rnd::compare_lists(stored, fresh) == std::nullopt);
    CHECK(rnd::commitment(t.randomization, t.arms, 3U, "ab", stored) ==
          rnd::commitment(t.randomization, t.arms, 3U, "ab", fresh));
  }

  TEST_CASE("the commitment changes with one arm of the list, the seed or the salt") {
    const auto t = tongji();
    const auto lists = rnd::generate(t.randomization, t.arms, 20161012U);
    const auto base = rnd::commitment(t.randomization, t.arms, 20161012U, "00", lists);
    CHECK(base.rfind("sha256:", 0) == 0);
    CHECK(base.size() == 7 + 64);
    auto changed = lists;
    changed[0].entries[35].arm =
        changed[0].entries[35].arm == "waitlist" ? "intervention" : "waitlist";
    CHECK(rnd::commitment(t.randomization, t.arms, 20161012U, "00", changed) != base);
    CHECK(rnd::commitment(t.randomization, t.arms, 20161013U, "00", lists) != base);
    CHECK(rnd::commitment(t.randomization, t.arms, 20161012U, "01", lists) != base);
  }

  TEST_CASE("the canonical encoding is compact sorted JSON of the scheme, seed, salt and lists") {
    const auto t = trial_with({1, 1}, parse(R"({"method": "permuted-block", "block_sizes": [2],
                                                "list_length": 2})"));
    const auto lists = rnd::generate(t.randomization, t.arms, 1U);
    const auto arms = arms_of(lists[0]);
    REQUIRE((arms == "iw" || arms == "wi"));
    const std::string listed =
        arms == "iw" ? R"("intervention","waitlist")" : R"("waitlist","intervention")";
    CHECK(
        rnd::canonical_encoding(t.randomization, t.arms, 1U, "00ff", lists) ==
        R"({"algorithm":"balint-trial/randomization/1","arms":[{"id":"intervention","ratio":1},)"
        R"({"id":"waitlist","ratio":1}],"block_sizes":[2],"list_length":2,"lists":[{"arms":[)" +
            listed +
            R"(],"stratum":"all"}],"method":"permuted-block","salt":"00ff","seed":1,"strata":[]})");
  }
}
