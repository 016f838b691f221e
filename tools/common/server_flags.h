#pragma once
// The flags every weft server program shares, filling weft::ServerOptions:
//
//   --addr URL            where to listen
//   --loops N             I/O loops (0: one per core)
//   --lb rr|least|hash    how the acceptor spreads connections over the loops
//   --reuseport           a listener per loop instead (SO_REUSEPORT)
//   --idle-timeout SECONDS
//   --shutdown-timeout SECONDS
//   --edge-triggered      edge-triggered epoll
//   --quiet               no start-up line
//   --tls-cert, --tls-key, --tls-ca, --tls-verify-client   TLS (tls_flags.h)
//   --log-level, --log-level-file                          logging (log_flags.h)
//
// worker_flags.h adds --workers (worker processes under a master) to a program.
//
// Set the program's own defaults in a ServerFlags before add_server_flags(), which shows
// them in --help. After parsing, use_tls() turns the TLS flags into the server's transport,
// and run_workers() (worker_flags.h) applies the log level and reloads both on SIGHUP.
// See cli.h for a complete program.

#include <string>

#include "cli.h"
#include "log_flags.h"
#include "tls_flags.h"
#include "weft/net/server_options.h"

namespace weft::tools {

struct ServerFlags {
  std::string addr;
  // Stops gracefully on SIGINT and SIGTERM unless the program says otherwise.
  ServerOptions options = default_options();
  bool quiet = false;
  TlsFlags tls{};
  LogFlags log{};
  // Set by use_tls(): the context SIGHUP reloads.
  std::shared_ptr<tls::Context> tls_context{};

  static ServerOptions default_options();
};

void add_server_flags(App& app, ServerFlags& flags);

// After parsing: with --tls-cert, sets options.transport to a TLS context and returns it
// (null without). Exits 2 on inconsistent TLS flags; throws on files OpenSSL refuses.
std::shared_ptr<tls::Context> use_tls(const App& app, ServerFlags& flags);

}  // namespace weft::tools
