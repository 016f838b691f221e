#include "server_flags.h"

#include <csignal>

namespace weft::tools {

ServerOptions ServerFlags::default_options() {
  ServerOptions options;
  options.stop_signals = {SIGINT, SIGTERM};
  return options;
}

void add_server_flags(App& app, ServerFlags& flags) {
  ServerOptions& o = flags.options;
  app.add_address("--addr", flags.addr,
                  "address to listen on: tcp://host:port, tcp://[v6]:port, unix:///path or unix://@name");
  app.add_number("--loops", o.loops, "I/O loops, one thread each; 0 for one per core", size_t{0}, size_t{1024});
  app.add_choice("--lb", o.load_balancing,
                 {{"rr", LoadBalancing::round_robin},
                  {"least", LoadBalancing::least_connections},
                  {"hash", LoadBalancing::source_hash}},
                 "how new connections are spread over the loops: round-robin, least connections or a hash of "
                 "the client's address");
  app.add_flag("--reuseport", o.reuse_port, "a listener per loop (SO_REUSEPORT): the kernel spreads connections");
  app.add_duration("--idle-timeout", o.idle_timeout, "close connections idle this long; 0 never does");
  app.add_duration("--shutdown-timeout", o.shutdown_timeout,
                   "on SIGINT or SIGTERM, how long connections may take to finish before they are cut");
  app.add_flag("--edge-triggered", o.loop.edge_triggered, "edge-triggered epoll instead of level-triggered");
  app.add_flag("--quiet", flags.quiet, "print nothing at start-up");
  add_tls_flags(app, flags.tls);
  add_log_flags(app, flags.log);
}

std::shared_ptr<tls::Context> use_tls(const App& app, ServerFlags& flags) {
  std::shared_ptr<tls::Context> context = make_tls_context(app, flags.tls);
  flags.options.transport = context;
  flags.tls_context = context;
  return context;
}

}  // namespace weft::tools
