#include "proxy.h"

#include <cstdio>
#include <functional>
#include <stdexcept>

#include "weft/core/error.h"

namespace weft::proxy {

// One client connection and its upstream. Both live on one loop; the relay is freed
// once the client side has closed and no upstream connection or dial is left.
struct Proxy::Relay {
  Conn* front = nullptr;
  Conn* back = nullptr;
  DialHandle dial;
  bool dialing = false;
  size_t upstream = 0;
  uint64_t tried = 0;  // Upstreams tried for this client (bit i: upstream i).
  bool front_ended = false;
  bool back_ended = false;
};

namespace {
// The context of a health probe's connection.
int probe_marker;
void* const kProbe = &probe_marker;
}  // namespace

// The client side: accepted connections.
class Proxy::Front final : public Handler {
 public:
  explicit Front(Proxy& p) : p_(p) {}
  void on_open(Conn& c) override {
    auto* r = new Relay;
    r->front = &c;
    c.set_context(r);
    c.pause_reading();  // Until the upstream is connected.
    p_.connect(*r);
  }
  void on_traffic(Conn& c) override {
    auto* r = c.context_as<Relay>();
    if (r->back == nullptr) return;  // Kept until the upstream is connected.
    relay_bytes(c, *r->back);
    if (c.input_ended() && !r->front_ended) {
      r->front_ended = true;
      r->back->shutdown_write();
      if (r->back_ended) c.close();
    }
  }
  void on_close(Conn& c, CloseReason, std::error_code) override {
    auto* r = c.context_as<Relay>();
    r->front = nullptr;
    if (r->back != nullptr) r->back->close();
    if (r->dialing) r->dial.cancel();
    maybe_free(r);
  }
  void on_high_water(Conn& c) override {
    if (auto* r = c.context_as<Relay>(); r->back != nullptr) r->back->pause_reading();
  }
  void on_low_water(Conn& c) override {
    if (auto* r = c.context_as<Relay>(); r->back != nullptr) r->back->resume_reading();
  }
  Duration on_tick() override {
    if (p_.options_.health_interval <= Duration::zero()) return kStopTicking;
    p_.probe();
    return p_.options_.health_interval;
  }

