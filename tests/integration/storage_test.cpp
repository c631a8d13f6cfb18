// Storage against real databases: a SQLite file (integration/integration_storage) and, under
// BALINT_TEST_POSTGRES, a fresh PostgreSQL database (postgres/integration_storage, issue 13):
// settings, migrations, transactions, constraints and the append-only audit table. Where the
// engines differ (their error texts, how an intruder disables a trigger) each case says both.
#include "scratch_database.hpp"

#include "balint/app/audit.hpp"
#include "balint/app/services.hpp"
#include "balint/storage/database.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <libpq-fe.h>
#include <stdexcept>
#include <string>

using namespace balint;
namespace fs = std::filesystem;

namespace {

bool on_postgres() {
  const char* server = std::getenv("BALINT_TEST_POSTGRES");
  return server && *server;
}

/// One test's database: a SQLite file in a temporary folder, or a fresh PostgreSQL database.
struct scratch {
  testing::database_place place;
  std::string locator = place.fresh("t");

  bool postgres() const { return place.postgres(); }
  std::unique_ptr<storage::database> open() const { return storage::database::open(locator); }

  /// Runs SQL on a second, independent connection (as an intruder or another process would);
  /// returns the engine's error message, or "" on success.
  std::string exec_other(const std::string& sql) const {
    if (postgres()) {
      PGconn* conn = PQconnectdb(locator.c_str());
      std::string out;
      if (PQstatus(conn) != CONNECTION_OK) {
        out = PQerrorMessage(conn);
      } else {
        PGresult* r = PQexec(conn, sql.c_str());
        const auto status = PQresultStatus(r);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
          out = PQresultErrorMessage(r);
        }
        PQclear(r);
      }
      PQfinish(conn);
      return out;
    }
    sqlite3* h = nullptr;
    sqlite3_open(locator.c_str(), &h);
    char* msg = nullptr;
    const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &msg);
    std::string out = rc == SQLITE_OK ? "" : (msg ? msg : "error");
    sqlite3_free(msg);
    sqlite3_close(h);
    return out;
  }

  /// SELECT count(*) FROM `from`, on a second connection (the sqlite3 or psql program);
  /// -1 when it fails.
  long long count(const std::string& from) const {
    const auto r = test::run_sql(locator, "SELECT count(*) FROM " + from + ";");
    return r.exit_code == 0 ? std::atoll(r.out.c_str()) : -1;
  }

  /// `UPDATE table SET definition = <definition with its top-level key set to the JSON value>`.
  std::string set_json(const std::string& table, const std::string& key,
                       const std::string& json_value) const {
    if (postgres()) {
      return "UPDATE " + table + " SET definition = jsonb_set(definition::jsonb, '{" + key +
             "}', '" + json_value + "'::jsonb)::text";
    }
    return "UPDATE " + table + " SET definition = json_set(definition, '$." + key + "', json('" +
           json_value + "'))";
  }
};

/// `text` as an SQL string literal (both engines: quotes doubled, backslashes literal).
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

enrolment::participant person(std::string code) {
  enrolment::participant p;
  p.code = std::move(code);
  p.age = 24;
  p.gender = "F";
  p.consent = true;
  p.available = {"workday-evening"};
  return p;
}

/// Appends `n` audit entries, each in its own committed transaction.
void append_entries(storage::database& db, int n) {
  for (int i = 0; i < n; ++i) {
    storage::transaction tx(db);
    app::append_audit(db, {"alice", "2026-01-01T00:00:0" + std::to_string(i) + ".000Z"},
                      "test.write", "thing:" + std::to_string(i), std::nullopt, core::json(i),
                      std::nullopt);
    tx.commit();
  }
}

/// Enrols through the interfaces alone, as a use case of another backend would see them.
void enrol(storage::transaction_control& tx_control, storage::participant_repository& people,
           const std::vector<std::string>& codes, bool keep) {
  storage::transaction tx(tx_control);
  std::vector<enrolment::participant> list;
  for (const auto& code : codes) list.push_back(person(code));
  people.insert_participants(list, "2026-01-01T00:00:00.000Z");
  if (keep) tx.commit();
}

const fs::path fixture_v1 = fs::path(BALINT_SOURCE_DIR) / "tests/data/fixture/v1.db";

}  // namespace

