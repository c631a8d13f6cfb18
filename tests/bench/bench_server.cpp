// Issue 8: the HTTP API under load, measured with wrk (64 keep-alive connections, 2 wrk threads)
// beside a bare Poco handler doing the same durable SQLite insert in the same run.
//
// - baseline: a bare Poco::Net::HTTPServer in this process (64 threads, keep-alive) whose handler
//   does, for every PUT, one INSERT into a WAL table with synchronous=FULL (one connection per
//   worker thread, busy_timeout) and answers 200 with a small JSON body;
// - ours: `balint-trial serve` (the real binary) on the demo trial (`balint-trial demo`), the
//   leader signed in, PUT /api/sessions/{n}/attendance/{code} over every held session x every
//   resident of the intervention cohort; every request changes a mark (absent <-> excused, with a
//   reason), so every request is a durable write with its audit entry; then GET
//   /api/attendance/progress; then the PUTs again with --threads 16 (Poco's default), which leaves
//   48 of the 64 connections unserved.
//
// Prints requests/s, p50 and p99 (wrk --latency), non-2xx answers and unserved connections per
// row, the ratio against the bare handler, the server's resident memory idle and after the load,
// and checks that no acknowledged write was lost: the audit entries written must cover every 2xx
// answer wrk counted. Exits 1 when a row is invalid (a non-2xx answer, a lost write), 3 when the
// target (PUT rate >= 0.5x the bare handler's) is missed.
// With a third argument `postgres` (under scripts/with-postgres), issue 13's run instead:
// attendance PUTs with 1, 2 and 3 `serve` processes on one PostgreSQL database beside as many
// processes of a bare libpq handler doing one INSERT and COMMIT per request
// (`bench_server --bare-postgres URL THREADS` is that handler).
// Usage: bench_server BALINT_TRIAL [SECONDS] [postgres]   (seconds per wrk run, default 10)
#include "bench_common.hpp"
#include "bench_postgres.hpp"

#include "balint/core/json.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <pthread.h>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace balint;

namespace {

constexpr int connections = 64;
constexpr int wrk_threads = 2;
const std::string leader = "leader-a";
const std::string leader_password = "demo-leader-password";

// --- processes --------------------------------------------------------------------------------

/// Starts a program with its standard output into a pipe (standard error to /dev/null); its
/// pid, and the pipe's end to read in `out`. pid -1 when no pipe could be made.
pid_t start_piped(const std::vector<std::string>& argv, int& out) {
  std::fflush(stdout);
  int ends[2];
  if (pipe(ends) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(ends[1], 1);
    close(ends[0]);
    close(ends[1]);
    bench::exec_quietly(argv);
  }
  close(ends[1]);
  out = ends[0];
  return pid;
}

/// Runs a program; its exit code and standard output (standard error goes to /dev/null).
std::pair<int, std::string> run(const std::vector<std::string>& argv) {
  int out = -1;
  const pid_t pid = start_piped(argv, out);
  if (pid < 0) return {-1, ""};
  std::string text;
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(out, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  close(out);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

/// `balint-trial serve` as a child process: its pid and port.
struct served {
  pid_t pid = -1;
  int port = 0;
};

/// A child process that prints "listening on http://HOST:PORT" when it serves: its pid and
/// port (pid -1 when it did not start). Its standard error goes to /dev/null (the access log).
served spawn(const std::vector<std::string>& argv) {
  int out = -1;
  const pid_t pid = start_piped(argv, out);
  if (pid < 0) return {};
  std::string line;
  char c = 0;
  while (read(out, &c, 1) == 1 && c != '\n') line += c;
  close(out);  // the server writes nothing more to standard output
  const auto colon = line.rfind(':');
  if (line.rfind("listening on http://", 0) != 0 || colon == std::string::npos) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return {};
  }
  return {pid, std::atoi(line.c_str() + colon + 1)};
}

served spawn_server(const std::string& binary, const std::string& db, int threads) {
  return spawn({binary, "serve", "--db", db, "--port", "0", "--threads", std::to_string(threads)});
}

/// SIGTERM, then wait: the server finishes requests in flight and closes the database.
void stop_server(const served& s) {
  kill(s.pid, SIGTERM);
  waitpid(s.pid, nullptr, 0);
}

/// Resident memory of a process in MiB (VmRSS of /proc/PID/status).
double rss_mib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return 0;
}

// --- HTTP client (set-up only) ------------------------------------------------------------------

struct signed_in {
  std::string cookie;  ///< "balint_session=HEX"
  std::string csrf;
};

std::optional<signed_in> login(int port) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/api/login",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  const std::string body =
      R"({"user":")" + leader + R"(","password":")" + leader_password + R"("})";
  req.setContentType("application/json");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::string text;
  Poco::StreamCopier::copyToString(s.receiveResponse(resp), text);
  const auto j = core::parse_json(text);
  const std::string set_cookie = resp.get("Set-Cookie", "");
  if (resp.getStatus() != 200 || !j || !j->find("csrf_token")) return std::nullopt;
  return signed_in{set_cookie.substr(0, set_cookie.find(';')), j->find("csrf_token")->as_string()};
}

