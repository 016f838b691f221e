#pragma once
// ServerOptions: a plain struct with sensible defaults, checked once by Server's
// constructor (std::invalid_argument names the offending field).

#include <cstddef>
#include <memory>
#include <vector>

#include "weft/core/event_loop.h"
#include "weft/core/time.h"

namespace weft {

class LoadBalancer;

enum class LoadBalancing { round_robin, least_connections, source_hash };

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

  // Backpressure: on_high_water fires when a connection's unsent output rises above
  // high_water_mark, on_low_water when it falls back to low_water_mark. Above
  // max_outbound the connection is not read until its output drains to low_water_mark.
  size_t high_water_mark = 1024 * 1024;
  size_t low_water_mark = 256 * 1024;
  size_t max_outbound = 4 * 1024 * 1024;
  // A handler that leaves more than this unconsumed closes its connection with
  // Errc::inbound_overflow: a peer cannot grow server memory by never finishing a message.
  size_t max_inbound = 16 * 1024 * 1024;

  // Graceful stop: how long queued output may take to drain before connections are cut.
  Duration shutdown_timeout = std::chrono::seconds(10);

  // Signals that stop the server (for example {SIGINT, SIGTERM}). They are blocked in the
  // thread that calls start() and in every loop thread, and read through a signalfd; call
  // start() before creating other threads so none of them receives the signal instead.
  std::vector<int> stop_signals{};

  LoopOptions loop{};
};

}  // namespace weft
