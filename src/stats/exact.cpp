// Exact two-sample permutation tests (difference in means, Wilcoxon–Mann–Whitney) by the
// Streitberg–Röhmel shift algorithm, and their seeded Monte Carlo versions.
//
// The shift algorithm. Scores are integers (coin's rule), shifted so the smallest is 0 and divided
// by the gcd of the shifted scores (an affine change, so the two-sided p is unchanged), sorted
// ascending: u_1 <= ... <= u_N. The smaller group has m members. After j scores,
// P_j(k, s) = P(the sum of a random k-subset of u_1..u_j is s), and
//   P_j(k, s) = (k/j) P_{j-1}(k-1, s - u_j) + ((j-k)/j) P_{j-1}(k, s),
// the count recursion H_j(k,s) = H_{j-1}(k-1, s-u_j) + H_{j-1}(k, s) divided by C(j, k). So every
// number is a probability in [0, 1] and nothing overflows (coin keeps counts in doubles and fails
// once C(N, m) exceeds 1e308, from 515 per arm). Only rows k in [m - (N - j), min(j, m)] are kept,
// and each row k holds only the sums s with P_j(k,s) · w(j,k) >= 1e-300, where
// w(j,k) = C(j,k) C(N-j,m-k) / C(N,m) is the weight with which that row reaches the final
// distribution; the mass dropped is at most 1e-300 per cell update, far below any p reported.
//
// Cost: sum over j of sum over kept k of the width of row k, at most N · m · (m · R) / 4 cell
// updates for N scores with range R = max u (R ≈ score range for raw scores, ≈ N for rank
// scores), and memory of one step's rows (≈ m² R / 4 doubles). exact_limits::max_work bounds the
// first, estimated before any work is done.
#include "balint/stats/exact.hpp"

#include <boost/random/mersenne_twister.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace balint::stats {

