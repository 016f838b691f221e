// UdpServer and UdpSocket: echo of every datagram size from 0 B to 65,507 B, truncation
// reported, EMSGSIZE refused at once (and a Unix datagram beyond the socket buffer
// reported) with the socket still usable, ICMP port unreachable reported with its address,
// dialed (connected) sockets refused by a closed port and then talking to their peer,
// SO_REUSEPORT across loops, IPv6, and real peers (Python's socket module, nc -u).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "payload.h"
#include "ports.h"
#include "sync.h"
#include "weft/net/udp.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// A plain blocking UDP client with a receive timeout.
class UdpClient {
 public:
  explicit UdpClient(int family = AF_INET) : fd_(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    int big = 4 * 1024 * 1024;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  }
  ~UdpClient() { ::close(fd_); }
  UdpClient(const UdpClient&) = delete;
  UdpClient& operator=(const UdpClient&) = delete;

  bool send(std::string_view bytes, const Address& to) {
    return ::sendto(fd_, bytes.data(), bytes.size(), 0, to.sockaddr_ptr(), to.length()) ==
           static_cast<ssize_t>(bytes.size());
  }
  // One datagram, or nullopt after timeout.
  std::optional<std::string> receive(Duration timeout = 5s) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count())) != 1) {
      return std::nullopt;
    }
    std::string buf(70000, '\0');
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

 private:
  int fd_;
};

class Echo : public DatagramHandler {
 public:
  void on_datagram(UdpSocket& s, std::string_view data, const Address& from, bool truncated) override {
    {
      std::lock_guard lock(mutex);
      sizes.push_back(data.size());
      truncations.push_back(truncated);
      sockets.insert(&s);
    }
    received.add();
    if (reply) s.send_to(data, from);
  }
  void on_error(UdpSocket&, std::error_code ec, const Address& peer) override {
    std::lock_guard lock(mutex);
    errors.push_back(ec.message() + " " + peer.to_string());
    error_count.add();
  }
  std::mutex mutex;
  std::vector<size_t> sizes;
  std::vector<bool> truncations;
  std::set<UdpSocket*> sockets;
  std::vector<std::string> errors;
  Counter error_count;
  Counter received;
  bool reply = true;  // False: only records (a client that must not echo the echo).
};

// Runs fn on the server's loop i and returns its result.
template <class F>
auto on_loop(UdpServer& server, F fn, size_t i = 0) {
  return call_on_loop(server.loop(i), std::move(fn));
}

TEST(Udp, EchoesEverySizeFromZeroTo65507) {
  Echo echo;
  UdpServer server(echo, {});
  server.listen("udp://127.0.0.1:0");
  server.start();
  EXPECT_EQ(server.address().to_string().rfind("udp://127.0.0.1:", 0), 0u);
  UdpClient client;
  std::vector<size_t> sizes = {0, 1, 2, 63, 64, 512, 1472, 1473, 4096, 9000, 16384, 32768, 50000, 65000, 65507};
  for (size_t step = 0; step <= 65507; step += 4099) sizes.push_back(step);
  for (size_t size : sizes) {
    std::string payload = make_pattern(size, size);
    ASSERT_TRUE(client.send(payload, server.address())) << size;
    auto back = client.receive();
    ASSERT_TRUE(back.has_value()) << "no echo of " << size << " bytes";
    EXPECT_EQ(*back, payload) << size;
  }
  server.stop();
  server.wait();
  std::lock_guard lock(echo.mutex);
  for (bool t : echo.truncations) EXPECT_FALSE(t);
}

TEST(Udp, ALongerDatagramIsCutAndReportedAsTruncated) {
  Echo echo;
  UdpOptions o;
  o.max_datagram = 100;
  UdpServer server(echo, o);
  server.listen("udp://127.0.0.1:0");
  server.start();
  UdpClient client;
  ASSERT_TRUE(client.send(std::string(150, 'a'), server.address()));
  EXPECT_EQ(client.receive(), std::string(100, 'a'));
  ASSERT_TRUE(client.send(std::string(100, 'b'), server.address()));
  EXPECT_EQ(client.receive(), std::string(100, 'b'));
  server.stop();
  server.wait();
  std::lock_guard lock(echo.mutex);
  EXPECT_EQ(echo.sizes, (std::vector<size_t>{100, 100}));
  EXPECT_EQ(echo.truncations, (std::vector<bool>{true, false}));
}

