#pragma once

#include "balint/core/result.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace balint::stats {

/// Sample size, mean and standard deviation (denominator n - 1), as R's length, mean and sd.
struct summary {
  std::size_t n = 0;
  double mean = 0;
  double sd = 0;
};

/// Mean and SD by two passes with a compensating correction (R's mean() and var() do the same),
/// so data like 1e8 + N(0, 1) keep their digits. invalid_input on field "values" when there are
/// fewer than 2 values (the SD needs two) or a value is not finite.
core::result<summary> describe(std::span<const double> x);

/// The median (mean of the two middle values for even n), as R's median(). NaN-free: an empty
/// input gives 0; callers check the size first.
double median(std::vector<double> x);

namespace detail {
/// Mean with one correction pass: m + sum(x - m) / n.
double mean(std::span<const double> x);
/// Sum of squared deviations from m, corrected by (sum(x - m))^2 / n.
double sum_sq_dev(std::span<const double> x, double m);
/// True when every value is finite.
bool all_finite(std::span<const double> x);
}  // namespace detail

}  // namespace balint::stats
