// The HTTP plumbing: Poco's HTTPServer, the router (a handler factory matching method and
// path), one catch-all per request, the access log, security headers, database connections
// per worker and the graceful stop.
#include "http.hpp"

#include "balint/app/clock.hpp"
#include "balint/core/text.hpp"
#include "balint/resources/resources.hpp"
#include "balint/server/server.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <exception>
#include <iterator>
#include <mutex>
#include <pthread.h>
#include <signal.h>
#include <stdexcept>
#include <thread>

namespace balint::server {

namespace detail {

bool is_write(const std::string& method) { return method != "GET" && method != "HEAD"; }

int status_of(core::error_code code) {
  switch (code) {
    case core::error_code::invalid_input:
      return 400;
    case core::error_code::not_found:
      return 404;
    case core::error_code::conflict:
    case core::error_code::precondition_failed:
      return 409;
    case core::error_code::forbidden:
      return 403;
    case core::error_code::unauthenticated:
      return 401;
  }
  return 500;
}

response json_response(int status, const core::json& body) {
  response r;
  r.status = status;
  r.body = body.dump() + "\n";
  return r;
}

namespace {

core::json error_body(std::string_view code, const std::string& field, const std::string& message) {
  core::json e;
  e["code"] = code;
  e["field"] = field;
  e["message"] = message;
  return e;
}

}  // namespace

response error_response(int status, std::string_view code, const std::string& field,
                        const std::string& message) {
  core::json j;
  j["error"] = error_body(code, field, message);
  return json_response(status, j);
}

response error_response(const core::error& e) {
  core::json body = error_body(core::to_string(e.code), e.field, e.message);
  // The value and what is allowed, apart, for pages that show them beside the field.
  if (!e.value.empty()) body["value"] = e.value;
  if (!e.allowed.empty()) body["allowed"] = e.allowed;
  core::json j;
  j["error"] = std::move(body);
  return json_response(status_of(e.code), j);
}

/// Pages may run their own scripts and styles and talk to this server; nothing else.
constexpr const char* page_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

namespace {

/// Where a survey link's token starts in `path`: /s/{token}, /api/survey/{token}/..., and the
/// same API under a trial's prefix (/api/trials/{id}/survey/{token}, which is never served but
/// must be limited and never logged); npos for any other path.
std::size_t survey_token_start(std::string_view path) {
  if (path.rfind("/s/", 0) == 0) return 3;
  constexpr std::string_view api = "/api/survey/";
  if (path.rfind(api, 0) == 0) return api.size();
  constexpr std::string_view trials = "/api/trials/";
  if (path.rfind(trials, 0) != 0) return std::string_view::npos;
  const auto slash = path.find('/', trials.size());
  if (slash == std::string_view::npos) return std::string_view::npos;
  constexpr std::string_view survey = "/survey/";
  if (path.compare(slash, survey.size(), survey) != 0) return std::string_view::npos;
  return slash + survey.size();
}

}  // namespace

bool is_survey_path(const std::string& path) {
  return survey_token_start(path) != std::string_view::npos;
}

rate_limiter::bucket& rate_limiter::refilled(const std::string& client, double now) {
  const double rate = per_minute_ / 60.0;  // tokens per second
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      // Forget the clients whose buckets have filled up again: they lose nothing.
      for (auto b = buckets_.begin(); b != buckets_.end();) {
        const double tokens = b->second.tokens + (now - b->second.at) * rate;
        b = tokens >= per_minute_ ? buckets_.erase(b) : std::next(b);
      }
      // Still full: a flood from many addresses; the oldest entry goes.
      if (buckets_.size() >= max_clients_) buckets_.erase(buckets_.begin());
    }
    it = buckets_.emplace(client, bucket{static_cast<double>(per_minute_), now}).first;
  }
  auto& b = it->second;
  b.tokens = std::min<double>(per_minute_, b.tokens + (now - b.at) * rate);
  b.at = now;
  return b;
}

int rate_limiter::retry_after(const bucket& b) const {
  return static_cast<int>((1 - b.tokens) / (per_minute_ / 60.0)) + 1;
}

