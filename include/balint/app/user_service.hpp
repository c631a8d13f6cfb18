#pragma once

#include "balint/app/access.hpp"
#include "balint/app/audit.hpp"
#include "balint/core/json.hpp"
#include "balint/core/result.hpp"
#include "balint/storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Users of the web application, their sign-in and their browser sessions (issue 8). The CLI
/// manages users (`user add|disable|list`); the HTTP server signs them in and checks every
/// request's session through these functions.
namespace balint::app {

/// Knobs of sign-in and sessions. The defaults are the production values; tests shorten them.
struct security_settings {
  std::int64_t pbkdf2_iterations = 600000;  ///< PBKDF2-HMAC-SHA256 rounds for new passwords
  std::int64_t idle_timeout_seconds = 30 * 60;
  std::int64_t max_failed_logins = 5;  ///< per user within the window, then refused
  std::int64_t failed_login_window_seconds = 15 * 60;
};

/// A user as listed: never the hash or salt.
struct user_view {
  std::string name;
  role user_role = role::coordinator;
  std::string created_at;
  std::optional<std::string> disabled_at;
};

/// Adds a user. Refused: a name outside letters, digits, '.', '-', '_' (1 to 64), a password
/// shorter than 12 characters, a name already taken (conflict). Audited without the password.
core::result<user_view> add_user(storage::database& db, const request& req, const std::string& name,
                                 const std::string& role_text, const std::string& password,
                                 const security_settings& settings = {});

/// Disables a user and ends their sessions; their audit entries stay. not_found for an unknown
/// name; conflict when already disabled, and when a signed-in user names themselves.
core::result<user_view> disable_user(storage::database& db, const request& req,
                                     const std::string& name);

core::result<std::vector<user_view>> list_users(storage::database& db, const request& req);

/// The signed-in user's own account. not_found when the actor is no user (a session outliving
/// its user cannot happen: disabling a user ends their sessions).
core::result<user_view> own_account(storage::database& db, const request& req);

/// The user name that stands for the console in the audit trail: "os:" and the computer
/// account that ran the command. ':' is never part of a user's name, so the two cannot be
/// confused.
std::string console_actor(const std::string& os_login);

/// Who acts on the command line (issue 14, part 5). Without `as_user`, the console: whoever can
/// open the trial's database, recorded as console_actor(os_login). With it, an active user of
/// the trial acting in their own role, so each use case checks that role as it would on the
/// web (a leader only for the sessions they lead). Refused (invalid_input, field "--as",
/// naming the trial's active users): no such user, or a disabled one. Reads only.
core::result<request> command_line_request(storage::database& db,
                                           const std::optional<std::string>& as_user,
                                           const std::string& os_login, std::string now);

/// PBKDF2-HMAC-SHA256 (OpenSSL) of `password` with the raw `salt`, as 64 hex characters.
std::string hash_password(std::string_view password, std::string_view salt,
                          std::int64_t iterations);

/// Compares in time that depends only on the lengths, not on where the texts differ.
bool constant_time_equal(std::string_view a, std::string_view b);

/// `bytes` cryptographically random bytes (OpenSSL RAND_bytes) as lower-case hex.
std::string random_hex(std::size_t bytes);

/// A new browser session: the token goes into the cookie and is never stored; the CSRF token
/// must accompany every write.
struct signed_in {
  std::string user;
  role user_role = role::coordinator;
  std::string token;  ///< 128-bit, hex
  std::string csrf_token;
};

/// Checks the password and opens a session (audited as user.sign_in). Refused: unknown user,
/// disabled user or wrong password (unauthenticated, one message for all three); more than
/// settings.max_failed_logins failures for this name within the window (forbidden, field
/// "user"; correct passwords too, until the window passes).
core::result<signed_in> login(storage::database& db, const request& req, const std::string& name,
                              const std::string& password, const security_settings& settings = {});

/// Who a request's session belongs to.
struct session_identity {
  std::string user;
  role user_role = role::coordinator;
  std::string csrf_token;
  std::string token_hash;
};

/// Finds the session of a cookie token. unauthenticated when there is none, when it has been
/// idle longer than the timeout (it is then removed) or when its user is disabled. Refreshes
/// the session's last use (at most once a minute, so reads rarely write).
core::result<session_identity> authenticate(storage::database& db, const request& req,
                                            const std::string& token,
                                            const security_settings& settings = {});

/// Ends the session of `token` (audited as user.sign_out by req.actor); ending an unknown
/// session is not an error and writes nothing.
core::result<void> logout(storage::database& db, const request& req, const std::string& token);

}  // namespace balint::app
