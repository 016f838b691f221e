#pragma once
// DatagramSocket: UDP (and Unix datagram) sockets for coroutines.
//
//   auto sock = co_await weft::udp_bind("udp://127.0.0.1:7001");     // a server
//   if (!sock) co_return;
//   char buf[2048];
//   for (;;) {
//     auto d = co_await sock->recv_from(buf);                       // Result<Datagram>
//     if (!d) break;
//     co_await sock->send_to({buf, d->size}, d->from);
//   }
//
//   auto peer = co_await weft::udp_connect("udp://127.0.0.1:53");   // a connected client
//   co_await peer->send("query");
//   auto reply = co_await with_timeout(1s, peer->recv_from(buf));   // Errc::timeout if lost
//
// udp_bind and udp_connect open the socket on the calling coroutine's loop; they fail
// with the bind or connect error. udp_connect to a host name asks the loop's resolver
// first (as dial does: the loop never blocks; an unknown name fails with
// dns::Errc::name_not_found, and with_timeout bounds the wait); otherwise both complete
// at once. udp_bind takes a local address (numeric, a Unix path, or a name from the
// hosts file, resolved on the spot). A connected
// socket (udp_connect) exchanges datagrams with its one peer, and an ICMP port
// unreachable for what it sent surfaces as std::errc::connection_refused from its next
// recv_from or send. An unconnected socket ignores ICMP errors, as plain UDP does (the
// callback API, weft/net/udp.h, reports them).
//
// recv_from copies one datagram into the buffer: a datagram longer than the buffer is cut
// and marked truncated (MSG_TRUNC). A 0-byte datagram is a datagram. send_to sends one
// datagram, waiting only while the kernel's buffer is full; one longer than the family
// allows fails with std::errc::message_size. Each call is one syscall: the callback API
// batches with recvmmsg/sendmmsg for servers that need the throughput.
//
// Like a Stream's, operations are cancelled with their coroutine (Errc::closed) and
// bounded by with_timeout; one recv and one send may be pending at a time (a second gets
// std::errc::operation_in_progress). Every awaitable is [[nodiscard]].
//
// Ownership and threads: a DatagramSocket owns its socket (closed when destroyed), is
// move-only, and belongs to the loop thread it was opened on.

#include <cstddef>
#include <span>
#include <string_view>

#include "weft/core/address.h"
#include "weft/coro/detail/datagram_ops.h"
#include "weft/coro/result.h"

namespace weft {

class DatagramSocket {
 public:
  DatagramSocket() = default;
  explicit DatagramSocket(detail::DatagramState* state) noexcept : state_(state) {}
  DatagramSocket(DatagramSocket&& other) noexcept : state_(other.state_) { other.state_ = nullptr; }
  DatagramSocket& operator=(DatagramSocket&& other) noexcept;
  DatagramSocket(const DatagramSocket&) = delete;
  DatagramSocket& operator=(const DatagramSocket&) = delete;
  ~DatagramSocket() { close(); }

  // One datagram into buffer, with its sender.
  detail::RecvFromOp recv_from(std::span<char> buffer) { return {state_, buffer}; }
  // One datagram to `to` (unconnected sockets).
  detail::SendToOp send_to(std::string_view bytes, const Address& to) { return {state_, bytes, &to}; }
  // One datagram to the connected peer (udp_connect).
  detail::SendToOp send(std::string_view bytes) { return {state_, bytes, nullptr}; }

  // Closes the socket; pending operations complete with Errc::closed.
  void close();
  bool is_open() const { return state_ != nullptr; }
  Address local_address() const;

 private:
  detail::DatagramState* state_ = nullptr;
};

// Opens a datagram socket bound to url (udp://host:port, unixgram:///path) on the
// calling coroutine's loop. co_await it; it completes at once.
inline detail::OpenDatagramOp udp_bind(std::string_view url) {
  return detail::OpenDatagramOp(url, false);
}
// Opens a UDP socket connected to url (udp://host:port, unixgram:///path) on the calling
// coroutine's loop; a host name is resolved first, without blocking the loop.
inline detail::OpenDatagramOp udp_connect(std::string_view url) {
  return detail::OpenDatagramOp(url, true);
}

}  // namespace weft
