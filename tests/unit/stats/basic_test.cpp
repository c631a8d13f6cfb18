#include "balint/core/json.hpp"
#include "balint/stats/contingency.hpp"
#include "balint/stats/correlation.hpp"
#include "balint/stats/descriptive.hpp"
#include "balint/stats/power.hpp"
#include "balint/stats/regression.hpp"
#include "balint/stats/ttest.hpp"
#include "balint/stats/variance.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace balint;
using namespace balint::stats;

namespace {

constexpr double tight = 1e-9;  // descriptives, statistics, df, differences
constexpr double loose = 1e-6;  // p-values and confidence limits
constexpr double floor_abs = 1e-12;

const core::json& fixture() {
  static const core::json doc = [] {
    std::ifstream in(std::string(BALINT_SOURCE_DIR) + "/tests/data/r/stats_basic.json");
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = core::parse_json(text.str());
    REQUIRE(parsed.has_value());
    return std::move(parsed).value();
  }();
  return doc;
}

std::vector<double> numbers(const core::json& a) {
  std::vector<double> out;
  for (const auto& v : a.as_array()) out.push_back(v.as_double());
  return out;
}

const core::json& at(const core::json& j, std::string_view key) {
  const core::json* v = j.find(key);
  REQUIRE_MESSAGE(v != nullptr, "missing key ", std::string(key));
  return *v;
}

bool expects_error(const core::json& j) {
  const core::json* e = j.find("error");
  return e != nullptr && e->is_bool() && e->as_bool();
}

/// The largest relative error seen per statistic, printed at the end of the fixture test.
std::map<std::string, double>& worst() {
  static std::map<std::string, double> w;
  return w;
}

void close(double actual, const core::json& expected_json, double tolerance,
           const std::string& what) {
  const double expected = expected_json.as_double();
  const double err = std::fabs(actual - expected);
  const double rel = err / std::max(std::fabs(expected), floor_abs);
  const std::string stat = what.substr(what.rfind(' ') + 1);
  worst()[stat] = std::max(worst()[stat], rel);
  CHECK_MESSAGE((err <= tolerance * std::fabs(expected) || err <= floor_abs), what, ": C++ ",
                actual, " vs R ", expected, " (relative error ", rel, ")");
}

/// When R gave no value, C++ must refuse too, with a message (true: nothing more to compare);
/// otherwise C++ must give a value.
template <class T>
bool refused_like_r(const core::result<T>& r, const core::json& expected, const std::string& what) {
  if (expects_error(expected)) {
    CHECK_MESSAGE(!r.has_value(), what, ": R has no value, C++ gave one");
    if (!r.has_value()) CHECK(!r.error().message.empty());
    return true;
  }
  REQUIRE_MESSAGE(r.has_value(), what, ": ", r.has_value() ? "" : r.error().message);
  return false;
}

void check_t(const core::result<t_result>& r, const core::json& expected, const std::string& what) {
  if (refused_like_r(r, expected, what)) return;
  close(r->t, at(expected, "t"), tight, what + " t");
  close(r->df, at(expected, "df"), tight, what + " df");
  close(r->diff, at(expected, "diff"), tight, what + " diff");
  close(r->p, at(expected, "p"), loose, what + " p");
  close(r->ci.low, at(expected, "ci_low"), loose, what + " ci");
  close(r->ci.high, at(expected, "ci_high"), loose, what + " ci");
}

void check_f(const core::result<f_result>& r, const core::json& expected, const std::string& what) {
  if (refused_like_r(r, expected, what)) return;
  close(r->F, at(expected, "F"), tight, what + " F");
  close(r->df1, at(expected, "df1"), tight, what + " df");
  close(r->df2, at(expected, "df2"), tight, what + " df");
  close(r->p, at(expected, "p"), loose, what + " p");
}

void check_correlation(const core::result<correlation_result>& r, const core::json& expected,
                       const std::string& what) {
  if (refused_like_r(r, expected, what)) return;
  close(r->r, at(expected, "r"), tight, what + " r");
  close(r->p, at(expected, "p"), loose, what + " p");
}

/// Prints the largest relative error per statistic seen so far (each test case may run in its
/// own process under ctest, so every fixture case reports its own).
void report_worst() {
  std::ostringstream out;
  out << std::scientific << std::setprecision(2);
  for (const auto& [stat, err] : worst()) out << "\n  " << stat << ": " << err;
  MESSAGE("largest relative error vs R per statistic:", out.str());
}

bool contains(const core::error& e, std::string_view words) {
  return e.message.find(words) != std::string::npos;
}

}  // namespace