std::optional<core::json> get_json(int port, const std::string& path, const signed_in& who) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path,
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Cookie", who.cookie);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::string text;
  Poco::StreamCopier::copyToString(s.receiveResponse(resp), text);
  auto j = core::parse_json(text);
  if (resp.getStatus() != 200 || !j) return std::nullopt;
  return j.value();
}

// --- the database, read directly (counts and current marks) --------------------------------------

long long scalar(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  long long v = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      v = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return v;
}

long long attendance_audit_entries(const std::string& db) {
  return scalar(db, "SELECT count(*) FROM audit_entry WHERE action = 'attendance.log'");
}

/// The current marks of the intervention cohort.
constexpr const char* marks_sql =
    "SELECT s.number, p.code, a.status FROM attendance a "
    "JOIN session_slot s ON s.id = a.slot_id "
    "JOIN participant p ON p.id = a.participant_id "
    "WHERE s.cohort = 'intervention' AND s.kind = 'session'";

/// Current marks of the intervention cohort: "n/CODE" → status.
std::map<std::string, std::string> current_marks(const std::string& db_path) {
  std::map<std::string, std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, marks_sql, -1, &s, nullptr) == SQLITE_OK) {
      while (sqlite3_step(s) == SQLITE_ROW) {
        out[std::to_string(sqlite3_column_int(s, 0)) + "/" +
            reinterpret_cast<const char*>(sqlite3_column_text(s, 1))] =
            reinterpret_cast<const char*>(sqlite3_column_text(s, 2));
      }
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

/// The same on PostgreSQL.
std::map<std::string, std::string> current_marks_postgres(const std::string& url) {
  std::map<std::string, std::string> out;
  PGconn* conn = bench::connect_or_exit(url);
  PGresult* r = PQexec(conn, marks_sql);
  for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); ++i) {
    out[std::string(PQgetvalue(r, i, 0)) + "/" + PQgetvalue(r, i, 1)] = PQgetvalue(r, i, 2);
  }
  PQclear(r);
  PQfinish(conn);
  return out;
}

// --- wrk ----------------------------------------------------------------------------------------

struct wrk_result {
  bool ok = false;
  long long requests = 0;
  double rate = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  long long non_2xx = 0;
  long long timeouts = 0;
  long long socket_errors = 0;
  long long unserved = 0;  ///< connections whose requests were never read during the run
};

double to_ms(const std::string& v) {
  const double x = std::atof(v.c_str());
  if (v.find("us") != std::string::npos) return x / 1000.0;
  if (v.find("ms") != std::string::npos) return x;
  if (v.find('s') != std::string::npos) return x * 1000.0;
  return x;
}

/// The server side of the established connections to `port` whose receive queue holds bytes
/// (a request not read yet), by client address (/proc/net/tcp).
std::set<std::string> unread_connections(int port) {
  std::set<std::string> out;
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  char want[8];
  std::snprintf(want, sizeof want, "%04X", port);
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string sl, local, remote, state, queues;
    words >> sl >> local >> remote >> state >> queues;
    if (state != "01" || local.substr(local.find(':') + 1) != want) continue;
    if (queues.substr(queues.find(':') + 1) != "00000000") out.insert(remote);
  }
  return out;
}

