#pragma once
// EventLoop: one per thread. It waits for readiness, dispatches it, and in the same
// iteration runs posted tasks and due timers, flushes dirty connections and finalizes
// closes. One iteration, in order:
//
//   1. poll       wait for readiness (or the next timer, or a wake-up)
//   2. dispatch   IoObject::on_io for every ready object
//   3. tasks      run the tasks posted since the last iteration
//   4. timers     run every timer that is due
//   5. flush      IoObject::on_flush for every object marked dirty (one writev each)
//   6. finalize   IoObject::on_finalize for every object whose close was deferred
//
// Flushing after tasks and timers means bytes written by any of them leave in the same
// iteration, with one syscall per connection. Finalizing last means no object dies while
// one of its own callbacks is on the stack.
//
// Thread rules: post(), quit() and in_loop_thread() are safe from any thread. Everything
// else is for the loop's own thread (asserted in debug builds).

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <system_error>
#include <thread>
#include <vector>

#include "weft/core/block_pool.h"
#include "weft/core/detail/io_object.h"
#include "weft/core/time.h"

namespace weft {

namespace detail {
class Poller;
class TimerQueue;
class WakeUp;
class LoopAccess;
}  // namespace detail

enum class PollerKind { automatic, epoll };

struct LoopOptions {
  PollerKind poller = PollerKind::automatic;
  bool edge_triggered = false;          // Level-triggered unless asked otherwise.
  size_t read_buffer_size = 64 * 1024;  // The loop's scratch area for reads.
  size_t block_size = BlockPool::kDefaultBlockSize;
  size_t max_free_blocks = BlockPool::kDefaultMaxFree;
};

class EventLoop {
 public:
  using Task = std::function<void()>;

  explicit EventLoop(const LoopOptions& options = {});
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs iterations on the calling thread until quit(). The thread that calls run() becomes
  // the loop thread. Tasks still queued when it returns are run once more before it does.
  void run();
  // Asks run() to return after the current iteration. Any thread.
  void quit();

  // Queues fn to run on the loop thread in the tasks phase. Any thread. Returns false, and
  // leaves fn untouched, if the loop has finished running.
  bool post(Task&& fn);

  bool in_loop_thread() const { return thread_id_.load(std::memory_order_relaxed) == std::this_thread::get_id(); }
  // In debug builds, aborts with "weft: <call> called off its loop thread" when called on
  // another thread than the one running the loop (before run() starts, any thread may set
  // the loop up). Compiled out in release builds.
  void assert_in_loop_thread(const char* call) const;

  // The time cached at the start of this iteration.
  TimePoint now() const { return now_; }

  // Timers, loop thread only. Equal deadlines fire in the order they were added. A timer
  // may add or cancel timers, itself included, from its own callback. A zero delay fires
  // in the next iteration, never recursively. cancel() returns false if the timer already
  // fired (one-shot) or was cancelled.
  TimerId run_after(Duration delay, Task fn);
  TimerId run_every(Duration period, Task fn);
  bool cancel(TimerId id);

  // The loop's buffer blocks, for building a Buffer on this loop. Loop thread only.
  BlockPool& pool() { return pool_; }
  const char* poller_name() const;
  uint64_t iterations() const { return iterations_; }
  // Why run() stopped on its own (the poller failed), or no error.
  std::error_code failure() const { return failure_; }
  // Bytes held in this loop's buffer blocks, as of its last iteration. Any thread.
  size_t buffered_bytes() const { return buffered_.load(std::memory_order_relaxed); }

 private:
  // Machinery for the layers above, reached through detail::LoopAccess.
  // Loop thread only. add_io and modify_io report the
  // poller's refusal (ENOMEM, ENOSPC under a flood of connections) instead of throwing:
  // the caller closes that one socket and the loop goes on.
  [[nodiscard]] std::error_code add_io(int fd, uint32_t events, detail::IoObject* object);
  [[nodiscard]] std::error_code modify_io(int fd, uint32_t events, detail::IoObject* object);
  void remove_io(int fd);
  void mark_dirty(detail::IoObject* object) {
    assert_in_loop_thread("EventLoop::mark_dirty");
    dirty_.push_back(object);
  }
  void defer_finalize(detail::IoObject* object) {
    assert_in_loop_thread("EventLoop::defer_finalize");
    finalize_.push_back(object);
  }
  std::span<char> read_scratch() { return {scratch_.get(), scratch_size_}; }
  bool edge_triggered() const { return edge_triggered_; }
  // Runs fn once, on this loop, at the end of the first iteration that finds more than
  // `bytes` in its buffers (a server-wide cap watches its loops this way). Loop thread.
  void on_buffered_above(size_t bytes, Task fn);

  [[noreturn]] static void off_loop_thread(const char* call);
  void run_tasks();
  int poll_timeout_ms() const;
  void account_memory();
  void trim_if_freed();

  std::unique_ptr<detail::Poller> poller_;
  std::unique_ptr<detail::TimerQueue> timers_;
  std::unique_ptr<detail::WakeUp> wake_;
  BlockPool pool_;
  std::unique_ptr<char[]> scratch_;
  size_t scratch_size_;
  bool edge_triggered_;

  std::atomic<std::thread::id> thread_id_{};
  std::atomic<bool> quit_{false};
  TimePoint now_;
  uint64_t iterations_ = 0;
  std::error_code failure_;
  std::atomic<size_t> buffered_{0};
  size_t buffer_alarm_bytes_ = 0;
  Task buffer_alarm_;

  std::vector<detail::IoObject*> dirty_;
  std::vector<detail::IoObject*> finalize_;

  std::mutex tasks_mutex_;
  std::vector<Task> tasks_;       // Guarded by tasks_mutex_.
  std::vector<Task> running_;     // Loop thread only.
  bool finished_ = false;         // Guarded by tasks_mutex_.
  friend class detail::WakeUp;
  friend class detail::LoopAccess;
};

inline void EventLoop::assert_in_loop_thread([[maybe_unused]] const char* call) const {
#ifndef NDEBUG
  if (!in_loop_thread() && thread_id_.load(std::memory_order_relaxed) != std::thread::id()) off_loop_thread(call);
#endif
}

}  // namespace weft
