// dial: outgoing connections from coroutines, to a callback server and through a
// coroutine proxy; refused, timed out and malformed dials; a stop closes dialed streams.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "payload.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

Task<> no_service(Stream) {
  co_return;
}

std::string bound_url(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len).to_string();
}

// Dials `to`, sends payload, and returns what comes back (or the error's message).
Task<std::string> echo_via(std::string to, std::string payload) {
  auto stream = co_await dial(to, 5s);
  if (!stream) co_return "dial: " + stream.error().message();
  if (auto ec = co_await stream->write(payload)) co_return "write: " + ec.message();
  auto back = co_await stream->read_exact(payload.size());
  if (!back) co_return "read: " + back.error().message();
  co_return std::string(*back);
}

TEST(CoroDial, TalksToACallbackServer) {
  RecordingHandler echo;
  ServerFixture upstream(echo);
  CoroServer client(no_service, coro_options(2));  // Listens nowhere: a client runtime.
  client.start();
  std::string url = upstream.address().to_string();
  for (size_t loop = 0; loop < 2; ++loop) {
    std::string payload = make_pattern(loop, 100000);
    auto got = run_on_loop(
        client, [url, payload]() -> Task<std::string> { co_return co_await echo_via(url, payload); }, loop);
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(*got == payload) << got->substr(0, 80);
  }
  // Dropping the stream closed each connection.
  EXPECT_EQ(echo.wait_closes(2).size(), 2u);
  client.stop();
  client.wait();
}

TEST(CoroDial, AProxyDialsUpstreamPerConnection) {
  RecordingHandler echo;
  ServerFixture upstream(echo);
  std::string url = upstream.address().to_string();
  auto proxy = [url](Stream down) -> Task<> {
    auto up = co_await dial(url);
    if (!up) co_return;
    for (;;) {
      auto data = co_await down.read_some();
      if (!data) co_return;
      size_t n = data->size();
      if (co_await up->write(*data)) co_return;
      auto back = co_await up->read_exact(n);
      if (!back || co_await down.write(*back)) co_return;
    }
  };
  CoroFixture fixture(proxy);
  for (int i = 0; i < 10; ++i) {
    LoopbackClient client(fixture.address());
    ASSERT_TRUE(client.connected());
    IoResult r = client.echo_pattern(i, 200000);
    EXPECT_TRUE(r.ok()) << r.describe();
  }
}

TEST(CoroDial, RefusedTimedOutAndMalformed) {
  // A port nobody listens on: bind one, note it, close it.
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  Address any = Address::parse("tcp://127.0.0.1:0");
  ASSERT_EQ(::bind(probe, any.sockaddr_ptr(), any.length()), 0);
  std::string refused_url = bound_url(probe);
  ::close(probe);

  // A listener whose backlog is full: the kernel drops further SYNs, so connects hang.
  int full = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::bind(full, any.sockaddr_ptr(), any.length()), 0);
  ASSERT_EQ(::listen(full, 0), 0);
  std::string full_url = bound_url(full);
  LoopbackClient filler(Address::parse(full_url));
  ASSERT_TRUE(filler.connected());

  CoroServer client(no_service, coro_options(1));
  client.start();
  auto errors = run_on_loop(client, [refused_url, full_url]() -> Task<std::string> {
    std::string out;
    out += (co_await dial(refused_url)).error() == std::errc::connection_refused ? "refused " : "? ";
    out += (co_await dial(full_url, 50ms)).error() == Errc::timeout ? "timeout " : "? ";
    out += (co_await with_timeout(50ms, dial(full_url, 1h))).error() == Errc::timeout ? "bounded " : "? ";
    out += (co_await dial("no scheme here")).error() == std::errc::invalid_argument ? "invalid " : "? ";
    // Datagram peers are dialed with udp_connect: a Stream has no datagram boundaries.
    out += (co_await dial("udp://127.0.0.1:53")).error() == std::errc::invalid_argument ? "datagram" : "?";
    co_return out;
  });
  EXPECT_EQ(errors, "refused timeout bounded invalid datagram");
  client.stop();
  client.wait();
  ::close(full);
}

TEST(CoroDial, AStopClosesDialedStreams) {
  RecordingHandler echo;
  ServerFixture upstream(echo);
  std::string url = upstream.address().to_string();
  auto client = std::make_unique<CoroFixture>(no_service, coro_options(1), "");
  OnceValue<std::error_code> result;
  Counter connected;
  ASSERT_TRUE(client->server().spawn([url, &result, &connected]() -> Task<> {
    auto up = co_await dial(url);
    if (!up) co_return;
    connected.add();
    result.set((co_await up->read_some()).error());
  }));
  ASSERT_TRUE(connected.wait_for(1));
  client->stop();
  EXPECT_EQ(result.peek(), make_error_code(Errc::closed));
  EXPECT_EQ(echo.wait_closes(1).size(), 1u);
}

TEST(CoroDial, OutsideACoroServerIsNotSupported) {
  Result<Stream> r = make_error_code(Errc::closed);
  auto body = [&r]() -> detail::Root { r = co_await dial("tcp://127.0.0.1:1"); };
  body().release().resume();
  EXPECT_EQ(r.error(), std::make_error_code(std::errc::operation_not_supported));
}

// The coroutine layer keeps its per-connection state in the protocol attachment slot, so a
// socket adopted with the application's own context is served like any other (the
// context used to be taken for the layer's state: this crashed).
TEST(CoroDial, ASocketAdoptedWithAnApplicationContextIsServed) {
  auto serve = [](Stream s) -> Task<> {
    auto line = co_await s.read_until("\n");
    if (line) co_await s.write("re: " + std::string(*line));
  };
  CoroFixture fixture(serve, coro_options(1), "");
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
  static int application_state = 7;
  auto adopted = run_on_loop(
      fixture.server(), [&]() -> Task<bool> { co_return fixture.server().server().adopt(fds[0], &application_state); });
  ASSERT_EQ(adopted, true);
  // The test's end: blocking, with a bound on every read.
  const int peer = fds[1];
  ::fcntl(peer, F_SETFL, ::fcntl(peer, F_GETFL) & ~O_NONBLOCK);
  timeval bound{20, 0};
  ::setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  ASSERT_EQ(::write(peer, "hello\n", 6), 6);
  std::string got;
  char buf[64];
  for (ssize_t n; (n = ::read(peer, buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
  EXPECT_EQ(got, "re: hello\n");  // Then end of file: the coroutine ended and closed it.
  ::close(peer);
}

}  // namespace
}  // namespace weft::test