namespace {

constexpr double sqrt_eps = 1.490116119384765625e-8;  // coin's sqrt_eps
constexpr double tiny = 1e-300;

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::optional<core::error> check(std::span<const double> x, std::span<const double> y,
                                 const exact_limits& limits) {
  if (x.empty() || y.empty()) {
    return core::invalid_input("values",
                               std::string("the ") + (x.empty() ? "first" : "second") +
                                   " group has no values, so the exact test is undefined");
  }
  for (auto v : {x, y}) {
    for (double d : v) {
      if (!std::isfinite(d)) return core::invalid_input("values", "a value is not a finite number");
    }
  }
  const std::size_t larger = std::max(x.size(), y.size());
  if (larger > limits.max_per_arm) {
    return core::invalid_input("values", "a group has " + std::to_string(larger) +
                                             " values, above the exact-test limit of " +
                                             std::to_string(limits.max_per_arm) +
                                             " per arm; use the Monte Carlo p");
  }
  return std::nullopt;
}

/// coin's is_integer: the smallest factor f of 1, 2, 10, ..., 1e5 with |round(x f) - x f| < 1.49e-8
/// for every score; the scores times f, rounded.
std::optional<std::vector<std::int64_t>> integer_scores(const std::vector<double>& v) {
  for (double f : {1.0, 2.0, 10.0, 100.0, 1000.0, 1e4, 1e5}) {
    bool ok = true;
    for (double d : v) {
      const double s = d * f;
      if (!(std::fabs(std::round(s) - s) < sqrt_eps) || std::fabs(s) > 1e15) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    std::vector<std::int64_t> out;
    out.reserve(v.size());
    for (double d : v) out.push_back(static_cast<std::int64_t>(std::llround(d * f)));
    return out;
  }
  return std::nullopt;
}

std::vector<double> pooled(std::span<const double> x, std::span<const double> y) {
  std::vector<double> v(x.begin(), x.end());
  v.insert(v.end(), y.begin(), y.end());
  return v;
}

/// Mid-ranks of the pooled sample times 2 (the first and last position of a tie, summed).
std::vector<std::int64_t> midranks2(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<std::int64_t> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = static_cast<std::int64_t>(i + 1 + j + 1);
    i = j + 1;
  }
  return r;
}

std::vector<double> log_factorials(std::size_t n) {
  std::vector<double> lf(n + 1, 0.0);
  for (std::size_t i = 2; i <= n; ++i) lf[i] = lf[i - 1] + std::log(static_cast<double>(i));
  return lf;
}

/// One row of the shift table: P(k-subset sum = lo + i - a) in v[i] for i >= a.
struct row {
  std::vector<double> v;
  std::size_t a = 0;
  std::int64_t lo = 0;
  bool empty() const { return a >= v.size(); }
  std::int64_t size() const { return static_cast<std::int64_t>(v.size() - a); }
  void clear() {
    v.clear();
    a = 0;
  }
};

/// The estimated cell updates of the shift algorithm on sorted scores (rows at full width).
double estimated_work(const std::vector<std::int64_t>& u, std::size_t m, double stop) {
  const std::size_t n = u.size();
  std::vector<std::int64_t> prefix(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + u[i];
  double work = 0;
  for (std::size_t j = 1; j <= n; ++j) {
    const std::size_t kmax = std::min(j, m);
    const std::size_t kmin = m + j > n ? m + j - n : 1;
    for (std::size_t k = std::max<std::size_t>(kmin, 1); k <= kmax; ++k) {
      work += static_cast<double>(prefix[j] - prefix[j - k] - prefix[k] + 1);
    }
    if (work > stop) return work;
  }
  return work;
}

/// Two-sided exact p of the sum of the scores of the first nx values of `s`.
core::result<double> shift_p(std::vector<std::int64_t> s, std::size_t nx,
                             const exact_limits& limits, const char* what) {
  const std::size_t n = s.size();
  const bool first = nx <= n - nx;
  const std::size_t m = first ? nx : n - nx;
  const std::int64_t smin = *std::min_element(s.begin(), s.end());
  std::int64_t g = 0;
  for (auto& v : s) {
    v -= smin;
    g = std::gcd(g, v);
  }
  if (g == 0) {
    return core::invalid_input("values", std::string("every value is the same, so the ") + what +
                                             " statistic has variance 0 and no p-value");
  }
  std::int64_t obs = 0;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    s[i] /= g;
    total += s[i];
    if ((i < nx) == first) obs += s[i];
  }
  if (static_cast<double>(total) * static_cast<double>(n) > 4e18) {
    return core::invalid_input("values", "the integer scores are too large for the exact test");
  }
  std::sort(s.begin(), s.end());
  const double work = estimated_work(s, m, limits.max_work);
  if (work > limits.max_work) {
    return core::invalid_input(
        "values",
        std::string("the exact ") + what + " test would need about " + num(work) +
            " cell updates, above the exact-test work limit of " + num(limits.max_work) +
            " (a cell update takes about 0.5 ns in a Release build; the analysis allows " +
            num(analysis_max_work) +
            ", about 20 ms per test; the scores spread too widely for this many "
            "values); use the Monte Carlo p");
  }
  const auto nn = static_cast<std::int64_t>(n);
  const auto mm = static_cast<std::int64_t>(m);
  const std::int64_t d_obs = std::llabs(nn * obs - mm * total);
  if (d_obs == 0) return 1.0;

  const std::vector<double> lf = log_factorials(n);
  const auto lchoose = [&](std::size_t a, std::size_t b) { return lf[a] - lf[b] - lf[a - b]; };
  const double l_all = lchoose(n, m);

  std::vector<row> rows(m + 1);
  rows[0].v.assign(1, 1.0);
  std::size_t freed = 0;
  for (std::size_t j = 1; j <= n; ++j) {
    const std::int64_t u = s[j - 1];
    const std::size_t kmax = std::min(j, m);
    const std::size_t kmin = std::max<std::size_t>(m + j > n ? m + j - n : 1, 1);
    const double dj = static_cast<double>(j);
    for (std::size_t k = kmax; k >= kmin; --k) {
      row& dst = rows[k];
      const row& src = rows[k - 1];
      const double wa = static_cast<double>(k) / dj;
      const double wb = static_cast<double>(j - k) / dj;
      if (src.empty()) {
        if (!dst.empty()) {
          for (std::size_t i = dst.a; i < dst.v.size(); ++i) dst.v[i] *= wb;
        }
      } else if (dst.empty()) {
        dst.v.assign(src.v.begin() + static_cast<std::ptrdiff_t>(src.a), src.v.end());
        for (double& p : dst.v) p *= wa;
        dst.a = 0;
        dst.lo = src.lo + u;
      } else {
        for (std::size_t i = dst.a; i < dst.v.size(); ++i) dst.v[i] *= wb;
        const std::int64_t slo = src.lo + u;
        if (slo < dst.lo) {  // prepend room (rare: only after trimming)
          const auto need = static_cast<std::size_t>(dst.lo - slo);
          if (dst.a >= need) {
            dst.a -= need;
          } else {
            dst.v.insert(dst.v.begin(), need - dst.a, 0.0);
            dst.a = 0;
          }
          dst.lo = slo;
        }
        const std::int64_t shi = slo + src.size();
        const std::int64_t dhi = dst.lo + dst.size();
        if (shi > dhi) dst.v.resize(dst.v.size() + static_cast<std::size_t>(shi - dhi), 0.0);
        double* out = dst.v.data() + dst.a + static_cast<std::size_t>(slo - dst.lo);
        const double* in = src.v.data() + src.a;
        const auto len = static_cast<std::size_t>(src.size());
        for (std::size_t i = 0; i < len; ++i) out[i] += wa * in[i];
      }
      // Trim the edges whose weight in the final distribution is below 1e-300.
      if (!dst.empty()) {
        const double lw = lchoose(j, k) + lchoose(n - j, m - k) - l_all;
        const double thr = lw < -600 ? 2.0 : tiny / std::exp(lw);
        while (dst.a < dst.v.size() && dst.v[dst.a] < thr) {
          ++dst.a;
          ++dst.lo;
        }
        while (!dst.empty() && dst.v.back() < thr) dst.v.pop_back();
        if (dst.empty()) {
          dst.clear();
        } else if (dst.a > 4096 && dst.a > dst.v.size() / 2) {
          dst.v.erase(dst.v.begin(), dst.v.begin() + static_cast<std::ptrdiff_t>(dst.a));
          dst.a = 0;
        }
      }
    }
    // Rows that can no longer reach m members are done with.
    while (m + j > n && freed < m + j - n) {
      rows[freed].clear();
      rows[freed].v.shrink_to_fit();
      ++freed;
    }
  }
  const row& last = rows[m];
  double lower = 0;
  double upper = 0;
  for (std::size_t i = last.a; i < last.v.size(); ++i) {
    const std::int64_t sum = last.lo + static_cast<std::int64_t>(i - last.a);
    if (nn * sum - mm * total <= -d_obs) lower += last.v[i];
  }
  for (std::size_t i = last.v.size(); i-- > last.a;) {
    const std::int64_t sum = last.lo + static_cast<std::int64_t>(i - last.a);
    if (nn * sum - mm * total >= d_obs) upper += last.v[i];
  }
  return std::min(1.0, lower + upper);
}

/// One statistic of the Monte Carlo: the sum of a score over the first group, a score per
/// distinct value.
struct mc_statistic {
  std::vector<double> score;  // per distinct value
  double expect = 0;
  double cut = 0;
  bool degenerate = false;  // variance 0 or observed = expected: p = 1
  std::size_t hits = 0;
};

/// Two-sided set-up of one statistic from the distinct values' counts.
void mc_prepare(mc_statistic& st, const std::vector<std::size_t>& count,
                const std::vector<std::size_t>& count_x, std::size_t n, std::size_t nx) {
  double mean = 0;
  for (std::size_t i = 0; i < count.size(); ++i) {
    mean += static_cast<double>(count[i]) * st.score[i];
  }
  mean /= static_cast<double>(n);
  double ss = 0;
  double obs = 0;
  for (std::size_t i = 0; i < count.size(); ++i) {
    const double d = st.score[i] - mean;
    ss += static_cast<double>(count[i]) * d * d;
    obs += static_cast<double>(count_x[i]) * st.score[i];
  }
  const double dm = static_cast<double>(nx);
  const double dn = static_cast<double>(n);
  const double var = ss * dm * (dn - dm) / (dn * (dn - 1));
  st.expect = dm * mean;
  const double d_obs = std::fabs(obs - st.expect);
  st.degenerate = !(var > 0) || d_obs == 0;
  st.cut = d_obs - sqrt_eps * std::sqrt(var);
}

/// Hypergeometric variates from a table of log-factorials: inversion from the mode for small
/// variances, Stadlober's ratio-of-uniforms (HRUA, as in NumPy) for large ones. Exact samplers
/// (HRUA cuts the support 16 standard deviations beyond the mean, a mass below 1e-50).
class hypergeometric {
 public:
  hypergeometric(const std::vector<double>& lf, boost::random::mt19937& gen) : lf_(lf), gen_(gen) {}

