#include "balint/report/analysis_report.hpp"

#include "balint/report/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace balint::report {

namespace {

using analysis::analysis_result;
using analysis::descriptive;
using analysis::estimate;
using analysis::outcome_result;

// ---- number formatting (display only) -------------------------------------------------------

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s(buf);
  // "-0.00" reads as a sign that is not there.
  if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

constexpr const char* not_available = "n/a";

std::string p_text(double p) { return p < 0.001 ? "< 0.001" : fixed(p, 3); }
/// "p = 0.013" or "p < 0.001".
std::string p_phrase(double p) { return p < 0.001 ? "p < 0.001" : "p = " + fixed(p, 3); }

std::string mean_sd(const descriptive& d) {
  if (!d.mean.value) return not_available;
  if (!d.sd.value) return fixed(*d.mean.value, 2) + " ± " + not_available;
  return fixed(*d.mean.value, 2) + " ± " + fixed(*d.sd.value, 2);
}

std::string ci_text(double low, double high, int decimals) {
  return "[" + fixed(low, decimals) + ", " + fixed(high, decimals) + "]";
}

/// The outcome's label in tables: the data set's (the trial's, or the paper's EE, DP, PA), else
/// its id.
std::string outcome_label(const analysis::outcome_result& o) {
  return o.label.empty() ? o.id : o.label;
}

/// True when the outcomes are the Tongji trial's: the tables then keep the paper's captions.
bool tongji_outcomes(const analysis::analysis_result& r) {
  if (r.outcomes.size() != analysis::outcome_ids.size()) return false;
  for (std::size_t o = 0; o < r.outcomes.size(); ++o) {
    if (r.outcomes[o].id != analysis::outcome_ids[o]) return false;
  }
  return true;
}

std::string arm_label(const std::string& arm) {
  if (arm.empty()) return arm;
  std::string s = arm;
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

// ---- tables as data, rendered three ways ----------------------------------------------------

struct table {
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;  // sentences printed under the table
};

// Collects the reasons of undefined statistics, each once, for the notes at the end.
class reasons {
 public:
  void add(const std::string& what, const std::string& why) {
    if (why.empty()) return;
    const auto line = what + ": " + why;
    if (std::find(lines_.begin(), lines_.end(), line) == lines_.end()) lines_.push_back(line);
  }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
};

template <class T>
bool note(reasons& r, const std::string& what, const estimate<T>& e) {
  if (e.value) return true;
  r.add(what, e.error);
  return false;
}

std::vector<table> build_tables(const analysis_result& r, reasons& why) {
  std::vector<table> out;
  const auto& arms = r.arms;
  const auto a0 = arm_label(arms[0]);
  const auto a1 = arm_label(arms[1]);

  {  // Table 1
    table t;
    t.caption = "Table 1. Comparison of age between the " + arms[0] + " and the " + arms[1] +
                " group (mean ± SD)";
    t.header = {"Variable", a0, a1, "t", "p", "Welch t", "Welch df", "Welch p", "Diff [95% CI]"};
    std::vector<std::string> row{"Age", mean_sd(r.age[0]), mean_sd(r.age[1])};
    if (note(why, "Age, Student t", r.age_student)) {
      row.push_back(fixed(r.age_student.value->t, 3));
      row.push_back(p_text(r.age_student.value->p));
    } else {
      row.insert(row.end(), {not_available, not_available});
    }
    if (note(why, "Age, Welch t", r.age_welch)) {
      const auto& w = *r.age_welch.value;
      row.insert(row.end(), {fixed(w.t, 3), fixed(w.df, 2), p_text(w.p),
                             fixed(w.diff, 2) + " " + ci_text(w.ci.low, w.ci.high, 2)});
    } else {
      row.insert(row.end(), {not_available, not_available, not_available, not_available});
    }
    t.rows.push_back(std::move(row));
    t.notes.push_back("n = " + std::to_string(r.age[0].n) + " and " + std::to_string(r.age[1].n) +
                      " with a recorded age. Student t (pooled variance) as in the paper; "
                      "Welch t beside it.");
    out.push_back(std::move(t));
  }
  {  // Table 2
    table t;
    const std::size_t n =
        r.gender[0].male + r.gender[0].female + r.gender[1].male + r.gender[1].female;
    t.caption = "Table 2. Comparison of gender between the " + arms[0] + " and the " + arms[1] +
                " group (n = " + std::to_string(n) + ")";
    t.header = {"Gender", a0 + " N", "%", a1 + " N", "%", "χ²", "p", "Fisher p"};
    const auto pct = [](std::size_t k, std::size_t total) {
      return total == 0 ? std::string(not_available)
                        : fixed(100.0 * static_cast<double>(k) / static_cast<double>(total), 2);
    };
    const std::size_t n0 = r.gender[0].male + r.gender[0].female;
    const std::size_t n1 = r.gender[1].male + r.gender[1].female;
    std::string chi = not_available, p = not_available, fisher = not_available;
    if (note(why, "Gender, chi-square", r.gender_chi2)) {
      chi = fixed(r.gender_chi2.value->chi2, 3);
      p = p_text(r.gender_chi2.value->p);
    }
    if (note(why, "Gender, Fisher's exact test", r.fisher_p)) fisher = p_text(*r.fisher_p.value);
    t.rows.push_back({"Male", std::to_string(r.gender[0].male), pct(r.gender[0].male, n0),
                      std::to_string(r.gender[1].male), pct(r.gender[1].male, n1), chi, p, fisher});
    t.rows.push_back({"Female", std::to_string(r.gender[0].female), pct(r.gender[0].female, n0),
                      std::to_string(r.gender[1].female), pct(r.gender[1].female, n1), "", "", ""});
    t.notes.push_back(
        "Pearson chi-square without continuity correction (df = 1); Fisher's exact "
        "test beside it.");
    out.push_back(std::move(t));
  }
  {  // Table 3
    table t;
    t.caption = std::string("Table 3. ") +
                (tongji_outcomes(r) ? "Burnout subscales and job satisfaction" : "Outcomes") +
                " before and after, per group (mean ± SD; paired t on post - pre)";
    t.header = {"Outcome",   a0 + " pre",  a0 + " post", "t", "p",
                a1 + " pre", a1 + " post", "t",          "p"};
    for (const auto& o : r.outcomes) {
      std::vector<std::string> row{outcome_label(o)};
      for (std::size_t a = 0; a < 2; ++a) {
        row.push_back(mean_sd(o.pre[a]));
        row.push_back(mean_sd(o.post[a]));
        if (note(why, outcome_label(o) + ", paired t (" + arms[a] + ")", o.paired[a])) {
          row.push_back(fixed(o.paired[a].value->t, 3));
          row.push_back(p_text(o.paired[a].value->p));
        } else {
          row.insert(row.end(), {not_available, not_available});
        }
      }
      t.rows.push_back(std::move(row));
    }
    out.push_back(std::move(t));
  }
  {  // Table 4
    table t;
    t.caption = "Table 4. Change scores (post - pre) between the " + arms[0] + " and the " +
                arms[1] + " group (mean ± SD; Student t)";
    t.header = {"Outcome", a0 + " (post-pre)", a1 + " (post-pre)", "t", "p"};
    for (const auto& o : r.outcomes) {
      std::vector<std::string> row{outcome_label(o), mean_sd(o.change[0]), mean_sd(o.change[1])};
      if (note(why, outcome_label(o) + ", Student t of change", o.change_student)) {
        row.push_back(fixed(o.change_student.value->t, 3));
        row.push_back(p_text(o.change_student.value->p) +
                      (o.change_student.value->p < 0.05 ? "*" : ""));
        t.notes.push_back(outcome_label(o) + ": t = " + fixed(o.change_student.value->t, 3) + ", " +
                          p_phrase(o.change_student.value->p) +
                          " (n = " + std::to_string(o.change[0].n) + " and " +
                          std::to_string(o.change[1].n) + ").");
      } else {
        row.insert(row.end(), {not_available, not_available});
      }
      t.rows.push_back(std::move(row));
    }
    t.notes.insert(t.notes.begin(),
                   "* p < 0.05. Differences are " + arms[0] + " minus " + arms[1] + ".");
    out.push_back(std::move(t));
  }
  {  // Table 5: the between-arm comparisons the paper did not report
    table t;
    t.caption = "Table 5. Change scores, further between-group analyses (" + arms[0] + " minus " +
                arms[1] + ")";
    t.header = {"Outcome",
                "Diff [95% CI]",
                "Welch t",
                "Welch p",
                "ANCOVA diff [95% CI]",
                "ANCOVA p",
                "Hedges g [95% CI]",
                "Exact perm. p",
                "Exact Wilcoxon p",
                "Levene F (mean)",
                "p",
                "Levene F (median)",
                "p"};
    for (const auto& o : r.outcomes) {
      const auto label = outcome_label(o);
      std::vector<std::string> row{label};
      if (o.change_welch.value) {
        const auto& w = *o.change_welch.value;
        row.insert(row.end(), {fixed(w.diff, 2) + " " + ci_text(w.ci.low, w.ci.high, 2),
                               fixed(w.t, 3), p_text(w.p)});
      } else {
        note(why, label + ", Welch t of change", o.change_welch);
        row.insert(row.end(), {not_available, not_available, not_available});
      }
      if (note(why, label + ", ANCOVA", o.ancova)) {
        const auto& a = *o.ancova.value;
        row.push_back(fixed(a.diff, 2) + " " + ci_text(a.ci.low, a.ci.high, 2));
        row.push_back(p_text(a.p));
      } else {
        row.insert(row.end(), {not_available, not_available});
      }
      if (note(why, label + ", Hedges g", o.hedges_g)) {
        const auto& g = *o.hedges_g.value;
        row.push_back(fixed(g.value, 2) + " " + ci_text(g.ci.low, g.ci.high, 2));
      } else {
        row.push_back(not_available);
      }
      for (const auto* e : {&o.exact_permutation, &o.exact_wilcoxon}) {
        const auto name =
            e == &o.exact_permutation ? ", exact permutation p" : ", exact Wilcoxon p";
        if (e->p.value) {
          row.push_back(p_text(*e->p.value));
        } else if (e->monte_carlo) {
          row.push_back(p_text(e->monte_carlo->p) + " (MC)");
          why.add(label + name, e->p.error + " (MC: seed " + std::to_string(e->monte_carlo->seed) +
                                    ", standard error " + fixed(e->monte_carlo->standard_error, 5) +
                                    ")");
        } else {
          note(why, label + name, e->p);
          row.push_back(not_available);
        }
      }
      for (const auto* f : {&o.levene_mean, &o.levene_median}) {
        if (f->value) {
          row.push_back(fixed(f->value->F, 3));
          row.push_back(p_text(f->value->p));
        } else {
          note(why, label + (f == &o.levene_mean ? ", Levene (mean)" : ", Levene (median)"), *f);
          row.insert(row.end(), {not_available, not_available});
        }
      }
      t.rows.push_back(std::move(row));
    }
    t.notes.push_back(
        "Diff: Welch 95% CI. ANCOVA: post ~ group + pre (Vickers & Altman 2001). "
        "Hedges g with the noncentral-t CI. Exact tests on the change scores; (MC) "
        "marks a Monte Carlo p beyond the exact limit.");
    out.push_back(std::move(t));
  }
  {  // Table 6: caseness
    table t;
    t.caption = std::string("Table 6. Caseness (") +
                (tongji_outcomes(r) ? "MBI-HSS cut-offs" : "the instruments' cut-offs") +
                "), cases / n per group";
    t.header = {"Subscale", "Rule", a0 + " pre", a0 + " post", a1 + " pre", a1 + " post"};
    const auto cell = [](const analysis::case_count& c) {
      std::string s = std::to_string(c.cases) + " / " + std::to_string(c.n);
      if (c.n > 0) {
        s +=
            " (" + fixed(100.0 * static_cast<double>(c.cases) / static_cast<double>(c.n), 1) + "%)";
      }
      return s;
    };
    for (const auto& o : r.outcomes) {
      if (!o.caseness) continue;
      const auto& c = *o.caseness;
      t.rows.push_back(
          {outcome_label(o),
           std::string(c.rule.at_least ? "≥ " : "≤ ") + report::format_score(c.rule.cutoff),
           cell(c.pre[0]), cell(c.post[0]), cell(c.pre[1]), cell(c.post[1])});
    }
    if (!t.rows.empty()) out.push_back(std::move(t));
  }
  {  // Table 7: power and dose-response
    table t;
    t.caption = "Table 7. Power and dose-response";
    t.header = {"Outcome",
                "Cohen d (change)",
                "n per arm for 80% power",
                "Dose n",
                "Pearson r",
                "p",
                "Spearman rho",
                "p"};
    for (const auto& o : r.outcomes) {
      const auto label = outcome_label(o);
      std::vector<std::string> row{label};
      row.push_back(note(why, label + ", Cohen d", o.power_d) ? fixed(*o.power_d.value, 2)
                                                              : not_available);
      row.push_back(note(why, label + ", sample size", o.n_per_arm_80)
                        ? std::to_string(*o.n_per_arm_80.value)
                        : not_available);
      row.push_back(std::to_string(o.dose_n));
      for (const auto* c : {&o.pearson, &o.spearman}) {
        if (note(why,
                 label + (c == &o.pearson ? ", dose-response Pearson r (sessions vs change)"
                                          : ", dose-response Spearman rho (sessions vs change)"),
                 *c)) {
          row.push_back(fixed(c->value->r, 3));
          row.push_back(p_text(c->value->p));
        } else {
          row.insert(row.end(), {not_available, not_available});
        }
      }
      t.rows.push_back(std::move(row));
    }
    t.notes.push_back("Dose-response: sessions attended vs change, " + arms[0] +
                      " group. Power: two-sided two-sample t at alpha 0.05 for |d|.");
    out.push_back(std::move(t));
  }
  return out;
}

std::string heading(const analysis_result& r) {
  std::string s = "Population: " + std::string(r.population == "itt" ? "ITT" : r.population) +
                  " (" + r.arms[0] + " n = " + std::to_string(r.n[0]) + ", " + r.arms[1] +
                  " n = " + std::to_string(r.n[1]) + ")";
  if (r.not_randomized > 0) {
    s += "; " + std::to_string(r.not_randomized) + " not randomized, left out";
  }
  if (r.excluded_per_protocol > 0) {
    s += "; " + std::to_string(r.excluded_per_protocol) + " " + r.arms[0] +
         " participants below the required sessions, left out";
  }
  if (r.excluded_outside_window > 0) {
    s += "; " + std::to_string(r.excluded_outside_window) +
         " with a questionnaire outside its window, left out";
  }
  return s + ".";
}

std::string markdown_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else
      out.push_back(c);
  }
  return out;
}

