#pragma once

// The SQLite plumbing under sqlite_database: the connection, and its cache of prepared
// statements behind detail::statement (sql_statement.hpp).

#include "sql_statement.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace balint::storage::detail {

/// The one place driver error codes become storage_error (SQLiteCpp's check()): the message is
/// "WHAT: SQLite's message", the code SQLite's extended result code.
void check(sqlite3* db, int rc, std::string_view what);

/// One sqlite3_stmt. `cached`: owned by the cache and reused; otherwise freed when given back.
class sqlite_prepared final : public prepared {
 public:
  sqlite_prepared(sqlite3* db, std::string_view sql, bool cached);
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

  bool cached() const { return cached_; }
  bool in_use = false;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool cached_;
};

/// The prepared statements of one connection, by SQL text: each is prepared on first use and
/// kept until the connection closes; while one is borrowed (the same SQL nested inside itself)
/// a fresh one is prepared and freed after use. Not thread-safe, like the connection itself:
/// one thread uses a connection at a time.
class statement_cache final : public statement_source {
 public:
  explicit statement_cache(sqlite3* db) : db_(db) {}
  statement_cache(const statement_cache&) = delete;
  statement_cache& operator=(const statement_cache&) = delete;

  prepared& borrow(std::string_view sql) override;
  void give_back(prepared& p) noexcept override;
  /// How many statements are cached.
  std::size_t size() const { return entries_.size(); }

 private:
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<sqlite_prepared>, text_hash, std::equal_to<>>
      entries_;
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
