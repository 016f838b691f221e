#include "admin_flag.h"

#include <cstdio>

#include "weft/metrics/tls.h"

namespace weft::tools {

void add_admin_flag(App& app, std::string& url) {
  app.add_address("--admin", url, "serve /metrics, /stats and /dashboard at this address (off when empty)");
}

AdminEndpoint::AdminEndpoint(const std::string& url, Server& server, const std::string& name) : AdminEndpoint(url) {
  if (admin_) registry_.watch(server, name);
}

AdminEndpoint::AdminEndpoint(const std::string& url) {
  if (url.empty()) return;
  admin_ = std::make_unique<metrics::Admin>(registry_);
  admin_->listen(url).start();
}

AdminEndpoint::~AdminEndpoint() {
  admin_.reset();
}

void AdminEndpoint::watch_tls(const std::shared_ptr<tls::Context>& tls, const std::string& name) {
  if (admin_ && tls) metrics::watch_tls(registry_, tls, name);
}

void AdminEndpoint::print_urls(std::FILE* out) const {
  if (!admin_) return;
  const Address& a = admin_->address();
  std::string host = a.host().find(':') != std::string::npos ? "[" + a.host() + "]" : a.host();
  std::string base = a.is_unix() ? a.to_string() : "http://" + host + ":" + std::to_string(a.port());
  std::fprintf(out, "metrics on %s/metrics, dashboard on %s/dashboard\n", base.c_str(), base.c_str());
}

}  // namespace weft::tools
