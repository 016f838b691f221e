// A connection the poller refuses to watch (epoll_ctl failing with ENOMEM or ENOSPC under
// a flood, injected here) is closed at once, counted and logged once per burst; the
// handler hears nothing of it (no on_open, so no on_close), nothing escapes the loop, and
// the server goes on serving the next connections. With reuse_port every I/O loop
// accepts for itself, which used to take the process down.

#include <gtest/gtest.h>

#include <cerrno>
#include <mutex>
#include <string>
#include <vector>

#include "loopback_client.h"
#include "poller/fault_injection.h"
#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/core/log.h"

namespace weft::test {
namespace {

// Captures log lines for the length of a test.
class LogCapture {
 public:
  LogCapture() {
    set_log_sink([this](LogLevel, std::string_view message) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(message);
    });
  }
  ~LogCapture() { set_log_sink({}); }
  size_t count(std::string_view needle) const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const std::string& l : lines_) n += l.find(needle) != std::string::npos;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

class RegistrationFailure : public ::testing::TestWithParam<bool> {};

TEST_P(RegistrationFailure, RefusedConnectionsCloseSilentlyAndTheServerGoesOn) {
  LogCapture log;
  RecordingHandler handler;
  ServerOptions o;
  o.loops = 2;
  o.reuse_port = GetParam();
  ServerFixture fixture(handler, o);

  constexpr int kRefused = 3;
  detail::inject_poller_failures(kRefused, ENOMEM);
  for (int i = 0; i < kRefused; ++i) {
    LoopbackClient refused(fixture.address());
    ASSERT_TRUE(refused.connected()) << refused.connect_error();  // The kernel accepted it.
    IoResult r = refused.wait_closed();
    EXPECT_TRUE(r.outcome == Outcome::eof || r.outcome == Outcome::reset) << r.describe();
  }
  EXPECT_EQ(detail::g_failing_registrations.load(), 0) << "every injected failure was used";

  LoopbackClient served(fixture.address());
  ASSERT_TRUE(served.connected()) << served.connect_error();
  EXPECT_TRUE(served.echo_pattern(7, 100000).ok());
  ASSERT_TRUE(handler.opened.wait_for(1));
  served.close();
  ASSERT_TRUE(handler.closed.wait_for(1));

  EXPECT_EQ(handler.opened.value(), 1u) << "a refused connection reached on_open";
  EXPECT_EQ(handler.closed.value(), 1u) << "a refused connection reached on_close";
  EXPECT_GE(log.count("cannot watch a new connection"), 1u);
  EXPECT_LE(log.count("cannot watch a new connection"), static_cast<size_t>(o.loops))
      << "logged once per burst (per loop), not once per connection";
}

INSTANTIATE_TEST_SUITE_P(Accepting, RegistrationFailure, ::testing::Bool(),
                         [](const auto& param_info) { return param_info.param ? "reuse_port" : "acceptor"; });

}  // namespace
}  // namespace weft::test
