#pragma once
// The TLS flags a weft server program shares:
//
//   --tls-cert FILE          serve TLS with this certificate chain (PEM); plain TCP without it
//   --tls-key FILE           its private key (PEM)
//   --tls-ca FILE            the CA that signs client certificates (with --tls-verify-client)
//   --tls-verify-client      require a client certificate that chains to --tls-ca (mTLS)
//
// With --tls-cert the program serves TLS, and SIGHUP makes it read the files again
// (reload.h): new handshakes use the new certificate, connections keep theirs.

#include <memory>
#include <string>

#include "cli.h"
#include "weft/tls/context.h"

namespace weft::tools {

struct TlsFlags {
  std::string cert;
  std::string key;
  std::string ca;
  bool verify_client = false;
};

void add_tls_flags(App& app, TlsFlags& flags);

// After parsing: the server context the flags ask for, or null without --tls-cert. A
// missing companion flag is a usage error (exit 2, naming it); files OpenSSL cannot use
// throw std::runtime_error with its reason.
std::shared_ptr<tls::Context> make_tls_context(const App& app, const TlsFlags& flags);

}  // namespace weft::tools
