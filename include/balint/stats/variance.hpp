#pragma once

#include "balint/core/result.hpp"
#include "balint/stats/results.hpp"

#include <span>

namespace balint::stats {

/// Levene's test of equal variances in two groups: one-way ANOVA on |value - group centre|,
/// the centre being the group mean (car::leveneTest(center = mean)) or the group median
/// (center = median, the Brown-Forsythe test; car's default). invalid_input when a group has
/// fewer than 2 values, a value is not finite, or the absolute deviations do not vary within
/// the groups (F would be infinite, e.g. with 2 values per group).
core::result<f_result> levene(std::span<const double> x, std::span<const double> y,
                              bool median_centre);

}  // namespace balint::stats
