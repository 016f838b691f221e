// WebSocket over raw sockets, where real clients cannot go: handshake refusals, frames
// that break the protocol (each closes with its code), pings both ways, the close
// handshake and its timeout, a connection that just disappears, broadcast frames and
// handles from other threads. Each case runs on both APIs where it applies.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_support.h"
#include "weft/http/router.h"
#include "weft/ws/socket.h"
#include "weft/ws/websocket.h"
#include "ws_driver.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;
using ws::testing::client_frame;
using ws::testing::close_payload;

constexpr const char* kKey = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455's sample key.

std::string upgrade_request(const std::string& path, const std::string& extra = {}) {
  return "GET " + path +
         " HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + kKey +
         "\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n";
}

// One server frame: opcode and payload.
struct ServerFrame {
  int opcode = -1;
  std::string payload;
};

// A client that does the handshake by hand and speaks raw frames.
class RawWs {
 public:
  RawWs(const Address& server, const std::string& path, const std::string& extra = {}) : client_(server) {
    if (!client_.send_all(upgrade_request(path, extra)).ok()) return;
    reply_ = read_reply(client_, pending_);
  }
  bool upgraded() const { return reply_ && reply_->status == 101; }
  const std::optional<HttpReply>& reply() const { return reply_; }
  bool send(const std::string& frame) { return client_.send_all(frame).ok(); }

  // The next frame; opcode -1 if the connection ended first.
  ServerFrame next() {
    ServerFrame f;
    if (!fill(2)) return f;
    const auto b1 = static_cast<uint8_t>(pending_[1]);
    size_t len = b1 & 0x7F;
    size_t at = 2;
    if (len == 126) {
      if (!fill(4)) return f;
      len = static_cast<uint8_t>(pending_[2]) << 8 | static_cast<uint8_t>(pending_[3]);
      at = 4;
    } else if (len == 127) {
      if (!fill(10)) return f;
      len = 0;
      for (int i = 0; i < 8; ++i) len = len << 8 | static_cast<uint8_t>(pending_[2 + i]);
      at = 10;
    }
    if (!fill(at + len)) return f;
    f.opcode = static_cast<uint8_t>(pending_[0]) & 0x0F;
    f.payload = pending_.substr(at, len);
    pending_.erase(0, at + len);
    return f;
  }
  // Reads until the server closes the connection; true on end of file.
  bool closed() {
    std::string rest;
    return client_.read_to_eof(rest).outcome == Outcome::eof;
  }
  LoopbackClient& socket() { return client_; }

 private:
  bool fill(size_t n) {
    char buf[65536];
    while (pending_.size() < n) {
      IoResult r = client_.read_some(buf, sizeof buf);
      if (r.bytes == 0) return false;
      pending_.append(buf, r.bytes);
    }
    return true;
  }

  LoopbackClient client_;
  std::string pending_;
  std::optional<HttpReply> reply_;
};

uint16_t code_of(const ServerFrame& f) {
  return f.payload.size() >= 2
             ? static_cast<uint16_t>(static_cast<uint8_t>(f.payload[0]) << 8 | static_cast<uint8_t>(f.payload[1]))
             : 0;
}

