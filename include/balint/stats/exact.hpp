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
///    N · m² · R / 4 for integer score range R, see exact.cpp) may not exceed this. A cell update
///    costs about 0.4-0.5 ns in a Release build, so the default 5e9 is a few seconds: a limit for
///    callers that want the exact p at almost any price. The analysis uses the much smaller
///    analysis_max_work (about 20 ms per test).
struct exact_limits {
  std::size_t max_per_arm = 5000;
  double max_work = 5e9;
};

/// The work limit of the end-of-trial analysis: 4e7 cell updates, at most about 20 ms per exact
/// test in a Release build. On integer change scores spanning about 20 points it allows the
/// exact permutation test up to about 290 per arm and the exact Wilcoxon test up to about 115
/// per arm (rank scores span 1..N); beyond, the analysis reports the seeded Monte Carlo p.
inline constexpr double analysis_max_work = 4e7;

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

/// Both seeded Monte Carlo p-values from the same resamples (boost::random::mt19937 seeded with
/// `seed`; the same seed and data give the same p on every platform). Each resample draws, for
/// each distinct pooled value in ascending order, how many of its copies fall in the first group
/// (sequential hypergeometric draws: inversion from the mode for small variances, Stadlober's
/// HRUA ratio-of-uniforms for large ones, both on a table of log-factorials), and computes from
/// these counts both the sum of the values (difference in means) and the sum of the mid-ranks
/// (Wilcoxon) of the first group. The cost is resamples × (number of distinct values), not × N.
/// Each p is on its own a valid Monte Carlo estimate (the share of uniformly random
/// re-allocations at least as extreme); the two share their resamples, so they are correlated
/// with each other. Empty groups or non-finite values give p = NaN with standard_error = NaN; a
/// statistic with variance 0 (all values equal) or observed exactly at its mean gives p = 1.
struct monte_carlo_pair {
  monte_carlo_p permutation;
  monte_carlo_p wilcoxon;
};
monte_carlo_pair monte_carlo_p_both(std::span<const double> x, std::span<const double> y,
                                    std::uint32_t seed, std::size_t resamples = 100000);

/// The permutation half of monte_carlo_p_both (same resamples, same cost).
monte_carlo_p monte_carlo_permutation_p(std::span<const double> x, std::span<const double> y,
                                        std::uint32_t seed, std::size_t resamples = 100000);

/// The Wilcoxon–Mann–Whitney (mid-ranks) half of monte_carlo_p_both (same resamples, same cost).
monte_carlo_p monte_carlo_wilcoxon_p(std::span<const double> x, std::span<const double> y,
                                     std::uint32_t seed, std::size_t resamples = 100000);

}  // namespace balint::stats
