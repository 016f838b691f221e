// 10,000 idle keep-alive connections: each has been served one request, then waits. The
// server runs in a child process (10,000 connections on each side would pass the open
// file limit in one process) and reports the heap its idle connections hold, counted by
// the operator new of counting_new.h.

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "child_process.h"
#include "counting_new.h"
#include "http_support.h"
#include "weft/http/router.h"

namespace weft::test {
namespace {

constexpr size_t kConnections = 10000;

TEST(HttpIdle, TenThousandKeepAliveConnectionsStaySmall) {
  int go[2];
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  ChildProcess child([&](int report) {
    ::close(go[1]);
    http::Router router;
    router.get("/", [](http::Request&, http::Response& res) { res.send(200, "hello"); });
    http::Options options;
    options.net.loops = 1;
    options.timeouts.idle = std::chrono::seconds(60);
    http::Server server(router, options);
    server.listen("tcp://127.0.0.1:0");
    server.start();
    if (!sync_with_loop(server.net().loop(0))) return 3;
    const int64_t before = g_live_bytes.load();
    write_report(report, server.address().port());
    char byte;
    if (::read(go[0], &byte, 1) != 1) return 4;  // Every client has its answer.
    if (!sync_with_loop(server.net().loop(0))) return 3;
    const int64_t after = g_live_bytes.load();
    write_report(report, server.net().connection_count());
    write_report(report, static_cast<uint64_t>(after - before));
    if (::read(go[0], &byte, 1) != 0) return 5;  // The parent is done.
    return 0;
  });
  ::close(go[0]);
  auto port = child.read_report();
  ASSERT_TRUE(port);
  const Address server = Address::parse("tcp://127.0.0.1:" + std::to_string(*port));
  std::vector<LoopbackClient> clients;
  clients.reserve(kConnections);
  std::string pending;
  for (size_t i = 0; i < kConnections; ++i) {
    clients.emplace_back(server);
    ASSERT_TRUE(clients.back().connected()) << i << ": " << clients.back().connect_error();
    ASSERT_TRUE(clients.back().send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    auto reply = read_reply(clients.back(), pending);
    ASSERT_TRUE(reply) << i;
    ASSERT_EQ(reply->body, "hello");
  }
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  auto open = child.read_report();
  auto heap = child.read_report();
  ASSERT_TRUE(open && heap);
  EXPECT_EQ(*open, kConnections);
  const double per_connection = static_cast<double>(*heap) / kConnections;
  std::printf("[ info ] heap per idle keep-alive HTTP connection: %.0f bytes\n", per_connection);
  RecordProperty("heap_bytes_per_idle_connection", static_cast<int>(per_connection));
  // The engine's Conn and the small HTTP session: the parser and the response are lent
  // only while a request is on the connection (nginx holds about 500 bytes).
  EXPECT_LE(per_connection, 512.0);
  // Every connection is still usable.
  for (size_t i = 0; i < kConnections; i += 997) {
    ASSERT_TRUE(clients[i].send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    auto reply = read_reply(clients[i], pending);
    ASSERT_TRUE(reply) << i;
    EXPECT_EQ(reply->body, "hello");
  }
  clients.clear();
  ::close(go[1]);
  auto status = child.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

}  // namespace
}  // namespace weft::test
