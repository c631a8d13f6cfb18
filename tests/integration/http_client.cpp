#include "http_client.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace balint::test {

reply http(std::uint16_t port, const std::string& method, const std::string& path,
           const std::string& body, const credentials& who, bool send_csrf,
           const std::vector<std::pair<std::string, std::string>>& headers) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!who.cookie.empty()) request.set("Cookie", who.cookie);
  if (send_csrf && !who.csrf.empty()) request.set("X-CSRF-Token", who.csrf);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty()) {
    request.setContentType("application/json");
    request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  reply r;
  r.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, r.body);
  r.set_cookie = response.get("Set-Cookie", "");
  r.csp = response.get("Content-Security-Policy", "");
  r.retry_after = response.get("Retry-After", "");
  return r;
}

serve_process::serve_process(const std::string& db, const std::filesystem::path& log) : log_(log) {
  pid_ = fork();
  if (pid_ == 0) {
    // A test that dies (an assertion under ASan aborts) takes its server with it, instead of
    // leaving it to hold the test's cluster open.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::freopen(log.c_str(), "w", stdout);
    std::freopen((log.string() + ".err").c_str(), "w", stderr);
    execl(BALINT_BINARY, BALINT_BINARY, "serve", "--db", db.c_str(), "--port", "0", "--threads",
          "16", static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  // "listening on http://127.0.0.1:PORT" once it serves.
  for (int i = 0; i < 600 && port_ == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(log_);
    std::string line;
    while (std::getline(in, line)) {
      const auto colon = line.rfind(':');
      if (line.rfind("listening on http://", 0) == 0 && colon != std::string::npos) {
        port_ = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
      }
    }
  }
  REQUIRE_MESSAGE(port_ != 0, ("serve did not start; see " + log_.string() + ".err"));
}

serve_process::~serve_process() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

void serve_process::kill_now() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

credentials sign_in(std::uint16_t port, const std::string& user, const std::string& password) {
  const auto r = http(port, "POST", "/api/login",
                      R"({"user":")" + user + R"(","password":")" + password + "\"}");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return {r.set_cookie.substr(0, r.set_cookie.find(';')), r.json().find("csrf_token")->as_string()};
}

}  // namespace balint::test