  /// Successes among `draws` taken from `pop` items of which `good` are successes.
  std::size_t operator()(std::size_t good, std::size_t pop, std::size_t draws) {
    const std::size_t bad = pop - good;
    const std::size_t lo = draws > bad ? draws - bad : 0;
    const std::size_t hi = std::min(draws, good);
    if (lo == hi) return lo;
    const double dp = static_cast<double>(pop);
    const double var = static_cast<double>(draws) * static_cast<double>(good) / dp *
                       static_cast<double>(bad) / dp * static_cast<double>(pop - draws) / (dp - 1);
    return var < 16 ? inversion(good, bad, draws, lo, hi) : hrua(good, bad, draws);
  }

 private:
  const std::vector<double>& lf_;
  boost::random::mt19937& gen_;

  /// Uniform in (0, 1) from one 32-bit draw.
  double uniform() { return (static_cast<double>(gen_()) + 0.5) * (1.0 / 4294967296.0); }

  std::size_t inversion(std::size_t good, std::size_t bad, std::size_t draws, std::size_t lo,
                        std::size_t hi) {
    const std::size_t pop = good + bad;
    auto mode =
        static_cast<std::size_t>(static_cast<double>(draws + 1) * static_cast<double>(good + 1) /
                                 static_cast<double>(pop + 2));
    mode = std::clamp(mode, lo, hi);
    const double pm =
        std::exp(lf_[good] - lf_[mode] - lf_[good - mode] + lf_[bad] - lf_[draws - mode] -
                 lf_[bad - (draws - mode)] - lf_[pop] + lf_[draws] + lf_[pop - draws]);
    double u = uniform() - pm;
    if (u <= 0) return mode;
    double pu = pm;
    double pd = pm;
    std::size_t xu = mode;
    std::size_t xd = mode;
    const auto dg = static_cast<double>(good);
    const auto dr = static_cast<double>(draws);
    const auto db = static_cast<double>(bad);
    while (xu < hi || xd > lo) {
      if (xu < hi) {
        const auto x = static_cast<double>(xu);
        pu *= (dg - x) * (dr - x) / ((x + 1) * (db - dr + x + 1));
        ++xu;
        u -= pu;
        if (u <= 0) return xu;
      }
      if (xd > lo) {
        const auto x = static_cast<double>(xd);
        pd *= x * (db - dr + x) / ((dg - x + 1) * (dr - x + 1));
        --xd;
        u -= pd;
        if (u <= 0) return xd;
      }
    }
    return mode;  // rounding left u a hair above 0
  }