// Echoes; records closes; "close-me" closes with 4000; "broadcast" sends a shared frame to
// every open connection.
class Recorder final : public ws::Handler {
 public:
  void on_open(ws::WebSocket& ws) override {
    std::lock_guard lock(mutex_);
    handles_.push_back(ws.handle());
  }
  void on_message(ws::WebSocket& ws, ws::MessageType type, std::string_view data) override {
    if (data == "close-me") {
      ws.close(4000, "bye");
    } else if (data == "broadcast") {
      // Connections live on several loops: each is reached through its handle. The frame's
      // bytes are encoded once and shared by every send.
      const ws::Frame frame = ws::Frame::text("to everyone");
      std::lock_guard lock(mutex_);
      for (const ws::Handle& h : handles_) h.send(frame);
    } else {
      ws.send(data, type);
    }
  }
  void on_close(ws::WebSocket& ws, uint16_t code, std::string_view reason) override {
    std::lock_guard lock(mutex_);
    std::erase(handles_, ws.handle());
    closes_.push_back(std::to_string(code) + (reason.empty() ? "" : " " + std::string(reason)));
  }
  std::vector<std::string> closes() const {
    std::lock_guard lock(mutex_);
    return closes_;
  }
  std::vector<ws::Handle> handles() const {
    std::lock_guard lock(mutex_);
    return handles_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<ws::Handle> handles_;
  std::vector<std::string> closes_;
};

Task<> coro_echo(ws::Socket& ws) {
  for (;;) {
    Result<ws::Message> msg = co_await ws.read();
    if (!msg) co_return;
    if (msg->data == "close-me") {
      co_await ws.close(4000, "bye");
      co_return;
    }
    if (co_await ws.write(msg->data, msg->type)) co_return;
  }
}

ws::Options test_options() {
  ws::Options o;
  o.max_message = 1000;
  o.close_timeout = 200ms;
  o.subprotocols = {"superchat", "chat"};
  o.check_origin = [](std::string_view origin, const http::Request&) { return origin != "http://evil.example"; };
  return o;
}

ws::Options pinging_options() {
  ws::Options o = test_options();
  o.ping_interval = 100ms;
  o.ping_timeout = 100ms;
  return o;
}

// Runs a case against the callback server (with a Recorder) and the coroutine one.
class WsProtocol : public ::testing::TestWithParam<bool> {
 protected:
  WsProtocol() {
    if (GetParam()) {
      ws::route(router_, "/ws", coro_echo, test_options());
      ws::route(router_, "/ping", coro_echo, pinging_options());
      coro_ = std::make_unique<CoroHttpFixture>(router_);
    } else {
      ws::route(router_, "/ws", recorder_, test_options());
      ws::route(router_, "/ping", recorder_, pinging_options());
      callback_ = std::make_unique<HttpFixture>(router_);
    }
  }
  const Address& address() const { return GetParam() ? coro_->address() : callback_->address(); }
  bool coro() const { return GetParam(); }
  // The closes the callback handler saw (the coroutine one reports through its socket).
  // Connections close on their own clocks (a close timeout, the peer leaving), so the
  // order between them is not part of the contract: compare them sorted.
  void expect_closes(std::vector<std::string> want) {
    if (coro()) return;
    ASSERT_TRUE(eventually([&] { return recorder_.closes().size() >= want.size(); }));
    std::vector<std::string> got = recorder_.closes();
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
  }

