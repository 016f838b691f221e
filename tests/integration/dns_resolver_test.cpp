// The c-ares resolver on a loop, against a DNS responder the test runs on a loopback UDP
// port: an answer, the cache honouring the record's time to live, concurrent queries
// merged, name not found, a server that does not answer; a Client dialing a name.

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "coro_fixture.h"
#include "dns_responder.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "sync.h"
#include "weft/core/loop_group.h"
#include "weft/coro/coro.h"
#include "weft/dns/resolver.h"
#include "weft/net/client.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

struct Lookup {
  std::error_code error;
  std::vector<std::string> addresses;
};

// A loop with one resolver made on it; lookups run there and are awaited here.
class ResolverLoop {
 public:
  explicit ResolverLoop(dns::ResolverFactory factory) : group_(1, LoopOptions{}, "dns-test") {
    group_.start();
    OnceValue<bool> made;
    loop().post([&] {
      resolver_ = factory(loop());
      made.set(true);
    });
    made.wait();
  }
  ~ResolverLoop() {
    OnceValue<bool> gone;
    loop().post([&] {
      resolver_.reset();
      gone.set(true);
    });
    gone.wait();
    group_.stop();
  }
  EventLoop& loop() { return group_.loop(0); }

  // Starts `n` lookups of `host` at once; returns their results in order.
  std::vector<Lookup> resolve(const std::string& host, uint16_t port, size_t n = 1) {
    auto results = std::make_shared<std::vector<Lookup>>();
    Counter done;
    loop().post([&, results] {
      for (size_t i = 0; i < n; ++i) {
        resolver_->resolve(host, port, [&, results](std::error_code ec, const std::vector<Address>& a) {
          Lookup l{ec, {}};
          for (const Address& x : a) l.addresses.push_back(x.to_string());
          results->push_back(l);
          done.add();
        });
      }
    });
    EXPECT_TRUE(done.wait_for(n));
    return *results;
  }

 private:
  LoopGroup group_;
  std::unique_ptr<dns::Resolver> resolver_;
};

dns::AresOptions local(const DnsResponder& dns) {
  dns::AresOptions o;
  o.servers = dns.server();
  o.hosts_file = false;
  o.timeout = 500ms;
  o.tries = 1;
  return o;
}

TEST(AresResolver, AnswersFromTheServerAndCachesForTheTtl) {
  DnsResponder dns;
  dns.set("db.weft.test", "127.0.0.7", 1);
  ResolverLoop r(dns::ares_resolver(local(dns)));
  auto first = r.resolve("db.weft.test", 6379);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_FALSE(first[0].error) << first[0].error.message();
  EXPECT_EQ(first[0].addresses, std::vector<std::string>{"tcp://127.0.0.7:6379"});
  EXPECT_EQ(dns.queries("db.weft.test"), 1u);

  // Within the time to live: from the cache, with the port asked for, case aside.
  auto second = r.resolve("DB.weft.test", 80);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].addresses, std::vector<std::string>{"tcp://127.0.0.7:80"});
  EXPECT_EQ(dns.queries("db.weft.test"), 1u);

  // Once it has expired, the server is asked again and a changed address is seen.
  dns.set("db.weft.test", "127.0.0.8", 60);
  std::this_thread::sleep_for(1100ms);  // The record's time to live passing.
  auto third = r.resolve("db.weft.test", 80);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].addresses, std::vector<std::string>{"tcp://127.0.0.8:80"});
  EXPECT_EQ(dns.queries("db.weft.test"), 2u);
}

TEST(AresResolver, MergesConcurrentQueries) {
  DnsResponder dns;
  dns.set("many.weft.test", "127.0.0.9", 30);
  ResolverLoop r(dns::ares_resolver(local(dns)));
  auto all = r.resolve("many.weft.test", 1000, 20);
  ASSERT_EQ(all.size(), 20u);
  for (const Lookup& l : all) EXPECT_EQ(l.addresses, std::vector<std::string>{"tcp://127.0.0.9:1000"});
  EXPECT_EQ(dns.queries("many.weft.test"), 1u);
}

TEST(AresResolver, NameNotFound) {
  DnsResponder dns;
  ResolverLoop r(dns::ares_resolver(local(dns)));
  auto got = r.resolve("missing.weft.test", 80);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].error, dns::Errc::name_not_found) << got[0].error.message();
  EXPECT_TRUE(got[0].addresses.empty());
}

TEST(AresResolver, SilentServerTimesOut) {
  // A bound UDP port that never answers.
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  dns::AresOptions o;
  o.servers = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  o.hosts_file = false;
  o.timeout = 200ms;
  o.tries = 1;
  ResolverLoop r(dns::ares_resolver(o));
  auto got = r.resolve("slow.weft.test", 80);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].error, dns::Errc::timeout) << got[0].error.message();
  ::close(fd);
}

