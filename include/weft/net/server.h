#pragma once
// Server: listeners, an acceptor, and a group of I/O loops serving one Handler.
//
//   MyHandler handler;
//   weft::Server server(handler, {.loops = 4});
//   server.listen("tcp://0.0.0.0:7000");
//   server.run();                       // until stop() or a stop signal
//
// Life cycle: construct, listen() one or more addresses, start() (or run()), stop() from
// any thread, wait(). Stopping closes the listeners, stops reading, lets queued output
// drain for up to shutdown_timeout, closes every connection (reason shutdown), calls
// on_shutdown and returns from run()/wait(). The destructor stops and waits.

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "weft/core/address.h"
#include "weft/net/conn.h"
#include "weft/net/conn_stats.h"
#include "weft/net/conn_handle.h"
#include "weft/net/handler.h"
#include "weft/net/load_balancer.h"
#include "weft/net/server_options.h"

namespace weft {

namespace detail {
class ClientCore;
class ServerCore;
}  // namespace detail

class Server {
 public:
  // Throws std::invalid_argument if the options are inconsistent.
  explicit Server(Handler& handler, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens now, so errors surface here: std::invalid_argument for a malformed
  // address, std::system_error ("listen tcp://127.0.0.1:7000: Address already in use") for
  // one the kernel refuses. Port 0 picks a free port; address() tells which. Call before
  // start(), from the owning thread.
  Server& listen(std::string_view url);
  // The same, with this listener's own transport (a tls::Context for a TLS port beside a
  // plain one) instead of ServerOptions::transport; null means plain.
  Server& listen(std::string_view url, std::shared_ptr<TransportFactory> transport);
  // Serves a socket that is already listening (inherited from a supervisor, an earlier
  // generation of the program or systemd) instead of binding one. Takes ownership of fd
  // and makes it non-blocking and close-on-exec. Closing it at stop leaves the socket
  // open in the other processes that hold it, and never removes a Unix socket's file.
  // Throws std::invalid_argument if fd is not a listening socket. Call before start(),
  // from the owning thread.
  Server& listen_fd(int fd);

  // Calls on_boot, starts the loops and begins accepting; returns at once.
  void start();
  // start() unless started, then wait().
  void run();
  // Blocks until the server has stopped and every loop thread has finished.
  void wait();
  // Begins a graceful stop. Any thread, any number of times; returns at once.
  void stop();
  // Closes the listeners and leaves the open connections alone, for a layer that finishes
  // its connections itself before stop() (http::CoroServer). A listening socket shared
  // with other processes (a hot restart's next generation) stays open in them. then, if
  // set, runs on the server's main loop once its listeners are closed: a task it posts to
  // an I/O loop runs after every connection accepted before has been added to that loop.
  // Any thread, after start(); returns at once; then never runs once the server has
  // stopped. stop() closes the listeners anyway.
  void stop_accepting(std::function<void()> then = {});

  // Adds a socket connected elsewhere (a client's outgoing connection) to the calling I/O
  // loop as if it had been accepted: the handler sees on_open there, with conn.context()
  // already set to `context`. Takes ownership of fd. Call it on one of this server's I/O
  // loop threads; it returns false, with fd closed and no callback, on any other thread or
  // once the server is stopping.
  bool adopt(int fd, void* context);
  // The same over a transport made by `transport` (an outgoing TLS connection: peer_name
  // is the name dialled, which the client side verifies). The handshake runs before
  // on_open; if it fails, the connection closes without on_open or on_close.
  bool adopt(int fd, void* context, TransportFactory& transport, std::string_view peer_name = {});

  // The bound address of the i-th listen() call.
  const Address& address(size_t i = 0) const;
  size_t loop_count() const;
  EventLoop& loop(size_t i);
  // Open connections, in total and per I/O loop (approximate while connections come and go).
  size_t connection_count() const;
  std::vector<size_t> connections_per_loop() const;
  const ServerOptions& options() const;

  // Counters of the connections on I/O loop i (conn_stats.h); loop(i).stats() has the
  // loop's own. Any thread; valid while the server lives.
  const ConnStats& conn_stats(size_t i) const;
  // Times accepting ran out of descriptors or memory (EMFILE and its kin), over every
  // listener. Any thread.
  uint64_t accept_exhausted() const;
  // Runs fn for every open connection of I/O loop i. Only on loop i's thread (post to it).
  void for_each_connection(size_t i, const std::function<void(Conn&)>& fn);

 private:
  friend class detail::ClientCore;  // A client on this server's loops stops with it.
  std::unique_ptr<detail::ServerCore> core_;
};

}  // namespace weft
