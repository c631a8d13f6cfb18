#pragma once

// The SQLite implementation of storage::database: sqlite_database.cpp (open, pragmas,
// migrations) and sqlite_transactions.cpp; the repositories' SQL is shared (sql_repositories).
#include "sql_repositories.hpp"
#include "sqlite_statement.hpp"

#include "balint/core/ids.hpp"
#include "balint/storage/database.hpp"

#include <sqlite3.h>

#include <string>
#include <string_view>

namespace balint::storage {

class sqlite_database final : public sql_repositories {
 public:
  /// Opens (or creates) `path`, sets the pragmas and applies the migrations this file lacks
  /// (schemas/sql, each in its own transaction); see database::open.
  explicit sqlite_database(const std::string& path);
  /// Rolls back a transaction left open (a batch abandoned after a failure), so the file's
  /// writer turn is given back.
  ~sqlite_database() override;

  int schema_version() override;
  connection_settings settings() override;

  bool in_transaction() const override;

 private:
  detail::statement_source& statements() override { return statements_; }
  // sqlite_transactions.cpp
  void begin_outer(bool write) override;
  void commit_outer() override;
  void rollback_outer() noexcept override;
  void check_still_open() override;
  void release_turn() noexcept;

  std::string path_;  ///< as opened; keys the in-process writer turn
  detail::connection connection_;
  /// Declared after `connection_`, so finalized before the handle closes.
  detail::sqlite_statement_cache statements_;
  bool holds_turn_ = false;  ///< this connection holds its file's in-process writer turn
};

}  // namespace balint::storage
