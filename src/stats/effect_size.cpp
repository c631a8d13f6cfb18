#include "balint/stats/effect_size.hpp"

#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/tools/roots.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace balint::stats {

namespace {

bool finite(std::span<const double> v) {
  for (double x : v) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

/// Mean and sum of squared deviations by the two-pass algorithm.
std::pair<double, double> mean_ss(std::span<const double> v) {
  double sum = 0;
  for (double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double ss = 0;
  double corr = 0;
  for (double x : v) {
    ss += (x - mean) * (x - mean);
    corr += x - mean;
  }
  ss -= corr * corr / static_cast<double>(v.size());
  return {mean, ss};
}

/// The noncentrality parameter ncp with P(T_{df,ncp} <= t) = prob (decreasing in ncp).
double ncp_for(double t, double df, double prob) {
  const auto f = [&](double ncp) {
    return boost::math::cdf(boost::math::non_central_t(df, ncp), t) - prob;
  };
  // Bracket: the cdf falls from 1 to 0 as ncp grows; step outward from t.
  double step = 2.0 + std::fabs(t) * 0.5;
  double lo = t - step;
  double hi = t + step;
  for (int i = 0; i < 200 && f(lo) < 0; ++i) {
    step *= 2;
    lo -= step;
  }
  step = 2.0 + std::fabs(t) * 0.5;
  for (int i = 0; i < 200 && f(hi) > 0; ++i) {
    step *= 2;
    hi += step;
  }
  std::uintmax_t iterations = 200;
  const auto r = boost::math::tools::toms748_solve(
      f, lo, hi, boost::math::tools::eps_tolerance<double>(std::numeric_limits<double>::digits - 3),
      iterations);
  return (r.first + r.second) / 2;
}

core::result<effect_size> d_with_ci(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || y.empty()) {
    return core::invalid_input("values",
                               std::string("the ") + (x.empty() ? "first" : "second") +
                                   " group has no values, so the effect size is undefined");
  }
  if (x.size() + y.size() < 3) {
    return core::invalid_input(
        "values", "there are only 2 values in all, so the pooled SD has no degrees of freedom");
  }
  if (!finite(x) || !finite(y))
    return core::invalid_input("values", "a value is not a finite number");
  const double nx = static_cast<double>(x.size());
  const double ny = static_cast<double>(y.size());
  const auto [mx, ssx] = mean_ss(x);
  const auto [my, ssy] = mean_ss(y);
  const double df = nx + ny - 2;
  const double sd = std::sqrt((ssx + ssy) / df);
  if (!(sd > 0)) {
    return core::invalid_input(
        "values",
        "every value within each group is the same, so the pooled SD is 0 and the "
        "standardized difference is undefined");
  }
  const double hn = 1 / nx + 1 / ny;
  const double diff = mx - my;
  effect_size r;
  r.value = diff / sd;
  const double t = diff / (sd * std::sqrt(hn));
  r.ci.low = ncp_for(t, df, 0.975) * std::sqrt(hn);
  r.ci.high = ncp_for(t, df, 0.025) * std::sqrt(hn);
  return r;
}

}  // namespace

core::result<effect_size> cohens_d(std::span<const double> x, std::span<const double> y) {
  return d_with_ci(x, y);
}

core::result<effect_size> hedges_g(std::span<const double> x, std::span<const double> y) {
  auto d = d_with_ci(x, y);
  if (!d) return d;
  const double df = static_cast<double>(x.size() + y.size()) - 2;
  // J = exp(lgamma(df/2) - log(sqrt(df/2)) - lgamma((df-1)/2)), as effectsize's hedges_g.
  const double j =
      std::exp(std::lgamma(df / 2) - std::log(std::sqrt(df / 2)) - std::lgamma((df - 1) / 2));
  effect_size g = d.value();
  g.value *= j;
  g.ci.low *= j;
  g.ci.high *= j;
  return g;
}

}  // namespace balint::stats
