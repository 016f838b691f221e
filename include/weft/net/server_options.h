#pragma once
// ServerOptions: a plain struct with sensible defaults, checked once by Server's
// constructor (std::invalid_argument names the offending field).

#include <cstddef>
#include <memory>
#include <vector>

#include "weft/core/event_loop.h"
#include "weft/core/time.h"
#include "weft/transport/transport_factory.h"

namespace weft {

class LoadBalancer;

enum class LoadBalancing { round_robin, least_connections, source_hash };

// An eighth of the machine's physical memory: the default server-wide buffer cap.
size_t default_max_buffered();

struct ServerOptions {
  // Threads: `loops` I/O loops (0: one per core). Without reuse_port an acceptor loop
  // hands new connections to them by `load_balancing` (or `load_balancer` if set); with
  // reuse_port every I/O loop has its own listener and the kernel spreads connections.
  size_t loops = 0;
  bool reuse_port = false;
  LoadBalancing load_balancing = LoadBalancing::round_robin;
  std::shared_ptr<LoadBalancer> load_balancer{};

  // Sockets.
  int backlog = 1024;
  bool tcp_nodelay = true;
  bool keep_alive = false;
  int receive_buffer = 0;  // SO_RCVBUF in bytes; 0 keeps the kernel's default.
  int send_buffer = 0;     // SO_SNDBUF in bytes; 0 keeps the kernel's default.

  // Limits. Zero disables idle_timeout and max_connections.
  Duration idle_timeout = Duration::zero();
  size_t max_connections = 0;

  // Backpressure: when a connection's unsent output rises above high_water_mark, the
  // handler hears on_high_water and the connection stops reading; when the output falls
  // back to low_water_mark, on_low_water and reading resumes. max_outbound is a hard
  // limit for every writer (callbacks, timers, tasks, ConnHandle::send): a write that
  // would queue more closes the connection with CloseReason::overflow and fails with
  // Errc::outbound_overflow, as Redis's client-output-buffer-limit does. 0: no limit.
  size_t high_water_mark = 1024 * 1024;
  size_t low_water_mark = 256 * 1024;
  size_t max_outbound = 64 * 1024 * 1024;
  // A handler that leaves more than this unconsumed closes its connection with
  // Errc::inbound_overflow: a peer cannot grow server memory by never finishing a message.
  // At most 2 GiB.
  size_t max_inbound = 16 * 1024 * 1024;

  // A cap on the bytes all connections together hold in buffers (unconsumed input and
  // unsent output). Above it every connection stops reading and the connections holding
  // the most are closed (CloseReason::overflow) until the server is back under it.
  // 0: no cap. The default is an eighth of the machine's memory.
  size_t max_buffered = default_max_buffered();

  // The peer's end of file: by default a connection closes once its output is flushed.
  // With allow_half_open, on_traffic is called with Conn::input_ended() true and the
  // connection stays open for writing until the handler closes it.
  bool allow_half_open = false;
  // A connection closed while its peer may still be sending lingers: its writing side is
  // shut and input is discarded until the peer's end of file or this long, so that late
  // input does not make the kernel reset the connection and destroy what was sent.
  // Zero closes at once.
  Duration linger_timeout = std::chrono::seconds(2);

  // The transport of every listener's connections (Server::listen(url, factory) sets one
  // per listener): a tls::Context serves TLS; null is plain TCP or Unix sockets.
  std::shared_ptr<TransportFactory> transport{};
  // A connection whose transport handshake (TLS) has not finished this long after it was
  // accepted is closed without on_open, however slowly its peer keeps sending. Zero: no
  // deadline.
  Duration handshake_timeout = std::chrono::seconds(10);

  // Graceful stop: how long queued output may take to drain before connections are cut.
  Duration shutdown_timeout = std::chrono::seconds(10);

  // Signals that stop the server (for example {SIGINT, SIGTERM}). They are blocked in the
  // thread that calls start() and in every loop thread, and read through a signalfd; call
  // start() before creating other threads so none of them receives the signal instead.
  std::vector<int> stop_signals{};

  LoopOptions loop{};
};

}  // namespace weft
