#include "postgres_statement.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <string>

namespace balint::storage::detail {

std::string postgres_placeholders(std::string_view sql, int& parameters) {
  std::string out;
  out.reserve(sql.size() + 8);
  parameters = 0;
  int next = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    std::size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
    int number = 0;
    if (j > i + 1) {
      std::from_chars(sql.data() + i + 1, sql.data() + j, number);
      i = j - 1;
    } else {
      number = ++next;
    }
    if (number > parameters) parameters = number;
    out += '$';
    out += std::to_string(number);
  }
  return out;
}

void check_result(PGconn* conn, PGresult* result, ExecStatusType expected, std::string_view what) {
  if (result && PQresultStatus(result) == expected) return;
  std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  PQclear(result);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.rfind("ERROR:  ", 0) == 0) message.erase(0, 8);
  if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";
  // A broken connection (class 08, or the server shutting down: 57P01-57P03) is not the
  // statement's fault: the caller may reconnect and try again.
  if (PQstatus(conn) == CONNECTION_BAD || sqlstate.rfind("08", 0) == 0 ||
      sqlstate.rfind("57P0", 0) == 0) {
    throw connection_lost(std::string(what) + ": " + message);
  }
  throw storage_error(std::string(what) + ": " + message);
}

void waiting_savepoints::release(const std::string& name) {
  // Nothing ran inside a savepoint that is still waiting: neither is sent.
  if (!waiting_.empty() && waiting_.back() == "SAVEPOINT " + name) {
    waiting_.pop_back();
    return;
  }
  waiting_.push_back("RELEASE SAVEPOINT " + name);
  if (writes_ && at_release_) send("committing a nested transaction");
}

void waiting_savepoints::rollback_to(const std::string& name) {
  if (poisoned_) {
    discard();  // the transaction is rolled back whole (commit refuses)
    return;
  }
  // Still waiting: nothing ran since it, so it and what followed it are simply dropped. Names
  // repeat (a batch's jobs all use nested_1): the savepoint meant is the latest of that name,
  // as for PostgreSQL; an earlier one belongs to a job already done, whose writes may wait.
  for (auto it = waiting_.rbegin(); it != waiting_.rend(); ++it) {
    if (*it == "SAVEPOINT " + name) {
      waiting_.erase(std::next(it).base(), waiting_.end());
      writes_ = std::any_of(waiting_.begin(), waiting_.end(),
                            [](const std::string& w) { return w.rfind("EXECUTE ", 0) == 0; });
      return;
    }
  }
  // Sent already: everything still waiting came after it, inside it, and goes with it.
  discard();
  waiting_.push_back("ROLLBACK TO SAVEPOINT " + name);
  waiting_.push_back("RELEASE SAVEPOINT " + name);
}

PGresult* waiting_savepoints::exec_with(const std::string& last) {
  const bool carried = !waiting_.empty();
  std::string text;
  for (const auto& w : waiting_) text += (text.empty() ? "" : "; ") + w;
  if (!last.empty()) text += (text.empty() ? "" : "; ") + last;
  discard();
  PGresult* r = PQexec(conn_, text.c_str());
  const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (carried && !at_release_ && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    poisoned_ = true;
  }
  return r;
}

void waiting_savepoints::send(std::string_view what) {
  if (waiting_.empty()) return;
  PGresult* r = exec_with("");
  check_result(conn_, r, PGRES_COMMAND_OK, what);
  PQclear(r);
}

std::optional<std::string>& postgres_prepared::slot(int index) {
  if (index < 1 || index > parameters()) {
    throw storage_error("binding: parameter " + std::to_string(index) + " of a statement with " +
                        std::to_string(parameters()));
  }
  return values_[static_cast<std::size_t>(index - 1)];
}

void postgres_prepared::bind(int index, std::int64_t v) { slot(index) = std::to_string(v); }
void postgres_prepared::bind(int index, std::string_view v) { slot(index) = std::string(v); }
void postgres_prepared::bind_null(int index) { slot(index).reset(); }

