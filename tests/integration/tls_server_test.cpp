// TLS servers against real clients: openssl s_client, curl and Python's ssl module verify
// the test CA's chain and name; checksummed echoes from 1 byte to 16 MiB; SNI picks the
// certificate; ALPN; resumption with tickets across loops; mTLS accepts the right client
// and rejects others; a reload serves the new certificate to new handshakes while an
// established connection keeps working; close_notify both ways; write_file over kTLS or
// user-space TLS, whichever this kernel offers.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "recording_handler.h"
#include "server_fixture.h"
#include "tls_files.h"
#include "weft/net/server.h"
#include "weft/tls/context.h"

namespace weft::test {
namespace {

class TlsServer : public TlsSuite {
 protected:
  static tls::ServerConfig config() {
    tls::ServerConfig c;
    c.cert_file = file("server.pem");
    c.key_file = file("server.key");
    return c;
  }

  static ServerOptions options(std::shared_ptr<tls::Context> tls, size_t loops = 2) {
    ServerOptions o;
    o.loops = loops;
    o.transport = std::move(tls);
    return o;
  }

  // Runs tests/support/tls_client.py with the given JSON fields (port, ca and name added).
  static std::string python(const Address& address, const std::string& fields, const std::string& name = "localhost") {
    std::string json = "{\"port\": " + std::to_string(address.port()) + ", \"ca\": \"" + file("ca.pem") +
                       "\", \"name\": \"" + name + "\"" + (fields.empty() ? "" : ", " + fields) + "}";
    CommandResult r = run_command(
        "/usr/bin/python3 " + std::string(WEFT_SOURCE_DIR) + "/tests/support/tls_client.py '" + json + "'", 60);
    return r.output;
  }
};

// Records what each connection's transport negotiated (copied: the views die with the
// connection), then echoes.
struct InfoRecord {
  std::string name, version, alpn, server_name, peer_subject;
  bool peer_verified = false;
};

class InfoHandler : public RecordingHandler {
 public:
  void on_open(Conn& conn) override {
    TransportInfo i = conn.transport_info();
    {
      std::lock_guard lock(mutex_);
      infos_.push_back({i.name, std::string(i.version), std::string(i.alpn), std::string(i.server_name), i.peer_subject,
                        i.peer_verified});
    }
    RecordingHandler::on_open(conn);
  }
  std::vector<InfoRecord> infos() const {
    std::lock_guard lock(mutex_);
    return infos_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<InfoRecord> infos_;
};

TEST_F(TlsServer, OpensslClientVerifiesChainAndName) {
  RecordingHandler handler;
  ServerFixture fixture(handler, options(tls::Context::server(config())));
  CommandResult r = run_command("openssl s_client -brief -verify_return_error -CAfile " + file("ca.pem") +
                                " -servername localhost -verify_hostname localhost -connect 127.0.0.1:" +
                                std::to_string(fixture.address().port()) + " </dev/null");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Verification: OK"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("TLSv1.3"), std::string::npos) << r.output;
}

// An HTTP/1.1 responder over TLS, enough for curl.
class HelloHandler : public Handler {
 public:
  void on_traffic(Conn& conn) override {
    if (conn.inbound().find("\r\n\r\n") == InputView::npos) return;
    conn.discard();
    TransportInfo info = conn.transport_info();
    std::string body = "hello over " + std::string(info.version) + " alpn=" + std::string(info.alpn);
    conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
               body);
    conn.close();
  }
};

TEST_F(TlsServer, CurlGetsAResponseWithAlpn) {
  HelloHandler handler;
  tls::ServerConfig c = config();
  c.alpn = {"http/1.1"};
  ServerFixture fixture(handler, options(tls::Context::server(c)));
  CommandResult r = run_command("curl -sS --max-time 10 --cacert " + file("ca.pem") +
                                " https://localhost:" + std::to_string(fixture.address().port()) + "/");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "hello over TLSv1.3 alpn=http/1.1");
}

TEST_F(TlsServer, PythonEchoesAreExactFromOneByteTo16MiB) {
  RecordingHandler handler;
  ServerFixture fixture(handler, options(tls::Context::server(config())));
  std::string out = python(fixture.address(), "\"sizes\": [1, 100, 16384, 16385, 1048576, 16777216]");
  EXPECT_NE(out.find("\"echo\": [true, true, true, true, true, true]"), std::string::npos) << out;
  EXPECT_NE(out.find("\"clean_close\": true"), std::string::npos) << out;  // close_notify both ways.
  auto closes = handler.wait_closes(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].reason, CloseReason::peer_closed) << closes[0].describe();
}