  Recorder recorder_;
  http::Router router_;
  std::unique_ptr<HttpFixture> callback_;
  std::unique_ptr<CoroHttpFixture> coro_;
};

TEST_P(WsProtocol, AcceptsTheHandshakeOfRfc6455) {
  RawWs ws(address(), "/ws", "Sec-WebSocket-Protocol: chat, superchat\r\n");
  ASSERT_TRUE(ws.upgraded());
  EXPECT_EQ(ws.reply()->raw,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: superchat\r\n\r\n");
  ASSERT_TRUE(ws.send(client_frame(1, "hi")));
  ServerFrame f = ws.next();
  EXPECT_EQ(f.opcode, 1);
  EXPECT_EQ(f.payload, "hi");
}

TEST_P(WsProtocol, RefusesBadHandshakes) {
  auto status_of = [&](const std::string& request) {
    auto reply = fetch(address(), request);
    return reply
               ? std::to_string(reply->status) + " " + reply->header("Upgrade") + reply->header("Sec-WebSocket-Version")
               : std::string("none");
  };
  EXPECT_EQ(status_of("GET /ws HTTP/1.1\r\nHost: a\r\n\r\n"), "426 websocket");
  std::string v8 = upgrade_request("/ws");
  v8.replace(v8.find("Version: 13"), 11, "Version: 8");
  EXPECT_EQ(status_of(v8), "426 13");
  std::string bad_key = upgrade_request("/ws");
  bad_key.replace(bad_key.find(kKey), 4, "xx==");
  EXPECT_EQ(status_of(bad_key), "400 ");
  std::string no_connection = upgrade_request("/ws");
  no_connection.replace(no_connection.find("Connection: Upgrade"), 19, "Connection: keep-alive");
  EXPECT_EQ(status_of(no_connection), "400 ");
  EXPECT_EQ(status_of(upgrade_request("/ws", "Origin: http://evil.example\r\n")), "403 ");
  EXPECT_EQ(status_of(upgrade_request("/nowhere")), "404 ");
}

TEST_P(WsProtocol, ClosesWithTheCodeOfEachProtocolError) {
  struct Case {
    const char* name;
    std::string frame;
    uint16_t code;
  };
  const std::vector<Case> cases = {
      {"unmasked", client_frame(1, "x", true, false, false), 1002},
      {"reserved bit", client_frame(1, "x", true, true), 1002},
      {"unknown opcode", client_frame(3, "x"), 1002},
      {"long ping", client_frame(9, std::string(126, 'p')), 1002},
      {"continuation first", client_frame(0, "x"), 1002},
      {"bad close code", client_frame(8, close_payload(1005)), 1002},
      {"text not UTF-8", client_frame(1, "\xff\xfe"), 1007},
      {"message too big", client_frame(2, std::string(1001, 'b')), 1009},
  };
  std::vector<std::string> closes;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RawWs ws(address(), "/ws");
    ASSERT_TRUE(ws.upgraded());
    ASSERT_TRUE(ws.send(c.frame));
    ServerFrame f = ws.next();
    EXPECT_EQ(f.opcode, 8);
    EXPECT_EQ(code_of(f), c.code);
    EXPECT_TRUE(ws.closed());
  }
  expect_closes({"1002 unmasked client frame", "1002 RSV1 without compression", "1002 unknown opcode",
                 "1002 control frame longer than 125 bytes", "1002 continuation without a message",
                 "1002 invalid close code", "1007 text is not UTF-8", "1009 message too big"});
}

TEST_P(WsProtocol, AnswersPingsAndClosesEitherWay) {
  {
    RawWs ws(address(), "/ws");
    ASSERT_TRUE(ws.upgraded());
    ASSERT_TRUE(ws.send(client_frame(1, "frag ", false) + client_frame(9, "are you there") + client_frame(0, "done")));
    ServerFrame pong = ws.next();
    EXPECT_EQ(pong.opcode, 10);
    EXPECT_EQ(pong.payload, "are you there");
    ServerFrame msg = ws.next();
    EXPECT_EQ(msg.payload, "frag done");
    // The client closes: the server answers with the same code and closes.
    ASSERT_TRUE(ws.send(client_frame(8, close_payload(1001, "leaving"))));
    ServerFrame close = ws.next();
    EXPECT_EQ(close.opcode, 8);
    EXPECT_EQ(code_of(close), 1001);
    EXPECT_TRUE(ws.closed());
  }
  {
    // The server closes and the client answers.
    RawWs ws(address(), "/ws");
    ASSERT_TRUE(ws.upgraded());
    ASSERT_TRUE(ws.send(client_frame(1, "close-me")));
    ServerFrame close = ws.next();
    EXPECT_EQ(code_of(close), 4000);
    EXPECT_EQ(close.payload.substr(2), "bye");
    ASSERT_TRUE(ws.send(client_frame(8, close_payload(4000))));
    EXPECT_TRUE(ws.closed());
  }
  {
    // The server closes and the client never answers: closed after close_timeout.
    RawWs ws(address(), "/ws");
    ASSERT_TRUE(ws.upgraded());
    ASSERT_TRUE(ws.send(client_frame(1, "close-me")));
    EXPECT_EQ(code_of(ws.next()), 4000);
    EXPECT_TRUE(ws.closed());
  }
  {
    // The client just goes away.
    RawWs ws(address(), "/ws");
    ASSERT_TRUE(ws.upgraded());
    ws.socket().close();
  }
  expect_closes({"1001 leaving", "4000", "1006 no close frame from the client", "1006"});
}

TEST_P(WsProtocol, PingsAnIdleClientAndDropsOneThatNeverAnswers) {
  RawWs ws(address(), "/ping");
  ASSERT_TRUE(ws.upgraded());
  const auto start = Clock::now();
  ServerFrame ping = ws.next();
  EXPECT_EQ(ping.opcode, 9);
  EXPECT_GE(Clock::now() - start, 50ms);  // The interval is 100 ms, counted from the 101.
  // Answered: the connection lives on, and the next ping comes.
  ASSERT_TRUE(ws.send(client_frame(10, ping.payload)));
  EXPECT_EQ(ws.next().opcode, 9);
  // Not answered: closed.
  EXPECT_TRUE(ws.closed());
  expect_closes({"1006 no answer to a ping"});
}

TEST(WsBroadcast, SharedFramesAndHandlesFromOtherThreads) {
  Recorder recorder;
  http::Router router;
  ws::route(router, "/ws", recorder, test_options());
  HttpFixture server(router);
  std::vector<std::unique_ptr<RawWs>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<RawWs>(server.address(), "/ws"));
    ASSERT_TRUE(clients.back()->upgraded());
  }
  ASSERT_TRUE(clients[0]->send(client_frame(1, "broadcast")));
  for (auto& c : clients) {
    ServerFrame f = c->next();
    EXPECT_EQ(f.payload, "to everyone");
  }
  // Handles, used from this thread: a message, a shared frame, then a close.
  ASSERT_EQ(recorder.handles().size(), 5u);
  const ws::Handle h = recorder.handles()[1];
  OnceValue<std::error_code> sent;
  h.send("from another thread", ws::MessageType::text, [&](std::error_code ec) { sent.set(ec); });
  EXPECT_EQ(clients[1]->next().payload, "from another thread");
  ASSERT_TRUE(sent.wait());
  EXPECT_FALSE(*sent.peek());
  h.send(ws::Frame::binary("shared"));
  EXPECT_EQ(clients[1]->next().payload, "shared");
  h.close(4001, "from a handle");
  ServerFrame close = clients[1]->next();
  EXPECT_EQ(code_of(close), 4001);
  ASSERT_TRUE(clients[1]->send(client_frame(8, close_payload(4001))));
  EXPECT_TRUE(clients[1]->closed());
  EXPECT_THROW(h.close(1005), std::invalid_argument);
  // A handle to a closed connection reports closed, once.
  OnceValue<std::error_code> late;
  h.send("late", ws::MessageType::text, [&](std::error_code ec) { late.set(ec); });
  ASSERT_TRUE(late.wait());
  EXPECT_EQ(*late.peek(), Errc::closed);
}

