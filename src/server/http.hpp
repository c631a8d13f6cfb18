#pragma once

// Internals of the server module shared by the HTTP plumbing (http.cpp) and the route table
// (routes.cpp). No Poco here: routes see plain structs, as OSRM's services see parameters.

#include "balint/app/access.hpp"
#include "balint/app/audit.hpp"
#include "balint/app/database.hpp"
#include "balint/app/site.hpp"
#include "balint/app/user_service.hpp"
#include "balint/core/error.hpp"
#include "balint/core/json.hpp"
#include "balint/server/server.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace balint::server::detail {

inline constexpr const char* session_cookie = "balint_session";

/// What a route answers.
struct response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  /// Replaces the API's policy (which lets nothing load) for answers that are documents.
  std::string content_security_policy;
};

/// What a route gets: the parsed request, the signed-in user (absent on anonymous routes) and
/// a database connection of its own.
struct call {
  app::request req;
  app::database& db;
  const config& cfg;
  std::vector<std::string> params;  ///< the {placeholders} of the path, in order
  std::map<std::string, std::string> query;
  core::json body;  ///< null when the request had none
  std::optional<app::session_identity> who;
  std::string cookie_token;  ///< the session cookie as sent (empty when none)
  /// The site's accounts (the same database as `db` for a site of one file, and for routes
  /// that run on the accounts).
  app::database* accounts = nullptr;
  const app::site* site = nullptr;
};

using route_fn = std::function<response(call&)>;

/// Where a route runs. A trial's routes are also served under /api/trials/{id}/...; without
/// the prefix they serve the site's only trial.
enum class route_scope {
  trial,   ///< on the trial's database
  site,    ///< on the site's accounts (signing in, the list of trials); never under a trial
  either,  ///< on the accounts without a trial in the path, on the trial with one (me, users)
};

/// One entry of the route table: method, path pattern with {placeholders}, and the use case it
/// serves, whose row of app::use_case_table() says who may call it.
struct route {
  std::string method;
  std::string pattern;
  std::optional<app::use_case> serves;  ///< none: public (the health check)
  route_fn run;
  bool body_optional = false;  ///< a write that may come without a body (logout, randomize)
  /// A write of the trial run by the group commit: queued with the writes arriving meanwhile,
  /// committed together, answered after the COMMIT. Not for writes that hash a password.
  bool group_commit = false;
  route_scope scope = route_scope::trial;
  /// The largest body this route reads (0: the server's max_body_bytes).
  std::size_t max_body_bytes = 0;
  /// No session needed: public routes and signing in.
  bool anonymous() const { return !serves || app::rule_of(*serves).anonymous; }
};

/// The largest body of a survey link's save or submit: answers to a few questionnaires.
inline constexpr std::size_t survey_body_bytes = 64 * 1024;

/// True for the paths of participants' survey links (/s/..., /api/survey/...), which are
/// rate-limited per client address (server::config::survey_misses_per_minute and
/// survey_requests_per_minute).
bool is_survey_path(const std::string& path);

/// A token bucket per client address: at most `per_minute` requests in a burst, refilled at
/// `per_minute` a minute. Thread-safe. Keeps at most `max_clients` addresses (full buckets are
/// forgotten first).
class rate_limiter {
 public:
  explicit rate_limiter(int per_minute, std::size_t max_clients = 10000)
      : per_minute_(per_minute), max_clients_(max_clients) {}
  /// Takes one request from the bucket of `client` at `now` (seconds on any steady clock);
  /// false with the seconds to wait when it is empty.
  bool allow(const std::string& client, double now, int& retry_after_seconds);
  /// Whether `client` has a request left at `now`, taking none; false with the seconds to wait.
  bool available(const std::string& client, double now, int& retry_after_seconds);
  /// Takes one request from `client`'s bucket after the fact (it may go below empty, which
  /// only makes the wait longer).
  void take(const std::string& client, double now);

 private:
  struct bucket {
    double tokens = 0;
    double at = 0;
  };
  /// The bucket of `client`, refilled up to `now`; the caller holds mutex_.
  bucket& refilled(const std::string& client, double now);
  int retry_after(const bucket& b) const;

  int per_minute_;
  std::size_t max_clients_;
  std::mutex mutex_;
  std::map<std::string, bucket> buckets_;
};

const std::vector<route>& routes();

/// The page or file of src/web at `path` ("/" is index.html), or nullopt. HTML pages get a
/// policy that loads scripts, styles and data from this server only.
std::optional<response> static_file(const std::string& path);

/// The answer to a survey request beyond its address's limit: 429 with Retry-After, a page in
/// both languages for the participant's page (`page`), else the API's JSON error.
response survey_busy(bool page, int retry_after_seconds);

/// Writes that need the X-CSRF-Token header: every method but GET and HEAD.
bool is_write(const std::string& method);

/// HTTP status of an expected failure: 400/404/409/409/403/401.
int status_of(core::error_code code);
response json_response(int status, const core::json& body);
response error_response(int status, std::string_view code, const std::string& field,
                        const std::string& message);
response error_response(const core::error& e);

}  // namespace balint::server::detail
