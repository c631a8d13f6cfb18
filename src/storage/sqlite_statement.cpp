#include "sqlite_statement.hpp"

#include <sqlite3.h>

#include <string>

namespace balint::storage {

namespace detail {

void check(sqlite3* db, int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  throw storage_error(std::string(what) + ": " + sqlite3_errmsg(db), sqlite3_extended_errcode(db));
}

sqlite_prepared::sqlite_prepared(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    check(db_, rc, "preparing SQL");
  }
}

sqlite_prepared::~sqlite_prepared() { sqlite3_finalize(stmt_); }

void sqlite_prepared::bind(int index, std::int64_t v) {
  check(db_, sqlite3_bind_int64(stmt_, index, v), "binding");
}
void sqlite_prepared::bind(int index, std::string_view v) {
  // An empty string_view may have no data pointer; SQLite would bind that as NULL, not ''.
  check(db_,
        sqlite3_bind_text(stmt_, index, v.data() ? v.data() : "", static_cast<int>(v.size()),
                          SQLITE_TRANSIENT),
        "binding");
}
void sqlite_prepared::bind_null(int index) {
  check(db_, sqlite3_bind_null(stmt_, index), "binding");
}

bool sqlite_prepared::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  check(db_, rc, "executing SQL");
  return false;
}

void sqlite_prepared::run(std::string_view what) { check(db_, sqlite3_step(stmt_), what); }

void sqlite_prepared::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool sqlite_prepared::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::int64_t sqlite_prepared::integer(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string sqlite_prepared::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : "";
}

}  // namespace detail

namespace detail {

connection::connection(const std::string& path) {
  // NOMUTEX: a connection is used by one thread at a time (a pooled one may move between
  // threads), so SQLite's per-connection mutex would only cost time.
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    throw storage_error("cannot open the database " + path + ": " + message, rc);
  }
  // Extended codes (SQLITE_CONSTRAINT_UNIQUE, SQLITE_IOERR_FSYNC, ...) reach storage_error.
  sqlite3_extended_result_codes(db_, 1);
}

connection::~connection() { sqlite3_close_v2(db_); }

}  // namespace detail

}  // namespace balint::storage