// ---- SVG ------------------------------------------------------------------------------------

std::string num(double v) { return fixed(v, 1); }

// Per-arm pre→post lines of one outcome; at most `cap` participants per arm are drawn (evenly
// spaced in data order) so a 500,000-per-arm page stays small; the arm mean is drawn bold.
std::string spaghetti_svg(const analysis_result& r, const outcome_result& o) {
  constexpr double panel_w = 220, h = 240, top = 30, bottom = 40, left = 48, gap = 30;
  constexpr std::size_t cap = 300;
  double lo = 1e300, hi = -1e300;
  for (const auto& arm : o.pairs) {
    for (const auto& [p, q] : arm) {
      lo = std::min({lo, p, q});
      hi = std::max({hi, p, q});
    }
  }
  if (lo > hi) lo = 0, hi = 1;
  if (hi - lo < 1e-9) lo -= 1, hi += 1;
  const double pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const double plot_h = h - top - bottom;
  const auto y = [&](double v) { return top + plot_h * (hi - v) / (hi - lo); };
  const double width = left + 2 * panel_w + gap + 10;
  const auto label = outcome_label(o);
  std::string s = "<svg role=\"img\" viewBox=\"0 0 " + num(width) + " " + num(h) + "\" width=\"" +
                  num(width) + "\" height=\"" + num(h) + "\" aria-labelledby=\"sp-" + o.id +
                  "-t sp-" + o.id + "-d\">";
  s += "<title id=\"sp-" + o.id + "-t\">" + html_escape(label) +
       ": pre to post per participant</title>";
  std::string desc = "One line per participant from the pre score to the post score, " +
                     html_escape(r.arms[0]) + " on the left, " + html_escape(r.arms[1]) +
                     " on the right; the bold line joins the arm means.";
  for (std::size_t a = 0; a < 2; ++a) {
    if (o.pairs[a].size() > cap) {
      desc += " " + std::to_string(cap) + " of " + std::to_string(o.pairs[a].size()) + " " +
              html_escape(r.arms[a]) + " participants drawn.";
    }
  }
  s += "<desc id=\"sp-" + o.id + "-d\">" + desc + "</desc>";
  // y axis with 5 ticks
  s += "<g class=\"axis\">";
  for (int k = 0; k <= 4; ++k) {
    const double v = lo + (hi - lo) * k / 4.0;
    s += "<line x1=\"" + num(left - 4) + "\" x2=\"" + num(width - 10) + "\" y1=\"" + num(y(v)) +
         "\" y2=\"" + num(y(v)) + "\" class=\"grid\"/>";
    s += "<text x=\"" + num(left - 6) + "\" y=\"" + num(y(v) + 4) + "\" text-anchor=\"end\">" +
         fixed(v, 0) + "</text>";
  }
  s += "</g>";
  for (std::size_t a = 0; a < 2; ++a) {
    const double x0 = left + static_cast<double>(a) * (panel_w + gap) + 30;
    const double x1 = x0 + panel_w - 60;
    s += "<g class=\"arm" + std::to_string(a) + "\">";
    s += "<text x=\"" + num((x0 + x1) / 2) + "\" y=\"18\" text-anchor=\"middle\" class=\"head\">" +
         html_escape(arm_label(r.arms[a])) + " (n = " + std::to_string(o.pairs[a].size()) +
         ")</text>";
    const auto& pairs = o.pairs[a];
    const std::size_t step = pairs.size() > cap ? (pairs.size() + cap - 1) / cap : 1;
    double sp = 0, sq = 0;
    for (const auto& [p, q] : pairs) sp += p, sq += q;
    for (std::size_t i = 0; i < pairs.size(); i += step) {
      s += "<line x1=\"" + num(x0) + "\" y1=\"" + num(y(pairs[i].first)) + "\" x2=\"" + num(x1) +
           "\" y2=\"" + num(y(pairs[i].second)) + "\" class=\"p\"/>";
    }
    if (!pairs.empty()) {
      const double n = static_cast<double>(pairs.size());
      s += "<line x1=\"" + num(x0) + "\" y1=\"" + num(y(sp / n)) + "\" x2=\"" + num(x1) +
           "\" y2=\"" + num(y(sq / n)) + "\" class=\"mean\"/>";
    }
    s += "<text x=\"" + num(x0) + "\" y=\"" + num(h - bottom + 18) +
         "\" text-anchor=\"middle\">pre</text>";
    s += "<text x=\"" + num(x1) + "\" y=\"" + num(h - bottom + 18) +
         "\" text-anchor=\"middle\">post</text>";
    s += "</g>";
  }
  s += "</svg>";
  return s;
}

