// DatagramSocket: a coroutine UDP echo for every size from 0 B to 65,507 B, truncation,
// EMSGSIZE (over UDP and for a Unix datagram beyond the socket buffer) with the socket
// still usable, a connected socket's ICMP refusal, and cancellation by a server stop.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coro_fixture.h"
#include "payload.h"
#include "ports.h"
#include "sync.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// A plain client: sends one datagram, returns the reply (or nullopt after 5 s).
std::optional<std::string> round_trip(const Address& to, const std::string& bytes) {
  int fd = ::socket(to.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int big = 1 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  std::optional<std::string> result;
  if (::sendto(fd, bytes.data(), bytes.size(), 0, to.sockaddr_ptr(), to.length()) ==
      static_cast<ssize_t>(bytes.size())) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) == 1) {
      std::string buf(70000, '\0');
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n >= 0) result = buf.substr(0, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return result;
}

struct EchoState {
  OnceValue<Address> bound;
  OnceValue<std::string> ended;
  std::vector<bool> truncated;  // Written by the coroutine; read after it ended.
};

// Echoes datagrams into a buffer of `buffer_size` bytes until its recv fails.
Task<> udp_echo(EchoState* st, size_t buffer_size) {
  auto sock = co_await udp_bind("udp://127.0.0.1:0");
  if (!sock) {
    st->ended.set("bind: " + sock.error().message());
    co_return;
  }
  st->bound.set(sock->local_address());
  std::vector<char> buf(buffer_size);
  for (;;) {
    auto d = co_await sock->recv_from(buf);
    if (!d) {
      st->ended.set(d.error().message());
      co_return;
    }
    st->truncated.push_back(d->truncated);
    if (auto ec = co_await sock->send_to({buf.data(), d->size}, d->from)) {
      st->ended.set("send: " + ec.message());
      co_return;
    }
  }
}

TEST(CoroDatagram, EchoesEverySizeAndReportsTruncation) {
  auto fixture = std::make_unique<CoroFixture>([](Stream) -> Task<> { co_return; });
  EchoState whole;
  EchoState small;
  ASSERT_TRUE(fixture->server().spawn([&]() { return udp_echo(&whole, 65536); }, 0));
  ASSERT_TRUE(fixture->server().spawn([&]() { return udp_echo(&small, 100); }, 1));
  auto to = whole.bound.wait();
  auto to_small = small.bound.wait();
  ASSERT_TRUE(to && to_small);
  EXPECT_EQ(to->to_string().rfind("udp://127.0.0.1:", 0), 0u);
  for (size_t size : {0, 1, 100, 1472, 9000, 32768, 65507}) {
    std::string payload = make_pattern(size, size);
    EXPECT_EQ(round_trip(*to, payload), payload) << size;
  }
  EXPECT_EQ(round_trip(*to_small, std::string(150, 'z')), std::string(100, 'z'));
  EXPECT_EQ(round_trip(*to_small, std::string(99, 'y')), std::string(99, 'y'));
  fixture->stop();  // Cancels both pending receives.
  std::string closed = make_error_code(Errc::closed).message();
  EXPECT_EQ(whole.ended.peek(), closed);
  EXPECT_EQ(small.ended.peek(), closed);
  EXPECT_EQ(small.truncated, (std::vector<bool>{true, false}));
  for (bool t : whole.truncated) EXPECT_FALSE(t);
}

TEST(CoroDatagram, ConnectedSocketSeesRefusalAndTooLongIsRefused) {
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  Address dead = unused_udp_address();
  std::string url = dead.to_string();
  auto got = run_on_loop(fixture.server(), [url]() -> Task<std::string> {
    auto peer = co_await udp_connect(url);
    if (!peer) co_return "connect: " + peer.error().message();
    std::error_code too_long = co_await peer->send_to(std::string(65508, 'x'), Address::parse(url));
    std::error_code sent = co_await peer->send("anyone?");
    char buf[16];
    auto reply = co_await with_timeout(5s, peer->recv_from(buf));
    co_return too_long.message() + "|" + sent.message() + "|" + reply.error().message();
  });
  EXPECT_EQ(got, std::make_error_code(std::errc::message_size).message() + "|Success|" +
                     std::make_error_code(std::errc::connection_refused).message());
}

TEST(CoroDatagram, UnixDatagramBeyondTheBufferIsRefusedAndTheSocketGoesOn) {
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  std::string base = "/tmp/weft-coro-dgram-" + std::to_string(::getpid());
  auto got = run_on_loop(fixture.server(), [base]() -> Task<std::string> {
    auto a = co_await udp_bind("unixgram://" + base + "-a.sock");
    auto b = co_await udp_bind("unixgram://" + base + "-b.sock");
    if (!a || !b) co_return "bind failed";
    Address to = b->local_address();
    // Larger than a Unix datagram socket's default send buffer (about 208 KiB).
    std::error_code too_big = co_await a->send_to(std::string(1 << 20, 'x'), to);
    std::error_code fine = co_await a->send_to("still here", to);
    char buf[32];
    auto d = co_await with_timeout(5s, b->recv_from(buf));
    if (!d) co_return too_big.message() + "|" + fine.message() + "|recv: " + d.error().message();
    co_return too_big.message() + "|" + fine.message() + "|" + std::string(buf, d->size);
  });
  ::unlink((base + "-a.sock").c_str());
  ::unlink((base + "-b.sock").c_str());
  EXPECT_EQ(got, std::make_error_code(std::errc::message_size).message() + "|Success|still here");
}

// A coroutine that ends its socket as soon as the receive it waited for completes: the
// socket is destroyed inside its own readiness callback, which must not touch it after.
TEST(CoroDatagram, ASocketEndedRightAfterItsReceiveResumes) {
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  for (int round = 0; round < 20; ++round) {
    auto bound = std::make_shared<OnceValue<Address>>();
    auto got = std::make_shared<OnceValue<std::string>>();
    ASSERT_TRUE(fixture.server().spawn([bound, got]() -> Task<> {
      auto sock = co_await udp_bind("udp://127.0.0.1:0");
      if (!sock) {
        got->set("bind: " + sock.error().message());
        co_return;
      }
      bound->set(sock->local_address());
      char buf[16];
      auto d = co_await sock->recv_from(buf);  // Usually suspends: the datagram comes later.
      got->set(d ? std::string(buf, d->size) : d.error().message());
    }));
    auto to = bound->wait();
    ASSERT_TRUE(to.has_value());
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(::sendto(fd, "last", 4, 0, to->sockaddr_ptr(), to->length()), 4);
    ::close(fd);
    EXPECT_EQ(got->wait(), std::optional<std::string>("last"));
  }
}

TEST(CoroDatagram, TimeoutAndBadAddresses) {
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  auto got = run_on_loop(fixture.server(), []() -> Task<std::string> {
    auto tcp = co_await udp_bind("tcp://127.0.0.1:0");
    auto junk = co_await udp_bind("nonsense");
    auto sock = co_await udp_bind("udp://127.0.0.1:0");
    char buf[8];
    auto r = co_await with_timeout(20ms, sock->recv_from(buf));
    co_return tcp.error().message() + "|" + junk.error().message() + "|" + r.error().message();
  });
  std::string invalid = std::make_error_code(std::errc::invalid_argument).message();
  EXPECT_EQ(got, invalid + "|" + invalid + "|" + make_error_code(Errc::timeout).message());
}

}  // namespace
}  // namespace weft::test
