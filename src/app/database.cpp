#include "balint/app/database.hpp"

namespace balint::app {

std::unique_ptr<database> open_database(const std::string& path) {
  return storage::database::open(path);
}

void remove_database_files(const std::string& path) noexcept {
  storage::remove_database_files(path);
}

void remove_trial(const std::string& locator) noexcept {
  if (!storage::is_postgres_url(locator)) {
    storage::remove_database_files(locator);
  } else if (locator.find('#') != std::string::npos) {
    storage::drop_postgres_trial(locator);
  }
}

}  // namespace balint::app
