// Issue 7: `reconstruct` of the Tongji summary: time to the first consistent data set (target
// < 1 s) beside its number of search moves, and distinct data sets per second over further seeds.
#include "balint/core/sha256.hpp"
#include "balint/reproduction/audit.hpp"
#include "balint/reproduction/published.hpp"
#include "balint/reproduction/reconstruct.hpp"
#include "balint/resources/resources.hpp"

#include <chrono>
#include <cstdio>
#include <set>
#include <string>

using namespace balint;
using clock_type = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 20;
  const auto summary =
      reproduction::load_summary(*resources::find("schemas/published/tongji-2020.json"),
                                 *resources::find("schemas/published.schema.json"));
  if (!summary) {
    std::fprintf(stderr, "bench: %s\n", summary.error().message.c_str());
    return 1;
  }
  const auto report = reproduction::audit(summary.value());
  std::printf("\nIssue 7 benchmark: reconstruct the Tongji summary, %d seeds\n\n", seeds);
  std::printf("| %4s | %9s | %12s | %8s | %5s |\n", "seed", "seconds", "search moves", "restarts",
              "unmet");
  std::printf("|------|-----------|--------------|----------|-------|\n");
  std::set<std::string> distinct;
  double total = 0;
  double first = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    const auto t0 = clock_type::now();
    reproduction::reconstruction_options o;
    o.seed = static_cast<std::uint32_t>(seed);
    const auto r = reproduction::reconstruct(summary.value(), report, o);
    const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
    if (!r) {
      std::fprintf(stderr, "bench: %s\n", r.error().message.c_str());
      return 1;
    }
    if (seed == 1) first = s;
    total += s;
    distinct.insert(core::sha256_hex(reproduction::items_csv(r.value())));
    if (seed <= 5) {
      std::printf("| %4d | %9.3f | %12zu | %8zu | %5zu |\n", seed, s, r->attempts, r->restarts,
                  r->unmet.size());
    }
  }
  std::printf(
      "\nfirst data set: %.3f s (target < 1 s: %s); %zu distinct data sets of %d in %.2f s "
      "= %.1f per second\n",
      first, first < 1.0 ? "met" : "NOT met", distinct.size(), seeds, total,
      static_cast<double>(distinct.size()) / total);
  return 0;
}
