#pragma once
// watch_tls(): a TLS context's counters (weft/tls/context.h, Context::stats) in a
// Registry, with the label server="name". Needs weft::tls linked as well.
//
//   auto tls = weft::tls::Context::server({.cert_file = "cert.pem", .key_file = "key.pem"});
//   weft::metrics::watch_tls(registry, tls, "api");
//
// The registry keeps the context alive. Any thread.

#include <memory>
#include <string>
#include <string_view>

#include "weft/metrics/registry.h"
#include "weft/tls/context.h"

namespace weft::metrics {

inline void watch_tls(Registry& registry, std::shared_ptr<const tls::Context> tls, std::string_view name) {
  const Labels labels = {{"server", std::string(name)}};
  registry.counter_fn(
      "weft_tls_handshakes_total", "TLS handshakes finished.", [tls] { return tls->stats().handshakes; }, labels);
  registry.counter_fn(
      "weft_tls_handshake_failures_total",
      "TLS handshakes that did not finish (a TLS error, a timeout, the peer leaving).",
      [tls] { return tls->stats().handshake_failures; }, labels);
  registry.counter_fn(
      "weft_tls_resumed_total", "TLS handshakes that resumed an earlier session.",
      [tls] { return tls->stats().resumed; }, labels);
  registry.counter_fn(
      "weft_tls_failures_total", "TLS handshakes and connections that failed with a TLS error.",
      [tls] { return tls->stats().failures; }, labels);
  registry.counter_fn(
      "weft_tls_kernel_total", "TLS connections whose records the kernel handles (kTLS).",
      [tls] { return tls->stats().ktls; }, labels);
}

}  // namespace weft::metrics
