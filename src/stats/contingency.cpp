#include "balint/stats/contingency.hpp"

#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace balint::stats {

namespace {

core::result<void> check_counts(long a, long b, long c, long d) {
  if (a < 0 || b < 0 || c < 0 || d < 0) {
    return core::invalid_input("counts", "a count is negative; counts must be 0 or more");
  }
  return {};
}

}  // namespace

core::result<chi2_result> pearson_chi2_2x2(long a, long b, long c, long d) {
  if (auto ok = check_counts(a, b, c, d); !ok) return std::move(ok).error();
  const double r1 = static_cast<double>(a + b);
  const double r2 = static_cast<double>(c + d);
  const double c1 = static_cast<double>(a + c);
  const double c2 = static_cast<double>(b + d);
  if (r1 == 0 || r2 == 0 || c1 == 0 || c2 == 0) {
    return core::invalid_input(
        "counts",
        "a row or column total is 0, so an expected count is 0 and chi-square is undefined");
  }
  const double n = r1 + r2;
  // Sum over cells of (observed - expected)^2 / expected, as R does. In a 2x2 table every cell
  // has the same |observed - expected| = |ad - bc| / n.
  const double dev = std::fabs(static_cast<double>(a) * static_cast<double>(d) -
                               static_cast<double>(b) * static_cast<double>(c)) /
                     n;
  const double e11 = r1 * c1 / n;
  const double e12 = r1 * c2 / n;
  const double e21 = r2 * c1 / n;
  const double e22 = r2 * c2 / n;
  chi2_result r;
  r.chi2 = dev * dev * (1 / e11 + 1 / e12 + 1 / e21 + 1 / e22);
  r.df = 1;
  r.p = boost::math::cdf(boost::math::complement(boost::math::chi_squared(1.0), r.chi2));
  return r;
}

core::result<double> fisher_exact_2x2(long a, long b, long c, long d) {
  if (auto ok = check_counts(a, b, c, d); !ok) return std::move(ok).error();
  // R's names: m = first column total, n = second column total, k = first row total; the
  // observed a follows the hypergeometric distribution on [lo, hi].
  const long m = a + c;
  const long n = b + d;
  const long k = a + b;
  const long lo = std::max(0L, k - n);
  const long hi = std::min(k, m);
  if (hi <= lo) return 1.0;
  // Relative probabilities from the mode outwards by the ratio of successive terms,
  //   P(x + 1) / P(x) = (k - x)(m - x) / ((x + 1)(n - k + x + 1)),
  // which keeps full relative precision where lgamma differences would not.
  const std::size_t size = static_cast<std::size_t>(hi - lo + 1);
  std::vector<double> w(size, 0.0);
  const double md = static_cast<double>(m);
  const double nd = static_cast<double>(n);
  const double kd = static_cast<double>(k);
  long mode = static_cast<long>(std::floor((kd + 1) * (md + 1) / (md + nd + 2)));
  mode = std::clamp(mode, lo, hi);
  w[static_cast<std::size_t>(mode - lo)] = 1;
  for (long x = mode; x < hi; ++x) {
    const double xd = static_cast<double>(x);
    const double ratio = (kd - xd) * (md - xd) / ((xd + 1) * (nd - kd + xd + 1));
    w[static_cast<std::size_t>(x + 1 - lo)] = w[static_cast<std::size_t>(x - lo)] * ratio;
  }
  for (long x = mode; x > lo; --x) {
    const double xd = static_cast<double>(x - 1);
    const double ratio = (kd - xd) * (md - xd) / ((xd + 1) * (nd - kd + xd + 1));
    w[static_cast<std::size_t>(x - 1 - lo)] = w[static_cast<std::size_t>(x - lo)] / ratio;
  }
  double total = 0;
  for (double v : w) total += v;
  const double observed = w[static_cast<std::size_t>(a - lo)];
  // R: sum(d[d <= d[x - lo + 1] * (1 + 1e-7)]).
  const double limit = observed * (1 + 1e-7);
  double p = 0;
  for (double v : w) {
    if (v <= limit) p += v;
  }
  return std::min(1.0, p / total);
}

}  // namespace balint::stats
