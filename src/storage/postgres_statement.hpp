#pragma once

// The PostgreSQL plumbing under postgres_database: the libpq connection and its cache of
// server-side prepared statements behind detail::statement (sql_statement.hpp).

#include "sql_statement.hpp"

#include <cstddef>
#include <cstdint>
#include <libpq-fe.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::storage::detail {

/// The shared SQL's placeholders in PostgreSQL's spelling: `?` becomes `$1`, `$2`, ... in order
/// and `?N` becomes `$N`. Sets `parameters` to the highest number used. Text inside single
/// quotes is left alone.
std::string postgres_placeholders(std::string_view sql, int& parameters);

/// Throws storage_error "WHAT: the server's message (SQLSTATE xxxxx)" unless `result` has
/// `expected` status; clears `result` first when it throws.
void check_result(PGconn* conn, PGresult* result, ExecStatusType expected, std::string_view what);

/// Statements held back until the connection's next statement, then sent in one message with
/// it: savepoints, and writes whose rows nobody reads (as "EXECUTE balint_N('v', ...)"). A
/// use case of a group-commit batch then costs the server one round trip per read: the
/// previous use case's writes, its RELEASE SAVEPOINTs, this one's SAVEPOINTs and its first read
/// travel together ("...; EXECUTE balint_9(...); RELEASE SAVEPOINT nested_2; ...; EXECUTE
/// balint_6('42')"), and the last writes go with COMMIT. A savepoint nothing ran in is never
/// sent. Writes never leave their savepoint unsent: RELEASE of a savepoint with writes waiting
/// sends them with it, so a write that fails (a constraint) fails that savepoint's commit, and
/// the use case that made it is the one refused.
class waiting_savepoints {
 public:
  explicit waiting_savepoints(PGconn* conn) : conn_(conn) {}
  /// Writes waiting from the enclosing savepoint are sent first where they must answer for
  /// themselves (at_release_): a failure then refuses the use case that made them.
  void savepoint(const std::string& name) {
    if (writes_ && at_release_) send("writing");
    waiting_.push_back("SAVEPOINT " + name);
  }
  void write(std::string statement) {
    waiting_.push_back(std::move(statement));
    writes_ = true;
  }
  void release(const std::string& name);
  void rollback_to(const std::string& name);
  /// Sends what waits (one round trip; none when nothing waits); throws "WHAT: message".
  void send(std::string_view what);
  /// Runs what waits, then `last` (may be empty), in one PQexec; nothing waits afterwards.
  /// The result is the last statement's (or the first failure's); the caller clears it.
  PGresult* exec_with(const std::string& last);
  bool empty() const { return waiting_.empty(); }
  /// Off: writes wait past RELEASE, up to COMMIT (transaction_control::
  /// let_writes_wait_for_commit).
  void send_writes_at_release(bool on) { at_release_ = on; }
  /// True when, with writes let wait past RELEASE, a message carrying waiting statements
  /// failed: the failing one may belong to a savepoint already released (or to one opened in
  /// that message), so no savepoint can be trusted to undo it. Nothing is then rolled back to
  /// a savepoint and COMMIT is refused; the transaction can only be rolled back whole.
  bool poisoned() const { return poisoned_; }
  void discard() noexcept {
    waiting_.clear();
    writes_ = false;
  }
  /// The outer transaction ended (COMMIT or ROLLBACK).
  void end_transaction() noexcept {
    discard();
    poisoned_ = false;
  }

 private:
  PGconn* conn_;
  std::vector<std::string> waiting_;
  bool writes_ = false;  ///< some of waiting_ are writes
  bool at_release_ = true;
  bool poisoned_ = false;
};

/// A statement prepared on the server under `name`; the rows of its last run are held here.
class postgres_prepared final : public prepared {
 public:
  postgres_prepared(PGconn* conn, waiting_savepoints* waiting, std::string name, int parameters)
      : conn_(conn),
        waiting_(waiting),
        name_(std::move(name)),
        values_(static_cast<std::size_t>(parameters)) {}
  ~postgres_prepared() override { clear(); }
  postgres_prepared(const postgres_prepared&) = delete;
  postgres_prepared& operator=(const postgres_prepared&) = delete;

  void bind(int index, std::int64_t v) override;
  void bind(int index, std::string_view v) override;
  void bind_null(int index) override;
  bool step() override;
  void run(std::string_view what) override;
  void write() override;
  void reset() override;
  bool is_null(int col) const override;
  std::int64_t integer(int col) const override;
  std::string text(int col) const override;

  const std::string& name() const { return name_; }
  int parameters() const { return static_cast<int>(values_.size()); }

 private:
  void execute(std::string_view what);
  std::string as_execute() const;
  void clear() noexcept;
  std::optional<std::string>& slot(int index);

  PGconn* conn_;
  waiting_savepoints* waiting_;  ///< the connection's, sent before this statement runs
  std::string name_;
  std::vector<std::optional<std::string>> values_;
  PGresult* result_ = nullptr;
  int row_ = -1;
};

/// The prepared statements of one PostgreSQL connection (see statement_cache), each prepared
/// on the server once as balint_N; a second handle for nested use shares the server's one.
class postgres_statement_cache final : public statement_cache<postgres_prepared> {
 public:
  explicit postgres_statement_cache(PGconn* conn) : conn_(conn), waiting_(conn) {}
  void run_plain(const std::string& text, std::string_view what) override;
  void run_quietly(const std::string& text) noexcept override { PQclear(waiting_.exec_with(text)); }
  void savepoint(const std::string& name) override { waiting_.savepoint(name); }
  void release(const std::string& name) override { waiting_.release(name); }
  void rollback_to(const std::string& name) noexcept override { waiting_.rollback_to(name); }
  /// The savepoint statements not sent yet (COMMIT goes with them; ROLLBACK drops them).
  waiting_savepoints& waiting() { return waiting_; }

 private:
  std::unique_ptr<postgres_prepared> prepare(std::string_view sql) override;
  std::unique_ptr<postgres_prepared> again(const postgres_prepared& busy,
                                           std::string_view) override {
    return std::make_unique<postgres_prepared>(conn_, &waiting_, busy.name(), busy.parameters());
  }
  PGconn* conn_;
  waiting_savepoints waiting_;
  int prepared_ = 0;
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
