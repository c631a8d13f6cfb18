#include "balint/storage/database.hpp"

#include "database_impl.hpp"

#include "balint/resources/resources.hpp"

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>

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

}  // namespace detail

namespace {

struct migration {
  int version;
  std::string_view sql;
};

std::vector<migration> migrations() {
  std::vector<migration> out;
  for (const auto& path : resources::list("schemas/sql/")) {
    // schemas/sql/NNN_name.sql: the number is the version it brings the schema to.
    const std::string name = path.substr(std::string_view("schemas/sql/").size());
    out.push_back({std::stoi(name.substr(0, 3)), *resources::find(path)});
  }
  return out;
}

/// One value of a PRAGMA (or any single-value query), as text; what = context for errors.
std::string query_text(detail::statement_cache& cache, std::string_view sql,
                       std::string_view what) {
  detail::statement s(cache, sql);
  if (!s.step()) throw storage_error(std::string(what) + ": no answer to " + std::string(sql));
  return s.text(0);
}

std::int64_t query_integer(detail::statement_cache& cache, std::string_view sql,
                           std::string_view what) {
  detail::statement s(cache, sql);
  if (!s.step()) throw storage_error(std::string(what) + ": no answer to " + std::string(sql));
  return s.integer(0);
}

}  // namespace

database::database(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
database::~database() {
  // A connection closed inside a transaction (a batch abandoned after a failure) gives its
  // writer turn back, or the next writer of the file would wait for ever.
  if (impl_ && impl_->depth > 0) {
    impl_->depth = 1;
    rollback();
  }
}

int database::latest_schema_version() {
  const auto all = migrations();
  return all.empty() ? 0 : all.back().version;
}

std::unique_ptr<database> database::open(const std::string& path) {
  auto p = std::make_unique<impl>(path);
  auto& c = p->statements;
  const std::string failed = "cannot open the database " + path;
  // Wait for another process's writer instead of failing at once.
  detail::statement(c, "PRAGMA busy_timeout = 10000").run(failed);
  const auto version = query_integer(c, "PRAGMA user_version", failed);
  if (version == 0) {
    // A version-0 file with tables belongs to some other program: never touch it (not even
    // its journal mode, which is stored in the file).
    if (query_integer(c, "SELECT count(*) FROM sqlite_master", failed) > 0) {
      throw storage_error(path +
                          " is a SQLite database of another program, not a "
                          "balint-trial database; nothing was changed");
    }
  }
  query_text(c, "PRAGMA journal_mode = WAL", failed);
  // FULL: a commit we acknowledge is on disk before we say so, even in WAL mode.
  detail::statement(c, "PRAGMA synchronous = FULL").run(failed);
  detail::statement(c, "PRAGMA foreign_keys = ON").run(failed);
  const int latest = latest_schema_version();
  if (version > latest) {
    throw storage_error("the database " + path + " has schema version " + std::to_string(version) +
                        ", newer than this program (" + std::to_string(latest) +
                        "); use a newer balint-trial");
  }
  for (const auto& m : migrations()) {
    if (m.version <= version) continue;
    // Each migration and its version bump commit together or not at all.
    const std::string sql = "BEGIN IMMEDIATE;\n" + std::string(m.sql) +
                            "\nPRAGMA user_version = " + std::to_string(m.version) + ";\nCOMMIT;";
    char* message = nullptr;
    const int rc = sqlite3_exec(p->handle, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      sqlite3_exec(p->handle, "ROLLBACK", nullptr, nullptr, nullptr);
      throw storage_error("applying migration " + std::to_string(m.version) + " to " + path + ": " +
                          text);
    }
  }
  return std::unique_ptr<database>(new database(std::move(p)));
}

int database::schema_version() {
  return static_cast<int>(
      query_integer(impl_->statements, "PRAGMA user_version", "schema version"));
}

database::connection_settings database::settings() {
  auto& c = impl_->statements;
  connection_settings out;
  out.journal_mode = query_text(c, "PRAGMA journal_mode", "settings");
  out.synchronous = static_cast<int>(query_integer(c, "PRAGMA synchronous", "settings"));
  out.foreign_keys = query_integer(c, "PRAGMA foreign_keys", "settings") != 0;
  out.user_version = schema_version();
  return out;
}

// BEGIN, COMMIT, SAVEPOINT and RELEASE go through the connection's statement cache: prepared
// once per connection, where sqlite3_exec would parse them on every call.

namespace {

/// A first-come, first-served lock. std::mutex makes no promise of order, and SQLite's busy
/// handler polls with sleeps of up to 100 ms: under steady writing (the server's group commit
/// re-takes the write lock within microseconds) a polling writer could wait out busy_timeout.
class ticket_lock {
 public:
  void lock() {
    std::unique_lock l(mutex_);
    const std::uint64_t ticket = next_++;
    turn_.wait(l, [&] { return serving_ == ticket; });
  }
  void unlock() {
    {
      std::lock_guard l(mutex_);
      ++serving_;
    }
    turn_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable turn_;
  std::uint64_t next_ = 0;
  std::uint64_t serving_ = 0;
};

/// Writers of one file in this process take turns here before BEGIN IMMEDIATE; SQLite's own
/// lock still orders them against other processes (the command line).
ticket_lock& writers_of(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<ticket_lock>> locks;
  std::lock_guard l(mutex);
  auto& slot = locks[path];
  if (!slot) slot = std::make_unique<ticket_lock>();
  return *slot;
}

/// The files whose writer turn this thread holds: a thread that already writes a file through
/// one connection and begins on another must not wait for itself (SQLite's busy_timeout then
/// decides, as before).
thread_local std::set<std::string> turns_held;

}  // namespace

void database::begin() { begin_transaction(true); }

void database::begin_read() { begin_transaction(false); }

void database::begin_transaction(bool write) {
  if (impl_->depth > 0) {
    ensure_still_open();
    detail::statement s(impl_->statements, "SAVEPOINT nested_" + std::to_string(impl_->depth));
    s.run("starting a nested transaction");
    ++impl_->depth;
    return;
  }
  if (write && !turns_held.count(impl_->path)) {
    writers_of(impl_->path).lock();
    turns_held.insert(impl_->path);
    impl_->holds_turn = true;
  }
  try {
    // IMMEDIATE takes the write lock up front. A read transaction is DEFERRED: in WAL it reads one
    // snapshot and never blocks a writer.
    detail::statement s(impl_->statements, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    s.run("starting a transaction");
  } catch (...) {
    release_turn();
    throw;
  }
  impl_->depth = 1;
}

void database::ensure_still_open() {
  if (!sqlite3_get_autocommit(impl_->handle)) return;
  // SQLite rolled the whole transaction back itself (SQLITE_FULL, SQLITE_IOERR, ...): a
  // savepoint or release now would run outside it and commit alone.
  release_turn();
  impl_->depth = 0;
  throw storage_error(
      "the transaction was rolled back by SQLite after an error; nothing of it "
      "was written");
}

void database::release_turn() noexcept {
  if (!impl_->holds_turn) return;
  impl_->holds_turn = false;
  turns_held.erase(impl_->path);
  writers_of(impl_->path).unlock();
}

void database::commit() {
  if (impl_->depth > 1) {
    ensure_still_open();
    detail::statement s(impl_->statements, "RELEASE nested_" + std::to_string(impl_->depth - 1));
    s.run("committing a nested transaction");
    --impl_->depth;
    return;
  }
  detail::statement s(impl_->statements, "COMMIT");
  s.run("committing");
  impl_->depth = 0;
  release_turn();
}

void database::rollback() noexcept {
  if (impl_->depth > 1 && !sqlite3_get_autocommit(impl_->handle)) {
    const std::string name = "nested_" + std::to_string(impl_->depth - 1);
    sqlite3_exec(impl_->handle, ("ROLLBACK TO " + name).c_str(), nullptr, nullptr, nullptr);
    sqlite3_exec(impl_->handle, ("RELEASE " + name).c_str(), nullptr, nullptr, nullptr);
    --impl_->depth;
    return;
  }
  // The outermost transaction, or one SQLite has already rolled back: nothing stays open.
  sqlite3_exec(impl_->handle, "ROLLBACK", nullptr, nullptr, nullptr);
  impl_->depth = 0;
  release_turn();
}

bool database::in_transaction() const { return sqlite3_get_autocommit(impl_->handle) == 0; }

int database::transaction_depth() const { return impl_->depth; }

void remove_database_files(const std::string& path) noexcept {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::remove((path + suffix).c_str());
  }
}

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

database::impl::impl(const std::string& file)
    : path(file), conn(file), handle(conn.get()), statements(handle) {}

}  // namespace balint::storage