TEST_SUITE("storage") {
  TEST_CASE("opening a new database applies every migration, durable commits, foreign keys") {
    scratch store;
    auto db = store.open();
    const auto s = db->settings();
    // SQLite: WAL with synchronous=FULL; PostgreSQL: synchronous_commit on.
    CHECK(s.journal_mode == (store.postgres() ? "postgresql" : "wal"));
    CHECK(s.synchronous == 2);
    CHECK(s.foreign_keys);
    CHECK(s.user_version == storage::database::latest_schema_version());
    CHECK(s.user_version >= 1);
  }

  TEST_CASE("reopening does not apply migrations twice and keeps data") {
    scratch store;
    {
      auto db = store.open();
      storage::transaction tx(*db);
      db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");
      tx.commit();
    }
    auto db = store.open();
    CHECK(db->participants().size() == 1);
  }

  TEST_CASE("a transaction that is not committed leaves nothing behind") {
    scratch store;
    auto db = store.open();
    {
      storage::transaction tx(*db);
      db->insert_participants({person("A1"), person("A2")}, "2026-01-01T00:00:00.000Z");
    }
    CHECK(db->participants().empty());
    {
      storage::transaction tx(*db);
      db->insert_participants({person("A3")}, "2026-01-01T00:00:00.000Z");
      tx.commit();
    }
    CHECK(store.count("participant") == 1);
  }

  TEST_CASE("a transaction inside a transaction is a savepoint: undone alone, kept by the outer") {
    // The server's group commit runs many use cases, each in its own transaction, inside one.
    scratch store;
    auto db = store.open();
    {
      storage::transaction outer(*db);
      {
        storage::transaction first(*db);
        db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");
        first.commit();
      }
      {
        storage::transaction refused(*db);  // not committed: only its own write goes
        db->insert_participants({person("A2")}, "2026-01-01T00:00:00.000Z");
        CHECK(db->transaction_depth() == 2);
      }
      CHECK(db->transaction_depth() == 1);
      CHECK(store.count("participant") == 0);  // nothing visible to others before COMMIT
      outer.commit();
    }
    CHECK(db->transaction_depth() == 0);
    CHECK(store.count("participant") == 1);
    CHECK(db->participants().front().participant.code == "A1");
  }

  TEST_CASE("a failed statement inside a savepoint is undone with it; the outer goes on") {
    // A group-commit batch: the refused use case's savepoint is rolled back, its neighbours'
    // are kept. On PostgreSQL the failure aborts the transaction until that rollback, and the
    // savepoint statements travel with the next statement (waiting_savepoints).
    scratch store;
    auto db = store.open();
    {
      storage::transaction batch(*db);
      for (const std::string code : {"A1", "A1", "B1"}) {
        storage::transaction use_case(*db);
        try {
          db->insert_participants({person(code)}, "2026-01-01T00:00:00.000Z");
          use_case.commit();
        } catch (const storage::storage_error&) {
          CHECK(code == "A1");  // the second A1
        }
      }
      {
        storage::transaction nothing_ran(*db);  // opened and released empty
        nothing_ran.commit();
      }
      batch.commit();
    }
    CHECK(store.count("participant") == 2);
    CHECK(db->find_participant("B1").has_value());
  }

  TEST_CASE("writes let wait for COMMIT: a failing one fails the whole transaction") {
    // The server's group commit runs a failed batch again job by job; on PostgreSQL it lets a
    // savepoint's writes travel with later statements, so a bad write is only seen at COMMIT.
    scratch store;
    auto db = store.open();
    enrol(*db, *db, {"A1"}, true);
    db->let_writes_wait_for_commit(true);
    bool refused_at_once = false;
    try {
      storage::transaction batch(*db);
      {
        storage::transaction use_case(*db);
        try {
          db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");
          use_case.commit();
        } catch (const storage::storage_error&) {
          refused_at_once = true;  // SQLite: at the statement
        }
      }
      {
        storage::transaction next(*db);
        db->insert_participants({person("B1")}, "2026-01-01T00:00:00.000Z");
        next.commit();
      }
      {
        // A read sends what waits: on PostgreSQL the bad write fails here, in another use
        // case, whose rollback must not bring the transaction back (it would keep B1 unsaved
        // and let the COMMIT go through).
        storage::transaction reader(*db);
        try {
          const auto everyone = db->participants();
          CHECK(everyone.size() >= 1);
          reader.commit();
        } catch (const storage::storage_error&) {
          CHECK(store.postgres());
        }
      }
      {
        storage::transaction last(*db);
        try {
          db->insert_participants({person("D1")}, "2026-01-01T00:00:00.000Z");
          last.commit();
        } catch (const storage::storage_error&) {
          CHECK(store.postgres());
        }
      }
      batch.commit();
      CHECK(refused_at_once);  // a commit may go through only when the bad write was undone
    } catch (const storage::storage_error& e) {
      CHECK(store.postgres());
      CHECK(std::string(e.what()).find("nothing of it was written") != std::string::npos);
    }
    CHECK(refused_at_once == !store.postgres());
    // Either way A1 is there once; B1 is kept only where the bad write was refused alone.
    CHECK(store.count("participant WHERE code = 'A1'") == 1);
    CHECK(store.count("participant WHERE code = 'B1'") == (store.postgres() ? 0 : 1));
    CHECK(store.count("participant WHERE code = 'D1'") == (store.postgres() ? 0 : 1));
    db->let_writes_wait_for_commit(false);
    enrol(*db, *db, {"C1"}, true);
    CHECK(store.count("participant") == (store.postgres() ? 2 : 4));
  }

  TEST_CASE("a refused use case of a batch undoes its own savepoint, not a done one's") {
    // Every job of a batch names its savepoint nested_1. With writes waiting for COMMIT, the
    // savepoints of jobs already done may still wait too; a refusal must undo the latest.
    scratch store;
    auto db = store.open();
    db->let_writes_wait_for_commit(true);
    {
      storage::transaction batch(*db);
      for (const std::string code : {"X1", "X2"}) {
        storage::transaction job(*db);
        db->insert_participants({person(code)}, "2026-01-01T00:00:00.000Z");
        job.commit();
      }
      {
        storage::transaction refused(*db);  // refused before it wrote anything
      }
      {
        storage::transaction refused_after_write(*db);
        db->insert_participants({person("X3")}, "2026-01-01T00:00:00.000Z");
      }
      batch.commit();
    }
    CHECK(store.count("participant WHERE code IN ('X1', 'X2')") == 2);
    CHECK(store.count("participant WHERE code = 'X3'") == 0);
  }

  TEST_CASE("an exception inside a use case rolls the whole transaction back") {
    scratch store;
    auto db = store.open();
    try {
      storage::transaction tx(*db);
      db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");
      db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");  // UNIQUE code
      tx.commit();
      FAIL("a duplicate code must not be stored");
    } catch (const std::exception&) {
    }
    CHECK(db->participants().empty());
  }

  TEST_CASE("columns keep their types and foreign keys are enforced") {
    scratch store;
    { store.open(); }
    // SQLite: STRICT tables; PostgreSQL: typed columns.
    CHECK(store
              .exec_other("INSERT INTO participant (code, age, gender, consent, enrolled_at) "
                          "VALUES ('X', 'old', 'F', 1, 'now')")
              .find(store.postgres()
                        ? "invalid input syntax for type bigint"
                        : "cannot store TEXT value in INTEGER column") != std::string::npos);
    CHECK(store
              .exec_other(std::string(store.postgres() ? "" : "PRAGMA foreign_keys = ON; ") +
                          "INSERT INTO assessment (participant_id, timepoint, instrument_id, "
                          "recorded_at) VALUES (99, 'pre', 'msq', 'now')")
              .find(store.postgres() ? "violates foreign key constraint" : "FOREIGN KEY") !=
          std::string::npos);
  }

  TEST_CASE("the audit table refuses UPDATE and DELETE") {
    scratch store;
    auto db = store.open();
    {
      storage::transaction tx(*db);
      app::append_audit(*db, {"alice", "2026-01-01T00:00:00.000Z"}, "test.write", "thing:1",
                        std::nullopt, core::json("x"), std::nullopt);
      tx.commit();
    }
    CHECK(store.exec_other("UPDATE audit_entry SET actor = 'mallory'").find("append-only") !=
          std::string::npos);
    CHECK(store.exec_other("DELETE FROM audit_entry").find("append-only") != std::string::npos);
    CHECK(store.count("audit_entry") == 1);
  }

  TEST_CASE("item answers round-trip with missing values kept as missing") {
    scratch store;
    auto db = store.open();
    storage::transaction tx(*db);
    db->insert_instrument("msq", "{}");
    db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");
    const auto who = db->find_participant("A1");
    REQUIRE(who.has_value());
    instruments::item_values items{5, std::nullopt, 1};
    db->insert_assessments({{who->id, "pre", "msq", &items, "2026-01-02"}},
                           "2026-01-02T00:00:00.000Z");
    tx.commit();
    const auto a = db->find_assessment(who->id, "pre", "msq");
    REQUIRE(a.has_value());
    CHECK(a->items == items);
    CHECK(a->recorded_at == "2026-01-02T00:00:00.000Z");
    int visited = 0;
    db->for_each_assessment([&](const storage::assessment_record& r) {
      ++visited;
      CHECK(r.participant_code == "A1");
      CHECK(r.items == items);
    });
    CHECK(visited == 1);
  }

  TEST_CASE("the audit chain verifies, and names an entry changed behind its back") {
    scratch store;
    auto db = store.open();
    append_entries(*db, 3);
    auto ok = app::verify_audit(*db);
    CHECK(ok.ok);
    CHECK(ok.entries == 3);
    CHECK(ok.head_hash.size() == 64);
    // An intruder with the file (SQLite) or the table owner's password (PostgreSQL) first
    // removes what keeps the table append-only.
    CHECK(store.exec_other(std::string(store.postgres() ? "ALTER TABLE audit_entry DISABLE TRIGGER "
                                                          "audit_entry_append_only; "
                                                        : "DROP TRIGGER audit_entry_no_update; ") +
                           "UPDATE audit_entry SET after = '7' WHERE seq = 2") == "");
    auto broken = app::verify_audit(*db);
    CHECK_FALSE(broken.ok);
    CHECK(broken.first_broken == 2);
    CHECK(broken.problem.find("entry 2") != std::string::npos);
  }

  // --- the connection's statement cache: each SQL text is prepared once and reused ----------

  TEST_CASE("a reused statement reads the row its new bindings ask for, every time") {
    scratch store;
    auto db = store.open();
    storage::transaction tx(*db);
    db->insert_participants({person("A1"), person("B2"), person("C3")}, "2026-01-01T00:00:00.000Z");
    tx.commit();
    for (int round = 0; round < 3; ++round) {
      for (const std::string code : {"C3", "A1", "B2"}) {
        const auto found = db->find_participant(code);
        REQUIRE(found.has_value());
        CHECK(found->participant.code == code);
      }
      CHECK_FALSE(db->find_participant("Z9").has_value());
      CHECK(db->participants().size() == 3);
    }
  }

  TEST_CASE("the same query nested inside itself runs on its own statement") {
    scratch store;
    auto db = store.open();
    append_entries(*db, 3);
    // Sharing one statement would restart the outer walk or end it early.
    std::vector<std::int64_t> outer;
    int inner_rows = 0;
    db->for_each_audit_entry([&](const storage::audit_record& a) {
      outer.push_back(a.seq);
      db->for_each_audit_entry([&](const storage::audit_record&) { ++inner_rows; });
      CHECK(db->last_audit_entry()->seq == 3);
    });
    CHECK(outer == std::vector<std::int64_t>{1, 2, 3});
    CHECK(inner_rows == 9);
    // Interleaved: a query abandoned part-way (an exception in the visitor) is reset for reuse.
    CHECK_THROWS_AS(db->for_each_audit_entry(
                        [](const storage::audit_record&) { throw std::runtime_error("stop"); }),
                    std::runtime_error);
    int rows = 0;
    db->for_each_audit_entry([&](const storage::audit_record&) { ++rows; });
    CHECK(rows == 3);
  }

  TEST_CASE("a statement that failed is reusable, and a rollback leaves no stale binding") {
    scratch store;
    auto db = store.open();
    {
      storage::transaction tx(*db);
      db->insert_leader({0, "L1", "Leader One", "2026-01-01T00:00:00.000Z"});
      tx.commit();
    }
    {
      storage::transaction tx(*db);
      // At once on SQLite; on PostgreSQL with the commit the write travels with.
      CHECK_THROWS_AS(
          {
            db->insert_leader({0, "L1", "Again", "2026-01-01T00:00:01.000Z"});
            tx.commit();
          },
          storage::storage_error);
    }  // rolled back
    {
      storage::transaction tx(*db);
      db->insert_leader({0, "L2", "Leader Two", "2026-01-01T00:00:02.000Z"});
      tx.commit();
    }
    const auto all = db->leaders();
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "Leader One");
    CHECK(all[1].name == "Leader Two");
    // Nested transactions (savepoints) commit and roll back through the same cached statements.
    for (int round = 0; round < 2; ++round) {
      storage::transaction outer(*db);
      {
        storage::transaction inner(*db);
        db->insert_leader({0, "N" + std::to_string(round), "Nested", "2026-01-02T00:00:00.000Z"});
      }  // inner rolled back
      {
        storage::transaction inner(*db);
        db->insert_leader({0, "K" + std::to_string(round), "Kept", "2026-01-02T00:00:00.000Z"});
        inner.commit();
      }
      outer.commit();
      CHECK(db->transaction_depth() == 0);
    }
    CHECK(store.count("leader") == 4);
    CHECK_FALSE(db->find_leader("N0").has_value());
    CHECK(db->find_leader("K1").has_value());
  }

  TEST_CASE("closing a connection with cached statements releases the file") {
    scratch store;
    {
      auto db = store.open();
      storage::transaction tx(*db);
      db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");
      tx.commit();
      CHECK(db->find_participant("A1").has_value());
    }
    // Nothing is left open: on SQLite another connection can take the write lock and change
    // the schema; on PostgreSQL no other session is connected to the database.
    if (store.postgres()) {
      CHECK(store.count("pg_stat_activity WHERE datname = current_database() AND pid <> "
                        "pg_backend_pid()") == 0);
    } else {
      CHECK(store.exec_other("BEGIN EXCLUSIVE; CREATE TABLE extra (x); COMMIT;") == "");
    }
    auto again = store.open();
    CHECK(again->find_participant("A1").has_value());
  }

  // --- app::load_trial keeps parsed trials by their stored text ------------------------------

  TEST_CASE("load_trial follows the stored texts: a changed definition is parsed again") {
    scratch store;
    auto db = store.open();
    const app::request req{"alice", "2026-01-01T00:00:00.000Z", app::role::console};
    REQUIRE(app::init_trial(*db, req, std::nullopt, {42, std::string(64, 'a'), true}).has_value());
    const auto first = app::load_trial(*db);
    REQUIRE(first.has_value());
    const std::string title = first->definition.title;
    const std::string original_text = db->load_trial()->definition;
    CHECK(app::load_trial(*db)->definition.title == title);  // the same text: the same trial

    CHECK(store.exec_other(store.set_json("trial", "title", "\"A changed title\"")) == "");
    auto changed = app::load_trial(*db);
    REQUIRE(changed.has_value());
    CHECK(changed->definition.title == "A changed title");
    CHECK(changed->definition.source.find("title")->as_string() == "A changed title");

    CHECK(store.exec_other(store.set_json("instrument", "name", "\"Renamed\"") +
                           " WHERE id = 'msq'") == "");
    auto renamed = app::load_trial(*db);
    REQUIRE(renamed.has_value());
    CHECK(renamed->instruments.at("msq").name.text() == "Renamed");
    CHECK(renamed->definition.title == "A changed title");

    // A definition that breaks the schema is refused, not served from an earlier parse.
    CHECK(store.exec_other(store.set_json("trial", "arms", "[]")) == "");
    CHECK_FALSE(app::load_trial(*db).has_value());

    // Back to the original text: the original trial again.
    CHECK(store.exec_other("UPDATE trial SET definition = " + quoted(original_text)) == "");
    auto back = app::load_trial(*db);
    REQUIRE(back.has_value());
    CHECK(back->definition.title == title);
    CHECK(back->instruments.at("msq").name.text() ==
          "Renamed");  // the instrument row is still changed
  }

  // --- the interfaces, exercised through the SQLite implementation ---------------------------

  TEST_CASE(
      "through the interfaces: commit keeps, rollback leaves nothing, nesting is savepoints") {
    scratch store;
    auto db = store.open();
    storage::transaction_control& tx_control = *db;
    storage::participant_repository& people = *db;

    enrol(tx_control, people, {"A1"}, true);
    enrol(tx_control, people, {"B1", "B2"}, false);
    CHECK(store.count("participant") == 1);
    CHECK_FALSE(tx_control.in_transaction());
    CHECK(tx_control.transaction_depth() == 0);

    {
      storage::transaction outer(tx_control);
      enrol(tx_control, people, {"C1"}, true);  // a savepoint, released
      {
        storage::transaction middle(tx_control);
        enrol(tx_control, people, {"D1"}, true);  // released into `middle`
        CHECK(tx_control.transaction_depth() == 2);
      }                                          // `middle` rolled back: D1 goes with it
      enrol(tx_control, people, {"E1"}, false);  // rolled back alone
      CHECK(tx_control.in_transaction());
      CHECK(tx_control.transaction_depth() == 1);
      CHECK(store.count("participant") == 1);  // nothing visible outside before COMMIT
      outer.commit();
    }
    std::vector<std::string> codes;
    for (const auto& p : people.participants()) codes.push_back(p.participant.code);
    CHECK(codes == std::vector<std::string>{"A1", "C1"});
  }

  TEST_CASE("a constraint failure is a storage_error naming the constraint") {
    scratch store;
    auto db = store.open();
    enrol(*db, *db, {"A1"}, true);
    {
      storage::transaction tx(*db);
      try {
        db->insert_participants({person("A1")}, "2026-01-02T00:00:00.000Z");
        // PostgreSQL sends a write with the connection's next statement (waiting_savepoints):
        // its failure surfaces there.
        db->participants();
        FAIL("a duplicate code must not be stored");
      } catch (const storage::storage_error& e) {
        // SQLite gives its extended result code; PostgreSQL's SQLSTATE is in the message.
        CHECK(e.code() == (store.postgres() ? 0 : SQLITE_CONSTRAINT_UNIQUE));
        CHECK(std::string(e.what()).find(store.postgres()
                                             ? "violates unique constraint \"participant_code_key\""
                                             : "UNIQUE constraint failed: participant.code") !=
              std::string::npos);
      }
      // The transaction is still there to roll back. SQLite undid the statement alone and
      // goes on; PostgreSQL refuses everything until the rollback (use cases never go on
      // after a failed statement: each is one transaction, or one savepoint of a batch).
      CHECK(db->in_transaction());
      if (!store.postgres()) CHECK(db->find_participant("A1").has_value());
    }
    {
      storage::transaction tx(*db);
      try {
        const instruments::item_values items{1};
        db->insert_assessments({{999, "pre", "msq", &items, "2026-01-02"}},
                               "2026-01-02T00:00:00.000Z");
        tx.commit();  // on PostgreSQL the write goes with the COMMIT, which fails
        FAIL("an assessment of nobody must not be stored");
      } catch (const storage::storage_error& e) {
        CHECK(e.code() == (store.postgres() ? 0 : SQLITE_CONSTRAINT_FOREIGNKEY));
        CHECK(std::string(e.what()).find(store.postgres() ? "violates foreign key constraint"
                                                          : "FOREIGN KEY") != std::string::npos);
      }
    }
    // After the rollbacks the failed statements are reusable.
    CHECK_FALSE(db->in_transaction());
    CHECK(db->find_participant("A1").has_value());
    enrol(*db, *db, {"B1"}, true);
    CHECK(store.count("participant") == 2);
  }

  TEST_CASE("a database from a newer version is refused with both versions named, untouched") {
    scratch store;
    { store.open(); }
    const auto newer = std::to_string(storage::database::latest_schema_version() + 1);
    // SQLite keeps the version in user_version, PostgreSQL in the table balint_schema.
    CHECK(store.exec_other(store.postgres()
                               ? "INSERT INTO balint_schema (version) VALUES (" + newer + ")"
                               : "PRAGMA user_version = " + newer) == "");
    try {
      store.open();
      FAIL("a newer database must be refused");
    } catch (const storage::storage_error& e) {
      CHECK(std::string(e.what()).find("schema version " + newer) != std::string::npos);
      CHECK(std::string(e.what()).find("use a newer balint-trial") != std::string::npos);
    }
    // Left as it was: still the newer version, nothing migrated.
    CHECK(store.count(store.postgres() ? "balint_schema WHERE version = " + newer
                                       : "pragma_user_version WHERE user_version = " + newer) == 1);
    CHECK(store.count("participant") == 0);
  }

  // PostgreSQL's unreachable servers and wrong passwords: postgres_test.cpp.
  TEST_CASE("a file that cannot be opened is a storage_error naming it" *
            doctest::skip(on_postgres())) {
    testing::database_place place;
    const auto file = place.dir() / "no-such-folder" / "t.db";
    try {
      storage::database::open(file.string());
      FAIL("a database in a missing folder cannot be opened");
    } catch (const storage::storage_error& e) {
      CHECK(std::string(e.what()).find("cannot open the database " + file.string()) !=
            std::string::npos);
      CHECK(e.code() == SQLITE_CANTOPEN);
    }
  }

  TEST_CASE("the committed v1 fixture opens and migrates to this version" *
            doctest::skip(!fs::exists(fixture_v1) || on_postgres())) {
    testing::database_place place;
    const auto file = place.dir() / "v1.db";
    fs::copy_file(fixture_v1, file);  // migrating the committed file itself would change it
    auto db = storage::database::open(file.string());
    CHECK(db->schema_version() == storage::database::latest_schema_version());
    CHECK(app::verify_audit(*db).ok);
  }
}
