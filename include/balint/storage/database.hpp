#pragma once

#include "balint/storage/records.hpp"
#include "balint/storage/repositories.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace balint::storage {

/// One trial's database: every repository and the transaction control on one connection, so a
/// use case's reads and writes share its transaction. All SQL of the project lives behind this
/// class. `open` gives the SQLite implementation (src/storage/sqlite_database.hpp); a second
/// backend implements the same interfaces with its own client library.
class database : public transaction_control,
                 public trial_repository,
                 public participant_repository,
                 public outcome_repository,
                 public allocation_repository,
                 public programme_repository,
                 public user_repository,
                 public audit_repository,
                 public survey_repository {
 public:
  /// Opens a trial's database. A `postgresql://host[:port]/dbname` (or `postgres://`) URL
  /// connects to PostgreSQL (the password from PGPASSWORD or a pgpass file, never the URL) and
  /// applies schemas/sql/postgresql; anything else is a SQLite file, opened or created with the
  /// pragmas (WAL, synchronous=FULL, foreign keys, busy_timeout) and schemas/sql. Throws
  /// storage_error when it cannot be opened or reached, is not a balint-trial database, or was
  /// written by a newer version.
  static std::unique_ptr<database> open(const std::string& locator);
  ~database() override = default;
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// The schema version this build writes (the number of the last migration).
  static int latest_schema_version();
  /// The schema version of the open database.
  virtual int schema_version() = 0;

  /// How this connection is set up, for diagnostics and tests.
  struct connection_settings {
    std::string journal_mode;
    int synchronous = 0;  ///< 2 = FULL
    bool foreign_keys = false;
    int user_version = 0;
  };
  virtual connection_settings settings() = 0;

 protected:
  database() = default;
};

/// True when `locator` names a PostgreSQL database (postgresql:// or postgres://) rather than
/// a SQLite file.
bool is_postgres_url(std::string_view locator);

/// True when `id` can name a trial of a site (a file trials/ID.db, a schema "trial_ID"): lower-
/// case letters, digits and hyphens, starting with a letter, 1 to 40 characters; the pattern of
/// a trial definition's "id".
bool is_trial_name(std::string_view id);

/// The trials of a site on PostgreSQL: the ID of each schema "trial_ID" of the database at
/// `url`, sorted. Throws storage_error when the server cannot be reached.
std::vector<std::string> postgres_site_trials(const std::string& url);

/// Drops the schema of a site's trial on PostgreSQL ("URL#trial=ID") with everything in it,
/// ignoring failure: for a trial whose setting up was refused.
void drop_postgres_trial(const std::string& url) noexcept;

/// Removes a database file with its WAL, shared-memory and journal files (no error when they
/// do not exist). Close every connection to it first.
void remove_database_files(const std::string& path) noexcept;

/// One use case = one transaction: begins a write transaction on construction (or, with
/// `read_only`, a read snapshot), rolls back in the destructor unless commit() was called
/// (SQLiteCpp's Transaction).
class transaction {
 public:
  explicit transaction(transaction_control& db, bool read_only = false) : db_(db) {
    if (read_only) {
      db_.begin_read();
    } else {
      db_.begin();
    }
  }
  ~transaction() {
    if (!done_) db_.rollback();
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit() {
    db_.commit();
    done_ = true;
  }

 private:
  transaction_control& db_;
  bool done_ = false;
};

}  // namespace balint::storage