std::string forest_svg(const analysis_result& r) {
  struct row {
    std::string label;
    double est, low, high;
  };
  std::vector<row> rows;
  for (const auto& o : r.outcomes) {
    const auto label = outcome_label(o);
    if (o.change_student.value) {
      const auto& t = *o.change_student.value;
      rows.push_back({label + " change", t.diff, t.ci.low, t.ci.high});
    }
    if (o.ancova.value) {
      const auto& a = *o.ancova.value;
      rows.push_back({label + " ANCOVA", a.diff, a.ci.low, a.ci.high});
    }
  }
  constexpr double left = 190, right = 170, plot_w = 360, row_h = 26, top = 34;
  const double h = top + row_h * static_cast<double>(std::max<std::size_t>(rows.size(), 1)) + 40;
  double lo = 0, hi = 0;
  for (const auto& x : rows) {
    lo = std::min(lo, x.low);
    hi = std::max(hi, x.high);
  }
  if (hi - lo < 1e-9) lo -= 1, hi += 1;
  const double pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const auto x = [&](double v) { return left + plot_w * (v - lo) / (hi - lo); };
  const double width = left + plot_w + right;
  std::string s = "<svg role=\"img\" viewBox=\"0 0 " + num(width) + " " + num(h) + "\" width=\"" +
                  num(width) + "\" height=\"" + num(h) +
                  "\" aria-labelledby=\"forest-t forest-d\">";
  s += "<title id=\"forest-t\">Between-group differences with 95% confidence intervals</title>";
  s += "<desc id=\"forest-d\">For each outcome, the difference in change scores (" +
       html_escape(r.arms[0]) + " minus " + html_escape(r.arms[1]) +
       ", Student t interval) and the ANCOVA difference adjusted for baseline, each with its 95% "
       "confidence interval, in points of the outcome's scale. The vertical line marks no "
       "difference.</desc>";
  s += "<line x1=\"" + num(x(0)) + "\" x2=\"" + num(x(0)) + "\" y1=\"" + num(top - 10) +
       "\" y2=\"" + num(h - 30) + "\" class=\"zero\"/>";
  s += "<text x=\"" + num(left + plot_w + 8) + "\" y=\"20\" class=\"head\">Diff [95% CI]</text>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& v = rows[i];
    const double cy = top + row_h * (static_cast<double>(i) + 0.5);
    s += "<text x=\"" + num(left - 8) + "\" y=\"" + num(cy + 4) + "\" text-anchor=\"end\">" +
         html_escape(v.label) + "</text>";
    s += "<line x1=\"" + num(x(v.low)) + "\" x2=\"" + num(x(v.high)) + "\" y1=\"" + num(cy) +
         "\" y2=\"" + num(cy) + "\" class=\"ci\"/>";
    s += "<rect x=\"" + num(x(v.est) - 4) + "\" y=\"" + num(cy - 4) +
         "\" width=\"8\" height=\"8\" class=\"est\"/>";
    s += "<text x=\"" + num(left + plot_w + 8) + "\" y=\"" + num(cy + 4) + "\">" + fixed(v.est, 2) +
         " " + ci_text(v.low, v.high, 2) + "</text>";
  }
  for (int k = 0; k <= 4; ++k) {
    const double v = lo + (hi - lo) * k / 4.0;
    s += "<text x=\"" + num(x(v)) + "\" y=\"" + num(h - 12) + "\" text-anchor=\"middle\">" +
         fixed(v, 1) + "</text>";
  }
  s += "</svg>";
  return s;
}

