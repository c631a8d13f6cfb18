#pragma once

#include "balint/core/result.hpp"

namespace balint::stats {

/// Sample size per group for 80% power of a two-sided two-sample t-test at alpha 0.05 for the
/// standardized difference |d|: the ceiling of R's
/// pwr::pwr.t.test(d = d, power = 0.8, sig.level = 0.05, type = "two.sample")$n, found as the
/// root of the noncentral-t power function. invalid_input when d is 0 ("no effect: any sample
/// size"), not finite, or so small that the sample size exceeds 1e9 per group (where pwr.t.test
/// fails too). An effect so large that 2 per group already give 80% power returns 2 (pwr.t.test
/// fails: its search starts at 2).
core::result<long> n_per_arm_80(double d);

}  // namespace balint::stats
