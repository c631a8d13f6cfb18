// Exact permutation and Wilcoxon p-values, Cohen's d and Hedges' g against R (coin 1.4, effectsize
// 0.8): tests/data/r/stats_exact.json, made by tests/data/r/stats_exact.R.
#include "balint/stats/exact.hpp"

#include "balint/core/json.hpp"
#include "balint/stats/effect_size.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace balint;
using namespace balint::stats;

namespace {

constexpr double tight = 1e-9;  // d and g
constexpr double loose = 1e-6;  // p-values and confidence limits

const core::json& exact_fixture() {
  static const core::json data = [] {
    std::ifstream in(std::string(BALINT_SOURCE_DIR) + "/tests/data/r/stats_exact.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = core::parse_json(ss.str());
    REQUIRE(parsed.has_value());
    return parsed.value();
  }();
  return data;
}

std::vector<double> numbers(const core::json& a) {
  std::vector<double> v;
  for (const auto& e : a.as_array()) v.push_back(e.as_double());
  return v;
}

double rel(double got, double want) {
  return std::fabs(got - want) / std::max(std::fabs(want), 1e-300);
}

double largest_rel = 0;

void close(double got, double want, double tol, const std::string& what) {
  const double r = rel(got, want);
  largest_rel = std::max(largest_rel, tol == loose ? r : 0.0);
  INFO(what << ": got " << got << ", R " << want << ", relative " << r);
  CHECK(r <= tol);
}

/// Confidence limits of d and g: effectsize finds the ncp with optim(abstol = 1e-9) on the
/// probability, so its limits are off the true root by up to ~1e-7 in d units (we solve to full
/// precision); relative 1e-6, or absolute 1e-7 for a limit near 0.
void close_ci(double got, double want, const std::string& what) {
  const double r = rel(got, want);
  largest_rel = std::max(largest_rel, r);
  INFO(what << ": got " << got << ", R " << want << ", relative " << r);
  CHECK((r <= loose || std::fabs(got - want) <= 1e-7));
}

/// Two-sided p of the normal approximation of the permutation distribution of sum(x).
double normal_p(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> all = x;
  all.insert(all.end(), y.begin(), y.end());
  double mean = 0;
  for (double v : all) mean += v;
  mean /= static_cast<double>(all.size());
  double ss = 0;
  for (double v : all) ss += (v - mean) * (v - mean);
  const double n = static_cast<double>(all.size());
  const double m = static_cast<double>(x.size());
  double s = 0;
  for (double v : x) s += v;
  const double z = (s - m * mean) / std::sqrt(ss * m * (n - m) / (n * (n - 1)));
  return 2 * boost::math::cdf(boost::math::normal(), -std::fabs(z));
}

/// Tongji-like change scores (post - pre of a 0-54 subscale), `per_arm` per arm.
void mbi_like(std::size_t per_arm, int shift, std::uint32_t seed, std::vector<double>& x,
              std::vector<double>& y) {
  boost::random::mt19937 gen(seed);
  boost::random::uniform_int_distribution<int> change(-12, 8);
  x.clear();
  y.clear();
  for (std::size_t i = 0; i < per_arm; ++i) x.push_back(change(gen) + shift);
  for (std::size_t i = 0; i < per_arm; ++i) y.push_back(change(gen));
}

}  // namespace

TEST_SUITE("stats") {
  TEST_CASE("exact: every fixture value agrees with coin and effectsize") {
    const auto& cases = exact_fixture().find("cases")->as_array();
    REQUIRE(cases.size() >= 10);
    for (const auto& c : cases) {
      const std::string name = c.find("name")->as_string();
      CAPTURE(name);
      const auto x = numbers(*c.find("x"));
      const auto y = numbers(*c.find("y"));
      // coin's p, or its refusal (the fixture then names the error), for both tests.
      const auto check_p = [&](const core::result<double>& ours, const std::string& key,
                               const std::string& what) {
        if (const auto* p = c.find(key + "_p"); p && !p->is_null()) {
          REQUIRE(ours.has_value());
          close(*ours, p->as_double(), loose, name + " " + what + " p");
        } else {
          CHECK(c.find(key + "_error") != nullptr);
          CHECK_FALSE(ours.has_value());
        }
      };
      check_p(exact_permutation_p(x, y), "exact_permutation", "permutation");
      check_p(exact_wilcoxon_p(x, y), "exact_wilcoxon", "Wilcoxon");
      const auto d = cohens_d(x, y);
      const auto g = hedges_g(x, y);
      if (const auto* want = c.find("cohens_d")) {
        REQUIRE(d.has_value());
        REQUIRE(g.has_value());
        close(d->value, want->find("value")->as_double(), tight, name + " d");
        close_ci(d->ci.low, want->find("ci_low")->as_double(), name + " d ci_low");
        close_ci(d->ci.high, want->find("ci_high")->as_double(), name + " d ci_high");
        const auto* wg = c.find("hedges_g");
        close(g->value, wg->find("value")->as_double(), tight, name + " g");
        close_ci(g->ci.low, wg->find("ci_low")->as_double(), name + " g ci_low");
        close_ci(g->ci.high, wg->find("ci_high")->as_double(), name + " g ci_high");
      } else if (c.find("effect_size_error") != nullptr) {
        CHECK_FALSE(d.has_value());
        CHECK_FALSE(g.has_value());
      }
    }
    MESSAGE("largest relative difference from R in p-values and CIs: " << largest_rel);
  }

  TEST_CASE("exact: small and degenerate samples") {
    // n = 2 per arm: C(4, 2) = 6 allocations, {1,2} vs {3,5} is one of the 2 most extreme.
    const std::vector<double> a{1, 2};
    const std::vector<double> b{3, 5};
    CHECK(*exact_permutation_p(a, b) == doctest::Approx(1.0 / 3).epsilon(1e-12));
    CHECK(*exact_wilcoxon_p(a, b) == doctest::Approx(1.0 / 3).epsilon(1e-12));
    // Equal means: p = 1 exactly.
    CHECK(*exact_permutation_p(std::vector<double>{1, 3}, std::vector<double>{3, 1}) == 1.0);
    // Every value the same: coin fails (variance 0), so do we, saying why.
    const std::vector<double> c{3, 3, 3};
    const auto r = exact_permutation_p(c, c);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("variance 0") != std::string::npos);
    CHECK_FALSE(exact_wilcoxon_p(c, c).has_value());
    CHECK_FALSE(cohens_d(c, c).has_value());
    CHECK_FALSE(hedges_g(c, std::vector<double>{4, 4, 4}).has_value());
    // Empty arm, non-finite value.
    CHECK_FALSE(exact_permutation_p(std::vector<double>{}, b).has_value());
    CHECK_FALSE(exact_wilcoxon_p(a, std::vector<double>{}).has_value());
    CHECK_FALSE(cohens_d(std::vector<double>{}, b).has_value());
    CHECK_FALSE(exact_permutation_p(a, std::vector<double>{1, NAN}).has_value());
    CHECK_FALSE(cohens_d(std::vector<double>{1}, std::vector<double>{2}).has_value());
    // Scores that are not integers after scaling by up to 10^5 (coin would use another method).
    const auto frac =
        exact_permutation_p(std::vector<double>{0.1234567, 0.5}, std::vector<double>{0.25, 0.75});
    REQUIRE_FALSE(frac.has_value());
    CHECK(frac.error().message.find("whole numbers") != std::string::npos);
    // ... but the Wilcoxon test only needs their ranks.
    CHECK(exact_wilcoxon_p(std::vector<double>{0.1234567, 0.5}, std::vector<double>{0.25, 0.75})
              .has_value());
  }

