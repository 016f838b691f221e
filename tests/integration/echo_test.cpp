// Echo over every transport: payloads from 1 byte to 8 MiB come back byte-exact, and 1000
// concurrent connections each get their own pattern back.

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "loopback_client.h"
#include "multi_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

struct Transport {
  const char* name;
  std::string url;  // Empty: a fresh Unix socket path.
  bool edge_triggered;
};

void PrintTo(const Transport& t, std::ostream* os) {
  *os << t.name;
}

std::string url_for(const Transport& t) {
  return t.url.empty() ? "unix://" + temp_socket_path("echo") : t.url;
}

ServerOptions options_for(const Transport& t) {
  ServerOptions o;
  o.loops = 2;
  o.loop.edge_triggered = t.edge_triggered;
  return o;
}

class EchoPayload : public ::testing::TestWithParam<std::tuple<Transport, size_t>> {};

TEST_P(EchoPayload, ComesBackByteExact) {
  const auto& [transport, size] = GetParam();
  RecordingHandler handler;
  ServerFixture fixture(handler, options_for(transport), url_for(transport));
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected()) << client.connect_error();

  IoResult r = client.echo_pattern(/*seed=*/size, size);
  EXPECT_TRUE(r.ok()) << "echo of " << size << " bytes: " << r.describe();

  // Nothing more than the echo comes back, and the server sees a clean end of stream.
  client.shutdown_write();
  std::string rest;
  IoResult tail = client.read_to_eof(rest);
  EXPECT_EQ(tail.outcome, Outcome::eof) << tail.describe();
  EXPECT_TRUE(rest.empty()) << rest.size() << " unexpected bytes after the echo";
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::peer_closed) << closes[0].describe();
}

const Transport kTransports[] = {
    {"tcp4", "tcp://127.0.0.1:0", false},
    {"tcp6", "tcp://[::1]:0", false},
    {"unix", "", false},
    {"tcp4_edge", "tcp://127.0.0.1:0", true},
};

INSTANTIATE_TEST_SUITE_P(Sizes, EchoPayload,
                         ::testing::Combine(::testing::ValuesIn(kTransports),
                                            ::testing::Values(size_t{1}, size_t{100}, size_t{64 * 1024},
                                                              size_t{1024 * 1024}, size_t{8 * 1024 * 1024})),
                         [](const auto& param_info) {
                           return std::string(std::get<0>(param_info.param).name) + "_" +
                                  std::to_string(std::get<1>(param_info.param)) + "B";
                         });

class EchoConcurrent : public ::testing::TestWithParam<Transport> {};

TEST_P(EchoConcurrent, ThousandConnectionsEachGetTheirOwnBytes) {
  constexpr size_t kConnections = 1000;
  RecordingHandler handler;
  ServerFixture fixture(handler, options_for(GetParam()), url_for(GetParam()));

  MultiEchoOptions o;
  o.connections = kConnections;
  o.min_bytes = 1;
  o.max_bytes = 32 * 1024;
  o.seed = 7000;
  bool all_open_on_server = false;
  size_t server_count = 0;
  o.on_all_connected = [&] {
    // Every connection is open on the server at once before any byte moves.
    all_open_on_server = handler.opened.wait_for(kConnections);
    server_count = fixture.server().connection_count();
  };
  MultiEchoReport report = run_multi_echo(fixture.address(), o);

  EXPECT_TRUE(all_open_on_server) << handler.opened.value() << " of " << kConnections << " opened on the server";
  EXPECT_EQ(server_count, kConnections);
  EXPECT_EQ(report.connected, kConnections);
  EXPECT_EQ(report.completed, kConnections);
  for (const std::string& f : report.failures) ADD_FAILURE() << f;
  // Every connection closed cleanly from the server's side too.
  auto closes = handler.wait_closes(kConnections);
  ASSERT_EQ(closes.size(), kConnections);
  for (const CloseRecord& c : closes) {
    ASSERT_EQ(c.reason, CloseReason::peer_closed) << c.describe();
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, EchoConcurrent, ::testing::ValuesIn(kTransports),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace weft::test