constexpr const char* intro =
    "Differences and t are intervention minus comparator; change is post minus pre. Each test "
    "uses the participants with the values it needs; n is given per test.";

}  // namespace

std::string analysis_text(const analysis_result& r) {
  reasons why;
  const auto tables = build_tables(r, why);
  std::string out = "Between-group analysis\n" + heading(r) + "\n" + intro + "\n";
  for (const auto& t : tables) {
    out += "\n" + t.caption + "\n\n" + text_table(t.header, t.rows);
    for (const auto& n : t.notes) out += n + "\n";
  }
  if (!why.lines().empty()) {
    out += "\nUndefined statistics (n/a):\n";
    for (const auto& l : why.lines()) out += "- " + l + "\n";
  }
  return out;
}

std::string analysis_markdown(const analysis_result& r) {
  reasons why;
  const auto tables = build_tables(r, why);
  std::string out = "# Between-group analysis\n\n" + heading(r) + "\n\n" + intro + "\n";
  for (const auto& t : tables) {
    out += "\n**" + markdown_cell(t.caption) + "**\n\n|";
    for (const auto& h : t.header) out += " " + markdown_cell(h) + " |";
    out += "\n|";
    for (std::size_t c = 0; c < t.header.size(); ++c) out += c == 0 ? "---|" : "---:|";
    out += "\n";
    for (const auto& row : t.rows) {
      out += "|";
      for (const auto& c : row) out += " " + markdown_cell(c) + " |";
      out += "\n";
    }
    if (!t.notes.empty()) out += "\n";
    for (const auto& n : t.notes) out += markdown_cell(n) + "\n";
  }
  if (!why.lines().empty()) {
    out += "\n## Undefined statistics (n/a)\n\n";
    for (const auto& l : why.lines()) out += "- " + markdown_cell(l) + "\n";
  }
  return out;
}

