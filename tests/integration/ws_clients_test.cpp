// WebSocket against real clients: Python's websockets (Debian) and Node's ws (npm), on
// both server APIs. Each client offers permessage-deflate, and exchanges text, binary,
// fragmented, compressible and 16 MiB messages, a ping, and every close path (the
// server's, the client's, and 1009 for a message over the limit). Tests with Node skip
// with a message when its ws package could not be installed.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "command.h"
#include "http_support.h"
#include "weft/http/router.h"
#include "weft/ws/socket.h"
#include "weft/ws/websocket.h"

namespace weft::test {
namespace {

const std::string kEchoOutput =
    "deflate yes\n"
    "text hello\n"
    "binary 3\n"
    "text frag1 frag2\n"
    "text 12000 same\n"
    "big 16777216 same\n"
    "pong hi\n"
    "close 4000 bye from server\n";

// Echoes; "close-me" makes the server close with 4000. Records the closes it sees.
class Echo final : public ws::Handler {
 public:
  void on_message(ws::WebSocket& ws, ws::MessageType type, std::string_view data) override {
    if (data == "close-me") {
      ws.close(4000, "bye from server");
      return;
    }
    ws.send(data, type);
  }
  void on_close(ws::WebSocket&, uint16_t code, std::string_view reason) override {
    std::lock_guard lock(mutex_);
    closes_.push_back(std::to_string(code) + " " + std::string(reason));
  }
  std::vector<std::string> closes() const {
    std::lock_guard lock(mutex_);
    return closes_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> closes_;
};

// The same echo as a coroutine.
Task<> coro_echo(ws::Socket& ws) {
  for (;;) {
    Result<ws::Message> msg = co_await ws.read();
    if (!msg) co_return;
    if (msg->data == "close-me") {
      co_await ws.close(4000, "bye from server");
      co_return;
    }
    if (co_await ws.write(msg->data, msg->type)) co_return;
  }
}

ws::Options small_messages() {
  ws::Options o;
  o.max_message = 1024;
  return o;
}

std::string url(const Address& address, const std::string& path) {
  return "ws://127.0.0.1:" + std::to_string(address.port()) + path;
}

CommandResult python(const Address& address, const std::string& path, const std::string& scenario) {
  return run_command(
      {"/usr/bin/python3", std::string(WEFT_TEST_CLIENTS) + "/ws_client.py", url(address, path), scenario});
}

bool have_node_ws() {
  return have_program("node") && std::filesystem::exists(std::string(WEFT_NODE_MODULES) + "/ws/package.json");
}

CommandResult node(const Address& address, const std::string& path, const std::string& scenario) {
  ::setenv("NODE_PATH", WEFT_NODE_MODULES, 1);
  return run_command({"node", std::string(WEFT_TEST_CLIENTS) + "/ws_client.js", url(address, path), scenario});
}

#define SKIP_WITHOUT_NODE()                                          \
  if (!have_node_ws())                                               \
  GTEST_SKIP() << "Node's ws is not installed in " WEFT_NODE_MODULES \
                  " (make test installs it with npm; the registry may be unreachable)"

class WsClients : public ::testing::Test {
 protected:
  WsClients() {
    ws::route(router_, "/echo", echo_);
    ws::route(router_, "/small", echo_, small_messages());
    ws::route(coro_router_, "/echo", coro_echo);
    ws::route(coro_router_, "/small", coro_echo, small_messages());
  }

  Echo echo_;
  http::Router router_;
  http::Router coro_router_;
};

TEST_F(WsClients, PythonWebsockets) {
  HttpFixture server(router_);
  CommandResult r = python(server.address(), "/echo", "echo");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, kEchoOutput);
  r = python(server.address(), "/echo", "client-close");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "text hello\nclose 1000\n");
  r = python(server.address(), "/small", "too-big");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "close 1009\n");
  ASSERT_TRUE(eventually([&] { return echo_.closes().size() == 3; }));
  EXPECT_EQ(echo_.closes(), (std::vector<std::string>{"4000 bye from server", "1000 done", "1009 message too big"}));
}

TEST_F(WsClients, NodeWs) {
  SKIP_WITHOUT_NODE();
  HttpFixture server(router_);
  CommandResult r = node(server.address(), "/echo", "echo");
  ASSERT_EQ(r.exit_code, 0) << r.describe() << r.out;
  EXPECT_EQ(r.out, kEchoOutput);
  r = node(server.address(), "/echo", "client-close");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "text hello\nclose 1000\n");
  r = node(server.address(), "/small", "too-big");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "close 1009\n");
  ASSERT_TRUE(eventually([&] { return echo_.closes().size() == 3; }));
  EXPECT_EQ(echo_.closes(), (std::vector<std::string>{"4000 bye from server", "1000 done", "1009 message too big"}));
}

TEST_F(WsClients, PythonWebsocketsOnTheCoroutineApi) {
  CoroHttpFixture server(coro_router_);
  CommandResult r = python(server.address(), "/echo", "echo");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, kEchoOutput);
  r = python(server.address(), "/echo", "client-close");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "text hello\nclose 1000\n");
  r = python(server.address(), "/small", "too-big");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "close 1009\n");
}

TEST_F(WsClients, NodeWsOnTheCoroutineApi) {
  SKIP_WITHOUT_NODE();
  CoroHttpFixture server(coro_router_);
  CommandResult r = node(server.address(), "/echo", "echo");
  ASSERT_EQ(r.exit_code, 0) << r.describe() << r.out;
  EXPECT_EQ(r.out, kEchoOutput);
  r = node(server.address(), "/small", "too-big");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "close 1009\n");
}

}  // namespace
}  // namespace weft::test
