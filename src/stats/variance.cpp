#include "balint/stats/variance.hpp"

#include "balint/stats/descriptive.hpp"

#include <boost/math/distributions/fisher_f.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace balint::stats {

core::result<f_result> levene(std::span<const double> x, std::span<const double> y,
                              bool median_centre) {
  if (x.size() < 2 || y.size() < 2) {
    return core::invalid_input("values",
                               std::string("the ") + (x.size() < 2 ? "first" : "second") +
                                   " group has fewer than 2 values; Levene's test needs 2 in each");
  }
  if (!detail::all_finite(x) || !detail::all_finite(y)) {
    return core::invalid_input("values", "a value is not a finite number");
  }
  const auto deviations = [&](std::span<const double> v) {
    const double centre =
        median_centre ? median(std::vector<double>(v.begin(), v.end())) : detail::mean(v);
    std::vector<double> z(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) z[i] = std::fabs(v[i] - centre);
    return z;
  };
  const std::vector<double> zx = deviations(x);
  const std::vector<double> zy = deviations(y);
  const double nx = static_cast<double>(zx.size());
  const double ny = static_cast<double>(zy.size());
  const double mx = detail::mean(zx);
  const double my = detail::mean(zy);
  const double within = detail::sum_sq_dev(zx, mx) + detail::sum_sq_dev(zy, my);
  double total_sq = 0;
  for (double v : zx) total_sq += v * v;
  for (double v : zy) total_sq += v * v;
  // With 2 values per group (or constant data) both deviations in a group are equal: the
  // within-group spread is 0 and F is infinite. Rounding can leave ~1e-30 (R's lm then reports
  // F ~ 1e30), so compare against the scale of the deviations.
  if (within <= 1e-26 * total_sq) {
    return core::invalid_input(
        "values",
        "the absolute deviations from the group centre do not vary within the groups, so F is "
        "undefined");
  }
  // Between-group sum of squares for two groups: nx ny / (nx + ny) (mx - my)^2.
  const double between = nx * ny / (nx + ny) * (mx - my) * (mx - my);
  f_result r;
  r.df1 = 1;
  r.df2 = nx + ny - 2;
  r.F = between / (within / r.df2);
  r.p = boost::math::cdf(boost::math::complement(boost::math::fisher_f(r.df1, r.df2), r.F));
  return r;
}

}  // namespace balint::stats
