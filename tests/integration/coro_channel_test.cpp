// Channel<T>: values in order, senders and receivers on different loops waking each other
// on their own loops, close, timeouts and cancellation, and coroutines destroyed while
// they wait. Run under ThreadSanitizer (label `threads`).

#include <gtest/gtest.h>

#include <algorithm>
#include <coroutine>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "coro_fixture.h"
#include "weft/coro/coro.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

struct Item {
  int sender = 0;
  int seq = 0;
};

TEST(CoroChannel, ValuesArriveInOrderThroughASmallChannel) {
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  Channel<int> ch(2);
  auto producer = [&ch]() -> Task<> {
    for (int i = 0; i < 1000; ++i) {
      if (co_await ch.send(i)) co_return;
    }
    ch.close();
  };
  ASSERT_TRUE(fixture.server().spawn(producer, 0));
  auto got = run_on_loop(
      fixture.server(),
      [&ch]() -> Task<std::vector<int>> {
        std::vector<int> seen;
        for (;;) {
          auto v = co_await ch.recv();
          if (!v) break;
          seen.push_back(*v);
        }
        co_return seen;
      },
      0);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ((*got)[i], i);
}

TEST(CoroChannel, ManySendersOnTwoLoopsKeepOrderPerSender) {
  constexpr int kSenders = 6;
  constexpr int kEach = 2000;
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  Channel<Item> ch(8);
  Counter done;
  for (int s = 0; s < kSenders; ++s) {
    auto sender = [&ch, &done, s]() -> Task<> {
      for (int i = 0; i < kEach; ++i) {
        if (co_await ch.send(Item{s, i})) break;
      }
      done.add();
    };
    ASSERT_TRUE(fixture.server().spawn(sender, s % 2));
  }
  // The receiver runs on loop 1, so senders on loop 0 wake it across threads and it wakes
  // them back.
  auto got = run_on_loop(
      fixture.server(),
      [&ch]() -> Task<std::string> {
        std::map<int, int> next;
        for (int n = 0; n < kSenders * kEach; ++n) {
          auto v = co_await ch.recv();
          if (!v) co_return "recv failed: " + v.error().message();
          if (v->seq != next[v->sender]) co_return "out of order from sender " + std::to_string(v->sender);
          next[v->sender] = v->seq + 1;
        }
        co_return "ok";
      },
      1);
  EXPECT_EQ(got, "ok");
  EXPECT_TRUE(done.wait_for(kSenders));
  EXPECT_EQ(ch.size(), 0u);
}

TEST(CoroChannel, TwoReceiversOnTwoLoopsShareTheValuesExactlyOnce) {
  constexpr int kFromCoroutine = 3000;
  constexpr int kFromThread = 300;
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  Channel<int> ch(4);
  std::vector<std::vector<int>> got(2);
  Counter received;
  Counter finished;
  for (size_t r = 0; r < 2; ++r) {
    auto receiver = [&ch, &got, &received, &finished, r]() -> Task<> {
      for (;;) {
        auto v = co_await ch.recv();
        if (!v) break;
        got[r].push_back(*v);
        received.add();
      }
      finished.add();
    };
    ASSERT_TRUE(fixture.server().spawn(receiver, r));
  }
  auto sender = [&ch]() -> Task<> {
    for (int i = 0; i < kFromCoroutine; ++i) {
      if (co_await ch.send(i)) break;
    }
  };
  ASSERT_TRUE(fixture.server().spawn(sender, 0));
  // A plain thread sends too, with try_send, retrying while the channel is full.
  for (int i = kFromCoroutine; i < kFromCoroutine + kFromThread;) {
    int v = i;
    if (!ch.try_send(v)) {
      ++i;
    } else {
      std::this_thread::yield();
    }
  }
  ASSERT_TRUE(received.wait_for(kFromCoroutine + kFromThread));
  ch.close();
  ASSERT_TRUE(finished.wait_for(2));
  std::vector<int> all(got[0]);
  all.insert(all.end(), got[1].begin(), got[1].end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kFromCoroutine + kFromThread));
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], static_cast<int>(i));
}

TEST(CoroChannel, CloseDrainsQueuedValuesThenFailsWaiters) {
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  Channel<int> ch(1);
  int one = 1;
  ASSERT_FALSE(ch.try_send(one));
  // A sender waits on the full channel; close fails it.
  OnceValue<std::error_code> blocked;
  ASSERT_TRUE(fixture.server().spawn([&]() -> Task<> { blocked.set(co_await ch.send(2)); }, 1));
  ASSERT_TRUE(sync_with_loop(fixture.server().server().loop(1)));
  EXPECT_FALSE(blocked.peek().has_value());
  ch.close();
  EXPECT_EQ(blocked.wait(), make_error_code(Errc::closed));
  auto got = run_on_loop(fixture.server(), [&]() -> Task<std::string> {
    auto first = co_await ch.recv();
    auto second = co_await ch.recv();
    std::error_code late = co_await ch.send(3);
    co_return std::to_string(*first) + "|" + second.error().message() + "|" + late.message();
  });
  std::string closed = make_error_code(Errc::closed).message();
  EXPECT_EQ(got, "1|" + closed + "|" + closed);
  int four = 4;
  EXPECT_EQ(ch.try_send(four), make_error_code(Errc::closed));
}

