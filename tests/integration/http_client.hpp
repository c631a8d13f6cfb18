#pragma once

// An HTTP client for the integration tests that talk to a real `serve` (Poco's
// HTTPClientSession): one request per call, with the session cookie and CSRF token of a
// signed-in user when given.

#include "balint/core/json.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

namespace balint::test {

struct reply {
  int status = 0;
  std::string body;
  std::string set_cookie;
  std::string csp;
  core::json json() const {
    auto j = core::parse_json(body);
    REQUIRE_MESSAGE(j.has_value(), body);
    return j.value();
  }
  std::string error_code() const {
    const auto j = json();
    const auto* e = j.find("error");
    return e && e->find("code") ? e->find("code")->as_string() : "";
  }
  std::string error_field() const {
    const auto j = json();
    const auto* e = j.find("error");
    return e && e->find("field") ? e->find("field")->as_string() : "";
  }
};

struct credentials {
  std::string cookie;  ///< "balint_session=HEX"
  std::string csrf;
};

/// Sends one request to 127.0.0.1:`port` and reads the whole answer (30 s timeout).
reply http(std::uint16_t port, const std::string& method, const std::string& path,
           const std::string& body = "", const credentials& who = {}, bool send_csrf = true);

}  // namespace balint::test
