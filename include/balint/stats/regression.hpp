#pragma once

#include "balint/core/result.hpp"
#include "balint/stats/results.hpp"

#include <span>

namespace balint::stats {

/// OLS post ~ group + pre; group[i] is 1 for the first group and 0 for the second, so diff is
/// first minus second (R: lm(post ~ arm + pre) with the second group as reference level).
/// invalid_input when the lengths differ, a group value is not 0 or 1, a value is not finite,
/// there are fewer than 4 rows, a group is empty, the covariate is constant (or determined by
/// the group), or the model fits exactly (residual variance 0).
core::result<ancova_result> ancova(std::span<const double> post, std::span<const double> pre,
                                   std::span<const int> group);

}  // namespace balint::stats
