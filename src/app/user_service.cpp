#include "balint/app/user_service.hpp"

#include "balint/app/site.hpp"
#include "balint/core/json.hpp"
#include "balint/core/sha256.hpp"
#include "balint/core/text.hpp"
#include "balint/scheduling/calendar.hpp"

#include <array>
#include <chrono>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdexcept>

namespace balint::app {
namespace {

constexpr std::size_t salt_bytes = 16;
constexpr std::size_t token_bytes = 16;  // 128 bits
constexpr std::size_t min_password_length = 12;

core::error unauthenticated(std::string field, std::string message) {
  return {core::error_code::unauthenticated, std::move(field), std::move(message)};
}

core::error forbidden(std::string field, std::string message) {
  return {core::error_code::forbidden, std::move(field), std::move(message)};
}

std::string to_hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0x0f];
  }
  return out;
}

std::string from_hex(std::string_view hex) {
  std::string out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return out;
}

/// A stored time (a session's last use, a sign-in), written by us; unreadable means a damaged
/// file, never "1970".
scheduling::utc_time instant_of(const std::string& iso) {
  auto t = scheduling::parse_utc_iso(iso.substr(0, 19) + "Z");
  if (!t)
    throw storage::storage_error("the database holds a time that is not UTC: \"" + iso + "\"");
  return *t;
}

/// The request timestamps' own format, so texts compare like instants.
std::string iso_ms(scheduling::utc_time t) {
  return scheduling::utc_iso(t).substr(0, 19) + ".000Z";
}

core::result<void> check_name(const std::string& name) {
  const bool ok_chars = !name.empty() && name.size() <= 64 &&
                        name.find_first_not_of(
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                            "0123456789.-_") == std::string::npos;
  if (ok_chars) return {};
  return core::invalid_input("name", "user name \"" + name +
                                         "\" is not allowed: use 1 to 64 letters, digits, '.', "
                                         "'-' or '_'");
}

user_view view_of(const storage::user_record& u) {
  auto r = parse_role(u.role);
  return {u.name, r ? r.value() : role::analyst, u.created_at, u.disabled_at};
}

core::json audit_json(const user_view& u) {
  core::json j;
  j["name"] = u.name;
  j["role"] = std::string(to_string(u.user_role));
  if (u.disabled_at) j["disabled_at"] = *u.disabled_at;
  return j;
}

}  // namespace

std::string console_actor(const std::string& os_login) { return "os:" + os_login; }

core::result<request> command_line_request(storage::database& db,
                                           const std::optional<std::string>& as_user,
                                           const std::string& os_login, std::string now) {
  if (!as_user) return request{console_actor(os_login), std::move(now), role::console};
  const auto& name = *as_user;
  const auto row = db.find_user(name);
  if (row && !row->disabled_at) {
    auto r = parse_role(row->role);
    if (!r) {
      throw storage::storage_error("the database gives user \"" + name +
                                   "\" a role that is not known: \"" + row->role + "\"");
    }
    return request{row->name, std::move(now), r.value()};
  }
  std::vector<std::string> active;
  for (const auto& u : db.users()) {
    if (!u.disabled_at) active.push_back(u.name);
  }
  constexpr std::size_t shown = 20;
  std::string allowed;
  if (active.empty()) {
    allowed = "this trial has no users yet (add them with 'balint-trial user add')";
  } else {
    const bool more = active.size() > shown;
    if (more) active.resize(shown);
    allowed = "one of its active users: " + core::join(active, ", ") + (more ? ", ..." : "") +
              " ('balint-trial user list' shows them)";
  }
  // Only a well-formed name is echoed: the text of --as may be anything a shell can pass.
  const bool well_formed = check_name(name).has_value();
  const std::string shown_name = well_formed ? "\"" + name + "\"" : "(not a user name)";
  const std::string why = row ? "--as " + shown_name + " was disabled on " + *row->disabled_at
                              : "--as " + shown_name + " is not a user of this trial";
  return core::invalid_input("--as", why + "; allowed: " + allowed +
                                         ", or leave out --as to act as the console (" +
                                         console_actor(os_login) + ")");
}

std::string hash_password(std::string_view password, std::string_view salt,
                          std::int64_t iterations) {
  std::array<unsigned char, 32> out{};
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(out.size()), out.data()) != 1) {
    throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
  }
  return to_hex(out.data(), out.size());
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // OpenSSL's CRYPTO_memcmp is written so that compilers cannot turn it into an early exit.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("the system's random number generator failed (RAND_bytes)");
  }
  return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