  TEST_CASE("exact: the size limits are errors that name the limit") {
    const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const std::vector<double> y{2, 3, 4};
    exact_limits lim;
    lim.max_per_arm = 10;
    const auto r = exact_permutation_p(x, y, lim);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == core::error_code::invalid_input);
    CHECK(r.error().message.find("limit of 10 per arm") != std::string::npos);
    CHECK_FALSE(exact_wilcoxon_p(x, y, lim).has_value());
    CHECK(exact_permutation_p(x, y).has_value());  // default limit: 5000 per arm
    exact_limits work;
    work.max_work = 10;
    const auto w = exact_wilcoxon_p(x, y, work);
    REQUIRE_FALSE(w.has_value());
    CHECK(w.error().message.find("work limit of 10") != std::string::npos);
    // The default limit stops an exact Wilcoxon at 600 per arm (rank scores span 1..1200).
    std::vector<double> bx;
    std::vector<double> by;
    mbi_like(600, -1, 7, bx, by);
    const auto big = exact_wilcoxon_p(bx, by);
    REQUIRE_FALSE(big.has_value());
    CHECK(big.error().message.find("work limit") != std::string::npos);
  }

  TEST_CASE("exact: Monte Carlo p is reproducible and within 4 standard errors of the exact p") {
    const auto& cases = exact_fixture().find("cases")->as_array();
    for (const auto& c : cases) {
      const std::string name = c.find("name")->as_string();
      if (name != "tongji_18_18" && name != "ties_10_10" && name != "mbi_50_50" &&
          name != "unbalanced_7_12")
        continue;
      CAPTURE(name);
      const auto x = numbers(*c.find("x"));
      const auto y = numbers(*c.find("y"));
      for (int which = 0; which < 2; ++which) {
        const double exact =
            c.find(which == 0 ? "exact_permutation_p" : "exact_wilcoxon_p")->as_double();
        const auto mc = which == 0 ? monte_carlo_permutation_p(x, y, 20201012u)
                                   : monte_carlo_wilcoxon_p(x, y, 20201012u);
        CHECK(mc.resamples == 100000);
        CHECK(mc.seed == 20201012u);
        const double se = std::sqrt(exact * (1 - exact) / 100000.0);
        CHECK(std::fabs(mc.p - exact) <= 4 * se + 1e-12);
        CHECK(mc.standard_error == doctest::Approx(std::sqrt(mc.p * (1 - mc.p) / 1e5)));
        const auto again = which == 0 ? monte_carlo_permutation_p(x, y, 20201012u)
                                      : monte_carlo_wilcoxon_p(x, y, 20201012u);
        CHECK(again.p == mc.p);
      }
    }
    // Degenerate inputs are values, not crashes.
    const std::vector<double> c{3, 3, 3};
    CHECK(monte_carlo_permutation_p(c, c, 1).p == 1.0);
    CHECK(std::isnan(monte_carlo_wilcoxon_p(std::vector<double>{}, c, 1).p));
  }

  TEST_CASE("exact: 600 per arm, beyond coin (which fails from 515 per arm)") {
    std::vector<double> x;
    std::vector<double> y;
    mbi_like(600, -1, 11, x, y);
    const auto p = exact_permutation_p(x, y);
    REQUIRE(p.has_value());
    const auto mc = monte_carlo_permutation_p(x, y, 5u);
    const double se = std::sqrt(*p * (1 - *p) / 100000.0);
    INFO("exact " << *p << ", Monte Carlo " << mc.p << ", normal " << normal_p(x, y));
    CHECK(*p > 1e-6);
    CHECK(*p < 0.5);
    CHECK(std::fabs(mc.p - *p) <= 4 * se);
    CHECK(std::fabs(normal_p(x, y) - *p) <= 0.05 * *p);
    const auto w = monte_carlo_wilcoxon_p(x, y, 5u);
    CHECK(w.p > 0);
    CHECK(w.p < 1);
  }
}