TEST_SUITE("stats") {
  TEST_CASE("the fixture records how it was made") {
    const auto& by = at(fixture(), "generated_by");
    CHECK(at(by, "r").as_string().find("R version") == 0);
    CHECK(at(at(by, "packages"), "car").is_string());
    CHECK(at(fixture(), "datasets").as_array().size() >= 10);
  }

  TEST_CASE("every statistic of every data set agrees with R") {
    for (const auto& set : at(fixture(), "datasets").as_array()) {
      const std::string name = at(set, "name").as_string();
      CAPTURE(name);
      const auto x_pre = numbers(at(set, "x_pre"));
      const auto x_post = numbers(at(set, "x_post"));
      const auto y_pre = numbers(at(set, "y_pre"));
      const auto y_post = numbers(at(set, "y_post"));
      std::vector<double> x_change(x_pre.size());
      std::vector<double> y_change(y_pre.size());
      for (std::size_t i = 0; i < x_pre.size(); ++i) x_change[i] = x_post[i] - x_pre[i];
      for (std::size_t i = 0; i < y_pre.size(); ++i) y_change[i] = y_post[i] - y_pre[i];

      const std::map<std::string, const std::vector<double>*> columns = {
          {"x_pre", &x_pre},   {"x_post", &x_post},     {"y_pre", &y_pre},
          {"y_post", &y_post}, {"x_change", &x_change}, {"y_change", &y_change}};
      for (const auto& [key, expected] : at(set, "describe").as_object()) {
        const auto s = describe(*columns.at(key));
        REQUIRE(s.has_value());
        CHECK(s->n == static_cast<std::size_t>(at(expected, "n").as_int()));
        close(s->mean, at(expected, "mean"), tight, name + " " + key + " mean");
        close(s->sd, at(expected, "sd"), tight, name + " " + key + " sd");
      }
      for (const auto& [key, expected] : at(set, "median").as_object()) {
        close(median(*columns.at(key)), expected, tight, name + " " + key + " median");
      }

      check_t(student_t(x_pre, y_pre), at(set, "baseline_student"), name + " baseline student");
      check_t(welch_t(x_pre, y_pre), at(set, "baseline_welch"), name + " baseline welch");
      check_t(student_t(x_change, y_change), at(set, "change_student"), name + " change student");
      check_t(welch_t(x_change, y_change), at(set, "change_welch"), name + " change welch");
      check_t(paired_t(x_post, x_pre), at(set, "paired_x"), name + " x paired");
      check_t(paired_t(y_post, y_pre), at(set, "paired_y"), name + " y paired");
      check_f(levene(x_change, y_change, false), at(set, "levene_mean"), name + " levene_mean");
      check_f(levene(x_change, y_change, true), at(set, "levene_median"), name + " levene_median");

      std::vector<double> pre = x_pre;
      pre.insert(pre.end(), y_pre.begin(), y_pre.end());
      std::vector<double> post = x_post;
      post.insert(post.end(), y_post.begin(), y_post.end());
      std::vector<int> group(x_pre.size(), 1);
      group.resize(pre.size(), 0);
      const auto a = ancova(post, pre, group);
      const auto& expected = at(set, "ancova");
      if (expects_error(expected)) {
        CHECK_MESSAGE(!a.has_value(), name, " ancova: R has no value, C++ gave one");
      } else {
        REQUIRE_MESSAGE(a.has_value(), name, " ancova: ", a.has_value() ? "" : a.error().message);
        close(a->diff, at(expected, "diff"), tight, name + " ancova diff");
        close(a->se, at(expected, "se"), tight, name + " ancova se");
        close(a->t, at(expected, "t"), tight, name + " ancova t");
        close(a->df, at(expected, "df"), tight, name + " ancova df");
        close(a->p, at(expected, "p"), loose, name + " ancova p");
        close(a->ci.low, at(expected, "ci_low"), loose, name + " ancova ci");
        close(a->ci.high, at(expected, "ci_high"), loose, name + " ancova ci");
      }

      check_correlation(pearson(pre, post), at(set, "pearson"), name + " pearson");
      check_correlation(spearman(pre, post), at(set, "spearman"), name + " spearman");
    }
    report_worst();
  }

  TEST_CASE("2x2 tables: chi-square and Fisher agree with R") {
    for (const auto& t : at(fixture(), "tables").as_array()) {
      const long a = static_cast<long>(at(t, "a").as_int());
      const long b = static_cast<long>(at(t, "b").as_int());
      const long c = static_cast<long>(at(t, "c").as_int());
      const long d = static_cast<long>(at(t, "d").as_int());
      const std::string what = "table " + std::to_string(a) + "," + std::to_string(b) + "," +
                               std::to_string(c) + "," + std::to_string(d);
      const auto chi = pearson_chi2_2x2(a, b, c, d);
      const auto& expected = at(t, "chi2");
      if (expects_error(expected)) {
        REQUIRE_FALSE(chi.has_value());
        CHECK(contains(chi.error(), "total is 0"));
      } else {
        REQUIRE(chi.has_value());
        close(chi->chi2, at(expected, "chi2"), tight, what + " chi2");
        close(chi->df, at(expected, "df"), tight, what + " df");
        close(chi->p, at(expected, "p"), loose, what + " p");
      }
      const auto f = fisher_exact_2x2(a, b, c, d);
      REQUIRE(f.has_value());
      close(*f, at(t, "fisher_p"), loose, what + " fisher_p");
    }
    report_worst();
  }

  TEST_CASE("sample size for 80% power agrees with pwr.t.test") {
    for (const auto& p : at(fixture(), "power").as_array()) {
      const double d = at(p, "d").as_double();
      CAPTURE(d);
      const auto n = n_per_arm_80(d);
      REQUIRE(n.has_value());
      CHECK(*n == at(p, "n_per_arm_80").as_int());
    }
  }

  TEST_CASE("undefined statistics are errors in plain words, never NaN") {
    const std::vector<double> empty;
    const std::vector<double> one = {3};
    const std::vector<double> twos = {2, 2, 2};
    const std::vector<double> fives = {5, 5};
    const std::vector<double> some = {1, 4, 2, 8};

    SUBCASE("descriptives") {
      CHECK(contains(describe(empty).error(), "no values"));
      CHECK(contains(describe(one).error(), "only 1 value"));
      const std::vector<double> bad = {1, std::nan("")};
      CHECK(contains(describe(bad).error(), "not a finite number"));
      CHECK(describe(twos)->sd == 0);
      CHECK(median({3, 1, 2}) == 2);
      CHECK(median({4, 1, 3, 2}) == 2.5);
    }
    SUBCASE("t-tests") {
      const auto s = student_t(twos, fives);
      REQUIRE_FALSE(s.has_value());
      CHECK(s.error().message == "the standard deviation is 0 in both groups, so t is undefined");
      CHECK(s.error().code == core::error_code::invalid_input);
      CHECK(contains(student_t(empty, some).error(), "first group has no values"));
      CHECK(contains(welch_t(some, one).error(), "at least 2 in each group"));
      CHECK(contains(welch_t(twos, fives).error(), "standard deviation is 0 in both groups"));
      // One constant group is fine (R gives Welch df = n - 1 of the other group).
      const auto w = welch_t(twos, some);
      REQUIRE(w.has_value());
      CHECK(w->df == doctest::Approx(3));
      // R's pooled t.test allows a group of 1 when the other has 2 or more.
      CHECK(student_t(one, some).has_value());
      CHECK(contains(paired_t(some, twos).error(), "pairs need both"));
      CHECK(contains(paired_t(one, one).error(), "needs at least 2"));
      const std::vector<double> plus3 = {4, 7, 5, 11};
      CHECK(contains(paired_t(plus3, some).error(), "same amount"));
      CHECK(contains(paired_t(some, some).error(), "same amount"));
    }
    SUBCASE("Levene") {
      const std::vector<double> a = {1, 3};
      const std::vector<double> b = {2, 7};
      CHECK(contains(levene(a, b, true).error(), "do not vary within the groups"));
      CHECK(contains(levene(one, some, false).error(), "fewer than 2"));
    }
    SUBCASE("contingency") {
      CHECK(contains(pearson_chi2_2x2(0, 0, 3, 4).error(), "total is 0"));
      CHECK(contains(pearson_chi2_2x2(-1, 2, 3, 4).error(), "negative"));
      CHECK(contains(fisher_exact_2x2(1, 2, -3, 4).error(), "negative"));
      CHECK(*fisher_exact_2x2(0, 0, 0, 0) == 1);
    }
    SUBCASE("ANCOVA") {
      const std::vector<double> post = {10, 12, 9, 14, 11, 13};
      const std::vector<double> pre = {20, 20, 20, 20, 20, 20};
      const std::vector<int> group = {1, 1, 1, 0, 0, 0};
      CHECK(contains(ancova(post, pre, group).error(), "covariate is constant"));
      const std::vector<double> pre_by_group = {1, 1, 1, 2, 2, 2};
      CHECK(contains(ancova(post, pre_by_group, group).error(), "determined by the group"));
      const std::vector<int> one_group = {1, 1, 1, 1, 1, 1};
      CHECK(contains(ancova(post, pre_by_group, one_group).error(), "second group has no rows"));
      const std::vector<int> bad_group = {1, 2, 1, 0, 0, 0};
      CHECK(ancova(post, pre_by_group, bad_group).error().field == "group");
      CHECK(contains(ancova(some, some, std::vector<int>{1, 0, 1}).error(), "different lengths"));
      const std::vector<double> pre2 = {1, 2, 3, 4, 5, 6};
      const std::vector<double> exact = {3, 4, 5, 2, 3, 4};  // pre + 2 / pre - 2
      CHECK(contains(ancova(exact, pre2, group).error(), "fits the outcome exactly"));
    }
    SUBCASE("correlation") {
      const std::vector<double> x = {1, 2, 3, 4};
      CHECK(contains(pearson(x, std::vector<double>{5, 5, 5, 5}).error(),
                     "second column is constant"));
      CHECK(contains(spearman(std::vector<double>{5, 5, 5, 5}, x).error(),
                     "first column is constant"));
      CHECK(contains(pearson(fives, fives).error(), "at least 3"));
      const auto perfect = pearson(x, std::vector<double>{2, 4, 6, 8});
      REQUIRE(perfect.has_value());
      CHECK(perfect->r == 1);
      CHECK(perfect->p == 0);
    }
    SUBCASE("power") {
      CHECK(n_per_arm_80(0).error().message.find("no effect: any sample size") == 0);
      CHECK(*n_per_arm_80(-0.8) == 26);
      CHECK(*n_per_arm_80(10) == 2);            // pwr.t.test fails: its search starts at n = 2
      CHECK(*n_per_arm_80(0.001) == 15697722);  // = ceiling(pwr.t.test(d = 0.001, ...)$n)
      CHECK(contains(n_per_arm_80(1e-4).error(), "more than 1e9 per group"));  // pwr fails too
      CHECK_FALSE(n_per_arm_80(std::nan("")).has_value());
    }
  }
}
