#pragma once

// Where an integration test's databases live: SQLite files in a temporary directory (the
// default), or, when BALINT_TEST_POSTGRES holds a server URL (scripts/test sets it inside a
// throw-away pg_virtualenv cluster for the ctest label `postgres`), fresh PostgreSQL databases
// on that server, dropped when the test's place is.

#include "cli_harness.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace balint::testing {

/// Not copyable (it owns its folder and its databases).
class database_place {
 public:
  database_place();
  /// Drops the PostgreSQL databases it made; its folder goes with `dir_`.
  ~database_place();

  /// True when the databases are PostgreSQL ones.
  bool postgres() const { return !server_.empty(); }
  /// The locator (`--db` value) of a new, empty database called `name` in this place.
  std::string fresh(const std::string& name);
  /// The locator of a new database `name` holding a copy of `from` (made by fresh(), with no
  /// connection open to it).
  std::string copy(const std::string& from, const std::string& name);
  /// The temporary directory of this place (for files other than databases).
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  std::string locator(const std::string& name) const;
  void admin(const std::string& sql) const;

  test::temp_dir dir_;
  std::string server_;  ///< BALINT_TEST_POSTGRES, or empty for SQLite
  std::string prefix_;  ///< unique per place: PostgreSQL database names start with it
  std::vector<std::string> made_;
};

}  // namespace balint::testing
