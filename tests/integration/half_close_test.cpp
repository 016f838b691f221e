// Half-close in both directions: a client that shuts down its writing side still gets
// every echoed byte and then end of file; a server that shuts down its writing side still
// receives everything the client sends afterwards.

#include <gtest/gtest.h>

#include <string>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/error.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

class ClientHalfClose : public ::testing::TestWithParam<std::tuple<bool, size_t>> {};

TEST_P(ClientHalfClose, EchoOfEverythingThenEof) {
  const auto [edge, size] = GetParam();
  RecordingHandler handler;
  ServerOptions o;
  o.loops = 1;
  o.loop.edge_triggered = edge;
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected()) << client.connect_error();

  std::string payload = make_pattern(size, size);
  BackgroundSend writer(client, payload, kWait, /*shutdown_after=*/true);
  std::string echoed;
  IoResult r = client.read_to_eof(echoed);
  IoResult sent = writer.wait();
  ASSERT_TRUE(sent.ok()) << sent.describe();
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(echoed.size(), payload.size());
  EXPECT_TRUE(echoed == payload) << "echo differs at offset " << find_pattern_mismatch(size, 0, echoed);

  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::peer_closed) << closes[0].describe();
  EXPECT_FALSE(closes[0].error) << closes[0].describe();
}

std::string mode_name(bool edge) {
  return edge ? "edge" : "level";
}

INSTANTIATE_TEST_SUITE_P(Sizes, ClientHalfClose,
                         ::testing::Combine(::testing::Bool(),
                                            ::testing::Values(size_t{1}, size_t{5000}, size_t{4 * 1024 * 1024})),
                         [](const auto& param_info) {
                           return mode_name(std::get<0>(param_info.param)) + "_" +
                                  std::to_string(std::get<1>(param_info.param)) + "B";
                         });

// Writes a greeting on open and shuts down its writing side; then counts what arrives.
class GreetAndShutHandler : public RecordingHandler {
 public:
  explicit GreetAndShutHandler(std::string greeting) : greeting_(std::move(greeting)) {}

  void on_open(Conn& conn) override {
    first_write = conn.write(greeting_);
    conn.shutdown_write();
    write_after_shutdown = conn.write("late");
    RecordingHandler::on_open(conn);
  }
  void on_traffic(Conn& conn) override {
    std::string_view bytes = conn.read();
    verifier.feed(bytes);
    traffic_write = conn.write(bytes);  // Writing is shut down: refused.
    received.add(bytes.size());
    if (!held_ && received.value() >= kFirstPart) {
      // Hold the loop once until the client has sent the rest and closed, so the rest and
      // the client's FIN are all waiting when the server reads again.
      held_ = true;
      EXPECT_TRUE(client_closed.wait()) << "the test never released the server";
    }
  }

  static constexpr size_t kFirstPart = 1000;
  OnceValue<bool> client_closed;

  std::error_code first_write, write_after_shutdown, traffic_write;
  PatternVerifier verifier{5};  // Loop thread only; read after the close.
  Counter received;

 private:
  std::string greeting_;
  bool held_ = false;
};

class ServerHalfClose : public ::testing::TestWithParam<std::tuple<bool, size_t>> {};

TEST_P(ServerHalfClose, ClientReadsGreetingThenEofAndCanStillSend) {
  const auto [edge, greeting_size] = GetParam();
  const std::string greeting = make_pattern(3, greeting_size);
  GreetAndShutHandler handler(greeting);
  ServerOptions o;
  o.loops = 1;
  o.loop.edge_triggered = edge;
  o.loop.read_buffer_size = 1024;  // Many small reads, so the peer's FIN arrives with data unread.
  ServerFixture fixture(handler, o);
  ClientOptions co;
  co.send_buffer = 1024 * 1024;  // The rest of the upload fits in the socket buffers.
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected()) << client.connect_error();

  std::string got;
  IoResult r = client.read_to_eof(got);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(got.size(), greeting.size());
  EXPECT_TRUE(got == greeting);

  // The server's reading side is still open: send a first part and wait until it arrives.
  const size_t first = GreetAndShutHandler::kFirstPart;
  const std::string upload = make_pattern(5, first + 48 * 1024);
  ASSERT_TRUE(client.send_all(std::string_view(upload).substr(0, first)).ok());
  ASSERT_TRUE(handler.received.wait_for(first)) << "server received " << handler.received.value() << " bytes";
  // Then the rest, and close at once: the server must still read every byte before the end.
  ASSERT_TRUE(client.send_all(std::string_view(upload).substr(first)).ok());
  client.close();
  handler.client_closed.set(true);

  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::peer_closed) << closes[0].describe();
  EXPECT_EQ(handler.received.value(), upload.size());
  EXPECT_TRUE(handler.verifier.ok()) << "upload differs at offset " << handler.verifier.first_mismatch();
  EXPECT_FALSE(handler.first_write);
  EXPECT_EQ(handler.write_after_shutdown, Errc::closed);
  EXPECT_EQ(handler.traffic_write, Errc::closed);
}

INSTANTIATE_TEST_SUITE_P(Greetings, ServerHalfClose,
                         ::testing::Combine(::testing::Bool(), ::testing::Values(size_t{6}, size_t{2 * 1024 * 1024})),
                         [](const auto& param_info) {
                           return mode_name(std::get<0>(param_info.param)) + "_" +
                                  std::to_string(std::get<1>(param_info.param)) + "B";
                         });

}  // namespace
}  // namespace weft::test
