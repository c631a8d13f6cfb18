#pragma once

#include "balint/storage/database.hpp"

#include <Poco/Data/Session.h>
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace balint::storage {

namespace detail {

/// The one place driver error codes become storage_error (SQLiteCpp's check()).
void check(sqlite3* db, int rc, std::string_view what);

/// A prepared statement on the handle Poco opened, for the hot paths (bulk item answers,
/// streaming exports): Poco 1.11 re-prepares on every execute, this prepares once.
class statement {
 public:
  statement(sqlite3* db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  void bind(int index, std::int64_t v);
  void bind(int index, std::string_view v);
  void bind_null(int index);
  /// True when a row is ready; false when done.
  bool step();
  void reset();
  bool is_null(int col) const;
  std::int64_t integer(int col) const;
  std::string text(int col) const;
  std::optional<std::string> optional_text(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace detail

struct database::impl {
  explicit impl(const std::string& path);
  Poco::Data::Session session;
  sqlite3* handle;
  int depth = 0;  ///< open begin() calls: 1 = BEGIN IMMEDIATE, more = savepoints inside it
};

}  // namespace balint::storage