std::string analysis_html(const analysis_result& r) {
  reasons why;
  const auto tables = build_tables(r, why);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Between-group analysis</title>\n<style>\n"
      "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;"
      "max-width:72rem;padding:0 1rem;color:#1a1a1a;line-height:1.45}\n"
      "table{border-collapse:collapse;margin:1rem 0 .3rem;font-variant-numeric:tabular-nums}\n"
      "caption{text-align:left;font-weight:600;padding-bottom:.4rem}\n"
      "th,td{padding:.25rem .6rem;border-bottom:1px solid #ccc;text-align:right}\n"
      "th[scope=row],thead th:first-child{text-align:left}\n"
      "thead th{border-bottom:2px solid #333}\n"
      ".note{font-size:.9rem;color:#444;margin:.2rem 0}\n"
      ".plots{display:flex;flex-wrap:wrap;gap:1rem}\n"
      "svg{font-size:12px;max-width:100%;height:auto}\n"
      "svg text{fill:#1a1a1a}\n"
      "svg .grid{stroke:#e3e3e3}\n"
      "svg .arm0 .p{stroke:#1f6fb2;stroke-opacity:.35}\n"
      "svg .arm1 .p{stroke:#c0561b;stroke-opacity:.35}\n"
      "svg .mean{stroke:#111;stroke-width:3}\n"
      "svg .head{font-weight:600}\n"
      "svg .zero{stroke:#777;stroke-dasharray:4 3}\n"
      "svg .ci{stroke:#1a1a1a;stroke-width:2}\n"
      "svg .est{fill:#1f6fb2}\n"
      "</style>\n</head>\n<body>\n<main>\n<h1>Between-group analysis</h1>\n<p>" +
      html_escape(heading(r)) + "</p>\n<p>" + html_escape(intro) + "</p>\n";
  for (const auto& t : tables) {
    out += "<table>\n<caption>" + html_escape(t.caption) + "</caption>\n<thead><tr>";
    for (const auto& h : t.header) out += "<th scope=\"col\">" + html_escape(h) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : t.rows) {
      out += "<tr>";
      for (std::size_t c = 0; c < row.size(); ++c) {
        out += c == 0 ? "<th scope=\"row\">" + html_escape(row[c]) + "</th>"
                      : "<td>" + html_escape(row[c]) + "</td>";
      }
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    for (const auto& n : t.notes) out += "<p class=\"note\">" + html_escape(n) + "</p>\n";
  }
  out += "<h2>Between-group differences</h2>\n<figure>\n" + forest_svg(r) + "\n</figure>\n";
  out += "<h2>Pre to post, per participant</h2>\n<div class=\"plots\">\n";
  for (const auto& o : r.outcomes) out += "<figure>\n" + spaghetti_svg(r, o) + "\n</figure>\n";
  out += "</div>\n";
  if (!why.lines().empty()) {
    out += "<h2>Undefined statistics (n/a)</h2>\n<ul>\n";
    for (const auto& l : why.lines()) out += "<li>" + html_escape(l) + "</li>\n";
    out += "</ul>\n";
  }
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace balint::report
