#pragma once
// TransportFactory: where a connection's transport comes from when it is not plain TCP.
// A server takes one for all its listeners (ServerOptions::transport) or one per listener
// (Server::listen(url, factory)); an outgoing connection is adopted with one
// (Server::adopt(fd, context, factory, peer_name)). weft's own factory is tls::Context
// (weft/tls/context.h); nothing above the connection knows which transport it has.
//
// Ownership: the server keeps a shared reference for as long as it may accept or adopt.
// A transport the factory makes belongs to its connection, which releases it when the
// connection is finalized.

#include <string_view>

namespace weft {

namespace detail {
class Transport;
}

// What a new connection's transport is made for.
struct TransportSetup {
  int fd = -1;                 // The connected socket; it stays owned by the connection.
  std::string_view peer_name;  // An outgoing connection: the name dialled (SNI, name checks).
  bool edge_triggered = false;  // The loop's readiness mode, which decides how far a read drains.
};

class TransportFactory {
 public:
  virtual ~TransportFactory() = default;
  // Makes the transport for one connection, on the loop thread that will own it. Returns
  // null to refuse the connection (the factory logs why); the socket is then closed and
  // the handler hears nothing of it. Must be safe to call from several loops at once.
  virtual detail::Transport* make_transport(const TransportSetup& setup) = 0;
};

}  // namespace weft
