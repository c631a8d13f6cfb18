#include "balint/app/clock.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace balint::app {

std::string utc_now() {
  using namespace std::chrono;
  const auto t = system_clock::now();
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count() % 1000;
  const std::time_t secs = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace balint::app
