// Server ticks: on_tick runs on the server's main loop right after boot, again after each
// delay it returns, and never again once it returns kStopTicking.

#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>

#include <mutex>
#include <string>
#include <vector>

#include "recording_handler.h"
#include "server_fixture.h"
#include "weft/net/server.h"

namespace weft::test {
namespace {

using std::chrono::milliseconds;

class TickHandler : public RecordingHandler {
 public:
  explicit TickHandler(std::vector<Duration> delays) : delays_(std::move(delays)) {}

  void on_boot(Server& server) override {
    server_ = &server;
    booted_.store(true);
  }
  Duration on_tick() override {
    char name[16] = {};
    ::pthread_getname_np(::pthread_self(), name, sizeof name);
    bool on_io_loop = false;
    for (size_t i = 0; i < server_->loop_count(); ++i) on_io_loop |= server_->loop(i).in_loop_thread();
    Duration next;
    {
      std::lock_guard lock(mutex_);
      times_.push_back(Clock::now());
      threads_.push_back(name);
      if (on_io_loop) ++on_io_loop_;
      if (!booted_.load()) ++before_boot_;
      size_t i = times_.size() - 1;
      next = i < delays_.size() ? delays_[i] : kStopTicking;
    }
    ticks.add();
    return next;
  }

  std::vector<TimePoint> times() const {
    std::lock_guard lock(mutex_);
    return times_;
  }
  std::vector<std::string> threads() const {
    std::lock_guard lock(mutex_);
    return threads_;
  }
  int on_io_loop() const {
    std::lock_guard lock(mutex_);
    return on_io_loop_;
  }
  int before_boot() const {
    std::lock_guard lock(mutex_);
    return before_boot_;
  }
  const std::vector<Duration>& delays() const { return delays_; }

  Counter ticks;

 private:
  mutable std::mutex mutex_;
  std::vector<Duration> delays_;  // delays_[i] is returned by call i; then kStopTicking.
  std::vector<TimePoint> times_;
  std::vector<std::string> threads_;
  std::atomic<bool> booted_{false};
  Server* server_ = nullptr;
  int on_io_loop_ = 0;
  int before_boot_ = 0;
};

TEST(ServerTick, RunsAfterEachReturnedDelayAndStopsOnStopTicking) {
  TickHandler handler({milliseconds(50), milliseconds(100), milliseconds(30), milliseconds(60)});
  const size_t calls = handler.delays().size() + 1;  // The last call returns kStopTicking.
  ServerOptions o;
  o.loops = 2;
  ServerFixture fixture(handler, o);
  ASSERT_TRUE(handler.ticks.wait_for(calls)) << handler.ticks.value() << " ticks";

  // A window of many times the longest delay, in which a tick that failed to stop would
  // have run again.
  ::poll(nullptr, 0, 500);
  fixture.stop();
  EXPECT_EQ(handler.ticks.value(), calls);

  std::vector<TimePoint> times = handler.times();
  ASSERT_EQ(times.size(), calls);
  for (size_t i = 1; i < times.size(); ++i) {
    // The delay counts from the start of the loop iteration that ran the previous tick,
    // which began a moment before the tick itself (longer if the machine is busy).
    Duration gap = times[i] - times[i - 1];
    EXPECT_GE(gap, handler.delays()[i - 1] - milliseconds(20))
        << "tick " << i << " came " << std::chrono::duration_cast<std::chrono::microseconds>(gap).count()
        << " us after the previous one";
  }
  for (const std::string& name : handler.threads()) EXPECT_EQ(name, "weft-main");
  EXPECT_EQ(handler.on_io_loop(), 0) << "on_tick ran on an I/O loop";
  EXPECT_EQ(handler.before_boot(), 0) << "on_tick ran before on_boot";
}

TEST(ServerTick, ZeroDelayTicksEveryIterationWithoutRecursing) {
  TickHandler handler(std::vector<Duration>(200, Duration::zero()));
  ServerFixture fixture(handler);
  ASSERT_TRUE(handler.ticks.wait_for(201)) << handler.ticks.value() << " ticks";
  fixture.stop();
  EXPECT_EQ(handler.ticks.value(), 201u);
}

TEST(ServerTick, StopTickingAtOnceMeansOneCall) {
  TickHandler handler({});
  ServerFixture fixture(handler);
  ASSERT_TRUE(handler.ticks.wait_for(1));
  ::poll(nullptr, 0, 100);  // A window for a wrong second call.
  fixture.stop();
  EXPECT_EQ(handler.ticks.value(), 1u);
}

}  // namespace
}  // namespace weft::test
