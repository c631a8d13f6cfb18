#pragma once

// The SQLite plumbing under sqlite_database: the connection, and its cache of prepared
// statements behind detail::statement (sql_statement.hpp).

#include "sql_statement.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace balint::storage::detail {

/// The one place driver error codes become storage_error (SQLiteCpp's check()): the message is
/// "WHAT: SQLite's message", the code SQLite's extended result code.
void check(sqlite3* db, int rc, std::string_view what);

/// One sqlite3_stmt, finalized on destruction.
class sqlite_prepared final : public prepared {
 public:
  sqlite_prepared(sqlite3* db, std::string_view sql);
  ~sqlite_prepared() override;
  sqlite_prepared(const sqlite_prepared&) = delete;
  sqlite_prepared& operator=(const sqlite_prepared&) = delete;

  void bind(int index, std::int64_t v) override;
  void bind(int index, std::string_view v) override;
  void bind_null(int index) override;
  bool step() override;
  void run(std::string_view what) override;
  void reset() override;
  bool is_null(int col) const override;
  std::int64_t integer(int col) const override;
  std::string text(int col) const override;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// The prepared statements of one SQLite connection (see statement_cache).
class sqlite_statement_cache final : public statement_cache<sqlite_prepared> {
 public:
  explicit sqlite_statement_cache(sqlite3* db) : db_(db) {}
  void run_plain(const std::string& text, std::string_view what) override {
    // Through the cache too: each savepoint name is prepared once per connection.
    statement(*this, text).run(what);
  }
  void run_quietly(const std::string& text) noexcept override {
    sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  }

 private:
  std::unique_ptr<sqlite_prepared> prepare(std::string_view sql) override {
    return std::make_unique<sqlite_prepared>(db_, sql);
  }
  std::unique_ptr<sqlite_prepared> again(const sqlite_prepared&, std::string_view sql) override {
    return std::make_unique<sqlite_prepared>(db_, sql);
  }
  sqlite3* db_;
};

/// An open sqlite3 handle, closed on destruction.
class connection {
 public:
  /// sqlite3_open_v2 (read-write, create) with extended result codes; throws storage_error.
  explicit connection(const std::string& path);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace balint::storage::detail
