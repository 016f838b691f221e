#include "weft/core/event_loop.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>

#include "core/guarded_call.h"
#include "core/timer_queue.h"
#include "core/wake_up.h"
#include "poller/fault_injection.h"
#include "poller/poller.h"
#include "weft/core/log.h"

namespace weft {
namespace {

constexpr int kMaxEvents = 1024;
constexpr size_t kTrimAfterBytes = 32 * 1024 * 1024;

// The requested backend, or for automatic the best one the kernel supports, falling back
// to epoll, which always works.
std::unique_ptr<detail::Poller> make_poller(PollerKind kind, bool edge_triggered) {
  switch (kind) {
    case PollerKind::automatic:
    case PollerKind::epoll:
      return detail::make_epoll_poller(edge_triggered);
  }
  return detail::make_epoll_poller(edge_triggered);
}

}  // namespace

EventLoop::EventLoop(const LoopOptions& options)
    : poller_(make_poller(options.poller, options.edge_triggered)),
      timers_(std::make_unique<detail::TimerQueue>()),
      pool_(options.block_size, options.max_free_blocks),
      scratch_(std::make_unique<char[]>(options.read_buffer_size)),
      scratch_size_(options.read_buffer_size),
      edge_triggered_(options.edge_triggered),
      now_(Clock::now()) {
  wake_ = std::make_unique<detail::WakeUp>(*this);
  wake_->notify();  // Its fd is registered when run() starts.
  tasks_.reserve(64);
  running_.reserve(64);
}

EventLoop::~EventLoop() = default;

void EventLoop::off_loop_thread(const char* call) {
  std::fprintf(stderr, "weft: %s called off its loop thread\n", call);
  std::abort();
}

const char* EventLoop::poller_name() const { return poller_->name(); }

void EventLoop::run() {
  thread_id_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  {
    std::lock_guard lock(tasks_mutex_);
    finished_ = false;
  }
  const int wake_fd = wake_->fd();
  poller_->add(wake_fd, detail::kReadable, wake_.get());

  detail::PollEvent events[kMaxEvents];
  while (!quit_.load(std::memory_order_acquire)) {
    const int timeout = poll_timeout_ms();
    if (timeout != 0) trim_if_freed();
    int n = poller_->wait(events, kMaxEvents, timeout);
    if (n < 0) {
      // EINTR is retried inside the poller; anything else (EBADF, EFAULT, EINVAL) would
      // fail again at once, so the loop stops instead of spinning.
      failure_ = {-n, std::system_category()};
      WEFT_LOG(LogLevel::error, "%s wait failed: %s; stopping this loop", poller_->name(), failure_.message().c_str());
      break;
    }
    now_ = Clock::now();
    ++iterations_;
    for (int i = 0; i < n; ++i) events[i].object->on_io(events[i].events);
    run_tasks();
    timers_->run_due(now_);
    // Flushing may mark more objects dirty (a done callback that writes); take them all.
    for (size_t i = 0; i < dirty_.size(); ++i) dirty_[i]->on_flush();
    dirty_.clear();
    for (size_t i = 0; i < finalize_.size(); ++i) finalize_[i]->on_finalize();
    finalize_.clear();
    account_memory();
  }
  {
    std::lock_guard lock(tasks_mutex_);
    finished_ = true;
  }
  // Tasks that made it into the queue still run, so whatever they hold is released and
  // reported (for example a send to a connection that no longer exists).
  run_tasks();
  poller_->remove(wake_fd);
  quit_.store(false, std::memory_order_release);
  thread_id_.store({}, std::memory_order_relaxed);
}

void EventLoop::quit() {
  quit_.store(true, std::memory_order_release);
  wake_->notify();
}

bool EventLoop::post(Task&& fn) {
  {
    std::lock_guard lock(tasks_mutex_);
    if (finished_) return false;
    tasks_.push_back(std::move(fn));
  }
  wake_->notify();
  return true;
}

void EventLoop::run_tasks() {
  {
    std::lock_guard lock(tasks_mutex_);
    if (tasks_.empty()) return;
    running_.swap(tasks_);
  }
  for (Task& task : running_) detail::guarded_call("posted task", task);
  running_.clear();
}

// Publishes what the loop's buffers hold, for a server-wide cap, and runs the buffer alarm.
void EventLoop::account_memory() {
  const size_t buffered = pool_.blocks_in_use() * pool_.block_size();
  buffered_.store(buffered, std::memory_order_relaxed);
  if (buffer_alarm_ && buffered > buffer_alarm_bytes_) {
    Task alarm = std::move(buffer_alarm_);
    buffer_alarm_ = nullptr;
    detail::guarded_call("a buffer alarm", alarm);
  }
}

// Called when the loop is about to wait. After a burst, freed memory goes back to the
// system: glibc keeps freed 16 KiB blocks in its heap, where only malloc_trim(3) returns
// their pages, so a burst of slow clients would otherwise leave its peak in the process.
// Trimming only as the loop turns idle, and only after enough was freed, keeps its cost
// away from busy iterations.
void EventLoop::trim_if_freed() {
  if (pool_.freed_bytes() < kTrimAfterBytes) return;
  pool_.reset_freed();
  ::malloc_trim(0);
}

void EventLoop::on_buffered_above(size_t bytes, Task fn) {
  assert_in_loop_thread("EventLoop::on_buffered_above");
  buffer_alarm_bytes_ = bytes;
  buffer_alarm_ = std::move(fn);
}

int EventLoop::poll_timeout_ms() const {
  if (!dirty_.empty() || !finalize_.empty()) return 0;
  TimePoint next = timers_->next_deadline();
  if (next == TimePoint::max()) return -1;
  TimePoint current = Clock::now();
  if (next <= current) return 0;
  // Round up so a timer never wakes the loop a little early and spins.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - current).count();
  return ms > 24 * 3600 * 1000 ? 24 * 3600 * 1000 : static_cast<int>(ms);
}

TimerId EventLoop::run_after(Duration delay, Task fn) {
  assert_in_loop_thread("EventLoop::run_after");
  if (delay < Duration::zero()) delay = Duration::zero();
  return timers_->add(now_ + delay, Duration::zero(), std::move(fn));
}

TimerId EventLoop::run_every(Duration period, Task fn) {
  assert_in_loop_thread("EventLoop::run_every");
  if (period <= Duration::zero()) period = Duration(1);
  return timers_->add(now_ + period, period, std::move(fn));
}

bool EventLoop::cancel(TimerId id) {
  assert_in_loop_thread("EventLoop::cancel");
  return timers_->cancel(id);
}

std::error_code EventLoop::add_io(int fd, uint32_t events, detail::IoObject* object) {
  assert_in_loop_thread("EventLoop::add_io");
  if (int e = detail::injected_poller_failure(); e != 0) return {e, std::system_category()};
  return poller_->add(fd, events, object);
}

std::error_code EventLoop::modify_io(int fd, uint32_t events, detail::IoObject* object) {
  assert_in_loop_thread("EventLoop::modify_io");
  return poller_->modify(fd, events, object);
}

void EventLoop::remove_io(int fd) {
  assert_in_loop_thread("EventLoop::remove_io");
  poller_->remove(fd);
}

}  // namespace weft
