#pragma once

#include "balint/storage/database.hpp"

#include <memory>
#include <string>

/// A trial's database as the front ends hold it: they open it, hand it to use cases and close
/// it; they never read or write it themselves (the layering test keeps storage headers out of
/// src/cli and src/server). The use cases and storage see the same object.
namespace balint::app {

using database = storage::database;
/// One use case = one transaction; the server's group commit nests each request's use case
/// in a savepoint of one of these.
using transaction = storage::transaction;
/// A failure of the database itself (disk full, corrupt file): exit 1 or HTTP 500, never a
/// refusal.
using storage_error = storage::storage_error;
/// The database server cannot be reached just now (a storage_error): HTTP 503, and a new
/// connection for the next request.
using database_unavailable = storage::connection_lost;

/// Opens or creates the database at `path`: a SQLite file, or a postgresql:// URL (migrations
/// applied). Throws storage_error when it cannot be opened or reached, is not a balint-trial
/// database or was written by a newer version.
std::unique_ptr<database> open_database(const std::string& path);

/// True when `locator` names a database server (a postgresql:// URL) rather than a file.
inline bool is_database_server(const std::string& locator) {
  return storage::is_postgres_url(locator);
}

/// Removes a database file with its WAL, shared-memory and journal files.
void remove_database_files(const std::string& path) noexcept;

/// Removes a trial that was being set up and refused: its file, or its schema of a site on
/// PostgreSQL ("URL#trial=ID"). A database's own schema is never dropped.
void remove_trial(const std::string& locator) noexcept;

}  // namespace balint::app
