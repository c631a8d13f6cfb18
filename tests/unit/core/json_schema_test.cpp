// validate_json(instance, schema) -> std::vector<schema_violation{path, message}>, in document
// order, empty when the instance is valid. format_violations joins them as "PATH: MESSAGE; ...".
// The schema files themselves are read from BALINT_SOURCE_DIR (set by the test build).

#include "balint/core/json_schema.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using balint::core::json;
using balint::core::schema_violation;
using balint::core::validate_json;

namespace {

json j(std::string_view text) {
  auto parsed = balint::core::parse_json(text);
  REQUIRE_MESSAGE(parsed.has_value(), std::string(text));
  return std::move(parsed).value();
}

std::vector<schema_violation> check(std::string_view instance, std::string_view schema) {
  return validate_json(j(instance), j(schema));
}

// The single violation of `instance`, as "PATH: MESSAGE".
std::string only(std::string_view instance, std::string_view schema) {
  const auto found = check(instance, schema);
  REQUIRE_MESSAGE(found.size() == 1, balint::core::format_violations(found));
  return found.front().path + ": " + found.front().message;
}

bool valid(std::string_view instance, std::string_view schema) {
  return check(instance, schema).empty();
}

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("type accepts the named type and names both types when it is wrong") {
    CHECK(valid(R"("a")", R"({"type": "string"})"));
    CHECK(valid("true", R"({"type": "boolean"})"));
    CHECK(valid("null", R"({"type": "null"})"));
    CHECK(valid("[]", R"({"type": "array"})"));
    CHECK(valid("{}", R"({"type": "object"})"));
    CHECK(valid("1.5", R"({"type": "number"})"));
    CHECK(only(R"("36")", R"({"type": "integer"})") ==
          R"($: "36" is text, but a whole number is required)");
    CHECK(only("null", R"({"type": "string"})") ==
          "$: the value is empty (null), but text is required");
    CHECK(only("[1]", R"({"type": "object"})") == "$: [1] is a list, but an object is required");
  }

  TEST_CASE("type integer accepts integral numbers and refuses fractions") {
    CHECK(valid("3", R"({"type": "integer"})"));
    CHECK(valid("3.0", R"({"type": "integer"})"));
    CHECK(only("3.5", R"({"type": "integer"})") ==
          "$: 3.5 is a number, but a whole number is required");
  }

  TEST_CASE("a list of types accepts any of them") {
    const auto schema = R"({"type": ["string", "null"]})";
    CHECK(valid(R"("x")", schema));
    CHECK(valid("null", schema));
    CHECK(only("2", schema) == "$: 2 is a whole number, but text or empty (null) is required");
  }

  TEST_CASE("properties validate their members and paths name them") {
    const auto schema = R"({"type": "object", "properties": {"ratio": {"type": "integer"}}})";
    CHECK(valid(R"({"ratio": 1})", schema));
    CHECK(only(R"({"ratio": "one"})", schema) ==
          R"($.ratio: "one" is text, but a whole number is required)");
  }

  TEST_CASE("required members that are missing are named at the object's path") {
    const auto schema = R"({"properties": {"programme": {"required": ["time_zone", "lectures"]}}})";
    CHECK(valid(R"({"programme": {"time_zone": "Asia/Shanghai", "lectures": []}})", schema));
    CHECK(only(R"({"programme": {"lectures": []}})", schema) ==
          R"($.programme: required member "time_zone" is missing)");
  }

  TEST_CASE("additionalProperties false refuses unknown members and lists the allowed ones") {
    const auto schema = R"({"properties": {"id": {}, "title": {}}, "additionalProperties": false})";
    CHECK(valid(R"({"id": 1, "title": "t"})", schema));
    CHECK(only(R"({"id": 1, "foo": 2})", schema) ==
          "$.foo: member not allowed here (allowed: id, title)");
    CHECK(only(R"({"x": 1})", R"({"additionalProperties": false})") ==
          "$.x: member not allowed here (no members are allowed)");
  }

