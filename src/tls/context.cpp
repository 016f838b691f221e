#include "weft/tls/context.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "transport/tls_transport.h"
#include "weft/core/log.h"

namespace weft::tls {
namespace {

std::string openssl_errors() {
  std::string out = detail::take_openssl_errors();
  return out.empty() ? "no reason from OpenSSL" : out;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("TLS: " + what + ": " + openssl_errors());
}

// ALPN's wire format: each name after its length byte.
std::string alpn_wire(const std::vector<std::string>& names) {
  std::string wire;
  for (const std::string& n : names) {
    if (n.empty() || n.size() > 255) throw std::invalid_argument("TLS: an ALPN protocol name must have 1 to 255 bytes");
    wire += static_cast<char>(n.size());
    wire += n;
  }
  return wire;
}

bool is_ip_literal(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

}  // namespace

// One set of OpenSSL contexts made from the configured files: what reload() replaces.
// Connections hold it (through their transport) while they live, since the callbacks of
// their SSL objects read it.
struct Generation {
  std::vector<SSL_CTX*> ctxs;  // [0] the default certificate (or the client context); then SNI ones.
  std::string alpn;            // Wire format.
  Context::Impl* impl = nullptr;

  Generation() = default;
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;
  ~Generation() {
    for (SSL_CTX* c : ctxs) SSL_CTX_free(c);
  }
};

struct Context::Impl {
  bool server = true;
  ServerConfig server_config;
  ClientConfig client_config;
  mutable std::mutex mutex;  // Guards current.
  std::shared_ptr<Generation> current;
  detail::TlsEvents events;
  std::atomic<uint64_t> reloads{0};
  // The client side's last session per server name, resumed by the next connection to it.
  std::mutex sessions_mutex;
  std::unordered_map<std::string, SSL_SESSION*> sessions;

