// Opening a SQLite database: the connection, the pragmas and the migrations of schemas/sql.
#include "sqlite_database.hpp"

#include "postgres_database.hpp"

#include "balint/resources/resources.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace balint::storage {

namespace {

struct migration {
  int version;
  std::string_view sql;
};

std::vector<migration> migrations() {
  std::vector<migration> out;
  for (const auto& path : resources::list("schemas/sql/")) {
    // schemas/sql/NNN_name.sql: the number is the version it brings the schema to.
    // (schemas/sql/postgresql/ holds the same migrations for the other backend.)
    const std::string name = path.substr(std::string_view("schemas/sql/").size());
    if (name.find('/') != std::string::npos) continue;
    out.push_back({std::stoi(name.substr(0, 3)), *resources::find(path)});
  }
  return out;
}

/// The one value a PRAGMA (or a count) answers; `what` names the step for errors.
detail::statement& single_row(detail::statement& s, std::string_view what) {
  if (!s.step()) throw storage_error(std::string(what) + ": no answer from SQLite");
  return s;
}

}  // namespace

std::unique_ptr<database> database::open(const std::string& locator) {
  if (is_postgres_url(locator)) return std::make_unique<postgres_database>(locator);
  return std::make_unique<sqlite_database>(locator);
}

int database::latest_schema_version() {
  const auto all = migrations();
  return all.empty() ? 0 : all.back().version;
}

sqlite_database::sqlite_database(const std::string& path)
    : path_(path), connection_(path), statements_(connection_.get()) {
  const std::string failed = "cannot open the database " + path;
  // Wait for another process's writer instead of failing at once.
  sql("PRAGMA busy_timeout = 10000").run(failed);
  const int version = schema_version();
  if (version == 0) {
    // A version-0 file with tables belongs to some other program: never touch it (not even
    // its journal mode, which is stored in the file).
    auto tables = sql("SELECT count(*) FROM sqlite_master");
    if (single_row(tables, failed).integer(0) > 0) {
      throw storage_error(path +
                          " is a SQLite database of another program, not a "
                          "balint-trial database; nothing was changed");
    }
  }
  sql("PRAGMA journal_mode = WAL").run(failed);
  // FULL: a commit we acknowledge is on disk before we say so, even in WAL mode.
  sql("PRAGMA synchronous = FULL").run(failed);
  sql("PRAGMA foreign_keys = ON").run(failed);
  const int latest = latest_schema_version();
  if (version > latest) {
    throw storage_error("the database " + path + " has schema version " + std::to_string(version) +
                        ", newer than this program (" + std::to_string(latest) +
                        "); use a newer balint-trial");
  }
  for (const auto& m : migrations()) {
    if (m.version <= version) continue;
    // Each migration and its version bump commit together or not at all.
    const std::string script = "BEGIN IMMEDIATE;\n" + std::string(m.sql) +
                               "\nPRAGMA user_version = " + std::to_string(m.version) +
                               ";\nCOMMIT;";
    char* message = nullptr;
    const int rc = sqlite3_exec(connection_.get(), script.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      const std::string text = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      sqlite3_exec(connection_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw storage_error(
          "applying migration " + std::to_string(m.version) + " to " + path + ": " + text, rc);
    }
  }
}

sqlite_database::~sqlite_database() {
  // A connection closed inside a transaction (a batch abandoned after a failure) gives its
  // writer turn back, or the next writer of the file would wait for ever.
  if (depth_ > 0) {
    depth_ = 1;
    rollback();
  }
}

int sqlite_database::schema_version() {
  auto s = sql("PRAGMA user_version");
  return static_cast<int>(single_row(s, "reading the schema version").integer(0));
}

database::connection_settings sqlite_database::settings() {
  connection_settings out;
  {
    auto s = sql("PRAGMA journal_mode");
    out.journal_mode = single_row(s, "settings").text(0);
  }
  {
    auto s = sql("PRAGMA synchronous");
    out.synchronous = static_cast<int>(single_row(s, "settings").integer(0));
  }
  {
    auto s = sql("PRAGMA foreign_keys");
    out.foreign_keys = single_row(s, "settings").integer(0) != 0;
  }
  out.user_version = schema_version();
  return out;
}

void remove_database_files(const std::string& path) noexcept {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::remove((path + suffix).c_str());
  }
}

}  // namespace balint::storage
