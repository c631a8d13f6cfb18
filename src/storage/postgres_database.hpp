#pragma once

// The PostgreSQL implementation of storage::database (issue 13): postgres_database.cpp opens
// the connection, applies schemas/sql/postgresql and runs transactions; the repositories' SQL
// is shared with SQLite (sql_repositories).
#include "postgres_statement.hpp"
#include "sql_repositories.hpp"

#include <string>

namespace balint::storage {

class postgres_database final : public sql_repositories {
 public:
  /// Connects to `url` (postgresql://host[:port]/dbname; no password in it) and applies the
  /// migrations the database lacks, one process at a time; see database::open. A URL ending in
  /// `#trial=ID` is the trial ID of a site: it lives in its own schema "trial_ID", created here
  /// when missing, and its writers take a lock of their own.
  explicit postgres_database(const std::string& url);
  /// Rolls back a transaction left open.
  ~postgres_database() override;

  int schema_version() override;
  connection_settings settings() override;

  bool in_transaction() const override;
  void let_writes_wait_for_commit(bool on) override {
    statements_.waiting().send_writes_at_release(!on);
  }

 private:
  detail::statement_source& statements() override { return statements_; }
  void begin_outer(bool write) override;
  void commit_outer() override;
  void rollback_outer() noexcept override;
  void migrate();

  std::string url_;
  /// "trial_ID" for a trial of a site, empty for the database's own (public) schema.
  std::string schema_;
  /// BEGIN of a write transaction with the trial's writer lock (made once).
  std::string begin_write_;
  detail::postgres_connection connection_;
  /// Declared after `connection_`, so dropped before the connection closes.
  detail::postgres_statement_cache statements_;
};

}  // namespace balint::storage
