// weft-proxy, the program, with real clients in front and weft echo servers or a
// redis-server behind: payloads from 1 B to 64 MiB checksummed, 1000 connections spread
// over two upstreams, half-close passed through both ways, a refusing upstream failed
// over before the client sees it, an upstream that dies closing its client, bounded
// memory with a client that does not read, and Redis commands relayed. Bulk streams are
// spliced (its metrics count the bytes), with memory bounded for a slow reader, and
// relayed through buffers once the pipes run out.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "loopback_client.h"
#include "payload.h"
#include "ports.h"
#include "recording_handler.h"
#include "server_fixture.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// Runs a program on a free loopback port and connects once it listens.
class Program {
 public:
  Program(std::string path, std::vector<std::string> args, uint16_t port)
      : port_(port), args_(std::move(args)), path_(std::move(path)), child_([this](int) {
          int null = ::open("/dev/null", O_WRONLY);
          ::dup2(null, STDOUT_FILENO);
          ::dup2(null, STDERR_FILENO);
          std::vector<char*> argv{path_.data()};
          for (std::string& a : args_) argv.push_back(a.data());
          argv.push_back(nullptr);
          ::execv(path_.c_str(), argv.data());
          return 127;
        }) {
    // Waits (bounded) until it accepts connections.
    for (TimePoint deadline = Clock::now() + kWait; Clock::now() < deadline;) {
      LoopbackClient probe(address(), {}, 1s);
      if (probe.connected()) return;
      std::this_thread::sleep_for(10ms);  // Polling for the program to start listening.
    }
    ADD_FAILURE() << path_ << " did not start listening";
  }
  ~Program() {
    child_.signal(SIGTERM);
    if (!child_.wait_exit(10s)) child_.signal(SIGKILL);
  }
  Address address() const { return Address::parse("tcp://127.0.0.1:" + std::to_string(port_)); }
  ChildProcess& child() { return child_; }
  // Resident memory in KiB.
  size_t rss_kib() const {
    std::ifstream status("/proc/" + std::to_string(child_.pid()) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
    }
    return 0;
  }

 private:
  uint16_t port_;
  std::vector<std::string> args_;
  std::string path_;
  ChildProcess child_;
};

