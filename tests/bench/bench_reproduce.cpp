// Issue 7: `reproduce tongji` end to end, wall time by phase: load and audit the published
// summary, reconstruct participant-level data, replay the trial on a fresh database (enrol,
// baseline, randomize, calendar, plan, attendance, post), analyze the database, compare.
// Usage: bench_reproduce [RUNS] (default 5). Prints the median and the fastest run per phase.
#include "bench_common.hpp"

#include "balint/app/reproduce_service.hpp"
#include "balint/reproduction/compare.hpp"
#include "balint/storage/database.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

using namespace balint;
namespace fs = std::filesystem;
using bench::clock_type;
using bench::remove_db;
using bench::seconds_since;

namespace {

constexpr std::array<const char*, 6> phases{"load+audit", "reconstruct", "replay",
                                            "analyze",    "compare",     "total"};

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const app::request req{"bench", "2026-11-23T12:00:00.000Z", app::role::console};
  const app::reproduce_options options;
  std::vector<std::array<double, phases.size()>> times;
  std::size_t match = 0, mismatch = 0, inconsistent = 0;
  std::string source;
  for (int run = 0; run < runs; ++run) {
    const fs::path file =
        fs::temp_directory_path() /
        ("bench-reproduce-" + std::to_string(getpid()) + "-" + std::to_string(run) + ".db");
    remove_db(file);
    std::array<double, phases.size()> t{};
    const auto start = clock_type::now();
    auto t0 = clock_type::now();
    auto published = app::load_published("tongji");
    t[0] = seconds_since(t0);
    if (!published) {
      std::fprintf(stderr, "load: %s\n", published.error().message.c_str());
      return 1;
    }
    t0 = clock_type::now();
    auto data = app::reconstruct_replica(published.value(), options);
    t[1] = seconds_since(t0);
    if (!data) {
      std::fprintf(stderr, "reconstruct: %s\n", data.error().message.c_str());
      return 1;
    }
    source = data->source;
    {
      auto db = storage::database::open(file.string());
      t0 = clock_type::now();
      auto replayed = app::replay(*db, req, published.value(), data.value(), options);
      t[2] = seconds_since(t0);
      if (!replayed) {
        std::fprintf(stderr, "replay: %s\n", replayed.error().message.c_str());
        return 1;
      }
      t0 = clock_type::now();
      auto reproduced = app::analyze_replay(*db, published->summary);
      t[3] = seconds_since(t0);
      if (!reproduced) {
        std::fprintf(stderr, "analyze: %s\n", reproduced.error().message.c_str());
        return 1;
      }
      t0 = clock_type::now();
      const auto c =
          reproduction::compare(published->summary, published->audit, reproduced->values);
      t[4] = seconds_since(t0);
      match = c.match;
      mismatch = c.mismatch;
      inconsistent = c.paper_inconsistent;
    }
    t[5] = seconds_since(start);
    times.push_back(t);
    remove_db(file);
  }
  std::printf(
      "reproduce tongji: %d run(s), data from the %s; %zu match, %zu mismatch, %zu "
      "paper-inconsistent\n",
      runs, source.c_str(), match, mismatch, inconsistent);
  std::printf("%-12s %12s %12s\n", "phase", "median ms", "fastest ms");
  for (std::size_t p = 0; p < phases.size(); ++p) {
    std::vector<double> v;
    for (const auto& t : times) v.push_back(t[p] * 1000);
    std::sort(v.begin(), v.end());
    std::printf("%-12s %12.2f %12.2f\n", phases[p], v[v.size() / 2], v.front());
  }
  return 0;
}
