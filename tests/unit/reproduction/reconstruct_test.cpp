// Tests of the reconstruction: data sets whose statistics, computed by the project's analysis
// engine, round to every consistent published value of the Tongji paper.
#include "balint/reproduction/reconstruct.hpp"

#include "balint/analysis/analysis.hpp"
#include "balint/analysis/data_set.hpp"
#include "balint/reproduction/audit.hpp"
#include "balint/reproduction/published.hpp"
#include "balint/resources/resources.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

using namespace balint;
using namespace balint::reproduction;

namespace {

summary tongji() {
  std::ifstream in(std::string(BALINT_SOURCE_DIR) + "/tests/data/tongji-2020.published.json");
  std::ostringstream text;
  text << in.rdbuf();
  auto s = load_summary(text.str(), *resources::find("schemas/published.schema.json"));
  REQUIRE(s.has_value());
  return *s;
}

std::string fixed(double v, int d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", d, v);
  return buf;
}

bool is_consistent(const audit_report& a, const std::string& id) {
  for (const auto& c : a.cells)
    if (c.id == id) return c.verdict == verdict::consistent;
  return false;
}

// The analysis JSON's arm key of a summary arm (the summary's "control" is the data set's
// second arm).
const core::json* arm_entry(const core::json& by_arm, const std::string& arm) {
  return by_arm.find(arm);
}

// Checks every consistent mean, SD, t and p of Tables 1-4 and the text against the analysis of
// the reconstructed wide CSV; returns the number of cells checked.
int check_against_analysis(const summary& s, const audit_report& a, const core::json& j) {
  int checked = 0;
  for (const auto& c : s.cells) {
    if (!is_consistent(a, c.id)) continue;
    const core::json* v = nullptr;
    const bool outcome =
        c.variable == "ee" || c.variable == "dp" || c.variable == "pa" || c.variable == "msq";
    if ((c.stat == "mean" || c.stat == "sd") && outcome && c.arm != "all") {
      const auto* o = j.find("outcomes")->find(c.variable);
      REQUIRE(o != nullptr);
      const auto* tp = o->find(c.timepoint);
      REQUIRE(tp != nullptr);
      v = arm_entry(*tp, c.arm)->find(c.stat);
    } else if ((c.stat == "mean" || c.stat == "sd") && c.variable == "age" && c.arm != "all") {
      v = arm_entry(*j.find("age"), c.arm)->find(c.stat);
    } else if (c.stat == "t" && outcome && c.test == "paired_t") {
      v = j.find("outcomes")->find(c.variable)->find("paired")->find(c.arm)->find("t");
    } else if (c.stat == "p" && outcome && c.test == "paired_t") {
      v = j.find("outcomes")->find(c.variable)->find("paired")->find(c.arm)->find("p");
    } else {
      continue;
    }
    REQUIRE(v != nullptr);
    INFO(c.id);
    CHECK(fixed(v->as_double(), c.decimals) == c.printed);
    ++checked;
  }
  // Between-arm change and baseline tests: Student or Welch, whichever the audit allows.
  for (const auto& c : s.cells) {
    if (!is_consistent(a, c.id) || c.test != "independent_t" || c.variable == "age") continue;
    const std::string key = c.timepoint == "change" ? "change_test" : "baseline";
    const auto* t = j.find("outcomes")->find(c.variable)->find(key);
    REQUIRE(t != nullptr);
    bool any = false;
    for (const auto& with : a.cells[static_cast<std::size_t>(&c - &s.cells[0])].consistent_with) {
      const auto* r = t->find(with);
      if (r != nullptr && fixed(r->find(c.stat)->as_double(), c.decimals) == c.printed) any = true;
    }
    INFO(c.id);
    CHECK(any);
    ++checked;
  }
  return checked;
}

}  // namespace

