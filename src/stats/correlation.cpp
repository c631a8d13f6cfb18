#include "balint/stats/correlation.hpp"

#include "balint/stats/descriptive.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace balint::stats {

namespace {

core::result<void> check(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) {
    return core::invalid_input("values", "the two columns have different lengths (" +
                                             std::to_string(x.size()) + " and " +
                                             std::to_string(y.size()) + ")");
  }
  if (x.size() < 3) {
    return core::invalid_input("values", "there are " + std::to_string(x.size()) +
                                             " pairs; a correlation test needs at least 3");
  }
  if (!detail::all_finite(x) || !detail::all_finite(y)) {
    return core::invalid_input("values", "a value is not a finite number");
  }
  return {};
}

/// r and its p from t = r sqrt((n - 2) / (1 - r^2)) with n - 2 df; an error for a constant
/// column.
core::result<correlation_result> correlate(std::span<const double> x, std::span<const double> y) {
  const double mx = detail::mean(x);
  const double my = detail::mean(y);
  double sxx = 0, syy = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx;
    const double dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) {
    return core::invalid_input("values", std::string("the ") + (sxx > 0 ? "second" : "first") +
                                             " column is constant (standard deviation 0), so the "
                                             "correlation is undefined");
  }
  correlation_result r;
  r.r = std::clamp(sxy / std::sqrt(sxx) / std::sqrt(syy), -1.0, 1.0);
  const double df = static_cast<double>(x.size()) - 2;
  const double rest = 1 - r.r * r.r;
  if (rest <= 0) {
    r.p = 0;  // a perfect linear relation: t is infinite
    return r;
  }
  const double t = std::fabs(r.r) * std::sqrt(df / rest);
  r.p =
      std::min(1.0, 2 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), t)));
  return r;
}

/// Mid-ranks (ties get the mean of their positions), as R's rank().
std::vector<double> mid_ranks(std::span<const double> v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> ranks(v.size());
  std::size_t i = 0;
  while (i < order.size()) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

}  // namespace

core::result<correlation_result> pearson(std::span<const double> x, std::span<const double> y) {
  if (auto ok = check(x, y); !ok) return std::move(ok).error();
  return correlate(x, y);
}

core::result<correlation_result> spearman(std::span<const double> x, std::span<const double> y) {
  if (auto ok = check(x, y); !ok) return std::move(ok).error();
  const std::vector<double> rx = mid_ranks(x);
  const std::vector<double> ry = mid_ranks(y);
  return correlate(rx, ry);
}

}  // namespace balint::stats