  TEST_CASE("additionalProperties as a schema validates the members not listed") {
    const auto schema = R"({"properties": {"id": {"type": "string"}},
                            "additionalProperties": {"type": "integer"}})";
    CHECK(valid(R"({"id": "a", "n": 2})", schema));
    CHECK(only(R"({"id": "a", "n": "two"})", schema) ==
          R"($.n: "two" is text, but a whole number is required)");
  }

  TEST_CASE("patternProperties and propertyNames constrain member names") {
    const auto schema = R"({"patternProperties": {"^[0-9]+$": {"type": "string"}},
                            "additionalProperties": false})";
    CHECK(valid(R"({"0": "never", "6": "every day"})", schema));
    CHECK(only(R"({"0": 1})", schema) == R"($["0"]: 1 is a whole number, but text is required)");
    CHECK(only(R"({"x": "a"})", schema) == "$.x: member not allowed here (no members are allowed)");
    const auto names = R"({"propertyNames": {"pattern": "^-?[0-9]+$"}})";
    CHECK(valid(R"({"-1": 0, "12": 0})", names));
    CHECK(only(R"({"a": 0})", names) ==
          "$.a: the member name \"a\" is not allowed: \"a\" does not have the required form "
          "^-?[0-9]+$");
  }

  TEST_CASE("items validates each entry with its index in the path") {
    const auto schema =
        R"({"properties": {"arms": {"items": {"properties": {"ratio": {"minimum": 1}}}}}})";
    CHECK(valid(R"({"arms": [{"ratio": 1}, {"ratio": 2}]})", schema));
    CHECK(only(R"({"arms": [{"ratio": 1}, {"ratio": 0}]})", schema) ==
          "$.arms[1].ratio: 0 is below the minimum 1");
  }

  TEST_CASE("enum lists the allowed values") {
    const auto schema = R"({"enum": ["intervention", "waitlist"]})";
    CHECK(valid(R"("waitlist")", schema));
    CHECK(only(R"("control")", schema) ==
          R"($: "control" is not one of "intervention", "waitlist")");
    CHECK(valid("1.0", R"({"enum": [1, 2]})"));
  }

  TEST_CASE("const requires exactly one value") {
    CHECK(valid(R"("prorate")", R"({"const": "prorate"})"));
    CHECK(only(R"("any")", R"({"const": "prorate"})") ==
          R"($: "any" is not the required value "prorate")");
    CHECK(valid(R"({"a": [1, 2]})", R"({"const": {"a": [1, 2]}})"));
    CHECK_FALSE(valid(R"({"a": [2, 1]})", R"({"const": {"a": [1, 2]}})"));
  }

  TEST_CASE("minimum and maximum are inclusive") {
    const auto schema = R"({"minimum": 0, "maximum": 6})";
    CHECK(valid("0", schema));
    CHECK(valid("6", schema));
    CHECK(valid("5.5", schema));
    CHECK(only("-1", schema) == "$: -1 is below the minimum 0");
    CHECK(only("7", schema) == "$: 7 is above the maximum 6");
    CHECK(only("6.5", schema) == "$: 6.5 is above the maximum 6");
  }

  TEST_CASE("exclusiveMinimum and exclusiveMaximum refuse the bound itself") {
    const auto schema = R"({"exclusiveMinimum": 0, "exclusiveMaximum": 1})";
    CHECK(valid("0.5", schema));
    CHECK(only("0", schema) == "$: 0 is too small: it must be greater than 0");
    CHECK(only("1", schema) == "$: 1 is too large: it must be less than 1");
  }

  TEST_CASE("number keywords ignore values of other types") {
    CHECK(valid(R"("7")", R"({"maximum": 6})"));
    CHECK(valid("12345", R"({"maxLength": 2, "pattern": "^a$", "minItems": 3})"));
  }

  TEST_CASE("minLength and maxLength count code points, not bytes") {
    const auto schema = R"({"minLength": 2, "maxLength": 3})";
    CHECK(valid(R"("ab")", schema));
    CHECK(valid("\"\u5de5\u4f5c\u65e5\"", schema));  // three Chinese characters, nine bytes
    CHECK(only(R"("a")", schema) == R"($: "a" is too short: 1 character, at least 2 required)");
    CHECK(only(R"("abcd")", schema) == R"($: "abcd" is too long: 4 characters, at most 3 allowed)");
  }

  TEST_CASE("pattern searches anywhere unless anchored") {
    CHECK(valid(R"("xx-yy")", R"({"pattern": "-"})"));
    const auto time = R"({"pattern": "^([01]\\d|2[0-3]):[0-5]\\d$"})";
    CHECK(valid(R"("17:30")", time));
    CHECK(valid(R"("00:00")", time));
    CHECK(only(R"("24:00")", time) ==
          R"($: "24:00" does not have the required form ^([01]\d|2[0-3]):[0-5]\d$)");
    CHECK_FALSE(valid(R"("7:30")", time));
  }

  TEST_CASE("a refused pattern is explained by the schema's description when there is one") {
    const auto schema = R"({"pattern": "^[a-z]+$", "description": "Lower-case letters."})";
    CHECK(only(R"("Ab")", schema) ==
          R"($: "Ab" does not have the required form ^[a-z]+$ (Lower-case letters))");
  }

  TEST_CASE("format date accepts real calendar dates only") {
    const auto schema = R"({"format": "date"})";
    CHECK(valid(R"("2016-10-26")", schema));
    CHECK(valid(R"("2016-02-29")", schema));
    CHECK(valid(R"("2000-02-29")", schema));
    CHECK(only(R"("2017-02-29")", schema) ==
          R"($: "2017-02-29" is not a real calendar date written YYYY-MM-DD)");
    CHECK_FALSE(valid(R"("1900-02-29")", schema));
    CHECK_FALSE(valid(R"("2017-13-01")", schema));
    CHECK_FALSE(valid(R"("2017-04-31")", schema));
    CHECK_FALSE(valid(R"("2017-4-3")", schema));
    CHECK(valid(R"("whatever")", R"({"format": "email"})"));
  }

  TEST_CASE("minItems and maxItems bound the length of a list") {
    const auto schema = R"({"minItems": 2, "maxItems": 3})";
    CHECK(valid("[1, 2]", schema));
    CHECK(only("[1]", schema) == "$: the list has 1 entry, but at least 2 entries are required");
    CHECK(only("[1, 2, 3, 4]", schema) ==
          "$: the list has 4 entries, but at most 3 entries are allowed");
  }

  TEST_CASE("uniqueItems names the repeated entry") {
    const auto schema = R"({"uniqueItems": true})";
    CHECK(valid("[1, 2, 3]", schema));
    CHECK(valid("[1, 1]", R"({"uniqueItems": false})"));
    CHECK(only("[1, 2, 1.0]", schema) ==
          "$[2]: 1 appears more than once (also at [0]); entries must be unique");
  }

  TEST_CASE("minProperties and maxProperties bound the number of members") {
    const auto schema = R"({"minProperties": 1, "maxProperties": 2})";
    CHECK(valid(R"({"a": 1})", schema));
    CHECK(only("{}", schema) == "$: the object has 0 members, but at least 1 member is required");
    CHECK(only(R"({"a": 1, "b": 2, "c": 3})", schema) ==
          "$: the object has 3 members, but at most 2 members are allowed");
  }

  TEST_CASE("a $ref to $defs applies the named definition") {
    const auto schema = R"({"$defs": {"id": {"type": "string", "pattern": "^[a-z]+$"}},
                            "properties": {"arm": {"$ref": "#/$defs/id"}}})";
    CHECK(valid(R"({"arm": "waitlist"})", schema));
    CHECK(only(R"({"arm": "Waitlist"})", schema) ==
          R"($.arm: "Waitlist" does not have the required form ^[a-z]+$)");
  }

  TEST_CASE("a $ref that cannot be resolved is a schema error, not a pass") {
    const auto found = check("1", R"({"$ref": "#/$defs/missing"})");
    REQUIRE(found.size() == 1);
    CHECK(found[0].message.rfind("schema error", 0) == 0);
  }

  TEST_CASE("a recursive $ref validates nested values and a $ref loop is stopped") {
    const auto tree = R"({"$defs": {"node": {"type": "object",
                            "properties": {"children": {"items": {"$ref": "#/$defs/node"}}},
                            "additionalProperties": false}},
                          "$ref": "#/$defs/node"})";
    CHECK(valid(R"({"children": [{"children": []}]})", tree));
    CHECK(only(R"({"children": [{"children": [{"x": 1}]}]})", tree) ==
          "$.children[0].children[0].x: member not allowed here (allowed: children)");
    const auto loop = check("1", R"({"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"})");
    REQUIRE_FALSE(loop.empty());
    CHECK(loop[0].message.find("schema error") == 0);
  }

  TEST_CASE("an invalid pattern is a schema error") {
    const auto found = check(R"("a")", R"({"pattern": "(["})");
    REQUIRE(found.size() == 1);
    CHECK(found[0].message.rfind("schema error", 0) == 0);
  }

  // Patterns are compiled once per process and shared: the cache must never mix them up.
  TEST_CASE("a pattern compiled once still decides every value, in every thread") {
    const auto lower = R"({"pattern": "^[a-z]+$"})";
    const auto prefix = R"({"pattern": "^[a-z]+"})";  // differs from `lower` by one character
    for (int round = 0; round < 3; ++round) {
      CHECK(valid(R"("abc")", lower));
      CHECK_FALSE(valid(R"("abc1")", lower));
      CHECK(valid(R"("abc1")", prefix));
      CHECK_FALSE(valid(R"("1abc")", prefix));
      // An invalid pattern stays a schema error however often it is met.
      const auto bad = check(R"("a")", R"({"pattern": "(["})");
      REQUIRE(bad.size() == 1);
      CHECK(bad[0].message.rfind("schema error", 0) == 0);
      // The same text as a member-name pattern.
      const auto names = R"({"patternProperties": {"^[a-z]+$": {"type": "integer"}},
                             "additionalProperties": false})";
      CHECK(valid(R"({"ab": 1})", names));
      CHECK_FALSE(valid(R"({"ab": "x"})", names));
      CHECK_FALSE(valid(R"({"AB": 1})", names));
    }
    const json schema = j(R"({"type": "object", "properties": {
        "time": {"pattern": "^([01]\\d|2[0-3]):[0-5]\\d$"},
        "code": {"pattern": "^[A-Z][0-9]{2}$"}}})");
    const json good = j(R"({"time": "17:30", "code": "A12"})");
    const json bad = j(R"({"time": "24:00", "code": "a12"})");
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          if (!validate_json(good, schema).empty()) ++wrong;
          if (validate_json(bad, schema).size() != 2) ++wrong;
          // A pattern no thread has seen yet, compiled while the others match.
          const auto own =
              balint::core::parse_json(R"({"pattern": "^x)" + std::to_string(i) + R"($"})");
          if (!own) {
            ++wrong;
            continue;
          }
          if (!validate_json(json("x" + std::to_string(i)), own.value()).empty()) ++wrong;
          if (validate_json(json("x" + std::to_string(i + 1)), own.value()).empty()) ++wrong;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(wrong == 0);
  }

  TEST_CASE("allOf requires every part") {
    const auto schema = R"({"allOf": [{"minimum": 1}, {"maximum": 3}]})";
    CHECK(valid("2", schema));
    CHECK(only("4", schema) == "$: 4 is above the maximum 3");
  }

  TEST_CASE("anyOf requires at least one part and explains each refusal") {
    const auto schema =
        R"({"anyOf": [{"type": "string"}, {"title": "a small number", "maximum": 3}]})";
    CHECK(valid(R"("x")", schema));
    CHECK(valid("2", schema));
    CHECK(only("5", schema) ==
          "$: 5 does not fit any of the allowed forms (form 1: $: 5 is a whole number, but text is "
          "required; form 2 (a small number): $: 5 is above the maximum 3)");
  }

  TEST_CASE("oneOf requires exactly one part") {
    const auto schema = R"({"oneOf": [{"type": "integer"}, {"minimum": 2}]})";
    CHECK(valid("1", schema));
    CHECK(valid("2.5", schema));
    CHECK(only("3", schema) ==
          "$: 3 fits more than one of the allowed forms (forms 1 and 2), but must fit exactly one");
    CHECK(only("1.5", schema) ==
          "$: 1.5 does not fit any of the allowed forms (form 1: $: 1.5 is a number, but a whole "
          "number is required; form 2: $: 1.5 is below the minimum 2)");
  }

  // valijson passes up the errors of every alternative: only our one sentence may remain, at
  // the alternative's own path, and the errors beside it stay.
  TEST_CASE("a refused anyOf inside a list is one violation at the entry") {
    const auto schema = R"({"properties": {"doses": {"items": {"anyOf": [{"type": "string"},
                                                                     {"maximum": 3}]}},
                                           "n": {"minimum": 0}}})";
    const auto found = check(R"({"doses": [1, 5, "x"], "n": -1})", schema);
    REQUIRE(found.size() == 2);
    CHECK(found[0].path == "$.doses[1]");
    CHECK(found[0].message ==
          "5 does not fit any of the allowed forms (form 1: $.doses[1]: 5 is a whole number, but "
          "text is required; form 2: $.doses[1]: 5 is above the maximum 3)");
    CHECK(found[1].path == "$.n");
  }

  TEST_CASE("every unknown member is named, each at its own path") {
    const auto schema = R"({"properties": {"id": {}}, "additionalProperties": false})";
    const auto found = check(R"({"b": 1, "id": 2, "a": 3})", schema);
    REQUIRE(found.size() == 2);
    CHECK(found[0].path == "$.a");
    CHECK(found[1].path == "$.b");
    CHECK(found[1].message == "member not allowed here (allowed: id)");
  }

  TEST_CASE("a false schema below a keyword refuses the value at its path") {
    const auto schema = R"({"items": {"properties": {"x": false}}})";
    CHECK(only(R"([{}, {"x": 1}])", schema) == "$[1].x: 1 is not allowed here");
  }

  TEST_CASE("propertyNames is checked below the root and through $ref") {
    const auto schema = R"({"$defs": {"labels": {"propertyNames": {"pattern": "^[0-9]+$"}}},
                            "properties": {"scale": {"items": {"$ref": "#/$defs/labels"}}}})";
    CHECK(valid(R"({"scale": [{"1": "a"}]})", schema));
    CHECK(only(R"({"scale": [{"1": "a"}, {"x": "b"}]})", schema) ==
          R"($.scale[1].x: the member name "x" is not allowed: "x" does not have the required )"
          "form ^[0-9]+$");
  }

  TEST_CASE("format date is a real calendar date inside alternatives too") {
    const auto schema = R"({"anyOf": [{"format": "date"}, {"type": "integer"}]})";
    CHECK(valid(R"("2016-02-29")", schema));
    CHECK(valid("3", schema));
    CHECK(only(R"("2017-02-29")", schema) ==
          R"($: "2017-02-29" does not fit any of the allowed forms (form 1: $: "2017-02-29" is )"
          R"(not a real calendar date written YYYY-MM-DD; form 2: $: "2017-02-29" is text, but )"
          "a whole number is required)");
  }

  TEST_CASE("an entry repeated three times is named at each repetition once") {
    const auto found = check("[7, 7, 7]", R"({"uniqueItems": true})");
    REQUIRE(found.size() == 2);
    CHECK(found[0].path == "$[1]");
    CHECK(found[0].message == "7 appears more than once (also at [0]); entries must be unique");
    CHECK(found[1].path == "$[2]");
    CHECK(found[1].message == "7 appears more than once (also at [0]); entries must be unique");
  }

  TEST_CASE("multipleOf names the divisor") {
    CHECK(valid("10", R"({"multipleOf": 5})"));
    CHECK(only("7", R"({"multipleOf": 5})") == "$: 7 is not a multiple of 5");
  }

  TEST_CASE("a $ref with sibling keywords applies both") {
    const auto schema = R"({"$defs": {"id": {"type": "string"}},
                            "properties": {"id": {"$ref": "#/$defs/id", "maxLength": 3}}})";
    CHECK(valid(R"({"id": "abc"})", schema));
    CHECK(only(R"({"id": "abcd"})", schema) ==
          R"($.id: "abcd" is too long: 4 characters, at most 3 allowed)");
    CHECK(only(R"({"id": 1})", schema) == "$.id: 1 is a whole number, but text is required");
  }

  TEST_CASE("not refuses what matches the excluded schema") {
    const auto schema = R"({"not": {"title": "the reserved id", "const": "all"}})";
    CHECK(valid(R"("ee")", schema));
    CHECK(only(R"("all")", schema) == R"($: "all" is not allowed here (the reserved id))");
  }

  TEST_CASE("if then else applies the branch chosen by the condition") {
    const auto schema = R"({"if": {"properties": {"rule": {"const": "prorate"}}},
                            "then": {"required": ["max_missing"]},
                            "else": {"properties": {"max_missing": false}}})";
    CHECK(valid(R"({"rule": "prorate", "max_missing": 1})", schema));
    CHECK(valid(R"({"rule": "any-missing"})", schema));
    CHECK(only(R"({"rule": "prorate"})", schema) ==
          R"($: required member "max_missing" is missing)");
    CHECK(only(R"({"rule": "any-missing", "max_missing": 1})", schema) ==
          "$.max_missing: 1 is not allowed here");
  }

  TEST_CASE("boolean schemas accept everything or nothing") {
    CHECK(valid(R"({"a": [1]})", "true"));
    CHECK(only("1", "false") == "$: 1 is not allowed here");
  }

  TEST_CASE("violations come in document order, the object before its members") {
    const auto schema = R"({"type": "object", "required": ["zz"],
                            "properties": {"b": {"type": "string"},
                                           "a": {"items": {"minimum": 0}}},
                            "additionalProperties": false})";
    const auto found = check(R"({"b": 1, "a": [-1, 0, -2], "c": true})", schema);
    REQUIRE(found.size() == 5);
    CHECK(found[0].path == "$");
    CHECK(found[1].path == "$.a[0]");
    CHECK(found[2].path == "$.a[2]");
    CHECK(found[3].path == "$.b");
    CHECK(found[4].path == "$.c");
  }

