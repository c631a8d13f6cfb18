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
// Usage: bench_server BALINT_TRIAL [SECONDS]   (seconds per wrk run, default 10)
#include "bench_common.hpp"

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

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
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

/// Runs a program; its exit code and standard output (standard error goes to /dev/null).
std::pair<int, std::string> run(const std::vector<std::string>& argv) {
  std::fflush(stdout);
  int out[2];
  if (pipe(out) != 0) return {-1, ""};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    bench::exec_quietly(argv);
  }
  close(out[1]);
  std::string text;
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

/// `balint-trial serve` as a child process: its pid and port.
struct served {
  pid_t pid = -1;
  int port = 0;
};

served spawn_server(const std::string& binary, const std::string& db, int threads) {
  std::fflush(stdout);
  int out[2];
  if (pipe(out) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    std::freopen("/dev/null", "w", stderr);  // the access log
    const std::string t = std::to_string(threads);
    execl(binary.c_str(), binary.c_str(), "serve", "--db", db.c_str(), "--port", "0", "--threads",
          t.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  close(out[1]);
  std::string line;
  char c = 0;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);  // the server writes nothing more to standard output
  const auto colon = line.rfind(':');
  if (line.rfind("listening on http://", 0) != 0 || colon == std::string::npos) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return {};
  }
  return {pid, std::atoi(line.c_str() + colon + 1)};
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

/// Current marks of the intervention cohort: "n/CODE" → status.
std::map<std::string, std::string> current_marks(const std::string& db_path) {
  std::map<std::string, std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db,
                           "SELECT s.number, p.code, a.status FROM attendance a "
                           "JOIN session_slot s ON s.id = a.slot_id "
                           "JOIN participant p ON p.id = a.participant_id "
                           "WHERE s.cohort = 'intervention' AND s.kind = 'session'",
                           -1, &s, nullptr) == SQLITE_OK) {
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
                   const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"wrk",
                                   "-t" + std::to_string(wrk_threads),
                                   "-c" + std::to_string(connections),
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

class bare_handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit bare_handler(std::string db_path) : db_path_(std::move(db_path)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    // One connection per worker thread, opened on its first request, closed with the thread.
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
      sqlite3_open(db_path_.c_str(), &conn.db);
      sqlite3_busy_timeout(conn.db, 10000);
      sqlite3_exec(conn.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr,
                   nullptr);
      sqlite3_prepare_v2(conn.db, "INSERT INTO mark (path, body, at) VALUES (?, ?, ?)", -1,
                         &conn.insert, nullptr);
    }
    sqlite3_stmt* insert = conn.insert;
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    const std::string at =
        std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    sqlite3_bind_text(insert, 1, request.getURI().c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, body.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 3, at.c_str(), -1, SQLITE_TRANSIENT);
    const bool ok = sqlite3_step(insert) == SQLITE_DONE;
    sqlite3_reset(insert);
    // Answers what it stored, as ours does: /api/sessions/N/attendance/CODE?...
    const std::string uri = request.getURI();
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
  std::string db_path_;
};

class bare_factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit bare_factory(std::string db_path) : db_path_(std::move(db_path)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new bare_handler(db_path_);
  }

 private:
  std::string db_path_;
};

/// The bare handler under the same PUT script; the rows it inserted.
std::pair<wrk_result, long long> run_bare(const fs::path& dir, const std::string& script,
                                          int seconds) {
  const std::string db_path = (dir / "bare.db").string();
  // The table the bare handler writes to (the database is closed again at once).
  bench::bare_sqlite(db_path,
                     "PRAGMA journal_mode=WAL; CREATE TABLE mark (id INTEGER PRIMARY KEY, path "
                     "TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL) STRICT;");
  Poco::ThreadPool pool("bare-http", 2, connections + 2, 60);
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64);
  auto params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(connections);
  params->setMaxQueued(4 * connections);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(10, 0));
  params->setMaxKeepAliveRequests(0);
  Poco::Net::HTTPServer http(new bare_factory(db_path), pool, socket, params);
  http.start();
  const auto r = run_wrk(socket.address().port(), "/", seconds, {"-s", script});
  http.stopAll(false);
  pool.joinAll();
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
std::vector<std::pair<std::string, std::string>> targets_of(const core::json& sessions,
                                                            const std::string& db) {
  const auto marks = current_marks(db);
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
  const auto targets = targets_of(*sessions, db);
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

}  // namespace

int main(int argc, char** argv) {
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
