#include "balint/core/json.hpp"

#include <doctest/doctest.h>

#include <limits>

using balint::core::json;
using balint::core::parse_json;

TEST_SUITE("core") {
  TEST_CASE("json dump is canonical: keys sorted, no spaces") {
    auto j = parse_json(R"({"b": 1, "a": [true, null, "x"], "c": {"z": 2.5, "y": -3}})");
    REQUIRE(j.has_value());
    CHECK(j->dump() == R"({"a":[true,null,"x"],"b":1,"c":{"y":-3,"z":2.5}})");
  }

  TEST_CASE("json keeps 64-bit integers exactly and doubles round-trip") {
    auto j = parse_json("[9007199254740993, 0.1, 1e300, -0]");
    REQUIRE(j.has_value());
    CHECK(j->as_array()[0].as_int() == 9007199254740993LL);
    CHECK(j->as_array()[0].type() == json::kind::integer);
    CHECK(j->as_array()[1].as_double() == 0.1);
    CHECK(parse_json(j->dump())->as_array()[2].as_double() == 1e300);
  }

  TEST_CASE("json errors give line and column") {
    auto j = parse_json("{\n  \"a\": 1,\n  \"b\" 2\n}");
    REQUIRE_FALSE(j.has_value());
    CHECK(j.error().field == "json");
    CHECK(j.error().message.find("line 3, column 7") != std::string::npos);
    CHECK(j.error().message.find("expected ':'") != std::string::npos);
  }

  TEST_CASE("json refuses duplicate members, trailing text and bad escapes") {
    CHECK_FALSE(parse_json(R"({"a":1,"a":2})").has_value());
    CHECK_FALSE(parse_json("[1] x").has_value());
    CHECK_FALSE(parse_json(R"("\q")").has_value());
    CHECK_FALSE(parse_json("[01]").has_value());
    CHECK_FALSE(parse_json("").has_value());
  }

  TEST_CASE("json strings escape control characters and decode unicode escapes") {
    json s(std::string("a\"b\\c\n\x01"));
    CHECK(s.dump() == R"("a\"b\\c\n\u0001")");
    auto j = parse_json(R"("\u00e9\ud83d\ude00")");
    REQUIRE(j.has_value());
    CHECK(j->as_string() == "\xC3\xA9\xF0\x9F\x98\x80");
  }

  TEST_CASE("json NaN and infinity are written as null") {
    json::array a{json(std::numeric_limits<double>::quiet_NaN()), json(1.0)};
    CHECK(json(a).dump() == "[null,1]");
  }

  TEST_CASE("json builds objects and arrays by member access") {
    json j;
    j["x"]["y"] = 3;
    j["list"].push_back("a");
    CHECK(j.dump() == R"({"list":["a"],"x":{"y":3}})");
    CHECK(j.find("x")->find("y")->as_int() == 3);
    CHECK(j.find("missing") == nullptr);
    CHECK(json(2) == json(2.0));
  }

  TEST_CASE("json pretty printing indents nested values") {
    json j;
    j["a"] = json::array{1, 2};
    CHECK(j.dump_pretty() == "{\n  \"a\": [\n    1,\n    2\n  ]\n}");
  }

  TEST_CASE("json refuses nesting deeper than 256 levels without exhausting the stack") {
    const std::string deep(100000, '[');
    const auto j = parse_json(deep);
    REQUIRE_FALSE(j.has_value());
    CHECK(j.error().field == "json");
    CHECK(j.error().message == "line 1, column 257: nesting is deeper than 256 levels");
    const auto objects = parse_json(std::string(100000, '{'));
    CHECK_FALSE(objects.has_value());
    const std::string ok = std::string(256, '[') + std::string(256, ']');
    CHECK(parse_json(ok).has_value());
    CHECK_FALSE(parse_json("[" + ok + "]").has_value());
  }

  TEST_CASE("json refuses text that is not valid UTF-8") {
    for (const std::string bad :
         {"\"\xff\"", "\"\xc0\xaf\"", "\"\xe2\x82\"", "\"\xed\xa0\x80\"", "[\"a\", \"\x80\"]"}) {
      const auto j = parse_json(bad);
      CAPTURE(bad);
      REQUIRE_FALSE(j.has_value());
      CHECK(j.error().field == "json");
      CHECK(j.error().message.find("UTF-8") != std::string::npos);
    }
    // Escapes must not produce what the bytes may not say: a lone surrogate.
    CHECK_FALSE(parse_json(R"("\udc00")").has_value());
    CHECK_FALSE(parse_json(R"("\ud800x")").has_value());
    CHECK(parse_json("\"\xe5\xb7\xa5\"")->as_string() == "\xe5\xb7\xa5");
  }

  TEST_CASE("json errors say what was expected in plain words, with line and column") {
    const auto at = [](std::string_view text) {
      const auto j = parse_json(text);
      REQUIRE_FALSE(j.has_value());
      return j.error().message;
    };
    CHECK(at("[1,]") == "line 1, column 4: unexpected ']'; expected '[', '{', or a literal");
    CHECK(at("") == "line 1, column 1: unexpected end of input; expected '[', '{', or a literal");
    CHECK(at(R"({"a":1,"a":2})") == R"(line 1, column 8: member "a" appears twice)");
    CHECK(at("[1e400]").find("1e400") != std::string::npos);
    CHECK(at("\"abc").find("missing closing quote") != std::string::npos);
  }
}
