// Storage against real SQLite files: pragmas, migrations, transactions, constraints and the
// append-only audit table.
#include "balint/app/audit.hpp"
#include "balint/app/services.hpp"
#include "balint/storage/database.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>

using namespace balint;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/balint-storage-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() { fs::remove_all(path); }
};

/// Runs SQL on a second, independent connection (as an intruder or another process would);
/// returns the SQLite error message, or "" on success.
std::string exec_other(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  char* msg = nullptr;
  const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &msg);
  std::string out = rc == SQLITE_OK ? "" : (msg ? msg : "error");
  sqlite3_free(msg);
  sqlite3_close(h);
  return out;
}

long long count(const fs::path& db, const std::string& table) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, ("SELECT count(*) FROM " + table).c_str(), -1, &st, nullptr);
  sqlite3_step(st);
  const long long n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return n;
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
  TEST_CASE("opening a new file applies every migration with WAL, FULL sync and foreign keys") {
    temp_dir dir;
    auto db = storage::database::open((dir.path / "t.db").string());
    const auto s = db->settings();
    CHECK(s.journal_mode == "wal");
    CHECK(s.synchronous == 2);
    CHECK(s.foreign_keys);
    CHECK(s.user_version == storage::database::latest_schema_version());
    CHECK(s.user_version >= 1);
  }

  TEST_CASE("reopening does not apply migrations twice and keeps data") {
    temp_dir dir;
    const auto file = (dir.path / "t.db").string();
    {
      auto db = storage::database::open(file);
      storage::transaction tx(*db);
      db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");
      tx.commit();
    }
    auto db = storage::database::open(file);
    CHECK(db->participants().size() == 1);
  }

  TEST_CASE("a transaction that is not committed leaves nothing behind") {
    temp_dir dir;
    const auto file = dir.path / "t.db";
    auto db = storage::database::open(file.string());
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
    CHECK(count(file, "participant") == 1);
  }

  TEST_CASE("a transaction inside a transaction is a savepoint: undone alone, kept by the outer") {
    // The server's group commit runs many use cases, each in its own transaction, inside one.
    temp_dir dir;
    const auto file = dir.path / "t.db";
    auto db = storage::database::open(file.string());
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
      CHECK(count(file, "participant") == 0);  // nothing visible to others before COMMIT
      outer.commit();
    }
    CHECK(db->transaction_depth() == 0);
    CHECK(count(file, "participant") == 1);
    CHECK(db->participants().front().participant.code == "A1");
  }

  TEST_CASE("an exception inside a use case rolls the whole transaction back") {
    temp_dir dir;
    auto db = storage::database::open((dir.path / "t.db").string());
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

  TEST_CASE("tables are STRICT and foreign keys are enforced") {
    temp_dir dir;
    const auto file = dir.path / "t.db";
    { storage::database::open(file.string()); }
    CHECK(exec_other(file,
                     "INSERT INTO participant (code, age, gender, consent, enrolled_at) VALUES "
                     "('X', 'old', 'F', 1, 'now')")
              .find("cannot store TEXT value in INTEGER column") != std::string::npos);
    CHECK(exec_other(file,
                     "PRAGMA foreign_keys = ON; INSERT INTO assessment (participant_id, "
                     "timepoint, instrument_id, recorded_at) VALUES (99, 'pre', 'msq', 'now')")
              .find("FOREIGN KEY") != std::string::npos);
  }

  TEST_CASE("the audit table refuses UPDATE and DELETE") {
    temp_dir dir;
    const auto file = dir.path / "t.db";
    auto db = storage::database::open(file.string());
    {
      storage::transaction tx(*db);
      app::append_audit(*db, {"alice", "2026-01-01T00:00:00.000Z"}, "test.write", "thing:1",
                        std::nullopt, core::json("x"), std::nullopt);
      tx.commit();
    }
    CHECK(exec_other(file, "UPDATE audit_entry SET actor = 'mallory'").find("append-only") !=
          std::string::npos);
    CHECK(exec_other(file, "DELETE FROM audit_entry").find("append-only") != std::string::npos);
    CHECK(count(file, "audit_entry") == 1);
  }

  TEST_CASE("item answers round-trip with missing values kept as missing") {
    temp_dir dir;
    auto db = storage::database::open((dir.path / "t.db").string());
    storage::transaction tx(*db);
    db->insert_instrument("msq", "{}");
    db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");
    const auto who = db->find_participant("A1");
    REQUIRE(who.has_value());
    instruments::item_values items{5, std::nullopt, 1};
    db->insert_assessments({{who->id, "pre", "msq", &items}}, "2026-01-02T00:00:00.000Z");
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
    temp_dir dir;
    const auto file = dir.path / "t.db";
    auto db = storage::database::open(file.string());
    append_entries(*db, 3);
    auto ok = app::verify_audit(*db);
    CHECK(ok.ok);
    CHECK(ok.entries == 3);
    CHECK(ok.head_hash.size() == 64);
    CHECK(exec_other(file,
                     "DROP TRIGGER audit_entry_no_update; UPDATE audit_entry SET after = '7' "
                     "WHERE seq = 2") == "");
    auto broken = app::verify_audit(*db);
    CHECK_FALSE(broken.ok);
    CHECK(broken.first_broken == 2);
    CHECK(broken.problem.find("entry 2") != std::string::npos);
  }

  // --- the connection's statement cache: each SQL text is prepared once and reused ----------

  TEST_CASE("a reused statement reads the row its new bindings ask for, every time") {
    temp_dir dir;
    auto db = storage::database::open((dir.path / "t.db").string());
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
    temp_dir dir;
    auto db = storage::database::open((dir.path / "t.db").string());
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
    temp_dir dir;
    const auto file = dir.path / "t.db";
    auto db = storage::database::open(file.string());
    {
      storage::transaction tx(*db);
      db->insert_leader({0, "L1", "Leader One", "2026-01-01T00:00:00.000Z"});
      tx.commit();
    }
    {
      storage::transaction tx(*db);
      CHECK_THROWS_AS(db->insert_leader({0, "L1", "Again", "2026-01-01T00:00:01.000Z"}),
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
    CHECK(count(file, "leader") == 4);
    CHECK_FALSE(db->find_leader("N0").has_value());
    CHECK(db->find_leader("K1").has_value());
  }

  TEST_CASE("closing a connection with cached statements releases the file") {
    temp_dir dir;
    const auto file = dir.path / "t.db";
    {
      auto db = storage::database::open(file.string());
      storage::transaction tx(*db);
      db->insert_participants({person("A1")}, "2026-01-01T00:00:00.000Z");
      tx.commit();
      CHECK(db->find_participant("A1").has_value());
    }
    // Another connection can take the write lock and change the schema: nothing is left open.
    CHECK(exec_other(file, "BEGIN EXCLUSIVE; CREATE TABLE extra (x); COMMIT;") == "");
    auto again = storage::database::open(file.string());
    CHECK(again->find_participant("A1").has_value());
  }

  // --- app::load_trial keeps parsed trials by their stored text ------------------------------

  TEST_CASE("load_trial follows the stored texts: a changed definition is parsed again") {
    temp_dir dir;
    const auto file = dir.path / "t.db";
    auto db = storage::database::open(file.string());
    const app::request req{"alice", "2026-01-01T00:00:00.000Z", app::role::console};
    REQUIRE(app::init_trial(*db, req, std::nullopt, {42, std::string(64, 'a'), true}).has_value());
    const auto first = app::load_trial(*db);
    REQUIRE(first.has_value());
    const std::string title = first->definition.title;
    const std::string original_text = db->load_trial()->definition;
    CHECK(app::load_trial(*db)->definition.title == title);  // the same text: the same trial

    CHECK(exec_other(file,
                     "UPDATE trial SET definition = json_set(definition, '$.title', "
                     "'A changed title')") == "");
    auto changed = app::load_trial(*db);
    REQUIRE(changed.has_value());
    CHECK(changed->definition.title == "A changed title");
    CHECK(changed->definition.source.find("title")->as_string() == "A changed title");

    CHECK(exec_other(file,
                     "UPDATE instrument SET definition = json_set(definition, '$.name', "
                     "'Renamed') WHERE id = 'msq'") == "");
    auto renamed = app::load_trial(*db);
    REQUIRE(renamed.has_value());
    CHECK(renamed->instruments.at("msq").name == "Renamed");
    CHECK(renamed->definition.title == "A changed title");

    // A definition that breaks the schema is refused, not served from an earlier parse.
    CHECK(exec_other(file,
                     "UPDATE trial SET definition = json_set(definition, '$.arms', "
                     "json('[]'))") == "");
    CHECK_FALSE(app::load_trial(*db).has_value());

    // Back to the original text: the original trial again.
    sqlite3* h = nullptr;
    sqlite3_open(file.c_str(), &h);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(h, "UPDATE trial SET definition = ?", -1, &st, nullptr);
    sqlite3_bind_text(st, 1, original_text.c_str(), -1, SQLITE_TRANSIENT);
    CHECK(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(h);
    auto back = app::load_trial(*db);
    REQUIRE(back.has_value());
    CHECK(back->definition.title == title);
    CHECK(back->instruments.at("msq").name == "Renamed");  // the instrument row is still changed
  }

  // --- the interfaces, exercised through the SQLite implementation ---------------------------

  TEST_CASE(
      "through the interfaces: commit keeps, rollback leaves nothing, nesting is savepoints") {
    temp_dir dir;
    const auto file = dir.path / "t.db";
    auto db = storage::database::open(file.string());
    storage::transaction_control& tx_control = *db;
    storage::participant_repository& people = *db;

    enrol(tx_control, people, {"A1"}, true);
    enrol(tx_control, people, {"B1", "B2"}, false);
    CHECK(count(file, "participant") == 1);
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
      CHECK(count(file, "participant") == 1);  // nothing visible outside before COMMIT
      outer.commit();
    }
    std::vector<std::string> codes;
    for (const auto& p : people.participants()) codes.push_back(p.participant.code);
    CHECK(codes == std::vector<std::string>{"A1", "C1"});
  }

  TEST_CASE("a constraint failure is a storage_error with SQLite's extended code") {
    temp_dir dir;
    auto db = storage::database::open((dir.path / "t.db").string());
    enrol(*db, *db, {"A1"}, true);
    storage::transaction tx(*db);
    try {
      db->insert_participants({person("A1")}, "2026-01-02T00:00:00.000Z");
      FAIL("a duplicate code must not be stored");
    } catch (const storage::storage_error& e) {
      CHECK(e.code() == SQLITE_CONSTRAINT_UNIQUE);
      CHECK(std::string(e.what()).find("UNIQUE constraint failed: participant.code") !=
            std::string::npos);
    }
    try {
      const instruments::item_values items{1};
      db->insert_assessments({{999, "pre", "msq", &items}}, "2026-01-02T00:00:00.000Z");
      FAIL("an assessment of nobody must not be stored");
    } catch (const storage::storage_error& e) {
      CHECK(e.code() == SQLITE_CONSTRAINT_FOREIGNKEY);
    }
    // The failed statements are reusable, and the transaction is still there to roll back.
    CHECK(db->in_transaction());
    CHECK(db->find_participant("A1").has_value());
  }

  TEST_CASE("a database from a newer version is refused with both versions named, untouched") {
    temp_dir dir;
    const auto file = dir.path / "t.db";
    { storage::database::open(file.string()); }
    const auto newer = std::to_string(storage::database::latest_schema_version() + 1);
    CHECK(exec_other(file, "PRAGMA user_version = " + newer) == "");
    try {
      storage::database::open(file.string());
      FAIL("a newer database must be refused");
    } catch (const storage::storage_error& e) {
      CHECK(std::string(e.what()).find("schema version " + newer) != std::string::npos);
      CHECK(std::string(e.what()).find("use a newer balint-trial") != std::string::npos);
    }
    // Left as it was: still the newer version, nothing migrated.
    CHECK(count(file, "pragma_user_version WHERE user_version = " + newer) == 1);
    CHECK(count(file, "participant") == 0);
  }

  TEST_CASE("a file that cannot be opened is a storage_error naming it") {
    temp_dir dir;
    const auto file = dir.path / "no-such-folder" / "t.db";
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
            doctest::skip(!fs::exists(fixture_v1))) {
    temp_dir dir;
    const auto file = dir.path / "v1.db";
    fs::copy_file(fixture_v1, file);  // migrating the committed file itself would change it
    auto db = storage::database::open(file.string());
    CHECK(db->schema_version() == storage::database::latest_schema_version());
    CHECK(app::verify_audit(*db).ok);
  }
}
