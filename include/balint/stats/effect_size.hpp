#pragma once

#include "balint/core/result.hpp"
#include "balint/stats/results.hpp"

#include <span>

namespace balint::stats {

/// Cohen's d = (mean(x) - mean(y)) / pooled SD, pooled SD = sqrt(((nx-1)sx² +
/// (ny-1)sy²)/(nx+ny-2)), with the 95% CI from the noncentral t distribution: t = d / sqrt(1/nx +
/// 1/ny), df = nx+ny-2, ncp bounds with P(T_df,ncp <= t) = 0.975 and 0.025 found by root finding,
/// each scaled by sqrt(1/nx + 1/ny). As R's effectsize::cohens_d(x, y) (pooled_sd = TRUE, ci =
/// 0.95). invalid_input when a group is empty, nx + ny < 3, a value is not finite or the pooled SD
/// is 0 (R: "non-finite value supplied by optim").
core::result<effect_size> cohens_d(std::span<const double> x, std::span<const double> y);

/// Hedges' g = J · d and its CI = J · (CI of d), with the exact small-sample correction
/// J = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)), df = nx+ny-2, as R's effectsize::hedges_g(x, y)
/// (effectsize >= 0.8). Same errors as cohens_d.
core::result<effect_size> hedges_g(std::span<const double> x, std::span<const double> y);

}  // namespace balint::stats
