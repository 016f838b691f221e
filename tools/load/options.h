#pragma once

#include <cstddef>
#include <string>

namespace weft_load {

enum class Proto { echo, line, length };

const char* proto_name(Proto p) noexcept;

struct Options {
  std::string addr = "tcp://127.0.0.1:7000";
  unsigned conns = 100;
  std::size_t size = 64;   // bytes per message on the wire, framing included
  unsigned pipeline = 1;   // max messages in flight per connection
  double duration_s = 10;  // measured window
  double warmup_s = 1;     // runs before the window; not recorded
  unsigned threads = 1;
  double rate = 0;  // total requests/s; 0 = closed loop
  Proto proto = Proto::echo;
  bool json = false;
  unsigned idle = 0;  // > 0 selects idle mode with that many connections
  double connect_timeout_s = 5;
  double response_timeout_s = 2;  // an older unanswered message is an error
  int server_pid = 0;             // > 0: sample this process's CPU time and RSS
  std::string admin;              // not empty: serve the generator's own metrics there

  bool idle_mode() const noexcept { return idle > 0; }
  bool rate_mode() const noexcept { return rate > 0; }
};

// Parses argv with weft's command-line convention (tools/common/cli.h): --help and
// --version exit 0, a bad flag or value exits 2 with a message naming the flag.
Options parse_options(int argc, char** argv);

}  // namespace weft_load
