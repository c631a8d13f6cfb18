// Issue 6: the full `balint-trial analyze --csv --format json` on 18, 1,000 and 500,000
// participants per arm, beside R doing the same analyses on the same file in the same run
// (tests/bench/analyze_reference.R; "R not installed" when Rscript is missing). Prints wall
// time, the speed-up over R (target >= 5x) and peak memory (max RSS) of each process.
#include "bench_common.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct run_stats {
  bool ok = false;
  double seconds = 0;
  long max_rss_kb = 0;
};

/// Runs a program with stdout and stderr sent to /dev/null; wall time and peak RSS.
run_stats run(const std::vector<std::string>& argv) {
  std::fflush(stdout);  // or the child's copy of the buffer is printed again
  std::fflush(stderr);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    balint::bench::exec_quietly(argv);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  run_stats r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  r.max_rss_kb = usage.ru_maxrss;
  return r;
}

void write_wide_csv(const fs::path& path, int per_arm) {
  std::mt19937 rng(static_cast<unsigned>(per_arm));
  std::ofstream out(path);
  out << "id,arm,age,gender,ee_pre,ee_post,dp_pre,dp_post,pa_pre,pa_post,msq_pre,msq_post,"
         "sessions_attended\n";
  auto draw = [&](int lo, int hi) { return lo + static_cast<int>(rng() % (hi - lo + 1)); };
  for (int k = 0; k < 2 * per_arm; ++k) {
    const bool intervention = k % 2 == 0;
    const int ee = draw(10, 44), dp = draw(2, 20), pa = draw(20, 44), msq = draw(50, 90);
    out << "P" << k << "," << (intervention ? "intervention" : "waitlist") << "," << draw(22, 26)
        << "," << (draw(0, 2) ? "F" : "M") << "," << ee << ","
        << std::clamp(ee + draw(-6, 6) - (intervention ? 2 : 0), 0, 54) << "," << dp << ","
        << std::clamp(dp + draw(-3, 3), 0, 30) << "," << pa << ","
        << std::clamp(pa + draw(-4, 4), 0, 48) << "," << msq << ","
        << std::clamp(msq + draw(-5, 5), 20, 100) << "," << (intervention ? draw(6, 14) : 0)
        << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_analyze BALINT_TRIAL_BINARY R_SCRIPT\n");
    return 2;
  }
  const std::string binary = argv[1];
  const std::string r_script = argv[2];
  const bool have_r = std::system("command -v Rscript >/dev/null 2>&1") == 0;
  char tmpl[] = "/tmp/balint-bench-analyze-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  std::printf("\nIssue 6 benchmark: analyze --csv --format json, beside R (%s)\n\n",
              have_r ? "R installed" : "R not installed: no R column");
  std::printf("| %9s | %12s | %13s | %12s | %12s | %9s | %9s |\n", "per arm", "balint (s)",
              "balint MB rss", "R (s)", "R MB rss", "speed-up", ">= 5x");
  std::printf(
      "|-----------|--------------|---------------|--------------|--------------|-----------|"
      "-----------|\n");
  bool all_ok = true;
  bool all_fast = have_r;
  for (const int per_arm : {18, 1000, 500000}) {
    const fs::path csv = dir / ("wide-" + std::to_string(per_arm) + ".csv");
    write_wide_csv(csv, per_arm);
    const auto ours = run({binary, "analyze", "--csv", csv.string(), "--format", "json", "--out",
                           (dir / "out.json").string()});
    all_ok = all_ok && ours.ok;
    run_stats theirs;
    if (have_r) theirs = run({"Rscript", r_script, csv.string()});
    if (have_r && theirs.ok) {
      const double speedup = theirs.seconds / ours.seconds;
      const bool fast = ours.ok && speedup >= 5.0;
      all_fast = all_fast && fast;
      std::printf("| %9d | %12.3f | %13.1f | %12.3f | %12.1f | %8.1fx | %9s |\n", per_arm,
                  ours.seconds, ours.max_rss_kb / 1024.0, theirs.seconds,
                  theirs.max_rss_kb / 1024.0, speedup, fast ? "yes" : "NO");
    } else {
      all_fast = false;
      std::printf("| %9d | %12.3f | %13.1f | %12s | %12s | %9s | %9s |\n", per_arm, ours.seconds,
                  ours.max_rss_kb / 1024.0, have_r ? "failed" : "-", "-", "-", "-");
    }
    std::fflush(stdout);
  }
  std::printf(
      "\nR skips coin's exact tests above 514 per arm (coin overflows there); balint-trial\n"
      "computes them up to its work limit (about 20 ms per test) and a seeded Monte Carlo p\n"
      "beyond it.\n");
  if (!all_ok) {
    std::printf("\nTarget (>= 5x faster than R at every size): balint-trial FAILED on a size.\n");
  } else if (!have_r) {
    std::printf("\nTarget (>= 5x faster than R at every size): not checked (R not installed).\n");
  } else {
    std::printf("\nTarget (>= 5x faster than R at every size): %s\n", all_fast ? "met" : "NOT met");
  }
  fs::remove_all(dir);
  return all_ok ? 0 : 1;
}