TEST(Udp, TooLongForTheFamilyIsRefusedAtOnce) {
  Echo echo;
  UdpServer server(echo, {});
  server.listen("udp://127.0.0.1:0");
  server.start();
  UdpClient client;
  ASSERT_TRUE(client.send("hi", server.address()));  // Learn nothing; just a live peer.
  ASSERT_TRUE(client.receive().has_value());
  Address to = server.address();
  auto results = on_loop(server, [&] {
    UdpSocket& s = server.socket(0);
    return std::make_pair(s.send_to(std::string(65508, 'x'), to), s.send_to(std::string(65507, 'x'), to));
  });
  ASSERT_TRUE(results.has_value());
  EXPECT_EQ(results->first, std::make_error_code(std::errc::message_size));
  EXPECT_FALSE(results->second);
  auto wrong = on_loop(server, [&] { return server.socket(0).send_to("x", Address::parse("udp://[::1]:9")); });
  EXPECT_EQ(wrong, std::make_error_code(std::errc::address_family_not_supported));
}

TEST(Udp, PortUnreachableIsReportedWithTheAddress) {
  Echo echo;
  UdpServer server(echo, {});
  server.listen("udp://127.0.0.1:0");
  server.start();
  Address dead = unused_udp_address();
  auto sent = on_loop(server, [&] { return server.socket(0).send_to("anyone?", dead); });
  ASSERT_EQ(sent, std::error_code());
  ASSERT_TRUE(echo.error_count.wait_for(1));
  std::lock_guard lock(echo.mutex);
  EXPECT_EQ(echo.errors[0], std::make_error_code(std::errc::connection_refused).message() + " " + dead.to_string());
}

TEST(Udp, DialedSocketIsRefusedByAClosedPortThenTalksToItsPeer) {
  Echo handler;
  UdpServer client(handler, {});
  Address dead = unused_udp_address();
  UdpSocket& socket = client.dial(dead.to_string());
  EXPECT_EQ(socket.peer_address().to_string(), dead.to_string());
  EXPECT_EQ(client.socket_count(), 1u);
  client.start();
  ASSERT_EQ(on_loop(client, [&] { return socket.send("anyone?"); }), std::error_code());
  ASSERT_TRUE(handler.error_count.wait_for(1));
  {
    std::lock_guard lock(handler.mutex);
    EXPECT_EQ(handler.errors[0],
              std::make_error_code(std::errc::connection_refused).message() + " " + dead.to_string());
  }
  // The same socket goes on: once someone listens on the port, datagrams flow both ways.
  int peer = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::bind(peer, dead.sockaddr_ptr(), dead.length()), 0);
  ASSERT_EQ(on_loop(client, [&] { return socket.send("hello"); }), std::error_code());
  char buf[16];
  sockaddr_storage from{};
  socklen_t from_len = sizeof from;
  pollfd p{peer, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  ssize_t n = ::recvfrom(peer, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(std::max<ssize_t>(n, 0))), "hello");
  EXPECT_EQ(Address::from_sockaddr(reinterpret_cast<sockaddr*>(&from), from_len, true).to_string(),
            socket.local_address().to_string());
  // Its reply reaches the handler, which echoes it back through the connected socket.
  ASSERT_EQ(::sendto(peer, "back", 4, 0, reinterpret_cast<sockaddr*>(&from), from_len), 4);
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  n = ::recv(peer, buf, sizeof buf, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(std::max<ssize_t>(n, 0))), "back");
  ::close(peer);
  client.stop();
  client.wait();
  EXPECT_EQ(handler.error_count.value(), 1u);
}

TEST(Udp, DialRules) {
  Echo handler;
  UdpServer server(handler, {});
  server.listen("udp://127.0.0.1:0");
  EXPECT_THROW(server.dial("tcp://127.0.0.1:9"), std::invalid_argument);
  EXPECT_THROW(server.dial("udp://127.0.0.1:9", 1), std::invalid_argument);  // One loop only.
  server.start();
  EXPECT_THROW(server.dial("udp://127.0.0.1:9"), std::logic_error);
  // A listening socket has no peer to send() to.
  EXPECT_EQ(on_loop(server, [&] { return server.socket(0).send("x"); }),
            std::make_error_code(std::errc::not_connected));
}

TEST(Udp, DialedUnixDatagramSocketGetsAnswers) {
  std::string path = "/tmp/weft-udp-test-" + std::to_string(::getpid()) + ".sock";
  Echo echo;
  UdpServer server(echo, {});
  server.listen("unixgram://" + path);
  server.start();
  Echo replies;
  replies.reply = false;
  UdpServer client(replies, {});
  UdpSocket& socket = client.dial("unixgram://" + path);
  EXPECT_TRUE(socket.local_address().is_unix());
  client.start();
  // The echo answers the name the kernel chose for the dialed socket (autobind).
  ASSERT_EQ(on_loop(client, [&] { return socket.send(""); }), std::error_code());
  ASSERT_EQ(on_loop(client, [&] { return socket.send("unix"); }), std::error_code());
  ASSERT_TRUE(replies.received.wait_for(2));
  client.stop();
  client.wait();
  server.stop();
  server.wait();
  std::lock_guard lock(replies.mutex);
  EXPECT_EQ(replies.sizes, (std::vector<size_t>{0, 4}));
  ::unlink(path.c_str());
}