core::result<user_view> add_user(storage::database& db, const request& req, const std::string& name,
                                 const std::string& role_text, const std::string& password,
                                 const security_settings& settings) {
  if (auto ok = authorize(req, use_case::add_user); !ok) return std::move(ok).error();
  if (auto ok = check_name(name); !ok) return std::move(ok).error();
  auto r = parse_role(role_text);
  if (!r) return std::move(r).error();
  if (password.size() < min_password_length) {
    return core::invalid_input("password", "the password has " + std::to_string(password.size()) +
                                               " characters; at least " +
                                               std::to_string(min_password_length) + " are needed");
  }
  if (settings.pbkdf2_iterations < 600000) {
    return core::invalid_input("iterations", "PBKDF2 needs at least 600000 iterations");
  }
  const auto taken = [&] {
    return core::conflict("name", "there is already a user \"" + name +
                                      "\"; choose another name or disable the old user");
  };
  if (db.find_user(name)) return taken();
  // The slow hash runs before the write lock is taken, so other writers never wait for it.
  const std::string salt_hex = random_hex(salt_bytes);
  const std::string hash = hash_password(password, from_hex(salt_hex), settings.pbkdf2_iterations);
  storage::transaction tx(db);
  if (db.find_user(name)) return taken();  // added meanwhile by another process
  storage::user_record u{0,       name,        std::string(to_string(r.value())),
                         hash,    salt_hex,    settings.pbkdf2_iterations,
                         req.now, std::nullopt};
  db.insert_user(u);
  const user_view v = view_of(u);
  append_audit(db, req, "user.add", "user:" + name, std::nullopt, audit_json(v), std::nullopt);
  tx.commit();
  return v;
}

core::result<user_view> grant_trial_role(storage::database& accounts, storage::database& trial_db,
                                         const request& req, const std::string& name,
                                         const std::string& role_text) {
  if (auto ok = authorize(req, use_case::grant_trial_role); !ok) return std::move(ok).error();
  auto r = parse_role(role_text);
  if (!r) return std::move(r).error();
  const auto account = accounts.find_user(name);
  if (!account || account->disabled_at) {
    return core::not_found("name", "there is no " + std::string(account ? "active " : "") +
                                       "account \"" + name +
                                       "\" at this site; add it first with 'balint-trial user "
                                       "add' (without --trial)");
  }
  storage::transaction tx(trial_db);
  if (const auto there = trial_db.find_user(name)) {
    return core::conflict("name", "\"" + name + "\" already has the role " + there->role +
                                      " in this trial" +
                                      (there->disabled_at ? " (disabled)" : std::string()));
  }
  // The account's password hash is copied, so the trial file alone, moved elsewhere, still
  // lets its users sign in.
  storage::user_record u = *account;
  u.id = 0;
  u.role = std::string(to_string(r.value()));
  u.created_at = req.now;
  trial_db.insert_user(u);
  const user_view v = view_of(u);
  append_audit(trial_db, req, "user.grant", "user:" + name, std::nullopt, audit_json(v),
               std::nullopt);
  tx.commit();
  return v;
}

core::result<user_view> disable_user(storage::database& db, const request& req,
                                     const std::string& name) {
  if (auto ok = authorize(req, use_case::disable_user); !ok) return std::move(ok).error();
  // An admin who disabled themselves would be signed out with nobody left to undo it.
  if (req.actor_role != role::console && name == req.actor) {
    return core::conflict("name",
                          "you cannot disable your own user; another admin, or the command line "
                          "on the trial's machine, can");
  }
  storage::transaction tx(db);
  auto u = db.find_user(name);
  if (!u) return core::not_found("name", "there is no user \"" + name + "\"");
  if (u->disabled_at) {
    return core::conflict("name",
                          "user \"" + name + "\" was already disabled at " + *u->disabled_at);
  }
  const user_view before = view_of(*u);
  db.disable_user(u->id, req.now);
  db.delete_web_sessions_of(u->id);
  u->disabled_at = req.now;
  const user_view after = view_of(*u);
  append_audit(db, req, "user.disable", "user:" + name, audit_json(before), audit_json(after),
               std::nullopt);
  tx.commit();
  return after;
}

core::result<user_view> own_account(storage::database& db, const request& req) {
  if (auto ok = authorize(req, use_case::view_own_account); !ok) return std::move(ok).error();
  const auto u = db.find_user(req.actor);
  if (!u) return core::not_found("user", "there is no user \"" + req.actor + "\"");
  return view_of(*u);
}

core::result<std::vector<user_view>> list_users(storage::database& db, const request& req) {
  if (auto ok = authorize(req, use_case::list_users); !ok) return std::move(ok).error();
  std::vector<user_view> out;
  for (const auto& u : db.users()) out.push_back(view_of(u));
  return out;
}

namespace {

core::error too_many_failures(const std::string& name, const security_settings& settings) {
  return forbidden("user", "too many failed sign-ins for \"" + name + "\" (" +
                               std::to_string(settings.max_failed_logins) + " within " +
                               std::to_string(settings.failed_login_window_seconds / 60) +
                               " minutes); try again later or ask an admin");
}

}  // namespace

