#pragma once
// Proxy: the relay behind weft-proxy. A Server accepts clients; a Client on the same
// loops dials an upstream for each, so both sides of a relay share one thread and talk
// through plain pointers. Bytes go both ways as they arrive; a side whose peer's output
// is above the high water mark stops reading until it drains (memory stays bounded by
// about two high water marks per relay); an end of file is passed on as a half-close.
// Upstreams that refuse or time out are marked down and the next one is tried before the
// client sees anything; health probes mark them up again.
//
// Bulk streams are spliced: once a read of one side fills the loop's whole read area, and
// both sides are plain sockets (not TLS), that direction moves its bytes with splice(2)
// through a pipe borrowed from a bounded pool (pipe_pool.h), never through user space: the
// reading side is in raw input mode (Conn::set_raw_input) and the writing side queues the
// pipe's bytes (Conn::write_pipe) after whatever it still had queued, so order,
// half-close and close-after-flush stay the engine's. While the writing side cannot send
// all of them, the reading side pauses (at most a pipe's worth, 64 KiB, waits per
// direction). Once the reading side has nothing more and the pipe is empty, the direction
// returns to buffers and its pipe to the pool; small messages never use one.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipe_pool.h"
#include "weft/net/client.h"
#include "weft/net/server.h"

namespace weft::proxy {

enum class Balance { round_robin, least_connections, hash };

struct ProxyOptions {
  std::vector<std::string> upstreams;
  Balance balance = Balance::round_robin;
  Duration health_interval = std::chrono::seconds(2);  // Zero: no active probes.
  Duration connect_timeout = std::chrono::seconds(3);
  Duration idle_timeout = Duration::zero();
  bool quiet = false;  // No start-up line (state changes are always logged).
  // Pipes for splicing bulk streams, at most (two descriptors each); 0: every byte is
  // relayed through user space.
  size_t splice_pipes = 256;
  // What the upstream connections speak (tls::Context::client for TLS); null: plain.
  std::shared_ptr<TransportFactory> upstream_transport{};
};

class Proxy {
 public:
  // Builds the server (not yet listening) and its client. Throws std::invalid_argument
  // for bad options.
  Proxy(ServerOptions server, ProxyOptions options);
  ~Proxy();

  Server& server() { return *server_; }
  // Upstream i: up (true) or down.
  bool up(size_t i) const { return upstreams_[i]->up.load(); }
  size_t active(size_t i) const { return upstreams_[i]->active.load(); }
  // Bytes relayed with splice(2), both directions together; pipes open now. Any thread.
  uint64_t spliced_bytes() const { return spliced_.load(std::memory_order_relaxed); }
  size_t pipes_open() const { return pipes_.open(); }
  // The upstream side's connections (health probes included), for metrics. Any thread.
  const Client& upstream_client() const { return *client_; }

 private:
  struct Upstream {
    std::string url;
    std::atomic<bool> up{true};
    std::atomic<size_t> active{0};  // Relays dialing or connected to it.
  };
  struct Relay;
  struct Direction;
  class Front;
  class Back;

  void connect(Relay& r);
  size_t pick(const Relay& r) const;
  void dialed(Relay* r, size_t upstream, Conn* back, std::error_code error);
  void mark(size_t upstream, bool up, std::error_code why);
  void probe();
  void forward(Conn& from, Conn& to, Direction& d);
  void start_splice(Conn& from, Conn& to, Direction& d);
  void pump(Conn& from, Conn& to, Direction& d);
  void end_splice(Conn& from, Direction& d);
  void chunk_sent(Direction& d, std::error_code error);
  void maybe_free(Relay* r);

  ProxyOptions options_;
  size_t bulk_read_ = 0;  // A read this large starts splicing its direction.
  int pump_rounds_ = 0;   // Splices per readiness event.
  PipePool pipes_;
  std::atomic<uint64_t> spliced_{0};
  std::vector<std::unique_ptr<Upstream>> upstreams_;
  mutable std::atomic<size_t> next_{0};  // Round robin.
  std::unique_ptr<Front> front_;
  std::unique_ptr<Back> back_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> client_;
};

}  // namespace weft::proxy
