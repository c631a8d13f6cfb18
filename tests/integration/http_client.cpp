#include "http_client.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

namespace balint::test {

reply http(std::uint16_t port, const std::string& method, const std::string& path,
           const std::string& body, const credentials& who, bool send_csrf) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!who.cookie.empty()) request.set("Cookie", who.cookie);
  if (send_csrf && !who.csrf.empty()) request.set("X-CSRF-Token", who.csrf);
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
  return r;
}

}  // namespace balint::test
