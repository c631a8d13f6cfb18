#include "balint/analysis/analysis.hpp"

#include "balint/analysis/data_set.hpp"
#include "balint/core/json.hpp"
#include "balint/report/analysis_report.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace balint;

namespace {

const std::vector<std::string> arms{"intervention", "waitlist"};

const core::json& fixtures() {
  static const core::json doc = [] {
    std::ifstream in(BALINT_SOURCE_DIR "/tests/data/r/analysis.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = core::parse_json(ss.str());
    REQUIRE_MESSAGE(j.has_value(), "tests/data/r/analysis.json does not parse");
    return std::move(j).value();
  }();
  return doc;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// p-values and confidence limits: 1e-6; everything else (descriptives, t, df, F, g, ...): 1e-9.
double tolerance_for(std::string_view key) {
  if (key == "p" || key == "fisher_p" || key == "ci_low" || key == "ci_high" ||
      ends_with(key, "_p")) {
    return 1e-6;
  }
  return 1e-9;
}

struct comparison {
  std::size_t checked = 0;
  std::vector<std::string> failures;
};

// Every key R gives must be in ours with the same value (numbers within tolerance); where R has
// null, ours must be null with a sibling "<key>_error" string.
void compare(const core::json& expected, const core::json* actual, const std::string& path,
             std::string_view key, const core::json* actual_parent, comparison& c) {
  if (actual == nullptr) {
    c.failures.push_back(path + ": missing");
    return;
  }
  if (expected.is_object()) {
    if (!actual->is_object()) {
      c.failures.push_back(path + ": expected an object, got " + actual->dump());
      return;
    }
    for (const auto& [k, v] : expected.as_object()) {
      compare(v, actual->find(k), path + "." + k, k, actual, c);
    }
    return;
  }
  ++c.checked;
  if (expected.is_null()) {
    if (!actual->is_null()) {
      c.failures.push_back(path + ": R says undefined, we give " + actual->dump());
      return;
    }
    const auto* why = actual_parent ? actual_parent->find(std::string(key) + "_error") : nullptr;
    if (why == nullptr || !why->is_string() || why->as_string().empty()) {
      c.failures.push_back(path + ": null without a sibling \"" + std::string(key) + "_error\"");
    }
    return;
  }
  if (expected.is_number()) {
    if (!actual->is_number()) {
      const auto* why = actual_parent ? actual_parent->find(std::string(key) + "_error") : nullptr;
      c.failures.push_back(path + ": expected " + expected.dump() + ", got " + actual->dump() +
                           (why ? " (" + why->dump() + ")" : ""));
      return;
    }
    const double e = expected.as_double();
    const double a = actual->as_double();
    const double tol = tolerance_for(key);
    if (!(std::fabs(a - e) <= std::max(tol * std::fabs(e), 1e-12))) {
      std::ostringstream m;
      m.precision(17);
      m << path << ": R " << e << ", ours " << a << " (relative "
        << std::fabs(a - e) / std::max(std::fabs(e), 1e-300) << ", tolerance " << tol << ")";
      c.failures.push_back(m.str());
    }
    return;
  }
  if (!(expected == *actual)) {
    c.failures.push_back(path + ": expected " + expected.dump() + ", got " + actual->dump());
  }
}

// Where coin could not give an exact p (beyond 514 per arm) R has no value to compare, so the
// exact kernels are not run there (they would take minutes under the sanitizers).
analysis::analysis_options options_for(const core::json& fixture) {
  analysis::analysis_options options;
  // Every exact p coin gave is checked, also above the analysis' ~20 ms work budget.
  options.exact_max_work = stats::exact_limits{}.max_work;
  const auto* expected = fixture.find("expected");
  if (expected && !expected->find("outcomes")->find("ee")->find("exact_permutation_p")) {
    options.exact_max_per_arm = 514;
    options.monte_carlo_resamples = 1000;
  }
  return options;
}

core::result<analysis::analysis_result> run(const core::json& fixture,
                                            const analysis::analysis_options& options) {
  auto data = analysis::read_wide_csv(fixture.find("csv")->as_string(), arms);
  if (!data) return core::fail(std::move(data).error());
  if (fixture.find("population")->as_string() == "per-protocol") {
    return analysis::analyze(analysis::per_protocol(*data, 10), options);
  }
  return analysis::analyze(*data, options);
}

std::string error_of(std::string_view csv) {
  const auto r = analysis::read_wide_csv(csv, arms);
  return r ? std::string() : r.error().message;
}

constexpr std::string_view header =
    "id,arm,age,gender,ee_pre,ee_post,dp_pre,dp_post,pa_pre,pa_post,msq_pre,msq_post,"
    "sessions_attended\n";

const core::json& fixture_named(std::string_view name) {
  for (const auto& f : fixtures().find("fixtures")->as_array()) {
    if (f.find("name")->as_string() == name) return f;
  }
  FAIL("no fixture " << name);
  return fixtures();
}

}  // namespace

TEST_SUITE("analysis") {
  TEST_CASE("issue-6: every key of every R fixture agrees with R") {
    const auto& list = fixtures().find("fixtures")->as_array();
    REQUIRE(list.size() >= 12);
    for (const auto& f : list) {
      const auto name = f.find("name")->as_string();
      CAPTURE(name);
      auto result = run(f, options_for(f));
      if (const auto* err = f.find("error")) {
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().field == err->find("field")->as_string());
        CHECK(result.error().message.find(err->find("contains")->as_string()) != std::string::npos);
        continue;
      }
      REQUIRE_MESSAGE(result.has_value(), result.error().message);
      const auto ours = analysis::to_json(*result);
      comparison c;
      compare(*f.find("expected"), &ours, name, "", nullptr, c);
      std::string all;
      for (const auto& m : c.failures) all += m + "\n";
      INFO(all);
      CHECK(c.failures.empty());
      CHECK(c.checked > 100);
    }
  }

  TEST_CASE("any trial's outcomes and time points: the R fixtures with other names agree with R") {
    // The same numbers under another trial's names (issue 14): outcomes phq9, gad7, who5 and
    // sleep, time points baseline and week12, read through the header alone.
    const std::vector<std::pair<std::string, std::string>> renamed{
        {"ee", "phq9"}, {"dp", "gad7"}, {"pa", "who5"}, {"msq", "sleep"}};
    std::size_t compared = 0;
    for (const auto& f : fixtures().find("fixtures")->as_array()) {
      if (f.find("error") != nullptr || compared == 3) continue;
      const auto name = f.find("name")->as_string();
      CAPTURE(name);
      std::string csv = f.find("csv")->as_string();
      std::string wanted_header = "id,arm,age,gender";
      for (const auto& [from, to] : renamed)
        wanted_header += "," + to + "_baseline," + to + "_week12";
      wanted_header += ",sessions_attended";
      csv.replace(0, csv.find('\n'), wanted_header);
      const auto outcomes = analysis::outcomes_of_wide_header(csv);
      REQUIRE_MESSAGE(outcomes.has_value(), outcomes.error().message);
      CHECK(outcomes->second == analysis::timepoint_pair{"baseline", "week12"});
      REQUIRE(outcomes->first.size() == 4);
      CHECK(outcomes->first[1].id == "gad7");
      auto options = options_for(f);
      for (auto& rule : options.caseness) {
        for (const auto& [from, to] : renamed) {
          if (rule.outcome == from) rule.outcome = to;
        }
      }
      auto data = analysis::read_wide_csv(csv, arms, outcomes->first, outcomes->second);
      REQUIRE_MESSAGE(data.has_value(), data.error().message);
      auto result = f.find("population")->as_string() == "per-protocol"
                        ? analysis::analyze(analysis::per_protocol(*data, 10), options)
                        : analysis::analyze(*data, options);
      REQUIRE_MESSAGE(result.has_value(), result.error().message);
      // Every member keyed by outcome (outcomes, power, dose_response) under the new names.
      core::json expected = *f.find("expected");
      for (auto& [member, value] : expected.as_object()) {
        if (!value.is_object() || value.find("ee") == nullptr) continue;
        core::json::object by_new_name;
        for (const auto& [from, to] : renamed) {
          if (const auto* v = value.find(from)) by_new_name[to] = *v;
        }
        value = core::json(std::move(by_new_name));
      }
      const auto ours = analysis::to_json(*result);
      comparison c;
      compare(expected, &ours, name, "", nullptr, c);
      std::string all;
      for (const auto& m : c.failures) all += m + "\n";
      INFO(all);
      CHECK(c.failures.empty());
      CHECK(c.checked > 100);
      ++compared;
    }
    CHECK(compared == 3);
    // A header that is no wide export is refused, naming what one looks like.
    const auto bad = analysis::outcomes_of_wide_header(
        "id,arm,age,gender,a_pre,b_post,"
        "sessions_attended\n");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().field == "header");
    CHECK(bad.error().message.find("a_pre and b_post are not one outcome's pair") !=
          std::string::npos);
  }

