#pragma once

// The SQLite plumbing under sqlite_database: the connection, its statement cache, and the one
// statement type every query of src/storage/sqlite_*.cpp runs through.

#include "balint/storage/records.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace balint::storage {

namespace detail {

/// The one place driver error codes become storage_error (SQLiteCpp's check()): the message is
/// "WHAT: SQLite's message", the code SQLite's extended result code.
void check(sqlite3* db, int rc, std::string_view what);

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

/// The prepared statements of one connection, by SQL text: each is prepared on first use and
/// kept until the connection closes. Not thread-safe, like the connection itself: one thread
/// uses a connection at a time.
class statement_cache {
 public:
  explicit statement_cache(sqlite3* db) : db_(db) {}
  /// Finalizes every statement: must run before the connection closes.
  ~statement_cache();
  statement_cache(const statement_cache&) = delete;
  statement_cache& operator=(const statement_cache&) = delete;

  struct entry {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  sqlite3* handle() const { return db_; }
  /// A prepared statement for `sql` that nobody else uses now: the cached one (`from` = its
  /// entry), or, while that one is borrowed (the same SQL nested inside itself), a fresh one
  /// (`from` = nullptr).
  sqlite3_stmt* borrow(std::string_view sql, entry*& from);
  /// Takes back a borrowed statement: resets it and clears its bindings (a cached one) or
  /// finalizes it (a fresh one).
  void give_back(sqlite3_stmt* stmt, entry* from) noexcept;
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
  std::unordered_map<std::string, entry, text_hash, std::equal_to<>> entries_;
};

/// A prepared statement, the one way SQL runs here: borrowed from the connection's statement_cache,
/// so each SQL text is prepared once per connection; reset and handed back on destruction.
class statement {
 public:
  statement(statement_cache& cache, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  void bind(int index, std::int64_t v);
  void bind(int index, std::string_view v);
  void bind_null(int index);
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
    step();
    reset();
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
  /// True when a row is ready; false when done.
  bool step();
  /// Steps once a statement that returns no rows (BEGIN, COMMIT, ...); a failure becomes
  /// storage_error("WHAT: the driver's message").
  void run(std::string_view what);
  void reset();
  bool is_null(int col) const;
  std::int64_t integer(int col) const;
  std::string text(int col) const;
  std::optional<std::string> optional_text(int col) const;
  std::optional<int> optional_int(int col) const;

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

  statement_cache& cache_;
  sqlite3* db_;
  statement_cache::entry* from_ = nullptr;  ///< nullptr: a fresh statement, finalized at the end
  sqlite3_stmt* stmt_ = nullptr;
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

}  // namespace detail

}  // namespace balint::storage
