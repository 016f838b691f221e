#pragma once
// Dialer: the dialing half of a client on one loop. A dial is a connection from the
// start: it takes its table slot (so a handle can cancel it) in the connecting state,
// before its name is resolved or its socket exists, and the loop's connecting list times
// it out. The dialer resolves the name, connects to each address in turn until one
// succeeds (non-blocking connect, then writability and SO_ERROR, connect(2)), installs
// the client's transport, and hands the connection to Conn::connected(). It hears of the
// end through opened() (the handshake is done) or failed() (the connection finalizes
// without having opened), and reports it once. Loop thread only.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/dial_target.h"
#include "weft/dns/resolver.h"
#include "weft/net/client.h"
#include "weft/net/client_options.h"
#include "weft/net/conn.h"

namespace weft::detail {

class LoopContext;

// What a dial started off its loop shares with its DialHandle.
struct DialToken {
  std::mutex mutex;
  ConnHandle conn;         // Once the loop has started the dial.
  bool cancelled = false;  // cancel() came first.
  bool ended = false;
};

class Dialer {
 public:
  Dialer(LoopContext& ctx, const ClientOptions& options, const Address& local);
  ~Dialer();
  Dialer(const Dialer&) = delete;
  Dialer& operator=(const Dialer&) = delete;

  // Starts a dial; returns its connection's handle (empty if it could not even start,
  // in which case done is called from a posted task).
  ConnHandle start(DialTarget target, Dialed done, void* context, std::shared_ptr<DialToken> token);

  // The connection's fd became ready (or failed) while connecting.
  void ready(Conn& conn, uint32_t events);
  // The connection has opened: calls on_open, then reports success.
  void opened(Conn& conn);
  // The connection finalizes without having opened: reports why.
  void failed(Conn& conn, std::error_code error);

 private:
  struct State;
  static State& state_of(Conn& conn);
  void resolved(uint32_t slot, uint32_t generation, std::error_code error, const std::vector<Address>& addresses);
  void attempt(Conn& conn);
  int open_socket(const Address& to, std::error_code& error) const;
  void finish(State& state, Conn* conn, std::error_code error);

  LoopContext& ctx_;
  const ClientOptions& options_;
  Address local_;
  std::unique_ptr<dns::Resolver> resolver_;  // Made by the first name to resolve.
};

}  // namespace weft::detail
