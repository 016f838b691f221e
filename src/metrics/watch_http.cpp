// Registry::watch for HTTP servers: the engine underneath, and per loop the HTTP layer's
// RequestStats as weft_http_responses_total{code} and weft_http_request_seconds.

#include <functional>
#include <string>

#include "weft/http/coro_server.h"
#include "weft/http/server.h"
#include "weft/metrics/registry.h"

namespace weft::metrics {
namespace {

constexpr const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

void watch_requests(Registry& registry, std::string_view name, size_t loops,
                    const std::function<const http::RequestStats&(size_t)>& stats_of) {
  for (size_t i = 0; i < loops; ++i) {
    const http::RequestStats& stats = stats_of(i);
    const std::string loop = std::to_string(i);
    for (size_t c = 0; c < std::size(kClasses); ++c) {
      registry.counter_fn("weft_http_responses_total", "HTTP responses sent, by status class.",
                          [&stats, c] { return stats.responses[c].get(); },
                          {{"server", std::string(name)}, {"loop", loop}, {"code", kClasses[c]}});
    }
    registry.histogram_fn("weft_http_request_seconds", "Time from reading a request's head to its response queued.",
                          [&stats] { return stats.latency_ns.snapshot(); },
                          {{"server", std::string(name)}, {"loop", loop}});
  }
}

}  // namespace

void Registry::watch(http::Server& server, std::string_view name) {
  watch(server.net(), name);
  watch_requests(*this, name, server.loop_count(),
                 [&server](size_t i) -> const http::RequestStats& { return server.stats(i); });
}

void Registry::watch(http::CoroServer& server, std::string_view name) {
  watch(server.runtime().server(), name);
  watch_requests(*this, name, server.loop_count(),
                 [&server](size_t i) -> const http::RequestStats& { return server.stats(i); });
}

}  // namespace weft::metrics
