#pragma once

// The PostgreSQL plumbing under postgres_database: the libpq connection and its cache of
// server-side prepared statements behind detail::statement (sql_statement.hpp).

#include "sql_statement.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <libpq-fe.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace balint::storage::detail {

/// The shared SQL's placeholders in PostgreSQL's spelling: `?` becomes `$1`, `$2`, ... in order
/// and `?N` becomes `$N`. Sets `parameters` to the highest number used. Text inside single
/// quotes is left alone.
std::string postgres_placeholders(std::string_view sql, int& parameters);

/// Throws storage_error "WHAT: the server's message (SQLSTATE xxxxx)" unless `result` has
/// `expected` status; clears `result` first when it throws.
void check_result(PGconn* conn, PGresult* result, ExecStatusType expected, std::string_view what);

/// A statement prepared on the server under `name`; the rows of its last run are held here.
/// `cached`: owned by the cache and reused; otherwise freed when given back.
class postgres_prepared final : public prepared {
 public:
  postgres_prepared(PGconn* conn, std::string name, int parameters, bool cached)
      : conn_(conn),
        name_(std::move(name)),
        values_(static_cast<std::size_t>(parameters)),
        cached_(cached) {}
  ~postgres_prepared() override { clear(); }
  postgres_prepared(const postgres_prepared&) = delete;
  postgres_prepared& operator=(const postgres_prepared&) = delete;

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
  const std::string& name() const { return name_; }
  int parameters() const { return static_cast<int>(values_.size()); }
  bool in_use = false;

 private:
  void execute(std::string_view what);
  void clear() noexcept;
  std::optional<std::string>& slot(int index);

  PGconn* conn_;
  std::string name_;
  std::vector<std::optional<std::string>> values_;
  bool cached_;
  PGresult* result_ = nullptr;
  int row_ = -1;
};

/// The prepared statements of one connection by SQL text, each prepared on the server once.
/// While one is borrowed (the same SQL nested inside itself) a second handle on the same
/// server-side statement is made and freed after use. One thread uses a connection at a time.
class postgres_statement_cache final : public statement_source {
 public:
  explicit postgres_statement_cache(PGconn* conn) : conn_(conn) {}
  postgres_statement_cache(const postgres_statement_cache&) = delete;
  postgres_statement_cache& operator=(const postgres_statement_cache&) = delete;

  prepared& borrow(std::string_view sql) override;
  void give_back(prepared& p) noexcept override;

 private:
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  PGconn* conn_;
  std::unordered_map<std::string, std::unique_ptr<postgres_prepared>, text_hash, std::equal_to<>>
      entries_;
};

/// An open libpq connection, closed on destruction.
class postgres_connection {
 public:
  /// Connects to `url` (postgresql://...); the password comes from libpq's environment
  /// (PGPASSWORD, PGPASSFILE, ~/.pgpass). Throws storage_error naming the host on failure.
  explicit postgres_connection(const std::string& url);
  ~postgres_connection();
  postgres_connection(const postgres_connection&) = delete;
  postgres_connection& operator=(const postgres_connection&) = delete;
  PGconn* get() const { return conn_; }
  /// Runs `sql` (one or more statements, no parameters) and throws "WHAT: message" on failure.
  void exec(const std::string& sql, std::string_view what);

 private:
  PGconn* conn_ = nullptr;
};

}  // namespace balint::storage::detail
