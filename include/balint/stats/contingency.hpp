#pragma once

#include "balint/core/result.hpp"
#include "balint/stats/results.hpp"

namespace balint::stats {

/// Chi-square without continuity correction for the 2x2 table with rows (a b / c d), as R's
/// chisq.test(matrix(c(a, c, b, d), 2), correct = FALSE). invalid_input when a count is
/// negative or a row or column total is 0 (an expected count would be 0).
core::result<chi2_result> pearson_chi2_2x2(long a, long b, long c, long d);

/// Two-sided p of Fisher's exact test for the same table, as R's fisher.test: the sum of the
/// hypergeometric probabilities not above the observed one (relative tolerance 1e-7). A table
/// with a zero margin gives 1. invalid_input when a count is negative.
core::result<double> fisher_exact_2x2(long a, long b, long c, long d);

}  // namespace balint::stats
