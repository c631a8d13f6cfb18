#include "sqlite_statement.hpp"

#include <sqlite3.h>

#include <string>

namespace balint::storage {

namespace detail {

void check(sqlite3* db, int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  throw storage_error(std::string(what) + ": " + sqlite3_errmsg(db), sqlite3_extended_errcode(db));
}

statement_cache::~statement_cache() {
  for (auto& [sql, e] : entries_) sqlite3_finalize(e.stmt);
}

sqlite3_stmt* statement_cache::borrow(std::string_view sql, entry*& from) {
  auto it = entries_.find(sql);
  if (it != entries_.end() && !it->second.in_use) {
    it->second.in_use = true;
    from = &it->second;
    return it->second.stmt;
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    check(db_, rc, "preparing SQL");
  }
  if (it == entries_.end()) {
    // Elements of an unordered_map stay put when it grows: `from` stays valid.
    from = &entries_.emplace(std::string(sql), entry{stmt, true}).first->second;
  } else {
    from = nullptr;  // the cached one is borrowed further up the stack
  }
  return stmt;
}

void statement_cache::give_back(sqlite3_stmt* stmt, entry* from) noexcept {
  if (from == nullptr) {
    sqlite3_finalize(stmt);
    return;
  }
  // Reset: a statement left part-way would keep its read snapshot open.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  from->in_use = false;
}

statement::statement(statement_cache& cache, std::string_view sql)
    : cache_(cache), db_(cache.handle()) {
  stmt_ = cache.borrow(sql, from_);
}

statement::~statement() { cache_.give_back(stmt_, from_); }

void statement::bind(int index, std::int64_t v) {
  check(db_, sqlite3_bind_int64(stmt_, index, v), "binding");
}
void statement::bind(int index, std::string_view v) {
  // An empty string_view may have no data pointer; SQLite would bind that as NULL, not ''.
  check(db_,
        sqlite3_bind_text(stmt_, index, v.data() ? v.data() : "", static_cast<int>(v.size()),
                          SQLITE_TRANSIENT),
        "binding");
}
void statement::bind_null(int index) { check(db_, sqlite3_bind_null(stmt_, index), "binding"); }

bool statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  check(db_, rc, "executing SQL");
  return false;
}

void statement::run(std::string_view what) { check(db_, sqlite3_step(stmt_), what); }

void statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t statement::integer(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : "";
}
std::optional<std::string> statement::optional_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}
std::optional<int> statement::optional_int(int col) const {
  if (is_null(col)) return std::nullopt;
  return static_cast<int>(integer(col));
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
