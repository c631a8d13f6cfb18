// Reconstruction of participant-level data from a published summary (issue 7, item 3).
//
// One block per outcome (both arms, pre and post) and one for age. The sums of each series are
// fixed by GRIM; a local search moves units between participants (and swaps post scores, which
// changes only the pre x post cross-product) until every target statistic lies inside the
// rounding interval of its printed value. The objective is lexicographic: first the squared
// distances of means, SDs and t values (cheap), then those of p values (a t-distribution tail).
#include "balint/reproduction/reconstruct.hpp"

#include "balint/analysis/data_set.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <sstream>

namespace balint::reproduction {
namespace {

using rng = boost::random::mt19937;

constexpr std::string_view note_text =
    "This is ONE of many data sets consistent with the published summary statistics, built "
    "from a random seed. It is not the trial's data and says nothing about any real "
    "participant.";

int uniform(rng& g, int lo, int hi) {
  return boost::random::uniform_int_distribution<int>(lo, hi)(g);
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.rfind("-", 0) == 0 && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

// The printed value's rounding interval, shrunk by a hair so that a value inside it prints as
// the paper's number whatever the floating-point noise of another implementation.
interval strict_interval(const cell& c) {
  const double h = c.half_unit();
  const double eps = h * 1e-6;
  return {c.value - h + eps, c.value + h - eps};
}

double penalty(double v, const interval& iv, double scale) {
  if (!std::isfinite(v)) return 1e6;
  double d = 0;
  if (v < iv.lo) d = iv.lo - v;
  if (v > iv.hi) d = v - iv.hi;
  d /= scale;
  return d * d;
}

// ---------------------------------------------------------------------------------------------
// Block model.

enum tp_index { tp_pre = 0, tp_post = 1, tp_change = 2 };
constexpr int arm_all = 2;

struct series_stats {
  long long n = 0, s = 0, q = 0;
  double mean() const { return static_cast<double>(s) / static_cast<double>(n); }
  double sd() const {
    const long long num = n * q - s * s;
    if (n < 2 || num <= 0) return 0;
    return std::sqrt(static_cast<double>(num) / static_cast<double>(n * (n - 1)));
  }
};

struct arm_data {
  int n = 0;
  int lo = 0, hi = 0;
  std::vector<int> pre, post;
  long long s_pre = 0, s_post = 0, q_pre = 0, q_post = 0, c = 0;

  void recompute() {
    s_pre = s_post = q_pre = q_post = c = 0;
    for (int i = 0; i < n; ++i) {
      s_pre += pre[i];
      q_pre += static_cast<long long>(pre[i]) * pre[i];
      if (!post.empty()) {
        s_post += post[i];
        q_post += static_cast<long long>(post[i]) * post[i];
        c += static_cast<long long>(pre[i]) * post[i];
      }
    }
  }
  series_stats stats(int tp) const {
    if (tp == tp_pre) return {n, s_pre, q_pre};
    if (tp == tp_post) return {n, s_post, q_post};
    return {n, s_post - s_pre, q_pre + q_post - 2 * c};
  }
};

struct stat_target {
  std::vector<std::string> ids;
  std::string printed;
  int decimals = 0;
  int arm = 0;  // 0, 1 or arm_all
  int tp = tp_pre;
  bool is_sd = false;
  interval iv;
  double scale = 1;
};

// t and/or p of one test (paired within an arm, or between the arms at one time point).
struct test_target {
  std::vector<std::string> t_ids, p_ids;
  std::string t_printed, p_printed;
  int t_decimals = 0, p_decimals = 0;
  bool paired = false;
  int arm = 0;  // paired: the arm
  int tp = tp_pre;
  std::optional<interval> t_iv, p_iv;
  double t_scale = 1, p_scale = 1;
  std::vector<std::string> tests;  // "paired", "student", "welch"
};

struct block {
  std::string variable;
  bool has_post = false;
  std::array<arm_data, 2> arms;
  std::vector<stat_target> stats;
  std::vector<test_target> tests;
};

double stat_value(const block& b, const stat_target& t) {
  series_stats st;
  if (t.arm == arm_all) {
    const auto a = b.arms[0].stats(t.tp), c = b.arms[1].stats(t.tp);
    st = {a.n + c.n, a.s + c.s, a.q + c.q};
  } else {
    st = b.arms[static_cast<std::size_t>(t.arm)].stats(t.tp);
  }
  return t.is_sd ? st.sd() : st.mean();
}

struct t_and_df {
  double t = 0;
  double df = 0;
};

t_and_df test_value(const block& b, const test_target& t, const std::string& test) {
  if (t.paired) {
    const auto d = b.arms[static_cast<std::size_t>(t.arm)].stats(tp_change);
    const double sd = d.sd();
    if (sd <= 0) return {std::numeric_limits<double>::infinity(), 0};
    return {paired_t(d.mean(), sd, static_cast<int>(d.n)), static_cast<double>(d.n - 1)};
  }
  const auto x = b.arms[0].stats(t.tp), y = b.arms[1].stats(t.tp);
  const double sx = x.sd(), sy = y.sd();
  if (sx <= 0 && sy <= 0) return {std::numeric_limits<double>::infinity(), 0};
  const int nx = static_cast<int>(x.n), ny = static_cast<int>(y.n);
  if (test == "welch")
    return {welch_t(x.mean(), sx, nx, y.mean(), sy, ny), welch_df(sx, nx, sy, ny)};
  return {student_t(x.mean(), sx, nx, y.mean(), sy, ny), static_cast<double>(nx + ny - 2)};
}

// Penalty of one test target for one test; with_p adds the p part (expensive).
double test_penalty(const block& b, const test_target& t, const std::string& test, bool with_p) {
  const auto [tv, df] = test_value(b, t, test);
  double p = 0;
  if (t.t_iv) p += penalty(tv, *t.t_iv, t.t_scale);
  if (with_p && t.p_iv) {
    const double pv = std::isfinite(tv) ? t_p_value(tv, df) : 0.0;
    p += penalty(pv, *t.p_iv, t.p_scale);
  }
  return p;
}

double test_target_penalty(const block& b, const test_target& t, bool with_p) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& test : t.tests) best = std::min(best, test_penalty(b, t, test, with_p));
  return best;
}

constexpr double lexicographic = 1e6;

double objective(const block& b) {
  double cheap = 0;
  for (const auto& t : b.stats) cheap += penalty(stat_value(b, t), t.iv, t.scale);
  for (const auto& t : b.tests) cheap += test_target_penalty(b, t, false);
  if (cheap > 0) return lexicographic + cheap;
  double full = 0;
  for (const auto& t : b.tests)
    if (t.p_iv) full += test_target_penalty(b, t, true);
  return std::min(full, lexicographic * 0.5);
}

// A random vector of n integers in [lo, hi] with sum s, spread about like the target SD.
std::vector<int> random_vector(rng& g, int n, int lo, int hi, long long s, double sd) {
  const double m = static_cast<double>(s) / n;
  const int w = std::max(1, static_cast<int>(std::lround(std::sqrt(3.0) * sd)));
  const int a = std::clamp(static_cast<int>(std::lround(m)) - w, lo, hi);
  const int c = std::clamp(static_cast<int>(std::lround(m)) + w, lo, hi);
  std::vector<int> x(static_cast<std::size_t>(n));
  long long sum = 0;
  for (auto& v : x) {
    v = uniform(g, a, c);
    sum += v;
  }
  while (sum != s) {
    auto& v = x[static_cast<std::size_t>(uniform(g, 0, n - 1))];
    if (sum < s && v < hi) {
      ++v;
      ++sum;
    } else if (sum > s && v > lo) {
      --v;
      --sum;
    }
  }
  return x;
}

struct search_result {
  bool met = false;
  std::size_t attempts = 0;
  std::size_t restarts = 0;
};

// Stochastic local search on the block's free values (sums stay fixed).
search_result search(block& b, const std::array<std::array<long long, 2>, 2>& sums,
                     const std::array<std::array<double, 2>, 2>& sd_hint, rng& g,
                     std::size_t max_attempts) {
  search_result r;
  auto init = [&] {
    for (std::size_t a = 0; a < 2; ++a) {
      auto& d = b.arms[a];
      d.pre = random_vector(g, d.n, d.lo, d.hi, sums[a][0], sd_hint[a][0]);
      if (b.has_post) d.post = random_vector(g, d.n, d.lo, d.hi, sums[a][1], sd_hint[a][1]);
      d.recompute();
    }
  };
  init();
  double cur = objective(b);
  double best = cur;
  std::size_t since_best = 0;
  const std::size_t stagnation = 20000;
  auto best_state = b.arms;
  double best_ever = cur;
  while (cur > 0 && r.attempts < max_attempts) {
    ++r.attempts;
    const auto a = static_cast<std::size_t>(uniform(g, 0, 1));
    auto& d = b.arms[a];
    const int i = uniform(g, 0, d.n - 1);
    int j = uniform(g, 0, d.n - 2);
    if (j >= i) ++j;
    const auto ui = static_cast<std::size_t>(i), uj = static_cast<std::size_t>(j);
    const int kind = b.has_post ? uniform(g, 0, 2) : 0;  // 0 transfer pre, 1 transfer post, 2 swap
    const long long q_pre = d.q_pre, q_post = d.q_post, c = d.c;
    auto& x = kind == 0 ? d.pre : d.post;
    const int k = kind == 2 ? 0 : uniform(g, 1, 3);
    if (kind == 2) {
      std::swap(d.post[ui], d.post[uj]);
      d.c += static_cast<long long>(d.pre[ui] - d.pre[uj]) * (d.post[ui] - d.post[uj]);
    } else {
      const auto& y = kind == 0 ? d.post : d.pre;
      if (x[ui] + k > d.hi || x[uj] - k < d.lo) continue;
      auto& q = kind == 0 ? d.q_pre : d.q_post;
      q += 2LL * k * (x[ui] - x[uj]) + 2LL * k * k;
      if (!y.empty()) d.c += static_cast<long long>(k) * (y[ui] - y[uj]);
      x[ui] += k;
      x[uj] -= k;
    }
    auto undo = [&] {
      if (kind == 2) {
        std::swap(d.post[ui], d.post[uj]);
      } else {
        x[ui] -= k;
        x[uj] += k;
      }
      d.q_pre = q_pre;
      d.q_post = q_post;
      d.c = c;
    };
    const double next = objective(b);
    if (next <= cur) {
      cur = next;
      if (cur < best) {
        best = cur;
        since_best = 0;
      }
      if (cur < best_ever) {
        best_ever = cur;
        best_state = b.arms;
      }
    } else {
      undo();
    }
    if (++since_best > stagnation && cur > 0) {
      ++r.restarts;
      init();
      cur = best = objective(b);
      since_best = 0;
    }
  }
  r.met = cur == 0;
  if (!r.met) b.arms = best_state;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Targets from the summary and the audit.

struct context {
  const summary& s;
  std::map<std::string, const cell_audit*, std::less<>> audit_of;
  std::array<std::string, 2> arms;
  std::array<int, 2> n{};
  core::json excluded = core::json::array{};
  std::set<std::string> used;  // ids of cells that are targets

  int arm_index(const std::string& arm) const {
    if (arm == arms[0]) return 0;
    if (arm == arms[1]) return 1;
    if (arm == "all") return arm_all;
    return -1;
  }
  bool consistent(const cell& c) const {
    auto it = audit_of.find(c.id);
    return it != audit_of.end() && it->second->verdict == verdict::consistent;
  }
  std::vector<std::string> consistent_with(const cell& c) const {
    auto it = audit_of.find(c.id);
    return it == audit_of.end() ? std::vector<std::string>{} : it->second->consistent_with;
  }
};

int tp_of(const std::string& tp) {
  if (tp == "post") return tp_post;
  if (tp == "change") return tp_change;
  if (tp == "pre" || tp == "baseline" || tp.empty()) return tp_pre;
  return -1;
}

void intersect(interval& a, const interval& b) {
  a.lo = std::max(a.lo, b.lo);
  a.hi = std::min(a.hi, b.hi);
}

// Collects the stat and test targets of one variable from the consistent cells.
void collect_targets(context& cx, block& b) {
  for (const auto& c : cx.s.cells) {
    if (c.variable != b.variable || !cx.consistent(c)) continue;
    const int arm = cx.arm_index(c.arm);
    const int tp = tp_of(c.timepoint);
    if (c.stat == "mean" || c.stat == "sd") {
      if (arm < 0 || tp < 0 || (tp != tp_pre && !b.has_post)) continue;
      const bool is_sd = c.stat == "sd";
      auto it = std::find_if(b.stats.begin(), b.stats.end(), [&](const stat_target& t) {
        return t.arm == arm && t.tp == tp && t.is_sd == is_sd;
      });
      if (it == b.stats.end()) {
        b.stats.push_back(
            {{}, c.printed, c.decimals, arm, tp, is_sd, strict_interval(c), c.half_unit()});
        it = std::prev(b.stats.end());
      } else {
        intersect(it->iv, strict_interval(c));
        it->scale = std::min(it->scale, c.half_unit());
      }
      it->ids.push_back(c.id);
      cx.used.insert(c.id);
    } else if ((c.stat == "t" || c.stat == "p") &&
               (c.test == "paired_t" || c.test == "independent_t")) {
      const bool paired = c.test == "paired_t";
      if (paired && (arm < 0 || arm == arm_all || !b.has_post)) continue;
      const int ttp = paired ? tp_change : tp;
      if (ttp < 0 || ttp == tp_post || (ttp == tp_change && !b.has_post)) continue;
      auto it = std::find_if(b.tests.begin(), b.tests.end(), [&](const test_target& t) {
        return t.paired == paired && (paired ? t.arm == arm : t.tp == ttp);
      });
      if (it == b.tests.end()) {
        test_target t;
        t.paired = paired;
        t.arm = paired ? arm : 0;
        t.tp = ttp;
        if (paired)
          t.tests = {"paired"};
        else
          t.tests = {"student", "welch"};
        b.tests.push_back(t);
        it = std::prev(b.tests.end());
      }
      const bool is_t = c.stat == "t";
      auto& iv = is_t ? it->t_iv : it->p_iv;
      if (iv)
        intersect(*iv, strict_interval(c));
      else
        iv = strict_interval(c);
      (is_t ? it->t_scale : it->p_scale) = c.half_unit();
      (is_t ? it->t_ids : it->p_ids).push_back(c.id);
      (is_t ? it->t_printed : it->p_printed) = c.printed;
      (is_t ? it->t_decimals : it->p_decimals) = c.decimals;
      if (!paired) {
        // Keep only the tests the audit found consistent for every cell of this comparison.
        const auto with = cx.consistent_with(c);
        std::vector<std::string> keep;
        for (const auto& t : it->tests)
          if (with.empty() || std::find(with.begin(), with.end(), t) != with.end())
            keep.push_back(t);
        if (!keep.empty()) it->tests = keep;
      }
      cx.used.insert(c.id);
    }
  }
}

// GRIM sums of a stat target, or nullopt when there is no mean target.
std::optional<std::vector<long>> sums_for(const block& b, int arm, int tp, int n) {
  for (const auto& t : b.stats)
    if (t.arm == arm && t.tp == tp && !t.is_sd) {
      const double v = std::stod(t.printed);
      return grim_sums(v, t.decimals, n);
    }
  return std::nullopt;
}

double sd_hint_for(const block& b, int arm, int tp, int lo, int hi) {
  for (const auto& t : b.stats)
    if (t.arm == arm && t.tp == tp && t.is_sd) return (t.iv.lo + t.iv.hi) / 2;
  return (hi - lo) / 4.0;
}

bool in(const std::vector<long>& v, long x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// Picks the sums of every series at random among the combinations GRIM allows, or explains why
// there is none.
std::optional<std::string> choose_sums(const block& b, rng& g,
                                       std::array<std::array<long long, 2>, 2>& sums) {
  std::array<std::array<std::vector<long>, 2>, 2> cand;
  for (int a = 0; a < 2; ++a) {
    const auto& d = b.arms[static_cast<std::size_t>(a)];
    const long lo = static_cast<long>(d.n) * d.lo, hi = static_cast<long>(d.n) * d.hi;
    for (int tp = 0; tp < (b.has_post ? 2 : 1); ++tp) {
      auto sums_opt = sums_for(b, a, tp, d.n);
      std::vector<long> c;
      if (sums_opt) {
        for (long x : *sums_opt)
          if (x >= lo && x <= hi) c.push_back(x);
      } else {
        c.push_back((lo + hi) / 2);  // no consistent mean: the middle of the scale
      }
      cand[static_cast<std::size_t>(a)][static_cast<std::size_t>(tp)] = c;
    }
  }
  const auto all = sums_for(b, arm_all, tp_pre, b.arms[0].n + b.arms[1].n);
  std::array<std::optional<std::vector<long>>, 2> change{
      b.has_post ? sums_for(b, 0, tp_change, b.arms[0].n) : std::nullopt,
      b.has_post ? sums_for(b, 1, tp_change, b.arms[1].n) : std::nullopt};
  std::vector<std::array<std::array<long long, 2>, 2>> ok;
  const auto& c0 = cand[0];
  const auto& c1 = cand[1];
  const std::vector<long> none{0};
  for (long a0 : c0[0])
    for (long b0 : b.has_post ? c0[1] : none)
      for (long a1 : c1[0])
        for (long b1 : b.has_post ? c1[1] : none) {
          if (ok.size() > 10000) break;
          if (change[0] && !in(*change[0], b0 - a0)) continue;
          if (change[1] && !in(*change[1], b1 - a1)) continue;
          if (all && !in(*all, a0 + a1)) continue;
          ok.push_back({{{a0, b0}, {a1, b1}}});
        }
  if (ok.empty())
    return "no integer sums satisfy the printed means of " + b.variable +
           " (pre, post, change and overall) together";
  sums = ok[static_cast<std::size_t>(uniform(g, 0, static_cast<int>(ok.size()) - 1))];
  return std::nullopt;
}

// Uniform random composition of `sum` into k parts each in [lo, hi].
std::vector<int> split(rng& g, int sum, int k, int lo, int hi) {
  const int span = hi - lo;
  const int r = sum - k * lo;
  // ways[m][s]: compositions of s into m parts in [0, span].
  std::vector<std::vector<double>> ways(static_cast<std::size_t>(k) + 1,
                                        std::vector<double>(static_cast<std::size_t>(r) + 1, 0));
  ways[0][0] = 1;
  for (int m = 1; m <= k; ++m)
    for (int s = 0; s <= r; ++s)
      for (int v = 0; v <= span && v <= s; ++v)
        ways[static_cast<std::size_t>(m)][static_cast<std::size_t>(s)] +=
            ways[static_cast<std::size_t>(m - 1)][static_cast<std::size_t>(s - v)];
  std::vector<int> out;
  int left = r;
  for (int m = k; m >= 1; --m) {
    const auto total = static_cast<unsigned long long>(
        ways[static_cast<std::size_t>(m)][static_cast<std::size_t>(left)]);
    auto pick = boost::random::uniform_int_distribution<unsigned long long>(0, total - 1)(g);
    int v = 0;
    for (;; ++v) {
      const auto w = static_cast<unsigned long long>(
          ways[static_cast<std::size_t>(m - 1)][static_cast<std::size_t>(left - v)]);
      if (pick < w) break;
      pick -= w;
    }
    out.push_back(lo + v);
    left -= v;
  }
  return out;
}

// MBI-HSS item keys (1-based) and the categorical post-programme questions.
const std::vector<int> ee_items{1, 2, 3, 6, 8, 13, 14, 16, 20};
const std::vector<int> dp_items{5, 10, 11, 15, 22};
const std::vector<int> pa_items{4, 7, 9, 12, 17, 18, 19, 21};

struct categorical_question {
  std::string variable;
  bool achievement;  // achievements instrument, else satisfaction
  int item;
};
const std::vector<categorical_question> categorical{{"achievement_reduce_pressure", true, 1},
                                                    {"achievement_understood_supported", true, 2},
                                                    {"achievement_empathy", true, 3},
                                                    {"achievement_communication", true, 4},
                                                    {"achievement_occupational_identity", true, 5},
                                                    {"satisfaction_activity_time", false, 1},
                                                    {"satisfaction_group_size", false, 2},
                                                    {"satisfaction_group_leaders", false, 3},
                                                    {"satisfaction_group_atmosphere", false, 4}};
// Answer 1-5 of a category key (the id part after the variable).
int category_value(const std::string& key) {
  static const std::map<std::string, int, std::less<>> values{
      {"none", 1},      {"little", 2}, {"neutral", 3}, {"helpful", 4}, {"extremely", 5},
      {"ext_unsat", 1}, {"unsat", 2},  {"sat", 4},     {"ext_sat", 5}};
  auto it = values.find(key);
  return it == values.end() ? 0 : it->second;
}

std::string category_key(const std::string& id) {
  // "T5.reduce_pressure.none.n" -> "none"
  const auto last = id.rfind('.');
  if (last == std::string::npos || last == 0) return {};
  const auto prev = id.rfind('.', last - 1);
  if (prev == std::string::npos) return {};
  return id.substr(prev + 1, last - prev - 1);
}

core::json cell_entry(const std::vector<std::string>& ids, const std::string& printed,
                      const std::string& reconstructed, bool met) {
  core::json j;
  j["ids"] = core::json::array(ids.begin(), ids.end());
  j["printed"] = printed;
  j["reconstructed"] = reconstructed;
  j["met"] = met;
  return j;
}

bool prints_as(double v, int decimals, const std::string& printed) {
  return fixed(v, decimals) == printed;
}

}  // namespace

core::result<reconstruction> reconstruct(const summary& s, const audit_report& audit,
                                         const reconstruction_options& options) {
  if (s.design.n_per_arm.size() != 2)
    return core::invalid_input("design.n_per_arm",
                               "reconstruction needs a design with exactly two arms, not " +
                                   std::to_string(s.design.n_per_arm.size()) + ".");
  context cx{s, {}, {}, {}, core::json::array{}, {}};
  for (const auto& c : audit.cells) cx.audit_of[c.id] = &c;
  {
    auto it = s.design.n_per_arm.find("intervention");
    if (it == s.design.n_per_arm.end()) it = s.design.n_per_arm.begin();
    cx.arms[0] = it->first;
    for (const auto& [arm, n] : s.design.n_per_arm)
      if (arm != cx.arms[0]) cx.arms[1] = arm;
    for (std::size_t a = 0; a < 2; ++a) {
      cx.n[a] = *s.design.n_of(cx.arms[a]);
      if (cx.n[a] < 2 || cx.n[a] > 10000)
        return core::invalid_input("design.n_per_arm." + cx.arms[a],
                                   "an arm needs 2 to 10000 participants to reconstruct, not " +
                                       std::to_string(cx.n[a]) + ".");
    }
  }

  rng g(options.seed);
  reconstruction out;
  out.seed = options.seed;
  core::json cells = core::json::array{};

  // Participants: arms[0] first.
  for (std::size_t a = 0; a < 2; ++a)
    for (int i = 0; i < cx.n[a]; ++i) {
      reconstructed_participant p;
      char id[16];
      std::snprintf(id, sizeof id, "P%02zu", out.participants.size() + 1);
      p.id = id;
      p.arm = cx.arms[a];
      out.participants.push_back(std::move(p));
    }
  auto participant = [&](std::size_t a, int i) -> reconstructed_participant& {
    return out.participants[(a == 0 ? 0 : static_cast<std::size_t>(cx.n[0])) +
                            static_cast<std::size_t>(i)];
  };

  // Blocks: the scored outcomes (pre and post) and age (one time point).
  struct block_spec {
    std::string variable;
    bool has_post;
    int lo, hi;
  };
  std::vector<block_spec> specs;
  for (const auto id : analysis::outcome_ids) {
    auto it = s.design.instruments.find(id);
    if (it == s.design.instruments.end() || !it->second.item_min || !it->second.item_max) {
      out.unmet.push_back(std::string(id) +
                          ": the design block gives no item range for this instrument, so its "
                          "scores were not reconstructed.");
      continue;
    }
    const int k = it->second.items;
    specs.push_back({std::string(id), true, k * static_cast<int>(*it->second.item_min),
                     k * static_cast<int>(*it->second.item_max)});
  }
  specs.push_back({"age", false, 0, 150});

  std::map<std::string, block, std::less<>> done;
  for (const auto& spec : specs) {
    block b;
    b.variable = spec.variable;
    b.has_post = spec.has_post;
    for (std::size_t a = 0; a < 2; ++a) {
      b.arms[a].n = cx.n[a];
      b.arms[a].lo = spec.lo;
      b.arms[a].hi = spec.hi;
    }
    collect_targets(cx, b);
    std::array<std::array<long long, 2>, 2> sums{};
    if (auto why = choose_sums(b, g, sums)) {
      for (const auto& t : b.stats)
        for (const auto& id : t.ids) out.unmet.push_back(id + ": " + *why + ".");
      // Still produce data: the middle of the scale.
      for (std::size_t a = 0; a < 2; ++a)
        for (std::size_t tp = 0; tp < 2; ++tp)
          sums[a][tp] = static_cast<long long>(cx.n[a]) * ((spec.lo + spec.hi) / 2);
    }
    std::array<std::array<double, 2>, 2> hint{};
    for (std::size_t a = 0; a < 2; ++a)
      for (int tp = 0; tp < 2; ++tp)
        hint[a][static_cast<std::size_t>(tp)] =
            sd_hint_for(b, static_cast<int>(a), tp, spec.lo, spec.hi);
    const auto r = search(b, sums, hint, g, options.max_attempts);
    out.attempts += r.attempts;
    out.restarts += r.restarts;

    // Report every target, met or not.
    for (const auto& t : b.stats) {
      const double v = stat_value(b, t);
      const bool met = prints_as(v, t.decimals, t.printed);
      cells.push_back(cell_entry(t.ids, t.printed, fixed(v, t.decimals), met));
      if (!met)
        for (const auto& id : t.ids)
          out.unmet.push_back(id + ": no data set found within " +
                              std::to_string(options.max_attempts) +
                              " search moves meets it jointly with the other " + b.variable +
                              " targets (reconstructed " + fixed(v, t.decimals) + ").");
    }
    for (const auto& t : b.tests) {
      // The first test that meets both t and p, else the best.
      std::string chosen = t.tests.front();
      for (const auto& test : t.tests)
        if (test_penalty(b, t, test, true) == 0) {
          chosen = test;
          break;
        }
      const auto [tv, df] = test_value(b, t, chosen);
      const double pv = std::isfinite(tv) ? t_p_value(tv, df) : 0.0;
      auto report = [&](const std::vector<std::string>& ids, const std::string& printed,
                        int decimals, double v) {
        if (ids.empty()) return;
        const bool met = prints_as(v, decimals, printed);
        auto e = cell_entry(ids, printed, fixed(v, decimals), met);
        e["test"] = chosen;
        cells.push_back(std::move(e));
        if (!met)
          for (const auto& id : ids)
            out.unmet.push_back(id + ": no data set found within " +
                                std::to_string(options.max_attempts) + " search moves gives this " +
                                chosen + " statistic (reconstructed " + fixed(v, decimals) + ").");
      };
      report(t.t_ids, t.t_printed, t.t_decimals, tv);
      report(t.p_ids, t.p_printed, t.p_decimals, pv);
    }
    done[b.variable] = std::move(b);
  }

  // Scores and items into the participants.
  for (const auto& [variable, b] : done) {
    for (std::size_t a = 0; a < 2; ++a)
      for (int i = 0; i < cx.n[a]; ++i) {
        auto& p = participant(a, i);
        const auto ui = static_cast<std::size_t>(i);
        if (variable == "age") {
          p.age = b.arms[a].pre[ui];
          continue;
        }
        const auto& inst = s.design.instruments.find(variable)->second;
        const int lo = static_cast<int>(*inst.item_min), hi = static_cast<int>(*inst.item_max);
        for (int tp = 0; tp < 2; ++tp) {
          const int sum = tp == 0 ? b.arms[a].pre[ui] : b.arms[a].post[ui];
          const auto parts = split(g, sum, inst.items, lo, hi);
          if (variable == "msq") {
            auto& dst = tp == 0 ? p.msq_pre : p.msq_post;
            for (std::size_t k = 0; k < parts.size() && k < dst.size(); ++k) dst[k] = parts[k];
          } else {
            const auto& keys = variable == "ee" ? ee_items : variable == "dp" ? dp_items : pa_items;
            auto& dst = tp == 0 ? p.mbi_pre : p.mbi_post;
            for (std::size_t k = 0; k < parts.size() && k < keys.size(); ++k)
              dst[static_cast<std::size_t>(keys[k] - 1)] = parts[k];
          }
        }
      }
  }

  // Gender: the arm's printed counts, in random order.
  for (std::size_t a = 0; a < 2; ++a) {
    std::optional<int> male, female;
    std::vector<std::string> ids;
    for (const auto& c : s.cells) {
      if (c.arm != cx.arms[a] || c.stat != "count" || !cx.consistent(c)) continue;
      if (c.variable == "gender_male")
        male = static_cast<int>(c.value);
      else if (c.variable == "gender_female")
        female = static_cast<int>(c.value);
      else
        continue;
      ids.push_back(c.id);
      cx.used.insert(c.id);
    }
    const int n = cx.n[a];
    if (male && !female) female = n - *male;
    if (female && !male) male = n - *female;
    std::vector<std::string> g_of(static_cast<std::size_t>(n), "F");
    if (!male || *male < 0 || *male > n || *male + *female != n) {
      out.unmet.push_back(cx.arms[a] +
                          " gender: no consistent male and female counts adding up to the arm's "
                          "n; genders alternate M, F.");
      for (int i = 0; i < n; i += 2) g_of[static_cast<std::size_t>(i)] = "M";
    } else {
      for (int i = 0; i < *male; ++i) g_of[static_cast<std::size_t>(i)] = "M";
      for (int i = n - 1; i > 0; --i)
        std::swap(g_of[static_cast<std::size_t>(i)],
                  g_of[static_cast<std::size_t>(uniform(g, 0, i))]);
      cells.push_back(
          cell_entry(ids, std::to_string(*male) + " M / " + std::to_string(*female) + " F",
                     std::to_string(*male) + " M / " + std::to_string(*female) + " F", true));
    }
    for (int i = 0; i < n; ++i) participant(a, i).gender = g_of[static_cast<std::size_t>(i)];
  }

  // Post-programme questions: the printed counts of each answer, in random order.
  for (std::size_t a = 0; a < 2; ++a) {
    bool any = false;
    std::vector<int> ach(5, 0), sat(4, 0);
    std::vector<std::vector<int>> ach_answers(5), sat_answers(4);
    for (const auto& q : categorical) {
      std::vector<int> answers;
      std::vector<std::string> ids;
      bool asked = false;
      for (const auto& c : s.cells) {
        if (c.variable != q.variable || c.arm != cx.arms[a] || c.stat != "count") continue;
        asked = true;
        if (!cx.consistent(c)) continue;
        const int v = category_value(category_key(c.id));
        if (v == 0) continue;
        for (int k = 0; k < static_cast<int>(c.value); ++k) answers.push_back(v);
        ids.push_back(c.id);
      }
      if (!asked) continue;
      any = true;
      const int n = cx.n[a];
      if (static_cast<int>(answers.size()) != n) {
        for (const auto& id : ids)
          out.unmet.push_back(id + ": the consistent answer counts of " + q.variable +
                              " add up to " + std::to_string(answers.size()) + ", not the arm's " +
                              std::to_string(n) + "; answers were not reconstructed.");
        continue;
      }
      for (const auto& id : ids) cx.used.insert(id);
      for (int i = n - 1; i > 0; --i)
        std::swap(answers[static_cast<std::size_t>(i)],
                  answers[static_cast<std::size_t>(uniform(g, 0, i))]);
      (q.achievement ? ach_answers : sat_answers)[static_cast<std::size_t>(q.item - 1)] = answers;
      cells.push_back(cell_entry(ids, q.variable + " counts", q.variable + " counts", true));
    }
    if (!any) continue;
    for (int i = 0; i < cx.n[a]; ++i) {
      auto& p = participant(a, i);
      auto fill = [&](const std::vector<std::vector<int>>& src, std::vector<int>& dst) {
        bool complete = true;
        for (const auto& v : src) complete = complete && !v.empty();
        if (!complete) return;
        for (const auto& v : src) dst.push_back(v[static_cast<std::size_t>(i)]);
      };
      fill(ach_answers, p.achievements);
      fill(sat_answers, p.satisfaction);
    }
  }

  // Sessions attended: the design's session count for the arm that had them.
  for (const auto& c : s.cells) {
    if (c.variable != "design_sessions" || c.stat != "count") continue;
    const int a = cx.arm_index(c.arm);
    if (a < 0 || a == arm_all) continue;
    for (int i = 0; i < cx.n[static_cast<std::size_t>(a)]; ++i)
      participant(static_cast<std::size_t>(a), i).sessions_attended = static_cast<int>(c.value);
    break;
  }

  // Cells left out: the audit's inconsistent ones (with its reason) and consistent ones that
  // are no target of the reconstruction.
  core::json not_reconstructed = core::json::array{}, follows = core::json::array{};
  for (const auto& c : s.cells) {
    auto it = cx.audit_of.find(c.id);
    if (it == cx.audit_of.end()) continue;
    if (it->second->verdict == verdict::inconsistent) {
      core::json e;
      e["id"] = c.id;
      e["printed"] = c.printed;
      e["verdict"] = "inconsistent";
      std::string why;
      for (const auto& ch : it->second->checks)
        if (ch.verdict == verdict::inconsistent) {
          if (!why.empty()) why += " ";
          why += ch.reason;
        }
      e["reason"] = why;
      cx.excluded.push_back(std::move(e));
    } else if (it->second->verdict == verdict::consistent && !cx.used.count(c.id)) {
      // Percentages, chi-squares and n's of the reconstructed counts hold by construction.
      const bool counted = c.stat == "n" || c.variable.rfind("gender", 0) == 0 ||
                           c.variable.rfind("achievement_", 0) == 0 ||
                           c.variable.rfind("satisfaction_", 0) == 0 || c.variable == "all";
      (counted ? follows : not_reconstructed).push_back(c.id);
    }
  }

  out.targets["note"] = std::string(note_text);
  out.targets["seed"] = static_cast<unsigned long>(options.seed);
  out.targets["cells"] = std::move(cells);
  out.targets["excluded"] = std::move(cx.excluded);
  out.targets["follows_from_counts"] = std::move(follows);
  out.targets["not_reconstructed"] = std::move(not_reconstructed);
  return out;
}

std::string wide_csv(const reconstruction& r, const std::map<std::string, std::string>& arm_ids) {
  std::ostringstream o;
  o << analysis::wide_csv_header << '\n';
  auto sum = [](const auto& items, const std::vector<int>& keys) {
    int s = 0;
    for (int k : keys) s += items[static_cast<std::size_t>(k - 1)];
    return s;
  };
  auto total = [](const auto& items) {
    int s = 0;
    for (int v : items) s += v;
    return s;
  };
  for (const auto& p : r.participants) {
    auto it = arm_ids.find(p.arm);
    o << p.id << ',' << (it == arm_ids.end() ? p.arm : it->second) << ',' << p.age << ','
      << p.gender << ',' << sum(p.mbi_pre, ee_items) << ',' << sum(p.mbi_post, ee_items) << ','
      << sum(p.mbi_pre, dp_items) << ',' << sum(p.mbi_post, dp_items) << ','
      << sum(p.mbi_pre, pa_items) << ',' << sum(p.mbi_post, pa_items) << ',' << total(p.msq_pre)
      << ',' << total(p.msq_post) << ',';
    if (p.sessions_attended) o << *p.sessions_attended;
    o << '\n';
  }
  return o.str();
}

std::string items_csv(const reconstruction& r) {
  std::ostringstream o;
  o << "participant,timepoint,instrument,item,value\n";
  auto write = [&](const std::string& id, const char* tp, const char* inst, const auto& items) {
    int k = 1;
    for (int v : items) o << id << ',' << tp << ',' << inst << ',' << k++ << ',' << v << '\n';
  };
  for (const auto& p : r.participants) {
    write(p.id, "pre", "mbi-hss", p.mbi_pre);
    write(p.id, "pre", "msq", p.msq_pre);
    write(p.id, "post", "mbi-hss", p.mbi_post);
    write(p.id, "post", "msq", p.msq_post);
    if (!p.achievements.empty()) write(p.id, "post", "achievements", p.achievements);
    if (!p.satisfaction.empty()) write(p.id, "post", "satisfaction", p.satisfaction);
  }
  return o.str();
}

core::json to_json(const reconstruction& r) {
  core::json j;
  j["seed"] = static_cast<unsigned long>(r.seed);
  j["note"] = std::string(note_text);
  j["attempts"] = r.attempts;
  j["restarts"] = r.restarts;
  j["unmet"] = core::json::array(r.unmet.begin(), r.unmet.end());
  j["targets"] = r.targets;
  return j;
}

}  // namespace balint::reproduction
