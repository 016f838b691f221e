// StreamHandle: a coroutine's stream reached from other connections' coroutines and from
// other threads (send, shared bytes, close, abort); a handle outliving its connection is
// harmless. Run under ThreadSanitizer (label `threads`).

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "coro_fixture.h"
#include "loopback_client.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// Connections' handles, shared between loops.
class Registry {
 public:
  void add(StreamHandle h) {
    std::lock_guard lock(mutex_);
    handles_.push_back(h);
    count_.add();
  }
  std::vector<StreamHandle> all() const {
    std::lock_guard lock(mutex_);
    return handles_;
  }
  Counter& count() { return count_; }

 private:
  mutable std::mutex mutex_;
  std::vector<StreamHandle> handles_;
  Counter count_;
};

TEST(CoroStreamHandle, ACoroutineSendsToAnotherConnectionOnAnotherLoop) {
  Registry registry;
  auto serve = [&](Stream s) -> Task<> {
    StreamHandle me = s.handle();
    EXPECT_FALSE(me.empty());
    EXPECT_EQ(me.loop(), s.loop());
    registry.add(me);
    for (;;) {
      auto line = co_await s.read_until("\n");
      if (!line) co_return;
      SharedBytes shared = SharedBytes::copy_of(*line);
      for (const StreamHandle& h : registry.all()) {
        if (h != me) h.send(shared);
      }
    }
  };
  CoroFixture fixture(serve);  // Two loops: round robin puts the clients on both.
  LoopbackClient a(fixture.address());
  LoopbackClient b(fixture.address());
  LoopbackClient c(fixture.address());
  ASSERT_TRUE(registry.count().wait_for(3));
  ASSERT_TRUE(a.send_all("hello from a\n").ok());
  std::string got_b;
  std::string got_c;
  ASSERT_TRUE(b.read_exact(got_b, 13).ok());
  ASSERT_TRUE(c.read_exact(got_c, 13).ok());
  EXPECT_EQ(got_b, "hello from a\n");
  EXPECT_EQ(got_c, "hello from a\n");
  ASSERT_TRUE(c.send_all("and c\n").ok());
  std::string got_a;
  ASSERT_TRUE(a.read_exact(got_a, 6).ok());
  EXPECT_EQ(got_a, "and c\n");
}

TEST(CoroStreamHandle, AnotherThreadSendsThenClosesAndTheCoroutineSeesWhy) {
  OnceValue<StreamHandle> handle;
  OnceValue<std::string> result;
  auto serve = [&](Stream s) -> Task<> {
    handle.set(s.handle());
    auto r = co_await s.read_some();
    auto reason = s.close_reason();
    result.set(r.error().message() + "|" + (reason ? to_string(*reason) : "open"));
  };
  CoroFixture fixture(serve);
  LoopbackClient client(fixture.address());
  auto h = handle.wait();
  ASSERT_TRUE(h.has_value());
  OnceValue<std::error_code> sent;
  h->send(std::string("from a thread\n"), [&](std::error_code ec) { sent.set(ec); });
  h->send(SharedBytes::copy_of("shared\n"));
  h->close();
  std::string got;
  ASSERT_EQ(client.read_to_eof(got).outcome, Outcome::eof);
  EXPECT_EQ(got, "from a thread\nshared\n");
  EXPECT_EQ(sent.wait(), std::error_code());
  EXPECT_EQ(result.wait(), make_error_code(Errc::closed).message() + "|local close");
}

TEST(CoroStreamHandle, AbortThroughAHandleResetsThePeer) {
  OnceValue<StreamHandle> handle;
  auto serve = [&](Stream s) -> Task<> {
    handle.set(s.handle());
    (void)co_await s.read_some();
  };
  CoroFixture fixture(serve);
  LoopbackClient client(fixture.address());
  auto h = handle.wait();
  ASSERT_TRUE(h.has_value());
  h->abort();
  EXPECT_EQ(client.wait_closed().outcome, Outcome::reset);
}

TEST(CoroStreamHandle, AHandleAfterCloseIsHarmless) {
  OnceValue<StreamHandle> handle;
  Counter ended;
  auto serve = [&](Stream s) -> Task<> {
    handle.set(s.handle());
    s.close();
    EXPECT_TRUE(s.handle().empty());  // A closed stream gives an empty handle.
    ended.add();
    co_return;
  };
  CoroFixture fixture(serve);
  LoopbackClient client(fixture.address());
  ASSERT_EQ(client.wait_closed().outcome, Outcome::eof);
  ASSERT_TRUE(ended.wait_for(1));
  auto h = handle.wait();
  ASSERT_TRUE(h.has_value());
  ASSERT_TRUE(sync_with_loop(*h->loop()));
  OnceValue<std::error_code> late;
  h->send(std::string("late"), [&](std::error_code ec) { late.set(ec); });
  h->close();
  h->abort();
  EXPECT_EQ(late.wait(), make_error_code(Errc::closed));
  // The default handle does nothing either.
  StreamHandle none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.loop(), nullptr);
  OnceValue<std::error_code> nothing;
  none.send(std::string("x"), [&](std::error_code ec) { nothing.set(ec); });
  none.close();
  EXPECT_EQ(nothing.wait(), make_error_code(Errc::closed));
}

}  // namespace
}  // namespace weft::test