  std::size_t hrua(std::size_t good, std::size_t bad, std::size_t sample) {
    constexpr double d1 = 1.7155277699214135;  // 2 sqrt(2/e)
    constexpr double d2 = 0.8989161620588988;  // 3 - 2 sqrt(3/e)
    const std::size_t pop = good + bad;
    const std::size_t n = std::min(sample, pop - sample);
    const std::size_t mn = std::min(good, bad);
    const std::size_t mx = std::max(good, bad);
    const double dpop = static_cast<double>(pop);
    const double p = static_cast<double>(mn) / dpop;
    const double q = static_cast<double>(mx) / dpop;
    const double a = static_cast<double>(n) * p + 0.5;
    const double c =
        std::sqrt(static_cast<double>(pop - n) * static_cast<double>(n) * p * q / (dpop - 1) + 0.5);
    const double h = d1 * c + d2;
    const auto mode = static_cast<std::size_t>(
        std::floor(static_cast<double>(n + 1) * static_cast<double>(mn + 1) / (dpop + 2)));
    const double g = lf_[mode] + lf_[mn - mode] + lf_[n - mode] + lf_[mx - n + mode];
    const double b = std::min(static_cast<double>(std::min(n, mn) + 1), std::floor(a + 16 * c));
    std::size_t k = 0;
    while (true) {
      const double u = uniform();
      const double v = uniform();
      const double x = a + h * (v - 0.5) / u;
      if (x < 0.0 || x >= b) continue;
      k = static_cast<std::size_t>(x);
      const double t = g - (lf_[k] + lf_[mn - k] + lf_[n - k] + lf_[mx - n + k]);
      if (u * (4.0 - u) - 3.0 <= t) break;  // fast acceptance
      if (u * (u - t) >= 1) continue;       // fast rejection
      if (2.0 * std::log(u) <= t) break;
    }
    if (good > bad) k = n - k;
    if (n < sample) k = good - k;
    return k;
  }
};

/// Distinct values of `v` (ascending), how often each occurs, and how often in the first nx.
void distinct_counts(const std::vector<double>& v, std::size_t nx, std::vector<double>& value,
                     std::vector<std::size_t>& count, std::vector<std::size_t>& count_x) {
  const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
  const double lo = *lo_it;
  const double hi = *hi_it;
  const bool integers =
      hi - lo <= 4.0 * static_cast<double>(v.size()) + 1024 &&
      std::all_of(v.begin(), v.end(), [](double d) { return d == std::floor(d); });
  if (integers) {  // counting sort: whole-number scores in a small range (the usual case)
    const auto width = static_cast<std::size_t>(hi - lo) + 1;
    std::vector<std::size_t> all(width, 0);
    std::vector<std::size_t> first(width, 0);
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto k = static_cast<std::size_t>(v[i] - lo);
      ++all[k];
      if (i < nx) ++first[k];
    }
    for (std::size_t k = 0; k < width; ++k) {
      if (all[k] == 0) continue;
      value.push_back(lo + static_cast<double>(k));
      count.push_back(all[k]);
      count_x.push_back(first[k]);
    }
    return;
  }
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (double d : sorted) {
    if (value.empty() || d != value.back()) {
      value.push_back(d);
      count.push_back(1);
    } else {
      ++count.back();
    }
  }
  count_x.assign(value.size(), 0);
  for (std::size_t i = 0; i < nx; ++i) {
    const auto it = std::lower_bound(value.begin(), value.end(), v[i]);
    ++count_x[static_cast<std::size_t>(it - value.begin())];
  }
}

