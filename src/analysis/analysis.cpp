#include "balint/analysis/analysis.hpp"

#include "balint/stats/descriptive.hpp"
#include "balint/stats/power.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <string>

namespace balint::analysis {

namespace {

using values = std::vector<double>;

descriptive describe(const values& x) {
  descriptive d;
  d.n = x.size();
  if (x.empty()) {
    d.mean = estimate<double>::fail("there are no values, so the mean is undefined");
    d.sd = estimate<double>::fail("there are no values, so the standard deviation is undefined");
    return d;
  }
  if (x.size() == 1) {
    d.mean.value = x.front();
    d.sd = estimate<double>::fail(
        "there is only 1 value, so the standard deviation (which needs 2) is undefined");
    return d;
  }
  const auto s = stats::describe(x);
  if (!s) {
    d.mean = estimate<double>::fail(s.error().message);
    d.sd = estimate<double>::fail(s.error().message);
    return d;
  }
  d.mean.value = s->mean;
  d.sd.value = s->sd;
  return d;
}

std::string count_text(std::size_t n) { return std::to_string(n); }

bool all_equal(const values& x, const values& y) {
  const double first = x.empty() ? y.front() : x.front();
  const auto same = [first](double v) { return v == first; };
  return std::all_of(x.begin(), x.end(), same) && std::all_of(y.begin(), y.end(), same);
}

/// The exact permutation and Wilcoxon p of the change scores. Where either exact p is refused
/// (arm size, work limit, scores not integers after scaling), one Monte Carlo run gives both
/// Monte Carlo p-values from the same resamples and the refused one(s) are reported.
void exact_tests(const values& x, const values& y, const analysis_options& options,
                 exact_p& permutation, exact_p& wilcoxon) {
  const std::size_t largest = std::max(x.size(), y.size());
  bool need_mc = false;
  if (largest > options.exact_max_per_arm) {
    const auto why = "the exact test is limited to " + count_text(options.exact_max_per_arm) +
                     " participants per arm (here " + count_text(x.size()) + " and " +
                     count_text(y.size()) + "); a Monte Carlo p from " +
                     count_text(options.monte_carlo_resamples) + " resamples is given instead";
    permutation.p = estimate<double>::fail(why);
    wilcoxon.p = estimate<double>::fail(why);
    need_mc = true;
  } else {
    stats::exact_limits limits;
    limits.max_per_arm = options.exact_max_per_arm;
    limits.max_work = options.exact_max_work;
    permutation.p = estimate<double>::of(stats::exact_permutation_p(x, y, limits));
    wilcoxon.p = estimate<double>::of(stats::exact_wilcoxon_p(x, y, limits));
    // The exact kernels also refuse data beyond their work limit or with scores that are not
    // integers after scaling; a Monte Carlo p then stands beside the null. Empty arms and
    // constant scores have no p at all.
    need_mc =
        (!permutation.p.value || !wilcoxon.p.value) && !x.empty() && !y.empty() && !all_equal(x, y);
  }
  if (!need_mc) return;
  const auto mc =
      stats::monte_carlo_p_both(x, y, options.monte_carlo_seed, options.monte_carlo_resamples);
  if (!permutation.p.value) permutation.monte_carlo = mc.permutation;
  if (!wilcoxon.p.value) wilcoxon.monte_carlo = mc.wilcoxon;
}

bool is_case(const caseness_rule& rule, double v) {
  return rule.at_least ? v >= rule.cutoff : v <= rule.cutoff;
}

case_count count_cases(const caseness_rule& rule, const values& x) {
  case_count c;
  c.n = x.size();
  c.cases = static_cast<std::size_t>(
      std::count_if(x.begin(), x.end(), [&](double v) { return is_case(rule, v); }));
  return c;
}

outcome_result analyze_outcome(const data_set& data, std::size_t o,
                               const analysis_options& options) {
  outcome_result r;
  r.id = data.outcomes[o].id;
  r.label = data.outcomes[o].label;
  std::array<values, 2> pre, post, change;
  values anc_post, anc_pre;
  std::vector<int> anc_group;
  values dose_x, dose_y;
  for (const auto& row : data.rows) {
    const std::size_t a = row.arm == data.arms[0] ? 0 : 1;
    const auto& s = row.outcomes[o];
    if (s.pre) pre[a].push_back(*s.pre);
    if (s.post) post[a].push_back(*s.post);
    if (s.pre && s.post) {
      const double c = *s.post - *s.pre;
      change[a].push_back(c);
      r.pairs[a].emplace_back(*s.pre, *s.post);
      anc_post.push_back(*s.post);
      anc_pre.push_back(*s.pre);
      anc_group.push_back(a == 0 ? 1 : 0);
      if (a == 0 && row.sessions_attended) {
        dose_x.push_back(static_cast<double>(*row.sessions_attended));
        dose_y.push_back(c);
      }
    }
  }
  for (std::size_t a = 0; a < 2; ++a) {
    r.pre[a] = describe(pre[a]);
    r.post[a] = describe(post[a]);
    r.change[a] = describe(change[a]);
    std::vector<double> pre_paired, post_paired;
    for (const auto& [p, q] : r.pairs[a]) {
      pre_paired.push_back(p);
      post_paired.push_back(q);
    }
    r.paired[a] = estimate<stats::t_result>::of(stats::paired_t(post_paired, pre_paired));
  }
  r.baseline_student = estimate<stats::t_result>::of(stats::student_t(pre[0], pre[1]));
  r.baseline_welch = estimate<stats::t_result>::of(stats::welch_t(pre[0], pre[1]));
  r.change_student = estimate<stats::t_result>::of(stats::student_t(change[0], change[1]));
  r.change_welch = estimate<stats::t_result>::of(stats::welch_t(change[0], change[1]));
  r.levene_mean = estimate<stats::f_result>::of(stats::levene(change[0], change[1], false));
  r.levene_median = estimate<stats::f_result>::of(stats::levene(change[0], change[1], true));
  r.hedges_g = estimate<stats::effect_size>::of(stats::hedges_g(change[0], change[1]));
  r.ancova_n = anc_post.size();
  r.ancova = estimate<stats::ancova_result>::of(stats::ancova(anc_post, anc_pre, anc_group));
  exact_tests(change[0], change[1], options, r.exact_permutation, r.exact_wilcoxon);
  for (const auto& rule : options.caseness) {
    if (rule.outcome != r.id) continue;
    caseness_result c;
    c.rule = rule;
    for (std::size_t a = 0; a < 2; ++a) {
      c.pre[a] = count_cases(rule, pre[a]);
      c.post[a] = count_cases(rule, post[a]);
    }
    r.caseness = c;
  }
  const auto d = stats::cohens_d(change[0], change[1]);
  if (d) {
    r.power_d.value = d->value;
    r.n_per_arm_80 = estimate<long>::of(stats::n_per_arm_80(std::fabs(d->value)));
  } else {
    r.power_d = estimate<double>::fail(d.error().message);
    r.n_per_arm_80 =
        estimate<long>::fail("Cohen's d of the change scores is undefined: " + d.error().message);
  }
  r.dose_n = dose_x.size();
  r.pearson = estimate<stats::correlation_result>::of(stats::pearson(dose_x, dose_y));
  r.spearman = estimate<stats::correlation_result>::of(stats::spearman(dose_x, dose_y));
  return r;
}

// ---- JSON -----------------------------------------------------------------------------------

template <class T, class F>
void put(core::json& obj, const std::string& key, const estimate<T>& e, F&& to) {
  if (e.value) {
    obj[key] = to(*e.value);
  } else {
    obj[key] = nullptr;
    obj[key + "_error"] = e.error;
  }
}

void put_number(core::json& obj, const std::string& key, const estimate<double>& e) {
  put(obj, key, e, [](double v) { return core::json(v); });
}

core::json t_json(const stats::t_result& t) {
  return core::json::object{{"t", t.t},       {"df", t.df},         {"p", t.p},
                            {"diff", t.diff}, {"ci_low", t.ci.low}, {"ci_high", t.ci.high}};
}

core::json f_json(const stats::f_result& f) {
  return core::json::object{{"F", f.F}, {"df1", f.df1}, {"df2", f.df2}, {"p", f.p}};
}

core::json descriptive_json(const descriptive& d) {
  core::json j;
  j["n"] = d.n;
  put_number(j, "mean", d.mean);
  put_number(j, "sd", d.sd);
  return j;
}

core::json per_arm(const std::array<std::string, 2>& arms, const std::array<descriptive, 2>& d) {
  core::json j;
  for (std::size_t a = 0; a < 2; ++a) j[arms[a]] = descriptive_json(d[a]);
  return j;
}

core::json case_json(const case_count& c) {
  return core::json::object{{"cases", c.cases}, {"n", c.n}};
}

void put_exact(core::json& obj, const std::string& key, const std::string& mc_key,
               const exact_p& e) {
  put_number(obj, key, e.p);
  if (e.monte_carlo) {
    const auto& mc = *e.monte_carlo;
    obj[mc_key] = core::json::object{{"p", mc.p},
                                     {"standard_error", mc.standard_error},
                                     {"seed", static_cast<unsigned long>(mc.seed)},
                                     {"resamples", mc.resamples}};
  }
}

core::json outcome_json(const std::array<std::string, 2>& arms, const outcome_result& r) {
  core::json j;
  j["pre"] = per_arm(arms, r.pre);
  j["post"] = per_arm(arms, r.post);
  j["change"] = per_arm(arms, r.change);
  put(j["baseline"], "student", r.baseline_student, t_json);
  put(j["baseline"], "welch", r.baseline_welch, t_json);
  for (std::size_t a = 0; a < 2; ++a) put(j["paired"], arms[a], r.paired[a], t_json);
  auto& ct = j["change_test"];
  put(ct, "student", r.change_student, t_json);
  put(ct, "welch", r.change_welch, t_json);
  put(ct, "levene_mean", r.levene_mean, f_json);
  put(ct, "levene_median", r.levene_median, f_json);
  put(j, "hedges_g", r.hedges_g, [](const stats::effect_size& g) {
    return core::json::object{{"g", g.value}, {"ci_low", g.ci.low}, {"ci_high", g.ci.high}};
  });
  const std::size_t ancova_n = r.ancova_n;
  put(j, "ancova", r.ancova, [ancova_n](const stats::ancova_result& a) {
    return core::json::object{
        {"diff", a.diff}, {"se", a.se}, {"ci_low", a.ci.low}, {"ci_high", a.ci.high},
        {"t", a.t},       {"df", a.df}, {"p", a.p},           {"n", ancova_n}};
  });
  put_exact(j, "exact_permutation_p", "monte_carlo_permutation_p", r.exact_permutation);
  put_exact(j, "exact_wilcoxon_p", "monte_carlo_wilcoxon_p", r.exact_wilcoxon);
  if (r.caseness) {
    auto& c = j["caseness"];
    for (std::size_t a = 0; a < 2; ++a) {
      c["pre"][arms[a]] = case_json(r.caseness->pre[a]);
      c["post"][arms[a]] = case_json(r.caseness->post[a]);
    }
  }
  return j;
}

}  // namespace

core::result<analysis_result> analyze(const data_set& data, const analysis_options& options) {
  if (data.arms.size() != 2) {
    return core::invalid_input("arms", "the analysis compares exactly two arms");
  }
  analysis_result out;
  out.population = data.population;
  out.arms = {data.arms[0], data.arms[1]};
  out.not_randomized = data.not_randomized;
  out.excluded_per_protocol = data.excluded_per_protocol;
  out.excluded_outside_window = data.excluded_outside_window;
  out.options = options;
  std::array<values, 2> age;
  for (const auto& row : data.rows) {
    if (row.arm != data.arms[0] && row.arm != data.arms[1]) {
      return core::invalid_input("arm", "participant " + row.id + ": arm \"" + row.arm +
                                            "\" is not allowed; allowed: " + data.arms[0] + " or " +
                                            data.arms[1]);
    }
    const std::size_t a = row.arm == data.arms[0] ? 0 : 1;
    ++out.n[a];
    if (row.age) age[a].push_back(*row.age);
    if (row.gender == "M") ++out.gender[a].male;
    if (row.gender == "F") ++out.gender[a].female;
  }
  for (std::size_t a = 0; a < 2; ++a) {
    if (out.n[a] == 0) {
      return core::invalid_input(
          "arm",
          "the " + data.arms[a] + " arm has no randomized participant" +
              (data.population == "itt" ? "" : " in the " + data.population + " population") +
              "; the analysis compares " + data.arms[0] + " with " + data.arms[1] +
              " and needs participants in both arms");
    }
  }
  for (std::size_t a = 0; a < 2; ++a) out.age[a] = describe(age[a]);
  out.age_student = estimate<stats::t_result>::of(stats::student_t(age[0], age[1]));
  out.age_welch = estimate<stats::t_result>::of(stats::welch_t(age[0], age[1]));
  const auto& g = out.gender;
  const auto count = [](std::size_t v) { return static_cast<long>(v); };
  out.gender_chi2 = estimate<stats::chi2_result>::of(stats::pearson_chi2_2x2(
      count(g[0].male), count(g[0].female), count(g[1].male), count(g[1].female)));
  out.fisher_p = estimate<double>::of(stats::fisher_exact_2x2(
      count(g[0].male), count(g[0].female), count(g[1].male), count(g[1].female)));
  out.outcomes.reserve(data.outcomes.size());
  for (std::size_t o = 0; o < data.outcomes.size(); ++o) {
    out.outcomes.push_back(analyze_outcome(data, o, options));
  }
  return out;
}

core::json to_json(const analysis_result& r) {
  core::json j;
  j["population"] = r.population;
  for (std::size_t a = 0; a < 2; ++a) j["n"][r.arms[a]] = r.n[a];
  j["not_randomized"] = r.not_randomized;
  j["excluded_per_protocol"] = r.excluded_per_protocol;
  j["excluded_outside_window"] = r.excluded_outside_window;
  auto& age = j["age"];
  for (std::size_t a = 0; a < 2; ++a) age[r.arms[a]] = descriptive_json(r.age[a]);
  put(age, "student", r.age_student, t_json);
  put(age, "welch", r.age_welch, t_json);
  auto& gender = j["gender"];
  for (std::size_t a = 0; a < 2; ++a) {
    gender["counts"][r.arms[a]]["M"] = r.gender[a].male;
    gender["counts"][r.arms[a]]["F"] = r.gender[a].female;
  }
  if (r.gender_chi2.value) {
    gender["chi2"] = r.gender_chi2.value->chi2;
    gender["df"] = r.gender_chi2.value->df;
    gender["p"] = r.gender_chi2.value->p;
  } else {
    for (const char* key : {"chi2", "df", "p"}) {
      gender[key] = nullptr;
      gender[std::string(key) + "_error"] = r.gender_chi2.error;
    }
  }
  put_number(gender, "fisher_p", r.fisher_p);
  for (const auto& o : r.outcomes) {
    j["outcomes"][o.id] = outcome_json(r.arms, o);
    auto& pw = j["power"][o.id];
    put_number(pw, "d", o.power_d);
    put(pw, "n_per_arm_80", o.n_per_arm_80, [](long n) { return core::json(n); });
    auto& dr = j["dose_response"][o.id];
    dr["n"] = o.dose_n;
    put(dr, "pearson_r", o.pearson, [](const stats::correlation_result& c) { return c.r; });
    put(dr, "pearson_p", o.pearson, [](const stats::correlation_result& c) { return c.p; });
    put(dr, "spearman_rho", o.spearman, [](const stats::correlation_result& c) { return c.r; });
    put(dr, "spearman_p", o.spearman, [](const stats::correlation_result& c) { return c.p; });
  }
  return j;
}

}  // namespace balint::analysis
