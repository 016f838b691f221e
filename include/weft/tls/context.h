#pragma once
// tls::Context: TLS for weft connections, over OpenSSL 3. A context is a TransportFactory:
// give it to a server (ServerOptions::transport, or Server::listen(url, context) for one
// port) and its connections speak TLS; give a client context to a Client
// (ClientOptions::transport) and every dial is a verified TLS connection to the host it
// names, or to one adopted socket (Server::adopt(fd, context_ptr, *context, "host")).
// Nothing above the connection changes: handlers read and write plaintext, and
// Conn::transport_info() tells what was negotiated.
//
//   auto tls = weft::tls::Context::server({.cert_file = "cert.pem", .key_file = "key.pem"});
//   weft::ServerOptions options;
//   options.transport = tls;
//
// Behaviour. TLS 1.2 and 1.3 only; renegotiation is off; session tickets resume sessions
// on any loop (the context's one ticket key serves every loop, and survives reload());
// an idle connection holds no OpenSSL buffers (SSL_MODE_RELEASE_BUFFERS). With `ktls`
// (the default) the kernel takes over the record layer after the handshake where it can;
// where it cannot, weft says so once in the log and uses user-space TLS.
//
// Thread rules: create, reload() and stats() from any thread; a context is shared by every
// loop. It must outlive the servers and connections that use it (a server or client keeps
// the shared_ptr it was given; an adopted connection relies on its caller).
// Errors: the factories and reload() throw std::runtime_error with OpenSSL's reason text
// and the file at fault; reload() keeps the certificates in use when it fails.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/transport/tls_error.h"
#include "weft/transport/transport_factory.h"

namespace weft::tls {

// A certificate chain (leaf first) and its private key, both PEM files.
struct CertificateFiles {
  std::string cert_file;
  std::string key_file;
};

struct ServerConfig {
  // The default certificate, used when the client names no host or none of `more`.
  std::string cert_file;
  std::string key_file;
  // Further certificates, chosen by the name the client asks for (SNI) when it matches the
  // certificate's names (subjectAltName, wildcards included).
  std::vector<CertificateFiles> more{};
  // Client certificates (mTLS): with verify_client, a client must present a certificate
  // that chains to ca_file, or the handshake fails with Errc::verify_failed.
  std::string ca_file{};
  bool verify_client = false;
  // ALPN protocols in the server's order of preference ("h2", "http/1.1"); empty: no ALPN.
  // A client offering none of them is served without ALPN.
  std::vector<std::string> alpn{};
  // TLS 1.2 cipher list in OpenSSL's syntax; empty keeps OpenSSL's default.
  std::string ciphers{};
  bool ktls = true;
};

struct ClientConfig {
  // Trusted roots: a PEM file, or empty for the system's (SSL_CTX_set_default_verify_paths).
  std::string ca_file{};
  // The peer's chain and name (the host dialled, or the name given to adopt) are verified
  // unless this is false.
  bool verify_peer = true;
  // A client certificate for servers that ask for one (mTLS).
  std::string cert_file{};
  std::string key_file{};
  std::vector<std::string> alpn{};
  bool ktls = true;
};

// Counters over every connection the context made, read from any thread.
struct Stats {
  uint64_t handshakes = 0;  // Finished handshakes.
  uint64_t resumed = 0;     // Of which resumed an earlier session.
  uint64_t failures = 0;    // Handshakes and connections that failed with a TLS error.
  uint64_t ktls = 0;        // Connections whose records the kernel handles.
  uint64_t reloads = 0;     // Successful reload() calls.
  // Handshakes that did not finish: a TLS error, a timeout, the peer leaving, a stop.
  uint64_t handshake_failures = 0;
};

class Context final : public TransportFactory {
 public:
  static std::shared_ptr<Context> server(ServerConfig config);
  static std::shared_ptr<Context> client(ClientConfig config);
  ~Context() override;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Reads the certificate, key and CA files again and uses them for every new handshake;
  // connections already established keep the ones they started with. Any thread.
  void reload();
  Stats stats() const;
  bool is_server() const;

  // TransportFactory: one TLS session for a new connection (any loop thread).
  detail::Transport* make_transport(const TransportSetup& setup) override;

  struct Impl;

 private:
  explicit Context(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::tls
