// Tests of the published-results audit: GRIM, GRIMMER, t from summaries, the Tongji paper.
#include "balint/reproduction/audit.hpp"

#include "balint/reproduction/published.hpp"
#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>

using namespace balint;
using namespace balint::reproduction;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string schema() { return std::string(*resources::find("schemas/published.schema.json")); }

std::string fixed(double v, int d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", d, v);
  return buf;
}

double mean_of(const std::vector<int>& x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}
double sd_of(const std::vector<int>& x) {
  const double m = mean_of(x);
  double ss = 0;
  for (int v : x) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

}  // namespace

TEST_SUITE("reproduction") {
  TEST_CASE("GRIM: Brown & Heathers (2016) example, M = 5.19 with N = 28, is impossible") {
    CHECK(grim_sums(5.19, 2, 28).empty());  // 145/28 = 5.18, 146/28 = 5.21
    CHECK(grim_sums(5.18, 2, 28) == std::vector<long>{145});
    CHECK_FALSE(grim_sums(23.89, 2, 18).empty());  // 430/18
  }

  TEST_CASE("GRIMMER on hand-made data: 1 2 3 4 5 has M = 3.00, SD = 1.58") {
    CHECK(grimmer(3.00, 2, 1.58, 2, 5));
    // SD 1.60 needs a sum of squares in [55.18, 55.30]: no integer.
    CHECK_FALSE(grimmer(3.00, 2, 1.60, 2, 5));
    // 1 3 3 3 5 has M = 3.00, SD = 1.414.
    CHECK(grimmer(3.00, 2, 1.41, 2, 5));
  }

  TEST_CASE("t from summaries matches R") {
    const std::vector<int> x{1, 2, 3, 4, 5}, y{2, 4, 4, 5, 6, 7};
    // R: t.test(c(1,2,3,4,5), c(2,4,4,5,6,7), var.equal = TRUE) -> t = -1.64054489722, p =
    // 0.135311436621
    const double ts = student_t(mean_of(x), sd_of(x), 5, mean_of(y), sd_of(y), 6);
    CHECK(ts == doctest::Approx(-1.64054489722).epsilon(1e-9));
    CHECK(t_p_value(ts, 9) == doctest::Approx(0.135311436621).epsilon(1e-8));
    // R: t.test(c(1,2,3,4,5), c(2,4,4,5,6,7)) -> t = -1.65748386033, df = 8.90957017591, p =
    // 0.132142503256
    const double tw = welch_t(mean_of(x), sd_of(x), 5, mean_of(y), sd_of(y), 6);
    const double df = welch_df(sd_of(x), 5, sd_of(y), 6);
    CHECK(tw == doctest::Approx(-1.65748386033).epsilon(1e-9));
    CHECK(df == doctest::Approx(8.90957017591).epsilon(1e-9));
    CHECK(t_p_value(tw, df) == doctest::Approx(0.132142503256).epsilon(1e-8));
    // R: chisq.test(matrix(c(6,5,12,13),2), correct=FALSE) -> X-squared = 0.130909090909, p =
    // 0.717491318324
    const auto x2 = pearson_chi2({{6, 12}, {5, 13}}, false);
    REQUIRE(x2.has_value());
    CHECK(*x2 == doctest::Approx(0.130909090909).epsilon(1e-9));
    CHECK(chi2_p_value(*x2, 1) == doctest::Approx(0.717491318324).epsilon(1e-8));
  }

  TEST_CASE("the Tongji transcription: each kind of inconsistency is found") {
    auto s = load_summary(
        slurp(std::string(BALINT_SOURCE_DIR) + "/tests/data/tongji-2020.published.json"), schema());
    REQUIRE(s.has_value());
    CHECK(s->cells.size() == 308);
    const auto r = audit(s.value());
    auto cell_of = [&](const std::string& id) -> const cell_audit& {
      for (const auto& c : r.cells) {
        if (c.id == id) return c;
      }
      FAIL("no cell " << id);
      return r.cells.front();
    };
    auto has_bad = [&](const std::string& id, const std::string& check) {
      for (const auto& ch : cell_of(id).checks) {
        if (ch.check == check && ch.verdict == verdict::inconsistent) return true;
      }
      return false;
    };
    CHECK(has_bad("T2.male.control.pct", "percent"));
    CHECK(has_bad("T5.understood_supported.helpful.pct", "percent"));
    CHECK(has_bad("ABS.paired.dp.control.p", "p"));
    CHECK(has_bad("ABS.paired.dp.control.p", "cross_source"));
    CHECK(has_bad("RES.gender.stat", "label"));
    CHECK(has_bad("T1.age.t", "sign"));
    CHECK(has_bad("RES.baseline.dp.t", "t"));
    CHECK(has_bad("MET.specialty.surgery", "count_total"));
    // The printed values that the recomputation supports stay consistent.
    CHECK(cell_of("T3.dp.control.p").verdict == verdict::consistent);
    CHECK(cell_of("RES.baseline.dp.p").verdict == verdict::consistent);
    CHECK(cell_of("T2.gender.chisq").consistent_with == std::vector<std::string>{"chi2"});
    CHECK(cell_of("T4.ee.p").consistent_with == std::vector<std::string>{"welch"});
    for (const auto& c : r.cells) {
      if (c.id.rfind("T3.", 0) == 0 && c.id != "T3.dp.control.p")
        CHECK_MESSAGE(c.verdict != verdict::inconsistent, c.id);
    }
  }

  TEST_CASE("a synthetic summary from real integer data is consistent everywhere") {
    const std::vector<int> pre_i{10, 12, 15, 9, 20, 14}, post_i{8, 12, 11, 9, 16, 15};
    const std::vector<int> pre_c{11, 13, 14, 18, 9, 10}, post_c{15, 14, 19, 18, 12, 16};
    std::vector<int> ch_i, ch_c;
    for (std::size_t k = 0; k < 6; ++k) {
      ch_i.push_back(post_i[k] - pre_i[k]);
      ch_c.push_back(post_c[k] - pre_c[k]);
    }
    std::string cells;
    int id = 0;
    auto add = [&](const std::string& var, const std::string& arm, const std::string& tp,
                   const std::string& stat, double v, int d, const std::string& test = "") {
      if (!cells.empty()) cells += ",";
      const std::string printed = fixed(v, d);
      cells += "{\"id\":\"T.c" + std::to_string(++id) +
               "\",\"source\":\"Table 1\",\"table\":\"1\"," + "\"variable\":\"" + var +
               "\",\"arm\":\"" + arm + "\",\"timepoint\":\"" + tp + "\",\"stat\":\"" + stat +
               "\",\"printed\":\"" + printed + "\",\"value\":" + printed +
               ",\"decimals\":" + std::to_string(d) +
               (test.empty() ? "" : ",\"test\":\"" + test + "\"") + "}";
    };
    auto group = [&](const std::string& arm, const std::string& tp, const std::vector<int>& x) {
      add("ee", arm, tp, "mean", mean_of(x), 2);
      add("ee", arm, tp, "sd", sd_of(x), 3);
    };
    group("intervention", "pre", pre_i);
    group("intervention", "post", post_i);
    group("intervention", "change", ch_i);
    group("control", "pre", pre_c);
    group("control", "post", post_c);
    group("control", "change", ch_c);
    const double t_ch = student_t(mean_of(ch_i), sd_of(ch_i), 6, mean_of(ch_c), sd_of(ch_c), 6);
    add("ee", "intervention_vs_control", "change", "t", t_ch, 3, "independent_t");
    add("ee", "intervention_vs_control", "change", "p", t_p_value(t_ch, 10), 3, "independent_t");
    const double tp_i = paired_t(mean_of(ch_i), sd_of(ch_i), 6);
    add("ee", "intervention", "post_vs_pre", "t", tp_i, 3, "paired_t");
    add("ee", "intervention", "post_vs_pre", "p", t_p_value(tp_i, 5), 3, "paired_t");
    const double tp_c = paired_t(mean_of(ch_c), sd_of(ch_c), 6);
    add("ee", "control", "post_vs_pre", "t", tp_c, 3, "paired_t");
    add("ee", "control", "post_vs_pre", "p", t_p_value(tp_c, 5), 3, "paired_t");
    const std::string doc =
        "{\"schema\":\"rct-published-transcription/1\",\"paper\":{\"key\":\"synthetic\","
        "\"title\":\"hand-made\"},\"design\":{\"n_total\":12,\"n_per_arm\":{\"intervention\":6,"
        "\"control\":6},\"instruments\":{\"ee\":{\"label\":\"EE\",\"items\":9,\"item_min\":0,"
        "\"item_max\":6}}},\"cells\":[" +
        cells + "]}";
    auto s = load_summary(doc, schema());
    REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().field + ": " + s.error().message));
    const auto r = audit(s.value());
    for (const auto& c : r.cells) {
      CHECK_MESSAGE(c.verdict == verdict::consistent, c.id << " " << c.printed);
    }
  }

  TEST_CASE("a summary that breaks the schema names the JSON path") {
    auto s = load_summary(
        "{\"schema\":\"rct-published-transcription/1\",\"paper\":{\"key\":\"x\","
        "\"title\":\"t\"},\"design\":{\"n_total\":2,\"n_per_arm\":{\"intervention\":1,"
        "\"control\":1},\"instruments\":{}},\"cells\":[{\"id\":\"a\",\"source\":\"s\","
        "\"stat\":\"mean\",\"printed\":\"1.x\",\"value\":1,\"decimals\":1}]}",
        schema());
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().field.rfind("$.", 0) == 0);
  }
}
