#pragma once
// Worker processes for any weft server program: --workers N runs the program's server in N
// processes under a weft::Supervisor (master/workers, restarts, hot restart on SIGUSR2,
// reload on SIGHUP); without it the server runs in this process, adopting sockets from
// systemd's socket activation when there are any.
//
// Whatever a program keeps in memory is per process: with --workers each worker has its
// own (weft-kv's keys, weft-proxy's view of upstream health), and a client sees the state
// of the worker that accepted its connection.
//
//   --workers N             worker processes; 0 serves in this process
//   --ready-timeout SECONDS how long a worker or a new generation may take to start
//
// A program adds the flags and hands its serve function to run_workers(), which returns
// main's exit status:
//
//   weft::tools::ServerFlags server{.addr = "tcp://127.0.0.1:7000"};
//   weft::tools::WorkerFlags workers;
//   weft::tools::add_server_flags(app, server);
//   weft::tools::add_worker_flags(app, workers);
//   app.parse_or_exit(argc, argv);
//   return weft::tools::run_workers("weft-hello", server, workers, [&](weft::Worker& worker) {
//     Greeter greeter;
//     weft::Server s(greeter, server.options);
//     worker.attach(s);      // never s.listen(server.addr): the worker knows its sockets
//     s.start();
//     worker.ready();
//     s.wait();
//     return 0;
//   });

#include <cstddef>
#include <string>

#include "cli.h"
#include "server_flags.h"
#include "weft/process/supervisor.h"

namespace weft::tools {

struct WorkerFlags {
  std::size_t workers = 0;
  Duration ready_timeout = std::chrono::seconds(10);
};

void add_worker_flags(App& app, WorkerFlags& flags);

// Sets the log level (server.log), then runs serve in this process (workers 0) or in
// flags.workers worker processes listening on server.addr (with --reuseport each worker
// binds its own sockets). SIGHUP reloads the log level and TLS certificates (reload.h) in
// every process; serve needs no signal handling of its own beyond the server's stop
// signals. A log level file that cannot be used is reported as "<program>: <reason>" with
// status 2; a failure to listen with status 1.
int run_workers(const std::string& program, const ServerFlags& server, const WorkerFlags& flags,
                const Supervisor::Serve& serve);

}  // namespace weft::tools
