#pragma once
// External servers for tests that talk to real programs over a Unix socket: weft-kv and
// redis-server, each started by the test in its own process on a fresh socket path, and
// stopped by pid (SIGTERM, then SIGKILL) when the object goes. run_program runs a client
// program (redis-cli, redis-benchmark) to completion with a bound on its time.

#include <optional>
#include <string>
#include <vector>

#include "child_process.h"
#include "sync.h"
#include "weft/core/address.h"

namespace weft::test {

class ExternalServer {
 public:
  // Starts argv[0] with argv; the server must listen on `socket_path`. Check ready().
  ExternalServer(std::vector<std::string> argv, std::string socket_path, Duration startup = kWait);
  ~ExternalServer();
  ExternalServer(const ExternalServer&) = delete;
  ExternalServer& operator=(const ExternalServer&) = delete;

  bool ready() const { return ready_; }
  const std::string& socket_path() const { return socket_path_; }
  Address address() const { return Address::parse("unix://" + socket_path_); }
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  // SIGTERM, then SIGKILL if it is still there after `grace`; returns the wait status.
  std::optional<int> stop(Duration grace = std::chrono::seconds(10));

 private:
  std::vector<std::string> argv_;
  std::string socket_path_;
  std::optional<ChildProcess> child_;
  bool ready_ = false;
};

// weft-kv (the built binary, WEFT_KV_PATH) with `loops` loops and any extra flags.
std::unique_ptr<ExternalServer> start_weft_kv(size_t loops, const std::vector<std::string>& flags = {});
// redis-server from the system, without persistence; null when it is not installed.
std::unique_ptr<ExternalServer> start_redis(const std::vector<std::string>& flags = {});

struct ProgramResult {
  std::string output;  // stdout, then stderr.
  int status = -1;     // The wait status; -1 when it had to be killed.
};
// Runs argv with `input` on stdin, for at most `timeout`.
ProgramResult run_program(const std::vector<std::string>& argv, const std::string& input,
                          Duration timeout = std::chrono::seconds(60));

bool program_exists(const std::string& path);

}  // namespace weft::test
