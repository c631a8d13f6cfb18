#pragma once

// The one statement type every query of src/storage/sql_*.cpp runs through, on either backend:
// `statement` binds and reads through `prepared`, which SQLite (sqlite_statement.hpp) and
// PostgreSQL (postgres_statement.hpp) implement with their own client libraries.

#include "balint/storage/records.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace balint::storage::detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

/// A prepared statement of one driver. Parameters are numbered from 1, columns from 0. Every
/// method throws storage_error with the driver's message when the driver fails.
class prepared {
 public:
  virtual ~prepared() = default;
  virtual void bind(int index, std::int64_t v) = 0;
  virtual void bind(int index, std::string_view v) = 0;
  virtual void bind_null(int index) = 0;
  /// True when a row is ready; false when done.
  virtual bool step() = 0;
  /// Steps a statement that returns no rows; a failure reads "WHAT: the driver's message".
  virtual void run(std::string_view what) = 0;
  /// A write whose rows nobody reads (statement::execute). A driver may send it with the
  /// connection's next statement, so its failure (a constraint) surfaces there, at the latest
  /// at COMMIT: still inside the use case's transaction, which then keeps nothing.
  virtual void write() { run("executing SQL"); }
  /// Ready to bind and run again, with no parameters bound.
  virtual void reset() = 0;
  virtual bool is_null(int col) const = 0;
  virtual std::int64_t integer(int col) const = 0;
  virtual std::string text(int col) const = 0;

  bool cached = false;  ///< kept by its connection's cache; otherwise freed after one use
  bool in_use = false;  ///< borrowed now
};

/// Where statements come from: a connection's cache of prepared statements keyed by SQL text.
class statement_source {
 public:
  virtual ~statement_source() = default;
  /// A prepared statement for `sql` that nobody else uses now (prepared on first use).
  virtual prepared& borrow(std::string_view sql) = 0;
  /// Takes back a borrowed statement (reset for the next use, or freed).
  virtual void give_back(prepared& p) noexcept = 0;
  /// Runs a statement without rows or parameters (SAVEPOINT, RELEASE); a failure reads
  /// "WHAT: the driver's message".
  virtual void run_plain(const std::string& text, std::string_view what) = 0;
  /// The same, ignoring failure (while rolling back).
  virtual void run_quietly(const std::string& text) noexcept = 0;

  // Savepoints (nested transactions). A driver may hold them back and send them with the next
  // statement: what matters is that they take effect before it.
  virtual void savepoint(const std::string& name) {
    run_plain("SAVEPOINT " + name, "starting a nested transaction");
  }
  virtual void release(const std::string& name) {
    run_plain("RELEASE SAVEPOINT " + name, "committing a nested transaction");
  }
  /// Undoes everything since `savepoint(name)` and ends it; never fails.
  virtual void rollback_to(const std::string& name) noexcept {
    run_quietly("ROLLBACK TO SAVEPOINT " + name);
    run_quietly("RELEASE SAVEPOINT " + name);
  }
};

/// The prepared statements of one connection by SQL text, for either driver: each text is
/// prepared once and kept until the connection closes; while it is borrowed (the same SQL
/// nested inside itself) a second one is made by `again` and freed when given back. Not
/// thread-safe, like the connection itself: one thread uses a connection at a time.
template <class Prepared>
class statement_cache : public statement_source {
 public:
  statement_cache() = default;
  statement_cache(const statement_cache&) = delete;
  statement_cache& operator=(const statement_cache&) = delete;

  prepared& borrow(std::string_view sql) final {
    auto it = entries_.find(sql);
    if (it == entries_.end()) {
      auto fresh = prepare(sql);
      fresh->cached = true;
      it = entries_.emplace(std::string(sql), std::move(fresh)).first;
    } else if (it->second->in_use) {
      auto extra = again(*it->second, sql);
      extra->in_use = true;
      return *extra.release();  // freed by give_back
    }
    it->second->in_use = true;
    return *it->second;
  }
  void give_back(prepared& p) noexcept final {
    if (!p.cached) {
      delete &p;
      return;
    }
    // Reset: a statement left part-way would keep its read snapshot open.
    p.reset();
    p.in_use = false;
  }
  /// How many statements are cached.
  std::size_t size() const { return entries_.size(); }