#ifdef BALINT_SOURCE_DIR
  TEST_CASE("the instrument schema accepts the documented format and refuses its mistakes") {
    std::ifstream file(std::string(BALINT_SOURCE_DIR) + "/schemas/instrument.schema.json");
    REQUIRE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    const json schema = j(text.str());
    json instrument = j(R"({"id": "mbi-hss", "name": "Maslach Burnout Inventory", "version": "1",
      "copyright": "Mind Garden", "items": 22,
      "scale": {"min": 0, "max": 6, "labels": {"0": "never", "6": "every day"}},
      "missing_policy": {"rule": "any-missing"},
      "subscales": [{"id": "ee", "label": "Emotional exhaustion", "items": [1, 2, 3, 6, 8],
                     "caseness": {"operator": ">=", "threshold": 27, "label": "high"}}],
      "description": "optional text"})");
    CHECK(validate_json(instrument, schema).empty());
    instrument["missing_policy"] = j(R"({"rule": "prorate", "max_missing": 1})");
    CHECK(validate_json(instrument, schema).empty());

    SUBCASE("prorate without max_missing") {
      instrument["missing_policy"] = j(R"({"rule": "prorate"})");
      CHECK(balint::core::format_violations(validate_json(instrument, schema)) ==
            R"($.missing_policy: required member "max_missing" is missing)");
    }
    SUBCASE("max_missing without prorate") {
      instrument["missing_policy"] = j(R"({"rule": "any-missing", "max_missing": 1})");
      CHECK(balint::core::format_violations(validate_json(instrument, schema)) ==
            "$.missing_policy.max_missing: 1 is not allowed here (max_missing is used only with "
            "the prorate rule)");
    }
    SUBCASE("a label keyed by a word") {
      instrument["scale"]["labels"]["often"] = "often";
      const auto found = validate_json(instrument, schema);
      REQUIRE(found.size() == 1);
      CHECK(found[0].path == "$.scale.labels.often");
    }
    SUBCASE("a repeated subscale item") {
      instrument["subscales"].as_array()[0]["items"].push_back(2);
      const auto found = validate_json(instrument, schema);
      REQUIRE(found.size() == 1);
      CHECK(found[0].path == "$.subscales[0].items[5]");
    }
    SUBCASE("an unknown caseness operator") {
      instrument["subscales"].as_array()[0]["caseness"]["operator"] = ">";
      CHECK(balint::core::format_violations(validate_json(instrument, schema)) ==
            R"($.subscales[0].caseness.operator: ">" is not one of ">=", "<=")");
    }
    SUBCASE("too many items") {
      instrument["items"] = 201;
      CHECK(balint::core::format_violations(validate_json(instrument, schema)) ==
            "$.items: 201 is above the maximum 200");
    }
    SUBCASE("a capitalised id") {
      instrument["id"] = "MBI";
      const auto found = validate_json(instrument, schema);
      REQUIRE(found.size() == 1);
      CHECK(found[0].path == "$.id");
    }
    SUBCASE("a missing copyright") {
      instrument.as_object().erase("copyright");
      CHECK(balint::core::format_violations(validate_json(instrument, schema)) ==
            R"($: required member "copyright" is missing)");
    }
  }
