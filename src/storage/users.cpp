// Repositories for the web application's users, their sessions and sign-in attempts (issue 8).
#include "database_impl.hpp"

#include "balint/storage/database.hpp"

namespace balint::storage {

using detail::statement;

namespace {

constexpr std::string_view user_columns =
    "id, name, role, password_hash, salt, iterations, created_at, disabled_at";

user_record read_user(const statement& s) {
  return {s.integer(0), s.text(1),    s.text(2), s.text(3),
          s.text(4),    s.integer(5), s.text(6), s.optional_text(7)};
}

}  // namespace

void database::insert_user(const user_record& u) {
  statement s(impl_->statements,
              "INSERT INTO user (name, role, password_hash, salt, iterations, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, u.name);
  s.bind(2, u.role);
  s.bind(3, u.password_hash);
  s.bind(4, u.salt);
  s.bind(5, u.iterations);
  s.bind(6, u.created_at);
  s.step();
}

std::optional<user_record> database::find_user(std::string_view name) {
  statement s(impl_->statements,
              "SELECT " + std::string(user_columns) + " FROM user WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return read_user(s);
}

std::optional<user_record> database::find_user_by_id(std::int64_t id) {
  statement s(impl_->statements, "SELECT " + std::string(user_columns) + " FROM user WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_user(s);
}

std::vector<user_record> database::users() {
  statement s(impl_->statements,
              "SELECT " + std::string(user_columns) + " FROM user ORDER BY name");
  std::vector<user_record> out;
  while (s.step()) out.push_back(read_user(s));
  return out;
}

void database::disable_user(std::int64_t user_id, const std::string& at) {
  statement s(impl_->statements, "UPDATE user SET disabled_at = ? WHERE id = ?");
  s.bind(1, at);
  s.bind(2, user_id);
  s.step();
}

void database::insert_web_session(const web_session_record& w) {
  statement s(impl_->statements,
              "INSERT INTO web_session (token_hash, user_id, created_at, last_seen_at, csrf_token) "
              "VALUES (?, ?, ?, ?, ?)");
  s.bind(1, w.token_hash);
  s.bind(2, w.user_id);
  s.bind(3, w.created_at);
  s.bind(4, w.last_seen_at);
  s.bind(5, w.csrf_token);
  s.step();
}

std::optional<web_session_record> database::find_web_session(std::string_view token_hash) {
  statement s(impl_->statements,
              "SELECT token_hash, user_id, created_at, last_seen_at, csrf_token FROM web_session "
              "WHERE token_hash = ?");
  s.bind(1, token_hash);
  if (!s.step()) return std::nullopt;
  return web_session_record{s.text(0), s.integer(1), s.text(2), s.text(3), s.text(4)};
}

void database::touch_web_session(std::string_view token_hash, const std::string& at) {
  statement s(impl_->statements, "UPDATE web_session SET last_seen_at = ? WHERE token_hash = ?");
  s.bind(1, at);
  s.bind(2, token_hash);
  s.step();
}

void database::delete_web_session(std::string_view token_hash) {
  statement s(impl_->statements, "DELETE FROM web_session WHERE token_hash = ?");
  s.bind(1, token_hash);
  s.step();
}

void database::delete_web_sessions_of(std::int64_t user_id) {
  statement s(impl_->statements, "DELETE FROM web_session WHERE user_id = ?");
  s.bind(1, user_id);
  s.step();
}

void database::insert_login_attempt(std::string_view user_name, const std::string& at, bool ok) {
  statement s(impl_->statements, "INSERT INTO login_attempt (user_name, at, ok) VALUES (?, ?, ?)");
  s.bind(1, user_name);
  s.bind(2, at);
  s.bind(3, std::int64_t{ok ? 1 : 0});
  s.step();
}

std::int64_t database::count_login_failures(std::string_view user_name, const std::string& since) {
  // ISO 8601 UTC text with a fixed width orders like the instants it names.
  statement s(impl_->statements,
              "SELECT count(*) FROM login_attempt WHERE user_name = ?1 AND ok = 0 AND at > ?2 "
              "AND at > coalesce((SELECT max(at) FROM login_attempt WHERE user_name = ?1 AND "
              "ok = 1), '')");
  s.bind(1, user_name);
  s.bind(2, since);
  s.step();
  return s.integer(0);
}

}  // namespace balint::storage
