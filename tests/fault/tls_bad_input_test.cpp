// Bad input on a TLS port fails fast: plaintext, garbage, an oversized record, a truncated
// record and a peer that stalls or trickles its ClientHello are all closed within a short
// bound, never reach the handler, and leave the server serving.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "loopback_client.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "tls_files.h"
#include "weft/net/server.h"
#include "weft/tls/context.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

constexpr Duration kHandshakeTimeout = 300ms;
constexpr Duration kFast = 5s;  // Far above any of the bounds, far below a hang.

class TlsBadInput : public TlsSuite {
 protected:
  TlsBadInput() {
    tls_ = tls::Context::server({.cert_file = file("server.pem"), .key_file = file("server.key")});
    ServerOptions o;
    o.loops = 1;
    o.transport = tls_;
    o.handshake_timeout = kHandshakeTimeout;
    fixture_ = std::make_unique<ServerFixture>(handler_, o);
  }

  // Sends bytes and expects the server to close the connection quickly.
  void expect_closed_after(const std::string& bytes, bool then_shutdown = false) {
    LoopbackClient client(fixture_->address());
    ASSERT_TRUE(client.connected()) << client.connect_error();
    if (!bytes.empty()) {
      ASSERT_TRUE(client.send_all(bytes).ok());
    }
    if (then_shutdown) client.shutdown_write();
    auto start = std::chrono::steady_clock::now();
    IoResult r = client.wait_closed(kFast);
    EXPECT_TRUE(r.outcome == Outcome::eof || r.outcome == Outcome::reset) << r.describe();
    EXPECT_LT(std::chrono::steady_clock::now() - start, kFast);
  }

  // The server still completes a real handshake afterwards.
  void expect_still_serving() {
    CommandResult r = run_command("openssl s_client -brief -verify_return_error -CAfile " + file("ca.pem") +
                                  " -connect 127.0.0.1:" + std::to_string(fixture_->address().port()) + " </dev/null");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(handler_.opened.value(), 1u);  // Only the real client reached the handler.
  }

  RecordingHandler handler_;
  std::shared_ptr<tls::Context> tls_;
  std::unique_ptr<ServerFixture> fixture_;
};

TEST_F(TlsBadInput, PlaintextHttpIsRefused) {
  expect_closed_after("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(tls_->stats().failures, 1u);
  expect_still_serving();
}

TEST_F(TlsBadInput, GarbageIsRefused) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 131 + 7) & 0xff);
  expect_closed_after(garbage);
  EXPECT_EQ(tls_->stats().failures, 1u);
  expect_still_serving();
}

TEST_F(TlsBadInput, OversizedRecordIsRefused) {
  // A handshake record header claiming 65535 bytes, beyond TLS's 16 KiB + 2 KiB limit.
  expect_closed_after(std::string("\x16\x03\x01\xff\xff", 5) + std::string(1024, 'x'));
  EXPECT_EQ(tls_->stats().failures, 1u);
  expect_still_serving();
}

TEST_F(TlsBadInput, TruncatedRecordIsAnUnexpectedEof) {
  expect_closed_after(std::string("\x16\x03\x01\x00\x80", 5) + std::string(10, '\x01'), /*then_shutdown=*/true);
  EXPECT_EQ(tls_->stats().failures, 1u);
  expect_still_serving();
}

TEST_F(TlsBadInput, SilentPeerMeetsTheHandshakeDeadline) {
  auto start = std::chrono::steady_clock::now();
  expect_closed_after("");
  EXPECT_GE(std::chrono::steady_clock::now() - start, kHandshakeTimeout - 50ms);
  expect_still_serving();
}

// A ClientHello that keeps coming a byte at a time is still cut at the deadline: progress
// does not extend it.
TEST_F(TlsBadInput, TricklingPeerMeetsTheHandshakeDeadline) {
  LoopbackClient client(fixture_->address());
  ASSERT_TRUE(client.connected());
  std::string hello = std::string("\x16\x03\x01\x3f\xff", 5) + std::string(16000, '\x01');
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (size_t i = 0; i < hello.size() && std::chrono::steady_clock::now() - start < kFast; ++i) {
    if (!client.send_all(hello.substr(i, 1), 1s).ok()) {
      closed = true;
      break;
    }
    char c;
    IoResult r = client.read_some(&c, 1, 20ms);
    if (r.outcome == Outcome::eof || r.outcome == Outcome::reset) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2 * kHandshakeTimeout + 1s);
  expect_still_serving();
}

}  // namespace
}  // namespace weft::test
