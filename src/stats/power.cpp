#include "balint/stats/power.hpp"

#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/tools/roots.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace balint::stats {

namespace {

constexpr double alpha = 0.05;
constexpr double target = 0.8;
// pwr.t.test searches n in (2, 1e9); beyond that it fails, and so do we.
constexpr double max_n = 1e9;

/// Power of the two-sided two-sample t-test with n per group (n real, as pwr evaluates it):
/// P(T' > q) + P(T' < -q), T' noncentral t with 2(n - 1) df and ncp sqrt(n / 2) d.
double power_at(double n, double d) {
  const double df = 2 * (n - 1);
  const double q =
      boost::math::quantile(boost::math::complement(boost::math::students_t(df), alpha / 2));
  const boost::math::non_central_t dist(df, std::sqrt(n / 2) * d);
  return boost::math::cdf(boost::math::complement(dist, q)) + boost::math::cdf(dist, -q);
}

}  // namespace

core::result<long> n_per_arm_80(double d) {
  if (!std::isfinite(d)) {
    return core::invalid_input("d", "the effect size is not a finite number");
  }
  d = std::fabs(d);
  if (d == 0) {
    return core::invalid_input("d",
                               "no effect: any sample size gives only the 5% false-positive "
                               "rate, so no sample size reaches 80% power");
  }
  const double lo = 2;
  // 80% power needs no more than 2 per group: the smallest group a t-test allows.
  if (power_at(lo, d) >= target) return 2L;
  // Normal approximation 2 (z_.975 + z_.8)^2 / d^2 ~ 15.7 / d^2, then widen until bracketed.
  double hi = std::max(4.0, 2 * 16 / (d * d));
  const auto too_small = [] {
    return core::invalid_input("d",
                               "the effect is so small that more than 1e9 per group would be "
                               "needed for 80% power");
  };
  if (hi > max_n) hi = max_n;
  while (power_at(hi, d) < target) {
    if (hi >= max_n) return too_small();
    hi = std::min(2 * hi, max_n);
  }
  std::uintmax_t iterations = 200;
  const auto bracket =
      boost::math::tools::toms748_solve([d](double n) { return power_at(n, d) - target; }, lo, hi,
                                        boost::math::tools::eps_tolerance<double>(48), iterations);
  const double root = (bracket.first + bracket.second) / 2;
  // The ceiling of the root, confirmed at the integers either side (power rises with n).
  auto n = static_cast<long>(std::ceil(root));
  if (n > 2 && power_at(static_cast<double>(n - 1), d) >= target) --n;
  if (power_at(static_cast<double>(n), d) < target) ++n;
  return n;
}

}  // namespace balint::stats
