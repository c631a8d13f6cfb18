// Issue 4 speed and safety target: 8 processes randomizing 1,000 participants at once: 0
// duplicate list positions, arms balanced within every completed block, allocations/s printed
// beside a bare SQLite loop doing one FULL-sync transaction per insert in the same run
// (target >= 0.5x of it). With a third argument `postgres` (run under scripts/with-postgres) the
// same on PostgreSQL, beside a bare libpq loop doing one INSERT and COMMIT per row (issue 13).
#include "bench_common.hpp"
#include "bench_postgres.hpp"

#include "balint/app/clock.hpp"
#include "balint/app/randomization_service.hpp"
#include "balint/app/services.hpp"
#include "balint/randomization/allocation_list.hpp"
#include "balint/resources/resources.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <libpq-fe.h>
#include <set>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace balint;
namespace fs = std::filesystem;
using bench::clock_type;
using bench::connect_or_exit;
using bench::fresh_postgres_database;
using bench::run_libpq;
using bench::seconds_since;

namespace {

/// The baseline: one process, one FULL-synced transaction per insert, WAL.
double bare_sqlite_seconds(const fs::path& file, int rows) {
  bench::bare_sqlite db(file.string(),
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t (id "
                        "INTEGER PRIMARY KEY, participant TEXT, arm TEXT, at TEXT) STRICT;",
                        "INSERT INTO t (participant, arm, at) VALUES (?, 'intervention', 'now')");
  const auto t0 = clock_type::now();
  for (int i = 0; i < rows; ++i) {
    db.exec("BEGIN IMMEDIATE");
    const std::string code = "P" + std::to_string(i);
    sqlite3_bind_text(db.insert(), 1, code.c_str(), -1, SQLITE_TRANSIENT);
    db.step();
    db.exec("COMMIT");
  }
  return seconds_since(t0);
}

/// The PostgreSQL baseline: one process, one INSERT and COMMIT per row (synchronous_commit on).
double bare_postgres_seconds(const std::string& url, int rows) {
  PGconn* conn = connect_or_exit(url);
  run_libpq(conn,
            "CREATE TABLE bare (id BIGSERIAL PRIMARY KEY, participant TEXT, arm TEXT, at TEXT)");
  const auto t0 = clock_type::now();
  for (int i = 0; i < rows; ++i) {
    run_libpq(conn, "BEGIN");
    const std::string code = "P" + std::to_string(i);
    const char* values[] = {code.c_str()};
    PQclear(PQexecParams(
        conn, "INSERT INTO bare (participant, arm, at) VALUES ($1, 'intervention', 'now')", 1,
        nullptr, values, nullptr, nullptr, 0));
    run_libpq(conn, "COMMIT");
  }
  const double seconds = seconds_since(t0);
  PQfinish(conn);
  return seconds;
}

std::string trial_config(int participants) {
  auto doc = core::parse_json(*resources::find("schemas/trials/tongji-2020.json")).value();
  doc["planned_participants"] = participants;
  doc["randomization"]["block_sizes"] = core::json::array{4, 6, 8};
  return doc.dump();
}

}  // namespace

int main(int argc, char** argv) {
  const int participants = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int processes = argc > 2 ? std::atoi(argv[2]) : 8;
  const bool postgres = argc > 3 && std::string(argv[3]) == "postgres";
  const char* server = std::getenv("BALINT_TEST_POSTGRES");
  if (postgres && !server) {
    std::fprintf(stderr, "bench: the postgres run needs a server: scripts/with-postgres %s ...\n",
                 argv[0]);
    return 2;
  }
  char tmpl[] = "/tmp/balint-bench-rand-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const std::string file =
      postgres ? fresh_postgres_database(server, "bench_randomize") : (dir / "trial.db").string();

  std::fprintf(stderr, "bench: setting up %d participants with baseline...\n", participants);
  {
    auto db = storage::database::open(file);
    const app::request req{"bench", "2026-01-01T00:00:00.000Z", app::role::console};
    std::string people =
        "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
    std::string answers = "participant,timepoint,instrument,item,value\n";
    for (int p = 0; p < participants; ++p) {
      const std::string code = "P" + std::to_string(10000 + p);
      people += code + ",24,F,,yes,1,1,workday-evening\n";
      for (int i = 1; i <= 22; ++i) answers += code + ",pre,mbi-hss," + std::to_string(i) + ",3\n";
      for (int i = 1; i <= 20; ++i) answers += code + ",pre,msq," + std::to_string(i) + ",3\n";
    }
    if (!app::init_trial(*db, req, trial_config(participants), {20161012, "00", true}) ||
        !app::import_participants(*db, req, people) || !app::import_outcomes(*db, req, answers)) {
      std::fprintf(stderr, "bench: set-up failed\n");
      return 1;
    }
  }

  std::fprintf(stderr, "bench: %d processes randomizing at once...\n", processes);
  const auto t0 = clock_type::now();
  for (int k = 0; k < processes; ++k) {
    if (fork() == 0) {
      auto db = storage::database::open(file);
      int failures = 0;
      for (int p = k; p < participants; p += processes) {
        const app::request req{"process-" + std::to_string(k), app::utc_now(), app::role::console};
        if (!app::randomize(*db, req, "P" + std::to_string(10000 + p))) ++failures;
      }
      std::_Exit(failures == 0 ? 0 : 1);
    }
  }
  int failed_children = 0;
  for (int k = 0; k < processes; ++k) {
    int status = 0;
    wait(&status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed_children;
  }
  const double ours = seconds_since(t0);
  const double bare =
      postgres ? bare_postgres_seconds(fresh_postgres_database(server, "bench_bare"), participants)
               : bare_sqlite_seconds(dir / "bare.db", participants);

  // Safety: every participant once, every position once, balanced completed blocks, verify ok.
  auto db = storage::database::open(file);
  const auto made = db->allocations();
  std::set<int> positions;
  for (const auto& a : made) positions.insert(a.position);
  const auto trial = app::load_trial(*db).value();
  randomization::stratum_list used{"all", {}};
  for (const auto& l : db->load_allocation_list()) {
    for (const auto& e : l.entries) {
      if (e.position <= static_cast<int>(made.size())) used.entries.push_back(e);
    }
  }
  const auto balance = randomization::check_block_balance(used, trial.definition.arms);
  const auto verified =
      app::verify_randomization(*db, {"bench", app::utc_now(), app::role::console});

  const double n = static_cast<double>(participants);
  std::printf("\nIssue 4 benchmark: %d processes randomizing %d participants at once (%s)\n\n",
              processes, participants, postgres ? "PostgreSQL" : "SQLite");
  std::printf("| %-52s | %8s | %14s | %6s |\n", "what", "seconds", "allocations/s", "ratio");
  std::printf("|%s|%s|%s|%s|\n", std::string(54, '-').c_str(), std::string(10, '-').c_str(),
              std::string(16, '-').c_str(), std::string(8, '-').c_str());
  std::printf("| %-52s | %8.3f | %14.0f | %6s |\n",
              postgres ? "baseline: bare libpq, one INSERT + COMMIT per row"
                       : "baseline: bare SQLite, one FULL-sync txn per insert",
              bare, n / bare, "1.00");
  const std::string ours_label =
      "randomize (" + std::to_string(processes) + " processes, checks, audit)";
  std::printf("| %-52s | %8.3f | %14.0f | %6.2f |\n", ours_label.c_str(), ours, n / ours,
              bare / ours);
  const std::size_t duplicates = made.size() - positions.size();
  std::printf("\nallocations: %zu of %d, duplicate positions: %zu, failed processes: %d\n",
              made.size(), participants, duplicates, failed_children);
  std::printf("balance within completed blocks: %s\n", balance ? balance->c_str() : "ok");
  std::printf("randomization verify: %s\n",
              verified && verified->ok ? "ok" : (verified ? verified->problem.c_str() : "error"));
  const bool safe = duplicates == 0 && !balance &&
                    made.size() == static_cast<std::size_t>(participants) && verified &&
                    verified->ok && failed_children == 0;
  std::printf("Target: ratio >= 0.50 -> %s; safety -> %s\n", bare / ours >= 0.5 ? "met" : "NOT met",
              safe ? "ok" : "FAILED");
  fs::remove_all(dir);
  return safe && bare / ours >= 0.5 ? 0 : 3;
}