/// Monte Carlo p of the difference in means and of the Wilcoxon rank sum for the first nx of
/// `v`, both from the same resamples.
monte_carlo_pair monte_carlo(const std::vector<double>& v, std::size_t nx, std::uint32_t seed,
                             std::size_t resamples) {
  monte_carlo_pair out;
  for (auto* r : {&out.permutation, &out.wilcoxon}) {
    r->seed = seed;
    r->resamples = resamples;
  }
  const std::size_t n = v.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto fail = [&] {
    out.permutation.p = out.permutation.standard_error = nan;
    out.wilcoxon.p = out.wilcoxon.standard_error = nan;
    return out;
  };
  if (nx == 0 || nx == n || resamples == 0) return fail();
  for (double d : v) {
    if (!std::isfinite(d)) return fail();
  }
  std::vector<double> value;
  std::vector<std::size_t> count;
  std::vector<std::size_t> count_x;
  distinct_counts(v, nx, value, count, count_x);
  std::array<mc_statistic, 2> st;
  st[0].score = value;
  st[1].score.reserve(value.size());
  std::size_t below = 0;
  for (std::size_t c : count) {  // mid-ranks times 2: first + last position of the tie
    st[1].score.push_back(static_cast<double>(2 * below + c + 1));
    below += c;
  }
  for (auto& s : st) mc_prepare(s, count, count_x, n, nx);

  if (!st[0].degenerate || !st[1].degenerate) {
    const std::vector<double> lf = log_factorials(n);
    boost::random::mt19937 gen(seed);
    hypergeometric hyper(lf, gen);
    const std::size_t d = value.size();
    const double* s0 = st[0].score.data();
    const double* s1 = st[1].score.data();
    for (std::size_t b = 0; b < resamples; ++b) {
      std::size_t left = nx;
      std::size_t pop = n;
      double sum0 = 0;
      double sum1 = 0;
      for (std::size_t i = 0; i < d && left > 0; ++i) {
        const std::size_t a = hyper(count[i], pop, left);
        sum0 += static_cast<double>(a) * s0[i];
        sum1 += static_cast<double>(a) * s1[i];
        left -= a;
        pop -= count[i];
      }
      if (std::fabs(sum0 - st[0].expect) >= st[0].cut) ++st[0].hits;
      if (std::fabs(sum1 - st[1].expect) >= st[1].cut) ++st[1].hits;
    }
  }
  const double dr = static_cast<double>(resamples);
  for (std::size_t i = 0; i < 2; ++i) {
    monte_carlo_p& r = i == 0 ? out.permutation : out.wilcoxon;
    if (st[i].degenerate) {
      r.p = 1;
      r.standard_error = 0;
    } else {
      r.p = static_cast<double>(st[i].hits) / dr;
      r.standard_error = std::sqrt(r.p * (1 - r.p) / dr);
    }
  }
  return out;
}

}  // namespace