  TEST_CASE("every null in the JSON has a sibling error and no NaN is written") {
    for (const auto& f : fixtures().find("fixtures")->as_array()) {
      if (f.find("error")) continue;
      auto result = run(f, options_for(f));
      REQUIRE(result.has_value());
      const auto text = analysis::to_json(*result).dump();
      CHECK(text.find("nan") == std::string::npos);
      CHECK(text.find("inf") == std::string::npos);
    }
  }

  TEST_CASE("beyond the exact limit the exact p is null with the limit named and a Monte Carlo p") {
    analysis::analysis_options options;
    options.exact_max_per_arm = 1000;
    options.monte_carlo_resamples = 2000;
    auto result = run(fixture_named("large_2000_2000"), options);
    REQUIRE(result.has_value());
    const auto j = analysis::to_json(*result);
    const auto& ee = *j.find("outcomes")->find("ee");
    CHECK(ee.find("exact_permutation_p")->is_null());
    CHECK(ee.find("exact_permutation_p_error")->as_string().find("1000") != std::string::npos);
    const auto* mc = ee.find("monte_carlo_permutation_p");
    REQUIRE(mc != nullptr);
    CHECK(mc->find("seed")->as_int() == options.monte_carlo_seed);
    CHECK(mc->find("resamples")->as_int() == 2000);
    CHECK(mc->find("p")->as_double() >= 0);
    CHECK(mc->find("p")->as_double() <= 1);
    CHECK(mc->find("standard_error")->as_double() >= 0);
    CHECK(ee.find("monte_carlo_wilcoxon_p") != nullptr);
    // The Monte Carlo p is reproducible from its seed.
    auto again = run(fixture_named("large_2000_2000"), options);
    REQUIRE(again.has_value());
    CHECK(analysis::to_json(*again) == j);
  }

