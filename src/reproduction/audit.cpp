#include "balint/reproduction/audit.hpp"

#include "balint/core/names.hpp"
#include "balint/stats/contingency.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

namespace balint::reproduction {

namespace {

constexpr std::array<core::enum_name<verdict>, 3> verdict_names{
    {{verdict::consistent, "consistent"},
     {verdict::inconsistent, "inconsistent"},
     {verdict::unchecked, "unchecked"}}};

}  // namespace

std::string_view to_string(verdict v) {
  return core::name_of<verdict>(verdict_names, v, "unchecked");
}

interval rounding_interval(double value, int decimals) {
  const double h = 0.5 * std::pow(10.0, -decimals);
  const double eps = 1e-9 * (1 + std::fabs(value));
  return {value - h - eps, value + h + eps};
}

std::vector<long> grim_sums(double mean, int decimals, int n) {
  const interval r = rounding_interval(mean, decimals);
  std::vector<long> out;
  for (long s = static_cast<long>(std::ceil(r.lo * n));
       s <= static_cast<long>(std::floor(r.hi * n)); ++s) {
    if (r.contains(static_cast<double>(s) / n)) out.push_back(s);
  }
  return out;
}

bool grimmer(double mean, int mean_decimals, double sd, int sd_decimals, int n) {
  if (n < 2) return false;
  const interval s = rounding_interval(sd, sd_decimals);
  const double lo_sd = std::max(0.0, s.lo);
  for (long sum : grim_sums(mean, mean_decimals, n)) {
    const double base = static_cast<double>(sum) * static_cast<double>(sum) / n;
    const double q_lo = (n - 1) * lo_sd * lo_sd + base;
    const double q_hi = (n - 1) * s.hi * s.hi + base;
    for (long q = static_cast<long>(std::ceil(q_lo - 1e-9));
         q <= static_cast<long>(std::floor(q_hi + 1e-9)); ++q) {
      // x^2 and x have the same parity, so the sum of squares and the sum do too.
      if (((q - sum) % 2 + 2) % 2 == 0) return true;
    }
  }
  return false;
}

double t_p_value(double t, double df) {
  boost::math::students_t dist(df);
  return 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(t)));
}

double chi2_p_value(double x, double df) {
  if (x <= 0) return 1.0;
  boost::math::chi_squared dist(df);
  return boost::math::cdf(boost::math::complement(dist, x));
}

