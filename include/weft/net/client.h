#pragma once
// Client: outgoing connections, run on event loops with a Handler exactly as a server's
// accepted ones are (Go's net.Dialer, netty's Bootstrap).
//
//   struct Hello : weft::Handler {
//     void on_open(weft::Conn& c) override { c.write("hello\n"); }
//     void on_traffic(weft::Conn& c) override { std::puts(std::string(c.read()).c_str()); }
//   };
//   Hello handler;
//   weft::Client client(handler);                     // one loop of its own
//   client.start();
//   client.dial("tcp://127.0.0.1:7000", [](weft::Conn* conn, std::error_code ec) {
//     if (!conn) std::printf("dial failed: %s\n", ec.message().c_str());
//   });
//
// A client has loops of its own, or runs on a server's I/O loops (a proxy dials from the
// loop of the connection it serves, so both connections share one thread). On a server's
// loops it may be made until the server begins to stop; it stops with the server (its
// connections hear on_stopping and close before the server's run() returns), and it must
// be destroyed before the server. Its dials run once the server's loops do.
//
// A dial resolves the host (numeric addresses skip the resolver), connects without
// blocking, and then runs the transport's handshake; only then does the handler hear
// on_open. Every dial ends exactly once, in its Dialed callback, on the connection's loop
// thread and never inside dial(): with the open connection, or with why it failed:
//   std::errc::connection_refused, network_unreachable, host_unreachable, ...   the connect
//   weft::Errc::timeout           ClientOptions::connect_timeout passed
//   weft::dns::Errc::name_not_found (and the other dns::Errc)   the name did not resolve
//   std::errc::operation_canceled DialHandle::cancel(), or close()/abort() on its handle
//   weft::Errc::shutdown          the client (or its server) is stopping
// A dial that fails never produces on_open or on_close. A name with several addresses
// is tried address by address until one connects, within the one connect_timeout; the
// first error is reported if none does.
//
// Threads: the constructors, start(), wait() and the destructor are for the owning
// thread; dial(), stop() and the accessors are safe from any thread.

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <system_error>

#include "weft/net/client_options.h"
#include "weft/net/conn.h"
#include "weft/net/conn_handle.h"
#include "weft/net/conn_stats.h"
#include "weft/net/handler.h"

namespace weft {

class Server;

namespace detail {
class ClientCore;
struct DialToken;
}  // namespace detail

// How a dial ended: the open connection (right after its on_open; it may already be
// closing if on_open closed it) and no error, or null and why it failed.
using Dialed = std::function<void(Conn* conn, std::error_code error)>;

// Names a dial in progress. Copy freely; harmless once the dial has ended.
class DialHandle {
 public:
  DialHandle() = default;
  // Cancels the dial if it has not connected yet: its Dialed gets
  // std::errc::operation_canceled. Does nothing once it has ended either way. Any thread.
  void cancel() const;
  bool empty() const { return conn_.empty() && token_ == nullptr; }
  // The connection, for a dial started on its own loop thread (empty otherwise).
  const ConnHandle& conn() const { return conn_; }

 private:
  friend class detail::ClientCore;
  ConnHandle conn_;
  std::shared_ptr<detail::DialToken> token_;
};

class Client {
 public:
  static constexpr size_t kAnyLoop = static_cast<size_t>(-1);

  // A client with loops of its own (options.loops); start() starts them.
  explicit Client(Handler& handler, ClientOptions options = {});
  // A client on `server`'s I/O loops. Throws std::logic_error once the server is stopping.
  Client(Server& server, Handler& handler, ClientOptions options = {});
  // Stops and waits.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts the client's own loops (nothing for a client on a server's loops). Dials made
  // before start() begin once it runs.
  void start();
  // Begins a graceful stop: dials in progress fail with Errc::shutdown, open connections
  // hear on_stopping, their output drains for up to shutdown_timeout, and they close. Any
  // thread, any number of times; returns at once.
  void stop();
  // Blocks until the stop has finished (and the client's own loops have ended).
  void wait();

  // Dials `url` (tcp://host:port, tcp://[v6]:port, unix:///path, unix://@name; datagram
  // peers, udp:// and unixgram://, are dialed with UdpServer::dial in weft/net/udp.h). The
  // connection's context slot is preset to `context` (seen in on_open). It lives on
  // `loop`; with kAnyLoop, on the calling thread's loop if that is one of this client's,
  // else the next one in turn. Throws std::invalid_argument for a malformed URL; every
  // other failure goes to done.
  DialHandle dial(std::string_view url, Dialed done = {}, void* context = nullptr, size_t loop = kAnyLoop);

  size_t loop_count() const;
  EventLoop& loop(size_t i);
  // Connections, dials in progress included (approximate while they come and go).
  size_t connection_count() const;
  // Counters of the client's connections on loop i (conn_stats.h; `accepted` counts the
  // dials started, and each ends in `closed`, failed or not). Any thread, while the
  // client lives.
  const ConnStats& conn_stats(size_t i) const;
  const ClientOptions& options() const;

 private:
  std::unique_ptr<detail::ClientCore> core_;
};

}  // namespace weft
