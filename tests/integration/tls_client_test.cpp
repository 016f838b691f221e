// TLS on the client side: a connection dialed by the application and adopted with a client
// tls::Context verifies the server's chain and name by default, negotiates ALPN, resumes
// its session on the next connection, and presents a certificate for mTLS. A Client with
// the context as its transport does the same for every dial, checking the name dialled.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "recording_handler.h"
#include "server_fixture.h"
#include "tls_files.h"
#include "weft/net/client.h"
#include "weft/net/server.h"
#include "weft/tls/context.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// Sends a greeting when the TLS connection opens and closes once it has come back.
class GreetingHandler : public Handler {
 public:
  static constexpr std::string_view kGreeting = "hello through TLS";
  void on_open(Conn& conn) override {
    TransportInfo i = conn.transport_info();
    {
      std::lock_guard lock(mutex_);
      alpn_ = i.alpn;
      verified_ = i.peer_verified;
    }
    conn.write(kGreeting);
  }
  void on_traffic(Conn& conn) override {
    InputView in = conn.inbound();
    if (in.size() < kGreeting.size()) return;
    {
      std::lock_guard lock(mutex_);
      reply_ = std::string(conn.peek(kGreeting.size()));
    }
    conn.discard();
    conn.close();
    replies.add();
  }
  void on_close(Conn&, CloseReason, std::error_code) override { closed.add(); }
  std::string reply() const {
    std::lock_guard lock(mutex_);
    return reply_;
  }
  std::string alpn() const {
    std::lock_guard lock(mutex_);
    return alpn_;
  }
  bool verified() const {
    std::lock_guard lock(mutex_);
    return verified_;
  }
  Counter replies;
  Counter closed;

 private:
  mutable std::mutex mutex_;
  std::string reply_, alpn_;
  bool verified_ = false;
};

bool eventually(const std::function<bool()>& done, Duration timeout = kWait) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class TlsClient : public TlsSuite {
 protected:
  // A TLS echo server; the client's own Server runs the dialed connections' loop.
  void start(tls::ServerConfig config = {}) {
    if (config.cert_file.empty()) {
      config.cert_file = file("server.pem");
      config.key_file = file("server.key");
    }
    server_tls_ = tls::Context::server(config);
    ServerOptions o;
    o.loops = 1;
    o.transport = server_tls_;
    upstream_ = std::make_unique<ServerFixture>(echo_, o);
    ServerOptions c;
    c.loops = 1;
    client_ = std::make_unique<ServerFixture>(greeter_, c);
  }

  // Connects to the echo server and hands the socket to the client loop over `tls`, which
  // the fixture keeps until the client's loop has stopped (an adopted connection relies
  // on its caller for its context, and may still be closing when the test body ends).
  void dial(std::shared_ptr<tls::Context> tls, std::string name) {
    contexts_.push_back(tls);
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const Address& to = upstream_->address();
    ASSERT_EQ(::connect(fd, to.sockaddr_ptr(), to.length()), 0);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    Server& client = client_->server();
    client.loop(0).post([&client, fd, tls, name] { client.adopt(fd, nullptr, *tls, name); });
  }

  RecordingHandler echo_;
  GreetingHandler greeter_;
  std::vector<std::shared_ptr<tls::Context>> contexts_;  // Outlive client_ (declared before it).
  std::shared_ptr<tls::Context> server_tls_;
  std::unique_ptr<ServerFixture> upstream_;
  std::unique_ptr<ServerFixture> client_;
};

TEST_F(TlsClient, VerifiesTheServerAndNegotiatesAlpn) {
  tls::ServerConfig sc;
  sc.cert_file = file("server.pem");
  sc.key_file = file("server.key");
  sc.alpn = {"http/1.1"};
  start(sc);
  auto tls = tls::Context::client({.ca_file = file("ca.pem"), .alpn = {"h2", "http/1.1"}});
  dial(tls, "localhost");
  ASSERT_TRUE(greeter_.replies.wait_for(1));
  EXPECT_EQ(greeter_.reply(), GreetingHandler::kGreeting);
  EXPECT_EQ(greeter_.alpn(), "http/1.1");
  EXPECT_TRUE(greeter_.verified());
}

