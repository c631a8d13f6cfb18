// Storage against real SQLite files: pragmas, migrations, transactions, constraints and the
// append-only audit table.
#include "balint/app/audit.hpp"
#include "balint/storage/database.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
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

  TEST_CASE("a database from a newer program version is refused") {
    temp_dir dir;
    const auto file = dir.path / "t.db";
    { storage::database::open(file.string()); }
    CHECK(exec_other(file, "PRAGMA user_version = 999") == "");
    CHECK_THROWS_AS(storage::database::open(file.string()), storage::storage_error);
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
    for (int i = 0; i < 3; ++i) {
      storage::transaction tx(*db);
      app::append_audit(*db, {"alice", "2026-01-01T00:00:0" + std::to_string(i) + ".000Z"},
                        "test.write", "thing:" + std::to_string(i), std::nullopt, core::json(i),
                        std::nullopt);
      tx.commit();
    }
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
}
