#include "balint/stats/ttest.hpp"

#include "balint/stats/descriptive.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace balint::stats {

namespace {

constexpr double eps = std::numeric_limits<double>::epsilon();

/// t, p and the 95% CI from a difference, its standard error and df.
t_result finish(double diff, double se, double df) {
  const boost::math::students_t dist(df);
  t_result r;
  r.diff = diff;
  r.df = df;
  r.t = diff / se;
  r.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(r.t))));
  const double q = boost::math::quantile(boost::math::complement(dist, 0.025));
  r.ci.low = diff - q * se;
  r.ci.high = diff + q * se;
  return r;
}

std::string count(std::size_t n) { return std::to_string(n); }

/// The sizes and means of two groups whose values are all finite.
struct two_groups {
  double nx, ny, mx, my;
};

core::result<two_groups> describe(std::span<const double> x, std::span<const double> y) {
  if (!detail::all_finite(x) || !detail::all_finite(y)) {
    return core::invalid_input("values", "a value is not a finite number");
  }
  return two_groups{static_cast<double>(x.size()), static_cast<double>(y.size()), detail::mean(x),
                    detail::mean(y)};
}

/// t of the two groups' difference with standard error `se` and `df`; refused when `se` is 0 for
/// the data (R's criterion for "data are essentially constant").
core::result<t_result> difference_t(const two_groups& g, double se, double df) {
  if (se <= 10 * eps * std::max(std::fabs(g.mx), std::fabs(g.my))) {
    return core::invalid_input("values",
                               "the standard deviation is 0 in both groups, so t is undefined");
  }
  return finish(g.mx - g.my, se, df);
}

}  // namespace

core::result<t_result> student_t(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || y.empty()) {
    return core::invalid_input("values", std::string("the ") + (x.empty() ? "first" : "second") +
                                             " group has no values, so t is undefined");
  }
  if (x.size() + y.size() < 3) {
    return core::invalid_input(
        "values",
        "there are only 2 values in all, so the pooled variance has no degrees of freedom");
  }
  const auto g = describe(x, y);
  if (!g) return g.error();
  const double df = g->nx + g->ny - 2;
  const double pooled = (detail::sum_sq_dev(x, g->mx) + detail::sum_sq_dev(y, g->my)) / df;
  return difference_t(*g, std::sqrt(pooled * (1 / g->nx + 1 / g->ny)), df);
}

core::result<t_result> welch_t(std::span<const double> x, std::span<const double> y) {
  if (x.size() < 2 || y.size() < 2) {
    const bool first = x.size() < 2;
    return core::invalid_input("values", std::string("the ") + (first ? "first" : "second") +
                                             " group has " + count(first ? x.size() : y.size()) +
                                             " value(s); Welch's t needs at least 2 in each group");
  }
  const auto g = describe(x, y);
  if (!g) return g.error();
  const double vx = detail::sum_sq_dev(x, g->mx) / (g->nx - 1) / g->nx;
  const double vy = detail::sum_sq_dev(y, g->my) / (g->ny - 1) / g->ny;
  const double df = (vx + vy) * (vx + vy) / (vx * vx / (g->nx - 1) + vy * vy / (g->ny - 1));
  return difference_t(*g, std::sqrt(vx + vy), df);
}

core::result<t_result> paired_t(std::span<const double> post, std::span<const double> pre) {
  if (post.size() != pre.size()) {
    return core::invalid_input("values", "there are " + count(post.size()) + " later values but " +
                                             count(pre.size()) + " earlier ones; pairs need both");
  }
  if (post.size() < 2) {
    return core::invalid_input("values", "there are " + count(post.size()) +
                                             " pair(s); the paired t-test needs at least 2");
  }
  if (!detail::all_finite(post) || !detail::all_finite(pre)) {
    return core::invalid_input("values", "a value is not a finite number");
  }
  std::vector<double> d(post.size());
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = post[i] - pre[i];
  const double n = static_cast<double>(d.size());
  const double m = detail::mean(d);
  const double se = std::sqrt(detail::sum_sq_dev(d, m) / (n - 1) / n);
  if (se <= 10 * eps * std::fabs(m)) {
    return core::invalid_input(
        "values",
        "every pair changes by the same amount (the standard deviation of the differences is 0), "
        "so t is undefined");
  }
  return finish(m, se, n - 1);
}

}  // namespace balint::stats
