#pragma once

// What the tests of balint::stats return, in one place: every estimate with a confidence
// interval holds the same `interval`, and every test gives its statistic, df and p by the
// names the papers print.

namespace balint::stats {

/// A 95% confidence interval.
struct interval {
  double low = 0;
  double high = 0;
};

/// A two-sided t-test of a difference in means with its 95% confidence interval.
/// diff = mean(x) - mean(y) (paired: mean(post - pre)); p = 2 P(T_df > |t|).
struct t_result {
  double t = 0;
  double df = 0;
  double p = 0;
  double diff = 0;
  interval ci;
};

/// A standardized mean difference with its 95% confidence interval.
struct effect_size {
  double value = 0;
  interval ci;
};

/// An F test: statistic, numerator and denominator df, upper-tail p.
struct f_result {
  double F = 0;
  double df1 = 0;
  double df2 = 0;
  double p = 0;
};

/// The group coefficient of an analysis of covariance: difference between groups adjusted for
/// the covariate, with its standard error, 95% CI, t, residual df (n - 3) and two-sided p.
struct ancova_result {
  double diff = 0;
  double se = 0;
  interval ci;
  double t = 0;
  double df = 0;
  double p = 0;
};

/// Pearson's chi-square test of independence.
struct chi2_result {
  double chi2 = 0;
  double df = 0;
  double p = 0;
};

}  // namespace balint::stats
