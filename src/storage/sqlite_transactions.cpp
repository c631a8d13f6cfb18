// Transactions: BEGIN IMMEDIATE / DEFERRED, savepoints for nesting, and the in-process writer
// turn (docs/architecture.md, "Write serialization").
#include "sqlite_database.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fcntl.h>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>

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

/// The byte of the database file whose lock is the writer turn across processes: far from the
/// bytes SQLite locks (from 0x40000000 on), and an advisory lock never touches the contents.
constexpr off_t writer_turn_byte = 0x7fff0000;

/// Waits up to `patience` for the writer turn of the file open as `fd`, in the kernel
/// (F_OFD_SETLKW wakes the waiter when the holder lets go, where SQLite's busy handler sleeps
/// up to 100 ms between tries). The blocking call runs on a helper thread with its own
/// descriptor of the same open file, so the wait can be given up: a helper that gets the lock
/// after that gives it back at once.
bool wait_for_file_turn(int fd, std::chrono::milliseconds patience) {
  struct waiting {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    bool got = false;
    bool abandoned = false;
  };
  const int own = ::dup(fd);
  if (own < 0) return false;
  auto w = std::make_shared<waiting>();
  try {
    std::thread([own, w] {
      struct flock lock {};
      lock.l_type = F_WRLCK;
      lock.l_whence = SEEK_SET;
      lock.l_start = writer_turn_byte;
      lock.l_len = 1;
      int rc = 0;
      do {
        rc = ::fcntl(own, F_OFD_SETLKW, &lock);
      } while (rc != 0 && errno == EINTR);
      std::lock_guard l(w->m);
      if (w->abandoned && rc == 0) {
        lock.l_type = F_UNLCK;
        ::fcntl(own, F_OFD_SETLK, &lock);
      }
      ::close(own);
      w->done = true;
      w->got = rc == 0 && !w->abandoned;
      w->cv.notify_one();
    }).detach();
  } catch (...) {
    ::close(own);
    return false;  // no thread: SQLite's lock alone
  }
  std::unique_lock l(w->m);
  if (!w->cv.wait_for(l, patience, [&] { return w->done; })) w->abandoned = true;
  return w->got;
}

}  // namespace

void sqlite_database::take_file_turn() noexcept {
  if (turn_fd_ < 0) return;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = writer_turn_byte;
  lock.l_len = 1;
  if (::fcntl(turn_fd_, F_OFD_SETLK, &lock) == 0) {
    holds_file_turn_ = true;
    return;
  }
  if (errno != EAGAIN && errno != EACCES) return;  // no such locks here: SQLite's lock alone
  // Another process writes. Past the patience of SQLite's own busy_timeout, go on without the
  // turn: BEGIN IMMEDIATE then waits (and fails) as it always did.
  holds_file_turn_ = wait_for_file_turn(turn_fd_, std::chrono::milliseconds(10000));
}

void sqlite_database::give_file_turn() noexcept {
  if (!holds_file_turn_) return;
  holds_file_turn_ = false;
  struct flock lock {};
  lock.l_type = F_UNLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = writer_turn_byte;
  lock.l_len = 1;
  ::fcntl(turn_fd_, F_OFD_SETLK, &lock);
}

void sqlite_database::begin_outer(bool write) {
  if (write && !turns_held.count(path_)) {
    writers_of(path_).lock();
    turns_held.insert(path_);
    holds_turn_ = true;
    // Other processes writing this file take turns in the kernel (see wait_for_file_turn).
    take_file_turn();
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
  give_file_turn();
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
