#include "worker_flags.h"

#include <cstdio>
#include <exception>
#include <optional>

#include "reload.h"

namespace weft::tools {

void add_worker_flags(App& app, WorkerFlags& flags) {
  app.add_number("--workers", flags.workers,
                 "worker processes under a master (restarts, hot restart on SIGUSR2); 0 serves in this process",
                 std::size_t{0}, std::size_t{1024});
  app.add_duration("--ready-timeout", flags.ready_timeout,
                   "how long a worker, or a new generation after SIGUSR2, may take to start");
}

int run_workers(const std::string& program, const ServerFlags& server, const WorkerFlags& flags,
                const Supervisor::Serve& serve) {
  std::string error;
  std::optional<LogLevel> level = configured_log_level(server.log, error);
  if (!level) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), error.c_str());
    return 2;
  }
  set_log_level(*level);
  Reload reload{program, server.log, server.tls_context};
  try {
    if (flags.workers == 0) {
      Worker worker = Worker::standalone({server.addr});
      ReloadOnHangup hangup(reload);
      return serve(worker);
    }
    SupervisorOptions options;
    options.workers = flags.workers;
    options.listen = {server.addr};
    options.reuse_port = server.options.reuse_port;
    options.ready_timeout = flags.ready_timeout;
    // The workers' own shutdown deadline and lingering closes, with room to spare.
    options.stop_timeout = server.options.shutdown_timeout + server.options.linger_timeout + std::chrono::seconds(5);
    options.on_reload = reload;
    options.on_master_reload = [reload] { reload.log_level(); };
    Supervisor supervisor(options, serve);
    return supervisor.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
    return 1;
  }
}

}  // namespace weft::tools
