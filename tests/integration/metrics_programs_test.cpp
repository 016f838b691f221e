// Every weft program with --admin: it prints the admin address, /metrics parses with
// prometheus_client's parser and counts exactly the traffic the test sent, /stats is JSON
// with the same numbers, and the program still stops cleanly on SIGTERM.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "http_support.h"
#include "loopback_client.h"
#include "metrics_client.h"
#include "program.h"
#include "server_fixture.h"

namespace weft {
namespace {

using test::total;

class Echo final : public Handler {
 public:
  void on_traffic(Conn& conn) override { conn.write(conn.read()); }
};

// The text of `line` from `key` up to the next space or comma.
std::string word_after(const std::string& line, std::string_view key) {
  size_t at = line.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  return line.substr(at, line.find_first_of(" ,", at) - at);
}

// A program started with --admin tcp://127.0.0.1:0, once it has printed where it listens
// and where its metrics are.
struct Running {
  Running(const std::string& path, std::vector<std::string> args, bool listens = true)
      : program(path, with_admin(std::move(args))) {
    if (listens) {
      std::optional<std::string> line = program.wait_line("listening on ");
      if (!line) {
        ADD_FAILURE() << path << " did not start:\n" << program.output();
        return;
      }
      address = Address::parse(word_after(*line, "listening on "));
    }
    std::optional<std::string> urls = program.wait_line("metrics on http://");
    if (!urls) {
      ADD_FAILURE() << path << " printed no metrics address:\n" << program.output();
      return;
    }
    std::string metrics = word_after(*urls, "metrics on http://");
    admin = metrics.substr(0, metrics.find('/'));
    EXPECT_EQ(word_after(*urls, "dashboard on "), "http://" + admin + "/dashboard");
  }
  ~Running() {
    if (admin.empty()) return;
    program.signal(SIGTERM);
    std::optional<int> status = program.wait_exit();
    EXPECT_TRUE(status.has_value()) << program.output();
    const bool clean = status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
    EXPECT_TRUE(clean) << "wait status " << status.value_or(-1) << "\n" << program.output();
  }
  static std::vector<std::string> with_admin(std::vector<std::string> args) {
    args.insert(args.begin(), {"--admin", "tcp://127.0.0.1:0"});
    return args;
  }

