#pragma once

#include "balint/app/user_service.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

/// `balint-trial serve`: the HTTP API over the same application services as the CLI (issue 8).
/// Poco::Net stays inside src/server; this header shows none of it.
namespace balint::server {

struct config {
  std::string db_path;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;  ///< 0: any free port (see server::port())
  /// Worker threads. A keep-alive connection holds its thread until it closes, so this bounds
  /// the clients served at once; connections beyond it wait in the queue.
  int threads = 64;
  int max_queued = 256;
  int keep_alive_seconds = 10;
  std::size_t max_body_bytes = 1024 * 1024;  ///< larger bodies get 413, unread
  /// Participants' survey links (/s/..., /api/survey/...), per client address: answers of
  /// "not available" (404: a token unknown, spent, expired or revoked) a minute, in a burst or
  /// spread out. Beyond it every survey request of the address gets 429 with Retry-After, so
  /// tokens cannot be guessed by trying.
  int survey_misses_per_minute = 30;
  /// All survey requests a minute of one client address. Generous, because a hospital's
  /// network shows everyone on its Wi-Fi as one address (a group answering together after
  /// their last session); it only stops a flood.
  int survey_requests_per_minute = 600;
  /// Behind a reverse proxy every request comes from the proxy's address: with this set, a
  /// request from a loopback address is counted against the last X-Forwarded-For entry (the
  /// address the proxy saw). Only for a proxy that appends that header (nginx's
  /// $proxy_add_x_forwarded_for); a client's own earlier entries are never trusted.
  bool trust_forwarded_for = false;
  /// Mark the session cookie Secure (set when a TLS proxy is in front).
  bool secure_cookie = false;
  app::security_settings security;
  /// Where the access log goes (one JSON line per request); nullptr: nowhere.
  std::ostream* access_log = nullptr;
};

/// A running server. Opens one database connection per worker thread on demand (SQLite
/// serializes the writes; busy_timeout makes writers wait instead of failing).
class server {
 public:
  /// Opens the database once (migrating it) and binds the socket; throws on failure.
  explicit server(config c);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  void start();
  /// The bound port (useful after asking for port 0).
  std::uint16_t port() const;
  /// Stops accepting, lets requests in flight finish, closes idle keep-alive connections and
  /// the database connections. Idempotent.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Runs a server until SIGTERM or SIGINT, then stops it gracefully. Prints
/// "listening on http://HOST:PORT" to `out` once ready. Returns the exit code (0).
int serve(config c, std::ostream& out, std::ostream& err);

}  // namespace balint::server
