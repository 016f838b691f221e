// Client: dialed connections run with a Handler as accepted ones do. Echo over TCP and
// Unix sockets, a client on a server's loops, and every kind of failure reported once
// through the dial's callback without on_open or on_close: refused, timed out against a
// listener whose backlog is full, cancelled while connecting, stopped while connecting.

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "payload.h"
#include "ports.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/core/error.h"
#include "weft/net/client.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// Sends `payload` once open and records what comes back; counts opens and closes.
class Talker : public Handler {
 public:
  explicit Talker(std::string payload = "hello") : payload_(std::move(payload)) {}
  void on_open(Conn& conn) override {
    opened.add();
    conn.write(payload_);
  }
  void on_traffic(Conn& conn) override {
    std::string_view got = conn.read();
    std::lock_guard lock(mutex_);
    received_ += got;
    if (received_.size() >= payload_.size()) {
      done.set(received_);
      conn.close();
    }
  }
  void on_close(Conn&, CloseReason reason, std::error_code) override {
    reasons.set(reason);
    closed.add();
  }
  Counter opened;
  Counter closed;
  OnceValue<std::string> done;
  OnceValue<CloseReason> reasons;

 private:
  std::string payload_;
  std::mutex mutex_;
  std::string received_;
};

struct DialResult {
  bool connected = false;
  std::error_code error;
};

Dialed record(OnceValue<DialResult>& out) {
  return [&out](Conn* conn, std::error_code ec) { out.set({conn != nullptr, ec}); };
}

// A listener that never accepts, its backlog filled: further connects hang unanswered
// (the kernel drops their SYNs).
class Blackhole {
 public:
  Blackhole() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    url_ = "tcp://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    for (int i = 0; i < 4; ++i) {
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
      fillers_.push_back(c);
    }
  }
  ~Blackhole() {
    for (int c : fillers_) ::close(c);
    ::close(fd_);
  }
  const std::string& url() const { return url_; }

 private:
  int fd_;
  std::string url_;
  std::vector<int> fillers_;
};

TEST(ClientDial, EchoesOverTcp) {
  RecordingHandler echo;
  ServerFixture upstream(echo);
  std::string payload = make_pattern(7, 200000);
  Talker talker(payload);
  Client client(talker);
  client.start();
  OnceValue<DialResult> result;
  client.dial(upstream.address().to_string(), record(result));
  auto r = result.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->connected) << r->error.message();
  auto got = talker.done.wait();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(*got == payload);
  EXPECT_TRUE(talker.closed.wait_for(1));
  EXPECT_EQ(talker.reasons.wait(), CloseReason::local);
  EXPECT_EQ(talker.opened.value(), 1u);
  client.stop();
  client.wait();
}

TEST(ClientDial, EchoesOverUnixSocket) {
  RecordingHandler echo;
  std::string path = temp_socket_path("client");
  ServerFixture upstream(echo, {}, "unix://" + path);
  Talker talker;
  Client client(talker);
  client.start();
  OnceValue<DialResult> result;
  client.dial("unix://" + path, record(result));
  ASSERT_TRUE(result.wait().has_value());
  EXPECT_EQ(talker.done.wait(), std::string("hello"));
  client.stop();
  client.wait();
}

TEST(ClientDial, RefusedIsReportedOnceWithoutCallbacks) {
  Talker talker;
  Client client(talker);
  client.start();
  OnceValue<DialResult> result;
  Counter calls;
  client.dial(refused_url(), [&](Conn* conn, std::error_code ec) {
    calls.add();
    result.set({conn != nullptr, ec});
  });
  auto r = result.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->connected);
  EXPECT_EQ(r->error, std::errc::connection_refused) << r->error.message();
  client.stop();
  client.wait();
  EXPECT_EQ(calls.value(), 1u);
  EXPECT_EQ(talker.opened.value(), 0u);
  EXPECT_EQ(talker.closed.value(), 0u);
  EXPECT_EQ(client.connection_count(), 0u);
}

TEST(ClientDial, TimesOutAgainstAFullBacklog) {
  Blackhole hole;
  Talker talker;
  ClientOptions o;
  o.connect_timeout = 200ms;
  Client client(talker, o);
  client.start();
  OnceValue<DialResult> result;
  auto started = std::chrono::steady_clock::now();
  client.dial(hole.url(), record(result));
  auto r = result.wait();
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->connected);
  EXPECT_EQ(r->error, Errc::timeout) << r->error.message();
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 3s);
  client.stop();
  client.wait();
  EXPECT_EQ(talker.opened.value() + talker.closed.value(), 0u);
}

TEST(ClientDial, CancelWhileConnecting) {
  Blackhole hole;
  Talker talker;
  Client client(talker);
  client.start();
  OnceValue<DialResult> result;
  DialHandle handle = client.dial(hole.url(), record(result));
  handle.cancel();
  auto r = result.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->connected);
  EXPECT_EQ(r->error, std::errc::operation_canceled) << r->error.message();
  handle.cancel();  // Harmless once ended.
  client.stop();
  client.wait();
  EXPECT_EQ(talker.opened.value() + talker.closed.value(), 0u);
}

TEST(ClientDial, StopEndsDialsInProgress) {
  Blackhole hole;
  Talker talker;
  Client client(talker);
  client.start();
  OnceValue<DialResult> result;
  Counter dialing;
  client.loop(0).post([&] {
    client.dial(hole.url(), record(result));  // On the loop: started at once.
    dialing.add();
  });
  ASSERT_TRUE(dialing.wait_for(1));
  client.stop();
  auto r = result.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, Errc::shutdown) << r->error.message();
  client.wait();
}

TEST(ClientDial, MalformedUrlThrows) {
  Talker talker;
  Client client(talker);
  EXPECT_THROW(client.dial("tcp://127.0.0.1"), std::invalid_argument);
  EXPECT_THROW(client.dial("http://x:1"), std::invalid_argument);
  EXPECT_THROW(client.dial("tcp://bad host:1"), std::invalid_argument);
  // A datagram address names where datagram peers are dialed.
  try {
    client.dial("udp://127.0.0.1:53");
    ADD_FAILURE() << "udp:// was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("UdpServer::dial"), std::string::npos) << e.what();
  }
}

// A proxy-shaped use: the client runs on the server's loops and stops with it.
TEST(ClientDial, RunsOnAServersLoopsAndStopsWithIt) {
  RecordingHandler echo;
  ServerFixture upstream(echo);
  Talker talker;
  Handler nothing;
  ServerOptions so;
  so.loops = 2;
  auto front = std::make_unique<ServerFixture>(nothing, so);
  Client client(front->server(), talker);
  ASSERT_EQ(client.loop_count(), 2u);
  OnceValue<DialResult> result;
  client.dial(upstream.address().to_string(), record(result), nullptr, 1);
  auto r = result.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->connected);
  EXPECT_EQ(talker.done.wait(), std::string("hello"));
  front->stop();
  EXPECT_TRUE(front->stopped());
}

}  // namespace
}  // namespace weft::test
