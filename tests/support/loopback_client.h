#pragma once
// LoopbackClient: a plain socket client for tests, with a deadline on every operation.
// The socket is non-blocking underneath; each call polls until it completes or its
// timeout passes, and reports how it ended. Sends use MSG_NOSIGNAL, so a peer that went
// away never raises SIGPIPE in the test process. One thread at a time per operation
// direction (one reader and one writer thread may share a client).

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>

#include "sync.h"
#include "weft/core/address.h"
#include "weft/core/time.h"

namespace weft::test {

struct ClientOptions {
  int receive_buffer = 0;  // SO_RCVBUF, set before connecting; 0 keeps the default.
  int send_buffer = 0;     // SO_SNDBUF, set before connecting; 0 keeps the default.
  std::string bind_host;   // A local IP to bind to before connecting ("127.0.0.2").
};

enum class Outcome { ok, eof, reset, timeout, error };
const char* to_string(Outcome outcome);
inline void PrintTo(Outcome outcome, std::ostream* os) {
  *os << to_string(outcome);
}

struct IoResult {
  Outcome outcome = Outcome::ok;
  size_t bytes = 0;  // Bytes transferred before it ended.
  int error = 0;     // errno for reset and error.
  bool ok() const { return outcome == Outcome::ok; }
  // "eof after 12 bytes", for failure messages.
  std::string describe() const;
};

class LoopbackClient {
 public:
  LoopbackClient() = default;
  // Connects (waiting up to timeout). Check connected() or connect_error().
  explicit LoopbackClient(const Address& server, const ClientOptions& options = {}, Duration timeout = kWait);
  ~LoopbackClient() { close(); }
  LoopbackClient(LoopbackClient&& other) noexcept;
  LoopbackClient& operator=(LoopbackClient&& other) noexcept;
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  const std::string& connect_error() const { return connect_error_; }
  int fd() const { return fd_; }
  Address local_address() const;

  IoResult send_all(std::string_view bytes, Duration timeout = kWait);
  // Waits for at least one byte and returns what one read gives (up to max).
  IoResult read_some(char* out, size_t max, Duration timeout = kWait);
  IoResult read_exact(char* out, size_t n, Duration timeout = kWait);
  IoResult read_exact(std::string& out, size_t n, Duration timeout = kWait);
  // Reads until end of file, appending to out. ok() is false unless it ended with EOF;
  // then outcome is Outcome::eof.
  IoResult read_to_eof(std::string& out, Duration timeout = kWait);
  // Discards incoming bytes until the peer closes; returns eof, reset or timeout.
  IoResult wait_closed(Duration timeout = kWait);

  // Sends size bytes of the pattern named by seed while reading the echo back, checking
  // every byte. ok() when the whole echo arrived intact; a mismatch is Outcome::error with
  // bytes set to the offset of the first wrong byte.
  IoResult echo_pattern(uint64_t seed, size_t size, Duration timeout = kWait);

  void shutdown_write();
  // Closes so that the peer sees a reset (SO_LINGER {1, 0}).
  void reset();
  void close();

 private:
  int fd_ = -1;
  std::string connect_error_;
};

// Sends bytes from a background thread (for clients that must read while they write).
// If the test ends early, the destructor shuts the socket down so the thread returns.
class BackgroundSend {
 public:
  BackgroundSend(LoopbackClient& client, std::string bytes, Duration timeout = kWait, bool shutdown_after = false);
  ~BackgroundSend();
  BackgroundSend(const BackgroundSend&) = delete;
  BackgroundSend& operator=(const BackgroundSend&) = delete;
  // Waits for the thread and returns how the send ended.
  IoResult wait();

 private:
  LoopbackClient& client_;
  std::string bytes_;
  IoResult result_;
  std::thread thread_;
};

}  // namespace weft::test