TEST_SUITE("reproduction") {
  TEST_CASE("reconstruct: three seeds of Tongji analyse to every consistent published value") {
    const auto s = tongji();
    const auto a = audit(s);
    const std::vector<std::string> arms{"intervention", "control"};
    std::vector<std::string> csvs;
    for (std::uint32_t seed : {1u, 2u, 3u}) {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = reconstruct(s, a, {seed, 1000000});
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      REQUIRE(r.has_value());
      MESSAGE("seed " << seed << ": first data set in " << secs << " s, " << r->attempts
                      << " search moves, " << r->restarts << " restarts");
      for (const auto& u : r->unmet) MESSAGE("unmet: " << u);
      CHECK(r->unmet.empty());
      REQUIRE(r->participants.size() == 36);
      CHECK(r->targets.find("note")->as_string().find("not the trial's data") != std::string::npos);

      const auto csv = wide_csv(*r);
      csvs.push_back(csv);
      auto data = analysis::read_wide_csv(csv, arms);
      REQUIRE(data.has_value());
      auto result = analysis::analyze(*data);
      REQUIRE(result.has_value());
      const auto j = analysis::to_json(*result);
      CHECK(check_against_analysis(s, a, j) > 70);

      // Gender counts (Table 2) and age mean/SD (Table 1 and the overall figure).
      const auto* counts = j.find("gender")->find("counts");
      CHECK(counts->find("intervention")->find("M")->as_int() == 6);
      CHECK(counts->find("intervention")->find("F")->as_int() == 12);
      CHECK(counts->find("control")->find("M")->as_int() == 5);
      CHECK(counts->find("control")->find("F")->as_int() == 13);
      CHECK(fixed(j.find("gender")->find("chi2")->as_double(), 3) == "0.131");
      CHECK(fixed(j.find("gender")->find("p")->as_double(), 3) == "0.717");
      std::vector<double> ages;
      for (const auto& p : r->participants) ages.push_back(p.age);
      double m = 0, ss = 0;
      for (double x : ages) m += x;
      m /= static_cast<double>(ages.size());
      for (double x : ages) ss += (x - m) * (x - m);
      CHECK(fixed(m, 2) == "23.67");
      CHECK(fixed(std::sqrt(ss / 35.0), 2) == "0.93");
      CHECK(fixed(j.find("age")->find("student")->find("p")->as_double(), 3) == "0.153");

      // Items add up to the scores, within range.
      for (const auto& p : r->participants) {
        for (int v : p.mbi_pre) CHECK((v >= 0 && v <= 6));
        for (int v : p.msq_post) CHECK((v >= 1 && v <= 5));
        if (p.arm == "intervention") {
          CHECK(p.achievements.size() == 5);
          CHECK(p.satisfaction.size() == 4);
        }
      }
      const auto items = items_csv(*r);
      CHECK(items.rfind("participant,timepoint,instrument,item,value\n", 0) == 0);
      CHECK(std::count(items.begin(), items.end(), '\n') == 1 + 36 * 84 + 18 * 9);
    }
    CHECK(csvs[0] != csvs[1]);
    CHECK(csvs[1] != csvs[2]);
  }

  TEST_CASE("reconstruct: the same seed gives the same data set") {
    const auto s = tongji();
    const auto a = audit(s);
    auto r1 = reconstruct(s, a, {7, 1000000});
    auto r2 = reconstruct(s, a, {7, 1000000});
    REQUIRE(r1.has_value());
    REQUIRE(r2.has_value());
    CHECK(wide_csv(*r1) == wide_csv(*r2));
    CHECK(items_csv(*r1) == items_csv(*r2));
    CHECK(wide_csv(*r1, {{"control", "waitlist"}}).find(",waitlist,") != std::string::npos);
  }

  TEST_CASE("reconstruct: inconsistent cells are excluded with the audit's reason") {
    const auto s = tongji();
    const auto a = audit(s);
    auto r = reconstruct(s, a, {3, 1000000});
    REQUIRE(r.has_value());
    const auto j = to_json(*r);
    bool age_t = false;
    for (const auto& e : j.find("targets")->find("excluded")->as_array())
      if (e.find("id")->as_string() == "T1.age.t") {
        age_t = true;
        CHECK_FALSE(e.find("reason")->as_string().empty());
      }
    CHECK(age_t);
    CHECK(j.find("note")->as_string().find("ONE of many") != std::string::npos);
  }

  TEST_CASE("reconstruct: an impossible budget reports unmet targets instead of failing") {
    const auto s = tongji();
    const auto a = audit(s);
    auto r = reconstruct(s, a, {1, 10});
    REQUIRE(r.has_value());
    CHECK_FALSE(r->unmet.empty());
    CHECK(r->participants.size() == 36);
  }
}