bool rate_limiter::allow(const std::string& client, double now, int& retry_after_seconds) {
  std::lock_guard lock(mutex_);
  auto& b = refilled(client, now);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  retry_after_seconds = retry_after(b);
  return false;
}

bool rate_limiter::available(const std::string& client, double now, int& retry_after_seconds) {
  std::lock_guard lock(mutex_);
  const auto& b = refilled(client, now);
  if (b.tokens >= 1) return true;
  retry_after_seconds = retry_after(b);
  return false;
}

void rate_limiter::take(const std::string& client, double now) {
  std::lock_guard lock(mutex_);
  refilled(client, now).tokens -= 1;
}

response survey_busy(bool page, int retry_after_seconds) {
  std::optional<response> r;
  if (page) r = static_file("/survey-busy.html");
  if (r) {
    r->status = 429;
  } else {
    r = error_response(429, "too_many_requests", "",
                       "too many requests from this address; try again later");
  }
  r->headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return std::move(*r);
}

std::optional<response> static_file(const std::string& path) {
  if (path.empty() || path.front() != '/' || path.find("..") != std::string::npos) {
    return std::nullopt;
  }
  const std::string name = path == "/" ? "index.html" : path.substr(1);
  if (name.find('/') != std::string::npos) return std::nullopt;
  const auto content = resources::find("src/web/" + name);
  if (!content) return std::nullopt;
  static const std::map<std::string, std::string> types = {
      {".html", "text/html"},       {".css", "text/css"},  {".js", "text/javascript"},
      {".svg", "image/svg+xml"},    {".png", "image/png"}, {".ico", "image/x-icon"},
      {".json", "application/json"}};
  const auto dot = name.rfind('.');
  const auto type = dot == std::string::npos ? types.end() : types.find(name.substr(dot));
  response r;
  r.status = 200;
  r.body = std::string(*content);
  r.content_type = type == types.end() ? "application/octet-stream" : type->second;
  if (r.content_type == "text/html") r.content_security_policy = page_security_policy;
  return r;
}

}  // namespace detail

namespace {

using namespace detail;

/// API answers are data, never documents: nothing may load, frame or submit anywhere.
constexpr const char* content_security_policy =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Database connections, one per concurrently running request (so per worker thread at most).
/// SQLite serializes writers; busy_timeout (set when opening) makes them wait, not fail.
class connection_pool {
 public:
  explicit connection_pool(std::string path) : path_(std::move(path)) {}

  std::unique_ptr<app::database> acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto db = std::move(idle_.back());
        idle_.pop_back();
        return db;
      }
    }
    return app::open_database(path_);
  }
  void release(std::unique_ptr<app::database> db) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
  }
  void close_all() {
    std::lock_guard lock(mutex_);
    idle_.clear();
  }

 private:
  std::string path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<app::database>> idle_;
};

class lease {
 public:
  explicit lease(connection_pool& p) : pool_(p), db_(p.acquire()) {}
  ~lease() {
    // A connection given up by a failure (a lost server, a broken transaction) is closed, not
    // reused: the next request opens a new one.
    if (db_ && std::uncaught_exceptions() == exceptions_at_start_) pool_.release(std::move(db_));
  }
  lease(const lease&) = delete;
  lease& operator=(const lease&) = delete;
  app::database& operator*() { return *db_; }

 private:
  connection_pool& pool_;
  std::unique_ptr<app::database> db_;
  int exceptions_at_start_ = std::uncaught_exceptions();
};

/// Group commit. Writes of the trial queue here; one writer thread takes every write waiting,
/// runs each in a savepoint of one BEGIN IMMEDIATE ... COMMIT (a refused one is rolled back
/// alone), and answers them all once the COMMIT is on disk. A single write waits for nobody;
/// under load one fsync serves many writes, and the writers never sleep in SQLite's busy handler.
class write_queue {
 public:
  using job_fn = std::function<detail::response(app::database&)>;

  explicit write_queue(std::string path) : path_(std::move(path)) {}
  ~write_queue() { stop(); }
  write_queue(const write_queue&) = delete;
  write_queue& operator=(const write_queue&) = delete;

