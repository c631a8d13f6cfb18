// Opening a PostgreSQL database: the connection, the migrations of schemas/sql/postgresql and
// transactions (docs/architecture.md, "A second backend: PostgreSQL").
#include "postgres_database.hpp"

#include "balint/resources/resources.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace balint::storage {

namespace {

// Keys of pg_advisory_lock: one for applying migrations, one for the writers of the trial.
// Arbitrary 64-bit constants ("balint-m" and "balint-w" in ASCII).
constexpr const char* migration_lock = "7089063302604173677";
constexpr const char* writer_lock = "7089063302604173687";
/// The first key of the two-key locks of a site's trials ("bw" in ASCII); the second is a hash
/// of the trial's schema.
constexpr const char* writer_lock_class = "25207";

struct migration {
  int version;
  std::string_view sql;
};

std::vector<migration> postgres_migrations() {
  std::vector<migration> out;
  constexpr std::string_view dir = "schemas/sql/postgresql/";
  for (const auto& path : resources::list(dir)) {
    const std::string name = path.substr(dir.size());
    out.push_back({std::stoi(name.substr(0, 3)), *resources::find(path)});
  }
  return out;
}

/// Refuses a URL that carries a password (argv is visible to every user of the machine), so
/// messages that name the URL never show one either.
void refuse_password_in(const std::string& url) {
  const auto scheme = url.find("://");
  const auto rest = scheme == std::string::npos ? 0 : scheme + 3;
  const auto at = url.find('@', rest);
  const auto slash = url.find('/', rest);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return;
  if (url.substr(rest, at - rest).find(':') != std::string::npos) {
    throw storage_error(
        "the database URL carries a password; give it in PGPASSWORD or a pgpass file "
        "(~/.pgpass or PGPASSFILE) instead, where other users of the machine cannot read it");
  }
}

/// The part of a locator libpq understands: without our own "#trial=ID".
std::string server_part(const std::string& locator) {
  const auto hash = locator.find('#');
  return hash == std::string::npos ? locator : locator.substr(0, hash);
}

/// The schema of "URL#trial=ID": "trial_ID", after checking ID is a trial's short name (so it
/// is safe inside a quoted identifier); empty without a fragment.
std::string schema_of(const std::string& locator) {
  const auto hash = locator.find('#');
  if (hash == std::string::npos) return {};
  const std::string fragment = locator.substr(hash + 1);
  const std::string id = fragment.rfind("trial=", 0) == 0 ? fragment.substr(6) : std::string();
  if (!is_trial_name(id)) {
    throw storage_error("the database URL ends in \"#" + fragment +
                        "\"; allowed: #trial=ID with ID a trial's short name (lower-case "
                        "letters, digits and hyphens, starting with a letter, at most 40)");
  }
  return "trial_" + id;
}

}  // namespace

