#pragma once
// What SIGHUP reloads in a weft server program, without a restart:
//
//   the log level      read again from --log-level-file (log_flags.h)
//   TLS certificates   read again from --tls-cert and --tls-key (tls::Context::reload):
//                      new handshakes use them, connections keep theirs
//
// Each process reports what it did in one line on standard error, also when the log
// level hides weft's own messages:
//
//   weft-http[4250]: SIGHUP: log level debug (from /etc/weft/log-level); TLS certificates reloaded
//
// A file that cannot be used is reported in that line and the old setting stays.
// run_workers (worker_flags.h) wires this up: in a standalone server a thread waits for
// SIGHUP; under --workers the master re-reads the log level and passes the signal to every
// worker, which reloads both.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "log_flags.h"
#include "weft/tls/context.h"

namespace weft::tools {

struct Reload {
  std::string program;
  LogFlags log;
  std::shared_ptr<tls::Context> tls;  // Null without --tls-cert.

  // Reloads the log level and the certificates, and reports it. Any thread.
  void operator()() const;
  // The log level only (a master, which holds no TLS context in use). Any thread.
  void log_level() const;

 private:
  void run(bool with_tls) const;
};

// Runs `action` on each SIGHUP, on a thread of its own, until destroyed. Create it on the
// main thread before any other thread starts: it blocks SIGHUP for the threads started
// after it (SIGHUP would otherwise end the process), and its own thread blocks every signal
// so that the server's stop signals never land there.
class ReloadOnHangup {
 public:
  explicit ReloadOnHangup(std::function<void()> action);
  ~ReloadOnHangup();
  ReloadOnHangup(const ReloadOnHangup&) = delete;
  ReloadOnHangup& operator=(const ReloadOnHangup&) = delete;

 private:
  std::function<void()> action_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace weft::tools