TEST(WsStop, SaysGoingAwayWhenTheServerStops) {
  Recorder recorder;
  http::Router router;
  ws::route(router, "/ws", recorder, test_options());
  HttpFixture server(router);
  RawWs ws(server.address(), "/ws");
  ASSERT_TRUE(ws.upgraded());
  ASSERT_TRUE(ws.send(client_frame(1, "hi")));
  EXPECT_EQ(ws.next().payload, "hi");
  server.server().stop();
  const ServerFrame close = ws.next();
  EXPECT_EQ(close.opcode, 8);
  EXPECT_EQ(code_of(close), 1001);
  EXPECT_EQ(close.payload.substr(2), "server stopping");
  // The client's answer is not awaited (nothing is read once the server stops), but it
  // does not make the connection end with a reset.
  ws.send(client_frame(8, close_payload(1001)));
  EXPECT_TRUE(ws.closed());
  ASSERT_TRUE(eventually([&] { return recorder.closes().size() == 1; }));
  EXPECT_EQ(recorder.closes()[0], "1001 server stopping");
}

INSTANTIATE_TEST_SUITE_P(Apis, WsProtocol, ::testing::Bool(), [](const auto& param_info) {
  return std::string(param_info.param ? "coroutine" : "callback");
});

}  // namespace
}  // namespace weft::test
