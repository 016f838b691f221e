#pragma once
// UDP and Unix datagram sockets on weft's loops: a DatagramHandler gets every datagram
// with its sender and answers with send_to.
//
//   class Echo : public weft::DatagramHandler {
//     void on_datagram(weft::UdpSocket& s, std::string_view data, const weft::Address& from,
//                      bool truncated) override { s.send_to(data, from); }
//   };
//   Echo echo;
//   weft::UdpServer server(echo, {.loops = 2, .reuse_port = true});
//   server.listen("udp://127.0.0.1:7001");
//   server.run();
//
// Batching. A readable socket is read with recvmmsg, up to UdpOptions::batch datagrams a
// call; replies queued by send_to leave together with sendmmsg after each batch (or in the
// loop's flush phase for a send_to from a timer or a posted task). The buffers are made
// once per socket: no allocation per datagram in steady state.
//
// Datagrams are whole: a 0-byte datagram is one. A datagram longer than
// UdpOptions::max_datagram is cut to that length and reported with truncated = true
// (MSG_TRUNC), never silently. send_to refuses a datagram longer than the address family
// allows (65,507 bytes over IPv4, 65,527 over IPv6) with std::errc::message_size.
//
// Connected sockets (clients). UdpServer::dial("udp://host:port") opens a socket connected
// to one peer: send() sends to it, only its datagrams arrive, and an ICMP port unreachable
// for what was sent reaches on_error as std::errc::connection_refused. A UdpServer that
// only dials is a UDP client.
//
// Errors. Sockets are opened with IP_RECVERR, so an ICMP error about a datagram sent
// earlier (port unreachable: std::errc::connection_refused) reaches on_error with the
// address it was sent to. An error the kernel returns for one queued datagram
// (EMSGSIZE for a Unix datagram beyond the socket's buffer) goes to on_error too, and the
// other datagrams still leave.
//
// Threads: every UdpSocket belongs to one loop; its methods and the handler's callbacks
// run on that loop's thread. UdpServer's listen/start/run/wait are for the owning thread;
// stop() is safe from any thread.

#include <sys/socket.h>

#include <cstddef>
#include <memory>
#include <string_view>
#include <system_error>
#include <vector>

#include "weft/core/address.h"
#include "weft/core/detail/io_object.h"

namespace weft {

class EventLoop;
class UdpSocket;

namespace detail {
class UdpServerCore;
}

struct UdpOptions {
  // I/O loops. With reuse_port each loop binds its own socket to the address
  // (SO_REUSEPORT: the kernel spreads senders across them); otherwise one socket on
  // loop 0 serves everyone.
  size_t loops = 1;
  bool reuse_port = false;
  // Longest datagram received whole; longer ones arrive cut, marked truncated.
  size_t max_datagram = 65536;
  // Datagrams per recvmmsg/sendmmsg call (at most 1024).
  size_t batch = 32;
  // Bytes queued for sending while the kernel's buffer is full; send_to beyond it fails
  // with std::errc::no_buffer_space (the datagram is dropped, as the network may).
  size_t max_queued = 4 * 1024 * 1024;
  // SO_RCVBUF / SO_SNDBUF; 0 keeps the system's default.
  int receive_buffer = 0;
  int send_buffer = 0;
  // Signals that stop run() (SIGINT, SIGTERM...).
  std::vector<int> stop_signals;
};

class DatagramHandler {
 public:
  virtual ~DatagramHandler() = default;
  // One datagram from `from`. data is valid until this returns. Socket's loop thread.
  virtual void on_datagram(UdpSocket& socket, std::string_view data, const Address& from, bool truncated) = 0;
  // The kernel reported an error about a datagram sent to `peer` (an ICMP error, or a
  // refused send). Socket's loop thread.
  virtual void on_error(UdpSocket& /*socket*/, std::error_code /*error*/, const Address& /*peer*/) {}
};

// One bound datagram socket on one loop. Owned by its UdpServer.
class UdpSocket final : private detail::IoObject {
 public:
  // Queues a datagram for `to`, sent with the next sendmmsg batch. Fails at once with
  // std::errc::message_size (too long for the family), address_family_not_supported, or
  // no_buffer_space (UdpOptions::max_queued). Loop thread only.
  std::error_code send_to(std::string_view bytes, const Address& to);
  // Queues a datagram for the peer of a socket from UdpServer::dial; fails as send_to
  // does, and with std::errc::not_connected on a listening socket. Loop thread only.
  std::error_code send(std::string_view bytes);
  // Bytes queued and not yet taken by the kernel.
  size_t queued_bytes() const { return queued_bytes_; }
  const Address& local_address() const { return local_; }
  // The dialed peer; an invalid Address for a listening socket.
  const Address& peer_address() const { return peer_; }
  EventLoop& loop() const { return *loop_; }
  int fd() const { return fd_; }

  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

 private:
  friend class detail::UdpServerCore;
  struct Pending;
  struct Batch;

  UdpSocket(EventLoop& loop, int fd, DatagramHandler& handler, const UdpOptions& options, const Address& local);
  std::error_code open();
  void on_io(uint32_t events) override;
  void on_flush() override;
  void read_datagrams();
  void read_errors();
  void flush_sends();
  void want_writable(bool on);

  EventLoop* loop_;
  int fd_;
  DatagramHandler* handler_;
  size_t max_datagram_;
  size_t batch_;
  size_t max_queued_;
  Address local_;
  Address peer_;
  std::unique_ptr<Batch> io_;  // recvmmsg/sendmmsg arrays and buffers, made once.
  std::vector<Pending> pending_;
  std::vector<char> arena_;  // The queued datagrams' bytes, back to back, in [0, arena_used_).
  size_t arena_used_ = 0;
  size_t sent_ = 0;  // pending_[0, sent_) have left.
  size_t queued_bytes_ = 0;
  bool dirty_ = false;
  bool writable_armed_ = false;
};

class UdpServer {
 public:
  // Throws std::invalid_argument for inconsistent options.
  explicit UdpServer(DatagramHandler& handler, UdpOptions options = {});
  ~UdpServer();
  UdpServer(const UdpServer&) = delete;
  UdpServer& operator=(const UdpServer&) = delete;

  // Binds udp://host:port or unixgram:///path (port 0 picks a free port: see address()).
  // Before start(). Throws std::system_error if the socket cannot be bound.
  UdpServer& listen(std::string_view url);
  // Opens a socket on loop `loop` connected to udp://host:port (numeric host) or
  // unixgram:///path, bound to an address the kernel picks. Before start(). Returns the
  // socket (also socket(socket_count() - 1)); throws std::invalid_argument for another
  // scheme or a loop out of range, std::system_error if the socket cannot be opened.
  UdpSocket& dial(std::string_view url, size_t loop = 0);
  // Starts the loops and returns.
  void start();
  // start() if needed, then waits until stop() or a stop signal.
  void run();
  // Stops the loops; run() and wait() return. Any thread; idempotent.
  void stop();
  void wait();

  const Address& address(size_t i = 0) const;
  size_t loop_count() const;
  EventLoop& loop(size_t i);
  // The sockets opened so far, in order: bound ones (one per loop with reuse_port) and
  // dialed ones. Loop threads use their own.
  size_t socket_count() const;
  UdpSocket& socket(size_t i);

 private:
  std::unique_ptr<detail::UdpServerCore> core_;
};

}  // namespace weft
