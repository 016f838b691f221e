// Stream operations over real sockets: read_until, read_exact and read_frame across every
// split of their input, limits, write backpressure, read flow control, addresses, and a
// second concurrent read.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "payload.h"
#include "weft/codec/line.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

EventLoop& loop0(CoroFixture& f) {
  return f.server().server().loop(0);
}

// Sends msg in two parts split at every position (and once byte by byte), letting the
// server's loop read each part before the next is sent, and expects `reply` each time.
void check_every_split(CoroFixture& fixture, const std::string& msg, const std::string& reply) {
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected()) << client.connect_error();
  for (size_t k = 1; k < msg.size(); ++k) {
    ASSERT_TRUE(client.send_all(msg.substr(0, k)).ok());
    // The loop reads what arrived before it runs a task posted after it.
    ASSERT_TRUE(sync_with_loop(loop0(fixture)));
    ASSERT_TRUE(client.send_all(msg.substr(k)).ok());
    std::string got;
    IoResult r = client.read_exact(got, reply.size());
    ASSERT_TRUE(r.ok()) << "split at " << k << ": " << r.describe();
    ASSERT_EQ(got, reply) << "split at " << k;
  }
  for (char c : msg) {
    ASSERT_TRUE(client.send_all(std::string(1, c)).ok());
    ASSERT_TRUE(sync_with_loop(loop0(fixture)));
  }
  std::string got;
  ASSERT_TRUE(client.read_exact(got, reply.size()).ok());
  EXPECT_EQ(got, reply) << "byte by byte";
}

Task<> bracket_lines(Stream s) {
  for (;;) {
    auto line = co_await s.read_until("\r\n");
    if (!line) co_return;
    std::string reply = "[" + std::string(*line) + "]";
    if (co_await s.write(reply)) co_return;
  }
}

TEST(CoroStream, ReadUntilAcrossEverySplit) {
  CoroFixture fixture(bracket_lines, coro_options(1));
  check_every_split(fixture, "alpha\r\nbeta gamma\r\n\r\nz\r\n", "[alpha\r\n][beta gamma\r\n][\r\n][z\r\n]");
}

// A 2-byte big-endian length, then the body: answered with "<length>:<body>".
Task<> length_prefixed_views(Stream s) {
  for (;;) {
    auto header = co_await s.read_exact(2);
    if (!header) co_return;
    size_t n = static_cast<unsigned char>((*header)[0]) * 256u + static_cast<unsigned char>((*header)[1]);
    auto body = co_await s.read_exact(n);  // The header view is dead now; n was taken.
    if (!body) co_return;
    if (co_await s.write(std::to_string(n) + ":" + std::string(*body))) co_return;
  }
}

Task<> length_prefixed_buffers(Stream s) {
  for (;;) {
    unsigned char header[2];
    auto [hn, hec] = co_await s.read_exact(std::span<char>(reinterpret_cast<char*>(header), 2));
    if (hec) co_return;
    std::string body(header[0] * 256u + header[1], '\0');
    auto [bn, bec] = co_await s.read_exact(std::span<char>(body));
    if (bec || bn != body.size()) co_return;
    if (co_await s.write(std::to_string(body.size()) + ":" + body)) co_return;
  }
}

std::string framed(const std::string& body) {
  return std::string{static_cast<char>(body.size() >> 8), static_cast<char>(body.size() & 0xff)} + body;
}

TEST(CoroStream, ReadExactViewsAcrossEverySplit) {
  CoroFixture fixture(length_prefixed_views, coro_options(1));
  check_every_split(fixture, framed("hello") + framed("") + framed("world!"), "5:hello0:6:world!");
}

TEST(CoroStream, ReadExactBuffersAcrossEverySplit) {
  CoroFixture fixture(length_prefixed_buffers, coro_options(1));
  check_every_split(fixture, framed("hello") + framed("") + framed("world!"), "5:hello0:6:world!");
}

TEST(CoroStream, ReadExactOfAFrameSpanningManyReads) {
  CoroFixture fixture(length_prefixed_views, coro_options(1));
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  std::string body = make_pattern(5, 60000);
  ASSERT_TRUE(client.send_all(framed(body)).ok());
  std::string got;
  ASSERT_TRUE(client.read_exact(got, body.size() + 6).ok());
  EXPECT_EQ(got, "60000:" + body);
}