TEST(Udp, UnixDatagramBeyondTheBufferIsReportedAndTheSocketGoesOn) {
  std::string path = "/tmp/weft-udp-test-big-" + std::to_string(::getpid()) + ".sock";
  Echo echo;
  UdpServer server(echo, {});
  server.listen("unixgram://" + path);
  server.start();
  Echo sender;
  sender.reply = false;
  UdpOptions small;
  small.send_buffer = 4096;  // The kernel doubles it; a 64 KiB datagram cannot fit.
  UdpServer client(sender, small);
  UdpSocket& socket = client.dial("unixgram://" + path);
  client.start();
  // Queued at once (the family sets no limit); refused by sendmmsg with EMSGSIZE.
  ASSERT_EQ(on_loop(client, [&] { return socket.send(std::string(65536, 'x')); }), std::error_code());
  ASSERT_TRUE(sender.error_count.wait_for(1));
  {
    std::lock_guard lock(sender.mutex);
    EXPECT_EQ(sender.errors[0], std::make_error_code(std::errc::message_size).message() + " unixgram://" + path);
  }
  ASSERT_EQ(on_loop(client, [&] { return socket.send("still here"); }), std::error_code());
  ASSERT_TRUE(echo.received.wait_for(1));
  ASSERT_TRUE(sender.received.wait_for(1));  // Its echo came back too.
  client.stop();
  client.wait();
  server.stop();
  server.wait();
  std::lock_guard lock(echo.mutex);
  EXPECT_EQ(echo.sizes, (std::vector<size_t>{10}));
  ::unlink(path.c_str());
}

TEST(Udp, ReusePortGivesEachLoopASocket) {
  Echo echo;
  UdpOptions o;
  o.loops = 2;
  o.reuse_port = true;
  UdpServer server(echo, o);
  server.listen("udp://127.0.0.1:0");
  server.start();
  ASSERT_EQ(server.socket_count(), 2u);
  EXPECT_EQ(server.socket(0).local_address().port(), server.socket(1).local_address().port());
  std::vector<std::unique_ptr<UdpClient>> clients;
  for (int i = 0; i < 32; ++i) {
    clients.push_back(std::make_unique<UdpClient>());
    std::string msg = "client " + std::to_string(i);
    ASSERT_TRUE(clients.back()->send(msg, server.address()));
    EXPECT_EQ(clients.back()->receive(), msg);
  }
  server.stop();
  server.wait();
  std::lock_guard lock(echo.mutex);
  EXPECT_EQ(echo.sockets.size(), 2u) << "32 senders all hashed to one socket";
}

TEST(Udp, IPv6AndUnixDatagrams) {
  Echo echo;
  UdpServer server(echo, {});
  server.listen("udp://[::1]:0");
  server.start();
  UdpClient client(AF_INET6);
  ASSERT_TRUE(client.send("six", server.address()));
  EXPECT_EQ(client.receive(), "six");
  EXPECT_THROW(UdpServer(echo, {}).listen("tcp://127.0.0.1:0"), std::invalid_argument);
  UdpOptions bad;
  bad.batch = 0;
  EXPECT_THROW(UdpServer(echo, bad), std::invalid_argument);
}

// Runs a shell command, bounded by `timeout`, and returns its exit status.
int shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Udp, PythonPeerGetsEveryDatagramBack) {
  Echo echo;
  UdpServer server(echo, {});
  server.listen("udp://127.0.0.1:0");
  server.start();
  std::string script =
      "import socket,sys\n"
      "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
      "s.settimeout(5)\n"
      "for n in (0,1,100,1500,60000):\n"
      "  m=bytes((i*7)%256 for i in range(n))\n"
      "  s.sendto(m,(\"127.0.0.1\",int(sys.argv[1])))\n"
      "  d,a=s.recvfrom(65536)\n"
      "  assert d==m,(n,len(d))\n";
  std::string command =
      "timeout 20 /usr/bin/python3 -c '" + script + "' " + std::to_string(server.address().port());
  EXPECT_EQ(shell(command), 0);
}

TEST(Udp, NetcatPeer) {
  if (shell("command -v nc >/dev/null 2>&1") != 0) GTEST_SKIP() << "nc is not installed";
  Echo echo;
  UdpServer server(echo, {});
  server.listen("udp://127.0.0.1:0");
  server.start();
  std::string command = "printf 'hello over udp' | timeout 10 nc -u -w1 127.0.0.1 " +
                        std::to_string(server.address().port()) + " | grep -qx 'hello over udp'";
  EXPECT_EQ(shell(command), 0);
}

}  // namespace
}  // namespace weft::test
