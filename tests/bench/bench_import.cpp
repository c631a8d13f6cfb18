// Issue 3 speed target: `outcome import` of 10,000 participants x 2 time points x (22 + 20)
// items (840,000 item rows, validated, scored, one audit entry) at >= 0.4x the rows/s of a raw
// SQLite prepared-insert loop writing the same rows in one transaction, measured in the same
// run; and `export` of the same data against a raw SQLite read of the same rows.
#include "bench_common.hpp"

#include "balint/app/services.hpp"
#include "balint/report/export.hpp"
#include "balint/resources/resources.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace balint;
namespace fs = std::filesystem;
using bench::clock_type;
using bench::seconds_since;

namespace {

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
    std::exit(1);
  }
}

struct data_set {
  std::string participants_csv;
  std::string outcomes_csv;
  std::size_t item_rows = 0;
};

data_set make_data(int participants) {
  data_set d;
  std::mt19937 rng(7);
  d.participants_csv =
      "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
  d.outcomes_csv = "participant,timepoint,instrument,item,value\n";
  for (int p = 0; p < participants; ++p) {
    const std::string code = "P" + std::to_string(100000 + p);
    d.participants_csv += code + "," + std::to_string(22 + p % 10) + "," + (p % 3 ? "F" : "M") +
                          ",,yes,1,1,workday-evening\n";
    for (const char* tp : {"pre", "post"}) {
      for (int i = 1; i <= 22; ++i) {
        d.outcomes_csv += code + "," + tp + ",mbi-hss," + std::to_string(i) + "," +
                          std::to_string(rng() % 7) + "\n";
        ++d.item_rows;
      }
      for (int i = 1; i <= 20; ++i) {
        d.outcomes_csv += code + "," + tp + ",msq," + std::to_string(i) + "," +
                          std::to_string(1 + rng() % 5) + "\n";
        ++d.item_rows;
      }
    }
  }
  return d;
}

/// The baseline: the same schema, pragmas and rows, written by a raw prepared-insert loop in one
/// transaction (no CSV parsing, no validation, no audit).
double raw_insert_seconds(const fs::path& file, int participants) {
  sqlite3* db = nullptr;
  check(sqlite3_open(file.c_str(), &db), db);
  check(
      sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                   nullptr, nullptr, nullptr),
      db);
  const std::string schema(*resources::find("schemas/sql/001_initial.sql"));
  check(sqlite3_exec(db, schema.c_str(), nullptr, nullptr, nullptr), db);
  const std::string setup =
      "INSERT INTO instrument VALUES ('mbi-hss', '{}'), ('msq', '{}');"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
      std::to_string(participants) +
      ") INSERT INTO participant (code, age, gender, consent, enrolled_at) "
      "SELECT 'P' || i, 24, 'F', 1, 'now' FROM n;";
  check(sqlite3_exec(db, setup.c_str(), nullptr, nullptr, nullptr), db);
  std::mt19937 rng(7);
  const auto t0 = clock_type::now();
  check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db);
  sqlite3_stmt* head = nullptr;
  sqlite3_stmt* item = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO assessment (participant_id, timepoint, instrument_id, "
                     "recorded_at) VALUES (?, ?, ?, 'now')",
                     -1, &head, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO item_response (assessment_id, item, value) VALUES (?, ?, ?)",
                     -1, &item, nullptr);
  for (int p = 1; p <= participants; ++p) {
    for (const char* tp : {"pre", "post"}) {
      for (const auto& [inst, n, lo, hi] :
           {std::tuple{"mbi-hss", 22, 0, 6}, std::tuple{"msq", 20, 1, 5}}) {
        sqlite3_bind_int64(head, 1, p);
        sqlite3_bind_text(head, 2, tp, -1, SQLITE_STATIC);
        sqlite3_bind_text(head, 3, inst, -1, SQLITE_STATIC);
        check(sqlite3_step(head), db);
        sqlite3_reset(head);
        const auto id = sqlite3_last_insert_rowid(db);
        for (int i = 1; i <= n; ++i) {
          sqlite3_bind_int64(item, 1, id);
          sqlite3_bind_int64(item, 2, i);
          sqlite3_bind_int64(item, 3,
                             lo + static_cast<int>(rng() % static_cast<unsigned>(hi - lo + 1)));
          check(sqlite3_step(item), db);
          sqlite3_reset(item);
        }
      }
    }
  }
  sqlite3_finalize(head);
  sqlite3_finalize(item);
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
  const double s = seconds_since(t0);
  sqlite3_close(db);
  return s;
}