TEST(CoroStream, ReadFrameWithALineCodecAcrossEverySplit) {
  auto serve = [](Stream s) -> Task<> {
    codec::LineOptions lo;
    lo.max_length = 16;
    codec::LineDecoder decoder(lo);
    for (;;) {
      auto frame = co_await s.read_frame(decoder);
      if (frame.error() == Errc::frame_too_long) {
        if (co_await s.write("too long\n")) co_return;
        continue;  // Non-fatal: the decoder skipped the line.
      }
      if (!frame) co_return;
      if (co_await s.write("<" + std::string(frame->payload) + ">\n")) co_return;
    }
  };
  CoroFixture fixture(serve, coro_options(1));
  check_every_split(fixture, "short\r\n" + std::string(40, 'x') + "\nafter\n", "<short>\ntoo long\n<after>\n");
}

TEST(CoroStream, ReadUntilReportsALineTooLong) {
  auto serve = [](Stream s) -> Task<> {
    auto line = co_await s.read_until("\n", 8);
    if (line.error() == Errc::frame_too_long) co_await s.write("too long\n");
  };
  CoroFixture fixture(serve, coro_options(1));
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all("0123456789abcdef").ok());
  std::string got;
  IoResult r = client.read_to_eof(got);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(got, "too long\n");
}

TEST(CoroStream, WriteWaitsAboveTheHighWaterMark) {
  constexpr size_t kChunk = 64 * 1024;
  constexpr size_t kTotal = 16 * 1024 * 1024;
  ServerOptions o = coro_options(1);
  o.high_water_mark = 256 * 1024;
  o.low_water_mark = 64 * 1024;
  o.max_outbound = 1024 * 1024;
  o.send_buffer = 32 * 1024;
  OnceValue<bool> suspended;
  std::atomic<size_t> max_unsent{0};
  auto serve = [&](Stream s) -> Task<> {
    std::string chunk(kChunk, '\0');
    bool timed_out = false;
    for (size_t sent = 0; sent < kTotal; sent += kChunk) {
      fill_pattern(3, sent, chunk);
      std::error_code ec;
      if (!timed_out) {
        // The client does not read yet, so some write must wait (and time out here).
        ec = co_await with_timeout(100ms, s.write(chunk));
        if (ec == Errc::timeout) {
          timed_out = true;
          ec = {};
          suspended.set(true);
        }
      } else {
        ec = co_await s.write(chunk);
      }
      if (ec) co_return;
      max_unsent = std::max(max_unsent.load(), s.unsent());
    }
  };
  CoroFixture fixture(serve, o);
  ClientOptions co;
  co.receive_buffer = 32 * 1024;
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected());
  ASSERT_EQ(suspended.wait(), true) << "no write ever waited";
  // A write that timed out still queued its bytes: the whole stream arrives intact.
  PatternVerifier verifier(3);
  std::string buf(256 * 1024, '\0');
  while (verifier.received() < kTotal) {
    IoResult r = client.read_some(buf.data(), buf.size());
    ASSERT_TRUE(r.ok()) << r.describe() << " after " << verifier.received();
    verifier.feed(std::string_view(buf.data(), r.bytes));
  }
  EXPECT_TRUE(verifier.ok()) << "mismatch at " << verifier.first_mismatch();
  // A write completes only at or below the high water mark plus the chunk it added.
  EXPECT_LE(max_unsent.load(), o.high_water_mark + kChunk);
}