TEST_F(TlsClient, RejectsAServerWithAnotherName) {
  start();
  auto tls = tls::Context::client({.ca_file = file("ca.pem")});
  dial(tls, "wrong.test");
  EXPECT_TRUE(eventually([&] { return tls->stats().failures == 1; }));
  EXPECT_EQ(greeter_.closed.value(), 0u);  // Never opened, so never closed for the handler.
}

TEST_F(TlsClient, RejectsAnUntrustedServer) {
  start();
  auto tls = tls::Context::client({.ca_file = file("rogue-ca.pem")});
  dial(tls, "localhost");
  EXPECT_TRUE(eventually([&] { return tls->stats().failures == 1; }));
  EXPECT_EQ(greeter_.replies.value(), 0u);
}

TEST_F(TlsClient, ResumesItsSessionOnTheNextConnection) {
  start();
  auto tls = tls::Context::client({.ca_file = file("ca.pem")});
  dial(tls, "localhost");
  ASSERT_TRUE(greeter_.closed.wait_for(1));
  dial(tls, "localhost");
  ASSERT_TRUE(greeter_.closed.wait_for(2));
  EXPECT_EQ(tls->stats().handshakes, 2u);
  EXPECT_EQ(tls->stats().resumed, 1u);
  EXPECT_EQ(server_tls_->stats().resumed, 1u);
}

TEST_F(TlsClient, PresentsItsCertificateForMutualTls) {
  tls::ServerConfig sc;
  sc.cert_file = file("server.pem");
  sc.key_file = file("server.key");
  sc.ca_file = file("ca.pem");
  sc.verify_client = true;
  start(sc);
  auto with_cert = tls::Context::client(
      {.ca_file = file("ca.pem"), .cert_file = file("client.pem"), .key_file = file("client.key")});
  dial(with_cert, "localhost");
  ASSERT_TRUE(greeter_.replies.wait_for(1));
  EXPECT_EQ(greeter_.reply(), GreetingHandler::kGreeting);
  auto without = tls::Context::client({.ca_file = file("ca.pem")});
  dial(without, "localhost");
  EXPECT_TRUE(eventually([&] { return server_tls_->stats().failures == 1; }));
}

TEST(TlsContext, BadFilesFailWithTheReason) {
  try {
    tls::Context::server({.cert_file = "/nonexistent/cert.pem", .key_file = "/nonexistent/key.pem"});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cert.pem"), std::string::npos) << e.what();
  }
  EXPECT_THROW(tls::Context::server({}), std::invalid_argument);
}

// A Client whose transport is a client context: every dial is TLS, verified against the
// host named in the address, and the handler hears on_open after the handshake.
TEST_F(TlsClient, AClientDialsTlsToTheHostItNames) {
  start();
  auto tls = tls::Context::client({.ca_file = file("ca.pem")});
  ClientOptions o;
  o.transport = tls;
  Client client(greeter_, o);
  client.start();
  OnceValue<std::error_code> dialed;
  const std::string port = std::to_string(upstream_->address().port());
  client.dial("tcp://localhost:" + port, [&](Conn*, std::error_code ec) { dialed.set(ec); });
  auto ec = dialed.wait();
  ASSERT_TRUE(ec.has_value());
  EXPECT_FALSE(*ec) << ec->message();
  ASSERT_TRUE(greeter_.replies.wait_for(1));
  EXPECT_EQ(greeter_.reply(), GreetingHandler::kGreeting);
  EXPECT_TRUE(greeter_.verified());
  EXPECT_EQ(tls->stats().handshakes, 1u);
}

TEST_F(TlsClient, AClientDialFailsWhenTheCertificateNamesAnotherHost) {
  start({.cert_file = file("other.pem"), .key_file = file("other.key")});
  auto tls = tls::Context::client({.ca_file = file("ca.pem")});
  ClientOptions o;
  o.transport = tls;
  Client client(greeter_, o);
  client.start();
  OnceValue<std::error_code> dialed;
  const std::string port = std::to_string(upstream_->address().port());
  client.dial("tcp://localhost:" + port, [&](Conn* conn, std::error_code ec) {
    dialed.set(conn == nullptr && !ec ? std::make_error_code(std::errc::invalid_argument) : ec);
  });
  auto ec = dialed.wait();
  ASSERT_TRUE(ec.has_value());
  EXPECT_TRUE(*ec);
  EXPECT_EQ(tls->stats().failures, 1u);
  EXPECT_EQ(greeter_.closed.value(), 0u);
}

}  // namespace
}  // namespace weft::test