wrk_result run_wrk(int port, const std::string& path, int seconds,
                   const std::vector<std::string>& extra, int conns = connections) {
  std::vector<std::string> argv = {"wrk",
                                   "-t" + std::to_string(wrk_threads),
                                   "-c" + std::to_string(conns),
                                   "-d" + std::to_string(seconds) + "s",
                                   "--latency",
                                   "--timeout",
                                   "30s"};  // slower answers would be left out of the latencies
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("http://127.0.0.1:" + std::to_string(port) + path);
  // Connections whose request stays unread through the whole run never got a worker thread
  // (wrk does not report them: they never complete, so they count as no timeout either).
  std::set<std::string> starved;
  std::thread sampler([&] {
    const auto step = std::chrono::milliseconds(250);
    std::this_thread::sleep_for(std::chrono::milliseconds(seconds * 200));
    starved = unread_connections(port);
    for (int k = 0; k < seconds * 600 / 250 && !starved.empty(); ++k) {
      std::this_thread::sleep_for(step);
      const auto now = unread_connections(port);
      std::set<std::string> still;
      for (const auto& c : starved) {
        if (now.count(c)) still.insert(c);
      }
      starved = std::move(still);
    }
  });
  const auto [code, text] = run(argv);
  sampler.join();
  wrk_result r;
  r.unserved = static_cast<long long>(starved.size());
  r.ok = code == 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == "50%") {
      std::string v;
      words >> v;
      r.p50_ms = to_ms(v);
    } else if (first == "99%") {
      std::string v;
      words >> v;
      r.p99_ms = to_ms(v);
    } else if (first == "Requests/sec:") {
      words >> r.rate;
    } else if (line.find(" requests in ") != std::string::npos) {
      r.requests = std::atoll(first.c_str());
    } else if (first == "Non-2xx") {
      r.non_2xx = std::atoll(line.substr(line.rfind(':') + 1).c_str());
    } else if (first == "Socket") {
      // "Socket errors: connect 0, read 0, write 0, timeout 0"
      long long c = 0, rd = 0, w = 0, t = 0;
      std::sscanf(line.c_str(), " Socket errors: connect %lld, read %lld, write %lld, timeout %lld",
                  &c, &rd, &w, &t);
      r.socket_errors = c + rd + w;
      r.timeouts = t;
    }
  }
  if (r.rate <= 0) r.ok = false;
  return r;
}

/// A wrk script sending PUT /api/sessions/{n}/attendance/{code} over `targets` ("n/CODE" → the
/// status of its first change); each later change of a mark flips absent <-> excused, with a
/// reason, so every request changes a mark. wrk thread k takes every k-th target, so no two wrk
/// threads touch the same mark; a mark is sent again only after the answer to its previous
/// change came back (the answer names session and participant): SQLite's busy handler is not
/// first come first served, and two changes of one mark overtaking each other would make the
/// second one "already marked" (400).
std::string put_script(const std::vector<std::pair<std::string, std::string>>& targets,
                       const signed_in& who) {
  std::string s = "local targets = {\n";
  for (const auto& [key, first] : targets) {
    const auto slash = key.find('/');
    s += "  {\"" + key + "\", \"/api/sessions/" + key.substr(0, slash) + "/attendance/" +
         key.substr(slash + 1) + "?cohort=intervention\", \"" + first + "\"},\n";
  }
  s += "}\n";
  s += "local headers = {[\"Cookie\"] = \"" + who.cookie + "\", [\"X-CSRF-Token\"] = \"" +
       who.csrf + "\", [\"Content-Type\"] = \"application/json\"}\n";
  s += "local nthreads = " + std::to_string(wrk_threads) + "\n";
  s += R"lua(local created = 0
function setup(thread)
  created = created + 1
  thread:set("id", created)
end
function init(args)
  mine = {}
  for i = id, #targets, nthreads do
    local t = targets[i]
    mine[#mine + 1] = {key = t[1], path = t[2], next = t[3]}
  end
  busy = {}
  cursor = 0
  sent = 0
end
function request()
  local t
  for _ = 1, #mine do
    cursor = cursor % #mine + 1
    t = mine[cursor]
    if not busy[t.key] then break end
  end
  busy[t.key] = true
  local status = t.next
  if status == "absent" then t.next = "excused" else t.next = "absent" end
  sent = sent + 1
  local body = '{"status":"' .. status .. '","reason":"bench: change ' .. id .. '-' .. sent .. '"}'
  return wrk.format("PUT", t.path, headers, body)
end
function response(status, hdrs, body)
  local n = body:match('"session":(%d+)')
  local code = body:match('"participant":"([^"]*)"')
  if n and code then busy[n .. "/" .. code] = nil end
end
)lua";
  return s;
}

// --- the bare baseline ------------------------------------------------------------------------

