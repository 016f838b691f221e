// An echo server over TLS: the plain echo with a tls::Context as its transport. The handler
// reads and writes plaintext and never knows TLS is there.
//
//   scripts/tls-test-certs.sh /tmp/certs
//   build/bin/example_tls_echo /tmp/certs/server.pem /tmp/certs/server.key tcp://127.0.0.1:7443
//   then:   openssl s_client -quiet -CAfile /tmp/certs/ca.pem -connect localhost:7443

#include <csignal>
#include <cstdio>
#include <exception>

#include "weft/tls/context.h"
#include "weft/weft.h"

class Echo : public weft::Handler {
 public:
  void on_open(weft::Conn& conn) override {
    weft::TransportInfo tls = conn.transport_info();
    std::printf("open  %s: %s, %.*s, %.*s\n", conn.remote_address().to_string().c_str(), tls.name,
                static_cast<int>(tls.version.size()), tls.version.data(), static_cast<int>(tls.cipher.size()),
                tls.cipher.data());
  }

  void on_traffic(weft::Conn& conn) override { conn.write(conn.read()); }

  void on_close(weft::Conn& conn, weft::CloseReason reason, std::error_code error) override {
    std::printf("close %s (%s%s%s)\n", conn.remote_address().to_string().c_str(), weft::to_string(reason),
                error ? ": " : "", error ? error.message().c_str() : "");
  }
};

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: example_tls_echo CERT.pem KEY.pem [tcp://127.0.0.1:7443]\n");
    return 2;
  }
  const char* address = argc > 3 ? argv[3] : "tcp://127.0.0.1:7443";
  try {
    Echo echo;
    weft::ServerOptions options;
    options.loops = 2;
    options.stop_signals = {SIGINT, SIGTERM};
    options.transport = weft::tls::Context::server({.cert_file = argv[1], .key_file = argv[2]});
    weft::Server server(echo, options);
    server.listen(address);
    std::printf("TLS echo server on %s\n", server.address().to_string().c_str());
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tls_echo: %s\n", e.what());
    return 1;
  }
}