/// The export baseline: a raw read of every item row joined to its assessment and participant,
/// formatted as the long CSV (no scoring, no wide file).
double raw_export_seconds(const fs::path& file, std::size_t& bytes) {
  sqlite3* db = nullptr;
  check(sqlite3_open(file.c_str(), &db), db);
  const auto t0 = clock_type::now();
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT p.code, a.timepoint, a.instrument_id, r.item, r.value FROM "
                     "assessment a JOIN participant p ON p.id = a.participant_id JOIN "
                     "item_response r ON r.assessment_id = a.id ORDER BY a.participant_id, a.id, "
                     "r.item",
                     -1, &s, nullptr);
  std::string out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    for (int c = 0; c < 5; ++c) {
      if (c) out.push_back(',');
      if (const auto* t = sqlite3_column_text(s, c)) out += reinterpret_cast<const char*>(t);
    }
    out.push_back('\n');
  }
  sqlite3_finalize(s);
  bytes = out.size();
  const double secs = seconds_since(t0);
  sqlite3_close(db);
  return secs;
}

}  // namespace

int main(int argc, char** argv) {
  const int participants = argc > 1 ? std::atoi(argv[1]) : 10000;
  char tmpl[] = "/tmp/balint-bench-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  std::fprintf(stderr, "bench: generating %d participants...\n", participants);
  const auto data = make_data(participants);

  std::fprintf(stderr, "bench: raw SQLite insert loop...\n");
  const double raw_s = raw_insert_seconds(dir / "raw.db", participants);
  std::size_t raw_bytes = 0;
  const double raw_export_s = raw_export_seconds(dir / "raw.db", raw_bytes);

  std::fprintf(stderr, "bench: balint-trial outcome import...\n");
  auto db = storage::database::open((dir / "balint.db").string());
  const app::request req{"bench", "2026-01-01T00:00:00.000Z", app::role::console};
  if (!app::init_trial(*db, req, std::nullopt, app::list_seed{20161012, "00", true}) ||
      !app::import_participants(*db, req, data.participants_csv, true)) {
    std::fprintf(stderr, "bench: set-up failed\n");
    return 1;
  }
  auto t0 = clock_type::now();
  auto imported = app::import_outcomes(*db, req, data.outcomes_csv);
  const double ours_s = seconds_since(t0);
  if (!imported || imported->item_rows != data.item_rows) {
    std::fprintf(stderr, "bench: import failed: %s\n",
                 imported ? "wrong row count" : imported.error().message.c_str());
    return 1;
  }

  std::fprintf(stderr, "bench: balint-trial export...\n");
  t0 = clock_type::now();
  auto exported = app::read_export_data(*db);
  std::vector<report::export_participant> people;
  for (const auto& r : exported->participants) people.push_back({r.participant, "", {}, {}});
  const auto wide = report::wide_csv(exported->trial.definition, exported->trial.instruments,
                                     people, exported->assessments);
  const auto items = report::items_csv(exported->assessments);
  const double export_s = seconds_since(t0);

  const double rows = static_cast<double>(data.item_rows);
  std::printf("\nIssue 3 benchmark: %d participants, %zu item rows (%.1f MB of CSV)\n\n",
              participants, data.item_rows, static_cast<double>(data.outcomes_csv.size()) / 1e6);
  std::printf("| %-46s | %10s | %14s | %8s |\n", "what", "seconds", "item rows/s", "ratio");
  std::printf("|%s|%s|%s|%s|\n", std::string(48, '-').c_str(), std::string(12, '-').c_str(),
              std::string(16, '-').c_str(), std::string(10, '-').c_str());
  std::printf("| %-46s | %10.3f | %14.0f | %8s |\n", "baseline: raw SQLite prepared-insert loop",
              raw_s, rows / raw_s, "1.00");
  std::printf("| %-46s | %10.3f | %14.0f | %8.2f |\n",
              "outcome import (parse, validate, score, audit)", ours_s, rows / ours_s,
              raw_s / ours_s);
  std::printf("| %-46s | %10.3f | %14.0f | %8s |\n", "baseline: raw SQLite read to long CSV",
              raw_export_s, rows / raw_export_s, "1.00");
  std::printf("| %-46s | %10.3f | %14.0f | %8.2f |\n", "export (wide.csv + items.csv)", export_s,
              rows / export_s, raw_export_s / export_s);
  std::printf("\nTarget: import ratio >= 0.40 -> %s (wide.csv %zu bytes, items.csv %zu bytes)\n",
              raw_s / ours_s >= 0.4 ? "met" : "NOT met", wide.size(), items.size());
  fs::remove_all(dir);
  return raw_s / ours_s >= 0.4 ? 0 : 3;
}
