// Partial writes: with a tiny server send buffer and a client that reads small chunks
// slowly through a tiny receive buffer, the kernel takes the output a little at a time;
// every byte still arrives, in order.

#include <gtest/gtest.h>
#include <poll.h>

#include <string>
#include <vector>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

constexpr size_t kReplySize = 3 * 1024 * 1024 + 123;  // Spans far more blocks than one writev takes.
constexpr uint64_t kSeed = 99;

// On "go" replies with kReplySize pattern bytes: either one write, or many small ones.
class ReplyHandler : public RecordingHandler {
 public:
  explicit ReplyHandler(size_t piece) : piece_(piece) {}
  void on_traffic(Conn& conn) override {
    if (conn.read(2) != "go") {
      conn.close();
      return;
    }
    std::string reply = make_pattern(kSeed, kReplySize);
    for (size_t at = 0; at < reply.size(); at += piece_) {
      ASSERT_FALSE(conn.write(std::string_view(reply).substr(at, piece_)));
    }
    handle.set(conn.handle());
  }
  OnceValue<ConnHandle> handle;

 private:
  size_t piece_;
};

ServerOptions tiny_send_buffer(bool edge) {
  ServerOptions o;
  o.loops = 1;
  o.send_buffer = 4096;
  o.high_water_mark = 8 * 1024 * 1024;  // Keep the whole reply under the backpressure marks.
  o.low_water_mark = 1024 * 1024;
  o.max_outbound = 16 * 1024 * 1024;
  o.loop.edge_triggered = edge;
  return o;
}

// Reads size bytes in small chunks, pausing now and then so the server's socket buffer
// fills up and it has to wait for writability.
void read_slowly(LoopbackClient& client, size_t size, PatternVerifier& verifier) {
  char chunk[1000];
  size_t count = 0;
  while (verifier.received() < size) {
    size_t want = std::min<size_t>(sizeof chunk - (count % 7) * 100, size - verifier.received());
    IoResult r = client.read_some(chunk, want);
    ASSERT_TRUE(r.ok()) << "after " << verifier.received() << " bytes: " << r.describe();
    verifier.feed(std::string_view(chunk, r.bytes));
    if (++count % 512 == 0) ::poll(nullptr, 0, 5);  // Part of the scenario: a slow reader.
  }
}

class PartialWrites : public ::testing::TestWithParam<std::tuple<bool, size_t>> {};

TEST_P(PartialWrites, LargeReplyToASlowReaderArrivesInOrder) {
  const auto [edge, piece] = GetParam();
  ReplyHandler handler(piece);
  ServerFixture fixture(handler, tiny_send_buffer(edge));
  ClientOptions co;
  co.receive_buffer = 2048;
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected()) << client.connect_error();
  ASSERT_TRUE(client.send_all("go").ok());

  // The kernel cannot hold the reply, so the server keeps a remainder and waits.
  std::optional<ConnHandle> handle = handler.handle.wait();
  ASSERT_TRUE(handle.has_value());
  OnceValue<size_t> pending;
  handle->post([&pending](Conn& conn) { pending.set(conn.outbound_size()); });
  std::optional<size_t> unsent = pending.wait();
  ASSERT_TRUE(unsent.has_value());
  EXPECT_GT(*unsent, 0u) << "the server sent everything at once; the test did not exercise partial writes";

  PatternVerifier verifier(kSeed);
  read_slowly(client, kReplySize, verifier);
  EXPECT_EQ(verifier.received(), kReplySize);
  EXPECT_TRUE(verifier.ok()) << "first wrong byte at offset " << verifier.first_mismatch();

  // Nothing extra follows; closing our side ends the connection cleanly.
  client.shutdown_write();
  std::string rest;
  EXPECT_EQ(client.read_to_eof(rest).outcome, Outcome::eof);
  EXPECT_TRUE(rest.empty());
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::peer_closed) << closes[0].describe();
}

INSTANTIATE_TEST_SUITE_P(Modes, PartialWrites,
                         ::testing::Combine(::testing::Bool(), ::testing::Values(kReplySize, size_t{1000})),
                         [](const auto& param_info) {
                           return std::string(std::get<0>(param_info.param) ? "edge" : "level") +
                                  (std::get<1>(param_info.param) == kReplySize ? "_one_write" : "_many_writes");
                         });

TEST(PartialWriteEcho, SlowReaderThatKeepsSendingGetsEveryByte) {
  RecordingHandler handler;
  ServerFixture fixture(handler, tiny_send_buffer(false));
  ClientOptions co;
  co.receive_buffer = 2048;
  co.send_buffer = 4096;
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected()) << client.connect_error();

  constexpr size_t kSize = 2 * 1024 * 1024;
  // One thread writes everything while this one reads slowly.
  BackgroundSend writer(client, make_pattern(7, kSize));
  PatternVerifier verifier(7);
  read_slowly(client, kSize, verifier);
  IoResult sent = writer.wait();
  EXPECT_TRUE(sent.ok()) << sent.describe();
  EXPECT_EQ(verifier.received(), kSize);
  EXPECT_TRUE(verifier.ok()) << "first wrong byte at offset " << verifier.first_mismatch();
}

}  // namespace
}  // namespace weft::test
