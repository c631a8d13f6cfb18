#pragma once

#include <string>

namespace balint::app {

/// The current UTC time as ISO 8601 with milliseconds ("2026-11-23T11:20:58.123Z"). Read by the
/// front ends (CLI, server) and passed into the services in app::request; services never read
/// the clock themselves.
std::string utc_now();

}  // namespace balint::app
