// user_repository (SQL shared by both backends): users of the web application, their sessions and
// sign-in attempts.
#include "sql_repositories.hpp"

namespace balint::storage {

namespace {

constexpr std::string_view user_columns =
    "id, name, role, password_hash, salt, iterations, created_at, disabled_at FROM \"user\"";

user_record read_user(const detail::statement& s) {
  return {s.integer(0), s.text(1),    s.text(2), s.text(3),
          s.text(4),    s.integer(5), s.text(6), s.optional_text(7)};
}

}  // namespace

void sql_repositories::insert_user(const user_record& u) {
  sql("INSERT INTO \"user\" (name, role, password_hash, salt, iterations, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)")
      .execute(u.name, u.role, u.password_hash, u.salt, u.iterations, u.created_at);
}

std::optional<user_record> sql_repositories::find_user(std::string_view name) {
  return sql("SELECT " + std::string(user_columns) + " WHERE name = ?")
      .bind_all(name)
      .first(read_user);
}

std::optional<user_record> sql_repositories::find_user_by_id(std::int64_t id) {
  return sql("SELECT " + std::string(user_columns) + " WHERE id = ?").bind_all(id).first(read_user);
}

std::vector<user_record> sql_repositories::users() {
  return sql("SELECT " + std::string(user_columns) + " ORDER BY name").all(read_user);
}

void sql_repositories::disable_user(std::int64_t user_id, const std::string& at) {
  sql("UPDATE \"user\" SET disabled_at = ? WHERE id = ?").execute(at, user_id);
}

void sql_repositories::insert_web_session(const web_session_record& w) {
  sql("INSERT INTO web_session (token_hash, user_id, created_at, last_seen_at, csrf_token) "
      "VALUES (?, ?, ?, ?, ?)")
      .execute(w.token_hash, w.user_id, w.created_at, w.last_seen_at, w.csrf_token);
}

std::optional<web_session_record> sql_repositories::find_web_session(std::string_view token_hash) {
  return sql("SELECT token_hash, user_id, created_at, last_seen_at, csrf_token FROM web_session "
             "WHERE token_hash = ?")
      .bind_all(token_hash)
      .first([](const detail::statement& s) {
        return web_session_record{s.text(0), s.integer(1), s.text(2), s.text(3), s.text(4)};
      });
}

std::optional<signed_in_record> sql_repositories::find_signed_in(std::string_view token_hash) {
  return sql("SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.csrf_token, u.id, "
             "u.name, u.role, u.password_hash, u.salt, u.iterations, u.created_at, u.disabled_at "
             "FROM web_session s JOIN \"user\" u ON u.id = s.user_id WHERE s.token_hash = ?")
      .bind_all(token_hash)
      .first([](const detail::statement& s) {
        return signed_in_record{{s.text(0), s.integer(1), s.text(2), s.text(3), s.text(4)},
                                {s.integer(5), s.text(6), s.text(7), s.text(8), s.text(9),
                                 s.integer(10), s.text(11), s.optional_text(12)}};
      });
}

void sql_repositories::touch_web_session(std::string_view token_hash, const std::string& at) {
  sql("UPDATE web_session SET last_seen_at = ? WHERE token_hash = ?").execute(at, token_hash);
}

void sql_repositories::delete_web_session(std::string_view token_hash) {
  sql("DELETE FROM web_session WHERE token_hash = ?").execute(token_hash);
}

void sql_repositories::delete_web_sessions_of(std::int64_t user_id) {
  sql("DELETE FROM web_session WHERE user_id = ?").execute(user_id);
}

void sql_repositories::insert_login_attempt(std::string_view user_name, const std::string& at,
                                            bool ok) {
  sql("INSERT INTO login_attempt (user_name, at, ok) VALUES (?, ?, ?)").execute(user_name, at, ok);
}

void sql_repositories::delete_login_attempts_before(const std::string& before) {
  sql("DELETE FROM login_attempt WHERE at <= ?").execute(before);
}

std::int64_t sql_repositories::count_login_failures(std::string_view user_name,
                                                    const std::string& since) {
  // ISO 8601 UTC text with a fixed width orders like the instants it names.
  auto s =
      sql("SELECT count(*) FROM login_attempt WHERE user_name = ?1 AND ok = 0 AND at > ?2 "
          "AND at > coalesce((SELECT max(at) FROM login_attempt WHERE user_name = ?1 AND "
          "ok = 1), '')");
  s.bind_all(user_name, since);
  return s.step() ? s.integer(0) : 0;
}

}  // namespace balint::storage