TEST_F(TlsServer, EdgeTriggeredLoopsReadEveryRecord) {
  RecordingHandler handler;
  ServerOptions o = options(tls::Context::server(config()));
  o.loop.edge_triggered = true;
  ServerFixture fixture(handler, o);
  std::string out = python(fixture.address(), "\"sizes\": [1, 65537, 4194304]");
  EXPECT_NE(out.find("\"echo\": [true, true, true]"), std::string::npos) << out;
}

TEST_F(TlsServer, SniChoosesTheCertificate) {
  InfoHandler handler;
  tls::ServerConfig c = config();
  c.more.push_back({file("other.pem"), file("other.key")});
  ServerFixture fixture(handler, options(tls::Context::server(c)));
  std::string other = python(fixture.address(), "\"sizes\": [10]", "www.other.test");
  EXPECT_NE(other.find("\"peer_names\": [\"other.test\", \"*.other.test\"]"), std::string::npos) << other;
  EXPECT_NE(other.find("\"echo\": [true]"), std::string::npos) << other;
  std::string local = python(fixture.address(), "\"sizes\": [10]", "localhost");
  EXPECT_NE(local.find("\"localhost\""), std::string::npos) << local;
  EXPECT_NE(local.find("\"echo\": [true]"), std::string::npos) << local;
  ASSERT_TRUE(handler.opened.wait_for(2));
  EXPECT_EQ(handler.infos()[0].server_name, "www.other.test");
  EXPECT_EQ(handler.infos()[1].server_name, "localhost");
  EXPECT_TRUE(handler.infos()[0].name == "tls" || handler.infos()[0].name == "ktls") << handler.infos()[0].name;
}

TEST_F(TlsServer, AlpnFollowsTheServersPreference) {
  RecordingHandler handler;
  tls::ServerConfig c = config();
  c.alpn = {"h2", "http/1.1"};
  ServerFixture fixture(handler, options(tls::Context::server(c)));
  std::string both = python(fixture.address(), "\"alpn\": [\"http/1.1\", \"h2\"]");
  EXPECT_NE(both.find("\"alpn\": \"h2\""), std::string::npos) << both;
  std::string none = python(fixture.address(), "\"alpn\": [\"spdy/3\"]");  // No overlap: served without ALPN.
  EXPECT_NE(none.find("\"alpn\": null"), std::string::npos) << none;
  EXPECT_NE(none.find("\"clean_close\": true"), std::string::npos) << none;
}

TEST_F(TlsServer, SecondConnectionResumesOnAnyLoop) {
  RecordingHandler handler;
  auto tls = tls::Context::server(config());
  ServerFixture fixture(handler, options(tls, 2));  // Round-robin: the connections land on both loops.
  std::string out = python(fixture.address(), "\"sizes\": [5], \"connections\": 3");
  EXPECT_NE(out.find("\"reused\": [false, true, true]"), std::string::npos) << out;
  EXPECT_EQ(tls->stats().resumed, 2u);
  EXPECT_EQ(tls->stats().handshakes, 3u);
}

TEST_F(TlsServer, MutualTlsAcceptsTheRightClientOnly) {
  InfoHandler handler;
  tls::ServerConfig c = config();
  c.ca_file = file("ca.pem");
  c.verify_client = true;
  auto tls = tls::Context::server(c);
  ServerFixture fixture(handler, options(tls));
  std::string good = python(fixture.address(), "\"sizes\": [3], \"cert\": \"" + file("client.pem") + "\", \"key\": \"" +
                                                   file("client.key") + "\"");
  EXPECT_NE(good.find("\"echo\": [true]"), std::string::npos) << good;
  ASSERT_TRUE(handler.opened.wait_for(1));
  EXPECT_TRUE(handler.infos()[0].peer_verified);
  EXPECT_NE(handler.infos()[0].peer_subject.find("weft-client"), std::string::npos) << handler.infos()[0].peer_subject;

  std::string rogue = python(fixture.address(), "\"sizes\": [3], \"cert\": \"" + file("rogue-client.pem") +
                                                    "\", \"key\": \"" + file("rogue-client.key") + "\"");
  EXPECT_NE(rogue.find("\"error\""), std::string::npos) << rogue;
  std::string anonymous = python(fixture.address(), "\"sizes\": [3]");
  EXPECT_NE(anonymous.find("\"error\""), std::string::npos) << anonymous;
  EXPECT_EQ(handler.opened.value(), 1u);  // The rejected clients never reached the handler.
  EXPECT_EQ(tls->stats().failures, 2u);
}

