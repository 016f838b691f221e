// Listening addresses: port 0, several listeners, malformed URLs, a busy port, and Unix
// socket files (stale ones replaced, live ones refused, ours removed on stop).

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <system_error>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

ServerOptions one_loop() {
  ServerOptions o;
  o.loops = 1;
  return o;
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

void expect_echo(const Address& address, const std::string& what) {
  LoopbackClient client(address);
  ASSERT_TRUE(client.connected()) << what << ": " << client.connect_error();
  IoResult r = client.echo_pattern(42, 1000);
  EXPECT_TRUE(r.ok()) << what << ": " << r.describe();
}

TEST(ServerAddress, PortZeroPicksAFreePortThatAddressReports) {
  RecordingHandler handler;
  Server server(handler, one_loop());
  server.listen("tcp://127.0.0.1:0").listen("tcp://[::1]:0").listen("tcp://localhost:0");
  const Address& v4 = server.address(0);
  const Address& v6 = server.address(1);
  EXPECT_EQ(v4.family(), AF_INET);
  EXPECT_EQ(v4.host(), "127.0.0.1");
  EXPECT_NE(v4.port(), 0);
  EXPECT_EQ(v4.to_string(), "tcp://127.0.0.1:" + std::to_string(v4.port()));
  EXPECT_EQ(v6.family(), AF_INET6);
  EXPECT_EQ(v6.to_string(), "tcp://[::1]:" + std::to_string(v6.port()));
  EXPECT_NE(v6.port(), 0);
  EXPECT_NE(server.address(2).port(), 0);
  EXPECT_THROW(server.address(3), std::out_of_range);

  server.start();
  expect_echo(server.address(0), "IPv4 listener");
  expect_echo(server.address(1), "IPv6 listener");
  expect_echo(server.address(2), "localhost listener");
  server.stop();
  server.wait();
  // Stopped listeners refuse connections.
  LoopbackClient late(v4, {}, std::chrono::seconds(5));
  EXPECT_FALSE(late.connected());
}

TEST(ServerAddress, AnyAddressAcceptsLoopback) {
  RecordingHandler handler;
  ServerFixture fixture(handler, one_loop(), "tcp://:0");
  EXPECT_EQ(fixture.address().host(), "0.0.0.0");
  expect_echo(Address::parse("tcp://127.0.0.1:" + std::to_string(fixture.address().port())), "any address");
}

struct Malformed {
  std::string url;
  std::string reason;  // A phrase the message must contain.
};

TEST(ServerAddress, MalformedAddressesThrowInvalidArgumentNamingTheProblem) {
  const Malformed cases[] = {
      {"tcp://127.0.0.1", "missing ':port'"},
      {"tcp://127.0.0.1:", "port must be a number"},
      {"tcp://127.0.0.1:65536", "port must be a number"},
      {"tcp://127.0.0.1:-1", "port must be a number"},
      {"tcp://127.0.0.1:80x", "port must be a number"},
      {"http://127.0.0.1:80", "unknown scheme"},
      {"tcp://[::1:80", "missing ']'"},
      {"tcp://[::1]80", "missing ':port'"},
      {"tcp://::1:80", "brackets"},
      {"unix://", "empty Unix socket path"},
      {"unix://" + std::string(200, 'x'), "too long"},
  };
  for (const Malformed& c : cases) {
    RecordingHandler handler;
    Server server(handler, one_loop());
    try {
      server.listen(c.url);
      ADD_FAILURE() << c.url << " was accepted";
    } catch (const std::invalid_argument& e) {
      std::string what = e.what();
      EXPECT_NE(what.find(c.url), std::string::npos) << "message does not name the URL: " << what;
      EXPECT_NE(what.find(c.reason), std::string::npos) << "message for " << c.url << ": " << what;
    } catch (const std::exception& e) {
      ADD_FAILURE() << c.url << " threw the wrong type: " << e.what();
    }
  }
}

TEST(ServerAddress, BusyPortThrowsSystemErrorAddressInUse) {
  RecordingHandler handler;
  ServerFixture first(handler, one_loop());
  std::string url = "tcp://127.0.0.1:" + std::to_string(first.address().port());
  Server second(handler, one_loop());
  try {
    second.listen(url);
    FAIL() << "listening twice on " << url << " succeeded";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use);
    std::string what = e.what();
    EXPECT_NE(what.find("Address already in use"), std::string::npos) << what;
    EXPECT_NE(what.find(url), std::string::npos) << what;
  }
  // The first server is unaffected.
  expect_echo(first.address(), "first server");
}

TEST(ServerAddress, PortHeldByAPlainSocketIsReportedInUse) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  Address any = Address::parse("tcp://127.0.0.1:0");
  ASSERT_EQ(::bind(fd, any.sockaddr_ptr(), any.length()), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  Address held = Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);

  RecordingHandler handler;
  Server server(handler, one_loop());
  EXPECT_THROW(
      {
        try {
          server.listen(held.to_string());
        } catch (const std::system_error& e) {
          EXPECT_NE(std::string(e.what()).find("Address already in use"), std::string::npos) << e.what();
          throw;
        }
      },
      std::system_error);
  ::close(fd);
}

TEST(ServerAddress, StaleUnixSocketFileIsReplaced) {
  std::string path = temp_socket_path("stale");
  // A socket bound to the path and closed without unlinking leaves a stale file behind.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  Address addr = Address::parse("unix://" + path);
  ASSERT_EQ(::bind(fd, addr.sockaddr_ptr(), addr.length()), 0);
  ::close(fd);
  ASSERT_TRUE(path_exists(path));

  RecordingHandler handler;
  {
    ServerFixture fixture(handler, one_loop(), "unix://" + path);
    EXPECT_EQ(fixture.address().to_string(), "unix://" + path);
    expect_echo(fixture.address(), "server on a replaced stale path");
    fixture.stop();
  }
  EXPECT_FALSE(path_exists(path)) << "the server left its socket file behind";
}

TEST(ServerAddress, LiveUnixSocketIsNotStolen) {
  std::string path = temp_socket_path("live");
  RecordingHandler handler;
  ServerFixture first(handler, one_loop(), "unix://" + path);
  Server second(handler, one_loop());
  try {
    second.listen("unix://" + path);
    FAIL() << "a second server took over a live socket path";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("Address already in use"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(path_exists(path));
  expect_echo(first.address(), "first server after the refused takeover");
}

TEST(ServerAddress, AbstractUnixSocket) {
  std::string name = "@weft-abstract-" + std::to_string(::getpid());
  RecordingHandler handler;
  ServerFixture fixture(handler, one_loop(), "unix://" + name);
  EXPECT_EQ(fixture.address().to_string(), "unix://" + name);
  expect_echo(fixture.address(), "abstract socket");
}

TEST(ServerAddress, ListenAfterStartIsRefused) {
  RecordingHandler handler;
  ServerFixture fixture(handler, one_loop());
  EXPECT_THROW(fixture.server().listen("tcp://127.0.0.1:0"), std::logic_error);
  expect_echo(fixture.address(), "server after the refused listen");
}

}  // namespace
}  // namespace weft::test
