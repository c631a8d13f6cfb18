#pragma once

#include "balint/core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace balint::stats {

/// Size limits of the exact tests. Beyond them the exact functions return invalid_input naming
/// the limit, and the caller reports a Monte Carlo p instead.
///  - max_per_arm: the larger group may hold at most this many values.
///  - max_work: the estimated number of cell updates of the shift algorithm (about
///    N · m² · R / 4 for integer score range R, see exact.cpp) may not exceed this; 5e9 is
///    about 5 s in a Release build. It stops an exact Wilcoxon at about 315 per arm
///    (rank scores span 1..N) long before the per-arm limit.
struct exact_limits {
  std::size_t max_per_arm = 5000;
  double max_work = 5e9;
};

/// A Monte Carlo p-value: the share of random re-allocations (the group sizes kept) whose
/// statistic is at least as extreme as the observed one, its binomial standard error
/// sqrt(p(1-p)/resamples), the seed and the number of resamples.
struct monte_carlo_p {
  double p = 0;
  double standard_error = 0;
  std::uint32_t seed = 0;
  std::size_t resamples = 0;
};

/// Exact conditional two-sided p of the difference in means, as R's
/// coin::oneway_test(y ~ g, distribution = "exact"):
/// p = P(|S - E S| >= |s_obs - E S|) over all C(N, m) re-allocations with the group sizes kept,
/// S the sum of the scores in one group. The scores must be integers after multiplying by one of
/// 1, 2, 10, 100, 1000, 10^4, 10^5 (coin's rule, tolerance 1.49e-8); otherwise invalid_input (coin
/// would switch to the split-up algorithm). Streitberg–Röhmel shift algorithm on probabilities
/// (never counts), so it does not overflow where coin does (from 515 per arm).
/// invalid_input: an empty group, a value not finite, all values equal (coin: the variance is 0),
/// or a limit exceeded.
core::result<double> exact_permutation_p(std::span<const double> x, std::span<const double> y,
                                         const exact_limits& limits = {});

/// Exact two-sided Wilcoxon–Mann–Whitney p with mid-ranks for ties, as R's
/// coin::wilcox_test(y ~ g, distribution = "exact"): the same algorithm on the mid-ranks of the
/// pooled sample (times 2, so they are integers). Same errors as exact_permutation_p.
core::result<double> exact_wilcoxon_p(std::span<const double> x, std::span<const double> y,
                                      const exact_limits& limits = {});

/// Seeded Monte Carlo p of the statistic of exact_permutation_p (boost::random::mt19937 seeded
/// with `seed`): the same seed and data give the same p on every platform. Each resample draws the
/// number of each distinct value that falls in the first group (sequential hypergeometric
/// draws), so the cost is resamples × (number of distinct values), not × N. Empty groups or
/// non-finite values give p = NaN with standard_error = NaN; all values equal gives p = 1.
monte_carlo_p monte_carlo_permutation_p(std::span<const double> x, std::span<const double> y,
                                        std::uint32_t seed, std::size_t resamples = 100000);

/// Seeded Monte Carlo p of the Wilcoxon–Mann–Whitney statistic (mid-ranks), as above.
monte_carlo_p monte_carlo_wilcoxon_p(std::span<const double> x, std::span<const double> y,
                                     std::uint32_t seed, std::size_t resamples = 100000);

}  // namespace balint::stats
