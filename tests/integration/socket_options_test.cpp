// Socket options from ServerOptions reach every accepted socket.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

struct Seen {
  int nodelay = -1;
  int keepalive = -1;
  int rcvbuf = -1;
  int sndbuf = -1;
};

class OptionProbe : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    Seen s;
    socklen_t len = sizeof(int);
    ::getsockopt(conn.fd(), IPPROTO_TCP, TCP_NODELAY, &s.nodelay, &len);
    len = sizeof(int);
    ::getsockopt(conn.fd(), SOL_SOCKET, SO_KEEPALIVE, &s.keepalive, &len);
    len = sizeof(int);
    ::getsockopt(conn.fd(), SOL_SOCKET, SO_RCVBUF, &s.rcvbuf, &len);
    len = sizeof(int);
    ::getsockopt(conn.fd(), SOL_SOCKET, SO_SNDBUF, &s.sndbuf, &len);
    seen.set(s);
    RecordingHandler::on_open(conn);
  }
  OnceValue<Seen> seen;
};

Seen probe(const ServerOptions& o) {
  OptionProbe handler;
  ServerFixture fixture(handler, o);
  LoopbackClient client(fixture.address());
  EXPECT_TRUE(client.connected());
  EXPECT_TRUE(client.echo_pattern(1, 10).ok());
  std::optional<Seen> s = handler.seen.wait();
  EXPECT_TRUE(s.has_value());
  return s.value_or(Seen{});
}

TEST(SocketOptions, DefaultsDisableNagleAndLeaveKeepAliveOff) {
  ServerOptions o;
  o.loops = 1;
  Seen s = probe(o);
  EXPECT_NE(s.nodelay, 0);
  EXPECT_EQ(s.keepalive, 0);
}

TEST(SocketOptions, ExplicitValuesAreApplied) {
  ServerOptions o;
  o.loops = 1;
  o.tcp_nodelay = false;
  o.keep_alive = true;
  o.receive_buffer = 32 * 1024;
  o.send_buffer = 48 * 1024;
  Seen s = probe(o);
  EXPECT_EQ(s.nodelay, 0);
  EXPECT_NE(s.keepalive, 0);
  // Linux doubles the requested size for its bookkeeping (socket(7)).
  EXPECT_EQ(s.rcvbuf, 2 * 32 * 1024);
  EXPECT_EQ(s.sndbuf, 2 * 48 * 1024);
}

}  // namespace
}  // namespace weft::test
