#include "tls_flags.h"

namespace weft::tools {

void add_tls_flags(App& app, TlsFlags& flags) {
  app.add_file("--tls-cert", flags.cert, "serve TLS with this certificate chain (PEM); plain TCP without it");
  app.add_file("--tls-key", flags.key, "the private key of --tls-cert (PEM)");
  app.add_file("--tls-ca", flags.ca, "the CA that signs client certificates, for --tls-verify-client (PEM)");
  app.add_flag("--tls-verify-client", flags.verify_client,
               "require a client certificate signed by --tls-ca (mutual TLS)");
}

std::shared_ptr<tls::Context> make_tls_context(const App& app, const TlsFlags& flags) {
  if (flags.cert.empty()) {
    if (!flags.key.empty() || flags.verify_client) app.fail("--tls-key and --tls-verify-client need --tls-cert");
    return nullptr;
  }
  if (flags.key.empty()) app.fail("--tls-cert needs --tls-key");
  if (flags.verify_client && flags.ca.empty()) app.fail("--tls-verify-client needs --tls-ca");
  tls::ServerConfig config;
  config.cert_file = flags.cert;
  config.key_file = flags.key;
  config.ca_file = flags.ca;
  config.verify_client = flags.verify_client;
  return tls::Context::server(config);
}

}  // namespace weft::tools
