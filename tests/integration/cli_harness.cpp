#include "cli_harness.hpp"

#include "balint/core/csv.hpp"
#include "balint/core/sha256.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace balint::test {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_errno(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

/// Closes a descriptor once.
struct fd_guard {
  int fd = -1;
  ~fd_guard() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

void make_pipe(fd_guard& read_end, fd_guard& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail_errno("pipe2");
  read_end.fd = fds[0];
  write_end.fd = fds[1];
}

}  // namespace

temp_dir::temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "balint-cli-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) fail_errno("mkdtemp " + pattern);
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  fs::remove_all(path_, ec);  // best effort: a destructor must not throw
}

run_result run_program(const std::string& program, const std::vector<std::string>& args,
                       const std::string& stdin_text, int timeout_seconds) {
  // A child that exits before reading all of its input must not kill the test with SIGPIPE.
  static const bool sigpipe_ignored = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)sigpipe_ignored;

  fd_guard in_r, in_w, out_r, out_w, err_r, err_w;
  make_pipe(in_r, in_w);
  make_pipe(out_r, out_w);
  make_pipe(err_r, err_w);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_w.fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, STDERR_FILENO);

  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.push_back(program);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    fail_errno("cannot start " + program);
  }
  in_r.reset();
  out_w.reset();
  err_w.reset();

  run_result result;
  std::size_t written = 0;
  if (stdin_text.empty()) in_w.reset();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool killed = false;
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    std::vector<pollfd> fds;
    if (out_r.fd >= 0) fds.push_back({out_r.fd, POLLIN, 0});
    if (err_r.fd >= 0) fds.push_back({err_r.fd, POLLIN, 0});
    if (in_w.fd >= 0) fds.push_back({in_w.fd, POLLOUT, 0});
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll");
    }
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in_w.fd) {
        const ssize_t w =
            ::write(in_w.fd, stdin_text.data() + written, stdin_text.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EINTR && errno != EAGAIN)
          in_w.reset();  // EPIPE: child stopped reading
        if (written == stdin_text.size()) in_w.reset();
        continue;
      }
      char buf[65536];
      const ssize_t r = ::read(p.fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      fd_guard& g = p.fd == out_r.fd ? out_r : err_r;
      std::string& sink = p.fd == out_r.fd ? result.out : result.err;
      if (r <= 0) {
        g.reset();
      } else {
        sink.append(buf, static_cast<std::size_t>(r));
      }
    }
  }
  in_w.reset();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail_errno("waitpid");
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  if (killed) {
    result.err += "\n[harness: killed after " + std::to_string(timeout_seconds) + " s]\n";
  }
  return result;
}

run_result run_cli(const std::vector<std::string>& args, const std::string& stdin_text) {
  return run_program(BALINT_BINARY, args, stdin_text);
}

run_result run_sqlite(const std::string& db_path, const std::string& sql) {
  // -bail: stop at the first error, so a test sees a failed tampering step as a non-zero exit.
  return run_program("sqlite3", {"-bail", db_path, sql});
}

run_result run_sql(const std::string& db, const std::string& sql) {
  if (db.rfind("postgresql://", 0) != 0 && db.rfind("postgres://", 0) != 0) {
    return run_sqlite(db, sql);
  }
  // -X: no ~/.psqlrc; -A -t: unaligned rows only, as sqlite3 prints them. psql 15 prints the
  // result of every statement of a -c string.
  return run_program("psql",
                     {"-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql});
}

std::string source_path(const std::string& relative) {
  return (fs::path(BALINT_SOURCE_DIR) / relative).string();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

std::string db_fingerprint(const std::string& db_path) {
  // The bytes first: the shell's dump could checkpoint a leftover write-ahead log into the file.
  const std::string bytes = core::sha256_hex(read_file(db_path));
  const auto dump = run_program("sqlite3", {"-readonly", db_path, ".dump"});
  if (dump.exit_code != 0) {
    throw std::runtime_error("sqlite3 .dump of " + db_path + " failed: " + dump.err);
  }
  return "sha256 " + bytes + "\n" + dump.out;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  auto r = core::for_each_csv_row(text, [&](const std::vector<std::string>& fields, std::size_t) {
    rows.push_back(fields);
    return core::result<void>{};
  });
  if (!r) throw std::runtime_error("not valid CSV: " + r.error().message);
  return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  throw std::runtime_error("no column " + name);
}

}  // namespace balint::test
