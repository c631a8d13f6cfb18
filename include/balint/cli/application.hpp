#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace balint::cli {

/// Runs one command line (without the program name). Output goes to `out`, messages to `err`.
/// Returns the exit code: 0 done, 2 refused (bad input; nothing was changed), 1 failure.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace balint::cli
