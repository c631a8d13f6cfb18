#include "balint/stats/regression.hpp"

#include "balint/stats/descriptive.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace balint::stats {

core::result<ancova_result> ancova(std::span<const double> post, std::span<const double> pre,
                                   std::span<const int> group) {
  if (post.size() != pre.size() || post.size() != group.size()) {
    return core::invalid_input("values",
                               "the outcome, covariate and group columns have different lengths");
  }
  std::size_t first = 0;
  for (int g : group) {
    if (g != 0 && g != 1) {
      return core::invalid_input("group", "a group value is " + std::to_string(g) +
                                              "; it must be 1 (first group) or 0 (second)");
    }
    first += static_cast<std::size_t>(g);
  }
  if (first == 0 || first == group.size()) {
    return core::invalid_input("group",
                               std::string("the ") + (first == 0 ? "first" : "second") +
                                   " group has no rows, so no difference can be estimated");
  }
  if (post.size() < 4) {
    return core::invalid_input(
        "values", "there are " + std::to_string(post.size()) +
                      " rows; a model with intercept, group and covariate needs at least 4");
  }
  if (!detail::all_finite(post) || !detail::all_finite(pre)) {
    return core::invalid_input("values", "a value is not a finite number");
  }

  // Closed-form OLS on centred columns: the intercept drops out and the 2x2 normal equations
  //   [Sgg Sgp; Sgp Spp] [b_group; b_pre] = [Sgy; Spy]
  // remain; centring keeps the digits of a covariate like 1e8 + N(0, 1).
  const std::size_t n = post.size();
  std::vector<double> g(n);
  for (std::size_t i = 0; i < n; ++i) g[i] = group[i];
  const double mg = detail::mean(g);
  const double mp = detail::mean(pre);
  const double my = detail::mean(post);
  double sgg = 0, spp = 0, sgp = 0, sgy = 0, spy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dg = g[i] - mg;
    const double dp = pre[i] - mp;
    const double dy = post[i] - my;
    sgg += dg * dg;
    spp += dp * dp;
    sgp += dg * dp;
    sgy += dg * dy;
    spy += dp * dy;
  }
  const double det = sgg * spp - sgp * sgp;
  // det / (sgg spp) = 1 - r^2 between group and covariate: 0 when the covariate is constant or
  // fully determined by the group.
  if (!(spp > 0) || det <= 1e-12 * sgg * spp) {
    return core::invalid_input(
        "covariate",
        "the covariate is constant (or determined by the group), so its effect cannot be "
        "separated from the intercept and the adjusted difference is undefined");
  }
  const double b_group = (spp * sgy - sgp * spy) / det;
  const double b_pre = (sgg * spy - sgp * sgy) / det;
  // Residuals computed directly (not as Syy - b'Sxy, which cancels badly for good fits).
  double rss = 0;
  double yy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dy = post[i] - my;
    const double e = dy - b_group * (g[i] - mg) - b_pre * (pre[i] - mp);
    rss += e * e;
    yy += post[i] * post[i];
  }
  const double df = static_cast<double>(n) - 3;
  const double s2 = rss / df;
  // An exact fit (e.g. every change identical within each group) leaves only rounding in the
  // residuals: the standard error would be ~1e-16 and t meaningless.
  if (s2 <= 1e-26 * (yy / static_cast<double>(n))) {
    return core::invalid_input(
        "values",
        "the model fits the outcome exactly (residual variance 0), so the standard error is "
        "undefined");
  }
  ancova_result r;
  r.diff = b_group;
  r.se = std::sqrt(s2 * spp / det);
  r.df = df;
  r.t = r.diff / r.se;
  const boost::math::students_t dist(df);
  r.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(r.t))));
  const double q = boost::math::quantile(boost::math::complement(dist, 0.025));
  r.ci.low = r.diff - q * r.se;
  r.ci.high = r.diff + q * r.se;
  return r;
}

}  // namespace balint::stats