/// "EXECUTE name('v1', NULL, ...)": the prepared statement with its values as literals, for a
/// message of several statements (which cannot carry parameters).
std::string postgres_prepared::as_execute() const {
  std::string text = "EXECUTE " + name_;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    text += i == 0 ? "(" : ", ";
    if (!values_[i]) {
      text += "NULL";
      continue;
    }
    char* literal = PQescapeLiteral(conn_, values_[i]->data(), values_[i]->size());
    if (literal == nullptr) {
      throw storage_error(std::string("binding: ") + PQerrorMessage(conn_));
    }
    text += literal;
    PQfreemem(literal);
  }
  return values_.empty() ? text : text + ")";
}

void postgres_prepared::write() {
  // Outside a transaction a write is its own transaction: run it now, or a BEGIN sent first
  // would take it in.
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE) {
    run("executing SQL");
    return;
  }
  clear();
  waiting_->write(as_execute());
}

void postgres_prepared::execute(std::string_view what) {
  clear();
  if (!waiting_->empty()) {
    // What waits, then this statement, in one message: the answer is this statement's.
    PGresult* r = waiting_->exec_with(as_execute());
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    check_result(conn_, r, status == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, what);
    result_ = r;
    row_ = -1;
    return;
  }
  std::vector<const char*> values;
  values.reserve(values_.size());
  for (const auto& v : values_) values.push_back(v ? v->c_str() : nullptr);
  PGresult* r =
      PQexecPrepared(conn_, name_.c_str(), parameters(), values.data(), nullptr, nullptr, 0);
  const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  check_result(conn_, r, status == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, what);
  result_ = r;
  row_ = -1;
}

bool postgres_prepared::step() {
  if (!result_) execute("executing SQL");
  ++row_;
  return row_ < PQntuples(result_);
}

void postgres_prepared::run(std::string_view what) { execute(what); }

void postgres_prepared::clear() noexcept {
  PQclear(result_);
  result_ = nullptr;
  row_ = -1;
}

void postgres_prepared::reset() {
  clear();
  for (auto& v : values_) v.reset();
}

bool postgres_prepared::is_null(int col) const { return PQgetisnull(result_, row_, col) != 0; }

std::int64_t postgres_prepared::integer(int col) const {
  const char* text = PQgetvalue(result_, row_, col);
  const int length = PQgetlength(result_, row_, col);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text, text + length, v);
  if (ec != std::errc{} || end != text + length) {
    throw storage_error("reading column " + std::to_string(col) + ": \"" +
                        std::string(text, static_cast<std::size_t>(length)) +
                        "\" is not an integer");
  }
  return v;
}

std::string postgres_prepared::text(int col) const {
  return std::string(PQgetvalue(result_, row_, col),
                     static_cast<std::size_t>(PQgetlength(result_, row_, col)));
}

std::unique_ptr<postgres_prepared> postgres_statement_cache::prepare(std::string_view sql) {
  int parameters = 0;
  const std::string text = postgres_placeholders(sql, parameters);
  std::string name = "balint_" + std::to_string(++prepared_);
  waiting_.send("preparing SQL");  // a waiting rollback must reach the server first
  PGresult* r = PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr);
  check_result(conn_, r, PGRES_COMMAND_OK, "preparing SQL");
  PQclear(r);
  return std::make_unique<postgres_prepared>(conn_, &waiting_, std::move(name), parameters);
}

void postgres_statement_cache::run_plain(const std::string& text, std::string_view what) {
  PGresult* r = waiting_.exec_with(text);
  check_result(conn_, r, PGRES_COMMAND_OK, what);
  PQclear(r);
}

postgres_connection::postgres_connection(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    // libpq writes one line per address tried, with tab-indented hints: one line for users.
    std::string message;
    for (const char c : std::string(PQerrorMessage(conn_))) {
      if (c == '\t') continue;
      if (c != '\n') {
        message += c;
      } else if (!message.empty() && message.back() != ' ') {
        message += "; ";
      }
    }
    while (!message.empty() && (message.back() == ' ' || message.back() == ';')) {
      message.pop_back();
    }
    PQfinish(conn_);
    conn_ = nullptr;
    throw connection_lost("cannot connect to the database " + url + ": " + message);
  }
  // Our messages are English; the server's notices would only clutter stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

postgres_connection::~postgres_connection() { PQfinish(conn_); }

void postgres_connection::exec(const std::string& sql, std::string_view what) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  check_result(conn_, r, status == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, what);
  PQclear(r);
}

}  // namespace balint::storage::detail
