#include "balint/cli/application.hpp"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) try {
  std::vector<std::string> args(argv + 1, argv + argc);
  return balint::cli::run(args, std::cout, std::cerr);
} catch (const std::exception& e) {
  std::cerr << "balint-trial: failed: " << e.what() << "\n";
  return 1;
}
