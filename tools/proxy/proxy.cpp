#include "proxy.h"

#include <fcntl.h>

#include <climits>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "weft/core/error.h"

namespace weft::proxy {

// One way through a relay, client to upstream or back. Spliced while it holds a pipe and
// its reading side is in raw input mode.
struct Proxy::Direction {
  Direction(Relay* r, bool up) : relay(r), to_upstream(up) {}
  Relay* const relay;
  const bool to_upstream;
  Pipe pipe;
  uint32_t in_flight = 0;  // Pipe chunks queued on the writing side whose callback has not run.
  bool waiting = false;    // The reading side is paused until they are sent.
};

// One client connection and its upstream. Both live on one loop; the relay is freed
// once the client side has closed and no upstream connection, dial or spliced chunk is
// left.
struct Proxy::Relay {
  Conn* front = nullptr;
  Conn* back = nullptr;
  DialHandle dial;
  bool dialing = false;
  size_t upstream = 0;
  uint64_t tried = 0;  // Upstreams tried for this client (bit i: upstream i).
  bool front_ended = false;
  bool back_ended = false;
  Direction up{this, true};
  Direction down{this, false};
};

namespace {
// One splice moves at most a pipe's default capacity.
constexpr size_t kPipeChunk = 64 * 1024;
}  // namespace

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
    p_.forward(c, *r->back, r->up);
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
    p_.maybe_free(r);
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
    owner->forward(c, *r->front, r->down);
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
    owner->maybe_free(r);
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

Proxy::Proxy(ServerOptions server, ProxyOptions options)
    : options_(std::move(options)),
      bulk_read_(server.loop.read_buffer_size),
      // Level-triggered, a few splices per event keep the loop fair (the event comes
      // again); edge-triggered, the input must be read until the kernel has no more.
      pump_rounds_(server.loop.edge_triggered ? INT_MAX : 4),
      pipes_(options_.splice_pipes) {
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

// Relays what `from` has to `to`. Buffered: a view of the input, written and consumed,
// and sent at once: left for the loop's flush phase, every relay of a busy iteration
// would hold its bytes in a block of its own until then (a thousand connections touched
// megabytes per iteration and overflowed the loop's pool of free blocks).
void Proxy::forward(Conn& from, Conn& to, Direction& d) {
  if (from.raw_input()) {
    pump(from, to, d);
    return;
  }
  std::string_view bytes = from.read();
  if (bytes.empty() || to.closing()) return;
  to.write(bytes);
  to.flush();
  // A read that filled the whole read area: a bulk stream, spliced from now on.
  if (bytes.size() >= bulk_read_) start_splice(from, to, d);
}

void Proxy::start_splice(Conn& from, Conn& to, Direction& d) {
  if (!from.can_splice() || !to.can_splice() || !to.writable()) return;
  // A pipe still draining from the last burst is used again: its bytes go first.
  if (!d.pipe.open() && !pipes_.acquire(d.pipe)) return;  // None free: buffers it is.
  if (!from.set_raw_input(true) && d.in_flight == 0) pipes_.release(d.pipe);
}

// Moves `from`'s input through the pipe to `to`: splice in, queue on `to`, send now.
void Proxy::pump(Conn& from, Conn& to, Direction& d) {
  for (int round = 0; round < pump_rounds_; ++round) {
    if (!to.writable()) {  // Nowhere to send: read and dropped through buffers, as before.
      end_splice(from, d);
      return;
    }
    size_t n = 0;
    std::error_code ec = from.read_pipe(d.pipe.write_end, kPipeChunk, n);
    if (ec == std::errc::resource_unavailable_try_again) {
      // Nothing more to read, or the pipe is full of bytes `to` has not sent yet.
      if (d.in_flight == 0) {
        end_splice(from, d);
      } else {
        d.waiting = true;
        from.pause_reading();
      }
      return;
    }
    if (ec) {  // End of file (the caller passes it on), or `from` failed and is closing.
      end_splice(from, d);
      return;
    }
    ++d.in_flight;
    Direction* dp = &d;
    if (to.write_pipe(d.pipe.read_end, n, [this, dp](std::error_code e) { chunk_sent(*dp, e); })) {
      --d.in_flight;  // Refused (`to` is closing): the callback never runs.
      end_splice(from, d);
      return;
    }
    spliced_.fetch_add(n, std::memory_order_relaxed);
    to.flush();
    if (d.in_flight != 0) {  // `to` is full: `from` waits until it has sent the pipe's bytes.
      d.waiting = true;
      from.pause_reading();
      return;
    }
  }
}

// The direction goes back to buffers; its pipe goes back to the pool once `to` has sent
// what it holds.
void Proxy::end_splice(Conn& from, Direction& d) {
  from.set_raw_input(false);
  if (d.in_flight == 0) pipes_.release(d.pipe);
}

// A chunk queued with write_pipe was sent, or its connection closed first (error). The
// relay lives until every chunk has been heard of.
void Proxy::chunk_sent(Direction& d, std::error_code error) {
  Relay* r = d.relay;
  --d.in_flight;
  if (!error && d.in_flight == 0) {
    Conn* from = d.to_upstream ? r->front : r->back;
    if (d.waiting) {
      d.waiting = false;
      if (from != nullptr) from->resume_reading();
    }
    if (from == nullptr || !from->raw_input()) pipes_.release(d.pipe);
  }
  maybe_free(r);
}

void Proxy::maybe_free(Relay* r) {
  if (r->front != nullptr || r->back != nullptr || r->dialing || r->up.in_flight != 0 || r->down.in_flight != 0) {
    return;
  }
  pipes_.release(r->up.pipe);  // Closed, not kept, if bytes were left in it.
  pipes_.release(r->down.pipe);
  delete r;
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