#endif

  TEST_CASE("long values are shortened in messages") {
    const std::string long_text = "\"" + std::string(100, 'x') + "\"";
    const auto found = check(long_text, R"({"type": "integer"})");
    REQUIRE(found.size() == 1);
    CHECK(found[0].message.find("...") != std::string::npos);
    CHECK(found[0].message.size() < 120);
  }

  // std::regex matches by recursion: a 60,000-character string against this pattern overflowed
  // the stack (SIGSEGV). Text longer than the bound is refused before any pattern runs.
  TEST_CASE("text too long to check is refused cleanly, not matched against a pattern") {
    const json schema = j(R"({"properties": {"id": {"type": "string",
                                                   "pattern": "^[a-z][a-z0-9_]*$"}},
                              "additionalProperties": {"type": "integer"}})");
    json instance;
    instance["id"] = std::string(100000, 'a');
    const auto found = validate_json(instance, schema);
    REQUIRE(found.size() == 1);
    CHECK(found[0].path == "$.id");
    CHECK(found[0].message ==
          "the text is too long to be checked: 100000 bytes, at most 10000 allowed");
    json names;
    names[std::string(100000, 'b')] = 1;
    const auto name_found = validate_json(names, schema);
    REQUIRE(name_found.size() == 1);
    CHECK(name_found[0].path == "$");
    CHECK(name_found[0].message.rfind("the member name is too long to be checked", 0) == 0);
    // Up to the bound the pattern still decides, here on the longest text allowed.
    instance["id"] = std::string(10000, 'a');
    CHECK(validate_json(instance, schema).empty());
    instance["id"] = std::string(9999, 'a') + "A";
    CHECK(validate_json(instance, schema).size() == 1);
  }

  TEST_CASE("format_violations joins path and message") {
    const std::vector<schema_violation> v = {{"$.a", "one"}, {"$.b", "two"}};
    CHECK(balint::core::format_violations(v) == "$.a: one; $.b: two");
    CHECK(balint::core::format_violations({}).empty());
  }
}
