// TLS in the programs beyond weft-echo: weft-http serves curl over HTTPS and Python's
// websockets over wss://, weft-kv serves redis-cli --tls (and nothing to a plaintext client), weft-proxy terminates TLS from its clients (Python's ssl module in
// front, a plain echo behind), and speaks TLS to its upstreams with --upstream-tls,
// verifying their certificates against its CA.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "external_server.h"
#include "loopback_client.h"
#include "payload.h"
#include "ports.h"
#include "program.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "tls_files.h"
#include "weft/tls/context.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

std::string local(uint16_t port) { return "tcp://127.0.0.1:" + std::to_string(port); }

class TlsPrograms : public TlsSuite {};

// Runs tests/support/tls_client.py against port; its JSON line.
std::string python_echo(const std::string& ca, uint16_t port) {
  const std::string json = "{\"port\": " + std::to_string(port) + ", \"ca\": \"" + ca +
                           "\", \"name\": \"localhost\", \"sizes\": [1, 70000, 1048576]}";
  return run_program({"/usr/bin/python3", std::string(WEFT_SOURCE_DIR) + "/tests/support/tls_client.py", json}, "",
                     30s)
      .output;
}

TEST_F(TlsPrograms, WeftHttpServesHttpsAndWss) {
  const uint16_t port = unused_tcp_port();
  Program http(WEFT_HTTP_PATH, {"--addr", local(port), "--tls-cert", file("server.pem"), "--tls-key",
                                file("server.key")});
  ASSERT_TRUE(http.wait_line("listening on")) << http.output();
  const std::string origin = "localhost:" + std::to_string(port);
  ProgramResult r = run_program({"/usr/bin/curl", "-sS", "--max-time", "10", "--cacert", file("ca.pem"),
                                 "https://" + origin + "/", "https://" + origin + "/again"},
                                "", 30s);
  EXPECT_EQ(r.output, "Hello, World!\nHello, World!\n");  // Two requests on one kept-alive TLS connection.
  r = run_program({"/usr/bin/python3", std::string(WEFT_SOURCE_DIR) + "/tests/clients/ws_client.py",
                   "wss://" + origin + "/ws", "client-close", file("ca.pem")},
                  "", 30s);
  EXPECT_EQ(r.output, "text hello\nclose 1000\n");
}

TEST_F(TlsPrograms, WeftKvServesRedisCliOverTls) {
  const uint16_t port = unused_tcp_port();
  Program kv(WEFT_KV_PATH, {"--addr", local(port), "--tls-cert", file("server.pem"), "--tls-key",
                            file("server.key")});
  ASSERT_TRUE(kv.wait_line("listening on")) << kv.output();

  const std::vector<std::string> tls_cli = {"/usr/bin/redis-cli", "--tls",          "--cacert",
                                            file("ca.pem"), "-h",             "127.0.0.1",
                                            "-p",                 std::to_string(port)};
  ProgramResult r = run_program(tls_cli, "SET greeting hello\nGET greeting\nPING\n", 30s);
  EXPECT_EQ(r.output, "OK\nhello\nPONG\n");

  // A plaintext client gets no reply: its bytes are not a TLS handshake.
  r = run_program({"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", std::to_string(port)}, "PING\n", 30s);
  EXPECT_EQ(r.output.find("PONG"), std::string::npos) << r.output;

  // The other CA is not trusted: redis-cli refuses the server.
  r = run_program({"/usr/bin/redis-cli", "--tls", "--cacert", file("server.pem"), "-h", "127.0.0.1", "-p",
                   std::to_string(port)},
                  "PING\n", 30s);
  EXPECT_EQ(r.output.find("PONG"), std::string::npos) << r.output;
}

TEST_F(TlsPrograms, WeftProxyTerminatesTlsInFrontOfAPlainUpstream) {
  RecordingHandler echo;
  ServerFixture upstream(echo);
  const uint16_t port = unused_tcp_port();
  Program proxy(WEFT_PROXY_PATH, {"--listen", local(port), "--upstream", upstream.address().to_string(), "--tls-cert",
                                  file("server.pem"), "--tls-key", file("server.key")});
  ASSERT_TRUE(proxy.wait_line("listening on")) << proxy.output();
  const std::string out = python_echo(file("ca.pem"), port);
  EXPECT_NE(out.find("\"echo\": [true, true, true]"), std::string::npos) << out;
}

class ProxyToTlsUpstream : public TlsSuite {
 protected:
  ProxyToTlsUpstream() {
    ServerOptions o;
    o.loops = 1;
    o.transport = tls::Context::server({.cert_file = file("server.pem"), .key_file = file("server.key")});
    upstream_ = std::make_unique<ServerFixture>(echo_, o);
  }
  // Starts weft-proxy towards the TLS upstream by `host`, trusting `ca`.
  std::unique_ptr<Program> proxy(const std::string& host, const std::string& ca) {
    port_ = unused_tcp_port();
    const std::string upstream = "tcp://" + host + ":" + std::to_string(upstream_->address().port());
    auto p = std::make_unique<Program>(
        WEFT_PROXY_PATH, std::vector<std::string>{"--listen", local(port_), "--upstream", upstream, "--upstream-tls",
                                                  "--upstream-ca", ca, "--health-interval", "0"});
    EXPECT_TRUE(p->wait_line("listening on")) << p->output();
    return p;
  }
  // One plaintext round trip through the proxy: what came back before the close or 2 s.
  std::string round_trip(const std::string& payload) {
    LoopbackClient c(Address::parse(local(port_)));
    EXPECT_TRUE(c.connected()) << c.connect_error();
    EXPECT_TRUE(c.send_all(payload).ok());
    std::string got;
    c.read_exact(got, payload.size(), 2s);
    return got;
  }

  RecordingHandler echo_;
  std::unique_ptr<ServerFixture> upstream_;
  uint16_t port_ = 0;
};

TEST_F(ProxyToTlsUpstream, RelaysToAVerifiedUpstreamByNameAndByAddress) {
  const std::string payload = make_pattern(3, 300000);
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    auto p = proxy(host, file("ca.pem"));
    EXPECT_EQ(round_trip(payload), payload) << host;
  }
}

TEST_F(ProxyToTlsUpstream, RefusesAnUpstreamItsCaDoesNotVouchFor) {
  // The upstream's certificate is signed by ca.pem; the proxy trusts only other.pem.
  auto p = proxy("localhost", file("other.pem"));
  EXPECT_EQ(round_trip("hello"), "");
  EXPECT_EQ(echo_.opened.value(), 0u);  // The handshake failed before the upstream handler heard of it.
}

}  // namespace
}  // namespace weft::test
