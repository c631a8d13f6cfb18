// Planner speed on 36, 1,000 and 10,000 participants, laid out like a multi-site trial:
// participants belong to cohorts of 18 (the last one may be smaller), each cohort has its own 20
// session slots and every participant is available for all of them, plus 2 slots of the
// neighbouring cohort in the same site (picked by a fixed pseudo-random sequence); a site is 3
// cohorts. So slots = 20 per cohort, sessions average 9 of 8–12, every plan is feasible, and
// the availability graph falls into components of at most one site (54 participants, 60
// slots) however large the trial. Prints the time per participant and its growth next to the
// n·log n reference: per-participant cost growing no faster than log n means total cost no
// worse than n log n. Benchmarks never fail the suite: the verdict is printed, exit is 0.

#include "balint/scheduling/planner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using balint::scheduling::plan_request;

constexpr int cohort_size = 18;
constexpr int cohort_slots = 20;
constexpr int cohorts_per_site = 3;
constexpr int cross_slots = 2;  // slots of the neighbouring cohort in the same site

plan_request make_request(int participants) {
  plan_request r;
  const int cohorts = (participants + cohort_size - 1) / cohort_size;
  for (int j = 0; j < cohorts * cohort_slots; ++j) r.slot_numbers.push_back(j + 1);
  std::uint32_t state = 20161012u;
  for (int i = 0; i < participants; ++i) {
    r.participants.push_back("P" + std::to_string(i + 1));
    const int cohort = i / cohort_size;
    const int site_first = cohort / cohorts_per_site * cohorts_per_site;
    const int site_cohorts = std::min(cohorts_per_site, cohorts - site_first);
    std::vector<int> a;
    for (int k = 0; k < cohort_slots; ++k) a.push_back(cohort * cohort_slots + k);
    if (site_cohorts > 1) {
      const int neighbour = site_first + (cohort - site_first + 1) % site_cohorts;
      for (int k = 0; k < cross_slots; ++k) {
        state = state * 1664525u + 1013904223u;
        const auto pick = static_cast<int>((state >> 8) % static_cast<std::uint32_t>(cohort_slots));
        a.push_back(neighbour * cohort_slots + pick);
      }
    }
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    r.available.push_back(std::move(a));
  }
  return r;
}

struct measurement {
  int participants = 0;
  int slots = 0;
  double seconds = 0;  // median of the repetitions
  bool valid = false;
};

measurement measure(int participants, int repetitions) {
  const plan_request r = make_request(participants);
  std::vector<double> times;
  balint::scheduling::plan_result last = balint::scheduling::plan_sessions(r);  // warm-up
  for (int k = 0; k < repetitions; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    last = balint::scheduling::plan_sessions(r);
    const auto t1 = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::sort(times.begin(), times.end());
  measurement m;
  m.participants = participants;
  m.slots = static_cast<int>(r.slot_numbers.size());
  m.seconds = times[times.size() / 2];
  m.valid = last.feasible && balint::scheduling::check_assignment(r, last.assignment).empty();
  return m;
}

}  // namespace

int main() {
  // Repetitions per size (odd, the median is taken); one untimed warm-up run each.
  const std::vector<std::pair<int, int>> cases = {{36, 301}, {1000, 31}, {10000, 7}};
  std::vector<measurement> results;
  for (const auto& [n, reps] : cases) results.push_back(measure(n, reps));

  const double base_cost = results.front().seconds / results.front().participants;
  const double base_log = std::log(static_cast<double>(results.front().participants));
  std::printf(
      "planner (plan_sessions): cohorts of 18 with 20 slots each, sites of 3 cohorts, 10 "
      "sessions each, 8-12 per session, median of repeats\n");
  std::printf("%12s %8s %12s %16s %14s %16s %6s\n", "participants", "slots", "seconds",
              "us/participant", "cost ratio", "n log n ratio", "valid");
  double last_ratio = 0;
  double last_reference = 0;
  bool all_valid = true;
  for (const auto& m : results) {
    const double cost = m.seconds / m.participants;
    // Under n log n growth the per-participant cost grows like log n.
    const double reference = std::log(static_cast<double>(m.participants)) / base_log;
    std::printf("%12d %8d %12.6f %16.3f %14.2f %16.2f %6s\n", m.participants, m.slots, m.seconds,
                cost * 1e6, cost / base_cost, reference, m.valid ? "yes" : "NO");
    last_ratio = cost / base_cost;
    last_reference = reference;
    all_valid = all_valid && m.valid;
  }
  constexpr double noise = 1.25;  // timing noise allowed on the reference
  const bool within = last_ratio <= last_reference * noise;
  std::printf(
      "cost ratio = (seconds per participant) / (the same for 36); n log n ratio = log n / log "
      "36.\n"
      "A cost ratio at or below the n log n ratio means growth no worse than n log n.\n");
  std::printf(
      "growth within n log n: %s (cost ratio %.2f at %d vs n log n ratio %.2f, %.0f%% "
      "noise allowed)%s\n",
      within ? "yes" : "no", last_ratio, results.back().participants, last_reference,
      (noise - 1) * 100, all_valid ? "" : "; some plans were NOT valid");
  return 0;
}