  ~Impl() {
    for (auto& [name, session] : sessions) SSL_SESSION_free(session);
  }
  std::shared_ptr<Generation> build() const;
  SSL_CTX* new_ctx(const SSL_METHOD* method, bool ktls) const;
  SSL_CTX* server_ctx(const CertificateFiles& files, Generation& gen) const;
  SSL_CTX* client_ctx(Generation& gen) const;
};

namespace {

// The client named a host (SNI): the first certificate whose names match it serves the
// handshake, the default one if none does.
int on_server_name(SSL* ssl, int*, void* arg) {
  auto* gen = static_cast<Generation*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr || gen->ctxs.size() < 2) return SSL_TLSEXT_ERR_OK;
  for (SSL_CTX* ctx : gen->ctxs) {
    if (X509_check_host(SSL_CTX_get0_certificate(ctx), name, 0, 0, nullptr) == 1) {
      if (ctx != gen->ctxs[0]) SSL_set_SSL_CTX(ssl, ctx);
      break;
    }
  }
  return SSL_TLSEXT_ERR_OK;
}

// The server's preference wins; no common protocol means no ALPN rather than a failure.
int on_alpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in, unsigned int in_len,
            void* arg) {
  auto* gen = static_cast<Generation*>(arg);
  unsigned char* chosen = nullptr;
  const auto* ours = reinterpret_cast<const unsigned char*>(gen->alpn.data());
  if (SSL_select_next_proto(&chosen, out_len, ours, static_cast<unsigned>(gen->alpn.size()), in, in_len) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

// A client connection got a session (a TLS 1.3 ticket comes after the handshake): keep
// the newest one per server name.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* gen = static_cast<Generation*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (gen == nullptr || name == nullptr) return 0;
  Context::Impl& impl = *gen->impl;
  std::lock_guard lock(impl.sessions_mutex);
  SSL_SESSION*& slot = impl.sessions[name];
  if (slot != nullptr) SSL_SESSION_free(slot);
  slot = session;
  return 1;  // We own the reference now.
}

}  // namespace

SSL_CTX* Context::Impl::new_ctx(const SSL_METHOD* method, bool ktls) const {
  SSL_CTX* ctx = SSL_CTX_new(method);
  if (ctx == nullptr) fail("cannot create an OpenSSL context");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  uint64_t options = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;
  if (ktls) options |= SSL_OP_ENABLE_KTLS;
  SSL_CTX_set_options(ctx, options);
  // Idle connections return their record buffers; a write may return after one record and
  // be retried from a buffer that moved (weft's output chain).
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One read(2) takes what the socket has, several records at once, instead of one for
  // each record's header and one for its body; the transport reports what stays buffered.
  SSL_CTX_set_read_ahead(ctx, 1);
  return ctx;
}

SSL_CTX* Context::Impl::server_ctx(const CertificateFiles& files, Generation& gen) const {
  const ServerConfig& c = server_config;
  SSL_CTX* ctx = new_ctx(TLS_server_method(), c.ktls);
  gen.ctxs.push_back(ctx);  // Freed with the generation if anything below fails.
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1) {
    fail("cannot load the certificate chain " + files.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail("cannot load the private key " + files.key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) fail(files.key_file + " is not the key of " + files.cert_file);
  static const unsigned char kSessionContext[] = "weft";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_num_tickets(ctx, 1);
  if (!c.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, c.ciphers.c_str()) != 1) fail("bad cipher list " + c.ciphers);
  if (c.verify_client) {
    if (SSL_CTX_load_verify_locations(ctx, c.ca_file.c_str(), nullptr) != 1)
      fail("cannot load the CA file " + c.ca_file);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(c.ca_file.c_str());
    if (names == nullptr) fail("no CA names in " + c.ca_file);
    SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  if (!gen.alpn.empty()) SSL_CTX_set_alpn_select_cb(ctx, on_alpn, &gen);
  return ctx;
}

SSL_CTX* Context::Impl::client_ctx(Generation& gen) const {
  const ClientConfig& c = client_config;
  SSL_CTX* ctx = new_ctx(TLS_client_method(), c.ktls);
  gen.ctxs.push_back(ctx);
  if (c.verify_peer) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (!c.ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(ctx, c.ca_file.c_str(), nullptr) != 1) {
        fail("cannot load the CA file " + c.ca_file);
      }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      fail("cannot load the system's trusted certificates");
    }
  }
  if (!c.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, c.cert_file.c_str()) != 1) {
      fail("cannot load the certificate chain " + c.cert_file);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, c.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      fail("cannot load the private key " + c.key_file);
    }
  }
  if (!gen.alpn.empty() && SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(gen.alpn.data()),
                                                   static_cast<unsigned>(gen.alpn.size())) != 0) {
    fail("cannot set the ALPN list");
  }
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, on_new_session);
  SSL_CTX_set_app_data(ctx, &gen);
  return ctx;
}

std::shared_ptr<Generation> Context::Impl::build() const {
  ERR_clear_error();
  auto gen = std::make_shared<Generation>();
  gen->impl = const_cast<Impl*>(this);
  if (server) {
    gen->alpn = alpn_wire(server_config.alpn);
    server_ctx({server_config.cert_file, server_config.key_file}, *gen);
    for (const CertificateFiles& more : server_config.more) server_ctx(more, *gen);
    if (gen->ctxs.size() > 1) SSL_CTX_set_tlsext_servername_callback(gen->ctxs[0], on_server_name);
    if (gen->ctxs.size() > 1) SSL_CTX_set_tlsext_servername_arg(gen->ctxs[0], gen.get());
  } else {
    gen->alpn = alpn_wire(client_config.alpn);
    client_ctx(*gen);
  }
  return gen;
}

