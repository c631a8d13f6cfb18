// Transactions: BEGIN IMMEDIATE / DEFERRED, savepoints for nesting, and the in-process writer
// turn (docs/architecture.md, "Write serialization").
#include "sqlite_database.hpp"

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace balint::storage {

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

void sqlite_database::begin_outer(bool write) {
  if (write && !turns_held.count(path_)) {
    writers_of(path_).lock();
    turns_held.insert(path_);
    holds_turn_ = true;
  }
  try {
    // IMMEDIATE takes the write lock up front. A read transaction is DEFERRED: in WAL it reads one
    // snapshot and never blocks a writer.
    auto s = sql(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    s.run("starting a transaction");
  } catch (...) {
    release_turn();
    throw;
  }
}

void sqlite_database::check_still_open() {
  if (!sqlite3_get_autocommit(connection_.get())) return;
  // SQLite rolled the whole transaction back itself (SQLITE_FULL, SQLITE_IOERR, ...): a
  // savepoint or release now would run outside it and commit alone.
  release_turn();
  depth_ = 0;
  throw storage_error(
      "the transaction was rolled back by SQLite after an error; nothing of it "
      "was written");
}

void sqlite_database::release_turn() noexcept {
  if (!holds_turn_) return;
  holds_turn_ = false;
  turns_held.erase(path_);
  writers_of(path_).unlock();
}

void sqlite_database::commit_outer() {
  auto s = sql("COMMIT");
  s.run("committing");
  release_turn();
}

void sqlite_database::rollback_outer() noexcept {
  sqlite3_exec(connection_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  release_turn();
}

bool sqlite_database::in_transaction() const {
  return sqlite3_get_autocommit(connection_.get()) == 0;
}

}  // namespace balint::storage
