#pragma once

#include "balint/core/result.hpp"

#include <span>

namespace balint::stats {

/// A correlation coefficient and its two-sided p (t approximation with n - 2 df).
struct correlation_result {
  double r = 0;
  double p = 0;
};

/// Pearson's r, as R's cor.test(x, y). invalid_input when the lengths differ, there are fewer
/// than 3 pairs, a value is not finite, or a column is constant. |r| = 1 gives p = 0.
core::result<correlation_result> pearson(std::span<const double> x, std::span<const double> y);

/// Spearman's rho (Pearson's r of the mid-ranks) with p from t = rho sqrt((n-2)/(1-rho^2)),
/// as R's cor.test(x, y, method = "spearman", exact = FALSE). Same errors as pearson().
core::result<correlation_result> spearman(std::span<const double> x, std::span<const double> y);

}  // namespace balint::stats