core::result<double> exact_permutation_p(std::span<const double> x, std::span<const double> y,
                                         const exact_limits& limits) {
  if (auto e = check(x, y, limits)) return *e;
  auto scores = integer_scores(pooled(x, y));
  if (!scores) {
    return core::invalid_input(
        "values",
        "the exact permutation test needs values that are whole numbers after "
        "multiplying by 1, 2, 10, 100, 1000, 10000 or 100000");
  }
  return shift_p(std::move(*scores), x.size(), limits, "permutation");
}

core::result<double> exact_wilcoxon_p(std::span<const double> x, std::span<const double> y,
                                      const exact_limits& limits) {
  if (auto e = check(x, y, limits)) return *e;
  return shift_p(midranks2(pooled(x, y)), x.size(), limits, "Wilcoxon");
}

monte_carlo_pair monte_carlo_p_both(std::span<const double> x, std::span<const double> y,
                                    std::uint32_t seed, std::size_t resamples) {
  return monte_carlo(pooled(x, y), x.size(), seed, resamples);
}

monte_carlo_p monte_carlo_permutation_p(std::span<const double> x, std::span<const double> y,
                                        std::uint32_t seed, std::size_t resamples) {
  return monte_carlo_p_both(x, y, seed, resamples).permutation;
}

monte_carlo_p monte_carlo_wilcoxon_p(std::span<const double> x, std::span<const double> y,
                                     std::uint32_t seed, std::size_t resamples) {
  return monte_carlo_p_both(x, y, seed, resamples).wilcoxon;
}

}  // namespace balint::stats