Context::Context(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Context::~Context() = default;

std::shared_ptr<Context> Context::server(ServerConfig config) {
  if (config.cert_file.empty() || config.key_file.empty()) {
    throw std::invalid_argument("TLS: a server needs cert_file and key_file");
  }
  if (config.verify_client && config.ca_file.empty()) {
    throw std::invalid_argument("TLS: verify_client needs ca_file, the CA that signs client certificates");
  }
  auto impl = std::make_unique<Impl>();
  impl->server = true;
  impl->server_config = std::move(config);
  impl->events.ktls_wanted = impl->server_config.ktls;
  impl->current = impl->build();
  return std::shared_ptr<Context>(new Context(std::move(impl)));
}

std::shared_ptr<Context> Context::client(ClientConfig config) {
  if (config.cert_file.empty() != config.key_file.empty()) {
    throw std::invalid_argument("TLS: a client certificate needs both cert_file and key_file");
  }
  auto impl = std::make_unique<Impl>();
  impl->server = false;
  impl->client_config = std::move(config);
  impl->events.ktls_wanted = impl->client_config.ktls;
  impl->current = impl->build();
  return std::shared_ptr<Context>(new Context(std::move(impl)));
}

void Context::reload() {
  std::shared_ptr<Generation> next = impl_->build();  // Throws, leaving the current one in place.
  std::lock_guard lock(impl_->mutex);
  if (impl_->server) {
    // Tickets issued before the reload still resume: the new contexts take the old key.
    unsigned char keys[80];
    if (SSL_CTX_get_tlsext_ticket_keys(impl_->current->ctxs[0], keys, sizeof keys) == 1) {
      SSL_CTX_set_tlsext_ticket_keys(next->ctxs[0], keys, sizeof keys);
    }
  }
  impl_->current = std::move(next);
  impl_->reloads.fetch_add(1, std::memory_order_relaxed);
}

Stats Context::stats() const {
  const detail::TlsEvents& e = impl_->events;
  return Stats{e.handshakes.load(std::memory_order_relaxed),   e.resumed.load(std::memory_order_relaxed),
               e.failures.load(std::memory_order_relaxed),     e.ktls.load(std::memory_order_relaxed),
               impl_->reloads.load(std::memory_order_relaxed), e.handshake_failures.load(std::memory_order_relaxed)};
}

bool Context::is_server() const {
  return impl_->server;
}

detail::Transport* Context::make_transport(const TransportSetup& setup) {
  std::shared_ptr<Generation> gen;
  {
    std::lock_guard lock(impl_->mutex);
    gen = impl_->current;
  }
  ERR_clear_error();
  SSL* ssl = SSL_new(gen->ctxs[0]);
  if (ssl == nullptr || SSL_set_fd(ssl, setup.fd) != 1) {
    WEFT_LOG(LogLevel::error, "TLS: cannot create a session: %s", openssl_errors().c_str());
    SSL_free(ssl);
    return nullptr;
  }
  if (impl_->server) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
    std::string name(setup.peer_name);
    if (name.empty() && impl_->client_config.verify_peer) {
      WEFT_LOG(LogLevel::error, "TLS: a verified client connection needs the name of the peer it dials");
      SSL_free(ssl);
      return nullptr;
    }
    if (!name.empty()) {
      const bool ip = is_ip_literal(name);
      if (!ip) SSL_set_tlsext_host_name(ssl, name.c_str());  // RFC 6066: SNI carries host names only.
      if (impl_->client_config.verify_peer) {
        int ok =
            ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) : SSL_set1_host(ssl, name.c_str());
        if (ok != 1) {
          WEFT_LOG(LogLevel::error, "TLS: cannot verify against the name %s", name.c_str());
          SSL_free(ssl);
          return nullptr;
        }
      }
      std::lock_guard lock(impl_->sessions_mutex);
      if (auto it = impl_->sessions.find(name); it != impl_->sessions.end()) SSL_set_session(ssl, it->second);
    }
  }
  return new detail::TlsTransport(ssl, setup.edge_triggered, impl_->events, std::move(gen));
}

}  // namespace weft::tls