Program proxy(const std::vector<std::string>& upstreams, std::vector<std::string> extra = {}) {
  std::string list;
  for (const auto& u : upstreams) list += (list.empty() ? "" : ",") + u;
  uint16_t port = unused_tcp_port();
  std::vector<std::string> args{
      "--listen", "tcp://127.0.0.1:" + std::to_string(port), "--upstream", list, "--loops", "1", "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return Program(WEFT_PROXY_PATH, args, port);
}

// A sample of weft-proxy's /metrics (its --admin endpoint), read with a plain HTTP GET.
double metric(const Address& admin, const std::string& name) {
  LoopbackClient c(admin);
  if (!c.send_all("GET /metrics HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n").ok()) return -1;
  std::string page;
  if (c.read_to_eof(page).outcome != Outcome::eof) return -1;
  size_t at = page.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(page.substr(at + name.size() + 2));
}

struct AdminProxy {
  explicit AdminProxy(const std::vector<std::string>& upstreams, std::vector<std::string> extra = {})
      : admin(Address::parse("tcp://127.0.0.1:" + std::to_string(unused_tcp_port()))),
        program(proxy(upstreams, with_admin(std::move(extra), admin))) {}
  static std::vector<std::string> with_admin(std::vector<std::string> extra, const Address& admin) {
    extra.insert(extra.end(), {"--admin", admin.to_string()});
    return extra;
  }
  Address admin;
  Program program;
};

TEST(ProxyTool, RelaysPayloadsChecksummedOverManyConnections) {
  RecordingHandler a_echo, b_echo;
  ServerFixture a(a_echo), b(b_echo);
  Program p = proxy({a.address().to_string(), b.address().to_string()});
  for (size_t size : {size_t{1}, size_t{1000}, size_t{64} << 10, size_t{1} << 20, size_t{64} << 20}) {
    LoopbackClient c(p.address());
    IoResult r = c.echo_pattern(size, size, 60s);
    EXPECT_TRUE(r.ok()) << size << ": " << r.describe();
  }
  for (int i = 0; i < 1000; ++i) {
    LoopbackClient c(p.address());
    IoResult r = c.echo_pattern(static_cast<uint64_t>(i), 100);
    ASSERT_TRUE(r.ok()) << "connection " << i << ": " << r.describe();
  }
  // Round robin: both upstreams served about half.
  EXPECT_TRUE(a_echo.opened.wait_for(400));
  EXPECT_TRUE(b_echo.opened.wait_for(400));
}

// Once its input ends, says goodbye and closes: a half-closed client still hears it.
class Goodbye : public Handler {
 public:
  void on_traffic(Conn& c) override {
    c.write(c.read());
    if (c.input_ended()) {
      c.write("bye");
      c.close();
    }
  }
};

TEST(ProxyTool, PassesHalfCloseBothWays) {
  Goodbye goodbye;
  ServerOptions o;
  o.allow_half_open = true;
  ServerFixture up(goodbye, o);
  Program p = proxy({up.address().to_string()});
  LoopbackClient c(p.address());
  ASSERT_TRUE(c.send_all("hello").ok());
  c.shutdown_write();
  std::string got;
  IoResult r = c.read_to_eof(got);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_EQ(got, "hellobye");
}

// The same after a bulk stream, which the proxy splices: the end of file follows the
// last spliced byte, both ways.
TEST(ProxyTool, PassesHalfCloseAfterASplicedStream) {
  Goodbye goodbye;
  ServerOptions o;
  o.allow_half_open = true;
  ServerFixture up(goodbye, o);
  AdminProxy p({up.address().to_string()});
  LoopbackClient c(p.program.address());
  constexpr size_t kSize = size_t{8} << 20;
  BackgroundSend send(c, make_pattern(5, kSize), 60s, true);
  std::string got;
  IoResult r = c.read_to_eof(got, 60s);
  EXPECT_EQ(r.outcome, Outcome::eof) << r.describe();
  EXPECT_TRUE(send.wait().ok());
  ASSERT_EQ(got.size(), kSize + 3);
  EXPECT_EQ(find_pattern_mismatch(5, 0, std::string_view(got).substr(0, kSize)), std::string::npos);
  EXPECT_EQ(got.substr(kSize), "bye");
  EXPECT_GT(metric(p.admin, "weft_proxy_spliced_bytes_total"), 0);
}

TEST(ProxyTool, FailsOverARefusingUpstreamBeforeTheClientSeesIt) {
  RecordingHandler echo;
  ServerFixture good(echo);
  Address dead = Address::parse("tcp://127.0.0.1:" + std::to_string(unused_tcp_port()));
  Program p = proxy({dead.to_string(), good.address().to_string()}, {"--health-interval", "0"});
  for (int i = 0; i < 20; ++i) {
    LoopbackClient c(p.address());
    IoResult r = c.echo_pattern(static_cast<uint64_t>(i), 1000);
    EXPECT_TRUE(r.ok()) << "connection " << i << ": " << r.describe();
  }
  // Every client reached the good upstream (and so did the start-up probe, maybe).
  EXPECT_TRUE(echo.opened.wait_for(20));
}

TEST(ProxyTool, NewConnectionsSeeNoErrorWhenAnUpstreamStops) {
  RecordingHandler a_echo, b_echo;
  auto a = std::make_unique<ServerFixture>(a_echo);
  ServerFixture b(b_echo);
  Program p = proxy({a->address().to_string(), b.address().to_string()}, {"--health-interval", "0.05"});
  for (int i = 0; i < 200; ++i) {
    if (i == 50) a->stop();
    LoopbackClient c(p.address());
    IoResult r = c.echo_pattern(static_cast<uint64_t>(i), 4096);
    ASSERT_TRUE(r.ok()) << "connection " << i << ": " << r.describe();
  }
  EXPECT_TRUE(b_echo.opened.wait_for(150));
}

TEST(ProxyTool, AnUpstreamThatDiesClosesItsClient) {
  RecordingHandler echo;
  auto up = std::make_unique<ServerFixture>(echo);
  Program p = proxy({up->address().to_string()});
  LoopbackClient c(p.address());
  ASSERT_TRUE(c.echo_pattern(1, 100).ok());
  up->stop();
  IoResult r = c.wait_closed(10s);
  EXPECT_NE(r.outcome, Outcome::timeout) << r.describe();
}

// The upstream floods once asked; the client reads nothing: the proxy stops reading the
// upstream.
class Flood : public Handler {
 public:
  void on_traffic(Conn& c) override {
    c.discard(c.inbound().size());
    c.write(std::string(48 << 20, 'f'));
  }
};

TEST(ProxyTool, MemoryStaysBoundedWithAClientThatDoesNotRead) {
  Flood flood;
  ServerOptions o;
  o.max_outbound = 64 << 20;
  o.high_water_mark = 64 << 20;
  ServerFixture up(flood, o);
  Program p = proxy({up.address().to_string()});
  size_t before = p.rss_kib();
  LoopbackClient c(p.address());
  ASSERT_TRUE(c.send_all("go").ok());
  std::this_thread::sleep_for(500ms);  // Time for the flood to fill what it can.
  size_t after = p.rss_kib();
  EXPECT_LT(after, before + 16 * 1024) << "RSS grew from " << before << " to " << after << " KiB";
  // And the bytes are all still there for a client that starts reading.
  std::string got;
  IoResult r = c.read_exact(got, 48 << 20, 60s);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(got.size(), size_t{48} << 20);
}

TEST(ProxyTool, SplicesALargeTransfer) {
  RecordingHandler echo;
  ServerFixture up(echo);
  AdminProxy p({up.address().to_string()});
  LoopbackClient c(p.program.address());
  constexpr size_t kSize = size_t{64} << 20;
  IoResult r = c.echo_pattern(3, kSize, 60s);
  ASSERT_TRUE(r.ok()) << r.describe();
  // Both directions carried 64 MiB; most of it went through pipes, not through buffers.
  const double spliced = metric(p.admin, "weft_proxy_spliced_bytes_total");
  EXPECT_GT(spliced, static_cast<double>(kSize)) << "bytes relayed with splice";
  EXPECT_LE(spliced, 2.0 * kSize);
  EXPECT_GE(metric(p.admin, "weft_proxy_pipes"), 0);
  EXPECT_LE(metric(p.admin, "weft_proxy_pipes"), 2) << "one pipe per direction at most";
}

// On "go", sends kFlood bytes of a pattern in one write; reads nothing more.
constexpr size_t kFlood = size_t{48} << 20;
class PatternFlood : public Handler {
 public:
  void on_traffic(Conn& c) override {
    c.discard(c.inbound().size());
    c.write(make_pattern(11, kFlood));
  }
};

TEST(ProxyTool, SplicingStaysBoundedWithASlowReader) {
  PatternFlood flood;
  ServerOptions o;
  o.max_outbound = 64 << 20;
  o.high_water_mark = 64 << 20;
  ServerFixture up(flood, o);
  AdminProxy p({up.address().to_string()});
  ClientOptions co;
  co.receive_buffer = 64 << 10;
  LoopbackClient c(p.program.address(), co);
  ASSERT_TRUE(c.send_all("go").ok());
  size_t before = p.program.rss_kib();
  size_t peak = before;
  PatternVerifier verifier(11);
  std::vector<char> chunk(16 << 10);
  for (size_t reads = 0; verifier.received() < kFlood; ++reads) {
    IoResult r = c.read_some(chunk.data(), std::min(chunk.size(), kFlood - verifier.received()), 60s);
    ASSERT_TRUE(r.ok()) << "after " << verifier.received() << " bytes: " << r.describe();
    verifier.feed(std::string_view(chunk.data(), r.bytes));
    if (reads % 256 == 0) {
      peak = std::max(peak, p.program.rss_kib());
      if (verifier.received() < kFlood / 8) ::poll(nullptr, 0, 20);  // Part of the scenario: a slow reader.
    }
  }
  EXPECT_TRUE(verifier.ok()) << "first wrong byte at " << verifier.first_mismatch();
  EXPECT_LT(peak, before + 16 * 1024) << "RSS grew from " << before << " to " << peak << " KiB";
  EXPECT_GT(metric(p.admin, "weft_proxy_spliced_bytes_total"), static_cast<double>(kFlood / 2));
}

TEST(ProxyTool, RelaysThroughBuffersWhenThePipesRunOut) {
  RecordingHandler echo;
  ServerFixture up(echo);
  AdminProxy p({up.address().to_string()}, {"--splice-pipes", "1"});
  constexpr size_t kSize = size_t{8} << 20;
  std::vector<std::thread> clients;
  std::vector<IoResult> results(4);
  for (size_t i = 0; i < results.size(); ++i) {
    clients.emplace_back([&, i] {
      LoopbackClient c(p.program.address());
      results[i] = c.echo_pattern(20 + i, kSize, 60s);
    });
  }
  for (auto& t : clients) t.join();
  for (const IoResult& r : results) EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_LE(metric(p.admin, "weft_proxy_pipes"), 1);
  EXPECT_GT(metric(p.admin, "weft_proxy_spliced_bytes_total"), 0);
}

TEST(ProxyTool, RelaysRedisCommands) {
  if (::access("/usr/bin/redis-server", X_OK) != 0) GTEST_SKIP() << "redis-server is not installed";
  uint16_t port = unused_tcp_port();
  Program redis("/usr/bin/redis-server",
                {"--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}, port);
  Program p = proxy({redis.address().to_string()});
  LoopbackClient c(p.address());
  ASSERT_TRUE(c.send_all("PING\r\n").ok());
  std::string got;
  ASSERT_TRUE(c.read_exact(got, 7).ok());
  EXPECT_EQ(got, "+PONG\r\n");
  ASSERT_TRUE(c.send_all("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n").ok());
  ASSERT_TRUE(c.read_exact(got, 5 + 11).ok());
  EXPECT_EQ(got, "+OK\r\n$5\r\nhello\r\n");
}

}  // namespace
}  // namespace weft::test
