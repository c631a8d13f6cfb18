#include "balint/stats/descriptive.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace balint::stats {

namespace detail {

double mean(std::span<const double> x) {
  if (x.empty()) return 0;
  const auto n = static_cast<double>(x.size());
  double s = 0;
  for (double v : x) s += v;
  const double m = s / n;
  // Second pass (as R's mean): corrects the rounding of the first sum.
  double r = 0;
  for (double v : x) r += v - m;
  return m + r / n;
}

double sum_sq_dev(std::span<const double> x, double m) {
  if (x.empty()) return 0;
  double ss = 0;
  double s = 0;
  for (double v : x) {
    const double e = v - m;
    ss += e * e;
    s += e;
  }
  // The corrected two-pass formula (Chan, Golub & LeVeque 1983): removes the error left in m.
  const double out = ss - s * s / static_cast<double>(x.size());
  return out > 0 ? out : 0;
}

bool all_finite(std::span<const double> x) {
  return std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace detail

core::result<summary> describe(std::span<const double> x) {
  if (x.empty()) {
    return core::invalid_input("values", "there are no values, so the mean is undefined");
  }
  if (x.size() < 2) {
    return core::invalid_input(
        "values", "there is only 1 value, so the standard deviation (which needs 2) is undefined");
  }
  if (!detail::all_finite(x)) {
    return core::invalid_input("values", "a value is not a finite number");
  }
  summary s;
  s.n = x.size();
  s.mean = detail::mean(x);
  s.sd = std::sqrt(detail::sum_sq_dev(x, s.mean) / static_cast<double>(x.size() - 1));
  return s;
}

double median(std::vector<double> x) {
  if (x.empty()) return 0;
  const std::size_t half = x.size() / 2;
  std::nth_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(half), x.end());
  const double upper = x[half];
  if (x.size() % 2 == 1) return upper;
  const double lower = *std::max_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(half));
  return (lower + upper) / 2;
}

}  // namespace balint::stats
