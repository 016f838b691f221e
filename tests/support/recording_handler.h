#pragma once
// RecordingHandler: an echo handler that records what happened to each connection (opens,
// closes with reason and error, on which loop), for tests to wait on and assert. Tests
// override on_traffic or the hooks for other behaviour.

#include <mutex>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

#include "sync.h"
#include "weft/net/conn.h"
#include "weft/net/handler.h"

namespace weft {
// Lets GoogleTest print close reasons by name.
inline void PrintTo(CloseReason reason, std::ostream* os) {
  *os << to_string(reason);
}
}  // namespace weft

namespace weft::test {

struct CloseRecord {
  CloseReason reason;
  std::error_code error;
  std::string describe() const;
};

class RecordingHandler : public Handler {
 public:
  void on_open(Conn& conn) override;
  // Echoes everything, segment by segment.
  void on_traffic(Conn& conn) override;
  void on_close(Conn& conn, CloseReason reason, std::error_code error) override;

  std::vector<CloseRecord> close_records() const;
  // Waits until n connections have closed; returns their records (possibly fewer).
  std::vector<CloseRecord> wait_closes(size_t n, Duration timeout = kWait) const;

  Counter opened;
  Counter closed;

 private:
  mutable std::mutex mutex_;
  std::vector<CloseRecord> closes_;
};

void echo_all(Conn& conn);

}  // namespace weft::test
