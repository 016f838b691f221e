// The admin server with real clients: /metrics parsed by prometheus_client's parser, with
// values that follow real traffic; the dashboard page and its WebSocket feed read by
// Python's websockets; and the admin routes under bad input like any HTTP route.

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "command.h"
#include "http_support.h"
#include "loopback_client.h"
#include "metrics_client.h"
#include "server_fixture.h"
#include "weft/metrics/admin.h"
#include "weft/metrics/timed.h"

namespace weft {
namespace {

using test::CommandResult;

class Echo final : public Handler {
 public:
  void on_traffic(Conn& conn) override { conn.write(conn.read()); }
};

std::map<std::string, double> scrape(const Address& admin, std::string* raw = nullptr) {
  return test::scrape(test::host_port(admin), raw);
}

using test::host_port;
using test::total;

struct Servers {
  Servers() : echo(handler, options()), app(router(), http_options()) {
    registry.watch(echo.server(), "echo");
    registry.watch(app.server().net(), "http");
    admin.listen("tcp://127.0.0.1:0").start();
  }
  static ServerOptions options() {
    ServerOptions o;
    o.loops = 2;
    return o;
  }
  static http::Options http_options() {
    http::Options o;
    o.net.loops = 1;
    return o;
  }
  const http::Router& router() {
    latency = &registry.histogram("app_request_seconds", "Time to answer /hello.", {{"route", "/hello"}});
    routes.get("/hello", metrics::timed(*latency, [](http::Request&, http::Response& res) { res.send(200, "hi\n"); }));
    return routes;
  }

