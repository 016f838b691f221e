// Heartbeats and deadlines: a server's heartbeat pings a quiet peer and closes a silent
// one while a talking one stays; a client's heartbeat closes a server that never answers;
// a read deadline closes a peer that sends nothing and is disarmed by input; a write
// deadline closes a connection whose output the peer does not take.

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/core/error.h"
#include "weft/net/client.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

Heartbeat beat(Duration interval, unsigned misses) {
  return Heartbeat{.interval = interval, .misses = misses};
}

// Takes input and says nothing but its heartbeat's pings.
class Sink : public RecordingHandler {
 public:
  void on_traffic(Conn& c) override { c.discard(c.inbound().size()); }
  void on_heartbeat(Conn& c) override { c.write("P"); }
};

TEST(Heartbeat, ServerPingsAndClosesASilentPeerButKeepsATalkingOne) {
  Sink sink;
  ServerOptions o;
  o.heartbeat = beat(50ms, 3);
  ServerFixture server(sink, o);
  LoopbackClient silent(server.address());
  LoopbackClient talking(server.address());
  ASSERT_TRUE(sink.opened.wait_for(2));
  std::atomic<bool> stop{false};
  std::thread talker([&] {
    while (!stop) {
      talking.send_all("x");
      std::this_thread::sleep_for(20ms);  // The talking peer's pace.
    }
  });
  // The silent peer gets pings (it writes nothing, so the server writes to it) ...
  char got = 0;
  EXPECT_TRUE(silent.read_exact(&got, 1, 5s).ok());
  EXPECT_EQ(got, 'P');
  // ... and is closed after three beats without input.
  auto closes = sink.wait_closes(1, 5s);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::heartbeat);
  EXPECT_EQ(closes[0].error, Errc::heartbeat_timeout);
  EXPECT_TRUE(silent.wait_closed(5s).outcome != Outcome::timeout);
  // The talking peer outlives several more beats.
  std::this_thread::sleep_for(300ms);  // Six beats.
  stop = true;
  talker.join();
  EXPECT_EQ(sink.closed.value(), 1u);
}

TEST(Heartbeat, ClientClosesAServerThatNeverAnswers) {
  Sink mute;
  ServerFixture server(mute);
  Sink mine;
  weft::ClientOptions o;
  o.heartbeat = beat(40ms, 2);
  Client client(mine, o);
  client.start();
  client.dial(server.address().to_string());
  auto closes = mine.wait_closes(1, 5s);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::heartbeat);
  EXPECT_EQ(mine.opened.value(), 1u);
  client.stop();
  client.wait();
}

class ReadDeadline : public RecordingHandler {
 public:
  void on_open(Conn& c) override {
    RecordingHandler::on_open(c);
    c.set_read_deadline(150ms);
  }
};

TEST(Deadline, ReadDeadlineClosesASilentPeerAndInputDisarmsIt) {
  ReadDeadline handler;
  ServerFixture server(handler);
  LoopbackClient quick(server.address());
  ASSERT_TRUE(quick.send_all("hi").ok());
  std::string back;
  ASSERT_TRUE(quick.read_exact(back, 2).ok());  // Echoed: the input arrived in time.
  LoopbackClient silent(server.address());
  auto closes = handler.wait_closes(1, 5s);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::deadline);
  EXPECT_EQ(closes[0].error, Errc::read_deadline);
  EXPECT_TRUE(silent.wait_closed(5s).outcome != Outcome::timeout);
  // The quick one is still open: it echoes again.
  ASSERT_TRUE(quick.send_all("yo").ok());
  ASSERT_TRUE(quick.read_exact(back, 2).ok());
  EXPECT_EQ(back, "yo");
  EXPECT_EQ(handler.closed.value(), 1u);
}

class Flooder : public RecordingHandler {
 public:
  void on_open(Conn& c) override {
    RecordingHandler::on_open(c);
    c.write(std::string(32 << 20, 'x'));
    c.set_write_deadline(150ms);
  }
};

TEST(Deadline, WriteDeadlineClosesWhenThePeerDoesNotRead) {
  Flooder handler;
  ServerOptions o;
  o.send_buffer = 64 * 1024;
  ServerFixture server(handler, o);
  test::ClientOptions small;
  small.receive_buffer = 64 * 1024;                // Loopback buffers can otherwise take the whole output.
  LoopbackClient reader(server.address(), small);  // Never reads.
  auto closes = handler.wait_closes(1, 5s);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::deadline);
  EXPECT_EQ(closes[0].error, Errc::write_deadline);
}

}  // namespace
}  // namespace weft::test
