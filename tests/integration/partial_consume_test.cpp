// Handlers that consume only part of what arrived: the rest stays buffered and is offered
// again, in order, with the next bytes, however the stream was split into reads.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

// Echoes whole records of a fixed size only, each with one write, using peek and read.
class RecordHandler : public RecordingHandler {
 public:
  explicit RecordHandler(size_t record) : record_(record) {}
  void on_traffic(Conn& conn) override {
    while (conn.inbound_size() >= record_) {
      std::string_view r = conn.peek(record_);
      ASSERT_EQ(r.size(), record_);
      conn.write(r);
      ASSERT_EQ(conn.read(record_).size(), record_);
    }
  }

 private:
  size_t record_;
};

// Consumes a byte at a time, mixing peek, read and discard.
class ByteHandler : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    for (size_t i = 0; conn.inbound_size() > 0; ++i) {
      if (i % 3 == 0) {
        conn.write(conn.peek(1));
        conn.discard(1);
      } else {
        conn.write(conn.read(1));
      }
    }
  }
};

// Echoes up to the last newline found through inbound(), codec style.
class LineHandler : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    InputView in = conn.inbound();
    size_t end = 0;
    for (size_t at = in.find('\n'); at != InputView::npos; at = in.find('\n', at + 1)) end = at + 1;
    if (end == 0) return;
    std::string storage;
    conn.write(in.slice(0, end, storage));
    conn.discard(end);
  }
};

// Echoes through inbound_front() in pieces of at most 997 bytes and leaves the last
// 5000 bytes of each arrival unconsumed, so kept bytes span blocks and runs end at block
// boundaries as well as in the read area.
class FrontHandler : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    while (conn.inbound_size() > 5000) {
      std::string_view run = conn.inbound_front();
      ASSERT_FALSE(run.empty());
      ASSERT_LE(run.size(), conn.inbound_size());
      size_t take = std::min({run.size(), conn.inbound_size() - 5000, size_t{997}});
      conn.write(run.substr(0, take));
      ASSERT_EQ(conn.discard(take), take);
    }
  }
};

ServerOptions small_reads(bool edge) {
  ServerOptions o;
  o.loops = 1;
  o.loop.read_buffer_size = 1024;  // Many reads, splitting records everywhere.
  o.loop.edge_triggered = edge;
  return o;
}

class PartialConsume : public ::testing::TestWithParam<bool> {};

// Sends size bytes in uneven chunks and checks that the first `expected` bytes come back.
void exchange(const Address& address, uint64_t seed, size_t size, size_t expected) {
  LoopbackClient client(address);
  ASSERT_TRUE(client.connected());
  std::string payload = make_pattern(seed, size);
  BackgroundSend writer(client, payload);
  std::string got;
  IoResult r = client.read_exact(got, expected);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_TRUE(writer.wait().ok());
  EXPECT_EQ(find_pattern_mismatch(seed, 0, got), std::string::npos);
  // Nothing beyond the expected bytes comes back.
  client.shutdown_write();
  std::string rest;
  EXPECT_EQ(client.read_to_eof(rest).outcome, Outcome::eof);
  EXPECT_TRUE(rest.empty()) << rest.size() << " extra bytes";
}

TEST_P(PartialConsume, SmallRecords) {
  RecordHandler handler(7);
  ServerFixture fixture(handler, small_reads(GetParam()));
  exchange(fixture.address(), 1, 1'000'003, 1'000'003 / 7 * 7);
}

TEST_P(PartialConsume, RecordsLargerThanABlock) {
  RecordHandler handler(40'000);  // Spans blocks, so peek copies to make it contiguous.
  ServerFixture fixture(handler, small_reads(GetParam()));
  exchange(fixture.address(), 2, 2'000'000 + 1234, 2'000'000);
}

TEST_P(PartialConsume, ByteAtATime) {
  ByteHandler handler;
  ServerFixture fixture(handler, small_reads(GetParam()));
  exchange(fixture.address(), 3, 300'000, 300'000);
}

TEST_P(PartialConsume, ContiguousRunsThroughInboundFront) {
  FrontHandler handler;
  ServerFixture fixture(handler, small_reads(GetParam()));
  exchange(fixture.address(), 4, 1'500'000, 1'500'000 - 5000);
}

TEST_P(PartialConsume, LinesThroughInboundViews) {
  LineHandler handler;
  ServerFixture fixture(handler, small_reads(GetParam()));
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + std::string(i % 50, '.') + "\n";
  text += "unterminated";
  BackgroundSend writer(client, text);
  std::string got;
  size_t expected = text.size() - std::string("unterminated").size();
  IoResult r = client.read_exact(got, expected);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_TRUE(writer.wait().ok());
  EXPECT_TRUE(got == text.substr(0, expected));
}

INSTANTIATE_TEST_SUITE_P(Modes, PartialConsume, ::testing::Bool(),
                         [](const auto& param_info) { return std::string(param_info.param ? "edge" : "level"); });

}  // namespace
}  // namespace weft::test