core::result<signed_in> login(storage::database& db, const request& req, const std::string& name,
                              const std::string& password, const security_settings& settings) {
  if (auto ok = authorize(req, use_case::sign_in); !ok) return std::move(ok).error();
  const auto now = now_of(req);
  const std::string since =
      iso_ms(now - std::chrono::seconds(settings.failed_login_window_seconds));
  // A name no user can have (over 64 characters, or other characters) is answered like any
  // failure, after the same hashing, but not recorded: what strangers type must not grow the
  // table of attempts (ten 1 MB names added 21 MB).
  if (!check_name(name)) {
    hash_password(password, std::string(salt_bytes, '\0'), settings.pbkdf2_iterations);
    return unauthenticated("password", "unknown user, disabled user or wrong password");
  }
  // Refused before the password is even checked: a guesser learns nothing during the lock.
  if (db.count_login_failures(name, since) >= settings.max_failed_logins) {
    return too_many_failures(name, settings);
  }
  const auto u = db.find_user(name);
  // Hash even for unknown users, so the answer's timing does not reveal which names exist.
  const std::string salt = u ? from_hex(u->salt) : std::string(salt_bytes, '\0');
  const std::int64_t iterations = u ? u->iterations : settings.pbkdf2_iterations;
  const std::string computed = hash_password(password, salt, iterations);
  const bool ok = u && !u->disabled_at && constant_time_equal(computed, u->password_hash);

  storage::transaction tx(db);
  // Counted again under the write lock: sign-ins hashing in parallel all passed the first
  // count before any of them recorded its failure.
  if (db.count_login_failures(name, since) >= settings.max_failed_logins) {
    db.insert_login_attempt(name, req.now, false);
    tx.commit();
    return too_many_failures(name, settings);
  }
  db.delete_login_attempts_before(since);  // past the window they count for nothing
  db.insert_login_attempt(name, req.now, ok);
  if (!ok) {
    tx.commit();  // the failure must count even though the sign-in is refused
    return unauthenticated("password", "unknown user, disabled user or wrong password");
  }
  signed_in s{u->name, view_of(*u).user_role, random_hex(token_bytes), random_hex(token_bytes)};
  db.insert_web_session({core::sha256_hex(s.token), u->id, req.now, req.now, s.csrf_token});
  // Who was signed in when is part of the trial's record (failed attempts are kept in
  // login_attempt for the rate limit, not in the audit trail).
  core::json after;
  after["role"] = std::string(to_string(s.user_role));
  append_audit(db, req, "user.sign_in", "user:" + s.user, std::nullopt, after, std::nullopt);
  tx.commit();
  return s;
}

core::result<session_identity> authenticate(storage::database& db, const request& req,
                                            const std::string& token,
                                            const security_settings& settings) {
  if (token.empty()) return unauthenticated("session", "sign in first (POST /api/login)");
  const std::string token_hash = core::sha256_hex(token);
  // The session and its user in one query: every request of a signed-in user starts here.
  const auto found = db.find_signed_in(token_hash);
  if (!found)
    return unauthenticated("session", "the session is unknown or has ended; sign in again");
  const auto* s = &found->session;
  const auto now = now_of(req);
  const auto last = instant_of(s->last_seen_at);
  if (now - last > std::chrono::seconds(settings.idle_timeout_seconds)) {
    storage::transaction tx(db);
    db.delete_web_session(token_hash);
    tx.commit();
    return unauthenticated("session", "the session expired after " +
                                          std::to_string(settings.idle_timeout_seconds / 60) +
                                          " minutes without use; sign in again");
  }
  const auto* u = &found->user;
  if (u->disabled_at) {
    return unauthenticated("session", "this user is disabled; ask an admin");
  }
  // Refreshing on every request would turn every read into a write; once a minute is enough
  // for a timeout counted in minutes.
  if (now - last >= std::chrono::seconds(60)) {
    storage::transaction tx(db);
    db.touch_web_session(token_hash, req.now);
    tx.commit();
  }
  return session_identity{u->name, view_of(*u).user_role, s->csrf_token, token_hash};
}

core::result<void> logout(storage::database& db, const request& req, const std::string& token) {
  if (auto ok = authorize(req, use_case::sign_out); !ok) return std::move(ok).error();
  const std::string token_hash = core::sha256_hex(token);
  storage::transaction tx(db);
  if (db.find_web_session(token_hash)) {
    db.delete_web_session(token_hash);
    append_audit(db, req, "user.sign_out", "user:" + req.actor, std::nullopt, std::nullopt,
                 std::nullopt);
  }
  tx.commit();
  return {};
}

}  // namespace balint::app
