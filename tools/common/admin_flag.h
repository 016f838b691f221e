#pragma once
// --admin URL for the server programs: serves the server's metrics at URL (/metrics,
// /stats, /dashboard; see docs/metrics.md) on a loop of its own.
//
//   std::string admin_url;
//   weft::tools::add_admin_flag(app, admin_url);
//   ...
//   weft::tools::AdminEndpoint admin(admin_url, server, "echo");   // after listen()
//   admin.print_urls();                                           // unless --quiet
//   server.run();
//
// A program adds what its protocol layer counts through registry() (a registry exists
// even when the endpoint is off, so registering needs no test of the flag).

#include <cstdio>
#include <memory>
#include <string>

#include "cli.h"
#include "weft/metrics/admin.h"
#include "weft/tls/context.h"

namespace weft::tools {

void add_admin_flag(App& app, std::string& url);

// Starts serving when url is not empty; stops when destroyed. Throws as Server::listen.
class AdminEndpoint {
 public:
  AdminEndpoint(const std::string& url, Server& server, const std::string& name);
  // For a program without a weft::Server: only what it registers through registry().
  explicit AdminEndpoint(const std::string& url);
  ~AdminEndpoint();
  // One line with the metrics and dashboard URLs (none when off).
  void print_urls(std::FILE* out = stdout) const;
  bool enabled() const { return admin_ != nullptr; }
  // Adds the TLS context's handshake counters (nothing when off or tls is null).
  void watch_tls(const std::shared_ptr<tls::Context>& tls, const std::string& name);
  metrics::Registry& registry() { return registry_; }

 private:
  metrics::Registry registry_;
  std::unique_ptr<metrics::Admin> admin_;
};

}  // namespace weft::tools
