// Echo through the coroutine API: payloads from 1 byte to 8 MiB come back byte-exact
// (zero-copy and copying reads, TCP and Unix sockets, level- and edge-triggered), and
// 1000 concurrent connections each get their own bytes back.

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "multi_client.h"
#include "server_fixture.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

// Zero-copy: each read is a view of what arrived, written straight back.
Task<> echo_views(Stream s) {
  for (;;) {
    auto data = co_await s.read_some();
    if (!data) co_return;
    if (co_await s.write(*data)) co_return;
  }
}

// Copying: the classic loop over a caller's buffer.
Task<> echo_buffer(Stream s) {
  char buf[4096];
  for (;;) {
    auto [n, ec] = co_await s.read_some(buf);
    if (ec) co_return;
    if (auto e = co_await s.write({buf, n})) co_return;
  }
}

struct Variant {
  const char* name;
  CoroServer::Serve serve;
  bool unix_socket;
  bool edge_triggered;
};

void PrintTo(const Variant& v, std::ostream* os) {
  *os << v.name;
}

const Variant kVariants[] = {
    {"views_tcp", echo_views, false, false},
    {"buffer_tcp", echo_buffer, false, false},
    {"views_unix", echo_views, true, false},
    {"views_tcp_edge", echo_views, false, true},
};

ServerOptions options_for(const Variant& v) {
  ServerOptions o = coro_options();
  o.loop.edge_triggered = v.edge_triggered;
  return o;
}

std::string url_for(const Variant& v) {
  return v.unix_socket ? "unix://" + temp_socket_path("coro-echo") : "tcp://127.0.0.1:0";
}

class CoroEchoPayload : public ::testing::TestWithParam<std::tuple<Variant, size_t>> {};

TEST_P(CoroEchoPayload, ComesBackByteExact) {
  const auto& [variant, size] = GetParam();
  CoroFixture fixture(variant.serve, options_for(variant), url_for(variant));
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected()) << client.connect_error();

  IoResult r = client.echo_pattern(/*seed=*/size + 7, size);
  EXPECT_TRUE(r.ok()) << "echo of " << size << " bytes: " << r.describe();

  // The peer's end of stream ends the coroutine, which closes the connection.
  client.shutdown_write();
  std::string rest;
  IoResult tail = client.read_to_eof(rest);
  EXPECT_EQ(tail.outcome, Outcome::eof) << tail.describe();
  EXPECT_TRUE(rest.empty()) << rest.size() << " unexpected bytes after the echo";
}

INSTANTIATE_TEST_SUITE_P(Sizes, CoroEchoPayload,
                         ::testing::Combine(::testing::ValuesIn(kVariants),
                                            ::testing::Values(size_t{1}, size_t{100}, size_t{64 * 1024},
                                                              size_t{1024 * 1024}, size_t{8 * 1024 * 1024})),
                         [](const auto& param_info) {
                           return std::string(std::get<0>(param_info.param).name) + "_" +
                                  std::to_string(std::get<1>(param_info.param)) + "B";
                         });

TEST(CoroEcho, ThousandConcurrentConnectionsWithChecksums) {
  constexpr size_t kConnections = 1000;
  CoroFixture fixture(echo_views);
  MultiEchoOptions options;
  options.connections = kConnections;
  options.min_bytes = 1;
  options.max_bytes = 64 * 1024;
  options.seed = 99;
  options.on_all_connected = [&] {
    // Every connection is open on the server, each with its own coroutine, at once. The
    // kernel completes handshakes before the server accepts: wait (bounded) for it.
    Server& server = fixture.server().server();
    auto deadline = Clock::now() + kWait;
    while (fixture.server().coroutine_count() < kConnections && Clock::now() < deadline) {
      for (size_t i = 0; i < server.loop_count(); ++i) sync_with_loop(server.loop(i));
    }
    EXPECT_EQ(fixture.server().coroutine_count(), kConnections);
  };
  MultiEchoReport report = run_multi_echo(fixture.address(), options);
  EXPECT_EQ(report.connected, kConnections);
  EXPECT_EQ(report.completed, kConnections)
      << report.failure_count << " failed; first: " << (report.failures.empty() ? "" : report.failures[0]);
}

TEST(CoroEcho, ManySmallWritesOnOneConnection) {
  CoroFixture fixture(echo_buffer);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  std::string sent;
  for (int i = 0; i < 2000; ++i) {
    std::string msg = "message " + std::to_string(i) + ";";
    sent += msg;
    ASSERT_TRUE(client.send_all(msg).ok());
  }
  std::string back;
  IoResult r = client.read_exact(back, sent.size());
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(back, sent);
}

}  // namespace
}  // namespace weft::test
