// TLS handshakes and handshake failures, counted exactly after a scripted run and
// exported by metrics::watch_tls: two clients that finish their handshake (Python's ssl),
// one that sends plain text, one that leaves without a byte, and one that stalls until the
// handshake timeout closes it.

#include <gtest/gtest.h>

#include <string>

#include "http_support.h"
#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "sync.h"
#include "tls_files.h"
#include "weft/metrics/prometheus.h"
#include "weft/metrics/tls.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

class TlsMetrics : public TlsSuite {};

TEST_F(TlsMetrics, HandshakesAndFailuresAreCountedExactly) {
  tls::ServerConfig c;
  c.cert_file = file("server.pem");
  c.key_file = file("server.key");
  auto tls = tls::Context::server(c);
  ServerOptions o;
  o.loops = 1;
  o.transport = tls;
  o.handshake_timeout = 300ms;
  RecordingHandler handler;
  ServerFixture server(handler, o);
  metrics::Registry registry;
  registry.watch(server.server(), "secure");
  metrics::watch_tls(registry, tls, "secure");

  const std::string json = "{\"port\": " + std::to_string(server.address().port()) + ", \"ca\": \"" + file("ca.pem") +
                           "\", \"name\": \"localhost\", \"sizes\": [5]}";
  for (int i = 0; i < 2; ++i) {
    CommandResult r =
        run_command("/usr/bin/python3 " + std::string(WEFT_SOURCE_DIR) + "/tests/support/tls_client.py '" + json + "'");
    EXPECT_NE(r.output.find("\"echo\": [true]"), std::string::npos) << r.output;
  }
  {
    LoopbackClient plain(server.address());
    ASSERT_TRUE(plain.send_all("GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    EXPECT_NE(plain.wait_closed().outcome, Outcome::timeout);  // A TLS error: closed by the server.
  }
  {
    LoopbackClient gone(server.address());
    gone.close();  // Leaves before its handshake.
  }
  LoopbackClient stalled(server.address());
  EXPECT_NE(stalled.wait_closed().outcome, Outcome::timeout);  // Closed at the handshake timeout.

  ASSERT_TRUE(eventually([&] { return tls->stats().handshake_failures == 3; })) << tls->stats().handshake_failures;
  EXPECT_EQ(tls->stats().handshakes, 2u);
  EXPECT_EQ(handler.opened.value(), 2u);  // Only finished handshakes reach the handler.

  const std::string text = metrics::prometheus_text(registry.snapshot());
  EXPECT_NE(text.find("# TYPE weft_tls_handshakes_total counter\nweft_tls_handshakes_total{server=\"secure\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("weft_tls_handshake_failures_total{server=\"secure\"} 3\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace weft::test
