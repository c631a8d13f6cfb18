#pragma once

// What the benchmarks share: wall-clock timing, removing a database with its WAL files, running a
// program in a child process, and the bare SQLite database a baseline writes to.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace balint::bench {

using clock_type = std::chrono::steady_clock;

/// Seconds of wall time since `t0`.
inline double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// Removes a SQLite database file and the journal files beside it.
inline void remove_db(const std::filesystem::path& p) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(p.string() + suffix, ec);
  }
}

/// In a forked child: replaces the process with `argv` (searched on PATH), standard error sent to
/// /dev/null. Exits 127 when the program cannot be run.
[[noreturn]] inline void exec_quietly(const std::vector<std::string>& argv) {
  std::freopen("/dev/null", "w", stderr);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  std::_Exit(127);
}

/// The database of a bare SQLite baseline: opened, `setup` run (pragmas, schema), `insert`
/// prepared when given; finalized and closed when it goes out of scope.
class bare_sqlite {
 public:
  bare_sqlite(const std::string& file, const char* setup, const char* insert = nullptr) {
    sqlite3_open(file.c_str(), &db_);
    exec(setup);
    if (insert != nullptr) sqlite3_prepare_v2(db_, insert, -1, &insert_, nullptr);
  }
  ~bare_sqlite() {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }
  bare_sqlite(const bare_sqlite&) = delete;
  bare_sqlite& operator=(const bare_sqlite&) = delete;

  void exec(const char* sql) { sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }
  /// The prepared insert, to bind its parameters before `step`.
  sqlite3_stmt* insert() { return insert_; }
  /// Runs the prepared insert once with the parameters bound.
  void step() {
    sqlite3_step(insert_);
    sqlite3_reset(insert_);
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace balint::bench
