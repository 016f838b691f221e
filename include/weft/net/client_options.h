#pragma once
// ClientOptions: a plain struct with sensible defaults, checked once by Client's
// constructor (std::invalid_argument names the offending field). The socket and
// connection fields mean what they mean in ServerOptions.

#include <cstddef>
#include <memory>
#include <string>
#include <system_error>

#include "weft/core/event_loop.h"
#include "weft/core/time.h"
#include "weft/dns/resolver.h"
#include "weft/net/heartbeat.h"
#include "weft/transport/transport_factory.h"

namespace weft {

struct ClientOptions {
  // Threads of a client with loops of its own (0: one per core). A client on a server's
  // loops uses those instead.
  size_t loops = 1;

  // Dialing. connect_timeout bounds name resolution and the connect together; a dial
  // still unfinished then fails with Errc::timeout. local_address binds each socket
  // before it connects ("tcp://10.0.0.5:0": port 0 picks one at connect time); empty
  // lets the kernel choose.
  Duration connect_timeout = std::chrono::seconds(10);
  std::string local_address{};
  // Name resolution for hosts that are not numeric; empty: dns::default_resolver().
  dns::ResolverFactory resolver{};
  // The transport each connection speaks once connected, made on the connection's loop
  // with the host that was dialled (for SNI and the name check): a tls::Context::client
  // makes every dial a verified TLS connection, and the handler hears on_open after the
  // handshake. Null: plain TCP or Unix sockets.
  std::shared_ptr<TransportFactory> transport{};

  // Sockets.
  bool tcp_nodelay = true;
  bool keep_alive = false;
  int receive_buffer = 0;  // SO_RCVBUF in bytes, set before connecting; 0 keeps the default.
  int send_buffer = 0;     // SO_SNDBUF in bytes, set before connecting; 0 keeps the default.

  // Connections, as in ServerOptions.
  Duration idle_timeout = Duration::zero();
  Heartbeat heartbeat{};
  size_t high_water_mark = 1024 * 1024;
  size_t low_water_mark = 256 * 1024;
  size_t max_outbound = 64 * 1024 * 1024;
  bool pause_on_high_water = true;
  size_t max_inbound = 16 * 1024 * 1024;
  bool allow_half_open = false;
  Duration linger_timeout = std::chrono::seconds(2);
  // stop(): how long queued output may take to drain before connections are cut.
  Duration shutdown_timeout = std::chrono::seconds(10);

  LoopOptions loop{};
};

}  // namespace weft
