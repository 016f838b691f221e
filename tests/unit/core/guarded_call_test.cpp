// guarded_call: runs the callable, reports whether it threw, and logs what it threw with
// the caller's label, for standard and non-standard exceptions alike.

#include "core/guarded_call.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "weft/core/log.h"

namespace weft::detail {
namespace {

class LogLines {
 public:
  LogLines() {
    set_log_sink([this](LogLevel level, std::string_view m) {
      levels.push_back(level);
      lines.emplace_back(m);
    });
  }
  ~LogLines() { set_log_sink({}); }
  std::vector<LogLevel> levels;
  std::vector<std::string> lines;
};

TEST(GuardedCall, RunsTheCallableAndReportsNoThrow) {
  LogLines log;
  int ran = 0;
  EXPECT_FALSE(guarded_call("task", [&] { ++ran; }));
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(log.lines.empty());
}

TEST(GuardedCall, LogsAStandardExceptionWithItsLabel) {
  LogLines log;
  EXPECT_TRUE(guarded_call("timer callback", [] { throw std::runtime_error("disk on fire"); }));
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0], "timer callback threw: disk on fire");
  EXPECT_EQ(log.levels[0], LogLevel::error);
}

TEST(GuardedCall, LogsANonStandardException) {
  LogLines log;
  EXPECT_TRUE(guarded_call("posted task", [] { throw 42; }));
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0], "posted task threw a non-standard exception");
}

TEST(GuardedCall, CatchBlocksLogTheExceptionBeingHandled) {
  LogLines log;
  try {
    throw std::logic_error("bad state");
  } catch (...) {
    log_current_exception("coroutine serving 127.0.0.1:1", "closing the connection");
  }
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0], "coroutine serving 127.0.0.1:1 threw: bad state; closing the connection");
}

TEST(GuardedCall, CallsAMutableCallableInPlace) {
  int calls = 0;
  auto counter = [&calls, n = 0]() mutable { calls = ++n; };
  guarded_call("task", counter);
  guarded_call("task", counter);
  EXPECT_EQ(calls, 2);  // The same object ran twice: it was not copied.
}

}  // namespace
}  // namespace weft::detail