  /// Runs `fn` on the writer's connection; returns its answer after the batch committed, or
  /// rethrows what it (or the COMMIT) threw.
  detail::response run(job_fn fn) {
    job j;
    j.fn = std::move(fn);
    std::unique_lock lock(mutex_);
    if (stopping_) throw std::runtime_error("the server is stopping; the write was not made");
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    queue_.push_back(&j);
    work_.notify_one();
    j.answered.wait(lock, [&] { return j.done; });
    if (j.failure) std::rethrow_exception(j.failure);
    return std::move(j.out);
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct job {
    job_fn fn;
    detail::response out;
    std::exception_ptr failure;
    bool done = false;
    /// Wakes this job's request thread alone: one wake-up per answer, not one per waiting
    /// thread per batch (64 threads would each wake for every batch).
    std::condition_variable answered;
  };

  void loop() {
    std::unique_ptr<app::database> db;
    for (;;) {
      std::vector<job*> batch;
      {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left
        batch.assign(queue_.begin(), queue_.end());
        queue_.clear();
      }
      run_batch(db, batch);
      std::lock_guard lock(mutex_);
      for (auto* j : batch) {
        j->done = true;
        j->answered.notify_one();
      }
    }
  }

  /// The batch in one transaction, each job in a savepoint; when that transaction fails, each
  /// job again in a transaction of its own, so one job's failure is its answer alone.
  void run_batch(std::unique_ptr<app::database>& db, const std::vector<job*>& batch) {
    try {
      if (!db) db = open_writer();
      run_together(*db, batch);
      return;
    } catch (const app::database_unavailable&) {
      // The connection broke, perhaps during COMMIT: whether the batch landed is unknown, so
      // it is not run again; every request of it is told to try again (503).
      fail_all(db, batch, std::current_exception());
      return;
    } catch (...) {
      if (batch.size() == 1) {
        fail_all(db, batch, std::current_exception());
        return;
      }
    }
    // Nothing of the batch is on disk. Its answers do not stand (an acceptance would be false,
    // and a refusal may rest on a write that is gone), so each job runs again, alone.
    db.reset();
    for (auto* j : batch) {
      j->out = {};
      j->failure = nullptr;
      try {
        if (!db) db = open_writer();
        run_together(*db, {j});
      } catch (...) {
        fail_all(db, {j}, std::current_exception());
      }
    }
  }

  /// The writer's connection. A batch that fails runs again job by job (run_batch), so its
  /// writes may wait for COMMIT: a round trip less per job on PostgreSQL.
  std::unique_ptr<app::database> open_writer() const {
    auto db = app::open_database(path_);
    db->let_writes_wait_for_commit(true);
    return db;
  }

  static void run_together(app::database& db, const std::vector<job*>& batch) {
    app::transaction all(db);
    for (auto* j : batch) {
      {
        app::transaction one(db);
        try {
          j->out = j->fn(db);
          if (j->out.status < 300) one.commit();
        } catch (...) {
          j->failure = std::current_exception();
        }
      }
      // SQLite may end the whole transaction by itself after an I/O error; then nothing of
      // the batch so far is kept and what follows must not run outside it.
      if (!db.in_transaction() || db.transaction_depth() != 1) {
        throw std::runtime_error("the batch's transaction ended early; nothing was saved");
      }
    }
    all.commit();
  }

  /// Every job of `batch` answers `failure`; the connection, in an unknown state, is closed.
  static void fail_all(std::unique_ptr<app::database>& db, const std::vector<job*>& batch,
                       const std::exception_ptr& failure) {
    for (auto* j : batch) j->failure = failure;
    db.reset();
  }

  std::string path_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::vector<job*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

/// One trial the server has served: where it is, its connections and its group commit.
struct trial_state {
  app::trial_entry entry;
  connection_pool pool;
  write_queue writes;
  explicit trial_state(app::trial_entry e)
      : entry(std::move(e)), pool(entry.locator), writes(entry.locator) {}
};

struct shared_state {
  config cfg;
  app::site site;
  /// The site's accounts, sessions and sign-in attempts.
  connection_pool accounts;
  std::mutex log_mutex;
  /// Participants' survey links, per client address: answers of "not available", and all.
  rate_limiter survey_misses;
  rate_limiter survey_limit;

  explicit shared_state(config c)
      : cfg(std::move(c)),
        site(cfg.db_path),
        accounts(site.accounts_locator()),
        survey_misses(cfg.survey_misses_per_minute),
        survey_limit(cfg.survey_requests_per_minute) {}

  void log_line(const core::json& j) {
    if (!cfg.access_log) return;
    const std::string line = j.dump() + "\n";
    std::lock_guard lock(log_mutex);
    *cfg.access_log << line << std::flush;
  }

  /// The trial `id` (empty: the site's only one), or why there is none. A trial is looked up
  /// once and kept; one made since (by another server or the command line) is found on its
  /// first request. At a site of several trials, which trial is the only one is looked up
  /// again after `unnamed_kept_for` (listing the trials opens each): a second trial made
  /// meanwhile makes requests without a trial in the path ambiguous within that time.
  core::result<trial_state*> trial(const std::string& id) {
    std::lock_guard lock(trials_mutex_);
    if (!site.holds_many()) return one_file_trial(id);
    const auto now = std::chrono::steady_clock::now();
    if (!id.empty()) {
      if (auto it = trials_.find(id); it != trials_.end()) return it->second.get();
    } else if (unnamed_ && now - unnamed_found_at_ < unnamed_kept_for) {
      return unnamed_;
    }
    auto found = site.find_trial(id, "trial");
    if (!found) {
      if (id.empty()) return std::move(found).error();
      // One answer for a trial that does not exist and one the user has no part in.
      return no_such_trial(id);
    }
    auto& slot = trials_[found->id];
    if (!slot) slot = std::make_unique<trial_state>(std::move(found.value()));
    if (id.empty()) {
      unnamed_ = slot.get();
      unnamed_found_at_ = now;
    }
    return slot.get();
  }

  /// A site of one file: its one trial (also before it is set up, so the use cases say so),
  /// under its own id or none.
  core::result<trial_state*> one_file_trial(const std::string& id) {
    auto& slot = trials_[std::string()];
    if (!slot) {
      auto found = site.find_trial("", "trial");
      slot = std::make_unique<trial_state>(found ? found.value()
                                                 : app::trial_entry{"", "", site.locator()});
    }
    // A file set up after the server started: its id is read again (the entry, read by
    // requests without the lock, is never changed).
    const bool named_here = id.empty() || id == slot->entry.id ||
                            (slot->entry.id.empty() && site.find_trial(id, "trial").has_value());
    if (!named_here) return no_such_trial(id);
    return slot.get();
  }

  static core::error no_such_trial(const std::string& id) {
    return core::not_found("trial", "there is no trial \"" + id + "\" that you have a role in");
  }

  void stop_all() {
    std::lock_guard lock(trials_mutex_);
    for (auto& [id, t] : trials_) {
      t->writes.stop();
      t->pool.close_all();
    }
    accounts.close_all();
  }

 private:
  static constexpr std::chrono::seconds unnamed_kept_for{10};
  std::mutex trials_mutex_;
  std::map<std::string, std::unique_ptr<trial_state>> trials_;
  trial_state* unnamed_ = nullptr;  ///< the site's only trial when last looked up
  std::chrono::steady_clock::time_point unnamed_found_at_;
};

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  for (const auto s : core::split(path, '/')) out.emplace_back(s);
  return out;
}

/// Matches `path` against a pattern; fills the {placeholders}.
bool matches(const std::string& pattern, const std::string& path,
             std::vector<std::string>& params) {
  const auto p = segments(pattern);
  const auto s = segments(path);
  if (p.size() != s.size()) return false;
  std::vector<std::string> found;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i].size() > 2 && p[i].front() == '{' && p[i].back() == '}') {
      if (s[i].empty()) return false;
      found.push_back(s[i]);
    } else if (p[i] != s[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

/// The request target's path, or nullopt when the target is not a valid URI (bad
/// percent-encoding such as /%zz).
std::optional<std::string> path_of(const Poco::Net::HTTPServerRequest& request) {
  try {
    return Poco::URI(request.getURI()).getPath();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

/// The path as the log keeps it: a survey link's token is a credential, so it is never
/// written (/s/{token}, /api/survey/{token}/submit).
std::string loggable_path(const std::string& path) {
  const std::size_t start = survey_token_start(path);
  if (start == std::string_view::npos) return path;
  const std::size_t end = path.find('/', start);
  return path.substr(0, start) + "{token}" + (end == std::string::npos ? "" : path.substr(end));
}

class api_handler : public Poco::Net::HTTPRequestHandler {
 public:
  api_handler(shared_state& state, const route* r, std::vector<std::string> params,
              bool wrong_method, std::string trial_id)
      : state_(state),
        route_(r),
        params_(std::move(params)),
        wrong_method_(wrong_method),
        trial_id_(std::move(trial_id)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const auto started = std::chrono::steady_clock::now();
    const std::string at = app::utc_now();
    head_only_ = request.getMethod() == "HEAD";
    std::string user = "-";
    detail::response out;
    bool keep_alive = true;
    // One catch-all per request: whatever fails, the client gets JSON and the log the cause.
    try {
      out = dispatch(request, at, user, keep_alive);
    } catch (const app::database_unavailable& e) {
      out = unavailable(request, at, e.what());
    } catch (const Poco::Exception& e) {
      out = failed(request, at, e.displayText());  // what() is only the class name
    } catch (const std::exception& e) {
      out = failed(request, at, e.what());
    } catch (...) {
      out = failed(request, at, "an exception of unknown type");
    }
    send(response, out, keep_alive);
    core::json j;
    j["at"] = at;
    j["method"] = request.getMethod();
    j["path"] = loggable_path(path_of(request).value_or("(not a valid URI)"));
    j["status"] = out.status;
    j["bytes"] = out.body.size();
    j["user"] = user;
    j["remote"] = request.clientAddress().host().toString();
    j["ms"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count();
    state_.log_line(j);
  }

 private:
  /// The answer to an unexpected failure; the cause goes to the log, not to the client.
  detail::response failed(const Poco::Net::HTTPServerRequest& request, const std::string& at,
                          const std::string& cause) {
    log_failure(request, at, cause);
    return error_response(500, "internal", "", "the server failed; the cause is in its log");
  }

  void log_failure(const Poco::Net::HTTPServerRequest& request, const std::string& at,
                   const std::string& cause) {
    core::json j;
    j["at"] = at;
    j["level"] = "error";
    j["method"] = request.getMethod();
    j["path"] = loggable_path(path_of(request).value_or("(not a valid URI)"));
    j["error"] = cause;
    state_.log_line(j);
  }

  /// The answer when the database cannot be reached: 503, try again; the next request opens
  /// a new connection. What was in flight was rolled back with the lost connection.
  detail::response unavailable(const Poco::Net::HTTPServerRequest& request, const std::string& at,
                               const std::string& cause) {
    log_failure(request, at, cause);
    auto r = error_response(503, "unavailable", "",
                            "the database cannot be reached just now; this request was not "
                            "completed: try again in a moment");
    r.headers.emplace_back("Retry-After", "5");
    return r;
  }

  /// Reads and drops up to 16 MiB more of a refused body: a client still sending gets the 413
  /// instead of a reset connection. Beyond that the connection is simply closed.
  static void discard(std::istream& in) {
    char buf[8192];
    std::size_t dropped = 0;
    while (dropped < 16 * 1024 * 1024 && (in.read(buf, sizeof buf) || in.gcount() > 0)) {
      dropped += static_cast<std::size_t>(in.gcount());
    }
  }

  /// The client a survey link's rate limit counts: the peer, or behind a trusted proxy on this
  /// machine the last X-Forwarded-For entry (the one the proxy appended).
  std::string client_of(const Poco::Net::HTTPServerRequest& request) const {
    const auto peer = request.clientAddress().host();
    if (!state_.cfg.trust_forwarded_for || !peer.isLoopback()) return peer.toString();
    const std::string forwarded = request.get("X-Forwarded-For", "");
    const auto comma = forwarded.rfind(',');
    const auto last =
        core::trim(comma == std::string::npos ? std::string_view(forwarded)
                                              : std::string_view(forwarded).substr(comma + 1));
    if (last.empty() || last.size() > 64) return peer.toString();
    return std::string(last);
  }

  /// Survey links are rate-limited per client address before anything else is done; an
  /// answer of "not available" counts against the address's misses as well.
  detail::response dispatch(Poco::Net::HTTPServerRequest& request, const std::string& at,
                            std::string& user, bool& keep_alive) {
    const auto target = path_of(request);
    if (!target) {
      keep_alive = false;
      return error_response(400, "invalid_input", "path",
                            "the request's target is not a valid URI (a '%' must be followed "
                            "by two hexadecimal digits)");
    }
    const std::string& path = *target;
    if (!is_survey_path(path)) return dispatch_route(request, at, user, keep_alive);
    const double now =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    const std::string client = client_of(request);
    int retry_after = 0;
    if (!state_.survey_misses.available(client, now, retry_after) ||
        !state_.survey_limit.allow(client, now, retry_after)) {
      keep_alive = false;
      if (request.hasContentLength() &&
          request.getContentLength64() <= static_cast<Poco::Int64>(survey_body_bytes)) {
        discard(request.stream());
      }
      return survey_busy(path.rfind("/s/", 0) == 0, retry_after);
    }
    auto out = dispatch_route(request, at, user, keep_alive);
    if (out.status == 404) state_.survey_misses.take(client, now);
    return out;
  }

  detail::response dispatch_route(Poco::Net::HTTPServerRequest& request, const std::string& at,
                                  std::string& user, bool& keep_alive) {
    // The body first: an unread body would be parsed as the next request of the connection.
    const std::size_t limit = route_ && route_->max_body_bytes > 0
                                  ? std::min(route_->max_body_bytes, state_.cfg.max_body_bytes)
                                  : state_.cfg.max_body_bytes;
    const std::string too_large =
        "the request body is larger than " + std::to_string(limit) + " bytes; nothing was changed";
    if (request.hasContentLength() &&
        request.getContentLength64() > static_cast<Poco::Int64>(limit)) {
      keep_alive = false;
      discard(request.stream());
      return error_response(413, "too_large", "body", too_large);
    }
    std::string body;
    // A request without Content-Length and not chunked has no body (RFC 9112 6.3); reading one
    // would wait for the client to close the connection (curl -X POST without -d does this).
    if (request.hasContentLength() || request.getChunkedTransferEncoding()) {
      auto& in = request.stream();
      char buf[8192];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        body.append(buf, static_cast<std::size_t>(in.gcount()));
        if (body.size() > limit) {
          keep_alive = false;
          discard(in);
          return error_response(413, "too_large", "body", too_large);
        }
      }
    }
    if (!route_) {
      const std::string path = Poco::URI(request.getURI()).getPath();
      if (request.getMethod() == "GET" || request.getMethod() == "HEAD") {
        if (auto page = static_file(path)) return std::move(*page);
      }
      return error_response(
          404, "not_found", "path",
          path.rfind("/api/", 0) == 0 ? "there is no such API route" : "there is no such page");
    }
    if (wrong_method_) {
      std::vector<std::string> allowed;
      for (const auto& r : routes()) {
        if (r.pattern != route_->pattern) continue;
        allowed.push_back(r.method);
        if (r.method == "GET") allowed.emplace_back("HEAD");
      }
      auto refused = error_response(405, "method_not_allowed", "method",
                                    "this route answers " + core::join(allowed, ", ") + " only");
      refused.headers.emplace_back("Allow", core::join(allowed, ", "));
      return refused;
    }
    // Where the route runs: one trial's database, or the site's accounts.
    if (route_->scope == route_scope::site && !trial_id_.empty()) {
      return error_response(404, "not_found", "path", "there is no such API route");
    }
    const bool on_trial = route_->scope == route_scope::trial ||
                          (route_->scope == route_scope::either && !trial_id_.empty());
    trial_state* trial = nullptr;
    if (on_trial) {
      auto found = state_.trial(trial_id_);
      if (!found) return error_response(found.error());
      trial = found.value();
    }
    Poco::URI uri(request.getURI());
    // One connection when the accounts are in the trial's own database (a file, or the public
    // schema): a server then holds at most one connection per worker thread.
    std::optional<lease> trial_db;
    if (trial) trial_db.emplace(trial->pool);
    const bool shared = trial && trial->entry.locator == state_.site.accounts_locator();
    std::optional<lease> accounts_db;
    if (!shared) accounts_db.emplace(state_.accounts);
    app::database& accounts = shared ? **trial_db : **accounts_db;
    app::database& db = trial ? **trial_db : accounts;
    call c{{"anonymous", at}, db,           state_.cfg, params_,   {},
           core::json(),      std::nullopt, "",         &accounts, &state_.site};
    for (const auto& [k, v] : uri.getQueryParameters()) c.query[k] = v;
    Poco::Net::NameValueCollection cookies;
    request.getCookies(cookies);
    c.cookie_token = cookies.get(session_cookie, "");

    if (!route_->anonymous()) {
      auto who = app::authenticate(accounts, c.req, c.cookie_token, state_.cfg.security);
      if (!who) return error_response(who.error());
      user = who->user;
      c.req.actor = who->user;
      c.req.actor_role = who->user_role;
      if (trial && state_.site.holds_many() && !shared) {
        // The account's role in this trial; none: the trial does not exist for them. (When
        // the accounts are the trial's own users, authenticate read that very row.)
        const auto role = app::role_in_trial(db, who->user);
        if (!role) return error_response(shared_state::no_such_trial(trial->entry.id));
        c.req.actor_role = who->user_role = *role;
      }
      if (trial) c.req.trial = trial->entry.id;
      // Refused before the body is read; the use case checks the same row again.
      if (auto ok = app::authorize(c.req, *route_->serves); !ok) return error_response(ok.error());
      if (is_write(request.getMethod())) {
        const std::string sent = request.get("X-CSRF-Token", "");
        if (sent.empty() || !app::constant_time_equal(sent, who->csrf_token)) {
          return error_response(403, "forbidden", "X-CSRF-Token",
                                "every change needs the header X-CSRF-Token with the csrf_token "
                                "the sign-in answered; nothing was changed");
        }
      }
      c.who = std::move(who.value());
    }
    if (!body.empty()) {
      auto parsed = core::parse_json(body);
      if (!parsed) {
        return error_response(400, "invalid_input", "body",
                              "the body is not JSON: " + parsed.error().message);
      }
      if (!parsed->is_object()) {
        return error_response(400, "invalid_input", "body", "the body must be a JSON object");
      }
      c.body = std::move(parsed.value());
    } else if (is_write(request.getMethod()) && !route_->body_optional) {
      return error_response(400, "invalid_input", "body", "this route needs a JSON object body");
    }
    if (route_->group_commit) {
      return trial->writes.run([&](app::database& writer) {
        call w{c.req,  writer, c.cfg,          c.params,   c.query,
               c.body, c.who,  c.cookie_token, c.accounts, c.site};
        return route_->run(w);
      });
    }
    return route_->run(c);
  }

  void send(Poco::Net::HTTPServerResponse& response, const detail::response& out, bool keep_alive) {
    // The status line's reason phrase matches the code ("404 Not Found", never "404 OK").
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
    response.setContentType(out.content_type + "; charset=utf-8");
    response.set("Content-Security-Policy", out.content_security_policy.empty()
                                                ? content_security_policy
                                                : out.content_security_policy);
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Cache-Control", "no-store");
    for (const auto& [name, value] : out.headers) response.add(name, value);
    if (!keep_alive) response.setKeepAlive(false);
    response.setContentLength64(static_cast<Poco::Int64>(out.body.size()));
    if (head_only_) {
      response.send();
      return;
    }
    response.send() << out.body;
  }

  shared_state& state_;
  const route* route_;
  std::vector<std::string> params_;
  bool wrong_method_;
  std::string trial_id_;  ///< from /api/trials/{id}/...; empty: the site's only trial
  bool head_only_ = false;
};

/// The router: one handler per request for the route matching method and path.
class router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit router(shared_state& state) : state_(state) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override {
    auto target = path_of(request);
    // Not a URI: dispatch answers 400 (the handler reads the target again).
    if (!target) return new api_handler(state_, nullptr, {}, false, "");
    std::string path = std::move(*target);
    // /api/trials/{id}/rest is the route /api/rest of trial {id}.
    std::string trial_id;
    constexpr std::string_view prefix = "/api/trials/";
    if (path.rfind(prefix, 0) == 0) {
      const auto slash = path.find('/', prefix.size());
      if (slash != std::string::npos && slash > prefix.size()) {
        trial_id = path.substr(prefix.size(), slash - prefix.size());
        path = "/api" + path.substr(slash);
      }
      // A participant's link has no trial in its path (/s/{token}): the survey API is served
      // at its own paths only, so its rate limits and the log's {token} always apply.
      if (is_survey_path(path)) return new api_handler(state_, nullptr, {}, false, trial_id);
    }
    const route* path_match = nullptr;
    std::vector<std::string> params;
    for (const auto& r : routes()) {
      std::vector<std::string> p;
      if (!matches(r.pattern, path, p)) continue;
      // HEAD is answered wherever GET is, without the body (send()).
      const std::string& method = request.getMethod();
      if (r.method == method || (method == "HEAD" && r.method == "GET")) {
        return new api_handler(state_, &r, std::move(p), false, trial_id);
      }
      path_match = &r;
      params = std::move(p);
    }
    return new api_handler(state_, path_match, std::move(params), path_match != nullptr, trial_id);
  }

 private:
  shared_state& state_;
};

}  // namespace

struct server::impl {
  shared_state state;
  Poco::ThreadPool threads;
  Poco::Net::ServerSocket socket;
  std::unique_ptr<Poco::Net::HTTPServer> http;
  bool started = false;
  bool stopped = false;

  explicit impl(config c)
      : state(std::move(c)),
        threads("balint-http", 2, state.cfg.threads + 2, 60),
        socket(Poco::Net::SocketAddress(state.cfg.bind, state.cfg.port), 64) {
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(state.cfg.threads);
    params->setMaxQueued(state.cfg.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(state.cfg.keep_alive_seconds, 0));
    params->setMaxKeepAliveRequests(0);  // unlimited
    params->setTimeout(Poco::Timespan(30, 0));
    http = std::make_unique<Poco::Net::HTTPServer>(new router(state), threads, socket, params);
  }
};

server::server(config c) {
  if (c.threads < 1) c.threads = 1;
  // Opening the accounts up front migrates them and fails early on a bad path.
  app::open_database(app::site(c.db_path).accounts_locator());
  impl_ = std::make_unique<impl>(std::move(c));
}

server::~server() { stop(); }

void server::start() {
  if (impl_->started) return;
  impl_->http->start();
  impl_->started = true;
}

std::uint16_t server::port() const { return impl_->socket.address().port(); }

void server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->started) {
    // stopAll(false) stops accepting, then takes each connection's lock, which a request in
    // flight holds until its response is sent: requests finish, idle keep-alives are closed.
    impl_->http->stopAll(false);
    impl_->threads.joinAll();
  }
  impl_->state.stop_all();
}

int serve(config c, std::ostream& out, std::ostream& err) {
  // Block the signals before any thread starts, so every worker inherits the mask and only
  // sigwait below sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (!c.access_log) c.access_log = &err;
  const std::string bind = c.bind;
  server s(std::move(c));
  s.start();
  out << "listening on http://" << bind << ":" << s.port() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  err << "received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
      << ": finishing requests in flight, then stopping" << std::endl;
  s.stop();
  err << "stopped; the database is closed" << std::endl;
  return 0;
}

}  // namespace balint::server