  Echo handler;
  metrics::Registry registry;
  metrics::LatencyHistogram* latency = nullptr;
  http::Router routes;
  test::ServerFixture echo;
  test::HttpFixture app;
  metrics::Admin admin{registry, {std::chrono::milliseconds(200), 5}};
};

TEST(MetricsAdmin, PrometheusScrapeParsesAndFollowsTraffic) {
  if (!test::have_program("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  Servers s;
  std::string raw;
  auto before = scrape(s.admin.address(), &raw);
  EXPECT_NE(raw.find("content-type: text/plain; version=0.0.4"), std::string::npos) << raw;
  for (const char* family : {"family weft_connections_open gauge", "family weft_connections_accepted counter",
                             "family weft_connections_closed counter", "family weft_loop_iteration_seconds histogram",
                             "family weft_received_bytes counter", "family app_request_seconds histogram"}) {
    EXPECT_NE(raw.find(family), std::string::npos) << family << "\n" << raw;
  }
  EXPECT_EQ(total(before, "weft_connections_accepted_total", "server=\"echo\""), 0);
  EXPECT_EQ(before.count("weft_connections_closed_total{loop=\"1\",reason=\"reset\",server=\"echo\"}"), 1u);
  EXPECT_EQ(before.at("app_request_seconds_count{route=\"/hello\"}"), 0);

  constexpr size_t kBytes = 50000;
  std::vector<test::LoopbackClient> clients;
  for (uint64_t i = 0; i < 3; ++i) {
    clients.emplace_back(s.echo.address());
    ASSERT_TRUE(clients.back().echo_pattern(i, kBytes).ok());
  }
  for (int i = 0; i < 5; ++i) {
    auto reply = test::fetch(s.app.address(), "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
  }
  clients.back().reset();
  clients.pop_back();
  ASSERT_TRUE(test::eventually([&] { return s.echo.server().connection_count() == 2; }));
  ASSERT_TRUE(test::eventually([&] { return s.app.server().net().connection_count() == 0; }));

  auto after = scrape(s.admin.address());
  EXPECT_EQ(total(after, "weft_connections_accepted_total", "server=\"echo\""), 3);
  EXPECT_EQ(total(after, "weft_connections_open", "server=\"echo\""), 2);
  EXPECT_EQ(total(after, "weft_connections_closed_total", "reason=\"reset\",server=\"echo\""), 1);
  EXPECT_EQ(total(after, "weft_received_bytes_total", "server=\"echo\""), 3 * kBytes);
  EXPECT_EQ(total(after, "weft_sent_bytes_total", "server=\"echo\""), 3 * kBytes);
  EXPECT_EQ(total(after, "weft_connections_accepted_total", "server=\"http\""), 5);
  EXPECT_EQ(after.at("app_request_seconds_count{route=\"/hello\"}"), 5);
  EXPECT_EQ(after.at("app_request_seconds_bucket{le=\"+Inf\",route=\"/hello\"}"), 5);
  EXPECT_GT(after.at("app_request_seconds_sum{route=\"/hello\"}"), 0);
  EXPECT_GT(total(after, "weft_loop_iteration_seconds_count", "server=\"echo\""),
            total(before, "weft_loop_iteration_seconds_count", "server=\"echo\""));
  EXPECT_GT(total(after, "weft_loop_busy_seconds_total", "server=\"echo\""), 0);
  // Buckets are cumulative and end at the count.
  double last = 0;
  for (auto& [k, v] : after) {
    if (!k.starts_with("weft_loop_iteration_seconds_bucket{") ||
        k.find("loop=\"0\",server=\"echo\"") == std::string::npos) {
      continue;
    }
    if (k.find("+Inf") != std::string::npos) {
      EXPECT_EQ(v, after.at("weft_loop_iteration_seconds_count{loop=\"0\",server=\"echo\"}"));
    }
    last = std::max(last, v);
  }
  EXPECT_GT(last, 0);
}

TEST(MetricsAdmin, DashboardPageAndLiveUpdates) {
  if (!test::have_program("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  Servers s;
  std::vector<test::LoopbackClient> clients;
  for (uint64_t i = 0; i < 2; ++i) {
    clients.emplace_back(s.echo.address());
    ASSERT_TRUE(clients.back().echo_pattern(i, 10000).ok());
  }
  CommandResult r = test::run_command({"/usr/bin/python3", std::string(WEFT_TEST_CLIENTS) + "/metrics_dashboard.py",
                                       host_port(s.admin.address()), "4"});
  ASSERT_EQ(r.exit_code, 0) << r.describe() << r.out;
  std::istringstream in(r.out);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_TRUE(line.starts_with("page ")) << line;
  EXPECT_NE(line.find(" external=0 "), std::string::npos) << line;  // Nothing loaded from elsewhere.
  EXPECT_EQ(line.find("canvases=0"), std::string::npos) << line;
  int updates = 0;
  double previous = -1;
  while (std::getline(in, line)) {
    ++updates;
    // Three loops (echo's two, http's one); the two echo clients are open; bytes went both
    // ways. The first update, sent as the feed opens, may carry a sample taken before the
    // clients' traffic; every later one is sampled after it.
    EXPECT_NE(line.find("update loops=3 "), std::string::npos) << line;
    EXPECT_NE(line.find(" busy_ok=1 "), std::string::npos) << line;
    if (updates > 1) {
      EXPECT_NE(line.find(" open=2 accepted=2 bytes_in=20000 bytes_out=20000 "), std::string::npos) << line;
    }
    double uptime = std::stod(line.substr(line.find("uptime=") + 7));
    if (previous >= 0) {
      EXPECT_GT(uptime - previous, 0.1) << r.out;  // One update per interval (200 ms here).
      EXPECT_LT(uptime - previous, 5.0) << r.out;
    }
    previous = uptime;
  }
  EXPECT_EQ(updates, 4) << r.out;
}

// The page's own script, run by Node against stand-ins for the DOM and the WebSocket and
// fed two snapshots from /stats, shows the numbers /stats gives.
TEST(MetricsAdmin, DashboardScriptShowsWhatStatsSays) {
  if (!test::have_program("node")) GTEST_SKIP() << "no node";
  Servers s;
  std::vector<test::LoopbackClient> clients;
  for (uint64_t i = 0; i < 2; ++i) {
    clients.emplace_back(s.echo.address());
    ASSERT_TRUE(clients.back().echo_pattern(i, 30000).ok());
  }
  CommandResult r =
      test::run_command({"node", std::string(WEFT_TEST_CLIENTS) + "/metrics_page.js", host_port(s.admin.address())});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("shown open=2 loops_rows=3 updates=2 status=live bytes_in=60000\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stats open=2 loops=3 bytes_in=60000\n"), std::string::npos) << r.out;
}

TEST(MetricsAdmin, BadInputGetsHttpErrors) {
  Servers s;
  const Address& admin = s.admin.address();
  auto post = test::fetch(admin, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->status, 405);
  auto missing = test::fetch(admin, "GET /metrics/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  auto garbage = test::fetch(admin, "GARBAGE\x01\r\n\r\n");
  ASSERT_TRUE(garbage.has_value());
  EXPECT_EQ(garbage->status, 400);
  auto plain = test::fetch(admin, "GET /dashboard/ws HTTP/1.1\r\nHost: x\r\n\r\n");  // No upgrade.
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->status, 426);
  auto stats = test::fetch(admin, "GET /stats HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->status, 200);
  EXPECT_EQ(stats->header("Content-Type"), "application/json");
  EXPECT_TRUE(stats->body.starts_with("{\"uptime_s\":")) << stats->body;
  // The admin still serves after all that.
  auto metrics = test::fetch(admin, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metrics->status, 200);
}

}  // namespace
}  // namespace weft
