// Issue 5: attendance logging, rows/s of the bulk form (one roster per session, one transaction
// each) against a bare SQLite insert loop writing the same rows with the same transactions.
#include "bench_common.hpp"

#include "balint/app/randomization_service.hpp"
#include "balint/app/schedule_service.hpp"
#include "balint/app/services.hpp"
#include "balint/resources/resources.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

using namespace balint;
namespace fs = std::filesystem;
using bench::clock_type;
using bench::seconds_since;

namespace {

double bare_seconds(const fs::path& file, int sessions, int per_session) {
  bench::bare_sqlite db(file.string(),
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE attendance "
                        "(slot_id INTEGER, participant_id INTEGER, status TEXT, recorded_at TEXT, "
                        "recorded_by TEXT, PRIMARY KEY (slot_id, participant_id)) STRICT;",
                        "INSERT INTO attendance VALUES (?, ?, 'present', '2026-01-01T00:00:00Z', "
                        "'L1')");
  const auto t0 = clock_type::now();
  for (int k = 1; k <= sessions; ++k) {
    db.exec("BEGIN IMMEDIATE");
    for (int p = 1; p <= per_session; ++p) {
      sqlite3_bind_int(db.insert(), 1, k);
      sqlite3_bind_int(db.insert(), 2, p);
      db.step();
    }
    db.exec("COMMIT");
  }
  return seconds_since(t0);
}

}  // namespace

int main() {
  const int sessions = 200;
  const int per_session = 12;
  char tmpl[] = "/tmp/balint-bench-att-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  auto db = storage::database::open((dir / "trial.db").string());
  const app::request req{"bench", "2026-01-01T00:00:00.000Z", app::role::console};
  auto doc = core::parse_json(*resources::find("schemas/trials/tongji-2020.json")).value();
  doc["planned_participants"] = 2 * per_session;
  doc["randomization"]["block_sizes"] = core::json::array{2};
  doc["programme"]["session_slots"] = sessions;
  doc["programme"]["required_sessions"] = 10;
  doc["programme"]["first_session_date"] = "2000-01-05";
  doc["programme"]["lectures"] = core::json::array{};
  doc["programme"]["blackout_dates"] = core::json::array{};
  std::string people =
      "code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n";
  std::string answers = "participant,timepoint,instrument,item,value\n";
  for (int i = 0; i < 2 * per_session; ++i) {
    const std::string code = "P" + std::to_string(100 + i);
    people += code + ",25,F,,yes,,,workday-evening\n";
    for (int k = 1; k <= 22; ++k) answers += code + ",pre,mbi-hss," + std::to_string(k) + ",2\n";
    for (int k = 1; k <= 20; ++k) answers += code + ",pre,msq," + std::to_string(k) + ",3\n";
  }
  bool ok = app::init_trial(*db, req, doc.dump(), {1, "00", true}).has_value() &&
            app::import_participants(*db, req, people).has_value() &&
            app::import_outcomes(*db, req, answers).has_value() &&
            app::randomize_all_eligible(*db, req).has_value() &&
            app::generate_schedule(*db, req, "intervention", std::nullopt).has_value() &&
            app::add_leader(*db, req, "L1", "Dr. Wu").has_value();
  for (int k = 1; ok && k <= sessions; ++k) {
    ok = app::assign_leader(*db, req, "intervention", k, "L1").has_value();
  }
  std::vector<app::attendance_mark> roster;
  for (const auto& a : db->allocations()) {
    if (a.arm == "intervention") roster.push_back({a.participant_code, "present"});
  }
  if (!ok || static_cast<int>(roster.size()) != per_session) {
    std::fprintf(stderr, "bench: set-up failed\n");
    return 1;
  }
  const auto t0 = clock_type::now();
  for (int k = 1; k <= sessions; ++k) {
    auto r = app::log_attendance(*db, req, "intervention", k, roster, std::nullopt);
    if (!r) {
      std::fprintf(stderr, "bench: %s\n", r.error().message.c_str());
      return 1;
    }
  }
  const double ours = seconds_since(t0);
  const double bare = bare_seconds(dir / "bare.db", sessions, per_session);
  const double rows = sessions * per_session;
  std::printf(
      "\nIssue 5 benchmark: attendance, %d sessions x %d marks, one transaction per session\n\n",
      sessions, per_session);
  std::printf("| %-48s | %8s | %10s | %6s |\n", "what", "seconds", "rows/s", "ratio");
  std::printf("|%s|%s|%s|%s|\n", std::string(50, '-').c_str(), std::string(10, '-').c_str(),
              std::string(12, '-').c_str(), std::string(8, '-').c_str());
  std::printf("| %-48s | %8.3f | %10.0f | %6s |\n", "baseline: bare SQLite insert loop", bare,
              rows / bare, "1.00");
  std::printf("| %-48s | %8.3f | %10.0f | %6.2f |\n", "attendance log (bulk form, checks, audit)",
              ours, rows / ours, bare / ours);
  fs::remove_all(dir);
  return 0;
}
