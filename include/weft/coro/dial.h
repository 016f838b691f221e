#pragma once
// co_await dial(url, timeout): opens an outgoing connection from a coroutine and returns
// it as a Stream on the coroutine's own loop.
//
//   auto upstream = co_await weft::dial("tcp://127.0.0.1:6379", 2s);
//   if (!upstream) co_return;   // refused, timed out, closed, bad address...
//   co_await upstream->write("PING\r\n");
//
// The connect is non-blocking (EPOLLOUT on the loop). Errors: the connect's own errno
// (std::errc::connection_refused, ...), Errc::timeout after `timeout`, Errc::closed if
// the coroutine is cancelled meanwhile, Errc::shutdown once the server is stopping,
// std::errc::invalid_argument for a malformed URL or a datagram one (udp://, unixgram://:
// udp_connect in weft/coro/datagram_socket.h gives a connected datagram socket), a
// weft::dns::Errc for a name that does not resolve. A host name is resolved without
// blocking by the loop's resolver (weft::dns::default_resolver(), c-ares, cached for the
// records' time to live), within the same timeout; the first address it gives is dialed.
// Numeric hosts skip it.
//
// Dialed connections belong to the CoroServer that runs the coroutine: they follow its
// ServerOptions (nodelay, buffers, water marks, idle timeout), count in its connection
// count, and are closed when it stops. dial works in coroutines a CoroServer runs (a
// CoroServer that listens nowhere is a client runtime); elsewhere it reports
// std::errc::operation_not_supported.

#include <chrono>
#include <string_view>

#include "weft/core/address.h"
#include "weft/core/time.h"
#include "weft/coro/detail/dial_op.h"

namespace weft {

inline detail::DialOp dial(std::string_view url, Duration timeout = std::chrono::seconds(10)) {
  return detail::DialOp(url, timeout);
}
inline detail::DialOp dial(const Address& address, Duration timeout = std::chrono::seconds(10)) {
  return detail::DialOp(address, timeout);
}

}  // namespace weft
