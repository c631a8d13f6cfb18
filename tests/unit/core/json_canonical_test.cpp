// The canonical bytes of json::dump() are a contract: the audit chain hashes them (each entry's
// hash covers its canonical JSON) and so does the allocation-list commitment. Every expected
// string below was printed by the hand-written printer this project used before nlohmann-json
// (main eb58f9b), so a change of library or of the printer cannot silently change a hash.

#include "balint/core/json.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

using balint::core::json;
using balint::core::parse_json;

TEST_SUITE("core") {
  TEST_CASE("canonical dump: doubles in the shortest round-trip form of std::to_chars") {
    CHECK(json(0.1).dump() == "0.1");
    CHECK(json(1e-7).dump() == "1e-07");
    CHECK(json(1e21).dump() == "1e+21");
    CHECK(json(1e20).dump() == "1e+20");
    CHECK(json(123456789.125).dump() == "123456789.125");
    CHECK(json(-0.0).dump() == "-0");
    CHECK(json(0.0).dump() == "0");
    CHECK(json(1.0).dump() == "1");
    CHECK(json(100.0).dump() == "100");
    CHECK(json(2.5).dump() == "2.5");
    CHECK(json(1e300).dump() == "1e+300");
    CHECK(json(5e-324).dump() == "5e-324");
    CHECK(json(1.7976931348623157e308).dump() == "1.7976931348623157e+308");
    CHECK(json(1e15).dump() == "1e+15");
    CHECK(json(1e16).dump() == "1e+16");
    CHECK(json(1.2345678901234568e20).dump() == "123456789012345683968");
    CHECK(json(0.1 + 0.2).dump() == "0.30000000000000004");
    CHECK(json(-1.5e-10).dump() == "-1.5e-10");
    CHECK(json(1e-5).dump() == "1e-05");
    CHECK(json(0.0001).dump() == "1e-04");
  }

  TEST_CASE("canonical dump: NaN and infinities are null, integers exact") {
    CHECK(json(std::numeric_limits<double>::quiet_NaN()).dump() == "null");
    CHECK(json(std::numeric_limits<double>::infinity()).dump() == "null");
    CHECK(json(-std::numeric_limits<double>::infinity()).dump() == "null");
    CHECK(json(std::numeric_limits<long long>::max()).dump() == "9223372036854775807");
    CHECK(json(std::numeric_limits<long long>::min()).dump() == "-9223372036854775808");
    CHECK(json(0).dump() == "0");
    CHECK(json(-3).dump() == "-3");
    CHECK(json(true).dump() == "true");
    CHECK(json(nullptr).dump() == "null");
  }

  TEST_CASE("canonical dump: string escapes") {
    std::string controls;
    for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
    CHECK(json(controls).dump() ==
          "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
          "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019"
          "\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
    CHECK(json(std::string("a\x7f"
                           "b"))
              .dump() ==
          "\"a\x7f"
          "b\"");
    CHECK(json(std::string("\"\\/")).dump() == R"("\"\\/")");
    // Non-ASCII text is written as its UTF-8 bytes, never as \u escapes.
    CHECK(json(std::string("\xc3\xa9\xe5\xb7\xa5\xf0\x9f\x98\x80")).dump() ==
          "\"\xc3\xa9\xe5\xb7\xa5\xf0\x9f\x98\x80\"");
    CHECK(json(std::string("\xe2\x80\xa8\xe2\x80\xa9")).dump() == "\"\xe2\x80\xa8\xe2\x80\xa9\"");
    CHECK(json(std::string()).dump() == "\"\"");
  }

  TEST_CASE("canonical dump: members sorted by their UTF-8 bytes, no spaces") {
    json o;
    o["b"] = 1;
    o["a"] = json::array{true, nullptr, "x", 0.5};
    o["\xc3\xa9"] = 2;
    o["B"] = 3;
    o[""] = 4;
    o["a b"] = json::object{};
    o["arr"] = json::array{};
    CHECK(o.dump() ==
          "{\"\":4,\"B\":3,\"a\":[true,null,\"x\",0.5],\"a b\":{},\"arr\":[],\"b\":1,"
          "\"\xc3\xa9\":2}");
    json nested;
    nested["k"]["\n"] = json::array{json::array{1, 2.25}, json::object{{"z", -0.0}}};
    CHECK(nested.dump() == R"({"k":{"\n":[[1,2.25],{"z":-0}]}})");
  }

  TEST_CASE("canonical dump of parsed text: what was read is written back the same way") {
    const auto j = parse_json(
        "{\"z\": [1.0, 0.10, 1E2, -0, 1e-7, 123456789.125, 9007199254740993, "
        "18446744073709551615], \"\\u00e9\": \"\\u0001\\/\", \"a\": {}}");
    REQUIRE(j.has_value());
    CHECK(j->dump() ==
          "{\"a\":{},\"z\":[1,0.1,100,0,1e-07,123456789.125,9007199254740993,"
          "18446744073709551616],\"\xc3\xa9\":\"\\u0001/\"}");
  }
}