 private:
  Proxy& p_;
};

// The upstream side: dialed connections (and health probes).
class Proxy::Back final : public Handler {
 public:
  void on_traffic(Conn& c) override {
    if (c.context() == kProbe) {
      c.discard(c.inbound().size());
      return;
    }
    auto* r = c.context_as<Relay>();
    if (r->front == nullptr) {
      c.discard(c.inbound().size());
      return;
    }
    relay_bytes(c, *r->front);
    if (c.input_ended() && !r->back_ended) {
      r->back_ended = true;
      r->front->shutdown_write();
      if (r->front_ended) c.close();
    }
  }
  void on_close(Conn& c, CloseReason, std::error_code) override {
    if (c.context() == kProbe) return;
    auto* r = c.context_as<Relay>();
    if (r->back != &c) return;  // Connected after the client had gone.
    r->back = nullptr;
    owner->upstreams_[r->upstream]->active.fetch_sub(1);
    // The upstream died or finished: the client gets what was relayed, then the close.
    if (r->front != nullptr) r->front->close();
    maybe_free(r);
  }
  void on_high_water(Conn& c) override {
    if (c.context() == kProbe) return;
    if (auto* r = c.context_as<Relay>(); r->front != nullptr) r->front->pause_reading();
  }
  void on_low_water(Conn& c) override {
    if (c.context() == kProbe) return;
    if (auto* r = c.context_as<Relay>(); r->front != nullptr) r->front->resume_reading();
  }
  Proxy* owner = nullptr;
};

Proxy::Proxy(ServerOptions server, ProxyOptions options) : options_(std::move(options)) {
  if (options_.upstreams.empty()) throw std::invalid_argument("--upstream: at least one upstream is needed");
  if (options_.upstreams.size() > 64) throw std::invalid_argument("--upstream: at most 64 upstreams");
  for (const std::string& u : options_.upstreams) {
    auto up = std::make_unique<Upstream>();
    up->url = u;
    upstreams_.push_back(std::move(up));
  }
  // Each side applies the other's backpressure itself; both pass a half-close on.
  server.allow_half_open = true;
  server.pause_on_high_water = false;
  server.idle_timeout = options_.idle_timeout;
  front_ = std::make_unique<Front>(*this);
  back_ = std::make_unique<Back>();
  back_->owner = this;
  server_ = std::make_unique<Server>(*front_, server);
  ClientOptions c;
  c.connect_timeout = options_.connect_timeout;
  c.allow_half_open = true;
  c.pause_on_high_water = false;
  c.idle_timeout = options_.idle_timeout;
  c.high_water_mark = server.high_water_mark;
  c.low_water_mark = server.low_water_mark;
  c.max_outbound = server.max_outbound;
  c.tcp_nodelay = server.tcp_nodelay;
  c.shutdown_timeout = server.shutdown_timeout;
  c.transport = options_.upstream_transport;
  client_ = std::make_unique<Client>(*server_, *back_, c);
}

Proxy::~Proxy() = default;

// Relays everything `from` holds to `to`. A view of the input, written and consumed,
// and sent at once: left for the loop's flush phase, every relay of a busy iteration
// would hold its bytes in a block of its own until then (a thousand connections touched
// megabytes per iteration and overflowed the loop's pool of free blocks).
void Proxy::relay_bytes(Conn& from, Conn& to) {
  std::string_view bytes = from.read();
  if (bytes.empty() || to.closing()) return;
  to.write(bytes);
  to.flush();
}

void Proxy::maybe_free(Relay* r) {
  if (r->front == nullptr && r->back == nullptr && !r->dialing) delete r;
}

// The next upstream for this client: among those up and not yet tried, by the policy;
// if every untried one is down, a down one (it may have come back).
size_t Proxy::pick(const Relay& r) const {
  const size_t n = upstreams_.size();
  size_t start = 0;
  if (options_.balance == Balance::hash && r.front != nullptr) {
    start = std::hash<std::string>{}(r.front->remote_address().host()) % n;
  } else if (options_.balance == Balance::round_robin) {
    start = next_.fetch_add(1, std::memory_order_relaxed) % n;
  }
  size_t best = n;
  for (int pass = 0; pass < 2 && best == n; ++pass) {
    for (size_t k = 0; k < n; ++k) {
      size_t i = (start + k) % n;
      if (r.tried & (uint64_t{1} << i)) continue;
      if (pass == 0 && !upstreams_[i]->up.load(std::memory_order_relaxed)) continue;
      if (options_.balance != Balance::least_connections) return i;
      if (best == n || upstreams_[i]->active.load() < upstreams_[best]->active.load()) best = i;
    }
  }
  return best;
}

void Proxy::connect(Relay& r) {
  size_t u = pick(r);
  if (u == upstreams_.size()) {
    r.front->abort();  // Every upstream failed: the client sees a reset, as from a dead server.
    return;
  }
  r.tried |= uint64_t{1} << u;
  r.upstream = u;
  r.dialing = true;
  upstreams_[u]->active.fetch_add(1);
  Relay* rp = &r;
  r.dial = client_->dial(
      upstreams_[u]->url, [this, rp, u](Conn* back, std::error_code ec) { dialed(rp, u, back, ec); }, rp);
}

void Proxy::dialed(Relay* r, size_t u, Conn* back, std::error_code error) {
  r->dialing = false;
  r->dial = {};
  if (back == nullptr) {
    upstreams_[u]->active.fetch_sub(1);
    if (error != std::errc::operation_canceled && error != Errc::shutdown) mark(u, false, error);
    if (r->front != nullptr && error != Errc::shutdown) {
      connect(*r);  // The next upstream, before the client sees anything.
    } else {
      maybe_free(r);
    }
    return;
  }
  mark(u, true, {});
  if (r->front == nullptr) {
    back->set_context(kProbe);  // Nobody to relay to; the relay is freed now.
    upstreams_[u]->active.fetch_sub(1);
    back->close();
    maybe_free(r);
    return;
  }
  r->back = back;
  r->front->resume_reading();
  if (!r->front->inbound().empty() || r->front->input_ended()) front_->on_traffic(*r->front);
}

// One line per change of an upstream's state.
void Proxy::mark(size_t u, bool up, std::error_code why) {
  if (upstreams_[u]->up.exchange(up) == up) return;
  if (up) {
    std::fprintf(stderr, "weft-proxy: upstream %s is up\n", upstreams_[u]->url.c_str());
  } else {
    std::fprintf(stderr, "weft-proxy: upstream %s is down: %s\n", upstreams_[u]->url.c_str(), why.message().c_str());
  }
}

// Active health checks: a connect to every upstream; it is closed at once.
void Proxy::probe() {
  for (size_t u = 0; u < upstreams_.size(); ++u) {
    client_->dial(
        upstreams_[u]->url,
        [this, u](Conn* c, std::error_code ec) {
          if (c != nullptr) c->close();
          if (ec == Errc::shutdown || ec == std::errc::operation_canceled) return;
          mark(u, c != nullptr, ec);
        },
        kProbe);
  }
}

}  // namespace weft::proxy