double student_t(double m1, double s1, int n1, double m2, double s2, int n2) {
  const double sp2 = ((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (n1 + n2 - 2);
  return (m1 - m2) / std::sqrt(sp2 * (1.0 / n1 + 1.0 / n2));
}

double welch_t(double m1, double s1, int n1, double m2, double s2, int n2) {
  return (m1 - m2) / std::sqrt(s1 * s1 / n1 + s2 * s2 / n2);
}

double welch_df(double s1, int n1, double s2, int n2) {
  const double v1 = s1 * s1 / n1;
  const double v2 = s2 * s2 / n2;
  return (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
}

double paired_t(double mean_diff, double sd_diff, int n) {
  return mean_diff / (sd_diff / std::sqrt(static_cast<double>(n)));
}

std::optional<double> pearson_chi2(const std::vector<std::vector<long>>& table, bool corrected) {
  const std::size_t r = table.size();
  if (r == 0) return std::nullopt;
  const std::size_t c = table[0].size();
  std::vector<double> rows(r, 0), cols(c, 0);
  double total = 0;
  for (std::size_t i = 0; i < r; ++i) {
    for (std::size_t j = 0; j < c; ++j) {
      rows[i] += static_cast<double>(table[i][j]);
      cols[j] += static_cast<double>(table[i][j]);
      total += static_cast<double>(table[i][j]);
    }
  }
  for (double v : rows)
    if (v == 0) return std::nullopt;
  for (double v : cols)
    if (v == 0) return std::nullopt;
  const bool yates = corrected && r == 2 && c == 2;
  double x = 0;
  for (std::size_t i = 0; i < r; ++i) {
    for (std::size_t j = 0; j < c; ++j) {
      const double e = rows[i] * cols[j] / total;
      double d = std::fabs(static_cast<double>(table[i][j]) - e);
      // As R: the correction never exceeds |O - E|.
      if (yates) d = std::max(0.0, d - 0.5);
      x += d * d / e;
    }
  }
  return x;
}

namespace {

using key = std::tuple<std::string, std::string, std::string, std::string>;

std::string fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s == "-0" || s.rfind("-0.", 0) == 0) {
    bool all_zero =
        std::all_of(s.begin() + 1, s.end(), [](char ch) { return ch == '0' || ch == '.'; });
    if (all_zero) s.erase(0, 1);
  }
  return s;
}

core::json pair_json(const interval& i) { return core::json::array{i.lo, i.hi}; }

std::string where(const cell& c) {
  if (c.source.rfind("Table", 0) == 0) return c.source;
  return "the " + c.source;
}

std::string variable_name(const summary& s, const std::string& v) {
  if (auto it = s.design.instruments.find(v);
      it != s.design.instruments.end() && it->second.items > 1 && v.size() <= 3) {
    std::string up = v;
    for (char& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return up;
  }
  std::string out = v;
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string arm_phrase(const std::string& arm) {
  if (arm == "intervention") return "the intervention group's";
  if (arm == "control") return "the control group's";
  if (arm == "all") return "all participants'";
  return "the";
}

std::string time_phrase(const std::string& tp) {
  if (tp == "pre") return "pre ";
  if (tp == "post") return "post ";
  if (tp == "change") return "post-minus-pre change in ";
  if (tp == "baseline") return "baseline ";
  return "";
}

std::string describe(const summary& s, const cell& c) {
  return arm_phrase(c.arm) + " " + time_phrase(c.timepoint) + variable_name(s, c.variable);
}

std::string comparison_phrase(const summary& s, const cell& c) {
  const std::string v = variable_name(s, c.variable);
  if (c.arm == "intervention_vs_control") {
    return "the between-group comparison of " +
           (c.timepoint == "change" ? "the change in " + v
                                    : (c.timepoint.empty() ? v : time_phrase(c.timepoint) + v));
  }
  return "the " + std::string(c.arm == "control" ? "control" : "intervention") +
         " group's post-vs-pre comparison of " + v;
}

check_result make(std::string name, verdict v, core::json rec, std::string reason) {
  return {std::move(name), v, std::move(rec), std::move(reason)};
}

std::string stem(const std::string& id) {
  const auto dot = id.rfind('.');
  return dot == std::string::npos ? id : id.substr(0, dot);
}

/// What the audit needs from the summary, by (variable, arm, timepoint, stat).
class auditor {
 public:
  explicit auditor(const summary& s) : s_(s) {
    for (std::size_t i = 0; i < s.cells.size(); ++i) {
      const cell& c = s.cells[i];
      by_key_[key{c.variable, c.arm, c.timepoint, c.stat}].push_back(i);
    }
  }

  audit_report run() {
    audit_report r;
    r.cells.resize(s_.cells.size());
    for (std::size_t i = 0; i < s_.cells.size(); ++i) {
      r.cells[i].id = s_.cells[i].id;
      r.cells[i].printed = s_.cells[i].printed;
      audit_cell(s_.cells[i], r.cells[i]);
    }
    sign_conventions(r);
    counts_against_totals(r);
    cross_source(r);
    for (auto& a : r.cells) {
      bool any_ok = false, any_bad = false;
      for (const auto& ch : a.checks) {
        any_ok = any_ok || ch.verdict == verdict::consistent;
        any_bad = any_bad || ch.verdict == verdict::inconsistent;
      }
      a.verdict = any_bad  ? verdict::inconsistent
                  : any_ok ? verdict::consistent
                           : verdict::unchecked;
      std::sort(a.consistent_with.begin(), a.consistent_with.end());
      a.consistent_with.erase(std::unique(a.consistent_with.begin(), a.consistent_with.end()),
                              a.consistent_with.end());
    }
    return r;
  }

 private:
  /// The cell printed for this quantity, preferring a table over running text.
  const cell* find(const std::string& var, const std::string& arm, const std::string& tp,
                   const std::string& stat) const {
    auto it = by_key_.find(key{var, arm, tp, stat});
    if (it == by_key_.end()) return nullptr;
    for (std::size_t i : it->second) {
      if (!s_.cells[i].table.empty()) return &s_.cells[i];
    }
    return &s_.cells[it->second.front()];
  }

  bool is_score(const cell& c) const {
    return s_.design.instruments.count(c.variable) > 0 && s_.design.n_of(c.arm).has_value();
  }

  void audit_cell(const cell& c, cell_audit& a) {
    if (c.stat == "mean" && is_score(c)) mean_checks(c, a);
    if (c.stat == "sd" && is_score(c)) sd_checks(c, a);
    if (c.stat == "t") t_checks(c, a);
    if (c.stat == "p" && (c.test == "independent_t" || c.test == "student_t" ||
                          c.test == "welch_t" || c.test == "paired_t")) {
      p_t_checks(c, a);
    }
    if (c.stat == "chisq") chi2_checks(c, a);
    if (c.stat == "p" && (c.test == "chisq" || c.test == "fisher")) p_chi2_checks(c, a);
    if (c.stat == "t" || c.stat == "chisq") label_check(c, a);
    if (c.stat == "percent") percent_check(c, a);
    if (c.stat == "n") sample_size_check(c, a);
  }

  std::optional<std::pair<double, double>> scale_range(const cell& c) const {
    const instrument& ins = s_.design.instruments.at(c.variable);
    if (!ins.item_min) return std::nullopt;
    const double lo = ins.items * *ins.item_min;
    const double hi = ins.items * *ins.item_max;
    if (c.timepoint == "change") return std::make_pair(lo - hi, hi - lo);
    return std::make_pair(lo, hi);
  }

  void mean_checks(const cell& c, cell_audit& a) {
    const int n = *s_.design.n_of(c.arm);
    const auto sums = grim_sums(c.value, c.decimals, n);
    if (sums.empty()) {
      const double below = std::floor(c.value * n) / n;
      const double above = std::ceil(c.value * n) / n;
      a.checks.push_back(
          make("grim", verdict::inconsistent, core::json::array{below, above},
               where(c) + " gives " + describe(s_, c) + " as " + c.printed +
                   " with n = " + std::to_string(n) + "; no " + std::to_string(n) +
                   " integer scores have that mean (GRIM): the nearest possible means are " +
                   fmt(below, c.decimals + 2) + " and " + fmt(above, c.decimals + 2) + "."));
    } else {
      a.checks.push_back(make("grim", verdict::consistent, static_cast<double>(sums.front()) / n,
                              c.printed + " = " + std::to_string(sums.front()) + "/" +
                                  std::to_string(n) + " at printed precision."));
    }
    if (auto range = scale_range(c)) {
      const interval r = rounding_interval(c.value, c.decimals);
      const bool ok = r.hi >= range->first && r.lo <= range->second;
      a.checks.push_back(make("range", ok ? verdict::consistent : verdict::inconsistent,
                              core::json::array{range->first, range->second},
                              ok ? "inside the possible range " + fmt(range->first, 0) + " to " +
                                       fmt(range->second, 0) + "."
                                 : where(c) + " gives " + describe(s_, c) + " as " + c.printed +
                                       ", outside the possible range " + fmt(range->first, 0) +
                                       " to " + fmt(range->second, 0) + " of the scale."));
    }
    if (c.timepoint == "change") {
      const cell* pre = find(c.variable, c.arm, "pre", "mean");
      const cell* post = find(c.variable, c.arm, "post", "mean");
      if (pre && post) {
        const interval ipre = rounding_interval(pre->value, pre->decimals);
        const interval ipost = rounding_interval(post->value, post->decimals);
        const interval diff{ipost.lo - ipre.hi, ipost.hi - ipre.lo};
        const bool ok = diff.overlaps(rounding_interval(c.value, c.decimals));
        a.checks.push_back(
            make("change_mean", ok ? verdict::consistent : verdict::inconsistent, pair_json(diff),
                 ok ? "post minus pre mean (" + post->printed + " - " + pre->printed + ") agrees."
                    : where(c) + " gives " + describe(s_, c) + " as " + c.printed + ", but " +
                          where(*post) + "'s post mean " + post->printed + " minus pre mean " +
                          pre->printed + " is " + fmt(post->value - pre->value, c.decimals) + "."));
      }
    }
  }

  void sd_checks(const cell& c, cell_audit& a) {
    const int n = *s_.design.n_of(c.arm);
    const cell* m = find(c.variable, c.arm, c.timepoint, "mean");
    if (!m) {
      a.checks.push_back(
          make("grimmer", verdict::unchecked, nullptr, "no mean printed for this SD."));
      return;
    }
    if (grim_sums(m->value, m->decimals, n).empty()) {
      a.checks.push_back(make("grimmer", verdict::unchecked, nullptr,
                              "the mean " + m->printed + " already fails GRIM."));
    } else if (grimmer(m->value, m->decimals, c.value, c.decimals, n)) {
      a.checks.push_back(make("grimmer", verdict::consistent, nullptr,
                              "some " + std::to_string(n) + " integer scores have mean " +
                                  m->printed + " and SD " + c.printed + " (GRIMMER)."));
    } else {
      a.checks.push_back(make("grimmer", verdict::inconsistent, nullptr,
                              where(c) + " gives " + describe(s_, c) + " as " + m->printed + " ± " +
                                  c.printed + " with n = " + std::to_string(n) + "; no " +
                                  std::to_string(n) +
                                  " integer scores have that mean and that SD (GRIMMER)."));
    }
    if (auto range = scale_range(c); range && c.timepoint != "change") {
      // The largest SD bounded data can have: all scores at the two ends (Bhatia-Davis).
      const interval mi = rounding_interval(m->value, m->decimals);
      double best = 0;
      for (double mv :
           {mi.lo, mi.hi, std::clamp((range->first + range->second) / 2, mi.lo, mi.hi)}) {
        const double v = (mv - range->first) * (range->second - mv) * n / (n - 1.0);
        best = std::max(best, std::sqrt(std::max(0.0, v)));
      }
      const bool ok = rounding_interval(c.value, c.decimals).lo <= best;
      a.checks.push_back(make("range", ok ? verdict::consistent : verdict::inconsistent, best,
                              ok ? "below the largest SD the scale allows (" + fmt(best, 3) + ")."
                                 : where(c) + " gives " + describe(s_, c) + " an SD of " +
                                       c.printed + ", more than the " + fmt(best, 3) +
                                       " the scale's range allows with that mean."));
    }
    if (c.timepoint == "change") {
      const cell* pre = find(c.variable, c.arm, "pre", "sd");
      const cell* post = find(c.variable, c.arm, "post", "sd");
      if (pre && post) {
        const interval a1 = rounding_interval(pre->value, pre->decimals);
        const interval b1 = rounding_interval(post->value, post->decimals);
        const interval feasible{std::max({0.0, a1.lo - b1.hi, b1.lo - a1.hi}), a1.hi + b1.hi};
        const bool ok = feasible.overlaps(rounding_interval(c.value, c.decimals));
        const double r = (pre->value * pre->value + post->value * post->value - c.value * c.value) /
                         (2 * pre->value * post->value);
        a.checks.push_back(
            make("change_sd", ok ? verdict::consistent : verdict::inconsistent, r,
                 ok ? "implies a pre-post correlation of " + fmt(r, 3) + ", which is possible."
                    : where(c) + " gives " + describe(s_, c) + " an SD of " + c.printed +
                          ", impossible with pre and post SDs of " + pre->printed + " and " +
                          post->printed + " (it would need a correlation of " + fmt(r, 2) + ")."));
      }
    }
  }

  struct group_stats {
    interval m;
    interval s;
    int n;
    const cell* mean;
    const cell* sd;
  };

  std::optional<group_stats> group(const std::string& var, const std::string& arm,
                                   const std::string& tp) const {
    const cell* m = find(var, arm, tp, "mean");
    const cell* sd = find(var, arm, tp, "sd");
    auto n = s_.design.n_of(arm);
    if (!m || !sd || !n) return std::nullopt;
    return group_stats{rounding_interval(m->value, m->decimals),
                       rounding_interval(sd->value, sd->decimals), *n, m, sd};
  }

  /// |t| range of d / se over d in `d` and se in [se_lo, se_hi].
  static interval abs_t_range(interval d, double se_lo, double se_hi) {
    const double dmin = (d.lo <= 0 && d.hi >= 0) ? 0 : std::min(std::fabs(d.lo), std::fabs(d.hi));
    const double dmax = std::max(std::fabs(d.lo), std::fabs(d.hi));
    return {dmin / se_hi, dmax / se_lo};
  }

  struct test_range {
    std::string test;
    interval abs_t;
    interval df;
  };

  /// Candidate tests for a t or p cell with their |t| and df ranges, and the direction of the
  /// difference (nullopt when it cannot be told), and a description of the inputs.
  struct t_inputs {
    std::vector<test_range> tests;
    interval diff;
    std::string inputs;
  };

  std::optional<t_inputs> t_candidates(const cell& c) const {
    t_inputs out;
    if (c.test == "paired_t" && c.timepoint == "post_vs_pre") {
      auto n = s_.design.n_of(c.arm);
      const cell* sd = find(c.variable, c.arm, "change", "sd");
      if (!n || !sd) return std::nullopt;
      const cell* m = find(c.variable, c.arm, "change", "mean");
      auto pre = group(c.variable, c.arm, "pre");
      auto post = group(c.variable, c.arm, "post");
      interval d;
      if (m) {
        d = rounding_interval(m->value, m->decimals);
        if (pre && post) {
          d.lo = std::max(d.lo, post->m.lo - pre->m.hi);
          d.hi = std::min(d.hi, post->m.hi - pre->m.lo);
          if (d.lo > d.hi) d = rounding_interval(m->value, m->decimals);
        }
      } else if (pre && post) {
        d = {post->m.lo - pre->m.hi, post->m.hi - pre->m.lo};
      } else {
        return std::nullopt;
      }
      const interval s = rounding_interval(sd->value, sd->decimals);
      const double rn = std::sqrt(static_cast<double>(*n));
      out.tests.push_back({"paired", abs_t_range(d, s.lo / rn, s.hi / rn), {*n - 1.0, *n - 1.0}});
      out.diff = d;
      out.inputs = "the mean change " + (m ? m->printed : std::string("(post - pre)")) +
                   " with SD " + sd->printed + " (n = " + std::to_string(*n) + ")";
      return out;
    }
    if (c.arm != "intervention_vs_control") return std::nullopt;
    auto g1 = group(c.variable, "intervention", c.timepoint);
    auto g2 = group(c.variable, "control", c.timepoint);
    if (!g1 || !g2) return std::nullopt;
    const interval d{g1->m.lo - g2->m.hi, g1->m.hi - g2->m.lo};
    const double n1 = g1->n, n2 = g2->n;
    auto welch_se = [&](double s1, double s2) { return std::sqrt(s1 * s1 / n1 + s2 * s2 / n2); };
    auto student_se = [&](double s1, double s2) {
      return std::sqrt(((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (n1 + n2 - 2) *
                       (1 / n1 + 1 / n2));
    };
    double df_lo = 1e300, df_hi = 0;
    for (double s1 : {g1->s.lo, g1->s.hi}) {
      for (double s2 : {g2->s.lo, g2->s.hi}) {
        const double df = welch_df(s1, g1->n, s2, g2->n);
        df_lo = std::min(df_lo, df);
        df_hi = std::max(df_hi, df);
      }
    }
    if (c.test != "welch_t") {
      out.tests.push_back(
          {"student",
           abs_t_range(d, student_se(g1->s.lo, g2->s.lo), student_se(g1->s.hi, g2->s.hi)),
           {n1 + n2 - 2, n1 + n2 - 2}});
    }
    if (c.test != "student_t") {
      out.tests.push_back(
          {"welch",
           abs_t_range(d, welch_se(g1->s.lo, g2->s.lo), welch_se(g1->s.hi, g2->s.hi)),
           {df_lo, df_hi}});
    }
    out.diff = d;
    out.inputs = "the means and SDs " + g1->mean->printed + " ± " + g1->sd->printed + " and " +
                 g2->mean->printed + " ± " + g2->sd->printed + " (n = " + std::to_string(g1->n) +
                 " and " + std::to_string(g2->n) + ")";
    return out;
  }

  void t_checks(const cell& c, cell_audit& a) {
    auto in = t_candidates(c);
    if (!in) {
      a.checks.push_back(make("t", verdict::unchecked, nullptr,
                              "the summary statistics behind this t are not printed."));
      return;
    }
    const interval printed = rounding_interval(std::fabs(c.value), c.decimals);
    core::json rec = core::json::object{};
    std::vector<std::string> ok;
    interval all{1e300, 0};
    for (const auto& t : in->tests) {
      rec[t.test] = pair_json(t.abs_t);
      all.lo = std::min(all.lo, t.abs_t.lo);
      all.hi = std::max(all.hi, t.abs_t.hi);
      if (t.abs_t.overlaps(printed)) ok.push_back(t.test);
    }
    if (!ok.empty()) {
      for (const auto& t : ok) a.consistent_with.push_back(t);
      a.checks.push_back(
          make("t", verdict::consistent, rec,
               "|t| recomputed from " + in->inputs + " includes " + c.printed + "."));
    } else {
      a.checks.push_back(make(
          "t", verdict::inconsistent, rec,
          where(c) + " prints t = " + c.printed + " for " + comparison_phrase(s_, c) + ", but " +
              in->inputs + " give |t| between " + fmt(all.lo, 3) + " and " + fmt(all.hi, 3) +
              (in->tests.size() > 1 ? " (Student or Welch)." : " (" + in->tests[0].test + " t).")));
    }
    // The sign is judged after all cells are seen (sign_conventions).
    if (c.value != 0 && (in->diff.lo > 0 || in->diff.hi < 0)) {
      sign_.push_back({&c, &a, (c.value > 0) == (in->diff.lo > 0), c.test == "paired_t"});
    }
  }

  void p_t_checks(const cell& c, cell_audit& a) {
    auto in = t_candidates(c);
    const interval printed = rounding_interval(c.value, c.decimals);
    if (!in) {
      a.checks.push_back(make("p", verdict::unchecked, nullptr,
                              "the summary statistics behind this p are not printed."));
      return;
    }
    core::json rec = core::json::object{};
    std::vector<std::string> ok;
    interval all{1e300, 0};
    std::string df_text;
    for (const auto& t : in->tests) {
      double lo = 1, hi = 0;
      for (double df : {t.df.lo, t.df.hi}) {
        for (double tv : {t.abs_t.lo, t.abs_t.hi}) {
          const double p = t_p_value(tv, df);
          lo = std::min(lo, p);
          hi = std::max(hi, p);
        }
      }
      rec[t.test] = core::json::array{lo, hi};
      all.lo = std::min(all.lo, lo);
      all.hi = std::max(all.hi, hi);
      if (interval{lo, hi}.overlaps(printed)) ok.push_back(t.test);
      df_text += (df_text.empty() ? "" : ", ") + t.test + " df " +
                 (t.df.lo == t.df.hi ? fmt(t.df.lo, 0) : fmt(t.df.lo, 1) + "-" + fmt(t.df.hi, 1));
    }
    if (!ok.empty()) {
      for (const auto& t : ok) a.consistent_with.push_back(t);
      a.checks.push_back(make("p", verdict::consistent, rec,
                              "p recomputed from " + in->inputs + " includes " + c.printed + "."));
    } else {
      a.checks.push_back(make("p", verdict::inconsistent, rec,
                              where(c) + " prints p = " + c.printed + " for " +
                                  comparison_phrase(s_, c) + ", but " + in->inputs +
                                  " give p between " + fmt(all.lo, 4) + " and " + fmt(all.hi, 4) +
                                  " (" + df_text + ")."));
    }
  }

  /// The arm-by-category table behind a chi-square of `variable` (count cells of
  /// variable_<category> for both arms), or nullopt.
  std::optional<std::vector<std::vector<long>>> contingency(const cell& c) const {
    std::map<std::string, std::map<std::string, long>> counts;  // category -> arm -> count
    for (const cell& o : s_.cells) {
      if (o.stat != "count" || o.timepoint != c.timepoint) continue;
      if (o.arm != "intervention" && o.arm != "control") continue;
      if (o.variable.rfind(c.variable + "_", 0) != 0) continue;
      if (!o.table.empty() && !c.table.empty() && o.table != c.table) continue;
      counts[o.variable][o.arm] = std::lround(o.value);
    }
    if (counts.size() < 2) return std::nullopt;
    std::vector<std::vector<long>> t(2);
    for (const auto& [cat, arms] : counts) {
      if (arms.size() != 2) return std::nullopt;
      t[0].push_back(arms.at("intervention"));
      t[1].push_back(arms.at("control"));
    }
    return t;
  }

  static std::string table_text(const std::vector<std::vector<long>>& t) {
    std::string s;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (i) s += " vs ";
      for (std::size_t j = 0; j < t[i].size(); ++j) {
        if (j) s += '/';
        s += std::to_string(t[i][j]);
      }
    }
    return s;
  }

  void chi2_checks(const cell& c, cell_audit& a) {
    const cell* with_table = &c;
    if (c.table.empty()) {
      if (const cell* t = find(c.variable, c.arm, c.timepoint, c.stat)) with_table = t;
    }
    auto t = contingency(*with_table);
    if (!t) {
      a.checks.push_back(make("chi2", verdict::unchecked, nullptr, "the counts are not printed."));
      return;
    }
    const interval printed = rounding_interval(c.value, c.decimals);
    core::json rec = core::json::object{};
    std::vector<std::string> ok;
    for (bool corrected : {false, true}) {
      if (corrected && (t->size() != 2 || (*t)[0].size() != 2)) continue;
      auto x = pearson_chi2(*t, corrected);
      if (!x) continue;
      const std::string name = corrected ? "chi2_corrected" : "chi2";
      rec[name] = *x;
      if (printed.contains(*x)) ok.push_back(name);
    }
    const std::string tt = table_text(*t);
    if (!ok.empty()) {
      for (const auto& n : ok) a.consistent_with.push_back(n);
      a.checks.push_back(make("chi2", verdict::consistent, rec,
                              "the chi-square of the counts " + tt + " is " + c.printed + "."));
    } else {
      a.checks.push_back(make("chi2", verdict::inconsistent, rec,
                              where(c) + " prints chi-square = " + c.printed + " for " +
                                  variable_name(s_, c.variable) + ", but the counts " + tt +
                                  " give " + rec.dump() + "."));
    }
  }

  void p_chi2_checks(const cell& c, cell_audit& a) {
    const cell* with_table = &c;
    if (c.table.empty()) {
      if (const cell* t = find(c.variable, c.arm, c.timepoint, "chisq")) with_table = t;
    }
    auto t = contingency(*with_table);
    if (!t) {
      a.checks.push_back(make("p", verdict::unchecked, nullptr, "the counts are not printed."));
      return;
    }
    const interval printed = rounding_interval(c.value, c.decimals);
    const double df = static_cast<double>((t->size() - 1) * ((*t)[0].size() - 1));
    core::json rec = core::json::object{};
    std::vector<std::string> ok;
    for (bool corrected : {false, true}) {
      if (corrected && df != 1) continue;
      if (auto x = pearson_chi2(*t, corrected)) {
        const std::string name = corrected ? "chi2_corrected" : "chi2";
        rec[name] = chi2_p_value(*x, df);
        if (printed.contains(rec[name].as_double())) ok.push_back(name);
      }
    }
    if (df == 1) {
      const auto& m = *t;
      if (auto f = stats::fisher_exact_2x2(m[0][0], m[0][1], m[1][0], m[1][1])) {
        rec["fisher"] = f.value();
        if (printed.contains(f.value())) ok.push_back("fisher");
      }
    }
    if (!ok.empty()) {
      for (const auto& n : ok) a.consistent_with.push_back(n);
      a.checks.push_back(
          make("p", verdict::consistent, rec,
               "p from the counts " + table_text(*t) + " matches " + c.printed + "."));
    } else {
      a.checks.push_back(make("p", verdict::inconsistent, rec,
                              where(c) + " prints p = " + c.printed + " for the comparison of " +
                                  variable_name(s_, c.variable) + ", but the counts " +
                                  table_text(*t) + " give " + rec.dump() + "."));
    }
  }

  /// The symbol the text puts before "= <printed>" ("t", "χ2", ...).
  void label_check(const cell& c, cell_audit& a) {
    if (c.quote.empty()) return;
    const auto at = c.quote.find(c.printed);
    if (at == std::string::npos) return;
    std::string before = c.quote.substr(0, at);
    while (!before.empty() && (before.back() == ' ' || before.back() == '$')) before.pop_back();
    if (before.empty() || before.back() != '=') return;
    before.pop_back();
    while (!before.empty() && (before.back() == ' ' || before.back() == '$')) before.pop_back();
    std::string sym;
    while (!before.empty() && before.back() != ' ' && before.back() != '(' &&
           before.back() != '$') {
      sym.insert(sym.begin(), before.back());
      before.pop_back();
    }
    const bool says_t = sym == "t";
    const bool says_chi =
        sym.find("chi") != std::string::npos || sym.find("χ") != std::string::npos;
    if (!says_t && !says_chi) return;
    const bool ok = (c.stat == "t" && says_t) || (c.stat == "chisq" && says_chi);
    a.checks.push_back(
        make("label", ok ? verdict::consistent : verdict::inconsistent, c.stat,
             ok ? "labelled " + sym + " as it should be."
                : where(c) + " labels the " + variable_name(s_, c.variable) + " statistic '" + sym +
                      " = " + c.printed + "', but " + c.printed + " is a " +
                      (c.stat == "chisq" ? "chi-square of the counts, not a t statistic"
                                         : "t statistic, not a chi-square") +
                      "."));
  }

  void percent_check(const cell& c, cell_audit& a) {
    const cell* count = nullptr;
    for (const cell& o : s_.cells) {
      if (o.stat == "count" && o.variable == c.variable && stem(o.id) == stem(c.id)) count = &o;
    }
    auto n = s_.design.n_of(c.arm);
    if (!count || !n) {
      a.checks.push_back(
          make("percent", verdict::unchecked, nullptr, "no count printed beside it."));
      return;
    }
    const double exact = 100.0 * count->value / *n;
    const interval printed = rounding_interval(c.value, c.decimals);
    if (printed.contains(exact)) {
      a.checks.push_back(
          make("percent", verdict::consistent, exact,
               count->printed + "/" + std::to_string(*n) + " = " + fmt(exact, c.decimals) + "%."));
      return;
    }
    const double scale = std::pow(10.0, c.decimals);
    std::string why;
    if (std::fabs(std::floor(exact * scale + 1e-9) / scale - c.value) < 0.5 / scale) {
      why = "; the printed figure is truncated instead of rounded";
    } else {
      for (int d = 1; d <= 4 * *n; ++d) {
        if (d != *n && printed.contains(100.0 * count->value / d)) {
          why = "; " + c.printed + "% would be " + count->printed + " of " + std::to_string(d);
          break;
        }
      }
    }
    std::string what = c.row.empty() ? variable_name(s_, c.variable) : c.row;
    a.checks.push_back(make("percent", verdict::inconsistent, exact,
                            where(c) + " gives " + arm_phrase(c.arm) + " '" + what + "' as " +
                                count->printed + " of " + std::to_string(*n) + " (" + c.printed +
                                "%), but " + count->printed + "/" + std::to_string(*n) + " is " +
                                fmt(exact, c.decimals) + "%" + why + "."));
  }

  void sample_size_check(const cell& c, cell_audit& a) {
    auto n = s_.design.n_of(c.arm);
    if (!n) return;
    const bool ok = std::lround(c.value) == *n;
    a.checks.push_back(make("sample_size", ok ? verdict::consistent : verdict::inconsistent, *n,
                            ok ? "the design's n."
                               : where(c) + " gives n = " + c.printed + " where the design has " +
                                     std::to_string(*n) + "."));
  }

  /// A t whose sign disagrees with the convention most of the paper's t values follow.
  void sign_conventions(audit_report&) {
    for (bool paired : {false, true}) {
      int agree = 0, disagree = 0;
      for (const auto& s : sign_) {
        if (s.paired != paired) continue;
        (s.agrees ? agree : disagree)++;
      }
      const bool convention = agree >= disagree;  // true: group 1 minus group 2 / post minus pre
      for (const auto& s : sign_) {
        if (s.paired != paired) continue;
        const cell& c = *s.c;
        const std::string conv = paired ? "post minus pre" : "intervention minus control";
        const std::string conv_text =
            convention ? conv : (paired ? "pre minus post" : "control minus intervention");
        if (s.agrees == convention) {
          s.a->checks.push_back(make("sign", verdict::consistent, conv_text,
                                     "signed " + conv_text + " like the paper's other t values."));
          continue;
        }
        std::string detail;
        if (!paired) {
          const cell* m1 = find(c.variable, "intervention", c.timepoint, "mean");
          const cell* m2 = find(c.variable, "control", c.timepoint, "mean");
          detail = "the intervention group's mean (" + m1->printed + ") is " +
                   (m1->value > m2->value ? "above" : "below") + " the control group's (" +
                   m2->printed + ")";
        } else {
          detail =
              "the mean went " + std::string(c.value > 0 ? "down" : "up") + " from pre to post";
        }
        s.a->checks.push_back(
            make("sign", verdict::inconsistent, conv_text,
                 where(c) + " prints t = " + c.printed + " for " + comparison_phrase(s_, c) +
                     ", but " + detail + "; the paper's other " +
                     std::to_string(convention ? agree : disagree) + " such t values are signed " +
                     conv_text + ", so this one should be " + fmt(-c.value, c.decimals) + "."));
      }
    }
  }

  /// Categories of one variable must add up to the arm's n; arm counts to the total.
  void counts_against_totals(audit_report& r) {
    std::map<std::tuple<std::string, std::string, std::string, std::string>,
             std::vector<std::size_t>>
        exact, family;
    for (std::size_t i = 0; i < s_.cells.size(); ++i) {
      const cell& c = s_.cells[i];
      if (c.stat != "count" || c.variable.empty() || c.timepoint.empty() ||
          !s_.design.n_of(c.arm)) {
        continue;
      }
      exact[{c.source, c.arm, c.timepoint, c.variable}].push_back(i);
    }
    for (const auto& [k, idx] : exact) {
      if (idx.size() >= 2) continue;
      const std::string& v = std::get<3>(k);
      family[{std::get<0>(k), std::get<1>(k), std::get<2>(k), v.substr(0, v.find('_'))}].push_back(
          idx.front());
    }
    auto judge = [&](const std::vector<std::size_t>& idx, const std::string& what) {
      if (idx.size() < 2) return;
      const cell& first = s_.cells[idx.front()];
      const int n = *s_.design.n_of(first.arm);
      long sum = 0;
      std::string parts;
      for (std::size_t i : idx) {
        sum += std::lround(s_.cells[i].value);
        parts += (parts.empty() ? "" : " + ") + s_.cells[i].printed;
      }
      const bool ok = sum == n;
      for (std::size_t i : idx) {
        r.cells[i].checks.push_back(
            make("count_total", ok ? verdict::consistent : verdict::inconsistent, sum,
                 ok ? "the " + std::to_string(idx.size()) + " counts of " + what + " add up to " +
                          std::to_string(n) + "."
                    : where(first) + " lists " + what + " counts " + parts + " = " +
                          std::to_string(sum) + ", but " +
                          (first.arm == "all" ? "all " : "the arm has ") + std::to_string(n) +
                          (first.arm == "all" ? " participants took part." : ".")));
      }
    };
    for (const auto& [k, idx] : exact) judge(idx, variable_name(s_, std::get<3>(k)));
    for (const auto& [k, idx] : family) judge(idx, variable_name(s_, std::get<3>(k)));
    // A count for all participants must be the sum of the arms' counts.
    for (std::size_t i = 0; i < s_.cells.size(); ++i) {
      const cell& c = s_.cells[i];
      if (c.stat != "count" || c.arm != "all") continue;
      const cell* a1 = find(c.variable, "intervention", c.timepoint, "count");
      const cell* a2 = find(c.variable, "control", c.timepoint, "count");
      if (!a1 || !a2) continue;
      const long sum = std::lround(a1->value + a2->value);
      const bool ok = sum == std::lround(c.value);
      r.cells[i].checks.push_back(
          make("arm_sum", ok ? verdict::consistent : verdict::inconsistent, sum,
               ok ? a1->printed + " + " + a2->printed + " in the two arms."
                  : where(c) + " gives " + c.printed + " for " + variable_name(s_, c.variable) +
                        " in all participants, but the arms have " + a1->printed + " + " +
                        a2->printed + " = " + std::to_string(sum) + "."));
    }
  }

  /// The same quantity printed in two places must agree at the printed precision.
  void cross_source(audit_report& r) {
    for (const auto& [k, idx] : by_key_) {
      if (std::get<0>(k).empty() || idx.size() < 2) continue;
      for (std::size_t i : idx) {
        const cell& c = s_.cells[i];
        const cell* other = nullptr;
        for (std::size_t j : idx) {
          const cell& o = s_.cells[j];
          if (o.source == c.source) continue;
          if (!rounding_interval(o.value, o.decimals)
                   .overlaps(rounding_interval(c.value, c.decimals))) {
            other = &o;
            break;
          }
        }
        cell_audit& a = r.cells[i];
        if (!other) {
          a.checks.push_back(
              make("cross_source", verdict::consistent, nullptr,
                   "printed the same in " + std::to_string(idx.size()) + " places."));
          continue;
        }
        bool recomputed_ok = false, recomputed_bad = false;
        for (const auto& ch : a.checks) {
          if (ch.check == "cross_source") continue;
          recomputed_ok = recomputed_ok || ch.verdict == verdict::consistent;
          recomputed_bad = recomputed_bad || ch.verdict == verdict::inconsistent;
        }
        const std::string base = where(c) + " gives " + c.printed + " for the " + c.stat + " of " +
                                 comparison_phrase(s_, c) + " where " + where(*other) + " gives " +
                                 other->printed;
        if (recomputed_ok && !recomputed_bad) {
          a.checks.push_back(make(
              "cross_source", verdict::consistent, other->value,
              base + "; this one agrees with the recomputation, " + other->printed + " does not."));
        } else {
          a.checks.push_back(
              make("cross_source", verdict::inconsistent, other->value,
                   base +
                       (recomputed_bad ? "; the recomputation from the printed summary "
                                         "statistics does not support " +
                                             c.printed
                                       : "; nothing tells which is right") +
                       "."));
        }
      }
    }
  }

  struct sign_entry {
    const cell* c;
    cell_audit* a;
    bool agrees;
    bool paired;
  };

  const summary& s_;
  std::map<key, std::vector<std::size_t>> by_key_;
  std::vector<sign_entry> sign_;
};

}  // namespace

audit_report audit(const summary& s) { return auditor(s).run(); }

core::json to_json(const audit_report& r) {
  core::json out = core::json::object{};
  core::json cells = core::json::array{};
  long n_ok = 0, n_bad = 0, n_un = 0;
  core::json by_kind = core::json::object{};
  for (const auto& c : r.cells) {
    core::json j = core::json::object{};
    j["id"] = c.id;
    j["printed"] = c.printed;
    j["verdict"] = to_string(c.verdict);
    core::json with = core::json::array{};
    for (const auto& w : c.consistent_with) with.push_back(w);
    j["consistent_with"] = with;
    core::json checks = core::json::array{};
    for (const auto& ch : c.checks) {
      core::json cj = core::json::object{};
      cj["check"] = ch.check;
      cj["verdict"] = to_string(ch.verdict);
      cj["recomputed"] = ch.recomputed;
      cj["reason"] = ch.reason;
      checks.push_back(cj);
      core::json& k = by_kind[ch.check];
      if (k.is_null())
        k = core::json::object{{"consistent", 0}, {"inconsistent", 0}, {"unchecked", 0}};
      core::json& counter = k[to_string(ch.verdict)];
      counter = counter.as_int() + 1;
    }
    j["checks"] = checks;
    cells.push_back(j);
    (c.verdict == verdict::consistent ? n_ok : c.verdict == verdict::inconsistent ? n_bad : n_un)++;
  }
  out["cells"] = cells;
  core::json summary = core::json::object{};
  summary["cells"] = static_cast<long>(r.cells.size());
  summary["consistent"] = n_ok;
  summary["inconsistent"] = n_bad;
  summary["unchecked"] = n_un;
  summary["by_kind"] = by_kind;
  out["summary"] = summary;
  return out;
}

std::string to_text(const audit_report& r) {
  std::string out;
  std::set<std::string> seen;
  for (const auto& c : r.cells) {
    for (const auto& ch : c.checks) {
      if (ch.verdict != verdict::inconsistent || !seen.insert(ch.reason).second) continue;
      std::string line = ch.reason;
      line[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(line[0])));
      out += line + "\n";
    }
  }
  if (out.empty()) out = "Every checked number is consistent with the others.\n";
  return out;
}

}  // namespace balint::reproduction
