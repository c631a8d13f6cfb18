// Exact permutation and exact Wilcoxon p (src/stats/exact.cpp) at 50, 200 and 600 per arm on
// Tongji-like integer change scores (post - pre of a 0-54 MBI subscale, -12..+8), beside R's
// coin::oneway_test / coin::wilcox_test(distribution = "exact") run with Rscript on the same data
// when R and coin are installed. coin keeps counts in doubles and fails from 515 per arm, so at
// 600 per arm only our time is printed. Growth: the exponent b in time ∝ n^b between sizes.
// The exact Wilcoxon at 600 per arm is above the default work limit (exact_limits::max_work);
// `bench_exact --full` times it anyway (about a minute), otherwise its Monte Carlo time is shown.
// Benchmarks never fail the suite: exit is 0.
#include "balint/stats/exact.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace balint::stats;

struct data {
  std::vector<double> x, y;
};

data make(std::size_t per_arm) {
  boost::random::mt19937 gen(static_cast<std::uint32_t>(per_arm));
  boost::random::uniform_int_distribution<int> change(-12, 8);
  data d;
  for (std::size_t i = 0; i < per_arm; ++i) d.x.push_back(change(gen) - 1);
  for (std::size_t i = 0; i < per_arm; ++i) d.y.push_back(change(gen));
  return d;
}

template <class F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool have_coin() {
  return std::system("Rscript -e 'suppressMessages(library(coin))' >/dev/null 2>&1") == 0;
}

/// coin's elapsed seconds for the permutation and the Wilcoxon test (negative: failed).
std::pair<double, double> coin_times(const data& d) {
  const std::string dir = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  const std::string csv = dir + "/bench_exact_data.csv";
  const std::string script = dir + "/bench_exact.R";
  {
    std::ofstream out(csv);
    out << "v,g\n";
    for (double v : d.x) out << v << ",x\n";
    for (double v : d.y) out << v << ",y\n";
  }
  {
    std::ofstream out(script);
    out << "suppressMessages(library(coin))\n"
           "d <- read.csv('"
        << csv
        << "'); d$g <- factor(d$g)\n"
           "t1 <- tryCatch(system.time(p1 <- pvalue(oneway_test(v ~ g, data = d, distribution = "
           "'exact')))[['elapsed']], error = function(e) -1)\n"
           "if (t1 >= 0 && !is.finite(p1)) t1 <- -1\n"
           "t2 <- tryCatch(system.time(p2 <- pvalue(wilcox_test(v ~ g, data = d, distribution = "
           "'exact')))[['elapsed']], error = function(e) -1)\n"
           "if (t2 >= 0 && !is.finite(p2)) t2 <- -1\n"
           "cat(t1, t2, '\\n')\n";
  }
  std::pair<double, double> t{-1, -1};
  if (FILE* p = popen(("Rscript " + script + " 2>/dev/null").c_str(), "r")) {
    if (std::fscanf(p, "%lf %lf", &t.first, &t.second) != 2) t = {-1, -1};
    pclose(p);
  }
  std::remove(csv.c_str());
  std::remove(script.c_str());
  return t;
}

std::string cell(double t) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f s", t);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const bool full = argc > 1 && std::string_view(argv[1]) == "--full";
  const bool r = have_coin();
  std::printf("Exact two-sample tests on Tongji-like integer change scores (-13..+8)%s\n",
              r ? "" : "  [R not installed (or coin missing): no coin column]");
  std::printf("%-8s | %-12s %-8s %-14s | %-12s %-8s %-14s\n", "per arm", "permutation", "growth",
              "coin", "Wilcoxon", "growth", "coin");
  double prev_p = 0;
  double prev_w = 0;
  std::size_t prev_n = 0;
  for (std::size_t n : {std::size_t{50}, std::size_t{200}, std::size_t{600}}) {
    const data d = make(n);
    double pp = 0;
    double pw = 0;
    bool w_ok = true;
    const double tp = seconds([&] { pp = exact_permutation_p(d.x, d.y).value(); });
    exact_limits lim;
    if (full) lim.max_work = 1e13;
    double tw = seconds([&] {
      auto w = exact_wilcoxon_p(d.x, d.y, lim);
      w_ok = w.has_value();
      if (w_ok) pw = *w;
    });
    std::string w_cell = cell(tw);
    if (!w_ok) {
      tw = seconds([&] { pw = monte_carlo_wilcoxon_p(d.x, d.y, 1u).p; });
      w_cell = "over limit; MC " + cell(tw);
    }
    const auto growth = [&](double now, double before) -> std::string {
      if (prev_n == 0 || before <= 0) return "";
      char buf[32];
      std::snprintf(buf, sizeof buf, "n^%.1f",
                    std::log(now / before) / std::log(double(n) / double(prev_n)));
      return buf;
    };
    std::string coin_p = "R not installed";
    std::string coin_w = "R not installed";
    if (r) {
      if (n > 514) {
        coin_p = coin_w = "fails (>514)";
      } else {
        const auto [cp, cw] = coin_times(d);
        coin_p = cp < 0 ? "failed" : cell(cp);
        coin_w = cw < 0 ? "failed" : cell(cw);
      }
    }
    std::printf("%-8zu | %-12s %-8s %-14s | %-12s %-8s %-14s   (p = %.3g, %.3g)\n", n,
                cell(tp).c_str(), growth(tp, prev_p).c_str(), coin_p.c_str(), w_cell.c_str(),
                w_ok ? growth(tw, prev_w).c_str() : "", coin_w.c_str(), pp, pw);
    prev_p = tp;
    prev_w = w_ok ? tw : 0;
    prev_n = n;
  }
  std::printf(
      "Cost: the shift algorithm updates about N·m·(m·R)/4 cells (R = score range): "
      "linear in R for raw scores, ~N^4 for rank scores (R ≈ N).\n");
  return 0;
}
