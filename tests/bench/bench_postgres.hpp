#pragma once

// libpq for the benchmarks' PostgreSQL runs (under scripts/with-postgres): set-up statements
// that end the benchmark when they fail, and a fresh database per run.

#include <cstdio>
#include <cstdlib>
#include <libpq-fe.h>
#include <string>

namespace balint::bench {

/// Runs `sql` on `url`; exits the benchmark when it fails.
inline void run_libpq(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::fprintf(stderr, "bench: %s: %s", sql.c_str(), PQresultErrorMessage(r));
    std::exit(2);
  }
  PQclear(r);
}

inline PGconn* connect_or_exit(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "bench: cannot connect to %s: %s", url.c_str(), PQerrorMessage(conn));
    std::exit(2);
  }
  return conn;
}

/// A fresh database `name` on the server of `server` (BALINT_TEST_POSTGRES), as a URL.
inline std::string fresh_postgres_database(const std::string& server, const std::string& name) {
  PGconn* admin = connect_or_exit(server);
  run_libpq(admin, "DROP DATABASE IF EXISTS " + name);
  run_libpq(admin, "CREATE DATABASE " + name);
  PQfinish(admin);
  return server.substr(0, server.rfind('/') + 1) + name;
}

/// A number the query `sql` answers on `url` (-1 when it fails).
inline long long postgres_scalar(const std::string& url, const std::string& sql) {
  PGconn* conn = connect_or_exit(url);
  PGresult* r = PQexec(conn, sql.c_str());
  const long long v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                          ? std::atoll(PQgetvalue(r, 0, 0))
                          : -1;
  PQclear(r);
  PQfinish(conn);
  return v;
}

}  // namespace balint::bench
