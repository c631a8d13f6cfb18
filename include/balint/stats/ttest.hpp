#pragma once

#include "balint/core/result.hpp"
#include "balint/stats/results.hpp"

#include <span>

namespace balint::stats {

/// Student's t with pooled variance, as R's t.test(x, y, var.equal = TRUE).
/// invalid_input when a group is empty, when n_x + n_y < 3, when a value is not finite, or when
/// the standard deviation is 0 in both groups (R: "data are essentially constant").
core::result<t_result> student_t(std::span<const double> x, std::span<const double> y);

/// Welch's t (Satterthwaite df), as R's t.test(x, y). invalid_input when a group has fewer
/// than 2 values, a value is not finite, or the standard deviation is 0 in both groups.
core::result<t_result> welch_t(std::span<const double> x, std::span<const double> y);

/// Paired t on post - pre (df = n - 1), as R's t.test(post, pre, paired = TRUE).
/// invalid_input when the lengths differ, there are fewer than 2 pairs, a value is not finite,
/// or every pair changes by the same amount (the SD of the differences is 0).
core::result<t_result> paired_t(std::span<const double> post, std::span<const double> pre);

}  // namespace balint::stats