TEST(CoroStream, AStreamThatIsNotReadPausesItsPeer) {
  constexpr size_t kTotal = 4 * 1024 * 1024;
  ServerOptions o = coro_options(1);
  o.receive_buffer = 64 * 1024;
  Counter gate;
  OnceValue<size_t> buffered_on_release;
  auto serve = [&](Stream s) -> Task<> {
    co_await offload([&] { gate.wait_for(1); });  // Busy elsewhere: not reading.
    buffered_on_release.set(s.buffered());
    Checksum sum;
    std::string buf(64 * 1024, '\0');
    while (sum.size() < kTotal) {
      auto [n, ec] = co_await s.read_some(buf);
      if (ec) co_return;
      sum.update(std::string_view(buf.data(), n));
    }
    uint64_t v = sum.value();
    co_await s.write(std::string_view(reinterpret_cast<const char*>(&v), sizeof v));
  };
  CoroFixture fixture(serve, o);
  ClientOptions co;
  co.send_buffer = 64 * 1024;
  LoopbackClient client(fixture.address(), co);
  ASSERT_TRUE(client.connected());
  std::string data = make_pattern(11, kTotal);
  // With the server not reading, its kernel buffers fill and the send cannot finish.
  IoResult first = client.send_all(data, 500ms);
  EXPECT_EQ(first.outcome, Outcome::timeout) << first.describe();
  EXPECT_LT(first.bytes, size_t{1024 * 1024});
  gate.add();
  auto buffered = buffered_on_release.wait();
  ASSERT_TRUE(buffered.has_value());
  // At most the pause threshold plus one read's worth was taken into user space.
  EXPECT_LE(*buffered, Stream::kPauseThreshold + 64 * 1024);
  ASSERT_TRUE(client.send_all(std::string_view(data).substr(first.bytes)).ok());
  std::string sum;
  ASSERT_TRUE(client.read_exact(sum, 8).ok());
  uint64_t v;
  std::memcpy(&v, sum.data(), 8);
  EXPECT_EQ(v, pattern_checksum(11, kTotal));
}

TEST(CoroStream, AddressesAndClosedOperations) {
  OnceValue<std::string> seen;
  auto serve = [&](Stream s) -> Task<> {
    std::string report = s.remote_address().to_string() + " " + s.local_address().to_string();
    s.close();
    auto r = co_await s.read_some();
    auto w = co_await s.write("x");
    report += r.error() == Errc::closed && w == Errc::closed && !s.is_open() ? " closed" : " open";
    seen.set(report);
  };
  CoroFixture fixture(serve, coro_options(1));
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  auto report = seen.wait();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(*report, client.local_address().to_string() + " " + fixture.address().to_string() + " closed");
  EXPECT_EQ(client.wait_closed().outcome, Outcome::eof);
}

TEST(CoroStream, ASecondConcurrentReadIsRefused) {
  CoroServer* server = nullptr;
  OnceValue<std::error_code> second;
  auto serve = [&](Stream s) -> Task<> {
    Stream* shared = &s;
    server->spawn([shared, &second]() -> Task<> { second.set((co_await shared->read_some()).error()); }, 0);
    auto first = co_await s.read_some();  // Pending when the spawned read starts.
    if (first) co_await s.write(*first);
    co_await s.read_some();  // Keep the stream until the client leaves.
  };
  CoroFixture fixture(serve, coro_options(1));
  server = &fixture.server();
  LoopbackClient client(fixture.address());
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(second.wait(), std::make_error_code(std::errc::operation_in_progress));
  ASSERT_TRUE(client.send_all("ping").ok());
  std::string got;
  ASSERT_TRUE(client.read_exact(got, 4).ok());
  EXPECT_EQ(got, "ping");
}

// A Stream belongs to its connection's loop: a coroutine on another loop that reads it
// aborts a debug build, naming the call.
TEST(StreamDeathTest, AReadFromAnotherLoopAbortsNamingTheCall) {
#ifdef NDEBUG
  GTEST_SKIP() << "thread asserts are compiled out of release builds (NDEBUG); the Debug sanitizer build runs this";
#endif
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        OnceValue<Stream*> published;
        auto serve = [&](Stream s) -> Task<> {
          published.set(&s);
          co_await s.read_some();
        };
        CoroFixture fixture(serve, coro_options(2));
        LoopbackClient client(fixture.address());
        Stream* stream = published.wait().value_or(nullptr);
        size_t other = &fixture.server().server().loop(0) == stream->loop() ? 1 : 0;
        run_on_loop(
            fixture.server(),
            [stream]() -> Task<bool> {
              auto r = co_await stream->read_some();  // Aborts here.
              co_return r.ok();
            },
            other);
      },
      "weft: Stream::read_some called off its loop thread");
}

}  // namespace
}  // namespace weft::test