/// How a bare handler stores one request: (database, URI, body, time) → stored.
using store_fn = bool (*)(const std::string&, const std::string&, const std::string&,
                          const std::string&);

/// One INSERT into a WAL table with synchronous=FULL; one connection per worker thread, opened
/// on its first request, closed with the thread.
bool store_in_sqlite(const std::string& db_path, const std::string& uri, const std::string& body,
                     const std::string& at) {
  struct connection {
    sqlite3* db = nullptr;
    sqlite3_stmt* insert = nullptr;
    ~connection() {
      sqlite3_finalize(insert);
      sqlite3_close(db);
    }
  };
  thread_local connection conn;
  if (!conn.db) {
    sqlite3_open(db_path.c_str(), &conn.db);
    sqlite3_busy_timeout(conn.db, 10000);
    sqlite3_exec(conn.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr,
                 nullptr);
    sqlite3_prepare_v2(conn.db, "INSERT INTO mark (path, body, at) VALUES (?, ?, ?)", -1,
                       &conn.insert, nullptr);
  }
  sqlite3_bind_text(conn.insert, 1, uri.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(conn.insert, 2, body.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(conn.insert, 3, at.c_str(), -1, SQLITE_TRANSIENT);
  const bool ok = sqlite3_step(conn.insert) == SQLITE_DONE;
  sqlite3_reset(conn.insert);
  return ok;
}

/// One INSERT, committed on its own (synchronous_commit on), over a prepared statement; one
/// libpq connection per worker thread.
bool store_in_postgres(const std::string& url, const std::string& uri, const std::string& body,
                       const std::string& at) {
  struct connection {
    PGconn* conn = nullptr;
    ~connection() { PQfinish(conn); }
  };
  thread_local connection c;
  if (!c.conn) {
    c.conn = bench::connect_or_exit(url);
    PQclear(PQprepare(c.conn, "insert", "INSERT INTO mark (path, body, at) VALUES ($1, $2, $3)", 3,
                      nullptr));
  }
  const char* values[] = {uri.c_str(), body.c_str(), at.c_str()};
  PGresult* r = PQexecPrepared(c.conn, "insert", 3, values, nullptr, nullptr, 0);
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  return ok;
}

/// The baseline's handler: stores the request, answers what it stored as ours does.
class bare_handler : public Poco::Net::HTTPRequestHandler {
 public:
  bare_handler(std::string db, store_fn store) : db_(std::move(db)), store_(store) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    const std::string at =
        std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    const std::string uri = request.getURI();
    const bool ok = store_(db_, uri, body, at);
    // /api/sessions/N/attendance/CODE?...
    const auto a = uri.find("/sessions/") + 10;
    const auto b = uri.find("/attendance/");
    const auto c = uri.find('?');
    const std::string answer = "{\"ok\":" + std::string(ok ? "true" : "false") +
                               ",\"participant\":\"" + uri.substr(b + 12, c - b - 12) +
                               "\",\"session\":" + uri.substr(a, b - a) + "}\n";
    response.setStatus(ok ? Poco::Net::HTTPResponse::HTTP_OK
                          : Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
    response.setContentType("application/json; charset=utf-8");
    response.setContentLength64(static_cast<Poco::Int64>(answer.size()));
    response.send() << answer;
  }

 private:
  std::string db_;
  store_fn store_;
};

class bare_factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  bare_factory(std::string db, store_fn store) : db_(std::move(db)), store_(store) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new bare_handler(db_, store_);
  }

 private:
  std::string db_;
  store_fn store_;
};

/// A bare server on 127.0.0.1 (any free port), keep-alive, `threads` workers.
struct bare_server {
  Poco::ThreadPool pool;
  Poco::Net::ServerSocket socket;
  Poco::Net::HTTPServer http;
  bare_server(const std::string& db, store_fn store, int threads)
      : pool("bare-http", 2, threads + 2, 60),
        socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64),
        http(new bare_factory(db, store), pool, socket, params(threads)) {
    http.start();
  }
  ~bare_server() {
    http.stopAll(false);
    pool.joinAll();
  }
  int port() const { return socket.address().port(); }
  static Poco::Net::HTTPServerParams* params(int threads) {
    auto p = new Poco::Net::HTTPServerParams;
    p->setMaxThreads(threads);
    p->setMaxQueued(4 * threads);
    p->setKeepAlive(true);
    p->setKeepAliveTimeout(Poco::Timespan(10, 0));
    p->setMaxKeepAliveRequests(0);
    return p;
  }
};

