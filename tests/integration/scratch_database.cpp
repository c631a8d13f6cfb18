#include "scratch_database.hpp"

#include <atomic>
#include <cstdlib>
#include <libpq-fe.h>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace balint::testing {

namespace fs = std::filesystem;

database_place::database_place() {
  if (const char* server = std::getenv("BALINT_TEST_POSTGRES"); server && *server) {
    server_ = server;
    static std::atomic<int> places{0};
    prefix_ = "balint_t" + std::to_string(getpid()) + "_" + std::to_string(++places) + "_";
  }
}

database_place::~database_place() {
  for (const auto& name : made_) {
    try {
      admin("DROP DATABASE IF EXISTS " + prefix_ + name + " WITH (FORCE)");
    } catch (...) {
      // The cluster is thrown away after the run anyway.
    }
  }
}

std::string database_place::locator(const std::string& name) const {
  if (!postgres()) return (dir() / (name + ".db")).string();
  // The server URL with its database name replaced: postgresql://host:port/NAME.
  const auto scheme = server_.find("://");
  const auto slash = server_.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::string base =
      slash == std::string::npos ? server_ + "/" : server_.substr(0, slash + 1);
  return base + prefix_ + name;
}

void database_place::admin(const std::string& sql) const {
  PGconn* conn = PQconnectdb(server_.c_str());
  std::string failure;
  if (PQstatus(conn) != CONNECTION_OK) {
    failure = PQerrorMessage(conn);
  } else {
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) failure = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  if (!failure.empty()) throw std::runtime_error(sql + ": " + failure);
}

std::string database_place::fresh(const std::string& name) {
  if (postgres()) {
    admin("CREATE DATABASE " + prefix_ + name);
    made_.push_back(name);
  }
  return locator(name);
}

std::string database_place::copy(const std::string& from, const std::string& name) {
  if (!postgres()) {
    fs::copy_file(locator(from), locator(name), fs::copy_options::overwrite_existing);
    return locator(name);
  }
  admin("DROP DATABASE IF EXISTS " + prefix_ + name + " WITH (FORCE)");
  admin("CREATE DATABASE " + prefix_ + name + " TEMPLATE " + prefix_ + from);
  made_.push_back(name);
  return locator(name);
}

}  // namespace balint::testing