bool is_trial_name(std::string_view id) {
  if (id.empty() || id.size() > 40 || id.front() < 'a' || id.front() > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::vector<std::string> postgres_site_trials(const std::string& url) {
  refuse_password_in(url);
  detail::postgres_connection connection(server_part(url));
  PGresult* list = PQexec(connection.get(),
                          "SELECT substr(nspname, 7) FROM pg_namespace WHERE nspname LIKE "
                          "'trial\\_%' ORDER BY nspname");
  detail::check_result(connection.get(), list, PGRES_TUPLES_OK, "listing the trials of " + url);
  std::vector<std::string> out;
  for (int row = 0; row < PQntuples(list); ++row) out.emplace_back(PQgetvalue(list, row, 0));
  PQclear(list);
  return out;
}

void drop_postgres_trial(const std::string& url) noexcept {
  try {
    const std::string schema = schema_of(url);
    if (schema.empty()) return;
    detail::postgres_connection connection(server_part(url));
    connection.exec("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE", "dropping " + schema);
  } catch (...) {
    // Best effort: an empty schema left behind holds no trial and is not listed as one.
  }
}

bool is_postgres_url(std::string_view locator) {
  return locator.rfind("postgresql://", 0) == 0 || locator.rfind("postgres://", 0) == 0;
}

postgres_database::postgres_database(const std::string& url)
    : url_((refuse_password_in(url), url)),
      schema_(schema_of(url)),
      // A site's trials each have their own writer lock (the two-key form, keyed by schema):
      // trials never wait for each other.
      begin_write_(std::string("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT ") +
                   (schema_.empty() ? std::string("pg_advisory_xact_lock(") + writer_lock + ")"
                                    : std::string("pg_advisory_xact_lock(") + writer_lock_class +
                                          ", hashtext('" + schema_ + "'))")),
      connection_(server_part(url)),
      statements_(connection_.get()) {
  connection_.exec("SET client_encoding = 'UTF8'", "cannot open the database " + url_);
  migrate();
}

postgres_database::~postgres_database() {
  if (depth_ > 0) {
    depth_ = 1;
    rollback();
  }
}

void postgres_database::migrate() {
  const std::string failed = "cannot open the database " + url_;
  // Several servers may start at once: one applies the migrations, the others wait, then
  // find nothing left to do.
  connection_.exec(std::string("SELECT pg_advisory_lock(") + migration_lock + ")", failed);
  try {
    if (!schema_.empty()) {
      // A trial of a site: its tables, triggers and schema version in a schema of its own.
      connection_.exec(
          "CREATE SCHEMA IF NOT EXISTS \"" + schema_ + "\"; SET search_path = \"" + schema_ + "\"",
          failed);
    }
    const auto all = postgres_migrations();
    const int latest = all.empty() ? 0 : all.back().version;
    connection_.exec(
        "CREATE TABLE IF NOT EXISTS balint_schema (version BIGINT NOT NULL, "
        "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        failed);
    int version = schema_version();
    if (version == 0) {
      auto tables =
          sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
              "current_schema() AND table_name <> 'balint_schema'");
      if (tables.step() && tables.integer(0) > 0) {
        throw storage_error(url_ +
                            " holds tables of another program, not a balint-trial database; "
                            "nothing was changed");
      }
    }
    if (version > latest) {
      throw storage_error("the database " + url_ + " has schema version " +
                          std::to_string(version) + ", newer than this program (" +
                          std::to_string(latest) + "); use a newer balint-trial");
    }
    for (const auto& m : all) {
      if (m.version <= version) continue;
      // Each migration and its version row commit together or not at all.
      connection_.exec("BEGIN;\n" + std::string(m.sql) +
                           "\nINSERT INTO balint_schema (version) VALUES (" +
                           std::to_string(m.version) + ");\nCOMMIT;",
                       "applying migration " + std::to_string(m.version) + " to " + url_);
      version = m.version;
    }
  } catch (...) {
    if (PQtransactionStatus(connection_.get()) != PQTRANS_IDLE) {
      PQclear(PQexec(connection_.get(), "ROLLBACK"));
    }
    PQclear(PQexec(connection_.get(),
                   (std::string("SELECT pg_advisory_unlock(") + migration_lock + ")").c_str()));
    throw;
  }
  connection_.exec(std::string("SELECT pg_advisory_unlock(") + migration_lock + ")", failed);
}

int postgres_database::schema_version() {
  auto s = sql("SELECT coalesce(max(version), 0) FROM balint_schema");
  return s.step() ? static_cast<int>(s.integer(0)) : 0;
}

database::connection_settings postgres_database::settings() {
  connection_settings out;
  out.journal_mode = "postgresql";
  auto s = sql("SELECT current_setting('synchronous_commit')");
  // synchronous_commit=on: a commit we acknowledge is flushed to the server's WAL (FULL).
  out.synchronous = s.step() && s.text(0) != "off" ? 2 : 0;
  out.foreign_keys = true;  // always enforced
  out.user_version = schema_version();
  return out;
}

void postgres_database::begin_outer(bool write) {
  if (write) {
    // Writers of the trial take turns across every process and server: the same
    // single-writer model as SQLite's, so check-then-write use cases stay correct.
    connection_.exec(begin_write_, "starting a transaction");
  } else {
    // One snapshot for the whole read; never waits for a writer.
    connection_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting a transaction");
  }
}

void postgres_database::commit_outer() {
  // The savepoint statements still waiting go in the same message as the COMMIT.
  auto& waiting = statements_.waiting();
  const bool failed =
      waiting.poisoned() || PQtransactionStatus(connection_.get()) == PQTRANS_INERROR;
  if (!waiting.poisoned() && (!failed || !waiting.empty())) {
    PGresult* r = waiting.exec_with("COMMIT");
    detail::check_result(connection_.get(), r, PGRES_COMMAND_OK, "committing");
    const bool committed = std::string_view(PQcmdStatus(r)) == "COMMIT";
    PQclear(r);
    if (committed) {
      waiting.end_transaction();
      return;
    }
  }
  // A statement failed and nobody rolled back: PostgreSQL answers COMMIT with a silent
  // ROLLBACK. Say so instead of acknowledging a write that did not happen.
  rollback();
  throw storage_error("the transaction failed earlier; nothing of it was written");
}

void postgres_database::rollback_outer() noexcept {
  statements_.waiting().end_transaction();  // the whole transaction goes
  statements_.run_quietly("ROLLBACK");
}

bool postgres_database::in_transaction() const {
  return PQtransactionStatus(connection_.get()) != PQTRANS_IDLE;
}

}  // namespace balint::storage