/// The bare handler under the same PUT script; the rows it inserted.
std::pair<wrk_result, long long> run_bare(const fs::path& dir, const std::string& script,
                                          int seconds) {
  const std::string db_path = (dir / "bare.db").string();
  // The table the bare handler writes to (the database is closed again at once).
  bench::bare_sqlite(db_path,
                     "PRAGMA journal_mode=WAL; CREATE TABLE mark (id INTEGER PRIMARY KEY, path "
                     "TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL) STRICT;");
  wrk_result r;
  {
    bare_server bare(db_path, store_in_sqlite, connections);
    r = run_wrk(bare.port(), "/", seconds, {"-s", script});
  }
  return {r, scalar(db_path, "SELECT count(*) FROM mark")};
}

// --- ours -------------------------------------------------------------------------------------

struct ours_run {
  bool ok = false;
  wrk_result put;
  std::optional<wrk_result> progress;
  long long written = 0;  ///< attendance audit entries added during the run
  double rss_idle = 0;
  double rss_after = 0;
};

/// The marks to change: every held intervention session × every resident planned into the
/// cohort (a resident may come to a session other than the one planned for them, so a mark
/// outside the session's roster is as valid a write). "n/CODE" → the status to set first: the
/// current mark flipped, or absent when there is none.
std::vector<std::pair<std::string, std::string>> targets_of(
    const core::json& sessions, const std::map<std::string, std::string>& marks) {
  const std::string today = [] {
    char buf[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
    return std::string(buf);
  }();
  std::vector<std::string> held;
  std::set<std::string> residents;
  for (const auto& s : sessions.as_array()) {
    const auto* kind = s.find("kind");
    const auto* status = s.find("status");
    const auto* start = s.find("start");
    const auto* cohort = s.find("cohort");
    if (!kind || kind->as_string() != "session" || !cohort ||
        cohort->as_string() != "intervention") {
      continue;
    }
    for (const auto& p : s.find("participants")->as_array()) residents.insert(p.as_string());
    if ((status && status->as_string() == "held") ||
        (start && start->as_string().substr(0, 10) < today)) {
      held.push_back(std::to_string(s.find("number")->as_int()));
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& n : held) {
    for (const auto& code : residents) {
      const std::string key = n + "/" + code;
      const auto m = marks.find(key);
      out.emplace_back(key, m != marks.end() && m->second == "absent" ? "excused" : "absent");
    }
  }
  return out;
}

ours_run run_ours(const std::string& binary, const std::string& db, const fs::path& dir,
                  int threads, bool with_progress, int seconds) {
  ours_run r;
  const auto srv = spawn_server(binary, db, threads);
  if (srv.pid < 0) {
    std::fprintf(stderr, "bench: the server did not start\n");
    return r;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  r.rss_idle = rss_mib(srv.pid);
  const auto who = login(srv.port);
  const auto sessions =
      who ? get_json(srv.port, "/api/sessions?cohort=intervention", *who) : std::nullopt;
  if (!who || !sessions) {
    std::fprintf(stderr, "bench: sign-in as %s or GET /api/sessions failed\n", leader.c_str());
    stop_server(srv);
    return r;
  }
  const auto targets = targets_of(*sessions, current_marks(db));
  if (targets.size() < static_cast<std::size_t>(2 * connections)) {
    std::fprintf(stderr, "bench: only %zu marks to change in held sessions\n", targets.size());
    stop_server(srv);
    return r;
  }
  const std::string script = (dir / ("put-" + std::to_string(threads) + ".lua")).string();
  std::ofstream(script) << put_script(targets, *who);
  const long long before = attendance_audit_entries(db);
  r.put = run_wrk(srv.port, "/", seconds, {"-s", script});
  if (with_progress) {
    r.progress =
        run_wrk(srv.port, "/api/attendance/progress", seconds, {"-H", "Cookie: " + who->cookie});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  r.rss_after = rss_mib(srv.pid);
  stop_server(srv);  // requests still in flight finish first
  r.written = attendance_audit_entries(db) - before;
  r.ok = r.put.ok && (!r.progress || r.progress->ok);
  return r;
}

void row(const std::string& what, int threads, const wrk_result& w, const std::string& ratio) {
  std::printf("| %-48s | %5d | %7d | %10.0f | %8.2f | %8.2f | %7lld | %8lld | %6s |\n",
              what.c_str(), connections, threads, w.rate, w.p50_ms, w.p99_ms, w.non_2xx, w.unserved,
              ratio.c_str());
}

std::string ratio(double x, double base) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", base > 0 ? x / base : 0.0);
  return buf;
}

// --- several processes on PostgreSQL (issue 13) ------------------------------------------------

/// `bench_server --bare-postgres URL THREADS`: the bare libpq handler as a process of its own,
/// until SIGTERM.
int serve_bare_postgres(const std::string& url, int threads) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  bare_server bare(url, store_in_postgres, threads);
  std::printf("listening on http://127.0.0.1:%d\n", bare.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}

/// Every `parts`-th target from `k` on: disjoint shares, one per process.
std::vector<std::pair<std::string, std::string>> share(
    const std::vector<std::pair<std::string, std::string>>& targets, int k, int parts) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = static_cast<std::size_t>(k); i < targets.size();
       i += static_cast<std::size_t>(parts)) {
    out.push_back(targets[i]);
  }
  return out;
}

/// One wrk per server at once, each with its share of the marks and `conns` connections; the
/// sum of their rates (latencies: the worst of them).
wrk_result run_wrk_on_all(const std::vector<served>& servers,
                          const std::vector<std::pair<std::string, std::string>>& targets,
                          const signed_in& who, const fs::path& dir, const std::string& name,
                          int seconds, int conns) {
  const int n = static_cast<int>(servers.size());
  std::vector<wrk_result> each(servers.size());
  std::vector<std::thread> runs;
  for (int k = 0; k < n; ++k) {
    const std::string script = (dir / (name + "-" + std::to_string(k) + ".lua")).string();
    std::ofstream(script) << put_script(share(targets, k, n), who);
    runs.emplace_back([&, k, script] {
      each[static_cast<std::size_t>(k)] =
          run_wrk(servers[static_cast<std::size_t>(k)].port, "/", seconds, {"-s", script}, conns);
    });
  }
  for (auto& t : runs) t.join();
  wrk_result sum;
  sum.ok = true;
  for (const auto& w : each) {
    sum.ok = sum.ok && w.ok;
    sum.requests += w.requests;
    sum.rate += w.rate;
    sum.p50_ms = std::max(sum.p50_ms, w.p50_ms);
    sum.p99_ms = std::max(sum.p99_ms, w.p99_ms);
    sum.non_2xx += w.non_2xx;
    sum.unserved += w.unserved;
  }
  return sum;
}

/// Attendance PUTs with 1, 2 and 3 `serve` processes on one PostgreSQL database, beside 1, 2 and
/// 3 bare libpq handlers (one INSERT and COMMIT per request), 64 connections in all.
int postgres_main(const std::string& binary, int seconds, const fs::path& dir) {
  const char* server = std::getenv("BALINT_TEST_POSTGRES");
  if (!server) {
    std::fprintf(stderr, "bench: the postgres run needs a server: scripts/with-postgres ...\n");
    return 2;
  }
  const std::string db = bench::fresh_postgres_database(server, "bench_server");
  if (run({binary, "demo", "--db", db}).first != 0) {
    std::fprintf(stderr, "bench: 'balint-trial demo --db %s' failed\n", db.c_str());
    return 1;
  }
  const std::string bare_db = bench::fresh_postgres_database(server, "bench_server_bare");
  {
    PGconn* conn = bench::connect_or_exit(bare_db);
    bench::run_libpq(conn,
                     "CREATE TABLE mark (id BIGSERIAL PRIMARY KEY, path TEXT NOT NULL, body TEXT "
                     "NOT NULL, at TEXT NOT NULL)");
    PQfinish(conn);
  }
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::pair<std::string, std::string>> bare_targets;
  for (int n = 1; n <= 9; ++n) {
    for (int p = 1; p <= 16; ++p) {
      bare_targets.emplace_back(std::to_string(n) + "/T" + std::to_string(p), "absent");
    }
  }
  const auto count = [](const std::string& url, const char* sql) {
    return bench::postgres_scalar(url, sql);
  };
  constexpr const char* audit_sql =
      "SELECT count(*) FROM audit_entry WHERE action = 'attendance.log'";

  std::printf(
      "\nIssue 13 benchmark: attendance PUT on PostgreSQL, 1-3 server processes, %d keep-alive "
      "connections in all, %d s per row\n\n",
      connections, seconds);
  std::printf("| %9s | %14s | %8s | %14s | %8s | %8s | %7s | %5s |\n", "processes",
              "bare libpq r/s", "bare p99", "balint-trial r/s", "p99 ms", "non-2xx", "lost",
              "ratio");
  std::printf(
      "|-----------|----------------|----------|------------------|----------|----------|"
      "---------|-------|\n");
  bool valid = true;
  bool met = true;
  std::vector<double> bare_rates;
  std::vector<double> our_rates;
  for (int n = 1; n <= 3; ++n) {
    const int conns = connections / n;
    std::vector<served> bares;
    for (int k = 0; k < n; ++k) {
      bares.push_back(spawn({self, "--bare-postgres", bare_db, std::to_string(conns)}));
    }
    const long long bare_before = count(bare_db, "SELECT count(*) FROM mark");
    const auto bare = run_wrk_on_all(bares, bare_targets, {"balint_session=0", "0"}, dir,
                                     "bare-" + std::to_string(n), seconds, conns);
    for (const auto& b : bares) stop_server(b);
    const long long bare_rows = count(bare_db, "SELECT count(*) FROM mark") - bare_before;

    std::vector<served> ours;
    for (int k = 0; k < n; ++k) ours.push_back(spawn_server(binary, db, conns));
    bool started = true;
    for (const auto& o : ours) started = started && o.pid > 0;
    const auto who = started ? login(ours[0].port) : std::nullopt;
    const auto sessions =
        who ? get_json(ours[0].port, "/api/sessions?cohort=intervention", *who) : std::nullopt;
    if (!who || !sessions) {
      std::fprintf(stderr, "bench: a server did not start, or sign-in failed\n");
      for (const auto& o : ours) {
        if (o.pid > 0) stop_server(o);
      }
      return 1;
    }
    const long long before = count(db, audit_sql);
    const auto mine = run_wrk_on_all(ours, targets_of(*sessions, current_marks_postgres(db)), *who,
                                     dir, "ours-" + std::to_string(n), seconds, conns);
    for (const auto& o : ours) stop_server(o);
    const long long written = count(db, audit_sql) - before;

    const long long lost = std::max(0LL, (mine.requests - mine.non_2xx) - written) +
                           std::max(0LL, (bare.requests - bare.non_2xx) - bare_rows);
    valid = valid && bare.ok && mine.ok && mine.non_2xx == 0 && bare.non_2xx == 0 && lost == 0;
    const double r = bare.rate > 0 ? mine.rate / bare.rate : 0;
    met = met && r >= 0.5;
    bare_rates.push_back(bare.rate);
    our_rates.push_back(mine.rate);
    std::printf("| %9d | %14.0f | %8.2f | %16.0f | %8.2f | %8lld | %7lld | %5.2f |\n", n, bare.rate,
                bare.p99_ms, mine.rate, mine.p99_ms, mine.non_2xx, lost, r);
  }
  std::printf(
      "\ngrowth from 1 to 3 processes: balint-trial %.2fx, bare libpq handler %.2fx (one machine, "
      "2 cores, shared with PostgreSQL and wrk)\n",
      our_rates[0] > 0 ? our_rates[2] / our_rates[0] : 0,
      bare_rates[0] > 0 ? bare_rates[2] / bare_rates[0] : 0);
  std::printf("lost: acknowledged (2xx) writes missing from the database afterwards\n");
  std::printf("every configuration >= 0.5x the bare handler with as many processes: %s\n",
              met ? "met" : "NOT met");
  if (!valid) {
    std::printf("INVALID: a non-2xx answer or a lost write (see above)\n");
    return 1;
  }
  return met ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--bare-postgres") {
    return serve_bare_postgres(argv[2], std::atoi(argv[3]));
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_server BALINT_TRIAL [SECONDS]\n");
    return 2;
  }
  const std::string binary = fs::absolute(argv[1]).string();
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 10;
  if (run({"sh", "-c", "command -v wrk"}).first != 0) {
    std::fprintf(stderr, "bench_server: wrk is not installed (apt-get install wrk)\n");
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  char tmpl[] = "/tmp/balint-bench-server-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  struct remove_on_exit {
    fs::path dir;
    ~remove_on_exit() { fs::remove_all(dir); }
  } cleanup{dir};
  if (argc > 3 && std::string(argv[3]) == "postgres") return postgres_main(binary, seconds, dir);
  const std::string db = (dir / "trial.db").string();
  if (run({binary, "demo", "--db", db}).first != 0) {
    std::fprintf(stderr, "bench: 'balint-trial demo --db %s' failed\n", db.c_str());
    return 1;
  }

  // The bare handler first, with the same script over as many marks as the demo has.
  std::vector<std::pair<std::string, std::string>> bare_targets;
  for (int n = 1; n <= 9; ++n) {
    for (int p = 1; p <= 16; ++p) {
      bare_targets.emplace_back(std::to_string(n) + "/T" + std::to_string(p), "absent");
    }
  }
  const std::string bare_script = (dir / "put-bare.lua").string();
  std::ofstream(bare_script) << put_script(bare_targets, {"balint_session=0", "0"});
  const auto [bare, bare_rows] = run_bare(dir, bare_script, seconds);
  if (!bare.ok) {
    std::fprintf(stderr, "bench: the wrk run against the bare handler failed\n");
    return 1;
  }
  // Ours with 64 and then 16 threads.
  const auto ours64 = run_ours(binary, db, dir, connections, true, seconds);
  const auto ours16 = ours64.ok ? run_ours(binary, db, dir, 16, false, seconds) : ours_run{};
  if (!ours64.ok || !ours16.ok) {
    std::fprintf(stderr, "bench: a wrk run against balint-trial serve failed\n");
    return 1;
  }

  std::printf(
      "\nIssue 8 benchmark: HTTP API under wrk, %d keep-alive connections, %d s per row\n\n",
      connections, seconds);
  std::printf("| %-48s | %5s | %7s | %10s | %8s | %8s | %7s | %8s | %6s |\n", "scenario", "conns",
              "threads", "requests/s", "p50 ms", "p99 ms", "non-2xx", "unserved", "ratio");
  std::printf("|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(50, '-').c_str(),
              std::string(7, '-').c_str(), std::string(9, '-').c_str(),
              std::string(12, '-').c_str(), std::string(10, '-').c_str(),
              std::string(10, '-').c_str(), std::string(9, '-').c_str(),
              std::string(10, '-').c_str(), std::string(8, '-').c_str());
  row("baseline: bare Poco handler, 1 FULL-sync insert", connections, bare, "1.00");
  row("PUT attendance (auth, checks, audit)", connections, ours64.put,
      ratio(ours64.put.rate, bare.rate));
  row("GET attendance progress", connections, *ours64.progress, "-");
  row("PUT attendance, --threads 16 (Poco default)", 16, ours16.put,
      ratio(ours16.put.rate, bare.rate));

  std::printf(
      "\nbalint-trial serve resident memory: %.1f MiB idle after start, %.1f MiB after "
      "the 64-connection runs\n",
      ours64.rss_idle, ours64.rss_after);
  bool valid = true;
  auto check = [&](const char* what, const wrk_result& w, long long written) {
    const long long acknowledged = w.requests - w.non_2xx;
    const bool kept = written >= acknowledged;
    std::printf(
        "%s: %lld requests answered 2xx, %lld writes in the database (%lld in flight "
        "when wrk stopped): %s\n",
        what, acknowledged, written, written - acknowledged,
        kept ? "no acknowledged write lost" : "ACKNOWLEDGED WRITES LOST");
    valid = valid && kept && w.non_2xx == 0;
  };
  check("bare handler", bare, bare_rows);
  check("PUT, 64 threads", ours64.put, ours64.written);
  check("PUT, 16 threads", ours16.put, ours16.written);
  valid = valid && ours64.progress->non_2xx == 0;
  std::printf(
      "\nunserved: connections with a request unread at every sample (every 250 ms, "
      "from 20%% to 80%% of the run):\nthey wait for a worker thread that a busy keep-alive "
      "connection never frees; wrk reports them\nneither as errors nor in the "
      "latencies.\n");
  const double r = bare.rate > 0 ? ours64.put.rate / bare.rate : 0;
  const bool met = r >= 0.5;
  std::printf("\nattendance PUT rate / bare rate = %.2f (target >= 0.5): %s\n", r,
              met ? "met" : "NOT met");
  if (!valid) {
    std::printf("INVALID: a non-2xx answer or a lost write (see above)\n");
    return 1;
  }
  return met ? 0 : 3;
}
