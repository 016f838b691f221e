// SendTracker: done callbacks complete in order once the bytes sent pass the end of their
// bytes; the rest fail together; a throwing callback does not stop the others.

#include "weft/net/detail/send_tracker.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "weft/core/error.h"
#include "weft/core/log.h"

namespace weft::detail {
namespace {

TEST(SendTracker, CompletesInOrderAsBytesAreSent) {
  SendTracker tracker;
  std::vector<std::pair<int, std::error_code>> calls;
  tracker.add(10, [&](std::error_code ec) { calls.emplace_back(1, ec); });  // 10 bytes queued.
  tracker.add(10, [&](std::error_code ec) { calls.emplace_back(2, ec); });  // An empty send.
  tracker.add(25, [&](std::error_code ec) { calls.emplace_back(3, ec); });  // 15 more.
  tracker.sent(9);
  tracker.complete();
  EXPECT_TRUE(calls.empty());
  tracker.sent(1);
  tracker.complete();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].first, 1);
  EXPECT_EQ(calls[1].first, 2);
  EXPECT_FALSE(calls[0].second);
  tracker.sent(14);
  tracker.complete();
  EXPECT_EQ(calls.size(), 2u);
  EXPECT_FALSE(tracker.empty());
  tracker.sent(100);
  tracker.complete();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_TRUE(tracker.empty());
}

TEST(SendTracker, CountsFromWhatIsUnsentWhenASendIsAdded) {
  SendTracker tracker;
  int done = 0;
  tracker.sent(1000);  // Sent before this send was queued: irrelevant to it.
  tracker.add(50, [&](std::error_code) { ++done; });
  tracker.complete();
  EXPECT_EQ(done, 0);
  tracker.sent(50);
  tracker.complete();
  EXPECT_EQ(done, 1);
}

TEST(SendTracker, FailAllReportsTheErrorToEachRemainingCallbackOnce) {
  SendTracker tracker;
  int ok = 0, failed = 0;
  for (size_t end = 1; end <= 5; ++end) {
    tracker.add(end * 100, [&](std::error_code ec) {
      if (ec) {
        EXPECT_EQ(ec, Errc::shutdown);
        ++failed;
      } else {
        ++ok;
      }
    });
  }
  tracker.sent(250);
  tracker.complete();
  tracker.fail_all(make_error_code(Errc::shutdown));
  tracker.fail_all(make_error_code(Errc::closed));
  tracker.sent(1000);
  tracker.complete();
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(failed, 3);
  EXPECT_TRUE(tracker.empty());
}

TEST(SendTracker, ThrowingCallbackIsLoggedAndTheRestStillRun) {
  std::vector<std::string> logged;
  set_log_sink([&](LogLevel, std::string_view m) { logged.emplace_back(m); });
  SendTracker tracker;
  int after = 0;
  tracker.add(1, [](std::error_code) { throw std::runtime_error("callback bug"); });
  tracker.add(2, [&](std::error_code) { ++after; });
  tracker.add(3, [](std::error_code) { throw 7; });
  tracker.add(4, [&](std::error_code) { ++after; });
  tracker.sent(2);
  EXPECT_NO_THROW(tracker.complete());
  EXPECT_NO_THROW(tracker.fail_all(make_error_code(Errc::closed)));
  set_log_sink({});
  EXPECT_EQ(after, 2);
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_NE(logged[0].find("callback bug"), std::string::npos);
}

}  // namespace
}  // namespace weft::detail
