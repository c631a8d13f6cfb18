#pragma once

#include "balint/analysis/data_set.hpp"
#include "balint/core/json.hpp"
#include "balint/core/result.hpp"
#include "balint/stats/contingency.hpp"
#include "balint/stats/correlation.hpp"
#include "balint/stats/effect_size.hpp"
#include "balint/stats/exact.hpp"
#include "balint/stats/regression.hpp"
#include "balint/stats/ttest.hpp"
#include "balint/stats/variance.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace balint::analysis {

/// A statistic that may be undefined: a value, or the reason why there is none (e.g. "the
/// waitlist arm has only 1 value"). Serialized as the value, or as null with a sibling
/// "<key>_error" string.
template <class T>
struct estimate {
  std::optional<T> value;
  std::string error;

  bool has_value() const noexcept { return value.has_value(); }
  static estimate of(core::result<T> r) {
    if (r) return {std::move(r).value(), {}};
    return {std::nullopt, r.error().message};
  }
  static estimate fail(std::string why) { return {std::nullopt, std::move(why)}; }
};

/// Who counts as a case for one outcome: score >= cutoff (at_least) or score <= cutoff.
struct caseness_rule {
  std::string outcome;  ///< the id of one of the data set's outcomes
  double cutoff = 0;
  bool at_least = true;
};

/// What analyze() needs beyond the data.
struct analysis_options {
  /// MBI-HSS caseness (the instrument definition's cut-offs; these are the Tongji values).
  std::vector<caseness_rule> caseness{{"ee", 27, true}, {"dp", 10, true}, {"pa", 33, false}};
  /// Exact permutation and Wilcoxon p are computed up to this many participants per arm;
  /// beyond it the exact p is null with an error naming the limit and a Monte Carlo p is given.
  std::size_t exact_max_per_arm = stats::exact_limits{}.max_per_arm;
  /// Work limit of each exact test (stats::exact_limits::max_work): by default
  /// stats::analysis_max_work, about 20 ms per test in a Release build; beyond it the exact p is
  /// null with an error naming the limit and the Monte Carlo p is given.
  double exact_max_work = stats::analysis_max_work;
  /// Seed and size of the Monte Carlo resampling used beyond the exact limit.
  std::uint32_t monte_carlo_seed = 20161012;
  std::size_t monte_carlo_resamples = 100000;
};

/// n, mean and SD of one variable in one arm (mean undefined for n = 0, SD for n < 2).
struct descriptive {
  std::size_t n = 0;
  estimate<double> mean;
  estimate<double> sd;
};

/// An exact p-value, and the Monte Carlo p given instead when the arms exceed the exact limit.
struct exact_p {
  estimate<double> p;
  std::optional<stats::monte_carlo_p> monte_carlo;
};

/// Cases and non-missing n of one arm at one time point.
struct case_count {
  std::size_t cases = 0;
  std::size_t n = 0;
};

struct caseness_result {
  caseness_rule rule;
  std::array<case_count, 2> pre{};   ///< per arm (data set order)
  std::array<case_count, 2> post{};  ///< per arm
};

/// Everything about one outcome. Arrays indexed by arm: [0] intervention, [1] comparator.
struct outcome_result {
  std::string id;
  /// The outcome's label in tables (the trial's, or for a wide CSV the Tongji one or the id).
  std::string label;
  std::array<descriptive, 2> pre, post, change;
  estimate<stats::t_result> baseline_student, baseline_welch;
  std::array<estimate<stats::t_result>, 2> paired;
  estimate<stats::t_result> change_student, change_welch;
  estimate<stats::f_result> levene_mean, levene_median;
  estimate<stats::effect_size> hedges_g;
  /// post ~ arm + pre on the rows with both scores; ancova_n is their number.
  estimate<stats::ancova_result> ancova;
  std::size_t ancova_n = 0;
  exact_p exact_permutation, exact_wilcoxon;
  std::optional<caseness_result> caseness;
  /// Cohen's d of the change scores and the n per arm for 80% power at alpha 0.05.
  estimate<double> power_d;
  estimate<long> n_per_arm_80;
  /// sessions_attended vs change in the intervention arm; dose_n pairs.
  estimate<stats::correlation_result> pearson, spearman;
  std::size_t dose_n = 0;
  /// Complete (pre, post) pairs per arm, in data order: for the report's spaghetti plots.
  std::array<std::vector<std::pair<double, double>>, 2> pairs;
};

struct gender_count {
  std::size_t male = 0;
  std::size_t female = 0;
};

/// The whole end-of-trial analysis of one population.
struct analysis_result {
  std::string population;
  std::array<std::string, 2> arms;
  std::array<std::size_t, 2> n{};
  std::size_t not_randomized = 0;
  std::size_t excluded_per_protocol = 0;
  std::size_t excluded_outside_window = 0;
  std::array<descriptive, 2> age;
  estimate<stats::t_result> age_student, age_welch;
  std::array<gender_count, 2> gender{};
  estimate<stats::chi2_result> gender_chi2;
  estimate<double> fisher_p;
  std::vector<outcome_result> outcomes;  ///< the data set's order
  analysis_options options;
};

/// Runs every analysis of DESIGN.md's JSON contract. Each test uses the rows complete for it.
/// invalid_input (field "arm") when an arm has no participant: there is nothing to compare.
core::result<analysis_result> analyze(const data_set& data, const analysis_options& options = {});

/// DESIGN.md's `analyze --format json` object: keys exactly as there, numbers unrounded; an
/// undefined statistic is null with a sibling "<key>_error" string. Additions: "not_randomized",
/// "excluded_per_protocol" and "excluded_outside_window" (counts), "n" in ancova and dose_response,
/// and "monte_carlo_permutation_p" / "monte_carlo_wilcoxon_p" beyond the exact limit.
core::json to_json(const analysis_result& result);

}  // namespace balint::analysis