TEST_F(TlsServer, ReloadServesNewHandshakesTheNewCertificate) {
  InfoHandler handler;
  std::filesystem::copy_file(file("server.pem"), file("live.pem"), std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(file("server.key"), file("live.key"), std::filesystem::copy_options::overwrite_existing);
  tls::ServerConfig c;
  c.cert_file = file("live.pem");
  c.key_file = file("live.key");
  auto tls = tls::Context::server(c);
  ServerFixture fixture(handler, options(tls, 1));
  EXPECT_NE(python(fixture.address(), "\"sizes\": [4]").find("\"echo\": [true]"), std::string::npos);

  // A bad file is refused and the certificate in use stays.
  { std::ofstream(file("live.key"), std::ios::trunc) << "not a key\n"; }
  EXPECT_THROW(tls->reload(), std::runtime_error);
  std::filesystem::copy_file(file("other.pem"), file("live.pem"), std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(file("other.key"), file("live.key"), std::filesystem::copy_options::overwrite_existing);
  tls->reload();
  EXPECT_EQ(tls->stats().reloads, 1u);
  std::string after = python(fixture.address(), "\"sizes\": [4]", "other.test");
  EXPECT_NE(after.find("\"peer_names\": [\"other.test\", \"*.other.test\"]"), std::string::npos) << after;
  std::string old_name = python(fixture.address(), "\"sizes\": [4]", "localhost");
  EXPECT_NE(old_name.find("\"error\""), std::string::npos) << old_name;  // The old name is no longer served.
}

// Pauses reading after each delivery and resumes a little later from a timer.
class PausingHandler : public RecordingHandler {
 public:
  void on_traffic(Conn& conn) override {
    echo_all(conn);
    conn.pause_reading();
    conn.loop().run_after(std::chrono::milliseconds(20),
                          [h = conn.handle()] { h.post([](Conn& c) { c.resume_reading(); }); });
  }
};

// With a 1 KiB read area a 10 KB record leaves most of its plaintext inside OpenSSL when
// the handler pauses; the poller cannot see it, and resuming must still deliver it.
TEST_F(TlsServer, ResumedReadingDeliversInputHeldInsideTls) {
  PausingHandler handler;
  ServerOptions o = options(tls::Context::server(config()), 1);
  o.loop.read_buffer_size = 1024;
  ServerFixture fixture(handler, o);
  std::string out = python(fixture.address(), "\"sizes\": [10000, 3000]");
  EXPECT_NE(out.find("\"echo\": [true, true]"), std::string::npos) << out;
}

// Sends a file with write_file when a connection opens, then closes it.
class FileHandler : public RecordingHandler {
 public:
  explicit FileHandler(std::string path) : path_(std::move(path)) {}
  void on_open(Conn& conn) override {
    RecordingHandler::on_open(conn);
    {
      std::lock_guard lock(mutex_);
      name_ = conn.transport_name();
    }
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    conn.write_file(fd, 0, std::filesystem::file_size(path_));
    conn.close();
  }
  void on_traffic(Conn& conn) override { conn.discard(); }
  std::string name() const {
    std::lock_guard lock(mutex_);
    return name_;
  }

 private:
  std::string path_;
  mutable std::mutex mutex_;
  std::string name_;
};

TEST_F(TlsServer, WriteFileOverKernelOrUserSpaceTls) {
  std::string path = file("payload.bin");
  std::string data;
  for (size_t i = 0; i < 3 * 1024 * 1024 + 7; ++i) data += static_cast<char>('a' + (i * 7919) % 26);
  { std::ofstream(path, std::ios::binary) << data; }
  CommandResult sha = run_command("sha256sum " + path);
  FileHandler handler(path);
  auto tls = tls::Context::server(config());
  ServerFixture fixture(handler, options(tls, 1));
  std::string out = python(fixture.address(), "\"read_eof\": true");
  EXPECT_NE(out.find("\"eof_sha256\": \"" + sha.output.substr(0, 64) + "\""), std::string::npos) << out;
  ASSERT_TRUE(handler.opened.wait_for(1));
  if (tls->stats().ktls > 0) {
    EXPECT_EQ(handler.name(), "ktls");  // sendfile(2) through the kernel's TLS.
  } else {
    EXPECT_EQ(handler.name(), "tls");
    std::cout << "[ SKIPPED  ] kernel TLS is not available here (no tls module): the user-space path was tested\n";
  }
}

}  // namespace
}  // namespace weft::test
