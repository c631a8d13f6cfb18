#pragma once

#include "balint/core/json.hpp"
#include "balint/reproduction/published.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::reproduction {

/// The JSON spelling is the enumerator's name.
enum class verdict { consistent, inconsistent, unchecked };
std::string_view to_string(verdict v);

/// A closed interval [lo, hi]: the values a printed number can stand for.
struct interval {
  double lo = 0;
  double hi = 0;
  bool overlaps(const interval& o) const { return lo <= o.hi && o.lo <= hi; }
  bool contains(double x) const { return lo <= x && x <= hi; }
};

/// value ± half a unit of the last printed digit, widened by a relative 1e-9 for binary noise.
interval rounding_interval(double value, int decimals);

/// GRIM (Brown & Heathers 2016): the integer sums S with S / n inside the rounding interval of
/// a mean printed with `decimals` digits. Empty means no n integer scores have that mean.
std::vector<long> grim_sums(double mean, int decimals, int n);

/// GRIMMER (Anaya 2016; Allard's formulation): whether n integer scores can have this mean
/// and SD at their printed precision: some GRIM sum S and an integer sum of squares Q with
/// Q == S (mod 2) and (Q - S^2/n)/(n-1) inside the squared SD interval.
bool grimmer(double mean, int mean_decimals, double sd, int sd_decimals, int n);

/// Two-sided p of a t statistic with df degrees of freedom.
double t_p_value(double t, double df);
/// Upper-tail p of a chi-square statistic.
double chi2_p_value(double x, double df);

/// t from summary statistics (group 1 minus group 2).
double student_t(double m1, double s1, int n1, double m2, double s2, int n2);
double welch_t(double m1, double s1, int n1, double m2, double s2, int n2);
double welch_df(double s1, int n1, double s2, int n2);
/// Paired t from the mean and SD of the within-person differences.
double paired_t(double mean_diff, double sd_diff, int n);

/// Pearson chi-square of an r x c table of counts; `corrected` applies Yates' continuity
/// correction (2 x 2 only, as R's chisq.test). nullopt when a margin is 0.
std::optional<double> pearson_chi2(const std::vector<std::vector<long>>& table, bool corrected);

/// One check on one cell. `reason` is a full sentence for a reader of the paper.
struct check_result {
  std::string check;  ///< grim, grimmer, t, p, chi2, sign, label, percent, ...
  reproduction::verdict verdict = verdict::unchecked;
  core::json recomputed;
  std::string reason;
};

struct cell_audit {
  std::string id;
  std::string printed;
  reproduction::verdict verdict = verdict::unchecked;
  std::vector<std::string> consistent_with;  ///< student, welch, paired, chi2, ...
  std::vector<check_result> checks;
};

struct audit_report {
  std::vector<cell_audit> cells;  ///< in the summary's order
};

/// Audits every cell of the summary against the others and the design. Pure.
audit_report audit(const summary& s);

/// {"cells": [{"id","printed","verdict","consistent_with","checks":[...]}],
///  "summary": {"cells","consistent","inconsistent","unchecked","by_kind":{CHECK:{...}}}}
core::json to_json(const audit_report& r);

/// The findings only: one sentence a line, for each inconsistent check.
std::string to_text(const audit_report& r);

}  // namespace balint::reproduction