  TEST_CASE("the not-randomized rows are left out and counted") {
    auto data = analysis::read_wide_csv(
        fixture_named("missing_cells_20_22").find("csv")->as_string(), arms);
    REQUIRE(data.has_value());
    CHECK(data->not_randomized == 3);
    CHECK(data->rows.size() == 42);
  }

  TEST_CASE("rows from the database give the same JSON as their CSV") {
    const auto& f = fixture_named("tongji_18_18");
    auto from_csv = analysis::read_wide_csv(f.find("csv")->as_string(), arms);
    REQUIRE(from_csv.has_value());
    auto from_rows = analysis::make_data_set(from_csv->rows, arms);
    REQUIRE(from_rows.has_value());
    auto a = analysis::analyze(*from_csv);
    auto b = analysis::analyze(*from_rows);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(analysis::to_json(*a).dump() == analysis::to_json(*b).dump());
  }

  TEST_CASE("make_data_set refuses what read_wide_csv refuses") {
    analysis::participant_row row;
    row.id = "P1";
    row.arm = "placebo";
    auto r = analysis::make_data_set({row}, arms);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "arm");
    CHECK(r.error().message.find("P1") != std::string::npos);
    row.arm = "intervention";
    row.outcomes[1].pre = 31;
    r = analysis::make_data_set({row}, arms);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "dp_pre");
    row.outcomes[1].pre = 3;
    r = analysis::make_data_set({row, row}, arms);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == core::error_code::conflict);
  }

  TEST_CASE("per-protocol keeps intervention rows with enough sessions and every waitlist row") {
    const std::string csv = std::string(header) +
                            "A,intervention,24,F,10,9,5,5,30,31,70,71,10\n"
                            "B,intervention,24,M,10,9,5,5,30,31,70,71,9\n"
                            "C,intervention,24,M,10,9,5,5,30,31,70,71,\n"
                            "D,waitlist,24,F,10,9,5,5,30,31,70,71,\n";
    auto data = analysis::read_wide_csv(csv, arms);
    REQUIRE(data.has_value());
    const auto pp = analysis::per_protocol(*data, 10);
    CHECK(pp.population == "per-protocol");
    REQUIRE(pp.rows.size() == 2);
    CHECK(pp.rows[0].id == "A");
    CHECK(pp.rows[1].id == "D");
    CHECK(pp.excluded_per_protocol == 2);
  }

  TEST_CASE("bad input names the line, the column and what is allowed") {
    SUBCASE("wrong header") {
      const auto m = error_of("id,arm,age\nA,intervention,3\n");
      CHECK(m.find("line 1") != std::string::npos);
      CHECK(m.find("sessions_attended") != std::string::npos);
    }
    SUBCASE("unknown arm") {
      const auto m = error_of(std::string(header) + "A,placebo,24,F,1,2,3,4,5,6,70,71,10\n");
      CHECK(m.find("line 2") != std::string::npos);
      CHECK(m.find("column arm") != std::string::npos);
      CHECK(m.find("intervention or waitlist") != std::string::npos);
    }
    SUBCASE("non-numeric score") {
      const auto m = error_of(std::string(header) + "A,intervention,24,F,1,2,3,4,5,six,70,71,10\n");
      CHECK(m.find("line 2") != std::string::npos);
      CHECK(m.find("column pa_post") != std::string::npos);
      CHECK(m.find("not a number") != std::string::npos);
      CHECK(m.find("0 to 48") != std::string::npos);
    }
    SUBCASE("out-of-range score") {
      const auto m = error_of(std::string(header) +
                              "A,intervention,24,F,1,2,3,4,5,6,70,71,10\n"
                              "B,waitlist,24,F,1,2,3,4,5,6,19,71,\n");
      CHECK(m.find("line 3") != std::string::npos);
      CHECK(m.find("column msq_pre") != std::string::npos);
      CHECK(m.find("20 to 100") != std::string::npos);
    }
    SUBCASE("out-of-range age and negative sessions") {
      CHECK(error_of(std::string(header) + "A,intervention,151,F,1,2,3,4,5,6,70,71,10\n")
                .find("column age") != std::string::npos);
      CHECK(error_of(std::string(header) + "A,intervention,24,F,1,2,3,4,5,6,70,71,-1\n")
                .find("column sessions_attended") != std::string::npos);
    }
    SUBCASE("unknown gender") {
      CHECK(error_of(std::string(header) + "A,intervention,24,X,1,2,3,4,5,6,70,71,10\n")
                .find("M or F") != std::string::npos);
    }
    SUBCASE("duplicate id") {
      const auto csv = std::string(header) + "A,intervention,24,F,1,2,3,4,5,6,70,71,10\n" +
                       "A,waitlist,24,F,1,2,3,4,5,6,70,71,\n";
      const auto r = analysis::read_wide_csv(csv, arms);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == core::error_code::conflict);
      CHECK(r.error().message.find("line 3") != std::string::npos);
      CHECK(r.error().message.find("column id") != std::string::npos);
      CHECK(r.error().message.find("line 2") != std::string::npos);
    }
  }

  TEST_CASE("the text and Markdown reports print the Tongji tables") {
    auto result = run(fixture_named("strong_effect_40_40"), {});
    REQUIRE(result.has_value());
    const auto text = report::analysis_text(*result);
    for (const char* t : {"Table 1", "Table 2", "Table 3", "Table 4", "Welch", "ANCOVA", "Hedges",
                          "Levene", "± "}) {
      CHECK_MESSAGE(text.find(t) != std::string::npos, t);
    }
    CHECK(text.find("p < 0.001") != std::string::npos);
    CHECK(text.find("< 0.001") != std::string::npos);
    const auto md = report::analysis_markdown(*result);
    CHECK(md.find("| Outcome |") != std::string::npos);
    CHECK(md.find("**Table 4.") != std::string::npos);
  }

  TEST_CASE("undefined statistics print as n/a with their reason") {
    auto result = run(fixture_named("constant_columns_10_10"), {});
    REQUIRE(result.has_value());
    const auto text = report::analysis_text(*result);
    CHECK(text.find("n/a") != std::string::npos);
    CHECK(text.find("Undefined statistics") != std::string::npos);
  }

  TEST_CASE("the HTML report is one self-contained accessible page with SVG plots") {
    auto result = run(fixture_named("tongji_18_18"), {});
    REQUIRE(result.has_value());
    const auto html = report::analysis_html(*result);
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<svg") != std::string::npos);
    CHECK(html.find("role=\"img\"") != std::string::npos);
    CHECK(html.find("<title id=") != std::string::npos);
    CHECK(html.find("<desc id=") != std::string::npos);
    CHECK(html.find("<caption>Table 1.") != std::string::npos);
    CHECK(html.find("scope=\"col\"") != std::string::npos);
    CHECK(html.find("scope=\"row\"") != std::string::npos);
  }
}
