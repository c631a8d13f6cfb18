#include "balint/core/sha256.hpp"

#include <doctest/doctest.h>

#include <string>

using balint::core::sha256;
using balint::core::sha256_hex;

// Test vectors from FIPS 180-4 examples and NIST CAVP (SHA256ShortMsg / LongMsg).
TEST_SUITE("core") {
  TEST_CASE("sha256 matches the FIPS 180-4 test vectors") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }

  TEST_CASE("sha256 gives the same digest however the input is split") {
    const std::string text(200, 'x');
    for (std::size_t cut : {0, 1, 55, 56, 63, 64, 65, 128, 199}) {
      sha256 h;
      h.update(std::string_view(text).substr(0, cut));
      h.update(std::string_view(text).substr(cut));
      const auto d = h.finish();
      std::string hex;
      for (auto b : d) {
        static constexpr char digits[] = "0123456789abcdef";
        hex.push_back(digits[b >> 4]);
        hex.push_back(digits[b & 0xf]);
      }
      CHECK(hex == sha256_hex(text));
    }
  }
}
