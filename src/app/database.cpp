#include "balint/app/database.hpp"

namespace balint::app {

std::unique_ptr<database> open_database(const std::string& path) {
  return storage::database::open(path);
}

void remove_database_files(const std::string& path) noexcept {
  storage::remove_database_files(path);
}

}  // namespace balint::app
