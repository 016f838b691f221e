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

#include <memory>
#include <string>

#include "cli.h"
#include "weft/metrics/admin.h"

namespace weft::tools {

void add_admin_flag(App& app, std::string& url);

// Starts serving when url is not empty; stops when destroyed. Throws as Server::listen.
class AdminEndpoint {
 public:
  AdminEndpoint(const std::string& url, Server& server, const std::string& name);
  ~AdminEndpoint();
  // One line with the metrics and dashboard URLs on standard output (none when off).
  void print_urls() const;

 private:
  metrics::Registry registry_;
  std::unique_ptr<metrics::Admin> admin_;
};

}  // namespace weft::tools