TEST(AresResolver, ClientDialsANameAndReportsAnUnknownOne) {
  DnsResponder dns;
  dns.set("echo.weft.test", "127.0.0.1", 30);
  RecordingHandler echo;
  ServerFixture upstream(echo);
  Handler quiet;
  ClientOptions o;
  o.resolver = dns::ares_resolver(local(dns));
  Client client(quiet, o);
  client.start();
  OnceValue<std::error_code> ok;
  client.dial("tcp://echo.weft.test:" + std::to_string(upstream.address().port()), [&](Conn* c, std::error_code ec) {
    ok.set(ec);
    if (c != nullptr) c->close();
  });
  auto r = ok.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(*r) << r->message();
  EXPECT_TRUE(echo.opened.wait_for(1));

  OnceValue<std::error_code> missing;
  client.dial("tcp://nowhere.weft.test:80", [&](Conn* c, std::error_code ec) {
    EXPECT_EQ(c, nullptr);
    missing.set(ec);
  });
  auto m = missing.wait();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, dns::Errc::name_not_found) << m->message();
  client.stop();
  client.wait();
}

Task<> no_service(Stream) {
  co_return;
}

// The coroutine dial resolves through the loop's resolver (the process default, here
// pointed at the test's responder), and reports an unknown name.
TEST(AresResolver, CoroutineDialResolvesWithoutBlocking) {
  DnsResponder dns;
  dns.set("coro.weft.test", "127.0.0.1", 30);
  dns::set_default_resolver(dns::ares_resolver(local(dns)));
  RecordingHandler echo;
  ServerFixture upstream(echo);
  CoroServer client(no_service, coro_options(1));
  client.start();
  std::string port = std::to_string(upstream.address().port());
  auto got = run_on_loop(client, [port]() -> Task<std::string> {
    auto s = co_await dial("tcp://coro.weft.test:" + port, 5s);
    if (!s) co_return "dial: " + s.error().message();
    if (auto ec = co_await s->write("ping")) co_return "write: " + ec.message();
    auto back = co_await s->read_exact(4);
    co_return back ? std::string(*back) : "read: " + back.error().message();
  });
  EXPECT_EQ(got, std::string("ping"));
  auto missing = run_on_loop(client, []() -> Task<std::string> {
    auto s = co_await dial("tcp://gone.weft.test:80", 5s);
    co_return s ? std::string("connected") : s.error().message();
  });
  EXPECT_EQ(missing, make_error_code(dns::Errc::name_not_found).message());
  EXPECT_EQ(dns.queries("coro.weft.test"), 1u);
  client.stop();
  client.wait();
  dns::set_default_resolver({});
}

// A connected UDP socket for a host name resolves through the loop's resolver too.
TEST(AresResolver, CoroutineUdpConnectResolvesANameWithoutBlocking) {
  DnsResponder dns;
  dns.set("udp.weft.test", "127.0.0.1", 30);
  dns::set_default_resolver(dns::ares_resolver(local(dns)));
  int echo_fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(echo_fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(echo_fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(echo_fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::string port = std::to_string(ntohs(a.sin_port));
  timeval bound{10, 0};  // The thread ends even if no datagram comes.
  ::setsockopt(echo_fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  // One datagram echoed back by a plain socket on a thread of its own.
  std::thread echo([echo_fd] {
    char buf[64];
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    ssize_t n = ::recvfrom(echo_fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n > 0) ::sendto(echo_fd, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), from_len);
  });
  CoroServer client(no_service, coro_options(1));
  client.start();
  auto got = run_on_loop(client, [port]() -> Task<std::string> {
    auto peer = co_await udp_connect("udp://udp.weft.test:" + port);
    if (!peer) co_return "connect: " + peer.error().message();
    if (auto ec = co_await peer->send("hello")) co_return "send: " + ec.message();
    char buf[64];
    auto d = co_await with_timeout(5s, peer->recv_from(buf));
    if (!d) co_return "recv: " + d.error().message();
    co_return std::string(buf, d->size) + " from " + d->from.host();
  });
  EXPECT_EQ(got, "hello from 127.0.0.1");
  auto missing = run_on_loop(client, []() -> Task<std::string> {
    auto peer = co_await with_timeout(5s, udp_connect("udp://gone.weft.test:53"));  // Bounded like dial.
    co_return peer ? std::string("connected") : peer.error().message();
  });
  EXPECT_EQ(missing, make_error_code(dns::Errc::name_not_found).message());
  EXPECT_EQ(dns.queries("udp.weft.test"), 1u);
  client.stop();
  client.wait();
  echo.join();
  ::close(echo_fd);
  dns::set_default_resolver({});
}

}  // namespace
}  // namespace weft::test
