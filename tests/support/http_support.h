#pragma once
// Helpers for the HTTP tests: an HTTP server running in the background for one test, and
// a small response reader over LoopbackClient (Content-Length, chunked, or until close).

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "loopback_client.h"
#include "sync.h"
#include "weft/http/coro_server.h"
#include "weft/http/server.h"

namespace weft::test {

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string raw;  // The response's bytes as received.

  // The first header with that name (case-insensitive); "" if absent.
  std::string header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          })) {
        return v;
      }
    }
    return {};
  }
  bool has_header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          })) {
        return true;
      }
    }
    return false;
  }
};

// The raw bytes with the Date header's value replaced by "<date>", for exact comparisons.
inline std::string without_date(std::string raw) {
  const size_t at = raw.find("\r\nDate: ");
  if (at == std::string::npos) return raw;
  const size_t end = raw.find("\r\n", at + 2);
  return raw.substr(0, at + 8) + "<date>" + raw.substr(end);
}

// Reads one response from client. `pending` holds bytes already read past the previous
// response, and keeps those read past this one. head_only: the request was HEAD (no body
// whatever the framing says). nullopt if the connection ended or timed out first.
inline std::optional<HttpReply> read_reply(LoopbackClient& client, std::string& pending, bool head_only = false,
                                           Duration timeout = kWait) {
  auto fill = [&]() {
    char buf[16384];
    IoResult r = client.read_some(buf, sizeof buf, timeout);
    if (r.bytes > 0) pending.append(buf, r.bytes);
    return r.bytes > 0;
  };
  size_t head_end;
  while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  HttpReply reply;
  const std::string head = pending.substr(0, head_end + 2);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12) return std::nullopt;
  reply.status = std::stoi(status_line.substr(9, 3));
  for (size_t at = line_end + 2; at < head.size();) {
    const size_t end = head.find("\r\n", at);
    const std::string line = head.substr(at, end - at);
    const size_t colon = line.find(':');
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    reply.headers.emplace_back(line.substr(0, colon), value);
    at = end + 2;
  }
  size_t body_at = head_end + 4;
  const bool no_body = head_only || reply.status == 204 || reply.status == 304 || reply.status < 200;
  if (no_body) {
  } else if (!reply.header("Content-Length").empty()) {
    const size_t length = std::stoul(reply.header("Content-Length"));
    while (pending.size() < body_at + length) {
      if (!fill()) return std::nullopt;
    }
    reply.body = pending.substr(body_at, length);
    body_at += length;
  } else if (reply.header("Transfer-Encoding") == "chunked") {
    for (;;) {
      size_t size_end;
      while ((size_end = pending.find("\r\n", body_at)) == std::string::npos) {
        if (!fill()) return std::nullopt;
      }
      const size_t size = std::stoul(pending.substr(body_at, size_end - body_at), nullptr, 16);
      while (pending.size() < size_end + 2 + size + 2) {
        if (!fill()) return std::nullopt;
      }
      reply.body += pending.substr(size_end + 2, size);
      body_at = size_end + 2 + size + 2;
      if (size == 0) break;
    }
  } else {
    while (fill()) {
    }
    reply.body = pending.substr(body_at);
    body_at = pending.size();
  }
  reply.raw = pending.substr(0, body_at);
  pending.erase(0, body_at);
  return reply;
}

// Checks pred every millisecond until it holds or timeout passes (for states no event
// reports, like a server's connection count).
template <class Pred>
bool eventually(Pred pred, Duration timeout = kWait) {
  const auto deadline = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// An http::Server listening on a free loopback port for the length of a test.
class HttpFixture {
 public:
  explicit HttpFixture(const http::Router& router, http::Options options = {}) : server_(router, std::move(options)) {
    server_.listen("tcp://127.0.0.1:0");
    server_.start();
  }
  ~HttpFixture() {
    server_.stop();
    server_.wait();
  }
  HttpFixture(const HttpFixture&) = delete;
  HttpFixture& operator=(const HttpFixture&) = delete;

  const Address& address() const { return server_.address(); }
  http::Server& server() { return server_; }

 private:
  http::Server server_;
};

// The same for http::CoroServer.
class CoroHttpFixture {
 public:
  explicit CoroHttpFixture(const http::Router& router, http::Options options = {}, CoroOptions coro = {})
      : server_(router, std::move(options), coro) {
    server_.listen("tcp://127.0.0.1:0");
    server_.start();
  }
  ~CoroHttpFixture() {
    server_.stop();
    server_.wait();
  }
  CoroHttpFixture(const CoroHttpFixture&) = delete;
  CoroHttpFixture& operator=(const CoroHttpFixture&) = delete;

  const Address& address() const { return server_.address(); }
  http::CoroServer& server() { return server_; }

 private:
  http::CoroServer server_;
};

// Sends request and reads its response on a fresh connection.
inline std::optional<HttpReply> fetch(const Address& server, std::string_view request, bool head_only = false) {
  LoopbackClient client(server);
  if (!client.connected() || !client.send_all(request).ok()) return std::nullopt;
  std::string pending;
  return read_reply(client, pending, head_only);
}

}  // namespace weft::test