TEST(CoroChannel, CloseFromAnotherThreadWakesAWaitingReceiver) {
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  Channel<std::string> ch(4);
  OnceValue<std::error_code> result;
  ASSERT_TRUE(fixture.server().spawn([&]() -> Task<> { result.set((co_await ch.recv()).error()); }, 1));
  ASSERT_TRUE(sync_with_loop(fixture.server().server().loop(1)));
  std::thread closer([&] { ch.close(); });
  closer.join();
  EXPECT_EQ(result.wait(), make_error_code(Errc::closed));
}

TEST(CoroChannel, TimeoutLeavesTheChannelUsable) {
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  Channel<int> ch(1);
  auto got = run_on_loop(fixture.server(), [&]() -> Task<std::string> {
    auto r = co_await with_timeout(20ms, ch.recv());
    std::error_code sent = co_await ch.send(7);
    std::error_code full = co_await with_timeout(20ms, ch.send(8));
    auto v = co_await ch.recv();
    co_return r.error().message() + "|" + sent.message() + "|" + full.message() + "|" + std::to_string(*v);
  });
  std::string timeout = make_error_code(Errc::timeout).message();
  EXPECT_EQ(got, timeout + "|Success|" + timeout + "|7");
  EXPECT_EQ(ch.size(), 0u);  // The timed-out send did not deliver its value.
}

TEST(CoroChannel, ServerStopCancelsWaitersAndAClosedConnectionCancelsItsOwn) {
  auto fixture = std::make_unique<CoroFixture>([](Stream) -> Task<> { co_return; });
  Channel<int> ch(1);
  int one = 1;
  ASSERT_FALSE(ch.try_send(one));
  OnceValue<std::error_code> sender;
  OnceValue<std::error_code> receiver;
  Channel<int> empty(1);
  ASSERT_TRUE(fixture->server().spawn([&]() -> Task<> { sender.set(co_await ch.send(2)); }, 0));
  ASSERT_TRUE(fixture->server().spawn([&]() -> Task<> { receiver.set((co_await empty.recv()).error()); }, 1));
  ASSERT_TRUE(sync_with_loop(fixture->server().server().loop(0)));
  ASSERT_TRUE(sync_with_loop(fixture->server().server().loop(1)));
  fixture->stop();
  EXPECT_EQ(sender.peek(), make_error_code(Errc::closed));
  EXPECT_EQ(receiver.peek(), make_error_code(Errc::closed));
  EXPECT_EQ(ch.size(), 1u);  // Only the first value.
}

// A coroutine of its own kind, with a weft context, that the test resumes and destroys
// by hand while it is suspended in a channel operation.
struct Probe {
  struct promise_type {
    detail::CoroContext ctx;
    detail::CoroContext* context() { return &ctx; }
    Probe get_return_object() { return Probe{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
  std::coroutine_handle<promise_type> handle;
};

Probe receive_into(Channel<int>& ch, int* out) {
  auto v = co_await ch.recv();
  *out = v ? *v : -1;
}

// Starts a probe on the calling loop thread; true if it is now suspended in recv().
bool start(Probe& p, EventLoop& loop) {
  p.handle.promise().ctx.loop = &loop;
  p.handle.resume();
  return !p.handle.done();
}

TEST(CoroChannel, ACoroutineDestroyedWhileWaitingLeavesTheChannel) {
  CoroFixture fixture([](Stream) -> Task<> { co_return; });
  EventLoop& loop = fixture.server().server().loop(0);
  Channel<int> ch(2);
  int out = 0;
  // Destroyed while queued: a later value stays in the channel for the next receiver.
  auto queued = call_on_loop(loop, [&] {
    Probe p = receive_into(ch, &out);
    bool suspended = start(p, loop);
    p.handle.destroy();
    return suspended;
  });
  ASSERT_EQ(queued, true);
  int five = 5;
  EXPECT_FALSE(ch.try_send(five));
  EXPECT_EQ(ch.try_recv(), 5);
  // Destroyed after a sender handed it a value, before its posted wake-up ran: the wake-up
  // then does nothing (ASan would report a use after free).
  auto woken = call_on_loop(loop, [&] {
    Probe p = receive_into(ch, &out);
    bool suspended = start(p, loop);
    int six = 6;
    bool handed = !ch.try_send(six) && ch.size() == 0;
    p.handle.destroy();
    return suspended && handed;
  });
  ASSERT_EQ(woken, true);
  ASSERT_TRUE(sync_with_loop(loop));
  EXPECT_EQ(out, 0);
  // A probe that is not destroyed gets its value through the same path.
  auto delivered = call_on_loop(loop, [&] {
    Probe p = receive_into(ch, &out);
    start(p, loop);
    int seven = 7;
    return !ch.try_send(seven) ? p.handle.address() : nullptr;
  });
  ASSERT_TRUE(delivered.has_value() && *delivered != nullptr);
  ASSERT_TRUE(sync_with_loop(loop));
  EXPECT_EQ(out, 7);
  ASSERT_TRUE(call_on_loop(loop, [&] {
    std::coroutine_handle<>::from_address(*delivered).destroy();
    return true;
  }));
}

}  // namespace
}  // namespace weft::test