  test::Program program;
  Address address;
  std::string admin;  // host:port
};

bool have_python() {
  return test::have_program("/usr/bin/python3");
}

// Echoes `clients` patterns of `bytes` each through address; the engine's counters of
// `server` then show them exactly, in /metrics and in /stats.
void check_echo_traffic(const Running& p, const std::string& server, size_t clients, size_t bytes) {
  std::vector<test::LoopbackClient> open;
  for (size_t i = 0; i < clients; ++i) {
    open.emplace_back(p.address);
    ASSERT_TRUE(open.back().echo_pattern(i, bytes).ok());
  }
  const std::string with = "server=\"" + server + "\"";
  auto m = test::scrape(p.admin);
  EXPECT_EQ(total(m, "weft_connections_accepted_total", with), clients);
  EXPECT_EQ(total(m, "weft_connections_open", with), clients);
  EXPECT_EQ(total(m, "weft_received_bytes_total", with), clients * bytes);
  EXPECT_EQ(total(m, "weft_sent_bytes_total", with), clients * bytes);
  EXPECT_GT(total(m, "weft_loop_iterations_total", with), 0);
  std::string stats = test::read_stats(p.admin);
  EXPECT_NE(stats.find("content-type: application/json"), std::string::npos) << stats;
  EXPECT_NE(stats.find("loop " + server + " 0 "), std::string::npos) << stats;
  // One loop: every client is on it.
  EXPECT_NE(stats.find("open=" + std::to_string(clients) + " accepted=" + std::to_string(clients) +
                       " bytes_in=" + std::to_string(clients * bytes)),
            std::string::npos)
      << stats;
}

TEST(MetricsPrograms, Echo) {
  if (!have_python()) GTEST_SKIP() << "no /usr/bin/python3";
  Running p(WEFT_ECHO_PATH, {"--addr", "tcp://127.0.0.1:0", "--loops", "1"});
  ASSERT_FALSE(p.admin.empty());
  check_echo_traffic(p, "echo", 3, 20000);
}

TEST(MetricsPrograms, FrameEcho) {
  if (!have_python()) GTEST_SKIP() << "no /usr/bin/python3";
  Running p(WEFT_FRAME_ECHO_PATH, {"--addr", "tcp://127.0.0.1:0", "--loops", "1", "--codec", "line"});
  ASSERT_FALSE(p.admin.empty());
  test::LoopbackClient c(p.address);
  ASSERT_TRUE(c.send_all("one\ntwo\n").ok());
  std::string reply;  // Each frame back with its length first.
  ASSERT_TRUE(c.read_exact(reply, 14).ok());
  EXPECT_EQ(reply, std::string("\0\0\0\3one\0\0\0\3two", 14));
  auto m = test::scrape(p.admin);
  EXPECT_EQ(total(m, "weft_connections_accepted_total", "server=\"frame-echo\""), 1);
  EXPECT_EQ(total(m, "weft_received_bytes_total", "server=\"frame-echo\""), 8);
  EXPECT_NE(test::read_stats(p.admin).find("loop frame-echo 0 open=1 accepted=1 bytes_in=8 bytes_out=14"),
            std::string::npos);
}

TEST(MetricsPrograms, Http) {
  if (!have_python()) GTEST_SKIP() << "no /usr/bin/python3";
  Running p(WEFT_HTTP_PATH, {"--addr", "tcp://127.0.0.1:0", "--loops", "1"});
  ASSERT_FALSE(p.admin.empty());
  for (int i = 0; i < 4; ++i) {
    auto reply = test::fetch(p.address, "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
  }
  ASSERT_TRUE(test::eventually(
      [&] { return total(test::scrape(p.admin), "weft_connections_closed_total", "server=\"http\"") == 4; }));
  auto m = test::scrape(p.admin);
  EXPECT_EQ(total(m, "weft_connections_accepted_total", "server=\"http\""), 4);
  EXPECT_EQ(m["weft_http_responses_total{code=\"2xx\",loop=\"0\",server=\"http\"}"], 4);
  EXPECT_EQ(m["weft_http_request_seconds_count{loop=\"0\",server=\"http\"}"], 4);
  EXPECT_NE(test::read_stats(p.admin).find("loop http 0 open=0 accepted=4 "), std::string::npos);
}

TEST(MetricsPrograms, Kv) {
  if (!have_python()) GTEST_SKIP() << "no /usr/bin/python3";
  Running p(WEFT_KV_PATH, {"--addr", "tcp://127.0.0.1:0"});
  ASSERT_FALSE(p.admin.empty());
  test::LoopbackClient c(p.address);
  const std::string request =
      "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  const std::string expected = "+PONG\r\n+OK\r\n$1\r\nv\r\n";
  ASSERT_TRUE(c.send_all(request).ok());
  std::string reply;
  ASSERT_TRUE(c.read_exact(reply, expected.size()).ok());
  EXPECT_EQ(reply, expected);
  const std::string unknown = "*1\r\n$6\r\nNOSUCH\r\n";
  ASSERT_TRUE(c.send_all(unknown).ok());
  std::string error;
  while (!error.ends_with("\r\n")) {
    char buf[256];
    test::IoResult r = c.read_some(buf, sizeof buf);
    ASSERT_TRUE(r.ok()) << r.describe();
    error.append(buf, r.bytes);
  }
  EXPECT_TRUE(error.starts_with("-ERR unknown command")) << error;
  auto m = test::scrape(p.admin);
  EXPECT_EQ(total(m, "weft_connections_open", "server=\"kv\""), 1);
  EXPECT_EQ(total(m, "weft_received_bytes_total", "server=\"kv\""), request.size() + unknown.size());
  EXPECT_EQ(total(m, "weft_sent_bytes_total", "server=\"kv\""), expected.size() + error.size());
  // The RESP layer's counts: four commands, one answered with an error, four timed.
  EXPECT_EQ(m["weft_resp_commands_total{loop=\"0\",server=\"kv\"}"], 4);
  EXPECT_EQ(m["weft_resp_command_errors_total{loop=\"0\",server=\"kv\"}"], 1);
  EXPECT_EQ(m["weft_resp_command_seconds_count{loop=\"0\",server=\"kv\"}"], 4);
  EXPECT_NE(test::read_stats(p.admin).find("loop kv 0 open=1 accepted=1 "), std::string::npos);
}

TEST(MetricsPrograms, Proxy) {
  if (!have_python()) GTEST_SKIP() << "no /usr/bin/python3";
  Echo echo;
  test::ServerFixture upstream(echo);
  Running p(WEFT_PROXY_PATH, {"--listen", "tcp://127.0.0.1:0", "--loops", "1", "--upstream",
                              upstream.address().to_string(), "--health-interval", "0"});
  ASSERT_FALSE(p.admin.empty());
  check_echo_traffic(p, "proxy", 2, 30000);
  // The upstream side's connections: the same bytes, relayed.
  auto m = test::scrape(p.admin);
  EXPECT_EQ(m["weft_proxy_upstream_connections_total{}"], 2);
  // Its clients have gone: so have their upstream connections.
  EXPECT_TRUE(test::eventually([&] { return test::scrape(p.admin)["weft_proxy_upstream_connections_open{}"] == 0; }));
  EXPECT_EQ(m["weft_proxy_upstream_sent_bytes_total{}"], 2 * 30000);
  EXPECT_EQ(m["weft_proxy_upstream_received_bytes_total{}"], 2 * 30000);
  EXPECT_EQ(m["weft_proxy_spliced_bytes_total{}"], 0) << "30000-byte messages are relayed through buffers";
  // The upstream's state: healthy, with one relay while one client is connected.
  test::LoopbackClient client(p.address);
  ASSERT_TRUE(client.echo_pattern(7, 100).ok());
  const std::string up = "{upstream=\"" + upstream.address().to_string() + "\"}";
  ASSERT_TRUE(test::eventually([&] { return test::scrape(p.admin)["weft_proxy_upstream_relays" + up] == 1; }));
  EXPECT_EQ(test::scrape(p.admin)["weft_proxy_upstream_up" + up], 1);
}

TEST(MetricsPrograms, UdpEcho) {
  if (!have_python()) GTEST_SKIP() << "no /usr/bin/python3";
  Running p(WEFT_ECHO_PATH, {"--addr", "udp://127.0.0.1:0", "--loops", "1"});
  ASSERT_FALSE(p.admin.empty());
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string payload(100, 'u');
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(::sendto(fd, payload.data(), payload.size(), 0, p.address.sockaddr_ptr(), p.address.length()),
              static_cast<ssize_t>(payload.size()));
    char buf[200];
    ASSERT_EQ(::recv(fd, buf, sizeof buf, 0), static_cast<ssize_t>(payload.size()));
  }
  ::close(fd);
  auto m = test::scrape(p.admin);
  EXPECT_EQ(m["weft_udp_echoed_datagrams_total{socket=\"0\"}"], 5);
  EXPECT_EQ(m["weft_udp_echoed_bytes_total{socket=\"0\"}"], 500);
  EXPECT_GT(total(m, "weft_loop_iterations_total", "server=\"udp-echo\""), 0);
  EXPECT_NE(test::read_stats(p.admin).find("app weft_udp_echoed_datagrams_total{socket=\"0\"} 5"), std::string::npos);
}

// weft-load serves its own counters while it runs.
TEST(MetricsPrograms, Load) {
  if (!have_python()) GTEST_SKIP() << "no /usr/bin/python3";
  Echo echo;
  test::ServerFixture server(echo);
  Running p(WEFT_LOAD_PATH,
            {"--addr", server.address().to_string(), "--conns", "2", "--warmup", "0", "--duration", "30"}, false);
  ASSERT_FALSE(p.admin.empty());
  ASSERT_TRUE(test::eventually([&] {
    auto m = test::scrape(p.admin);
    return m["weft_load_connections_open{}"] == 2 && m["weft_load_messages_total{}"] > 0;
  }));
  auto m = test::scrape(p.admin);
  EXPECT_EQ(m["weft_load_errors_total{}"], 0);
  EXPECT_GT(m["weft_load_received_bytes_total{}"], 0);
  EXPECT_NE(test::read_stats(p.admin).find("app weft_load_messages_total{} "), std::string::npos);
  // Interrupted, weft-load reports what it measured and exits 0 (no errors).
}

}  // namespace
}  // namespace weft