 protected:
  ~statement_cache() override = default;
  /// Prepares `sql` for the first time on this connection.
  virtual std::unique_ptr<Prepared> prepare(std::string_view sql) = 0;
  /// A second statement for the same SQL while `busy` is borrowed.
  virtual std::unique_ptr<Prepared> again(const Prepared& busy, std::string_view sql) = 0;

 private:
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<Prepared>, text_hash, std::equal_to<>> entries_;
};

/// A prepared statement borrowed for one use and handed back on destruction.
class statement {
 public:
  statement(statement_source& source, std::string_view sql)
      : source_(source), p_(source.borrow(sql)) {}
  ~statement() { source_.give_back(p_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  void bind(int index, std::int64_t v) { p_.bind(index, v); }
  void bind(int index, std::string_view v) { p_.bind(index, v); }
  void bind_null(int index) { p_.bind_null(index); }
  /// Binds `values` to parameters 1, 2, ... in order: integers (bool as 0 or 1), text, and
  /// optionals of either (nothing binds NULL).
  template <class... T>
  statement& bind_all(const T&... values) {
    int index = 0;
    (bind_value(++index, values), ...);
    return *this;
  }
  /// Binds `values`, runs a statement that returns no rows, and resets it for the next run
  /// (one prepared insert stepped once per row).
  template <class... T>
  void execute(const T&... values) {
    bind_all(values...);
    p_.write();
    reset();
  }
  /// Binds `values`, runs an INSERT ... RETURNING id and gives the id; resets for the next run.
  template <class... T>
  std::int64_t insert_returning_id(const T&... values) {
    bind_all(values...);
    if (!step()) throw storage_error("INSERT ... RETURNING id gave no row");
    const std::int64_t id = integer(0);
    while (step()) {
    }
    reset();
    return id;
  }
  /// The first row, made by `read(*this)`, or nothing.
  template <class Read>
  auto first(Read read) -> std::optional<std::invoke_result_t<Read, const statement&>> {
    if (!step()) return std::nullopt;
    return read(*this);
  }
  /// Every row, each made by `read(*this)`.
  template <class Read>
  auto all(Read read) -> std::vector<std::invoke_result_t<Read, const statement&>> {
    std::vector<std::invoke_result_t<Read, const statement&>> out;
    while (step()) out.push_back(read(*this));
    return out;
  }
  bool step() { return p_.step(); }
  void run(std::string_view what) { p_.run(what); }
  void reset() { p_.reset(); }
  bool is_null(int col) const { return p_.is_null(col); }
  std::int64_t integer(int col) const { return p_.integer(col); }
  std::string text(int col) const { return p_.text(col); }
  std::optional<std::string> optional_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }
  std::optional<int> optional_int(int col) const {
    if (is_null(col)) return std::nullopt;
    return static_cast<int>(integer(col));
  }

 private:
  template <class T>
  void bind_value(int index, const T& v) {
    if constexpr (is_optional<T>::value) {
      if (v) {
        bind_value(index, *v);
      } else {
        bind_null(index);
      }
    } else if constexpr (std::is_same_v<T, std::nullopt_t>) {
      bind_null(index);
    } else if constexpr (std::is_same_v<T, bool>) {
      bind(index, std::int64_t{v ? 1 : 0});
    } else if constexpr (std::is_integral_v<T>) {
      bind(index, static_cast<std::int64_t>(v));
    } else {
      bind(index, std::string_view(v));
    }
  }

  statement_source& source_;
  prepared& p_;
};

}  // namespace balint::storage::detail
