#pragma once

// An HTTP client for the integration tests that talk to a real `serve` (Poco's
// HTTPClientSession): one request per call, with the session cookie and CSRF token of a
// signed-in user when given.

#include "balint/core/json.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace balint::test {

struct reply {
  int status = 0;
  std::string body;
  std::string set_cookie;
  std::string csp;
  std::string retry_after;  ///< the Retry-After header, when sent
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
           const std::string& body = "", const credentials& who = {}, bool send_csrf = true,
           const std::vector<std::pair<std::string, std::string>>& headers = {});

/// A `balint-trial serve --db DB --port 0` process, stopped with SIGTERM when destroyed; its
/// stdout goes to `log`, its stderr (the access log) to `log`.err.
class serve_process {
 public:
  serve_process(const std::string& db, const std::filesystem::path& log);
  ~serve_process();
  serve_process(const serve_process&) = delete;
  serve_process& operator=(const serve_process&) = delete;
  std::uint16_t port() const { return port_; }
  /// Kills it at once (SIGKILL), as a machine that goes down would.
  void kill_now();

 private:
  std::filesystem::path log_;
  int pid_ = -1;
  std::uint16_t port_ = 0;
};

/// Signs `user` in on the server at `port`; REQUIREs success.
credentials sign_in(std::uint16_t port, const std::string& user, const std::string& password);

}  // namespace balint::test
