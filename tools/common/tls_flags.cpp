#include "tls_flags.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <exception>

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

ReloadOnHangup::ReloadOnHangup(std::shared_ptr<tls::Context> context) : context_(std::move(context)) {
  if (!context_) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  // The waiting thread blocks every signal, so that the server's stop signals are never
  // delivered to it (their default action would end the process); the other threads block
  // SIGHUP, so that only sigtimedwait receives it.
  sigset_t all;
  sigset_t before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  thread_ = std::thread([this, set] {
    const timespec tick{0, 200'000'000};  // How soon the destructor is heard.
    while (!stop_.load(std::memory_order_relaxed)) {
      if (sigtimedwait(&set, nullptr, &tick) != SIGHUP) continue;
      try {
        context_->reload();
        std::fprintf(stderr, "SIGHUP: TLS certificates reloaded\n");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "SIGHUP: TLS certificates not reloaded, the old ones stay: %s\n", e.what());
      }
    }
  });
  sigaddset(&before, SIGHUP);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

ReloadOnHangup::~ReloadOnHangup() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

}  // namespace weft::tools
